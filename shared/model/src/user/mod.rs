//! A QuickSight user as QuickSight reports it (DescribeUser, ListUsers), without the SDK, how it
//! differs from a [`UserSpec`], and [`decide`]: what a change must do to it. The engine and the
//! reconcile planner both ask [`decide`], so a bulk change and a reconcile plan agree.

mod decide;

use serde::Serialize;

pub use decide::{Decision, Policy, Refusal, decide};

use crate::validate::{ProviderKind, UserRole, UserSpec};

/// A user field UpdateUser sets, by its API name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum UserField {
    Email,
    Role,
    CustomPermissionsName,
    ExternalLogin,
}

impl UserField {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "Email",
            Self::Role => "Role",
            Self::CustomPermissionsName => "CustomPermissionsName",
            Self::ExternalLogin => "ExternalLogin",
        }
    }
}

/// The name QuickSight gives a user whose IAM role no longer exists.
pub const ORPHAN_NAME: &str = "N/A";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExistingUser {
    pub user_name: String,
    pub arn: Option<String>,
    pub email: Option<String>,
    /// As QuickSight spells it (`READER`, `AUTHOR_PRO`, …).
    pub role: Option<String>,
    pub custom_permissions_name: Option<String>,
    pub login_kind: ProviderKind,
    pub login_id: Option<String>,
    pub login_url: Option<String>,
    pub principal_id: Option<String>,
}

impl ExistingUser {
    pub fn role(&self) -> Option<UserRole> {
        self.role.as_deref().and_then(|r| UserRole::parse("Role", r).ok())
    }

    /// Tied to an external login: only a change that may relink moves it to another.
    pub fn is_tied(&self) -> bool {
        self.login_kind != ProviderKind::None
    }

    /// A user of a deleted IAM role.
    pub fn is_orphan(&self) -> bool {
        self.user_name == ORPHAN_NAME
    }

    /// The fields where this user differs from `spec`.
    pub fn differences(&self, spec: &UserSpec) -> Vec<UserField> {
        let mut fields = Vec::new();
        if self.email.as_deref() != Some(spec.email.as_str()) {
            fields.push(UserField::Email);
        }
        if self.role.as_deref() != Some(spec.role.as_str()) {
            fields.push(UserField::Role);
        }
        // An administrator's restriction is never lifted: see [`crate::validate::Profile`].
        if spec
            .custom_permissions
            .change(self.custom_permissions_name.as_deref())
            .is_some()
        {
            fields.push(UserField::CustomPermissionsName);
        }
        if self.login_differs(spec) {
            fields.push(UserField::ExternalLogin);
        }
        fields
    }

    pub fn login_differs(&self, spec: &UserSpec) -> bool {
        let login = &spec.external_login;
        self.login_kind != login.kind()
            || (login.kind() != ProviderKind::None && self.login_id.as_deref() != login.id())
            || (login.kind() == ProviderKind::CustomOidc && self.login_url.as_deref() != login.provider_url_to_send())
    }

    /// This user's role when `spec` would take it down to a reader, which QuickSight refuses for
    /// an author or admin (of either edition).
    pub fn downgrade_from(&self, spec: &UserSpec) -> Option<UserRole> {
        self.role().filter(|from| !from.is_reader() && spec.role.is_reader())
    }
}
