//! Before any deletion: the assets the user owns directly (all five kinds, every page), handed
//! over to `ASSET_HANDOVER_PRINCIPAL` and checked, or the deletion refused. QuickSight's
//! DeleteUser leaves them without an owner otherwise.

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::types::{
    AnalysisFilterAttribute, AnalysisSearchFilter, DashboardFilterAttribute, DashboardSearchFilter,
    DataSetFilterAttribute, DataSetSearchFilter, DataSourceFilterAttribute, DataSourceSearchFilter, FilterOperator,
    FolderFilterAttribute, FolderSearchFilter, ResourcePermission,
};
use qs_model::assets::{AssetKind, DASHBOARD_VIEWER_ACTIONS, HandedOver, HandoverPolicy, OwnedAsset, count_by_kind};
use qs_model::user::Refusal;

use super::error::from_sdk;
use super::{EngineError, InHome};

/// The searches for what `$arn` owns directly, one per kind, every page, into `$owned`. The five
/// differ only in their types' names (and whether the filter's builder can fail: `expect`).
macro_rules! search_owned {
    ($client:expr, $account:expr, $arn:expr, $owned:expr;
     $($kind:ident: $call:ident, $op:literal, $filter:ty, $attribute:ty, $list:ident, $id:ident $(, $built:ident)?;)*) => {$({
        let filter = <$filter>::builder()
            .operator(FilterOperator::StringEquals)
            .name(<$attribute>::DirectQuicksightOwner)
            .value($arn)
            .build()$(.$built("every member is set"))?;
        let mut pages = $client.$call().aws_account_id($account).filters(filter).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| from_sdk($op, e))?;
            let ids = page.$list().iter().filter_map(|s| s.$id());
            $owned.extend(ids.map(|id| OwnedAsset { kind: AssetKind::$kind, id: id.to_owned() }));
        }
    })*};
}

/// Every asset `user_arn` owns directly: one search per kind, every page
/// (`DIRECT_QUICKSIGHT_OWNER`: what it owns through a group stays owned by the group).
pub async fn owned_assets(client: &Client, account: &str, user_arn: &str) -> Result<Vec<OwnedAsset>, EngineError> {
    let mut owned = Vec::new();
    search_owned!(client, account, user_arn, owned;
        Dashboard: search_dashboards, "SearchDashboards", DashboardSearchFilter, DashboardFilterAttribute, dashboard_summary_list, dashboard_id, expect;
        Analysis: search_analyses, "SearchAnalyses", AnalysisSearchFilter, AnalysisFilterAttribute, analysis_summary_list, analysis_id;
        Dataset: search_data_sets, "SearchDataSets", DataSetSearchFilter, DataSetFilterAttribute, data_set_summaries, data_set_id, expect;
        Datasource: search_data_sources, "SearchDataSources", DataSourceSearchFilter, DataSourceFilterAttribute, data_source_summaries, data_source_id, expect;
        Folder: search_folders, "SearchFolders", FolderSearchFilter, FolderFilterAttribute, folder_summary_list, folder_id;
    );
    Ok(owned)
}

/// One permission call on `$asset`, whatever its kind: `$call` gets the fluent builder with the
/// account and the asset's id set (`update`: `Update*Permissions`, `describe`:
/// `Describe*Permissions`), and its SDK error is named after the operation.
macro_rules! per_kind {
    ($self:ident, $asset:ident, $which:ident, |$call:ident| $body:expr) => {
        per_kind!(@$which $self, $asset, |$call| $body)
    };
    (@update $self:ident, $asset:ident, |$call:ident| $body:expr) => {
        per_kind!(@each $self, $asset, |$call| $body;
            Dashboard: update_dashboard_permissions, dashboard_id, "UpdateDashboardPermissions";
            Analysis: update_analysis_permissions, analysis_id, "UpdateAnalysisPermissions";
            Dataset: update_data_set_permissions, data_set_id, "UpdateDataSetPermissions";
            Datasource: update_data_source_permissions, data_source_id, "UpdateDataSourcePermissions";
            Folder: update_folder_permissions, folder_id, "UpdateFolderPermissions";)
    };
    (@describe $self:ident, $asset:ident, |$call:ident| $body:expr) => {
        per_kind!(@each $self, $asset, |$call| $body;
            Dashboard: describe_dashboard_permissions, dashboard_id, "DescribeDashboardPermissions";
            Analysis: describe_analysis_permissions, analysis_id, "DescribeAnalysisPermissions";
            Dataset: describe_data_set_permissions, data_set_id, "DescribeDataSetPermissions";
            Datasource: describe_data_source_permissions, data_source_id, "DescribeDataSourcePermissions";
            Folder: describe_folder_permissions, folder_id, "DescribeFolderPermissions";)
    };
    (@each $self:ident, $asset:ident, |$call:ident| $body:expr; $($kind:ident: $op:ident, $id:ident, $name:literal;)*) => {
        match $asset.kind {
            $(AssetKind::$kind => {
                let $call = $self.client().$op().aws_account_id(&$self.account_id).$id(&$asset.id);
                $body.map_err(|e| from_sdk($name, e))
            })*
        }
    };
}

