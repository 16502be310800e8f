//! A leaver's assets: QuickSight's DeleteUser leaves the dashboards, analyses, datasets, data
//! sources and folders a user owned without an owner, so before any deletion the engine hands
//! them over (`ASSET_HANDOVER`, `ASSET_HANDOVER_PRINCIPAL`), refuses, or is told to let them go.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::config::EnvReader;
use crate::tenant::{Home, PLACEHOLDER, Template};
use crate::validate::FieldError;

/// The five kinds of asset a user can own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    Dashboard,
    Analysis,
    Dataset,
    Datasource,
    Folder,
}

impl AssetKind {
    pub const ALL: [AssetKind; 5] = [
        AssetKind::Dashboard,
        AssetKind::Analysis,
        AssetKind::Dataset,
        AssetKind::Datasource,
        AssetKind::Folder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dashboard => "dashboard",
            Self::Analysis => "analysis",
            Self::Dataset => "dataset",
            Self::Datasource => "datasource",
            Self::Folder => "folder",
        }
    }

    /// Everything an owner may do: the action sets of QuickSight's developer guide for each
    /// `Update*Permissions` operation (docs/quicksight-facts.md).
    pub fn owner_actions(self) -> &'static [&'static str] {
        match self {
            Self::Dashboard => &[
                "quicksight:DescribeDashboard",
                "quicksight:ListDashboardVersions",
                "quicksight:UpdateDashboardPermissions",
                "quicksight:QueryDashboard",
                "quicksight:UpdateDashboard",
                "quicksight:DeleteDashboard",
                "quicksight:DescribeDashboardPermissions",
                "quicksight:UpdateDashboardPublishedVersion",
            ],
            Self::Analysis => &[
                "quicksight:RestoreAnalysis",
                "quicksight:UpdateAnalysisPermissions",
                "quicksight:DeleteAnalysis",
                "quicksight:QueryAnalysis",
                "quicksight:DescribeAnalysisPermissions",
                "quicksight:DescribeAnalysis",
                "quicksight:UpdateAnalysis",
            ],
            Self::Dataset => &[
                "quicksight:UpdateDataSetPermissions",
                "quicksight:DescribeDataSet",
                "quicksight:DescribeDataSetPermissions",
                "quicksight:PassDataSet",
                "quicksight:DescribeIngestion",
                "quicksight:ListIngestions",
                "quicksight:UpdateDataSet",
                "quicksight:DeleteDataSet",
                "quicksight:CreateIngestion",
                "quicksight:CancelIngestion",
            ],
            Self::Datasource => &[
                "quicksight:UpdateDataSourcePermissions",
                "quicksight:DescribeDataSource",
                "quicksight:DescribeDataSourcePermissions",
                "quicksight:PassDataSource",
                "quicksight:UpdateDataSource",
                "quicksight:DeleteDataSource",
            ],
            Self::Folder => &[
                "quicksight:CreateFolder",
                "quicksight:DescribeFolder",
                "quicksight:UpdateFolder",
                "quicksight:DeleteFolder",
                "quicksight:CreateFolderMembership",
                "quicksight:DeleteFolderMembership",
                "quicksight:DescribeFolderPermissions",
                "quicksight:UpdateFolderPermissions",
            ],
        }
    }
}

impl fmt::Display for AssetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a viewer of a dashboard may do: a recreated user gets its old dashboards back this way.
pub const DASHBOARD_VIEWER_ACTIONS: [&str; 3] = [
    "quicksight:DescribeDashboard",
    "quicksight:ListDashboardVersions",
    "quicksight:QueryDashboard",
];

/// An asset a user owns directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnedAsset {
    pub kind: AssetKind,
    pub id: String,
}

/// An asset handed over before a deletion, and to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandedOver {
    pub kind: AssetKind,
    pub id: String,
    pub to: String,
}

