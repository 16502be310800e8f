//! The plan between a directory and QuickSight: who to register, update, relink and delete, what
//! to report and leave alone, and which deletions the guards hold back.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;

use qs_model::config::{Config, GroupScope};
use qs_model::message::{Change, Planned, Upsert, UserRef, VERSION};
use qs_model::user::{Decision, ExistingUser, Policy, Refusal, UserField, decide};
use qs_model::validate::UserSpec;

use super::{Directory, Options, QuickSightSnapshot};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Register,
    Update,
    /// An update that moves the user's login to the directory's re-created account.
    Relink,
    Delete,
    /// A "N/A" user (its IAM role was deleted), deleted by principal id.
    DeleteOrphan,
}

impl Action {
    pub fn sign(self) -> char {
        match self {
            Action::Register => '+',
            Action::Update | Action::Relink => '~',
            Action::Delete | Action::DeleteOrphan => '-',
        }
    }

    fn is_delete(self) -> bool {
        matches!(self, Action::Delete | Action::DeleteOrphan)
    }
}

/// One planned change and the queue message that makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    pub action: Action,
    /// The QuickSight user name (a principal id for a "N/A" user).
    pub user: String,
    /// What changes: user fields by their API names, `+group` and `-group` for memberships.
    pub fields: Vec<String>,
    pub message: Change,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// A directory user no change can be built for.
    Invalid,
    /// A user tied to another login that is still in the directory or another provider's: left alone.
    LoginConflict,
    /// A user whose login points at an account no longer in the directory, while the directory has
    /// a (re-created) account of the same name: relinked only with `--relink`.
    RelinkCandidate,
    /// A downgrade QuickSight refuses, with `ROLE_DOWNGRADE=fail`: left alone.
    RefusedDowngrade,
    /// A "N/A" user of this directory, deleted only with `--delete-orphaned-principals`.
    Orphan,
}

/// Something the plan reports and leaves alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub kind: NoteKind,
    pub user: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub directory_users: usize,
    pub active_users: usize,
    pub owned_users: usize,
    pub register: usize,
    pub update: usize,
    pub relink: usize,
    pub delete: usize,
    pub delete_orphans: usize,
    pub memberships_added: usize,
    pub memberships_removed: usize,
    pub unchanged: usize,
    pub notes: usize,
    pub held_deletes: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The changes to send.
    pub items: Vec<Item>,
    /// Deletions a guard held back, and why.
    pub held: Vec<Item>,
    pub held_reason: Option<String>,
    pub notes: Vec<Note>,
    pub summary: Summary,
}

impl Plan {
    /// Whether the run should end in error: deletions held back, or a directory that may be
    /// incomplete (its missing users were not deleted, and the admin should know).
    pub fn problem(&self, directory: &Directory) -> Option<String> {
        if !self.held.is_empty() {
            let reason = self.held_reason.as_deref().unwrap_or_default();
            return Some(format!("{} deletion(s) held back: {reason}", self.held.len()));
        }
        directory
            .incomplete
            .as_ref()
            .map(|why| format!("the directory read was incomplete, so nothing was deleted: {why}"))
    }
}

/// The plan that makes QuickSight's users of this directory match the directory's active users.
pub fn plan(config: &Config, directory: &Directory, quicksight: &QuickSightSnapshot, options: &Options) -> Plan {
    let planner = Planner::new(config, directory, quicksight, options);
    let mut plan = Plan::default();
    let mut present = HashSet::new();
    let mut protected_logins = HashSet::new();
    for user in directory.users.iter().filter(|u| u.active) {
        plan.summary.active_users += 1;
        let planned = user.change.clone().and_then(|c| c.plan(config).map(|p| (c, p)));
        match planned {
            Ok((Change::Upsert(upsert), Planned::Upsert { spec, groups })) => {
                present.insert(spec.user_name.clone());
                planner.upsert(&mut plan, upsert, &spec, groups.as_ref());
            }
            Ok(_) => plan.notes.push(note(NoteKind::Invalid, &user.source, "not an upsert")),
            Err(errors) => {
                // Its QuickSight user, if any, is not a leaver.
                protected_logins.extend(user.login_id.clone());
                plan.notes
                    .push(note(NoteKind::Invalid, &user.source, &errors.to_string()));
            }
        }
    }
    planner.leavers(&mut plan, &present, &protected_logins);
    planner.guard(&mut plan);
    plan.summary.directory_users = directory.users.len();
    plan.summary.owned_users = planner.owned.len();
    plan.summary.notes = plan.notes.len();
    plan.summary.held_deletes = plan.held.len();
    plan
}

fn note(kind: NoteKind, user: &str, detail: &str) -> Note {
    Note {
        kind,
        user: user.to_owned(),
        detail: detail.to_owned(),
    }
}

