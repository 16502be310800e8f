//! The custom permissions profile of each role in a tenant's namespace (`TENANT_ROLE_PERMISSIONS`):
//! read with the namespace, planned with the rule users' profiles follow (a profile this
//! deployment does not name is an administrator's, and stays), and applied by the reconcile
//! itself. That is the one write a reconcile makes: one idempotent call per namespace and role,
//! with no user behind it whose changes a queue would need to keep in order.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use aws_sdk_quicksight::Client;
use qs_engine::{EngineError, apply_role_profile, from_sdk};
use qs_model::config::Config;
use qs_model::tenant::Home;
use qs_model::validate::{Profile, UserRole};
use serde::Serialize;

use crate::QuickSightSnapshot;

/// One role whose profile differs from `TENANT_ROLE_PERMISSIONS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleProfile {
    pub tenant: Option<String>,
    pub namespace: String,
    pub role: UserRole,
    /// What the role has now.
    pub holds: Option<String>,
    pub wanted: String,
    /// The role holds a profile this deployment does not name: reported, not changed.
    pub left_alone: bool,
}

/// The profile of each role `TENANT_ROLE_PERMISSIONS` names, in `home`'s namespace (which exists).
pub async fn read(
    client: &Client,
    config: &Config,
    home: &Home,
) -> Result<BTreeMap<UserRole, Option<String>>, EngineError> {
    let mut held = BTreeMap::new();
    for role in config
        .tenancy()
        .map(|t| t.role_permissions.keys())
        .into_iter()
        .flatten()
    {
        let out = client
            .describe_role_custom_permission()
            .aws_account_id(&config.account_id)
            .namespace(&home.namespace)
            .role(role.as_str().into())
            .send()
            .await
            .map_err(|e| from_sdk("DescribeRoleCustomPermission", e))?;
        held.insert(*role, out.custom_permissions_name().map(str::to_owned));
    }
    Ok(held)
}

/// Every role of every namespace read whose profile is not what `TENANT_ROLE_PERMISSIONS` says.
pub fn plan(config: &Config, quicksight: &QuickSightSnapshot) -> Vec<RoleProfile> {
    let Some(wanted) = config.tenancy().map(|t| &t.role_permissions) else {
        return Vec::new();
    };
    let owned: Arc<BTreeSet<String>> = Arc::new(wanted.values().cloned().collect());
    let mut planned = Vec::new();
    for namespace in &quicksight.namespaces {
        for (role, holds) in &namespace.role_profiles {
            let Some(name) = wanted.get(role) else { continue };
            if holds.as_deref() == Some(name.as_str()) {
                continue;
            }
            let rule = Profile::Directory {
                name: Some(name.clone()),
                owned: owned.clone(),
            };
            planned.push(RoleProfile {
                tenant: namespace.home.tenant.clone(),
                namespace: namespace.home.namespace.clone(),
                role: *role,
                holds: holds.clone(),
                wanted: name.clone(),
                left_alone: rule.change(holds.as_deref()).is_none(),
            });
        }
    }
    planned
}

/// UpdateRoleCustomPermission for each planned role not left alone; how many were applied.
pub async fn apply(client: &Client, config: &Config, roles: &[RoleProfile]) -> Result<usize, EngineError> {
    let mut applied = 0;
    for role in roles.iter().filter(|r| !r.left_alone) {
        apply_role_profile(client, &config.account_id, &role.namespace, role.role, &role.wanted).await?;
        applied += 1;
    }
    Ok(applied)
}
