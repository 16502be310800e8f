//! The account's governance, read, planned and applied by the reconcile itself (one idempotent call
//! per change, no user behind it whose changes a queue would keep in order):
//! - role memberships (`ROLE_MEMBERSHIPS`): which directory groups hold which role, in an account
//!   whose identities come from IAM Identity Center or Active Directory;
//! - self-upgrades (`SELF_UPGRADE`): each managed namespace set to admin approval, and under
//!   `directory` each pending request approved or denied by the user's directory groups.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::types::{Role, SelfUpgradeAdminAction};
use qs_engine::{EngineError, from_sdk, require_self_upgrade_approval};
use qs_model::config::{Config, MembershipChange, SelfUpgrade};
use qs_model::tenant::Home;
use qs_model::validate::UserRole;
use serde::Serialize;

use crate::plan::{Note, NoteKind};
use crate::{NamespaceSnapshot, QuickSightSnapshot};

/// A self-upgrade request as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpgradeRequest {
    pub id: String,
    pub user: String,
    pub requested: UserRole,
    /// `PENDING`, `APPROVED`, `DENIED`, `UPDATE_FAILED` or `VERIFY_FAILED`.
    pub status: String,
}

/// A namespace's self-upgrades as read (only when `SELF_UPGRADE` is not `leave`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelfUpgrades {
    /// `AUTO_APPROVAL` or `ADMIN_APPROVAL`; `None` when QuickSight has none set.
    pub status: Option<String>,
    pub requests: Vec<UpgradeRequest>,
}

/// A managed namespace that lets readers upgrade themselves without approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalSetting {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    pub namespace: String,
    /// What it is set to now (`None`: QuickSight's default).
    pub holds: Option<String>,
}

/// The decision on one pending self-upgrade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpgradeDecision {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    pub namespace: String,
    pub user: String,
    pub request_id: String,
    pub requested: UserRole,
    /// The role the user's directory groups give.
    pub directory_gives: UserRole,
    pub approve: bool,
}

/// The governance part of a plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Governance {
    /// Role memberships to create and delete (`ROLE_MEMBERSHIPS`), in the namespace it names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub role_memberships: Vec<MembershipChange>,
    /// Removals a guard held back, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub held_memberships: Vec<MembershipChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_reason: Option<String>,
    /// The namespace role memberships are in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub membership_namespace: Option<String>,
    /// Namespaces to set to `ADMIN_APPROVAL`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub self_upgrade_approval: Vec<ApprovalSetting>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub self_upgrades: Vec<UpgradeDecision>,
}

impl Governance {
    /// Whether applying it changes anything.
    pub fn is_empty(&self) -> bool {
        self.role_memberships.is_empty() && self.self_upgrade_approval.is_empty() && self.self_upgrades.is_empty()
    }
}

/// Each role's member groups in `namespace` (ListRoleMemberships per role).
pub async fn read_role_memberships(
    client: &Client,
    account: &str,
    namespace: &str,
) -> Result<BTreeMap<UserRole, BTreeSet<String>>, EngineError> {
    let mut held = BTreeMap::new();
    for role in UserRole::ALL {
        let mut groups = BTreeSet::new();
        let mut next = None;
        loop {
            let page = client
                .list_role_memberships()
                .aws_account_id(account)
                .namespace(namespace)
                .role(Role::from(role.as_str()))
                .set_next_token(next)
                .send()
                .await
                .map_err(|e| from_sdk("ListRoleMemberships", e))?;
            groups.extend(page.members_list().iter().cloned());
            next = page.next_token().map(str::to_owned);
            if next.is_none() {
                break;
            }
        }
        held.insert(role, groups);
    }
    Ok(held)
}

/// `home`'s self-upgrade configuration, and its requests when `SELF_UPGRADE=directory` decides them
/// or reports users who upgraded themselves.
pub async fn read_self_upgrades(client: &Client, config: &Config, home: &Home) -> Result<SelfUpgrades, EngineError> {
    let (account, namespace) = (&config.account_id, &home.namespace);
    let described = client
        .describe_self_upgrade_configuration()
        .aws_account_id(account)
        .namespace(namespace)
        .send()
        .await
        .map_err(|e| from_sdk("DescribeSelfUpgradeConfiguration", e))?;
    let status = described
        .self_upgrade_configuration()
        .and_then(|c| c.self_upgrade_status())
        .map(|s| s.as_str().to_owned());
    let requests = match config.self_upgrade {
        SelfUpgrade::Directory => read_requests(client, account, namespace).await?,
        SelfUpgrade::Leave | SelfUpgrade::AdminApproval => Vec::new(),
    };
    Ok(SelfUpgrades { status, requests })
}

/// Every self-upgrade request of `namespace` (ListSelfUpgrades, page by page).
async fn read_requests(client: &Client, account: &str, namespace: &str) -> Result<Vec<UpgradeRequest>, EngineError> {
    let mut requests = Vec::new();
    let mut next = None;
    loop {
        let page = client
            .list_self_upgrades()
            .aws_account_id(account)
            .namespace(namespace)
            .set_next_token(next)
            .send()
            .await
            .map_err(|e| from_sdk("ListSelfUpgrades", e))?;
        requests.extend(page.self_upgrade_request_details().iter().filter_map(|r| {
            Some(UpgradeRequest {
                id: r.upgrade_request_id()?.to_owned(),
                user: r.user_name()?.to_owned(),
                requested: UserRole::parse("RequestedRole", r.requested_role()?.as_str()).ok()?,
                status: r.request_status()?.as_str().to_owned(),
            })
        }));
        next = page.next_token().map(str::to_owned);
        if next.is_none() {
            return Ok(requests);
        }
    }
}

