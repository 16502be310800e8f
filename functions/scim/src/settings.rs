//! The function's own variables (`SCIM_*`), read with the shared configuration.

use std::time::Duration;

use qs_model::config::{EnvReader, parse};
use qs_model::validate::{FieldError, fields};

use crate::auth::Tokens;

/// Which attribute names the QuickSight session (`SCIM_SESSION_NAME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionSource {
    UserName,
    /// The primary e-mail (or the first).
    Email,
}

/// What becomes the ExternalLoginId (`SCIM_LOGIN_ID`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginIdSource {
    /// The IdP's `externalId`, or the SCIM `id` when the IdP sends none.
    ExternalId,
    /// The SCIM `id` this service gives the user (which the IdP keeps).
    Id,
}

/// What `active: false` does (`SCIM_DEACTIVATE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deactivate {
    /// Delete the QuickSight user (its assets through ASSET_HANDOVER); the SCIM user stays, inactive.
    Delete,
    /// Keep the QuickSight user; only the SCIM user is inactive.
    Keep,
}

/// Where the bearer token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSetting {
    /// `SCIM_TOKEN`: given directly (local runs and tests), read once here.
    Given(Tokens),
    /// `SCIM_TOKEN_SECRET`: the Secrets Manager secret's name or ARN.
    Secret(String),
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub table: String,
    pub token: TokenSetting,
    pub token_cache: Duration,
    pub provider_url: Option<String>,
    pub session_source: SessionSource,
    pub login_id: LoginIdSource,
    pub deactivate: Deactivate,
}

/// Tokens shorter than this are refused: a bearer token is the only credential an IdP presents.
pub const MIN_TOKEN_CHARS: usize = 32;

impl Settings {
    /// `tenants`: whether tenants are on (a given token is then a JSON object of tenant to token).
    pub fn read(env: &mut EnvReader, tenants: bool) -> Self {
        let table = env.required("SCIM_TABLE", parse::string);
        let given = env.optional("SCIM_TOKEN", parse::string);
        let secret = env.optional("SCIM_TOKEN_SECRET", parse::string);
        let token = match (given, secret) {
            (Some(_), Some(_)) => {
                env.fail(
                    "SCIM_TOKEN",
                    "must not be set with SCIM_TOKEN_SECRET (one source of the token)",
                );
                None
            }
            (Some(token), None) => match Tokens::parse(&token, tenants) {
                Ok(tokens) => Some(TokenSetting::Given(tokens)),
                Err(why) => {
                    env.fail("SCIM_TOKEN", why);
                    None
                }
            },
            (None, Some(secret)) => Some(TokenSetting::Secret(secret)),
            (None, None) => {
                env.fail("SCIM_TOKEN_SECRET", "is required (or SCIM_TOKEN, for local runs)");
                None
            }
        };
        let token_cache = env
            .optional("SCIM_TOKEN_CACHE_SECONDS", |f, v| match v.parse::<u64>() {
                Ok(s) if (1..=3600).contains(&s) => Ok(Duration::from_secs(s)),
                _ => Err(FieldError::new(f, "must be whole seconds from 1 to 3600", v)),
            })
            .unwrap_or(Duration::from_secs(300));
        let provider_url = env.optional("SCIM_PROVIDER_URL", |f, v| {
            fields::provider_url(f, v).map(|()| v.to_owned())
        });
        let session_source = env
            .optional(
                "SCIM_SESSION_NAME",
                one_of(&[("userName", SessionSource::UserName), ("email", SessionSource::Email)]),
            )
            .unwrap_or(SessionSource::UserName);
        let login_id = env
            .optional(
                "SCIM_LOGIN_ID",
                one_of(&[("externalId", LoginIdSource::ExternalId), ("id", LoginIdSource::Id)]),
            )
            .unwrap_or(LoginIdSource::ExternalId);
        let deactivate = env
            .optional(
                "SCIM_DEACTIVATE",
                one_of(&[("delete", Deactivate::Delete), ("keep", Deactivate::Keep)]),
            )
            .unwrap_or(Deactivate::Delete);
        Self {
            table: table.unwrap_or_default(),
            token: token.unwrap_or(TokenSetting::Given(Tokens::default())),
            token_cache,
            provider_url,
            session_source,
            login_id,
            deactivate,
        }
    }
}

/// A parser of one of `choices`' names, whose error lists them.
fn one_of<'a, T: Copy>(choices: &'a [(&'static str, T)]) -> impl Fn(&str, &str) -> Result<T, FieldError> + 'a {
    move |field, v| {
        choices
            .iter()
            .find(|(name, _)| *name == v)
            .map(|(_, choice)| *choice)
            .ok_or_else(|| {
                let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
                FieldError::new(field, format!("must be {}", names.join(" or ")), v)
            })
    }
}