struct Planner<'a> {
    config: &'a Config,
    directory: &'a Directory,
    options: &'a Options,
    by_name: HashMap<&'a str, &'a ExistingUser>,
    /// Tied users by (provider URL, login id): one external login per user.
    by_login: HashMap<(Option<&'a str>, &'a str), &'a str>,
    groups_of: HashMap<&'a str, BTreeSet<&'a str>>,
    directory_logins: HashSet<&'a str>,
    owned: Vec<&'a ExistingUser>,
    /// The groups memberships may be removed from.
    scope: GroupScope,
}

impl<'a> Planner<'a> {
    fn new(
        config: &'a Config,
        directory: &'a Directory,
        quicksight: &'a QuickSightSnapshot,
        options: &'a Options,
    ) -> Self {
        let prefix = format!("{}/", config.federated_role.name);
        // Users this directory owns: of this deployment's role (or "N/A") and of this directory's
        // provider, so a user another provider signed up through oidc-signup is never deleted here.
        let owned: Vec<&ExistingUser> = quicksight
            .users
            .iter()
            .filter(|u| u.user_name.starts_with(&prefix) || u.is_orphan())
            .filter(|u| match &directory.issuer {
                Some(issuer) => u.login_url.as_deref() == Some(issuer.as_str()),
                None => !u.is_tied(),
            })
            .collect();
        let mut groups_of: HashMap<&str, BTreeSet<&str>> = HashMap::new();
        for (group, members) in &quicksight.members {
            for member in members {
                groups_of.entry(member.as_str()).or_default().insert(group.as_str());
            }
        }
        Self {
            config,
            directory,
            options,
            by_name: quicksight.users.iter().map(|u| (u.user_name.as_str(), u)).collect(),
            by_login: quicksight
                .users
                .iter()
                .filter_map(|u| Some(((u.login_url.as_deref(), u.login_id.as_deref()?), u.user_name.as_str())))
                .collect(),
            groups_of,
            directory_logins: directory.users.iter().filter_map(|u| u.login_id.as_deref()).collect(),
            owned,
            scope: config.group_scope(),
        }
    }

    fn upsert(&self, plan: &mut Plan, message: Upsert, spec: &UserSpec, groups: Option<&BTreeSet<String>>) {
        let user_name = spec.user_name.as_str();
        let existing = self.by_name.get(user_name).copied();
        let memberships = self.membership_changes(existing.map(|_| user_name), groups);
        // Whether a login moves is the directory's to say (`relink` below), never the message's.
        let policy = Policy {
            role_downgrade: self.config.role_downgrade,
            relink: false,
        };
        let mut fields: Vec<String> = match (decide(existing, spec, policy), existing) {
            (Decision::Register, _) | (_, None) => {
                let login = spec
                    .external_login
                    .id()
                    .map(|id| (spec.external_login.provider_url_to_send(), id));
                if let Some(holder) = login.and_then(|l| self.holder_of(l)) {
                    let detail =
                        format!("its external login is held by {holder}; it is registered once {holder} is gone");
                    plan.notes.push(note(NoteKind::LoginConflict, user_name, &detail));
                    return;
                }
                plan.summary.memberships_added += memberships.len();
                plan.summary.register += 1;
                plan.items
                    .push(item(Action::Register, user_name, memberships, Change::Upsert(message)));
                return;
            }
            (Decision::Refuse(Refusal::LoginConflict { .. }), Some(existing)) => {
                self.relink(plan, message, existing);
                return;
            }
            (Decision::Refuse(refusal), Some(_)) => {
                plan.notes
                    .push(note(NoteKind::RefusedDowngrade, user_name, &refusal.to_string()));
                return;
            }
            (Decision::Nothing, Some(_)) => Vec::new(),
            // A kept downgrade is what the engine would do: not a change, not planned again.
            (Decision::Update { fields } | Decision::KeepRole { fields, .. }, Some(_)) => names(&fields),
            (Decision::Recreate { .. }, Some(existing)) => names(&existing.differences(spec)),
        };
        if fields.is_empty() && memberships.is_empty() {
            plan.summary.unchanged += 1;
            return;
        }
        plan.summary.memberships_added += memberships.iter().filter(|m| m.starts_with('+')).count();
        plan.summary.memberships_removed += memberships.iter().filter(|m| m.starts_with('-')).count();
        plan.summary.update += 1;
        fields.extend(memberships);
        plan.items
            .push(item(Action::Update, user_name, fields, Change::Upsert(message)));
    }

