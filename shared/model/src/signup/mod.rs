//! A signing-up user, as either sign-up function sees it, turned into the one upsert change that
//! is applied now or queued for later.

mod cognito;

pub use cognito::{CognitoAttributes, pool_issuer};

use crate::config::Config;
use crate::message::{Change, Upsert, VERSION};
use crate::validate::{FieldError, ProviderKind, ValidationErrors, derive_session_name};

/// Which identity value the session name is derived from (`SESSION_NAME_SOURCE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionNameSource {
    Email,
    Sub,
}

impl SessionNameSource {
    pub fn parse(field: &str, v: &str) -> Result<Self, FieldError> {
        match v {
            "email" => Ok(Self::Email),
            "sub" => Ok(Self::Sub),
            _ => Err(FieldError::new(field, "must be email or sub", v)),
        }
    }
}

/// What a sign-up knows about the user.
#[derive(Debug, Clone, Default)]
pub struct SignupUser {
    pub email: Option<String>,
    /// The identity provider's subject.
    pub sub: Option<String>,
    /// The ExternalLoginId; the subject when `None`.
    pub external_login_id: Option<String>,
    pub idp_groups: Vec<String>,
    /// The provider URL the function derived (a user pool's or a token's issuer).
    pub provider_url: Option<String>,
    /// The tenant (`TENANT_ATTRIBUTE`, `TENANT_CLAIM`), when tenants are on.
    pub tenant: Option<String>,
}

impl SignupUser {
    /// The upsert for this user: session name, role and groups resolved from the configuration.
    pub fn to_change(&self, config: &Config, source: SessionNameSource) -> Result<Change, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let email = match self.email.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(e) => e.to_owned(),
            None => {
                errors.0.push(FieldError::new(
                    "email",
                    "is required to provision a QuickSight user",
                    "",
                ));
                String::new()
            }
        };
        let session_source = match source {
            SessionNameSource::Email => Some(("email", email.as_str())).filter(|(_, e)| !e.is_empty()),
            SessionNameSource::Sub => match self.sub.as_deref() {
                Some(sub) => Some(("sub", sub)),
                None => {
                    errors
                        .0
                        .push(FieldError::new("sub", "is required when SESSION_NAME_SOURCE=sub", ""));
                    None
                }
            },
        };
        let session_name = session_source.and_then(|(field, v)| errors.check(derive_session_name(field, v)));
        let idp_groups = self.idp_groups.iter().map(String::as_str);
        let (role, groups) = config.resolve_groups(idp_groups.clone());
        let (custom_permissions_from_directory, custom_permissions_name) = config.directory_profile(idp_groups);
        let external_login_id = match config.external_login_provider {
            ProviderKind::None => None,
            _ => self.external_login_id.clone().or_else(|| self.sub.clone()),
        };
        errors.into_result()?;
        Ok(Change::Upsert(Upsert {
            version: VERSION,
            email,
            session_name,
            external_login_id,
            provider_url: config.derived_provider_url(self.provider_url.clone()),
            role: Some(role.as_str().to_owned()),
            custom_permissions_from_directory,
            custom_permissions_name,
            tags: Default::default(),
            groups: Some(groups),
            relink: None,
            tenant: self.tenant.clone(),
        }))
    }
}
