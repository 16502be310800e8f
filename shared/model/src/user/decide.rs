//! The one decision of what a change does to a user: the engine applies it, the reconcile planner
//! plans it, so a bulk change and a reconcile never disagree about QuickSight's rules.

use serde::Serialize;

use super::{ExistingUser, UserField};
use crate::config::RoleDowngrade;
use crate::validate::{UserRole, UserSpec};

/// What the deployment allows beyond QuickSight's own rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// What a change to a reader's role does to an author or admin (QuickSight refuses it).
    pub role_downgrade: RoleDowngrade,
    /// Whether a user tied to another external login may be moved to this one.
    pub relink: bool,
}

/// What must be done to make QuickSight's user (or its absence) what the change wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Not in QuickSight: RegisterUser.
    Register,
    /// Already as wanted: no call.
    Nothing,
    /// UpdateUser, for these differences.
    Update { fields: Vec<UserField> },
    /// A downgrade QuickSight refuses: the user keeps `from`, the other `fields` (none: no call)
    /// are updated.
    KeepRole { from: UserRole, fields: Vec<UserField> },
    /// DeleteUser, then RegisterUser with the lower role.
    Recreate { from: UserRole },
    /// Nothing is sent; the change fails for good.
    Refuse(Refusal),
}

/// Why this deployment does not apply a change: it fails for good, alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Refusal {
    #[error("role downgrade from {from} to {to}: QuickSight refuses it and ROLE_DOWNGRADE=fail")]
    RoleDowngrade { from: UserRole, to: UserRole },
    /// Another identity presenting the same e-mail must not take the user over.
    #[error(
        "user {user} is tied to a different external login; moving it needs relink (EXTERNAL_LOGIN_RELINK=allow, or \"relink\": true in a bulk upsert)"
    )]
    LoginConflict { user: String },
    #[error("principal_id names user {user}, which has a name: delete it by user_name")]
    PrincipalHasName { user: String },
    #[error(
        "this deployment's provider URL is not configured (CUSTOM_FEDERATION_PROVIDER_URL), so its N/A users cannot be told from others'"
    )]
    ProviderUnknown,
    #[error("the N/A user's external login is not this deployment's provider")]
    OtherProvider,
    #[error("tenant {tenant} has no namespace {namespace}, and TENANT_CREATE_NAMESPACE is off")]
    UnknownTenant { tenant: String, namespace: String },
    #[error("namespace {namespace} is {status}: no user can be provisioned in it")]
    NamespaceUnusable { namespace: String, status: String },
    /// Deleting the user would leave its assets without an owner (`ASSET_HANDOVER=refuse`).
    #[error(
        "user {user} owns {}: deleting it would leave them without an owner (ASSET_HANDOVER=refuse; set ASSET_HANDOVER_PRINCIPAL to hand them over)",
        crate::assets::describe_counts(assets)
    )]
    OwnsAssets {
        user: String,
        assets: std::collections::BTreeMap<crate::assets::AssetKind, usize>,
    },
}

/// What `spec` does to `existing` (`None`: QuickSight has no such user) under `policy`.
pub fn decide(existing: Option<&ExistingUser>, spec: &UserSpec, policy: Policy) -> Decision {
    let Some(existing) = existing else {
        return Decision::Register;
    };
    // One external login per user: checked before anything else is compared.
    if existing.is_tied() && !policy.relink && existing.login_differs(spec) {
        let user = existing.user_name.clone();
        return Decision::Refuse(Refusal::LoginConflict { user });
    }
    let mut fields = existing.differences(spec);
    match (existing.downgrade_from(spec), policy.role_downgrade) {
        (None, _) if fields.is_empty() => Decision::Nothing,
        (None, _) => Decision::Update { fields },
        (Some(from), RoleDowngrade::Keep) => {
            fields.retain(|f| *f != UserField::Role);
            Decision::KeepRole { from, fields }
        }
        (Some(from), RoleDowngrade::Recreate) => Decision::Recreate { from },
        (Some(from), RoleDowngrade::Fail) => Decision::Refuse(Refusal::RoleDowngrade { from, to: spec.role }),
    }
}

#[cfg(test)]
mod tests;
