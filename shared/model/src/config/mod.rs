//! The typed configuration every function reads once, at cold start, from its environment.

mod env;
mod governance;
mod groups;
mod profiles;

use std::collections::{BTreeMap, BTreeSet};

pub use env::{ConfigError, EnvReader, VarError, parse};
pub use governance::{MembershipChange, RoleMemberships, SelfUpgrade};
pub use groups::{GroupMapping, GroupScope, MappedGroup};
pub use profiles::CustomPermissions;

use crate::assets::AssetHandover;
use crate::tenant::{Home, Tenancy};
use crate::validate::{FieldError, ProviderKind, UserRole, fields};

pub const DEFAULT_NAMESPACE: &str = "default";
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;
/// How long QuickSight may take to show a user registered elsewhere (`QUICKSIGHT_CONSISTENCY_SECONDS`).
pub const DEFAULT_CONSISTENCY_SECONDS: u64 = 10;
/// The provider URL QuickSight reports for users of the COGNITO provider type.
pub const COGNITO_PROVIDER_URL: &str = "cognito-identity.amazonaws.com";

/// The IAM role users federate through, parsed once: QuickSight names its users
/// `RoleName/SessionName`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FederatedRole {
    pub arn: String,
    pub name: String,
}

impl FederatedRole {
    pub fn parse(field: &str, arn: &str) -> Result<Self, FieldError> {
        let name = fields::role_arn(field, arn)?;
        Ok(Self {
            name: name.to_owned(),
            arn: arn.to_owned(),
        })
    }

    /// The name QuickSight gives a user federated through the role: `RoleName/SessionName`.
    pub fn user_name(&self, session_name: &str) -> String {
        format!("{}/{}", self.name, session_name)
    }
}

/// `AWS_CA_BUNDLE`: the file, and the PEM certificates it held when the configuration was read,
/// decoded once (the HTTPS client takes the PEM, the engine's X.509 check the certificates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaBundle {
    pub path: String,
    pub pem: Vec<u8>,
    pub certificates: Vec<rustls_pki_types::CertificateDer<'static>>,
}

/// How the QuickSight client retries (`QUICKSIGHT_RETRY_MODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryMode {
    /// Exponential backoff with jitter.
    Standard,
    /// Standard plus the SDK's client-side rate limiter, which slows down after a 429.
    Adaptive,
}

/// What a bulk change does when it would take an author or admin down to a reader, which
/// QuickSight's UpdateUser refuses (`ROLE_DOWNGRADE`). Sign-ups always keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleDowngrade {
    /// Keep the higher role, apply everything else, report it.
    Keep,
    /// DeleteUser, then RegisterUser with the new role: the user's assets and shares are lost.
    Recreate,
    /// Refuse the change.
    Fail,
}

impl RoleDowngrade {
    pub fn parse(field: &str, v: &str) -> Result<Self, FieldError> {
        match v {
            "keep" => Ok(Self::Keep),
            "recreate" => Ok(Self::Recreate),
            "fail" => Ok(Self::Fail),
            _ => Err(FieldError::new(field, "must be keep, recreate or fail", v)),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Keep => "keep",
            Self::Recreate => "recreate",
            Self::Fail => "fail",
        }
    }
}

/// Whether a change may move an existing user's external login to another identity
/// (`EXTERNAL_LOGIN_RELINK`). A bulk upsert may also ask for it with `"relink": true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRelink {
    Never,
    Allow,
}

impl LoginRelink {
    pub fn parse(field: &str, v: &str) -> Result<Self, FieldError> {
        match v {
            "never" => Ok(Self::Never),
            "allow" => Ok(Self::Allow),
            _ => Err(FieldError::new(field, "must be never or allow", v)),
        }
    }
}