fn permission(principal: &str, actions: &[&str]) -> ResourcePermission {
    let mut permission = ResourcePermission::builder().principal(principal);
    for action in actions {
        permission = permission.actions(*action);
    }
    permission.build().expect("principal and actions are set")
}

impl InHome<'_> {
    /// What happens to the assets `user_name` (ARN `user_arn`) owns before it is deleted: handed
    /// over and checked (`transfer`), a refusal (`refuse`), or nothing (`none`). A dry run
    /// searches and reports, and changes nothing.
    pub(super) async fn hand_over(&self, user_name: &str, user_arn: &str) -> Result<Vec<HandedOver>, EngineError> {
        self.hand_over_to(user_name, user_arn, None).await
    }

    /// [`Self::hand_over`], to `to` when given (a renamed user's new name: the same person, whatever
    /// `ASSET_HANDOVER` says of leavers).
    pub(super) async fn hand_over_to(
        &self,
        user_name: &str,
        user_arn: &str,
        to: Option<&str>,
    ) -> Result<Vec<HandedOver>, EngineError> {
        let owned = owned_assets(&self.client(), &self.account_id, user_arn).await?;
        if owned.is_empty() {
            return Ok(Vec::new());
        }
        let refused = || {
            let user = user_name.to_owned();
            EngineError::Refused(Refusal::OwnsAssets {
                user,
                assets: count_by_kind(&owned),
            })
        };
        let to = match (to, self.asset_handover.policy) {
            (Some(to), _) => to.to_owned(),
            (None, HandoverPolicy::None) => {
                tracing::warn!(
                    user_name,
                    assets = owned.len(),
                    "deleting a user whose assets are left without an owner (ASSET_HANDOVER=none)"
                );
                return Ok(Vec::new());
            }
            (None, HandoverPolicy::Refuse) => return Err(refused()),
            (None, HandoverPolicy::Transfer) => self.asset_handover.principal_for(self.home).ok_or_else(refused)?,
        };
        let mut handed = Vec::with_capacity(owned.len());
        for asset in owned {
            if !self.dry_run {
                // Idempotent: a redelivered deletion grants again what a first attempt granted.
                self.grant(&asset, &to, asset.kind.owner_actions()).await?;
                self.check_owner(&asset, &to).await?;
            }
            handed.push(HandedOver {
                kind: asset.kind,
                id: asset.id,
                to: to.clone(),
            });
        }
        Ok(handed)
    }

    /// Shares the dashboards of `handed` with `user_arn` as a viewer (a recreated user sees its
    /// own work again).
    pub(super) async fn share_back(&self, handed: &[HandedOver], user_arn: &str) -> Result<(), EngineError> {
        for asset in handed.iter().filter(|a| a.kind == AssetKind::Dashboard) {
            let owned = OwnedAsset {
                kind: asset.kind,
                id: asset.id.clone(),
            };
            self.grant(&owned, user_arn, &DASHBOARD_VIEWER_ACTIONS).await?;
        }
        Ok(())
    }

    async fn grant(&self, asset: &OwnedAsset, to: &str, actions: &[&str]) -> Result<(), EngineError> {
        let grant = permission(to, actions);
        per_kind!(self, asset, update, |call| call
            .grant_permissions(grant)
            .send()
            .await
            .map(drop))
    }

    /// Checks that `to` now holds every owner action: only then may the user go.
    async fn check_owner(&self, asset: &OwnedAsset, to: &str) -> Result<(), EngineError> {
        let permissions: Vec<ResourcePermission> = per_kind!(self, asset, describe, |call| {
            call.send().await.map(|o| o.permissions.unwrap_or_default())
        })?;
        let held = permissions.iter().find(|p| p.principal() == to);
        let complete = held.is_some_and(|p| {
            asset
                .kind
                .owner_actions()
                .iter()
                .all(|a| p.actions().iter().any(|h| h == a))
        });
        if complete {
            Ok(())
        } else {
            Err(EngineError::HandoverNotConfirmed {
                kind: asset.kind,
                id: asset.id.clone(),
                to: to.to_owned(),
            })
        }
    }
}
