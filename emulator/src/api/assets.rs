//! The asset operations a handover needs, for the five kinds alike: `Search*` (one ownership or
//! name filter, paged), `Describe*Permissions` and `Update*Permissions`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AccountPath, page, parse_body};
use crate::Emulator;
use crate::assets::{self, Asset, AssetKind};
use crate::model;
use crate::store::Store;
use crate::wire::{ApiError, ApiResult, ok};

/// An asset's path: the account and the asset's id, whatever the kind calls it.
#[derive(Deserialize)]
pub struct AssetPath {
    #[serde(rename = "AwsAccountId")]
    account: String,
    #[serde(
        alias = "DashboardId",
        alias = "AnalysisId",
        alias = "DataSetId",
        alias = "DataSourceId",
        alias = "FolderId"
    )]
    id: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SearchBody {
    filters: Vec<Filter>,
    next_token: Option<String>,
    max_results: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Filter {
    operator: String,
    name: String,
    value: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Permission {
    principal: String,
    actions: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct UpdateBody {
    grant_permissions: Option<Vec<Permission>>,
    revoke_permissions: Option<Vec<Permission>>,
}

/// The filter names each kind's search accepts (the model's `*FilterAttribute` enums).
fn filter_names(kind: AssetKind) -> &'static [&'static str] {
    match kind {
        AssetKind::Dashboard => &[
            "QUICKSIGHT_USER",
            "QUICKSIGHT_VIEWER_OR_OWNER",
            "DIRECT_QUICKSIGHT_VIEWER_OR_OWNER",
            "QUICKSIGHT_OWNER",
            "DIRECT_QUICKSIGHT_OWNER",
            "DIRECT_QUICKSIGHT_SOLE_OWNER",
            "DASHBOARD_NAME",
        ],
        AssetKind::Analysis => &[
            "QUICKSIGHT_USER",
            "QUICKSIGHT_VIEWER_OR_OWNER",
            "DIRECT_QUICKSIGHT_VIEWER_OR_OWNER",
            "QUICKSIGHT_OWNER",
            "DIRECT_QUICKSIGHT_OWNER",
            "DIRECT_QUICKSIGHT_SOLE_OWNER",
            "ANALYSIS_NAME",
        ],
        AssetKind::Dataset => &[
            "QUICKSIGHT_VIEWER_OR_OWNER",
            "QUICKSIGHT_OWNER",
            "DIRECT_QUICKSIGHT_VIEWER_OR_OWNER",
            "DIRECT_QUICKSIGHT_OWNER",
            "DIRECT_QUICKSIGHT_SOLE_OWNER",
            "DATASET_NAME",
        ],
        AssetKind::Datasource => &[
            "DIRECT_QUICKSIGHT_VIEWER_OR_OWNER",
            "DIRECT_QUICKSIGHT_OWNER",
            "DIRECT_QUICKSIGHT_SOLE_OWNER",
            "DATASOURCE_NAME",
        ],
        AssetKind::Folder => &[
            "DIRECT_QUICKSIGHT_OWNER",
            "DIRECT_QUICKSIGHT_SOLE_OWNER",
            "DIRECT_QUICKSIGHT_VIEWER_OR_OWNER",
            "QUICKSIGHT_OWNER",
            "QUICKSIGHT_VIEWER_OR_OWNER",
            "FOLDER_NAME",
        ],
    }
}

/// Whether `asset` passes `filter`, given the principals the filter's value stands for.
fn passes(asset: &Asset, filter: &Filter, principals: &[String]) -> bool {
    let name = filter.name.as_str();
    if name.ends_with("_NAME") {
        return match filter.operator.as_str() {
            "StringEquals" => asset.name == filter.value,
            // StringLike: the name contains the value, ignoring case.
            _ => asset.name.to_lowercase().contains(&filter.value.to_lowercase()),
        };
    }
    let holds = |p: &String| asset.permissions.contains_key(p);
    match name.trim_start_matches("DIRECT_") {
        "QUICKSIGHT_OWNER" => principals.iter().any(|p| asset.is_owner(p)),
        "QUICKSIGHT_SOLE_OWNER" => asset.is_owner(&filter.value) && asset.owners().count() == 1,
        _ => principals.iter().any(holds),
    }
}

/// The matching assets of `kind` in `account`, as (id, summary).
fn search(store: &Store, kind: AssetKind, account: &str, filters: &[Filter]) -> Result<Vec<(String, Value)>, ApiError> {
    let max = if kind == AssetKind::Folder { 100 } else { 1 };
    if filters.is_empty() || filters.len() > max {
        return Err(ApiError::invalid(format!("Filters must hold 1 to {max} filter(s).")));
    }
    let mut principals = Vec::new();
    for filter in filters {
        if !filter_names(kind).contains(&filter.name.as_str()) {
            return Err(ApiError::invalid(format!(
                "Filter name {} is not valid for this search.",
                filter.name
            )));
        }
        if !matches!(filter.operator.as_str(), "StringEquals" | "StringLike") {
            return Err(ApiError::invalid("Operator must be StringEquals or StringLike."));
        }
        if filter.name.ends_with("_NAME") {
            principals.push(Vec::new());
            continue;
        }
        if filter.operator != "StringEquals" {
            return Err(ApiError::invalid(format!(
                "{} takes the operator StringEquals.",
                filter.name
            )));
        }
        // A search naming a principal that no longer exists fails (search before deleting).
        if !store.principal_exists(&filter.value) {
            return Err(ApiError::not_found(
                "USER",
                format!("The principal {} does not exist.", filter.value),
            ));
        }
        let mut of_filter = vec![filter.value.clone()];
        if !filter.name.starts_with("DIRECT_") {
            of_filter.extend(store.groups_of(&filter.value));
        }
        principals.push(of_filter);
    }
    let summaries = store
        .assets
        .values()
        .filter(|a| a.kind == kind && a.account == account)
        .filter(|a| filters.iter().zip(&principals).all(|(f, p)| passes(a, f, p)))
        .map(|a| {
            let summary = json!({
                "Arn": a.arn,
                format!("{}Id", kind.api_name()): a.id,
                "Name": a.name,
            });
            (a.id.clone(), summary)
        })
        .collect();
    Ok(summaries)
}

/// The response member that lists a kind's search results.
fn summaries_member(kind: AssetKind) -> &'static str {
    match kind {
        AssetKind::Dashboard => "DashboardSummaryList",
        AssetKind::Analysis => "AnalysisSummaryList",
        AssetKind::Dataset => "DataSetSummaries",
        AssetKind::Datasource => "DataSourceSummaries",
        AssetKind::Folder => "FolderSummaryList",
    }
}

async fn search_kind(emu: Arc<Emulator>, kind: AssetKind, account: String, body: Bytes) -> ApiResult {
    model::account_id(&account)?;
    let b: SearchBody = parse_body(&body)?;
    let mut query = BTreeMap::new();
    query.extend(b.max_results.map(|m| ("max-results".to_owned(), m.to_string())));
    query.extend(b.next_token.map(|t| ("next-token".to_owned(), t)));
    let found = search(&emu.store(), kind, &account, &b.filters)?;
    let (items, next) = page(found.into_iter(), &query)?;
    Ok(ok(200, json!({ summaries_member(kind): items, "NextToken": next })))
}

/// The permissions member names of a kind's answers: `DashboardId`, `DashboardArn` (a folder's
/// ARN is `Arn`).
fn id_and_arn(kind: AssetKind, asset: &Asset) -> Value {
    let arn_member = match kind {
        AssetKind::Folder => "Arn".to_owned(),
        _ => format!("{}Arn", kind.api_name()),
    };
    json!({ format!("{}Id", kind.api_name()): asset.id, arn_member: asset.arn })
}

fn existing<'a>(store: &'a mut Store, kind: AssetKind, account: &str, id: &str) -> Result<&'a mut Asset, ApiError> {
    store
        .assets
        .get_mut(&assets::key(kind, id))
        .filter(|a| a.account == account)
        .ok_or_else(|| ApiError::not_found("ASSET", format!("{} {id} not found.", kind.api_name())))
}

