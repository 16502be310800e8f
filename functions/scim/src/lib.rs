//! scim: a SCIM 2.0 service provider (RFC 7643, RFC 7644) whose store is QuickSight. Identity
//! providers (Okta, Microsoft Entra ID, OneLogin, JumpCloud, Ping, Keycloak) push users and groups
//! to `/scim/v2` behind a function URL; each change goes through the same engine as every sign-up.
//!
//! - [`protocol`]: SCIM without AWS: the schemas as types, paths, filters, PATCH, queries,
//!   discovery, list answers.
//! - `users`, `groups`: the resources, QuickSight first, the table (`SCIM_TABLE`) second;
//!   `memberships`, which both show; `mapping`, a user as the engine's upsert; `search`, queries.
//! - [`keys`], [`store`], `records`: the table, its keys and records.
//! - [`auth`]: the bearer token.

pub mod auth;
pub mod error;
mod groups;
mod handler;
pub mod http;
pub mod keys;
mod mapping;
mod memberships;
pub mod protocol;
mod records;
mod search;
mod settings;
pub mod store;
mod users;

use qs_engine::Engine;
use qs_model::config::{Config, ConfigError, EnvReader};

pub use auth::{Auth, Tokens};
pub use handler::handle;
pub use settings::{Deactivate, LoginIdSource, SessionSource, Settings, TokenSetting};
pub use store::Table;

/// What the function builds once, at cold start.
pub struct App {
    pub config: Config,
    pub settings: Settings,
    pub engine: Engine,
    pub table: Table,
    pub auth: Auth,
}

/// The shared configuration and the function's own variables, every bad one reported at once. A
/// SCIM user is a CUSTOM_OIDC login unless configured otherwise; SCIM groups need
/// MANAGED_GROUP_PREFIX (they are the groups inside it).
pub fn read_env(lookup: impl Fn(&str) -> Option<String>) -> Result<(Config, Settings), ConfigError> {
    let mut env = EnvReader::new(move |name| {
        lookup(name).or_else(|| (name == "EXTERNAL_LOGIN_PROVIDER").then(|| "CUSTOM_OIDC".into()))
    });
    let config = Config::read(&mut env);
    let settings = Settings::read(&mut env, config.tenancy().is_some());
    if env.raw("MANAGED_GROUP_PREFIX").is_none() {
        env.fail(
            "MANAGED_GROUP_PREFIX",
            "is required: SCIM groups are the QuickSight groups inside it",
        );
    }
    let custom_oidc = config.external_login_provider == qs_model::validate::ProviderKind::CustomOidc;
    if custom_oidc && settings.provider_url.is_none() && config.custom_federation_provider_url.is_none() {
        env.fail(
            "SCIM_PROVIDER_URL",
            "is required with EXTERNAL_LOGIN_PROVIDER=CUSTOM_OIDC: the identity provider's URL, as QuickSight records the login",
        );
    }
    // Each tenant is checked by the tenants' rules now, not at its first request.
    if let TokenSetting::Given(tokens) = &settings.token {
        for tenant in tokens.tenants() {
            if let Err(e) = config.home(Some(tenant)) {
                env.fail("SCIM_TOKEN", format!("names a tenant the tenant rules refuse: {e}"));
            }
        }
    }
    env.finish((config, settings))
}

#[cfg(test)]
mod tests;