/// Where this deployment's users live: one namespace and role (tenants off), or one per tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Homes {
    /// `QUICKSIGHT_NAMESPACE` and `QUICKSIGHT_FEDERATED_ROLE_ARN`.
    One(Home),
    /// `TENANT_NAMESPACE` and the other `TENANT_*` settings.
    PerTenant(Tenancy),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub account_id: String,
    pub homes: Homes,
    /// The region QuickSight user management lives in; `None` leaves it to the SDK.
    pub identity_region: Option<String>,
    pub default_role: UserRole,
    pub external_login_provider: ProviderKind,
    pub custom_federation_provider_url: Option<String>,
    pub group_mapping: GroupMapping,
    /// The profiles the directory gives users (GROUP_MAPPING, DEFAULT_CUSTOM_PERMISSIONS).
    pub custom_permissions: CustomPermissions,
    pub default_groups: Vec<String>,
    pub managed_group_prefix: Option<String>,
    pub user_tags: BTreeMap<String, String>,
    pub dry_run: bool,
    pub max_attempts: u32,
    pub retry_mode: RetryMode,
    pub role_downgrade: RoleDowngrade,
    pub external_login_relink: LoginRelink,
    /// The tag keys this deployment owns on its users (`MANAGED_TAG_KEYS`, default: the keys of
    /// `USER_TAGS`): kept equal to a change's tags, removed when a change no longer gives them.
    /// Other keys are never touched.
    pub managed_tag_keys: BTreeSet<String>,
    /// Certificates (PEM) trusted in addition to the system's, from the file `AWS_CA_BUNDLE`
    /// names (as the AWS CLI and boto3 read it): a local emulator's own CA, or a TLS proxy's.
    pub ca_bundle: Option<CaBundle>,
    /// `ASSET_HANDOVER` and `ASSET_HANDOVER_PRINCIPAL`: what happens to a leaver's assets.
    pub asset_handover: AssetHandover,
    /// `QUICKSIGHT_WARM_UP`: open the connection to QuickSight (one DescribeUser) during init, so
    /// the first invoke finds the TLS handshake done. Init is billed too: see the benchmark.
    pub warm_up: bool,
    /// `QUICKSIGHT_CONSISTENCY_SECONDS`: how long after a change was first seen a "user not found"
    /// may still be QuickSight not showing a registration that any process made before it
    /// (eventual consistency). Only a 404 read after it is taken as "the user is not there".
    pub consistency_window: std::time::Duration,
    /// `ROLE_MEMBERSHIPS`: directory groups' roles, in an IAM Identity Center or Active Directory
    /// account (the reconcile applies them).
    pub role_memberships: RoleMemberships,
    /// `SELF_UPGRADE`: who decides a reader's request to upgrade itself.
    pub self_upgrade: SelfUpgrade,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut env = EnvReader::from_env();
        let config = Self::read(&mut env);
        env.finish(config)
    }

    /// Reads variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut env = EnvReader::new(lookup);
        let config = Self::read(&mut env);
        env.finish(config)
    }

    /// Reads every variable, recording each problem in `env`; the value is meaningful only when
    /// [`EnvReader::finish`] then succeeds. Functions read their own settings through the same reader.
    pub fn read(env: &mut EnvReader) -> Self {
        let account_id = env.required("QUICKSIGHT_ACCOUNT_ID", |f, v| {
            fields::aws_account_id(f, v).map(|()| v.to_owned())
        });
        let identity_region = env.optional("QUICKSIGHT_IDENTITY_REGION", parse::string);
        let homes = read_homes(env);
        let asset_handover = AssetHandover::read(env, matches!(homes, Homes::PerTenant(_)));
        let default_role = env
            .optional("QUICKSIGHT_DEFAULT_ROLE", UserRole::parse)
            .unwrap_or(UserRole::Reader);
        let external_login_provider = env
            .optional("EXTERNAL_LOGIN_PROVIDER", ProviderKind::parse)
            .unwrap_or(ProviderKind::None);
        let custom_federation_provider_url = env.optional("CUSTOM_FEDERATION_PROVIDER_URL", |f, v| {
            fields::provider_url(f, v).map(|()| v.to_owned())
        });
        if custom_federation_provider_url.is_some() && external_login_provider != ProviderKind::CustomOidc {
            env.fail(
                "CUSTOM_FEDERATION_PROVIDER_URL",
                "is only allowed with EXTERNAL_LOGIN_PROVIDER=CUSTOM_OIDC",
            );
        }
        let user_tags: BTreeMap<String, String> = env.optional_json("USER_TAGS", parse_tags).unwrap_or_default();
        let managed_tag_keys = env
            .optional("MANAGED_TAG_KEYS", parse_tag_keys)
            .unwrap_or_else(|| user_tags.keys().cloned().collect());
        let group_mapping = env
            .optional_json("GROUP_MAPPING", GroupMapping::parse)
            .unwrap_or_default();
        let custom_permissions = CustomPermissions::read(env, &group_mapping);
        Self {
            account_id: account_id.unwrap_or_default(),
            homes,
            identity_region,
            default_role,
            external_login_provider,
            custom_federation_provider_url,
            group_mapping,
            custom_permissions,
            default_groups: env.optional("DEFAULT_GROUPS", parse_group_list).unwrap_or_default(),
            managed_group_prefix: env.optional("MANAGED_GROUP_PREFIX", |f, v| {
                fields::group_name(f, v).map(|()| v.to_owned())
            }),
            user_tags,
            managed_tag_keys,
            dry_run: env.optional("DRY_RUN", parse::boolean).unwrap_or(false),
            max_attempts: env
                .optional("QUICKSIGHT_MAX_ATTEMPTS", parse::number_in(1..=10))
                .unwrap_or(DEFAULT_MAX_ATTEMPTS),
            retry_mode: env
                .optional("QUICKSIGHT_RETRY_MODE", parse_retry_mode)
                .unwrap_or(RetryMode::Standard),
            role_downgrade: env
                .optional("ROLE_DOWNGRADE", RoleDowngrade::parse)
                .unwrap_or(RoleDowngrade::Keep),
            external_login_relink: env
                .optional("EXTERNAL_LOGIN_RELINK", LoginRelink::parse)
                .unwrap_or(LoginRelink::Never),
            ca_bundle: env.optional("AWS_CA_BUNDLE", read_ca_bundle),
            warm_up: env.optional("QUICKSIGHT_WARM_UP", parse::boolean).unwrap_or(false),
            consistency_window: std::time::Duration::from_secs(
                env.optional("QUICKSIGHT_CONSISTENCY_SECONDS", parse::number_in(1..=300))
                    .unwrap_or(DEFAULT_CONSISTENCY_SECONDS),
            ),
            asset_handover,
            role_memberships: env
                .optional_json("ROLE_MEMBERSHIPS", RoleMemberships::parse)
                .unwrap_or_default(),
            self_upgrade: env.optional("SELF_UPGRADE", SelfUpgrade::parse).unwrap_or_default(),
        }
    }

    /// The tenant settings, when tenants are on.
    pub fn tenancy(&self) -> Option<&Tenancy> {
        match &self.homes {
            Homes::One(_) => None,
            Homes::PerTenant(tenancy) => Some(tenancy),
        }
    }

    /// The home of a change whose tenant is `tenant` (reported as field `tenant`): tenants on
    /// need one, tenants off refuse one.
    pub fn home(&self, tenant: Option<&str>) -> Result<Home, FieldError> {
        match (&self.homes, tenant) {
            (Homes::One(home), None) => Ok(home.clone()),
            (Homes::One(_), Some(t)) => Err(FieldError::new(
                "tenant",
                "is not used: tenants are off (TENANT_NAMESPACE is not set)",
                t,
            )),
            (Homes::PerTenant(_), None) => Err(FieldError::new(
                "tenant",
                "is required: tenants are on (TENANT_NAMESPACE is set)",
                "",
            )),
            (Homes::PerTenant(tenancy), Some(t)) => tenancy.home("tenant", t),
        }
    }

    /// The provider URL QuickSight reports for this deployment's users: the Cognito identity URL,
    /// or the configured CUSTOM_OIDC URL; `None` when sign-ups derive it (no URL configured).
    pub fn reported_provider_url(&self) -> Option<&str> {
        match self.external_login_provider {
            ProviderKind::Cognito => Some(COGNITO_PROVIDER_URL),
            ProviderKind::CustomOidc => self.custom_federation_provider_url.as_deref(),
            ProviderKind::None => None,
        }
    }

    /// The groups whose memberships group sync may remove in `home`: the mapped groups, the
    /// prefix's, and the tenant's own.
    pub fn group_scope(&self, home: &Home) -> GroupScope {
        let mut names = self.group_mapping.targets();
        names.extend(self.tenant_groups(home));
        GroupScope::new(self.managed_group_prefix.clone(), names)
    }

    /// The groups every user of `home`'s tenant joins (`TENANT_GROUPS`); none without tenants.
    pub fn tenant_groups(&self, home: &Home) -> Vec<String> {
        match (self.tenancy(), &home.tenant) {
            (Some(tenancy), Some(tenant)) => tenancy.groups(tenant),
            _ => Vec::new(),
        }
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

    /// The custom permissions profile the directory gives a user in `idp_groups`; `None` when
    /// this deployment does not manage profiles (the user's is left as it is).
    pub fn resolve_custom_permissions<'a>(
        &self,
        idp_groups: impl IntoIterator<Item = &'a str>,
    ) -> Option<Option<String>> {
        let mapped = self.group_mapping.lookup(idp_groups);
        let names = mapped.iter().filter_map(|m| m.custom_permissions.as_deref());
        self.custom_permissions
            .managed()
            .then(|| self.custom_permissions.for_names(names))
    }

    /// [`Self::resolve_custom_permissions`] as a change's two fields:
    /// `custom_permissions_from_directory` and `custom_permissions_name`.
    pub fn directory_profile<'a>(
        &self,
        idp_groups: impl IntoIterator<Item = &'a str>,
    ) -> (Option<bool>, Option<String>) {
        let resolved = self.resolve_custom_permissions(idp_groups);
        (resolved.is_some().then_some(true), resolved.flatten())
    }

    /// A provider URL a source derived (an OIDC issuer), when it is the one used: only
    /// CUSTOM_OIDC logins carry one, and a configured CUSTOM_FEDERATION_PROVIDER_URL wins.
    pub fn derived_provider_url(&self, derived: Option<String>) -> Option<String> {
        derived.filter(|_| {
            self.external_login_provider == ProviderKind::CustomOidc && self.custom_federation_provider_url.is_none()
        })
    }
}

