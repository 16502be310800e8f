//! The plan as a person reads it: one line per change (`+` register, `~` update, `-` delete) with
//! its tenant when tenants are on, the users left alone and the deletions held back, then a
//! summary line.

use std::fmt::Write;

use qs_model::config::MembershipChange;
use qs_reconciler::{Item, Plan, Summary};

pub fn table(plan: &Plan) -> String {
    let width = plan
        .items
        .iter()
        .chain(&plan.held)
        .map(|i| i.user.len())
        .max()
        .unwrap_or(0);
    let tenant_width = plan
        .items
        .iter()
        .chain(&plan.held)
        .filter_map(|i| i.tenant.as_ref().map(String::len))
        .max();
    let mut out = String::new();
    let line = |out: &mut String, prefix: &str, item: &Item| {
        let tenant = match tenant_width {
            Some(w) => format!("{:w$}  ", item.tenant.as_deref().unwrap_or_default()),
            None => String::new(),
        };
        let text = format!(
            "{prefix}{} {tenant}{:width$}  {}",
            item.action.sign(),
            item.user,
            item.fields.join(", ")
        );
        let _ = writeln!(out, "{}", text.trim_end());
    };
    for item in &plan.items {
        line(&mut out, "", item);
    }
    for role in &plan.roles {
        let tenant = role.tenant.as_deref().unwrap_or(&role.namespace);
        let holds = role.holds.as_deref().unwrap_or("none");
        let _ = match role.left_alone {
            false => writeln!(
                out,
                "~ role {} of {tenant}: custom permissions {holds} -> {}",
                role.role, role.wanted
            ),
            true => writeln!(
                out,
                "! role {} of {tenant}: keeps custom permissions {holds}, not this deployment's (TENANT_ROLE_PERMISSIONS says {})",
                role.role, role.wanted
            ),
        };
    }
    governance(&mut out, plan);
    for note in &plan.notes {
        let _ = writeln!(out, "! {:width$}  {:?}: {}", note.user, note.kind, note.detail);
    }
    if let Some(reason) = &plan.held_reason {
        let _ = writeln!(out, "held back ({reason}):");
        for item in &plan.held {
            line(&mut out, "  ", item);
        }
    }
    if let Some(reason) = &plan.governance.held_reason {
        let _ = writeln!(out, "held back ({reason}):");
        for change in &plan.governance.held_memberships {
            membership(&mut out, "  ", change);
        }
    }
    out
}

/// Role memberships (`+ role AUTHOR: group analysts`), self-upgrade settings and decisions.
fn governance(out: &mut String, plan: &Plan) {
    let g = &plan.governance;
    for change in &g.role_memberships {
        membership(out, "", change);
    }
    for setting in &g.self_upgrade_approval {
        let _ = writeln!(
            out,
            "~ namespace {}: self-upgrades {} -> ADMIN_APPROVAL",
            setting.namespace,
            setting.holds.as_deref().unwrap_or("unset")
        );
    }
    for d in &g.self_upgrades {
        let (sign, verdict) = match d.approve {
            true => ('+', "approve"),
            false => ('-', "deny"),
        };
        let _ = writeln!(
            out,
            "{sign} self-upgrade {}: {verdict} {} (the directory gives {})",
            d.user, d.requested, d.directory_gives
        );
    }
}

fn membership(out: &mut String, prefix: &str, change: &MembershipChange) {
    let sign = if change.add { '+' } else { '-' };
    let _ = writeln!(out, "{prefix}{sign} role {}: group {}", change.role, change.group);
}

pub fn summary_line(s: &Summary) -> String {
    format!(
        "plan: {} to register, {} to update, {} to relink, {} to delete, {} N/A to delete, {} moved, memberships +{} -{}, \
         {} unchanged, {} left alone, {} deletion(s) held back, role memberships +{} -{}, \
         self-upgrades {} approved {} denied; directory: {} users ({} active), QuickSight: {} owned",
        s.register,
        s.update,
        s.relink,
        s.delete,
        s.delete_orphans,
        s.moves,
        s.memberships_added,
        s.memberships_removed,
        s.unchanged,
        s.notes,
        s.held_deletes,
        s.role_memberships_added,
        s.role_memberships_removed,
        s.self_upgrades_approved,
        s.self_upgrades_denied,
        s.directory_users,
        s.active_users,
        s.owned_users
    )
}
