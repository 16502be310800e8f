use std::collections::BTreeMap;

use serde::Serialize;

use super::{FieldError, Profile, ProviderKind, UserRole, ValidationErrors, fields};

/// The external login a federated user is tied to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "provider", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExternalLogin {
    None,
    Cognito { id: String },
    CustomOidc { provider_url: String, id: String },
}

impl ExternalLogin {
    pub fn kind(&self) -> ProviderKind {
        match self {
            Self::None => ProviderKind::None,
            Self::Cognito { .. } => ProviderKind::Cognito,
            Self::CustomOidc { .. } => ProviderKind::CustomOidc,
        }
    }

    pub fn id(&self) -> Option<&str> {
        match self {
            Self::None => None,
            Self::Cognito { id } | Self::CustomOidc { id, .. } => Some(id),
        }
    }

    /// The URL to send as `CustomFederationProviderUrl`: only for CUSTOM_OIDC.
    pub fn provider_url_to_send(&self) -> Option<&str> {
        match self {
            Self::CustomOidc { provider_url, .. } => Some(provider_url),
            _ => None,
        }
    }

    fn problems(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(id) = self.id() {
            errors.extend(fields::external_login_id("ExternalLoginId", id).err());
        }
        if let Some(url) = self.provider_url_to_send().filter(|u| !u.is_empty()) {
            errors.extend(fields::provider_url("CustomFederationProviderUrl", url).err());
        }
        errors
    }
}

/// Everything QuickSight is told about one federated user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserSpec {
    /// `RoleName/SessionName`, as QuickSight names the user: computed once, when the change is
    /// planned against the configuration.
    pub user_name: String,
    pub email: String,
    pub session_name: String,
    pub role: UserRole,
    pub custom_permissions: Profile,
    pub external_login: ExternalLogin,
    pub tags: BTreeMap<String, String>,
    /// Whether an existing user's external login may be moved to this one. Without it, a user
    /// tied to another login is a conflict: nobody takes a user over by presenting its e-mail.
    pub relink: bool,
}

impl UserSpec {
    /// Checks every field at once and reports every problem.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.check(fields::email("Email", &self.email));
        errors.check(fields::session_name("SessionName", &self.session_name));
        if let Some(name) = self.custom_permissions.name() {
            errors.check(fields::custom_permissions_name("CustomPermissionsName", name));
        }
        errors.0.extend(self.external_login.problems());
        errors.0.extend(fields::tags(
            "Tags",
            self.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ));
        errors.into_result()
    }
}
