//! The queue message format: one change per message, JSON, versioned, unknown fields refused.
//! The sqs-sync function applies these; the sign-up functions send them when QuickSight fails;
//! qs-enqueue writes them.

mod fifo;
pub mod file;
mod plan;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use plan::{GroupSync, Planned, UserAction};

use crate::validate::{FieldError, ValidationErrors};

/// The only message version so far.
pub const VERSION: u32 = 1;

/// One queued change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// Register or update the user; when `groups` is given, the user's managed groups become exactly it.
    Upsert(Upsert),
    /// Add these memberships, touching no other.
    AddGroups(GroupsChange),
    /// Remove these memberships, touching no other.
    RemoveGroups(GroupsChange),
    /// Deprovision the user.
    Delete(UserRef),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upsert {
    pub version: u32,
    /// The tenant whose namespace the user lives in: required when tenants are on, refused when off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    pub email: String,
    /// The STS session name; derived from `email` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_name: Option<String>,
    /// Required when the deployment's EXTERNAL_LOGIN_PROVIDER is COGNITO or CUSTOM_OIDC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_login_id: Option<String>,
    /// The CUSTOM_OIDC provider URL, when it is not configured (a sign-up derived it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_url: Option<String>,
    /// QuickSight role; the deployment's default role when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Applied over whatever profile the user has; absent: the user's profile is left as it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_permissions_name: Option<String>,
    /// `custom_permissions_name` is the directory's answer (GROUP_MAPPING, DEFAULT_CUSTOM_PERMISSIONS;
    /// absent: no profile): applied, or a profile of this deployment's removed, but never one an
    /// administrator applied. Sign-ups, SCIM and the reconcile set it; a bulk row need not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_permissions_from_directory: Option<bool>,
    /// Put on the user at registration, over the deployment's USER_TAGS.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// QuickSight group names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    /// Move the user's external login to this one when the user is tied to another (an
    /// administrator's decision; sign-ups never send it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relink: Option<bool>,
}

/// Names one existing user: by `user_name` (`RoleName/SessionName`), `session_name`, or `email`
/// (from which the session name is derived), or, for an "N/A" user, `principal_id`. Exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRef {
    pub version: u32,
    /// The tenant whose namespace the user lives in: required when tenants are on, refused when off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A user whose IAM role was deleted ("N/A" in QuickSight), which has no name left: only
    /// with `delete`, and only for a user of this deployment's provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupsChange {
    pub version: u32,
    /// The tenant whose namespace the user lives in: required when tenants are on, refused when off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub groups: Vec<String>,
}

impl Change {
    /// Parses one message body. Errors name the field (`message` for the JSON as a whole).
    pub fn parse(body: &str) -> Result<Self, ValidationErrors> {
        serde_json::from_str(body)
            .map_err(|e| FieldError::new("message", format!("not a valid change: {e}"), body).into())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("changes serialise")
    }

    /// The tenant the change names.
    pub fn tenant(&self) -> Option<&str> {
        match self {
            Change::Upsert(Upsert { tenant, .. })
            | Change::AddGroups(GroupsChange { tenant, .. })
            | Change::RemoveGroups(GroupsChange { tenant, .. })
            | Change::Delete(UserRef { tenant, .. }) => tenant.as_deref(),
        }
    }

    pub fn op(&self) -> &'static str {
        match self {
            Change::Upsert(_) => "upsert",
            Change::AddGroups(_) => "add_groups",
            Change::RemoveGroups(_) => "remove_groups",
            Change::Delete(_) => "delete",
        }
    }
}

#[cfg(test)]
mod tests;
