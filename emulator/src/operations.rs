//! Every QuickSight operation quicksight-local serves, in one table: its name, method and path (as
//! in the official model), whether it reads or writes, and its handler. The table drives routing,
//! the counts behind `/_emulator/stats` and the rate limits (reads and writes are limited apart,
//! as QuickSight limits them; a `Search*` POST is a read).

use std::sync::Arc;

use axum::routing::{MethodFilter, MethodRouter, on};

use crate::Emulator;
use crate::api::{account, assets, embed, groups, members, namespaces, permissions, roles, self_upgrades, tags, users};

/// Whether an operation reads or changes QuickSight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

#[derive(Debug)]
pub struct Operation {
    pub name: &'static str,
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

macro_rules! operations {
    ($($name:ident: $method:ident $path:literal, $access:ident => $handler:path;)*) => {
        pub static OPERATIONS: &[Operation] = &[$(Operation {
            name: stringify!($name),
            method: stringify!($method),
            path: $path,
            access: Access::$access,
        },)*];

        impl Operation {
            /// The handler of this operation, for its method.
            pub fn endpoint(&self) -> MethodRouter<Arc<Emulator>> {
                match self.name {
                    $(stringify!($name) => on(MethodFilter::$method, $handler),)*
                    other => unreachable!("{other} is in the table"),
                }
            }
        }
    };
}

operations! {
    CreateNamespace: POST "/accounts/{AwsAccountId}", Write => namespaces::create;
    ListNamespaces: GET "/accounts/{AwsAccountId}/namespaces", Read => namespaces::list;
    DescribeNamespace: GET "/accounts/{AwsAccountId}/namespaces/{Namespace}", Read => namespaces::describe;
    DeleteNamespace: DELETE "/accounts/{AwsAccountId}/namespaces/{Namespace}", Write => namespaces::delete;
    RegisterUser: POST "/accounts/{AwsAccountId}/namespaces/{Namespace}/users", Write => users::register;
    ListUsers: GET "/accounts/{AwsAccountId}/namespaces/{Namespace}/users", Read => users::list;
    DescribeUser: GET "/accounts/{AwsAccountId}/namespaces/{Namespace}/users/{UserName}", Read => users::describe;
    UpdateUser: PUT "/accounts/{AwsAccountId}/namespaces/{Namespace}/users/{UserName}", Write => users::update;
    DeleteUser: DELETE "/accounts/{AwsAccountId}/namespaces/{Namespace}/users/{UserName}", Write => users::delete;
    ListUserGroups: GET "/accounts/{AwsAccountId}/namespaces/{Namespace}/users/{UserName}/groups", Read => users::list_groups;
    DeleteUserByPrincipalId: DELETE "/accounts/{AwsAccountId}/namespaces/{Namespace}/user-principals/{PrincipalId}", Write => users::delete_by_principal_id;
    CreateGroup: POST "/accounts/{AwsAccountId}/namespaces/{Namespace}/groups", Write => groups::create;
    ListGroups: GET "/accounts/{AwsAccountId}/namespaces/{Namespace}/groups", Read => groups::list;
    SearchGroups: POST "/accounts/{AwsAccountId}/namespaces/{Namespace}/groups-search", Read => groups::search;
    DescribeGroup: GET "/accounts/{AwsAccountId}/namespaces/{Namespace}/groups/{GroupName}", Read => groups::describe;
    UpdateGroup: PUT "/accounts/{AwsAccountId}/namespaces/{Namespace}/groups/{GroupName}", Write => groups::update;
    DeleteGroup: DELETE "/accounts/{AwsAccountId}/namespaces/{Namespace}/groups/{GroupName}", Write => groups::delete;
    ListGroupMemberships: GET "/accounts/{AwsAccountId}/namespaces/{Namespace}/groups/{GroupName}/members", Read => members::list;
    CreateGroupMembership: PUT "/accounts/{AwsAccountId}/namespaces/{Namespace}/groups/{GroupName}/members/{MemberName}", Write => members::create;
    DescribeGroupMembership: GET "/accounts/{AwsAccountId}/namespaces/{Namespace}/groups/{GroupName}/members/{MemberName}", Read => members::describe;
    DeleteGroupMembership: DELETE "/accounts/{AwsAccountId}/namespaces/{Namespace}/groups/{GroupName}/members/{MemberName}", Write => members::delete;
    SearchDashboards: POST "/accounts/{AwsAccountId}/search/dashboards", Read => assets::search_dashboards;
    SearchAnalyses: POST "/accounts/{AwsAccountId}/search/analyses", Read => assets::search_analyses;
    SearchDataSets: POST "/accounts/{AwsAccountId}/search/data-sets", Read => assets::search_data_sets;
    SearchDataSources: POST "/accounts/{AwsAccountId}/search/data-sources", Read => assets::search_data_sources;
    SearchFolders: POST "/accounts/{AwsAccountId}/search/folders", Read => assets::search_folders;
    DescribeDashboardPermissions: GET "/accounts/{AwsAccountId}/dashboards/{DashboardId}/permissions", Read => assets::describe_dashboard_permissions;
    UpdateDashboardPermissions: PUT "/accounts/{AwsAccountId}/dashboards/{DashboardId}/permissions", Write => assets::update_dashboard_permissions;
    DescribeAnalysisPermissions: GET "/accounts/{AwsAccountId}/analyses/{AnalysisId}/permissions", Read => assets::describe_analysis_permissions;
    UpdateAnalysisPermissions: PUT "/accounts/{AwsAccountId}/analyses/{AnalysisId}/permissions", Write => assets::update_analysis_permissions;
    DescribeDataSetPermissions: GET "/accounts/{AwsAccountId}/data-sets/{DataSetId}/permissions", Read => assets::describe_data_set_permissions;
    UpdateDataSetPermissions: POST "/accounts/{AwsAccountId}/data-sets/{DataSetId}/permissions", Write => assets::update_data_set_permissions;
    DescribeDataSourcePermissions: GET "/accounts/{AwsAccountId}/data-sources/{DataSourceId}/permissions", Read => assets::describe_data_source_permissions;
    UpdateDataSourcePermissions: POST "/accounts/{AwsAccountId}/data-sources/{DataSourceId}/permissions", Write => assets::update_data_source_permissions;
    DescribeFolderPermissions: GET "/accounts/{AwsAccountId}/folders/{FolderId}/permissions", Read => assets::describe_folder_permissions;
    UpdateFolderPermissions: PUT "/accounts/{AwsAccountId}/folders/{FolderId}/permissions", Write => assets::update_folder_permissions;
    CreateCustomPermissions: POST "/accounts/{AwsAccountId}/custom-permissions", Write => permissions::create;
    ListCustomPermissions: GET "/accounts/{AwsAccountId}/custom-permissions", Read => permissions::list;
    DescribeCustomPermissions: GET "/accounts/{AwsAccountId}/custom-permissions/{CustomPermissionsName}", Read => permissions::describe;
    UpdateCustomPermissions: PUT "/accounts/{AwsAccountId}/custom-permissions/{CustomPermissionsName}", Write => permissions::update;
    DeleteCustomPermissions: DELETE "/accounts/{AwsAccountId}/custom-permissions/{CustomPermissionsName}", Write => permissions::delete;
    UpdateUserCustomPermission: PUT "/accounts/{AwsAccountId}/namespaces/{Namespace}/users/{UserName}/custom-permission", Write => permissions::update_user;
    DeleteUserCustomPermission: DELETE "/accounts/{AwsAccountId}/namespaces/{Namespace}/users/{UserName}/custom-permission", Write => permissions::delete_user;
    UpdateRoleCustomPermission: PUT "/accounts/{AwsAccountId}/namespaces/{Namespace}/roles/{Role}/custom-permission", Write => permissions::update_role;
    DescribeRoleCustomPermission: GET "/accounts/{AwsAccountId}/namespaces/{Namespace}/roles/{Role}/custom-permission", Read => permissions::describe_role;
    DeleteRoleCustomPermission: DELETE "/accounts/{AwsAccountId}/namespaces/{Namespace}/roles/{Role}/custom-permission", Write => permissions::delete_role;
    DescribeAccountSubscription: GET "/account/{AwsAccountId}", Read => account::describe_subscription;
    CreateRoleMembership: POST "/accounts/{AwsAccountId}/namespaces/{Namespace}/roles/{Role}/members/{MemberName}", Write => roles::create_membership;
    DeleteRoleMembership: DELETE "/accounts/{AwsAccountId}/namespaces/{Namespace}/roles/{Role}/members/{MemberName}", Write => roles::delete_membership;
    ListRoleMemberships: GET "/accounts/{AwsAccountId}/namespaces/{Namespace}/roles/{Role}/members", Read => roles::list_memberships;
    DescribeSelfUpgradeConfiguration: GET "/accounts/{AwsAccountId}/namespaces/{Namespace}/self-upgrade-configuration", Read => self_upgrades::describe_configuration;
    UpdateSelfUpgradeConfiguration: PUT "/accounts/{AwsAccountId}/namespaces/{Namespace}/self-upgrade-configuration", Write => self_upgrades::update_configuration;
    ListSelfUpgrades: GET "/accounts/{AwsAccountId}/namespaces/{Namespace}/self-upgrade-requests", Read => self_upgrades::list;
    UpdateSelfUpgrade: POST "/accounts/{AwsAccountId}/namespaces/{Namespace}/update-self-upgrade-request", Write => self_upgrades::update;
    GenerateEmbedUrlForRegisteredUser: POST "/accounts/{AwsAccountId}/embed-url/registered-user", Write => embed::generate_for_registered_user;
    TagResource: POST "/resources/{ResourceArn}/tags", Write => tags::tag;
    UntagResource: DELETE "/resources/{ResourceArn}/tags", Write => tags::untag;
    ListTagsForResource: GET "/resources/{ResourceArn}/tags", Read => tags::list;
}

impl Operation {
    /// Whether QuickSight answers it only in the account's identity region: user, group,
    /// membership, namespace and embed operations (asset and tag operations are regional).
    pub fn needs_identity_region(&self) -> bool {
        self.path.contains("/namespaces")
            || matches!(self.name, "CreateNamespace" | "GenerateEmbedUrlForRegisteredUser")
    }
}

impl Operation {
    /// Whether QuickSight refuses it when a directory (IAM Identity Center, Active Directory)
    /// manages the account's identities: group and membership writes (reported for CreateGroup;
    /// AWS's cid-cmd creates no group in those modes) and the registration of IAM-federated users
    /// (the emulator's reading: their users come from the directory). docs/quicksight-facts.md.
    pub fn disabled_for_directory_identities(&self) -> bool {
        matches!(
            self.name,
            "CreateGroup"
                | "UpdateGroup"
                | "DeleteGroup"
                | "CreateGroupMembership"
                | "DeleteGroupMembership"
                | "RegisterUser"
        )
    }
}

impl Operation {
    /// Whether QuickSight refuses it when it manages the account's identities itself
    /// (IAM_AND_QUICKSIGHT, IAM_ONLY): the role membership operations, which give a directory's
    /// groups a role ("disabled for identities managed by QuickSight", the AWS provider's
    /// documentation of its role membership resource). docs/quicksight-facts.md.
    pub fn needs_directory_identities(&self) -> bool {
        self.name.ends_with("RoleMembership") || self.name == "ListRoleMemberships"
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{Access, OPERATIONS};

    #[test]
    fn each_operation_is_listed_once_and_reads_are_gets_or_searches() {
        let names: HashSet<&str> = OPERATIONS.iter().map(|op| op.name).collect();
        let routes: HashSet<(&str, &str)> = OPERATIONS.iter().map(|op| (op.method, op.path)).collect();
        assert_eq!((names.len(), routes.len()), (OPERATIONS.len(), OPERATIONS.len()));
        for op in OPERATIONS {
            let read = op.method == "GET" || op.name.starts_with("Search");
            assert_eq!(op.access == Access::Read, read, "{}", op.name);
            // Every name in the table has its handler.
            let _ = op.endpoint();
        }
    }
}