async fn describe_kind(emu: Arc<Emulator>, kind: AssetKind, path: AssetPath) -> ApiResult {
    model::account_id(&path.account)?;
    let mut store = emu.store();
    let asset = existing(&mut store, kind, &path.account, &path.id)?;
    let mut body = id_and_arn(kind, asset);
    body["Permissions"] = asset.permission_list();
    Ok(ok(200, body))
}

/// The number of grants and of revokes one call may carry (`ResourcePermissionList`).
const MAX_PERMISSIONS: usize = 64;

async fn update_kind(emu: Arc<Emulator>, kind: AssetKind, path: AssetPath, body: Bytes) -> ApiResult {
    model::account_id(&path.account)?;
    let b: UpdateBody = parse_body(&body)?;
    let (grants, revokes) = (
        b.grant_permissions.unwrap_or_default(),
        b.revoke_permissions.unwrap_or_default(),
    );
    if grants.is_empty() && revokes.is_empty() {
        return Err(ApiError::invalid("GrantPermissions or RevokePermissions is required."));
    }
    for list in [&grants, &revokes] {
        if list.len() > MAX_PERMISSIONS {
            return Err(ApiError::invalid(format!(
                "At most {MAX_PERMISSIONS} permissions per list, got {}.",
                list.len()
            )));
        }
    }
    let mut store = emu.store();
    for permission in &grants {
        if permission.actions.is_empty() || !store.principal_exists(&permission.principal) {
            return Err(ApiError::invalid(format!(
                "Principal {} is not a valid principal, or its actions are empty.",
                permission.principal
            )));
        }
    }
    let asset = existing(&mut store, kind, &path.account, &path.id)?;
    for permission in grants {
        asset
            .permissions
            .entry(permission.principal)
            .or_default()
            .extend(permission.actions);
    }
    for permission in revokes {
        if let Some(held) = asset.permissions.get_mut(&permission.principal) {
            let revoked: BTreeSet<String> = permission.actions.into_iter().collect();
            held.retain(|a| !revoked.contains(a));
            if held.is_empty() {
                asset.permissions.remove(&permission.principal);
            }
        }
    }
    let mut body = id_and_arn(kind, asset);
    body["Permissions"] = asset.permission_list();
    Ok(ok(200, body))
}

