//! Reconciling QuickSight with a directory: users who were there before deployment (adoption),
//! users who left (deleted or disabled), and console or attribute drift. A reconcile reads two
//! snapshots, plans the changes between them ([`plan()`], no SDK) and sends the plan to the bulk
//! queue as ordinary messages, so sqs-sync applies it with its rate limiting, partial failures and
//! dead-letter queue. The reconciler writes nothing to QuickSight itself, but for the roles'
//! custom permissions profiles of tenants' namespaces ([`roles`]), and the account's role
//! memberships and self-upgrades ([`governance`]).

pub mod governance;
mod options;
mod plan;
pub mod read;
pub mod roles;
mod run;

use std::collections::{BTreeMap, BTreeSet};

use qs_model::message::Change;
use qs_model::tenant::Home;
use qs_model::user::ExistingUser;
use qs_model::validate::ValidationErrors;

pub use options::{DirectorySource, GroupsSource, Options};
pub use plan::{Action, Item, Note, NoteKind, Plan, Summary, plan, with_assets};
pub use run::{Enqueued, ReconcileError, Reconciler, enqueue};

/// One user of the directory.
#[derive(Debug, Clone)]
pub struct DirectoryUser {
    /// How the directory knows the user (a pool's user name, an export's line): for reports.
    pub source: String,
    /// The external login id (the `sub`), when the directory gives one.
    pub login_id: Option<String>,
    /// Disabled (or never confirmed) users count as absent.
    pub active: bool,
    /// The upsert a sign-up would build for the user, or why none can be built.
    pub change: Result<Change, ValidationErrors>,
}

/// Everything read from the directory.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub users: Vec<DirectoryUser>,
    /// The provider URL QuickSight reports for this directory's users; `None` when users have no
    /// external login (`EXTERNAL_LOGIN_PROVIDER=NONE`).
    pub issuer: Option<String>,
    /// Why the snapshot may miss users (a read that failed part-way, a row that cannot be read):
    /// then nothing is deleted.
    pub incomplete: Option<String>,
}

/// Everything read from QuickSight: each namespace in the run's scope.
#[derive(Debug, Clone, Default)]
pub struct QuickSightSnapshot {
    pub namespaces: Vec<NamespaceSnapshot>,
    /// With `ROLE_MEMBERSHIPS` in an account whose identities come from a directory: the namespace
    /// read, and each role's member groups.
    pub role_members: Option<(String, BTreeMap<qs_model::validate::UserRole, BTreeSet<String>>)>,
}

impl QuickSightSnapshot {
    /// The namespace read for `home`, `None` when it is outside the run's scope.
    pub fn of(&self, home: &Home) -> Option<&NamespaceSnapshot> {
        self.namespaces.iter().find(|n| n.home == *home)
    }
}

/// One namespace as read (empty when it does not exist yet).
#[derive(Debug, Clone, Default)]
pub struct NamespaceSnapshot {
    pub home: Home,
    pub users: Vec<ExistingUser>,
    /// The members of every group read: the managed groups and every group the directory asks for.
    pub members: BTreeMap<String, BTreeSet<String>>,
    /// The profile of each role `TENANT_ROLE_PERMISSIONS` names (none read: the namespace does
    /// not exist yet, and gets them when it is created).
    pub role_profiles: BTreeMap<qs_model::validate::UserRole, Option<String>>,
    /// Its self-upgrade configuration and requests (read unless `SELF_UPGRADE=leave`, and only
    /// when the namespace exists).
    pub self_upgrades: Option<governance::SelfUpgrades>,
}

#[cfg(test)]
mod tests;
