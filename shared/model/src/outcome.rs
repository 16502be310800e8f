//! What each operation did (or, in dry-run mode, would do), logged as one JSON line and returned.

use serde::Serialize;

use crate::assets::HandedOver;
use crate::user::UserField;
use crate::validate::UserRole;

/// What happened to the user record itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum UserChange {
    Registered,
    Updated {
        fields: Vec<UserField>,
    },
    /// Deleted and registered again, to take the role down (`ROLE_DOWNGRADE=recreate`).
    Recreated,
    Unchanged,
    Deleted,
    NotFound,
}

/// Group changes, each list sorted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct GroupChanges {
    pub groups_created: Vec<String>,
    pub memberships_added: Vec<String>,
    pub memberships_removed: Vec<String>,
}

impl GroupChanges {
    /// Adds `later`'s changes to these.
    pub fn merge(&mut self, later: GroupChanges) {
        self.groups_created.extend(later.groups_created);
        self.memberships_added.extend(later.memberships_added);
        self.memberships_removed.extend(later.memberships_removed);
    }

    pub fn is_empty(&self) -> bool {
        self.groups_created.is_empty() && self.memberships_added.is_empty() && self.memberships_removed.is_empty()
    }
}

/// Tag keys set or removed on an existing user (RegisterUser sets a new user's).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TagChanges {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags_set: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags_removed: Vec<String>,
}

/// What was done about a downgrade QuickSight refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DowngradeAction {
    /// The higher role stays (`ROLE_DOWNGRADE=keep`).
    Kept,
    /// Deleted and registered again with the lower role (`ROLE_DOWNGRADE=recreate`).
    Recreated,
}

/// A change that would have taken the user's role down to a reader's, and what was done instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleDowngradeReport {
    pub from: UserRole,
    pub to: UserRole,
    pub action: DowngradeAction,
}

/// The outcome of one engine operation on one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub user_name: String,
    /// The namespace the user lives in.
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    pub user: UserChange,
    #[serde(flatten)]
    pub groups: GroupChanges,
    #[serde(flatten)]
    pub tags: TagChanges,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_downgrade: Option<RoleDowngradeReport>,
    /// Assets the user owned, handed over before its deletion (in a dry run: would be).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assets_handed_over: Vec<HandedOver>,
    pub dry_run: bool,
}