    /// A user tied to a login other than the directory's: a re-created account when the old login
    /// is gone from the directory, else a conflict left alone.
    fn relink(&self, plan: &mut Plan, mut message: Upsert, existing: &ExistingUser) {
        let ours = existing.login_url.as_deref() == self.directory.issuer.as_deref();
        let old_login_gone = existing
            .login_id
            .as_deref()
            .is_none_or(|id| !self.directory_logins.contains(id));
        let user = existing.user_name.as_str();
        if !(ours && old_login_gone) {
            let detail = if ours {
                "tied to another login that is still in the directory"
            } else {
                "tied to another provider's login"
            };
            plan.notes.push(note(NoteKind::LoginConflict, user, detail));
        } else if self.options.relink {
            message.relink = Some(true);
            plan.summary.relink += 1;
            plan.items.push(item(
                Action::Relink,
                user,
                names(&[UserField::ExternalLogin]),
                Change::Upsert(message),
            ));
        } else {
            let detail = "its login points at an account no longer in the directory, which has a new \
                          account of this name: relink it with --relink (RECONCILE_RELINK=true)";
            plan.notes.push(note(NoteKind::RelinkCandidate, user, detail));
        }
    }

    /// `+group` and `-group` for a user in `user` (`None`: not in QuickSight yet) whose groups
    /// become `desired`; only managed groups lose members.
    fn membership_changes(&self, user: Option<&str>, desired: Option<&BTreeSet<String>>) -> Vec<String> {
        let Some(desired) = desired else {
            return Vec::new();
        };
        let current = user.and_then(|u| self.groups_of.get(u)).cloned().unwrap_or_default();
        let add = desired.iter().filter(|g| !current.contains(g.as_str()));
        let remove = current
            .iter()
            .filter(|g| !desired.contains(**g) && self.scope.is_managed(g));
        add.map(|g| format!("+{g}"))
            .chain(remove.map(|g| format!("-{g}")))
            .collect()
    }

    fn holder_of(&self, login: (Option<&str>, &str)) -> Option<&str> {
        // COGNITO users have no provider URL to send, but QuickSight reports one.
        let url = login.0.or(self.directory.issuer.as_deref());
        self.by_login.get(&(url, login.1)).copied()
    }

    /// Owned users absent from the directory; with the option, owned "N/A" users.
    fn leavers(&self, plan: &mut Plan, present: &HashSet<String>, protected_logins: &HashSet<String>) {
        for user in &self.owned {
            if user.is_orphan() {
                self.orphan(plan, user);
                continue;
            }
            let protected = user.login_id.as_ref().is_some_and(|id| protected_logins.contains(id));
            if present.contains(&user.user_name) || protected {
                continue;
            }
            let message = Change::Delete(UserRef {
                version: VERSION,
                user_name: Some(user.user_name.clone()),
                session_name: None,
                email: None,
                principal_id: None,
            });
            plan.items
                .push(item(Action::Delete, &user.user_name, Vec::new(), message));
        }
    }

    fn orphan(&self, plan: &mut Plan, user: &ExistingUser) {
        let Some(principal_id) = user.principal_id.clone() else {
            return;
        };
        if !self.options.delete_orphans {
            let detail = "a user of a deleted IAM role: delete it with --delete-orphaned-principals \
                          (RECONCILE_DELETE_ORPHANS=true)";
            plan.notes.push(note(NoteKind::Orphan, &principal_id, detail));
            return;
        }
        let message = Change::Delete(UserRef {
            version: VERSION,
            user_name: None,
            session_name: None,
            email: None,
            principal_id: Some(principal_id.clone()),
        });
        plan.items
            .push(item(Action::DeleteOrphan, &principal_id, Vec::new(), message));
    }

    /// Holds back every deletion when the directory may be incomplete or there are too many.
    fn guard(&self, plan: &mut Plan) {
        let deletes = plan.items.iter().filter(|i| i.action.is_delete()).count();
        let owned = self.owned.len();
        let percent_applies = owned >= Options::PERCENT_FLOOR;
        let reason = if let Some(why) = &self.directory.incomplete {
            Some(format!("the directory read was incomplete ({why})"))
        } else if deletes > self.options.max_deletes as usize {
            Some(format!(
                "{deletes} deletions are more than RECONCILE_MAX_DELETES={}",
                self.options.max_deletes
            ))
        } else if percent_applies && deletes * 100 > owned * self.options.max_delete_percent as usize {
            Some(format!(
                "{deletes} deletions of {} owned users are more than RECONCILE_MAX_DELETE_PERCENT={}%",
                owned, self.options.max_delete_percent
            ))
        } else {
            None
        };
        if let Some(reason) = reason.filter(|_| deletes > 0) {
            let (held, kept) = std::mem::take(&mut plan.items)
                .into_iter()
                .partition(|i| i.action.is_delete());
            plan.items = kept;
            plan.held = held;
            plan.held_reason = Some(reason);
        }
        for i in &plan.items {
            match i.action {
                Action::Delete => plan.summary.delete += 1,
                Action::DeleteOrphan => plan.summary.delete_orphans += 1,
                _ => {}
            }
        }
    }
}

fn item(action: Action, user: &str, fields: Vec<String>, message: Change) -> Item {
    Item {
        action,
        user: user.to_owned(),
        fields,
        message,
    }
}

fn names(fields: &[UserField]) -> Vec<String> {
    fields.iter().map(|f| f.as_str().to_owned()).collect()
}