/// One handler per kind and operation, as the operation table names them.
macro_rules! kind_handlers {
    ($($kind:ident: $search:ident, $describe:ident, $update:ident;)*) => {$(
        pub async fn $search(State(emu): State<Arc<Emulator>>, Path(p): Path<AccountPath>, body: Bytes) -> ApiResult {
            search_kind(emu, AssetKind::$kind, p.account, body).await
        }
        pub async fn $describe(State(emu): State<Arc<Emulator>>, Path(p): Path<AssetPath>) -> ApiResult {
            describe_kind(emu, AssetKind::$kind, p).await
        }
        pub async fn $update(State(emu): State<Arc<Emulator>>, Path(p): Path<AssetPath>, body: Bytes) -> ApiResult {
            update_kind(emu, AssetKind::$kind, p, body).await
        }
    )*};
}

kind_handlers! {
    Dashboard: search_dashboards, describe_dashboard_permissions, update_dashboard_permissions;
    Analysis: search_analyses, describe_analysis_permissions, update_analysis_permissions;
    Dataset: search_data_sets, describe_data_set_permissions, update_data_set_permissions;
    Datasource: search_data_sources, describe_data_source_permissions, update_data_source_permissions;
    Folder: search_folders, describe_folder_permissions, update_folder_permissions;
}

/// The admin seed's body: `{"kind", "id", "name", "permissions": [{"Principal", "Actions"}]}`,
/// with `AwsAccountId` and `Region` taken from the first principal's ARN unless given.
#[derive(Debug, Deserialize)]
pub struct Seed {
    kind: AssetKind,
    id: String,
    name: String,
    #[serde(default)]
    permissions: Vec<Permission>,
    #[serde(default, rename = "AwsAccountId")]
    account: Option<String>,
    #[serde(default, rename = "Region")]
    region: Option<String>,
}

/// Stores the seeded asset, replacing one of the same kind and id.
pub fn seed(store: &mut Store, seed: Seed) -> Result<(), ApiError> {
    let from_arn = |i: usize| {
        seed.permissions
            .first()
            .and_then(|p| p.principal.split(':').nth(i))
            .map(str::to_owned)
    };
    let account = seed
        .account
        .clone()
        .or_else(|| from_arn(4))
        .ok_or_else(|| ApiError::invalid("AwsAccountId is required when no permission names a principal."))?;
    model::account_id(&account)?;
    let region = seed
        .region
        .clone()
        .or_else(|| from_arn(3))
        .unwrap_or_else(|| "us-east-1".into());
    if seed.id.is_empty() || !seed.id.chars().all(|c| c.is_ascii_alphanumeric() || "_-".contains(c)) {
        return Err(ApiError::invalid("id must be 1 or more of [A-Za-z0-9_-]."));
    }
    let asset = Asset {
        kind: seed.kind,
        arn: format!(
            "arn:aws:quicksight:{region}:{account}:{}/{}",
            seed.kind.arn_type(),
            seed.id
        ),
        id: seed.id.clone(),
        name: seed.name,
        account,
        permissions: seed
            .permissions
            .into_iter()
            .map(|p| (p.principal, p.actions.into_iter().collect()))
            .collect(),
    };
    store.assets.insert(assets::key(seed.kind, &seed.id), asset);
    Ok(())
}
