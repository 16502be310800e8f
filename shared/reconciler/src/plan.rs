//! The plan between a directory and QuickSight: who to register, update, relink and delete, what
//! to report and leave alone, and which deletions the guards hold back.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;

use qs_model::assets::{HandoverPolicy, OwnedAsset, count_by_kind, describe_counts};
use qs_model::config::Config;
use qs_model::message::{Change, GroupSync, Planned, Upsert, UserAction, UserRef, VERSION};
use qs_model::tenant::Home;
use qs_model::user::{Decision, ExistingUser, Policy, Refusal, UserField, decide};
use qs_model::validate::{UserRole, UserSpec};

use super::{Directory, NamespaceSnapshot, Options, QuickSightSnapshot};
use crate::governance::{self, Governance};

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
    /// The tenant whose namespace the change is in (tenants on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
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
    /// A leaver who owns assets, with `ASSET_HANDOVER=refuse`: deleting it would orphan them.
    OwnsAssets,
    /// A self-upgrade the directory cannot decide, or a user who upgraded itself beyond it.
    SelfUpgrade,
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
    /// Users whose tenant changed: deleted in the old tenant's namespace, registered in the new.
    pub moves: usize,
    pub memberships_added: usize,
    pub memberships_removed: usize,
    pub unchanged: usize,
    pub notes: usize,
    pub held_deletes: usize,
    pub role_memberships_added: usize,
    pub role_memberships_removed: usize,
    pub self_upgrades_approved: usize,
    pub self_upgrades_denied: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The changes to send.
    pub items: Vec<Item>,
    /// Deletions a guard held back, and why.
    pub held: Vec<Item>,
    pub held_reason: Option<String>,
    pub notes: Vec<Note>,
    /// Tenants' roles whose custom permissions profile differs from TENANT_ROLE_PERMISSIONS.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<crate::roles::RoleProfile>,
    /// Role memberships and self-upgrades.
    pub governance: Governance,
    /// The account's identities come from a directory: its users are not reconciled (the one line
    /// that says why, and what is done instead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub directory_account: Option<String>,
    /// A setting that cannot apply to this account: the run ends in error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub misconfigured: Option<String>,
    pub summary: Summary,
}

