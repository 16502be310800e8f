//! The QuickSight operations, one handler each, on the paths of the official model.

pub mod account;
pub mod assets;
pub mod embed;
pub mod groups;
pub mod members;
pub mod namespaces;
pub mod permissions;
pub mod roles;
pub mod self_upgrades;
pub mod tags;
pub mod users;

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::model;
use crate::store::{Space, Store};
use crate::wire::ApiError;

/// The account and namespace a user or group operation's path names, checked against the model:
/// the opening every such handler shares. Handlers extract their own further path members.
#[derive(Debug, Clone)]
pub struct Scope {
    pub account: String,
    pub namespace: String,
}

#[derive(Deserialize)]
struct ScopePath {
    #[serde(rename = "AwsAccountId")]
    account: String,
    #[serde(rename = "Namespace")]
    namespace: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Scope {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(path) = Path::<ScopePath>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::invalid(format!("The request path is not valid: {e}")))?;
        model::account_id(&path.account)?;
        model::namespace(&path.namespace)?;
        Ok(Scope {
            account: path.account,
            namespace: path.namespace,
        })
    }
}

impl Scope {
    /// The namespace in `store`, or QuickSight's 404 for one that does not exist.
    pub fn space<'a>(&self, store: &'a mut Store) -> Result<&'a mut Space, ApiError> {
        store.namespace(&self.account, &self.namespace)
    }

    /// The ARN of a resource of this namespace (`user/<namespace>/<name>`).
    pub fn arn(&self, region: &str, kind: &str, name: &str) -> String {
        format!(
            "arn:aws:quicksight:{region}:{}:{kind}/{}/{name}",
            self.account, self.namespace
        )
    }
}

/// A path's `AwsAccountId`, for the operations on an account's resources outside namespaces.
#[derive(Deserialize)]
pub struct AccountPath {
    #[serde(rename = "AwsAccountId")]
    pub account: String,
}

/// A path's `UserName`.
#[derive(Deserialize)]
pub struct UserPath {
    #[serde(rename = "UserName")]
    pub name: String,
}

/// A path's `GroupName`.
#[derive(Deserialize)]
pub struct GroupPath {
    #[serde(rename = "GroupName")]
    pub name: String,
}

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
