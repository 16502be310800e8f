//! TagResource, UntagResource and ListTagsForResource on user ARNs. DescribeUser returns no tags;
//! these are the only way to read or change an existing user's.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use serde::Deserialize;
use serde_json::json;

use super::{Tag, parse_body};
use crate::store::Store;
use crate::wire::{ApiError, ApiResult, ok};
use crate::{Emulator, model};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TagBody {
    tags: Option<Vec<Tag>>,
}

/// The tags of the resource `arn` names, which must exist: a visible user
/// (`arn:aws:quicksight:<region>:<account>:user/<namespace>/<name>`).
fn tags_of<'a>(store: &'a mut Store, arn: &str) -> Result<&'a mut BTreeMap<String, String>, ApiError> {
    let not_found = || ApiError::not_found("USER", format!("The resource {arn} does not exist."));
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, "quicksight", _, account, resource] = parts[..] else {
        return Err(ApiError::invalid(format!("{arn} is not a QuickSight resource ARN.")));
    };
    let Some(("user", rest)) = resource.split_once('/') else {
        return Err(not_found());
    };
    let Some((namespace, name)) = rest.split_once('/') else {
        return Err(not_found());
    };
    let space = store.namespace(account, namespace).map_err(|_| not_found())?;
    if !space.users.get(name).is_some_and(|u| u.is_visible() && u.arn == arn) {
        return Err(not_found());
    }
    Ok(store.tags.entry(arn.to_owned()).or_default())
}

pub async fn tag(State(emu): State<Arc<Emulator>>, Path(arn): Path<String>, body: Bytes) -> ApiResult {
    let b: TagBody = parse_body(&body)?;
    let tags = b.tags.ok_or_else(|| ApiError::invalid("Tags is required."))?;
    model::tags(&tags)?;
    let mut store = emu.store();
    let current = tags_of(&mut store, &arn)?;
    let mut after = current.clone();
    after.extend(tags.into_iter().map(|t| (t.key, t.value)));
    if after.len() > 200 {
        return Err(ApiError::limit("A resource can have at most 200 tags."));
    }
    *current = after;
    Ok(ok(200, json!({})))
}

pub async fn untag(State(emu): State<Arc<Emulator>>, Path(arn): Path<String>, RawQuery(query): RawQuery) -> ApiResult {
    // `keys` repeats once per key (`?keys=a&keys=b`).
    let keys: Vec<String> = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.strip_prefix("keys="))
        .map(|k| percent_encoding::percent_decode_str(k).decode_utf8_lossy().into_owned())
        .collect();
    if keys.is_empty() || keys.len() > 200 {
        return Err(ApiError::invalid("TagKeys must name 1 to 200 keys."));
    }
    let mut store = emu.store();
    let current = tags_of(&mut store, &arn)?;
    for key in keys {
        current.remove(&key);
    }
    Ok(ok(200, json!({})))
}

pub async fn list(State(emu): State<Arc<Emulator>>, Path(arn): Path<String>) -> ApiResult {
    let mut store = emu.store();
    let tags: Vec<_> = tags_of(&mut store, &arn)?
        .iter()
        .map(|(k, v)| json!({ "Key": k, "Value": v }))
        .collect();
    Ok(ok(200, json!({ "Tags": tags })))
}
