use std::path::PathBuf;

use qs_model::config::{EnvReader, parse};
use qs_model::signup::CognitoAttributes;
use qs_model::validate::{FieldError, fields};

/// What a reconcile may do beyond registering and updating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `RECONCILE_DELETE_ORPHANS`: delete this directory's "N/A" users (their IAM role was deleted).
    pub delete_orphans: bool,
    /// `RECONCILE_RELINK`: move a user's login to the directory's re-created account of the same name.
    pub relink: bool,
    /// `RECONCILE_MAX_DELETES`: above this many deletions, none is sent.
    pub max_deletes: u32,
    /// `RECONCILE_MAX_DELETE_PERCENT`: above this share of the owned users (when there are at least
    /// [`Options::PERCENT_FLOOR`]), none is sent.
    pub max_delete_percent: u32,
    /// `RECONCILE_TENANTS` (qs-reconcile's `--tenant`): the tenants to reconcile; empty: every
    /// tenant the directory names.
    pub tenants: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            delete_orphans: false,
            relink: false,
            max_deletes: 25,
            max_delete_percent: 5,
            tenants: Vec::new(),
        }
    }
}

impl Options {
    /// Below this many owned users the percentage guard does not apply (one leaver of ten is 10%).
    pub const PERCENT_FLOOR: usize = 100;

    pub fn read(env: &mut EnvReader) -> Self {
        let default = Self::default();
        Self {
            delete_orphans: env
                .optional("RECONCILE_DELETE_ORPHANS", parse::boolean)
                .unwrap_or(default.delete_orphans),
            relink: env
                .optional("RECONCILE_RELINK", parse::boolean)
                .unwrap_or(default.relink),
            max_deletes: env
                .optional("RECONCILE_MAX_DELETES", parse::number_in(0..=1_000_000))
                .unwrap_or(default.max_deletes),
            max_delete_percent: env
                .optional("RECONCILE_MAX_DELETE_PERCENT", parse::number_in(0..=100))
                .unwrap_or(default.max_delete_percent),
            tenants: env.optional("RECONCILE_TENANTS", parse_tenants).unwrap_or_default(),
        }
    }
}

fn parse_tenants(variable: &str, v: &str) -> Result<Vec<String>, FieldError> {
    let tenants = parse::list(variable, v)?;
    for tenant in &tenants {
        fields::tenant(variable, tenant)?;
    }
    Ok(tenants)
}

/// Where a Cognito user's groups come from (`DIRECTORY_GROUPS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupsSource {
    /// `GROUPS_ATTRIBUTE`, as the sign-up trigger reads it.
    Attribute,
    /// The pool's own groups (ListGroups, ListUsersInGroup), plus `GROUPS_ATTRIBUTE` if set.
    Pool,
}

impl GroupsSource {
    pub fn parse(field: &str, v: &str) -> Result<Self, FieldError> {
        match v {
            "attribute" => Ok(Self::Attribute),
            "pool" => Ok(Self::Pool),
            _ => Err(FieldError::new(field, "must be attribute or pool", v)),
        }
    }
}

/// The directory a reconcile reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectorySource {
    /// A Cognito user pool (`USER_POOL_ID`), read with ListUsers.
    Cognito {
        pool_id: String,
        groups: GroupsSource,
        attributes: CognitoAttributes,
    },
    /// Any other identity provider: an export in qs-enqueue's upsert format (CSV or JSON Lines).
    /// `issuer` is its provider URL, when CUSTOM_FEDERATION_PROVIDER_URL does not give it.
    Export { path: PathBuf, issuer: Option<String> },
    /// None given: enough for an account whose users come from IAM Identity Center or Active
    /// Directory (role memberships and self-upgrades are all a reconcile does there).
    None,
}

impl DirectorySource {
    /// A user pool from `USER_POOL_ID`, `DIRECTORY_GROUPS` and the sign-up attributes; `None`
    /// without `USER_POOL_ID`.
    pub fn read_cognito(env: &mut EnvReader) -> Self {
        if env.raw("USER_POOL_ID").is_none() {
            return Self::None;
        }
        let pool_id = env.required("USER_POOL_ID", |field, v| {
            if v.contains('_') {
                Ok(v.to_owned())
            } else {
                Err(FieldError::new(
                    field,
                    "must be a user pool id like eu-west-1_Ab12Cd34E",
                    v,
                ))
            }
        });
        Self::Cognito {
            pool_id: pool_id.unwrap_or_default(),
            groups: env
                .optional("DIRECTORY_GROUPS", GroupsSource::parse)
                .unwrap_or(GroupsSource::Attribute),
            attributes: CognitoAttributes::read(env),
        }
    }
}