/// How many assets of each kind: `1 dashboard, 2 datasets`.
pub fn count_by_kind<'a>(assets: impl IntoIterator<Item = &'a OwnedAsset>) -> BTreeMap<AssetKind, usize> {
    let mut counts = BTreeMap::new();
    for asset in assets {
        *counts.entry(asset.kind).or_default() += 1;
    }
    counts
}

/// `3 assets (1 dashboard, 2 datasets)`.
pub fn describe_counts(counts: &BTreeMap<AssetKind, usize>) -> String {
    let total: usize = counts.values().sum();
    let parts: Vec<String> = counts.iter().map(|(kind, n)| format!("{n} {kind}")).collect();
    format!("{total} asset(s) ({})", parts.join(", "))
}

/// `ASSET_HANDOVER`: what happens to a leaver's assets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoverPolicy {
    /// Grant the owner actions to the handover principal, check, then delete.
    Transfer,
    /// Do not delete a user who owns any asset.
    Refuse,
    /// Delete anyway: the assets are left with no owner.
    None,
}

/// The handover settings, read once with the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetHandover {
    pub policy: HandoverPolicy,
    /// `ASSET_HANDOVER_PRINCIPAL`: a user or group ARN; with tenants it may hold `{tenant}`.
    pub principal: Option<Template>,
}

impl Default for AssetHandover {
    fn default() -> Self {
        Self {
            policy: HandoverPolicy::Refuse,
            principal: None,
        }
    }
}

impl AssetHandover {
    /// Reads `ASSET_HANDOVER` and `ASSET_HANDOVER_PRINCIPAL`; `tenants` says whether `{tenant}`
    /// may be used.
    pub fn read(env: &mut EnvReader, tenants: bool) -> Self {
        let principal = env.optional("ASSET_HANDOVER_PRINCIPAL", |f, v| {
            let template = Template::new(v);
            if template.has_tenant() && !tenants {
                let rule = format!("may contain {PLACEHOLDER} only when TENANT_NAMESPACE is set");
                return Err(FieldError::new(f, rule, v));
            }
            principal_arn(f, &template.render("tenant"))?;
            Ok(template)
        });
        let policy = env.optional("ASSET_HANDOVER", |f, v| match v {
            "transfer" => Ok(HandoverPolicy::Transfer),
            "refuse" => Ok(HandoverPolicy::Refuse),
            "none" => Ok(HandoverPolicy::None),
            _ => Err(FieldError::new(f, "must be transfer, refuse or none", v)),
        });
        let policy = match (policy, &principal) {
            (Some(HandoverPolicy::Transfer), None) if env.raw("ASSET_HANDOVER_PRINCIPAL").is_none() => {
                env.fail("ASSET_HANDOVER", "transfer needs ASSET_HANDOVER_PRINCIPAL");
                HandoverPolicy::Transfer
            }
            (Some(policy), _) => policy,
            (None, Some(_)) => HandoverPolicy::Transfer,
            (None, None) => HandoverPolicy::Refuse,
        };
        Self { policy, principal }
    }

    /// Who receives the assets of a user of `home`.
    pub fn principal_for(&self, home: &Home) -> Option<String> {
        let principal = self.principal.as_ref()?;
        Some(match &home.tenant {
            Some(tenant) => principal.render(tenant),
            None => principal.as_str().to_owned(),
        })
    }
}

/// `arn:<partition>:quicksight:<region>:<account>:(user|group)/<namespace>/<name>`.
fn principal_arn(field: &str, v: &str) -> Result<(), FieldError> {
    let rule = "must be a QuickSight user or group ARN: arn:aws:quicksight:<region>:<account>:group/<namespace>/<name>";
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    let ok = match parts[..] {
        ["arn", partition, "quicksight", region, account, resource] => {
            partition.starts_with("aws")
                && !region.is_empty()
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && resource
                    .split_once('/')
                    .is_some_and(|(kind, rest)| matches!(kind, "user" | "group") && rest.contains('/'))
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(field, rule, v))
    }
}