/// Tenants on: their settings; off: the one namespace and role.
fn read_homes(env: &mut EnvReader) -> Homes {
    let role_arn = env.raw("QUICKSIGHT_FEDERATED_ROLE_ARN");
    if role_arn.is_none() {
        env.fail("QUICKSIGHT_FEDERATED_ROLE_ARN", "is required");
    }
    if let Some(tenancy) = Tenancy::read(env, role_arn.as_deref()) {
        return Homes::PerTenant(tenancy);
    }
    let namespace = env
        .optional("QUICKSIGHT_NAMESPACE", |f, v| {
            fields::namespace(f, v).map(|()| v.to_owned())
        })
        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_owned());
    // A bad TENANT_NAMESPACE, or a template role without one, is reported already.
    let templated = role_arn
        .as_deref()
        .is_some_and(|arn| arn.contains(crate::tenant::PLACEHOLDER));
    let role = match env.raw("TENANT_NAMESPACE") {
        None if !templated => env.optional("QUICKSIGHT_FEDERATED_ROLE_ARN", FederatedRole::parse),
        _ => None,
    };
    Homes::One(Home {
        tenant: None,
        namespace,
        role: role.unwrap_or_default(),
    })
}

fn parse_group_list(variable: &str, v: &str) -> Result<Vec<String>, FieldError> {
    let groups = parse::list(variable, v)?;
    for g in &groups {
        fields::group_name(variable, g)?;
    }
    Ok(groups)
}

