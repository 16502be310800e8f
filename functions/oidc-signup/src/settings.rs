use qs_model::config::{EnvReader, parse};
use qs_model::embed::Embedding;
use qs_model::signup::SessionNameSource;

/// The function's own variables, read once at cold start.
#[derive(Debug, Clone)]
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
    /// `EMBED_*`: the embed URL every login answers with; `None`, no URL.
    pub embedding: Option<Embedding>,
}

impl Settings {
    /// Reads the variables through `env`, which collects every error.
    pub fn read(env: &mut EnvReader) -> Self {
        let issuer = env.required("OIDC_ISSUER", parse::string).unwrap_or_default();
        let audiences = env.required("OIDC_AUDIENCE", parse::list).unwrap_or_default();
        Self {
            issuer,
            audiences,
            jwks_url: env.optional("OIDC_JWKS_URL", parse::string),
            groups_claim: env
                .optional("GROUPS_CLAIM", parse::string)
                .unwrap_or_else(|| "groups".into()),
            session_name_source: env
                .optional("SESSION_NAME_SOURCE", SessionNameSource::parse)
                .unwrap_or(SessionNameSource::Email),
            embedding: Embedding::read(env),
        }
    }
}
