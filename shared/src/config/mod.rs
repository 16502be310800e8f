//! The typed configuration every function reads once, at cold start, from its environment.

mod groups;

use std::collections::BTreeMap;
use std::fmt;

use aws_smithy_types::retry::RetryMode;

pub use groups::{GroupMapping, GroupScope, MappedGroup};

use crate::validate::{ExternalLogin, FieldError, ProviderKind, UserRole, ValidationErrors, fields};

pub const DEFAULT_NAMESPACE: &str = "default";
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;

/// A variable that is missing or breaks its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarError {
    pub variable: &'static str,
    pub rule: String,
}

impl fmt::Display for VarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.rule)
    }
}

/// Every problem in the environment, so one deploy fixes them all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError(pub Vec<VarError>);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(f, "invalid configuration: {}", parts.join("; "))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub account_id: String,
    pub namespace: String,
    /// The region QuickSight user management lives in; `None` leaves it to the SDK.
    pub identity_region: Option<String>,
    pub federated_role_arn: String,
    pub default_role: UserRole,
    pub external_login_provider: ProviderKind,
    pub custom_federation_provider_url: Option<String>,
    pub group_mapping: GroupMapping,
    pub default_groups: Vec<String>,
    pub managed_group_prefix: Option<String>,
    pub user_tags: BTreeMap<String, String>,
    pub dry_run: bool,
    pub max_attempts: u32,
    /// The SDK's retry mode: adaptive (a client-side rate limiter that slows down after a 429) or
    /// standard (backoff only).
    pub retry_mode: RetryMode,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup`; empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut env = Reader {
            lookup: &lookup,
            errors: Vec::new(),
        };
        let account_id = env.required("QUICKSIGHT_ACCOUNT_ID", |v| {
            fields::aws_account_id(v).map(|()| v.to_owned())
        });
        let namespace = env
            .optional("QUICKSIGHT_NAMESPACE", |v| fields::namespace(v).map(|()| v.to_owned()))
            .unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned());
        let identity_region = env.optional("QUICKSIGHT_IDENTITY_REGION", |v| Ok(v.to_owned()));
        let federated_role_arn = env.required("QUICKSIGHT_FEDERATED_ROLE_ARN", |v| {
            fields::role_arn(v).map(|_| v.to_owned())
        });
        let default_role = env
            .optional("QUICKSIGHT_DEFAULT_ROLE", |v| UserRole::parse("UserRole", v))
            .unwrap_or(UserRole::Reader);
        let external_login_provider = env
            .optional("EXTERNAL_LOGIN_PROVIDER", |v| {
                ProviderKind::parse("ExternalLoginFederationProviderType", v)
            })
            .unwrap_or(ProviderKind::None);
        let custom_federation_provider_url = env.optional("CUSTOM_FEDERATION_PROVIDER_URL", |v| {
            fields::provider_url(v).map(|()| v.to_owned())
        });
        if custom_federation_provider_url.is_some() && external_login_provider != ProviderKind::CustomOidc {
            env.fail(
                "CUSTOM_FEDERATION_PROVIDER_URL",
                "is only allowed with EXTERNAL_LOGIN_PROVIDER=CUSTOM_OIDC".into(),
            );
        }
        let group_mapping = env
            .optional_json("GROUP_MAPPING", GroupMapping::parse)
            .unwrap_or_default();
        let default_groups = env.optional("DEFAULT_GROUPS", parse_group_list).unwrap_or_default();
        let managed_group_prefix =
            env.optional("MANAGED_GROUP_PREFIX", |v| fields::group_name(v).map(|()| v.to_owned()));
        let user_tags = env.optional_json("USER_TAGS", parse_tags).unwrap_or_default();
        let dry_run = env.optional("DRY_RUN", parse_bool).unwrap_or(false);
        let max_attempts = env
            .optional("QUICKSIGHT_MAX_ATTEMPTS", parse_attempts)
            .unwrap_or(DEFAULT_MAX_ATTEMPTS);
        let retry_mode = env
            .optional("QUICKSIGHT_RETRY_MODE", parse_retry_mode)
            .unwrap_or(RetryMode::Standard);

        if !env.errors.is_empty() {
            return Err(ConfigError(env.errors));
        }
        Ok(Config {
            account_id: account_id.unwrap_or_default(),
            namespace,
            identity_region,
            federated_role_arn: federated_role_arn.unwrap_or_default(),
            default_role,
            external_login_provider,
            custom_federation_provider_url,
            group_mapping,
            default_groups,
            managed_group_prefix,
            user_tags,
            dry_run,
            max_attempts,
            retry_mode,
        })
    }

    /// The external login for a user whose login id is `id`. `derived_url` is the provider URL a
    /// function can derive itself (a user pool's issuer, a token's issuer), used when none is configured.
    pub fn external_login(&self, id: &str, derived_url: Option<&str>) -> Result<ExternalLogin, ValidationErrors> {
        let url = match self.external_login_provider {
            ProviderKind::CustomOidc => self.custom_federation_provider_url.as_deref().or(derived_url),
            _ => None,
        };
        ExternalLogin::from_parts(self.external_login_provider, url, Some(id))
    }

    /// The groups whose memberships group sync may remove.
    pub fn group_scope(&self) -> GroupScope {
        GroupScope::new(self.managed_group_prefix.clone(), self.group_mapping.targets())
    }

    /// The role and QuickSight groups for a user in `idp_groups`: the highest role any mapped group
    /// grants (else the default role), and the mapped groups plus the default groups.
    pub fn resolve_groups<'a>(&self, idp_groups: impl IntoIterator<Item = &'a str>) -> (UserRole, Vec<String>) {
        let mapped = self.group_mapping.lookup(idp_groups);
        let role = mapped.iter().filter_map(|m| m.role).max().unwrap_or(self.default_role);
        let mut groups: Vec<String> = mapped.into_iter().map(|m| m.group.clone()).collect();
        groups.extend(self.default_groups.iter().cloned());
        groups.sort();
        groups.dedup();
        (role, groups)
    }
}

struct Reader<'a, F: Fn(&str) -> Option<String>> {
    lookup: &'a F,
    errors: Vec<VarError>,
}

impl<F: Fn(&str) -> Option<String>> Reader<'_, F> {
    fn fail(&mut self, variable: &'static str, rule: String) {
        self.errors.push(VarError { variable, rule });
    }

    fn optional<T>(&mut self, variable: &'static str, parse: impl FnOnce(&str) -> Result<T, FieldError>) -> Option<T> {
        let raw = (self.lookup)(variable).filter(|v| !v.trim().is_empty())?;
        match parse(raw.trim()) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(variable, format!("{} {} (got {:?})", e.field, e.rule, e.value));
                None
            }
        }
    }

    fn required<T>(&mut self, variable: &'static str, parse: impl FnOnce(&str) -> Result<T, FieldError>) -> Option<T> {
        if (self.lookup)(variable).is_none_or(|v| v.trim().is_empty()) {
            self.fail(variable, "is required".into());
            return None;
        }
        self.optional(variable, parse)
    }

    fn optional_json<T>(&mut self, variable: &'static str, parse: impl FnOnce(&str) -> Result<T, String>) -> Option<T> {
        let raw = (self.lookup)(variable).filter(|v| !v.trim().is_empty())?;
        match parse(&raw) {
            Ok(v) => Some(v),
            Err(rule) => {
                self.fail(variable, rule);
                None
            }
        }
    }
}

fn parse_group_list(v: &str) -> Result<Vec<String>, FieldError> {
    let groups: Vec<String> = v
        .split(',')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .map(str::to_owned)
        .collect();
    for g in &groups {
        fields::group_name(g)?;
    }
    Ok(groups)
}

fn parse_tags(raw: &str) -> Result<BTreeMap<String, String>, String> {
    let tags: BTreeMap<String, String> =
        serde_json::from_str(raw).map_err(|e| format!("must be a JSON object of string values: {e}"))?;
    match fields::tags(tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))).first() {
        Some(e) => Err(e.to_string()),
        None => Ok(tags),
    }
}

fn parse_bool(v: &str) -> Result<bool, FieldError> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(FieldError::new("value", "must be true or false", v)),
    }
}

fn parse_attempts(v: &str) -> Result<u32, FieldError> {
    v.parse::<u32>()
        .ok()
        .filter(|n| (1..=10).contains(n))
        .ok_or_else(|| FieldError::new("value", "must be a whole number from 1 to 10", v))
}

fn parse_retry_mode(v: &str) -> Result<RetryMode, FieldError> {
    match v {
        "adaptive" => Ok(RetryMode::Adaptive),
        "standard" => Ok(RetryMode::Standard),
        _ => Err(FieldError::new("value", "must be adaptive or standard", v)),
    }
}

#[cfg(test)]
mod tests;
