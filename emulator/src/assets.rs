//! Dashboards, analyses, datasets, data sources and folders, each with its permission list: what
//! the asset search and permission operations read and change. Seeded through `/_emulator/assets`
//! (the real Create* operations are out of scope).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// The five kinds of asset a user can own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    Dashboard,
    Analysis,
    Dataset,
    Datasource,
    Folder,
}

/// What a viewer of a dashboard holds.
pub const DASHBOARD_VIEWER_ACTIONS: [&str; 3] = [
    "quicksight:DescribeDashboard",
    "quicksight:ListDashboardVersions",
    "quicksight:QueryDashboard",
];

impl AssetKind {
    pub const ALL: [AssetKind; 5] = [
        AssetKind::Dashboard,
        AssetKind::Analysis,
        AssetKind::Dataset,
        AssetKind::Datasource,
        AssetKind::Folder,
    ];

    /// The resource type in its ARN.
    pub fn arn_type(self) -> &'static str {
        match self {
            Self::Dashboard => "dashboard",
            Self::Analysis => "analysis",
            Self::Dataset => "dataset",
            Self::Datasource => "datasource",
            Self::Folder => "folder",
        }
    }

    /// The API's name for it, as in `Update<Name>Permissions` and `<Name>Id`.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Dashboard => "Dashboard",
            Self::Analysis => "Analysis",
            Self::Dataset => "DataSet",
            Self::Datasource => "DataSource",
            Self::Folder => "Folder",
        }
    }

    /// The actions an owner holds: the CLI examples of QuickSight's developer guide for each
    /// `Update*Permissions` operation (see docs/quicksight-facts.md).
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

    /// The action that makes a principal an owner: changing who may do what.
    pub fn owner_action(self) -> String {
        format!("quicksight:Update{}Permissions", self.api_name())
    }
}

/// One asset and who may do what with it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Asset {
    pub kind: AssetKind,
    pub id: String,
    pub name: String,
    pub arn: String,
    pub account: String,
    /// Principal ARN to its actions.
    pub permissions: BTreeMap<String, BTreeSet<String>>,
}

impl Asset {
    pub fn is_owner(&self, principal: &str) -> bool {
        let owner_action = self.kind.owner_action();
        self.permissions
            .get(principal)
            .is_some_and(|a| a.contains(&owner_action))
    }

    pub fn owners(&self) -> impl Iterator<Item = &String> {
        self.permissions.keys().filter(|p| self.is_owner(p))
    }

    /// The permission list as the API returns it.
    pub fn permission_list(&self) -> serde_json::Value {
        self.permissions
            .iter()
            .map(|(principal, actions)| serde_json::json!({ "Principal": principal, "Actions": actions }))
            .collect()
    }
}

/// The key of an asset in the store.
pub fn key(kind: AssetKind, id: &str) -> String {
    format!("{}/{id}", kind.arn_type())
}

#[cfg(test)]
mod tests {
    use super::AssetKind;

    #[test]
    fn every_owner_set_holds_its_permission_update_action() {
        for kind in AssetKind::ALL {
            assert!(kind.owner_actions().contains(&kind.owner_action().as_str()), "{kind:?}");
        }
    }
}