/// Every namespace read whose self-upgrades do not need approval, when `SELF_UPGRADE` says they
/// must.
pub fn plan_approval(config: &Config, quicksight: &QuickSightSnapshot) -> Vec<ApprovalSetting> {
    if !config.self_upgrade.requires_approval() {
        return Vec::new();
    }
    quicksight
        .namespaces
        .iter()
        .filter_map(|n| {
            let read = n.self_upgrades.as_ref()?;
            (read.status.as_deref() != Some("ADMIN_APPROVAL")).then(|| ApprovalSetting {
                tenant: n.home.tenant.clone(),
                namespace: n.home.namespace.clone(),
                holds: read.status.clone(),
            })
        })
        .collect()
}

/// Under `SELF_UPGRADE=directory`: each pending request of `namespace` decided by the role the
/// directory gives its user (`directory_roles`, by user name); a request of a user this directory
/// does not know stays for an administrator. An approved request of a user whose role is now above
/// the directory's is reported: the planned update takes the role back under `ROLE_DOWNGRADE`.
pub fn plan_decisions(
    config: &Config,
    namespace: &NamespaceSnapshot,
    directory_roles: &HashMap<&str, UserRole>,
    decisions: &mut Vec<UpgradeDecision>,
    notes: &mut Vec<Note>,
) {
    let Some(read) = &namespace.self_upgrades else { return };
    let holds: HashMap<&str, Option<UserRole>> = namespace
        .users
        .iter()
        .map(|u| (u.user_name.as_str(), u.role()))
        .collect();
    for request in &read.requests {
        let gives = directory_roles.get(request.user.as_str()).copied();
        match request.status.as_str() {
            "PENDING" => match (config.self_upgrade.decide(request.requested, gives), gives) {
                (Some(approve), Some(directory_gives)) => decisions.push(UpgradeDecision {
                    tenant: namespace.home.tenant.clone(),
                    namespace: namespace.home.namespace.clone(),
                    user: request.user.clone(),
                    request_id: request.id.clone(),
                    requested: request.requested,
                    directory_gives,
                    approve,
                }),
                _ => notes.push(Note {
                    kind: NoteKind::SelfUpgrade,
                    user: request.user.clone(),
                    detail: format!(
                        "asks to become {}: not a user of this directory, so the request stays for an administrator",
                        request.requested
                    ),
                }),
            },
            "APPROVED" => {
                let (Some(gives), Some(Some(now))) = (gives, holds.get(request.user.as_str())) else {
                    continue;
                };
                if *now > gives && request.requested == *now {
                    notes.push(Note {
                        kind: NoteKind::SelfUpgrade,
                        user: request.user.clone(),
                        detail: format!(
                            "upgraded itself to {now}, above the {gives} its directory groups give: ROLE_DOWNGRADE={} applies",
                            config.role_downgrade.as_str()
                        ),
                    });
                }
            }
            _ => {}
        }
    }
}

/// Applies the plan's governance changes; how many calls changed something.
pub async fn apply(client: &Client, config: &Config, governance: &Governance) -> Result<usize, EngineError> {
    let account = &config.account_id;
    let mut applied = 0;
    if let Some(namespace) = &governance.membership_namespace {
        for change in &governance.role_memberships {
            let role = Role::from(change.role.as_str());
            if change.add {
                client
                    .create_role_membership()
                    .aws_account_id(account)
                    .namespace(namespace)
                    .role(role)
                    .member_name(&change.group)
                    .send()
                    .await
                    .map_err(|e| from_sdk("CreateRoleMembership", e))?;
            } else {
                client
                    .delete_role_membership()
                    .aws_account_id(account)
                    .namespace(namespace)
                    .role(role)
                    .member_name(&change.group)
                    .send()
                    .await
                    .map_err(|e| from_sdk("DeleteRoleMembership", e))?;
            }
            tracing::info!(
                group = change.group,
                role = change.role.as_str(),
                add = change.add,
                "role membership"
            );
            applied += 1;
        }
    }
    for setting in &governance.self_upgrade_approval {
        require_self_upgrade_approval(client, account, &setting.namespace).await?;
        applied += 1;
    }
    for decision in &governance.self_upgrades {
        let action = match decision.approve {
            true => SelfUpgradeAdminAction::Approve,
            false => SelfUpgradeAdminAction::Deny,
        };
        client
            .update_self_upgrade()
            .aws_account_id(account)
            .namespace(&decision.namespace)
            .upgrade_request_id(&decision.request_id)
            .action(action)
            .send()
            .await
            .map_err(|e| from_sdk("UpdateSelfUpgrade", e))?;
        tracing::info!(
            user = decision.user,
            requested = decision.requested.as_str(),
            approved = decision.approve,
            "self-upgrade decided"
        );
        applied += 1;
    }
    Ok(applied)
}
