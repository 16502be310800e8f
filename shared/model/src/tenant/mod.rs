//! Tenants: one QuickSight namespace per customer. A change's tenant gives its [`Home`]: the
//! namespace its user lives in and the IAM role it federates through. Tenants are on when
//! `TENANT_NAMESPACE` is set; a tenant value is checked before any name is built from it, since
//! the namespace lands in request paths.

use std::collections::BTreeMap;

use regex::Regex;

use crate::config::{EnvReader, FederatedRole, parse};
use crate::validate::{FieldError, UserRole, fields};

/// What a template's `{tenant}` stands for.
pub const PLACEHOLDER: &str = "{tenant}";
/// `TENANT_ALLOWED` when it is not set: lower-case letters, digits and `-`.
pub const DEFAULT_ALLOWED: &str = "[a-z0-9][a-z0-9-]*";
/// The tenant a template is tried with when the configuration is read.
const SAMPLE: &str = "tenant";

/// A setting in which `{tenant}` stands for the tenant (`TENANT_NAMESPACE`, `TENANT_GROUPS`,
/// `QUICKSIGHT_FEDERATED_ROLE_ARN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(String);

impl Template {
    pub fn new(raw: &str) -> Self {
        Self(raw.to_owned())
    }

    pub fn has_tenant(&self) -> bool {
        self.0.contains(PLACEHOLDER)
    }

    pub fn render(&self, tenant: &str) -> String {
        self.0.replace(PLACEHOLDER, tenant)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a change's user lives: its tenant (`None` when tenants are off), the namespace and the
/// role. Ownership is per home: a deployment changes only users of its role in the namespace.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Home {
    pub tenant: Option<String>,
    pub namespace: String,
    pub role: FederatedRole,
}

impl Home {
    /// The name QuickSight gives a user federated through the role: `RoleName/SessionName`.
    pub fn user_name(&self, session_name: &str) -> String {
        self.role.user_name(session_name)
    }
}

/// `TENANT_ALLOWED`: the tenant values accepted, as a regular expression that must match the
/// whole value.
#[derive(Debug, Clone)]
pub struct AllowedTenants {
    source: String,
    regex: Regex,
}

impl AllowedTenants {
    pub fn parse(field: &str, v: &str) -> Result<Self, FieldError> {
        let regex = Regex::new(&format!("^(?:{v})$")).map_err(|e| {
            // The parser's message draws the pattern over several lines; its last line says why.
            let why = e.to_string().lines().last().unwrap_or_default().to_owned();
            FieldError::new(field, format!("must be a regular expression ({why})"), v)
        })?;
        Ok(Self {
            source: v.to_owned(),
            regex,
        })
    }

    pub fn allows(&self, tenant: &str) -> bool {
        self.regex.is_match(tenant)
    }
}

impl PartialEq for AllowedTenants {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for AllowedTenants {}

/// Whether a tenant from a user attribute that the user's own app client can write is accepted
/// (`TENANT_ATTRIBUTE_WRITABLE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WritableTenant {
    /// Refused: anyone signing up through that client could name any tenant (the default).
    Refuse,
    /// Accepted knowingly, with a warning at every cold start.
    Allow,
}

impl WritableTenant {
    pub fn parse(field: &str, v: &str) -> Result<Self, FieldError> {
        match v {
            "refuse" => Ok(Self::Refuse),
            "allow" => Ok(Self::Allow),
            _ => Err(FieldError::new(field, "must be refuse or allow", v)),
        }
    }
}

/// Whether an app client whose `WriteAttributes` are `write_attributes` lets its users write
/// `attribute`. Cognito's API reference (`UserPoolClientType.WriteAttributes`): a client without
/// its own list may write the pool's standard attributes and no custom one (`custom:…`);
/// developer-only attributes (`dev:…`) no user can write.
pub fn client_can_write(write_attributes: &[String], attribute: &str) -> bool {
    if attribute.starts_with("dev:") {
        return false;
    }
    if write_attributes.is_empty() {
        return !attribute.starts_with("custom:");
    }
    write_attributes.iter().any(|a| a == attribute)
}

/// How tenants map to QuickSight, read once with the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenancy {
    /// `TENANT_NAMESPACE`, e.g. `{tenant}` or `cust-{tenant}`.
    pub namespace: Template,
    /// `QUICKSIGHT_FEDERATED_ROLE_ARN`, which may hold `{tenant}` (one IAM role per tenant).
    pub role_arn: Template,
    /// `TENANT_ALLOWED`, or [`DEFAULT_ALLOWED`] when unset.
    pub allowed: AllowedTenants,
    /// Whether `TENANT_ALLOWED` was set: creating namespaces on demand needs it.
    pub allowed_set: bool,
    /// `TENANT_ALLOW_DEFAULT`: a tenant may live in `default` (or `QUICKSIGHT_NAMESPACE`).
    pub allow_default: bool,
    /// The namespaces a tenant may not resolve to without `TENANT_ALLOW_DEFAULT`: `default` and
    /// `QUICKSIGHT_NAMESPACE`, lower case.
    pub reserved: Vec<String>,
    /// `TENANT_ATTRIBUTE_WRITABLE`.
    pub attribute_writable: WritableTenant,
    /// `TENANT_ATTRIBUTE`: the Cognito user attribute naming the tenant (default `custom:tenant`).
    pub attribute: String,
    /// `TENANT_CLAIM`: the ID-token claim naming the tenant (default `tenant`).
    pub claim: String,
    /// `TENANT_GROUPS`: groups every user of a tenant joins, created on first use.
    pub groups: Vec<Template>,
    /// `TENANT_CREATE_NAMESPACE`: create a new tenant's namespace on its first change.
    pub create_namespace: bool,
    /// `TENANT_ROLE_PERMISSIONS`: the custom permissions profile of each role in a tenant's
    /// namespace (`READER:no-export,AUTHOR:author-basic`), applied when the namespace is created
    /// and checked by the reconcile.
    pub role_permissions: BTreeMap<UserRole, String>,
}

