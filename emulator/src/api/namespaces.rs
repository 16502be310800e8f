//! CreateNamespace, DescribeNamespace, ListNamespaces and DeleteNamespace. Creation and deletion
//! are asynchronous, as in QuickSight: `CREATING` for `--namespace-create-delay-ms`, then
//! `CREATED`; `DELETING`, then gone.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AccountPath, Query, Region, page, parse_body};
use crate::Emulator;
use crate::model;
use crate::store::Space;
use crate::wire::{ApiError, ApiResult, ok};

#[derive(Deserialize)]
pub struct NamespacePath {
    #[serde(rename = "AwsAccountId")]
    account: String,
    #[serde(rename = "Namespace")]
    namespace: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CreateNamespaceBody {
    namespace: Option<String>,
    identity_store: Option<String>,
    tags: Option<Vec<super::Tag>>,
}

/// The API's `NamespaceInfoV2`.
fn info(region: &str, account: &str, name: &str, space: &Space) -> Value {
    let region = space.capacity_region.as_deref().unwrap_or(region);
    json!({
        "Name": name,
        "Arn": format!("arn:aws:quicksight:{region}:{account}:namespace/{name}"),
        "CapacityRegion": region,
        "CreationStatus": space.status().as_str(),
        "IdentityStore": "QUICKSIGHT",
    })
}

pub async fn create(
    State(emu): State<Arc<Emulator>>,
    Extension(Region(region)): Extension<Region>,
    Path(AccountPath { account }): Path<AccountPath>,
    body: Bytes,
) -> ApiResult {
    model::account_id(&account)?;
    let b: CreateNamespaceBody = parse_body(&body)?;
    let name = b.namespace.ok_or_else(|| ApiError::invalid("Namespace is required."))?;
    model::namespace(&name)?;
    if name.is_empty() {
        return Err(ApiError::invalid("Namespace must not be empty."));
    }
    match b.identity_store.as_deref() {
        Some("QUICKSIGHT") => {}
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "IdentityStore must be QUICKSIGHT, got {other}."
            )));
        }
        None => return Err(ApiError::invalid("IdentityStore is required.")),
    }
    if let Some(tags) = &b.tags {
        model::tags(tags)?;
    }
    let mut store = emu.store();
    let space = store.create_namespace(&account, &name, &region, emu.namespace_delay, emu.namespace_limit)?;
    // The response's members are NamespaceInfoV2's, at the top level; 202: the work goes on.
    Ok(ok(202, info(&region, &account, &name, space)))
}

pub async fn describe(
    State(emu): State<Arc<Emulator>>,
    Extension(Region(region)): Extension<Region>,
    Path(NamespacePath { account, namespace }): Path<NamespacePath>,
) -> ApiResult {
    model::account_id(&account)?;
    model::namespace(&namespace)?;
    let mut store = emu.store();
    let space = store.namespace_info(&account, &namespace)?;
    Ok(ok(
        200,
        json!({ "Namespace": info(&region, &account, &namespace, space) }),
    ))
}

pub async fn list(
    State(emu): State<Arc<Emulator>>,
    Extension(Region(region)): Extension<Region>,
    Path(AccountPath { account }): Path<AccountPath>,
    axum::extract::Query(query): Query,
) -> ApiResult {
    model::account_id(&account)?;
    let mut store = emu.store();
    let namespaces = store.namespaces(&account);
    let items = namespaces
        .iter()
        .map(|(name, space)| (name.clone(), info(&region, &account, name, space)));
    let (namespaces, next) = page(items, &query)?;
    Ok(ok(200, json!({ "Namespaces": namespaces, "NextToken": next })))
}

pub async fn delete(
    State(emu): State<Arc<Emulator>>,
    Path(NamespacePath { account, namespace }): Path<NamespacePath>,
) -> ApiResult {
    model::account_id(&account)?;
    model::namespace(&namespace)?;
    emu.store()
        .delete_namespace(&account, &namespace, emu.namespace_delay)?;
    Ok(ok(200, json!({})))
}