impl Plan {
    /// Whether the run should end in error: deletions held back, or a directory that may be
    /// incomplete (its missing users were not deleted, and the admin should know).
    pub fn problem(&self, directory: &Directory) -> Option<String> {
        if let Some(why) = &self.misconfigured {
            return Some(why.clone());
        }
        if let Some(reason) = &self.governance.held_reason {
            return Some(format!(
                "{} role membership removal(s) held back: {reason}",
                self.governance.held_memberships.len()
            ));
        }
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

/// The plan that makes QuickSight's users of this directory match the directory's active users,
/// in every namespace read (one per tenant in scope; the one namespace without tenants).
pub fn plan(config: &Config, directory: &Directory, quicksight: &QuickSightSnapshot, options: &Options) -> Plan {
    let mut plan = Plan::default();
    let mut protected_logins = HashSet::new();
    let mut upserts: Vec<(Upsert, Planned)> = Vec::new();
    for user in directory.users.iter().filter(|u| u.active) {
        let planned = user.change.clone().and_then(|c| c.plan(config).map(|p| (c, p)));
        match planned {
            // A user of a tenant outside this run's scope is neither planned nor a leaver.
            Ok((_, planned)) if quicksight.of(&planned.home).is_none() => {}
            Ok((
                Change::Upsert(upsert),
                planned @ Planned {
                    action: UserAction::Upsert { .. },
                    ..
                },
            )) => {
                plan.summary.active_users += 1;
                upserts.push((upsert, planned));
            }
            Ok(_) => plan.notes.push(note(NoteKind::Invalid, &user.source, "not an upsert")),
            Err(errors) => {
                plan.summary.active_users += 1;
                // Its QuickSight user, if any, is not a leaver.
                protected_logins.extend(user.login_id.clone());
                plan.notes
                    .push(note(NoteKind::Invalid, &user.source, &errors.to_string()));
            }
        }
    }
    let mut owned = 0;
    for namespace in &quicksight.namespaces {
        let planner = Planner::new(config, directory, namespace, options);
        let mut present = HashSet::new();
        let mut directory_roles: HashMap<&str, UserRole> = HashMap::new();
        for (upsert, planned) in upserts.iter().filter(|(_, p)| p.home == namespace.home) {
            if let UserAction::Upsert { spec, groups } = &planned.action {
                present.insert(spec.user_name.clone());
                directory_roles.insert(&spec.user_name, spec.role);
                planner.upsert(&mut plan, upsert.clone(), spec, groups.as_ref());
            }
        }
        planner.leavers(&mut plan, &present, &protected_logins);
        owned += planner.owned.len();
        governance::plan_decisions(
            config,
            namespace,
            &directory_roles,
            &mut plan.governance.self_upgrades,
            &mut plan.notes,
        );
    }
    plan.roles = crate::roles::plan(config, quicksight);
    plan.governance.self_upgrade_approval = governance::plan_approval(config, quicksight);
    plan_role_memberships(&mut plan, config, quicksight, options);
    mark_moves(&mut plan);
    guard(&mut plan, directory, options, owned);
    plan.summary.directory_users = directory.users.len();
    plan.summary.owned_users = owned;
    plan.summary.notes = plan.notes.len();
    plan.summary.held_deletes = plan.held.len();
    let decided = &plan.governance.self_upgrades;
    plan.summary.self_upgrades_approved = decided.iter().filter(|d| d.approve).count();
    plan.summary.self_upgrades_denied = decided.iter().filter(|d| !d.approve).count();
    plan
}

/// `ROLE_MEMBERSHIPS` against the memberships read, removals under the deletion guard: taking a
/// role from a group takes it from every member at once.
fn plan_role_memberships(plan: &mut Plan, config: &Config, quicksight: &QuickSightSnapshot, options: &Options) {
    let Some((namespace, held)) = &quicksight.role_members else {
        return;
    };
    let scope = config.role_memberships.scope(config.managed_group_prefix.as_deref());
    let changes = config.role_memberships.plan(held, &scope);
    let removals = changes.iter().filter(|c| !c.add).count();
    let g = &mut plan.governance;
    g.membership_namespace = Some(namespace.clone());
    if removals > options.max_deletes as usize {
        g.held_reason = Some(format!(
            "{removals} removals are more than RECONCILE_MAX_DELETES={}",
            options.max_deletes
        ));
        let (kept, held) = changes.into_iter().partition(|c| c.add);
        g.role_memberships = kept;
        g.held_memberships = held;
    } else {
        g.role_memberships = changes;
    }
    plan.summary.role_memberships_added = g.role_memberships.iter().filter(|c| c.add).count();
    plan.summary.role_memberships_removed = g.role_memberships.iter().filter(|c| !c.add).count();
}

/// A deletion in one tenant's namespace and a registration of the same session name in
/// another's: the user's tenant changed. Both are still sent (the deletion under the guards).
fn mark_moves(plan: &mut Plan) {
    let session = |item: &Item| item.user.split_once('/').map(|(_, s)| s.to_owned());
    let registered: HashMap<String, Option<String>> = plan
        .items
        .iter()
        .filter(|i| i.action == Action::Register && i.tenant.is_some())
        .filter_map(|i| Some((session(i)?, i.tenant.clone())))
        .collect();
    let mut moved: HashMap<String, Option<String>> = HashMap::new();
    for item in plan.items.iter_mut().filter(|i| i.action == Action::Delete) {
        let Some(to) = session(item).and_then(|s| registered.get(&s)) else {
            continue;
        };
        if *to != item.tenant {
            item.fields
                .push(format!("moved to {}", to.as_deref().unwrap_or_default()));
            moved.insert(session(item).unwrap_or_default(), item.tenant.clone());
        }
    }
    for item in plan.items.iter_mut().filter(|i| i.action == Action::Register) {
        if let Some(from) = session(item).and_then(|s| moved.get(&s)) {
            item.fields
                .insert(0, format!("moved from {}", from.as_deref().unwrap_or_default()));
            plan.summary.moves += 1;
        }
    }
}

/// Holds back every deletion when the directory may be incomplete or there are too many.
fn guard(plan: &mut Plan, directory: &Directory, options: &Options, owned: usize) {
    let deletes = plan.items.iter().filter(|i| i.action.is_delete()).count();
    let percent_applies = owned >= Options::PERCENT_FLOOR;
    let reason = if let Some(why) = &directory.incomplete {
        Some(format!("the directory read was incomplete ({why})"))
    } else if deletes > options.max_deletes as usize {
        Some(format!(
            "{deletes} deletions are more than RECONCILE_MAX_DELETES={}",
            options.max_deletes
        ))
    } else if percent_applies && deletes * 100 > owned * options.max_delete_percent as usize {
        Some(format!(
            "{deletes} deletions of {owned} owned users are more than RECONCILE_MAX_DELETE_PERCENT={}%",
            options.max_delete_percent
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

/// What each leaver's deletion does to the assets it owns (`owned`: by tenant and user name, as
/// read): the plan line says how many go to whom, or that they are left without an owner; under
/// `ASSET_HANDOVER=refuse` the deletion is not sent and is reported instead. Only deletions that
/// are sent are read for: a held-back deletion (a guard, an incomplete directory: possibly every
/// owned user) does nothing to anyone's assets.
pub fn with_assets(plan: &mut Plan, config: &Config, owned: &HashMap<(Option<String>, String), Vec<OwnedAsset>>) {
    let handover = &config.asset_handover;
    let mut kept = Vec::with_capacity(plan.items.len());
    for mut item in std::mem::take(&mut plan.items) {
        let assets = match owned.get(&(item.tenant.clone(), item.user.clone())) {
            Some(assets) if item.action == Action::Delete && !assets.is_empty() => assets,
            _ => {
                kept.push(item);
                continue;
            }
        };
        let counts = describe_counts(&count_by_kind(assets));
        let principal = config
            .home(item.tenant.as_deref())
            .ok()
            .and_then(|home| handover.principal_for(&home));
        match (handover.policy, principal) {
            (HandoverPolicy::Transfer, Some(to)) => item.fields.push(format!("hands {counts} to {to}")),
            (HandoverPolicy::None, _) => item.fields.push(format!("leaves {counts} without an owner")),
            _ => {
                let detail = format!(
                    "owns {counts}: not deleted, as that would leave them without an owner \
                     (ASSET_HANDOVER=refuse; set ASSET_HANDOVER_PRINCIPAL to hand them over)"
                );
                plan.notes.push(note(NoteKind::OwnsAssets, &item.user, &detail));
                plan.summary.notes += 1;
                plan.summary.delete -= 1;
                continue;
            }
        }
        kept.push(item);
    }
    plan.items = kept;
}

fn note(kind: NoteKind, user: &str, detail: &str) -> Note {
    Note {
        kind,
        user: user.to_owned(),
        detail: detail.to_owned(),
    }
}

/// The plan of one namespace.
struct Planner<'a> {
    config: &'a Config,
    directory: &'a Directory,
    options: &'a Options,
    home: &'a Home,
    by_name: HashMap<&'a str, &'a ExistingUser>,
    /// Tied users by (provider URL, login id): one external login per user.
    by_login: HashMap<(Option<&'a str>, &'a str), &'a str>,
    groups_of: HashMap<&'a str, BTreeSet<&'a str>>,
    directory_logins: HashSet<&'a str>,
    owned: Vec<&'a ExistingUser>,
}

impl<'a> Planner<'a> {
    fn new(
        config: &'a Config,
        directory: &'a Directory,
        quicksight: &'a NamespaceSnapshot,
        options: &'a Options,
    ) -> Self {
        let home = &quicksight.home;
        let prefix = format!("{}/", home.role.name);
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
            home,
            by_name: quicksight.users.iter().map(|u| (u.user_name.as_str(), u)).collect(),
            by_login: quicksight
                .users
                .iter()
                .filter_map(|u| Some(((u.login_url.as_deref(), u.login_id.as_deref()?), u.user_name.as_str())))
                .collect(),
            groups_of,
            directory_logins: directory.users.iter().filter_map(|u| u.login_id.as_deref()).collect(),
            owned,
        }
    }

    fn upsert(&self, plan: &mut Plan, message: Upsert, spec: &UserSpec, groups: Option<&GroupSync>) {
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
                let profile = spec.custom_permissions.after(None);
                let fields = profile.map(|p| format!("CustomPermissionsName {p}")).into_iter();
                let fields = fields.chain(memberships).collect();
                plan.items
                    .push(self.item(Action::Register, user_name, fields, Change::Upsert(message)));
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
            (Decision::Update { fields } | Decision::KeepRole { fields, .. }, Some(existing)) => {
                names(&fields, existing, spec)
            }
            (Decision::Recreate { .. }, Some(existing)) => names(&existing.differences(spec), existing, spec),
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
            .push(self.item(Action::Update, user_name, fields, Change::Upsert(message)));
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
            plan.items.push(self.item(
                Action::Relink,
                user,
                vec![UserField::ExternalLogin.as_str().to_owned()],
                Change::Upsert(message),
            ));
        } else {
            let detail = "its login points at an account no longer in the directory, which has a new \
                          account of this name: relink it with --relink (RECONCILE_RELINK=true)";
            plan.notes.push(note(NoteKind::RelinkCandidate, user, detail));
        }
    }

    /// `+group` and `-group` for a user in `user` (`None`: not in QuickSight yet) whose groups
    /// become `desired`; only groups of the sync's scope lose members.
    fn membership_changes(&self, user: Option<&str>, sync: Option<&GroupSync>) -> Vec<String> {
        let Some(GroupSync { desired, scope }) = sync else {
            return Vec::new();
        };
        let current = user.and_then(|u| self.groups_of.get(u)).cloned().unwrap_or_default();
        let add = desired.iter().filter(|g| !current.contains(g.as_str()));
        let remove = current.iter().filter(|g| !desired.contains(**g) && scope.is_managed(g));
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
                tenant: self.home.tenant.clone(),
                user_name: Some(user.user_name.clone()),
                session_name: None,
                email: None,
                principal_id: None,
            });
            plan.items
                .push(self.item(Action::Delete, &user.user_name, Vec::new(), message));
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
            tenant: self.home.tenant.clone(),
            user_name: None,
            session_name: None,
            email: None,
            principal_id: Some(principal_id.clone()),
        });
        plan.items
            .push(self.item(Action::DeleteOrphan, &principal_id, Vec::new(), message));
    }

    fn item(&self, action: Action, user: &str, fields: Vec<String>, message: Change) -> Item {
        Item {
            action,
            tenant: self.home.tenant.clone(),
            user: user.to_owned(),
            fields,
            message,
        }
    }
}

/// The fields by their API names; a profile with what it goes from and to.
fn names(fields: &[UserField], existing: &ExistingUser, spec: &UserSpec) -> Vec<String> {
    let held = existing.custom_permissions_name.as_deref();
    let profile = |p: Option<&str>| p.unwrap_or("none").to_owned();
    fields
        .iter()
        .map(|f| match f {
            UserField::CustomPermissionsName => format!(
                "CustomPermissionsName {} -> {}",
                profile(held),
                profile(spec.custom_permissions.after(held).as_deref())
            ),
            f => f.as_str().to_owned(),
        })
        .collect()
}
