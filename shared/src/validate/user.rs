use std::collections::BTreeMap;

use serde::Serialize;

use super::{FieldError, ProviderKind, UserRole, ValidationErrors, fields};

/// The URL QuickSight reports for users of the COGNITO provider type.
pub const COGNITO_PROVIDER_URL: &str = "cognito-identity.amazonaws.com";

/// The external login a federated user is tied to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "provider", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExternalLogin {
    None,
    Cognito { id: String },
    CustomOidc { provider_url: String, id: String },
}

impl ExternalLogin {
    /// Builds the login from its raw parts, refusing a provider URL anywhere but with CUSTOM_OIDC.
    pub fn from_parts(
        kind: ProviderKind,
        provider_url: Option<&str>,
        id: Option<&str>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let id = id.unwrap_or_default();
        let login = match kind {
            ProviderKind::None => ExternalLogin::None,
            ProviderKind::Cognito => {
                if let Some(url) = provider_url {
                    errors.0.push(FieldError::new(
                        "CustomFederationProviderUrl",
                        "is only allowed with ExternalLoginFederationProviderType CUSTOM_OIDC, not COGNITO",
                        url,
                    ));
                }
                ExternalLogin::Cognito { id: id.to_owned() }
            }
            ProviderKind::CustomOidc => match provider_url {
                Some(url) => ExternalLogin::CustomOidc {
                    provider_url: url.to_owned(),
                    id: id.to_owned(),
                },
                None => {
                    errors.0.push(FieldError::new(
                        "CustomFederationProviderUrl",
                        "is required with CUSTOM_OIDC",
                        "",
                    ));
                    ExternalLogin::CustomOidc {
                        provider_url: String::new(),
                        id: id.to_owned(),
                    }
                }
            },
        };
        errors.0.extend(login.problems());
        errors.into_result().map(|()| login)
    }

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

    /// The URL QuickSight reports back as `ExternalLoginFederationProviderUrl`.
    pub fn reported_provider_url(&self) -> Option<&str> {
        match self {
            Self::None => None,
            Self::Cognito { .. } => Some(COGNITO_PROVIDER_URL),
            Self::CustomOidc { provider_url, .. } => Some(provider_url),
        }
    }

    fn problems(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if let Some(id) = self.id() {
            errors.extend(fields::external_login_id(id).err());
        }
        if let Some(url) = self.provider_url_to_send().filter(|u| !u.is_empty()) {
            errors.extend(fields::provider_url(url).err());
        }
        errors
    }
}

/// Everything QuickSight is told about one federated user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserSpec {
    pub email: String,
    pub session_name: String,
    pub role: UserRole,
    pub custom_permissions_name: Option<String>,
    pub external_login: ExternalLogin,
    pub tags: BTreeMap<String, String>,
}

impl UserSpec {
    /// Checks every field at once and reports every problem.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.check(fields::email(&self.email));
        errors.check(fields::session_name(&self.session_name));
        if let Some(name) = &self.custom_permissions_name {
            errors.check(fields::custom_permissions_name(name));
        }
        errors.0.extend(self.external_login.problems());
        errors
            .0
            .extend(fields::tags(self.tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))));
        errors.into_result()
    }
}