fn parse_tags(raw: &str) -> Result<BTreeMap<String, String>, String> {
    let tags: BTreeMap<String, String> =
        serde_json::from_str(raw).map_err(|e| format!("must be a JSON object of string values: {e}"))?;
    match fields::tags("tag", tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))).first() {
        Some(e) => Err(e.to_string()),
        None => Ok(tags),
    }
}

fn parse_tag_keys(variable: &str, v: &str) -> Result<BTreeSet<String>, FieldError> {
    let keys = parse::list(variable, v)?;
    for key in &keys {
        if !(1..=128).contains(&key.chars().count()) {
            return Err(FieldError::new(variable, "tag keys must be 1 to 128 characters", key));
        }
    }
    Ok(keys.into_iter().collect())
}

/// The PEM file `path` names, with at least one certificate. Whether each is an X.509 certificate
/// a TLS client can trust is the engine's check (`qs_engine::load_sdk_config`), which has the
/// X.509 parser: this crate stays free of it.
fn read_ca_bundle(variable: &str, path: &str) -> Result<CaBundle, FieldError> {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;
    let fail = |rule: String| FieldError::new(variable, rule, path);
    let pem = std::fs::read(path).map_err(|e| fail(format!("must name a readable PEM file ({e})")))?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(format!("must hold PEM certificates ({e:?})")))?;
    if certificates.is_empty() {
        return Err(fail("must hold at least one PEM certificate".into()));
    }
    Ok(CaBundle {
        path: path.to_owned(),
        pem,
        certificates,
    })
}

fn parse_retry_mode(variable: &str, v: &str) -> Result<RetryMode, FieldError> {
    match v {
        "adaptive" => Ok(RetryMode::Adaptive),
        "standard" => Ok(RetryMode::Standard),
        _ => Err(FieldError::new(variable, "must be adaptive or standard", v)),
    }
}

#[cfg(test)]
mod tests;
