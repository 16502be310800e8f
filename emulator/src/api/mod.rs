//! The QuickSight operations, one handler each, on the paths of the official model.

pub mod groups;
pub mod members;
pub mod tags;
pub mod users;

use std::collections::BTreeMap;

use axum::body::Bytes;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::model;
use crate::wire::ApiError;

/// The region the request was signed for, read from its SigV4 credential scope.
#[derive(Debug, Clone)]
pub struct Region(pub String);

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// Query parameters of the List operations.
pub type Query = axum::extract::Query<BTreeMap<String, String>>;

pub fn parse_body<T: DeserializeOwned + Default>(body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| ApiError::invalid(format!("The request body is not valid: {e}")))
}

pub fn check_scope(account: &str, namespace: &str) -> Result<(), ApiError> {
    model::account_id(account)?;
    model::namespace(namespace)
}

/// One page of `items` (sorted by key) after `next-token`, with the token for the next page.
/// Tokens name the last key returned, so inserts between pages neither skip nor repeat items.
pub fn page<T>(
    items: impl Iterator<Item = (String, T)>,
    query: &BTreeMap<String, String>,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let max = model::max_results(query.get("max-results").map(String::as_str))?;
    let after = match query.get("next-token") {
        None => None,
        Some(token) => Some(decode_token(token).ok_or_else(ApiError::bad_token)?),
    };
    let mut page = Vec::new();
    let mut last_key = None;
    let mut more = false;
    for (key, item) in items.filter(|(k, _)| after.as_ref().is_none_or(|a| k > a)) {
        if page.len() == max {
            more = true;
            break;
        }
        last_key = Some(key);
        page.push(item);
    }
    let next = if more { last_key.map(|k| encode_token(&k)) } else { None };
    Ok((page, next))
}

fn encode_token(key: &str) -> String {
    let hex: String = key.bytes().map(|b| format!("{b:02x}")).collect();
    format!("qsl1.{hex}")
}

fn decode_token(token: &str) -> Option<String> {
    let hex = token.strip_prefix("qsl1.")?;
    if hex.len() % 2 != 0 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}