impl Tenancy {
    /// The tenant settings, `None` when `TENANT_NAMESPACE` is unset (tenants off). `role_arn` is
    /// the raw `QUICKSIGHT_FEDERATED_ROLE_ARN`, checked here with a sample tenant.
    pub fn read(env: &mut EnvReader, role_arn: Option<&str>) -> Option<Self> {
        let namespace = env.optional("TENANT_NAMESPACE", |f, v| {
            let template = Template::new(v);
            if !template.has_tenant() {
                return Err(FieldError::new(f, format!("must contain {PLACEHOLDER}"), v));
            }
            fields::namespace(f, &template.render(SAMPLE))
                .map_err(|e| FieldError::new(f, format!("with {PLACEHOLDER} replaced: {}", e.rule), v))?;
            Ok(template)
        });
        let allowed_set = env.raw("TENANT_ALLOWED").is_some();
        let allowed = env
            .optional("TENANT_ALLOWED", AllowedTenants::parse)
            .unwrap_or_else(|| AllowedTenants::parse("TENANT_ALLOWED", DEFAULT_ALLOWED).expect("a valid expression"));
        let allow_default = env.optional("TENANT_ALLOW_DEFAULT", parse::boolean).unwrap_or(false);
        let attribute_writable = env
            .optional("TENANT_ATTRIBUTE_WRITABLE", WritableTenant::parse)
            .unwrap_or(WritableTenant::Refuse);
        let mut reserved = vec![crate::config::DEFAULT_NAMESPACE.to_owned()];
        reserved.extend(env.raw("QUICKSIGHT_NAMESPACE").map(|n| n.to_ascii_lowercase()));
        let attribute = env
            .optional("TENANT_ATTRIBUTE", parse::string)
            .unwrap_or_else(|| "custom:tenant".into());
        let claim = env
            .optional("TENANT_CLAIM", parse::string)
            .unwrap_or_else(|| "tenant".into());
        let groups = env.optional("TENANT_GROUPS", parse_group_templates).unwrap_or_default();
        let create_namespace = env.optional("TENANT_CREATE_NAMESPACE", parse::boolean).unwrap_or(false);
        let role_permissions = env
            .optional("TENANT_ROLE_PERMISSIONS", parse_role_permissions)
            .unwrap_or_default();
        let role_arn = Template::new(role_arn.unwrap_or_default());
        if env.raw("TENANT_NAMESPACE").is_none() {
            for variable in [
                "TENANT_ALLOWED",
                "TENANT_GROUPS",
                "TENANT_CREATE_NAMESPACE",
                "TENANT_ALLOW_DEFAULT",
                "TENANT_ATTRIBUTE_WRITABLE",
                "TENANT_ROLE_PERMISSIONS",
            ] {
                if env.raw(variable).is_some() {
                    env.fail(variable, "is only used when TENANT_NAMESPACE is set");
                }
            }
            if role_arn.has_tenant() {
                env.fail(
                    "QUICKSIGHT_FEDERATED_ROLE_ARN",
                    format!("may contain {PLACEHOLDER} only when TENANT_NAMESPACE is set"),
                );
            }
            return None;
        }
        // Tried with a sample tenant: a fixed ARN is checked as it is.
        if !role_arn.as_str().is_empty()
            && let Err(e) = FederatedRole::parse("QUICKSIGHT_FEDERATED_ROLE_ARN", &role_arn.render(SAMPLE))
        {
            env.fail(
                "QUICKSIGHT_FEDERATED_ROLE_ARN",
                format!("{} (got {:?})", e.rule, role_arn.as_str()),
            );
        }
        if create_namespace && !allowed_set {
            env.fail(
                "TENANT_CREATE_NAMESPACE",
                "needs TENANT_ALLOWED set: every new tenant value creates a namespace (100 per account by \
                 default), so name the values that may",
            );
        }
        Some(Self {
            namespace: namespace?,
            role_arn,
            allowed,
            allowed_set,
            allow_default,
            reserved,
            attribute_writable,
            attribute,
            claim,
            groups,
            create_namespace,
            role_permissions,
        })
    }

