use qs_provision::runtime::{env_optional as optional, env_var};
use qs_provision::signup::SessionNameSource;

/// The function's own variables, read once at cold start.
pub struct Settings {
    /// `OIDC_ISSUER`: the token issuer (required), also the default provider URL.
    pub issuer: String,
    /// `OIDC_AUDIENCE`: comma-separated client ids a token may be for (required).
    pub audiences: Vec<String>,
    /// `OIDC_JWKS_URL`: the key set; discovered from the issuer when absent.
    pub jwks_url: Option<String>,
    /// `GROUPS_CLAIM`: the claim with the user's groups (default `groups`; `cognito:groups` for Cognito).
    pub groups_claim: String,
    /// `SESSION_NAME_SOURCE`: `email` (default) or `sub`.
    pub session_name_source: SessionNameSource,
}

impl Settings {
    pub fn from_env() -> Result<Self, String> {
        let issuer = optional("OIDC_ISSUER").ok_or("OIDC_ISSUER: is required")?;
        let audiences: Vec<String> = optional("OIDC_AUDIENCE")
            .ok_or("OIDC_AUDIENCE: is required (the client ids tokens are issued for)")?
            .split(',')
            .map(|a| a.trim().to_owned())
            .filter(|a| !a.is_empty())
            .collect();
        Ok(Self {
            issuer,
            audiences,
            jwks_url: optional("OIDC_JWKS_URL"),
            groups_claim: optional("GROUPS_CLAIM").unwrap_or_else(|| "groups".into()),
            session_name_source: env_var("SESSION_NAME_SOURCE", SessionNameSource::Email, |v| {
                SessionNameSource::parse(v).map_err(|e| e.rule)
            })?,
        })
    }
}