    /// The home of `tenant`, or why `tenant` is refused (reported as `field`): checked before any
    /// namespace, role or group name is built from it.
    pub fn home(&self, field: &str, tenant: &str) -> Result<Home, FieldError> {
        fields::tenant(field, tenant)?;
        // One spelling per tenant: IAM does not tell role names apart by case, and no source
        // says QuickSight tells namespace names apart; a value in capitals is refused, not
        // folded, so that what the directory holds is what QuickSight holds.
        if tenant.chars().any(|c| c.is_ascii_uppercase()) {
            let rule = "must be lower case: names that differ only by case may be one namespace and are one IAM role";
            return Err(FieldError::new(field, rule, tenant));
        }
        if !self.allowed.allows(tenant) {
            let rule = format!("is not a tenant TENANT_ALLOWED accepts ({})", self.allowed.source);
            return Err(FieldError::new(field, rule, tenant));
        }
        let namespace = self.namespace.render(tenant);
        fields::namespace(field, &namespace).map_err(|e| {
            FieldError::new(
                field,
                format!("makes namespace {namespace:?}, which {}", e.rule),
                tenant,
            )
        })?;
        if !self.allow_default && self.reserved.contains(&namespace.to_ascii_lowercase()) {
            let rule = format!(
                "makes namespace {namespace:?}, the provider's own: no tenant lives there unless TENANT_ALLOW_DEFAULT=true"
            );
            return Err(FieldError::new(field, rule, tenant));
        }
        let role = FederatedRole::parse(field, &self.role_arn.render(tenant)).map_err(|e| {
            FieldError::new(
                field,
                format!("makes a role ARN that breaks its rule: {}", e.rule),
                tenant,
            )
        })?;
        for group in self.groups(tenant) {
            fields::group_name(field, &group)
                .map_err(|e| FieldError::new(field, format!("makes group {group:?}, which {}", e.rule), tenant))?;
        }
        Ok(Home {
            tenant: Some(tenant.to_owned()),
            namespace,
            role,
        })
    }

    /// The groups every user of `tenant` joins.
    pub fn groups(&self, tenant: &str) -> Vec<String> {
        self.groups.iter().map(|g| g.render(tenant)).collect()
    }
}

/// `ROLE:profile,…`, each role once.
fn parse_role_permissions(variable: &str, v: &str) -> Result<BTreeMap<UserRole, String>, FieldError> {
    let mut map = BTreeMap::new();
    for pair in &parse::list(variable, v)? {
        let Some((role, profile)) = pair.split_once(':') else {
            return Err(FieldError::new(
                variable,
                "must be ROLE:profile pairs, e.g. READER:no-export",
                pair,
            ));
        };
        let role = UserRole::parse(variable, role.trim())?;
        fields::custom_permissions_name(variable, profile.trim())?;
        if map.insert(role, profile.trim().to_owned()).is_some() {
            return Err(FieldError::new(variable, "names a role twice", pair));
        }
    }
    Ok(map)
}

fn parse_group_templates(variable: &str, v: &str) -> Result<Vec<Template>, FieldError> {
    let templates: Vec<Template> = parse::list(variable, v)?.iter().map(|t| Template::new(t)).collect();
    for template in &templates {
        fields::group_name(variable, &template.render(SAMPLE)).map_err(|e| {
            FieldError::new(
                variable,
                format!("with {PLACEHOLDER} replaced: {}", e.rule),
                template.as_str(),
            )
        })?;
    }
    Ok(templates)
}

#[cfg(test)]
mod tests;
