//! From a parsed message to what the engine does, with every value validated first.

use std::collections::BTreeSet;

use tokio::time::Instant;

use super::check::check_version;
use super::{Change, GroupsChange, Upsert, UserRef};
use crate::config::{Config, GroupScope};
use crate::engine::{Engine, EngineError, Outcome};
use crate::validate::{FieldError, ProviderKind, UserRole, UserSpec, ValidationErrors, derive_session_name, fields};

/// A change ready for the engine: every value valid, the user named as QuickSight names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    Upsert {
        spec: UserSpec,
        groups: Option<BTreeSet<String>>,
    },
    AddGroups {
        user_name: String,
        groups: BTreeSet<String>,
    },
    RemoveGroups {
        user_name: String,
        groups: BTreeSet<String>,
    },
    Delete {
        user_name: String,
    },
}

impl Planned {
    /// The QuickSight user name the change is about (changes to one user must not race).
    pub fn user_name(&self, engine: &Engine) -> String {
        match self {
            Planned::Upsert { spec, .. } => engine.user_name(&spec.session_name),
            Planned::AddGroups { user_name, .. }
            | Planned::RemoveGroups { user_name, .. }
            | Planned::Delete { user_name } => user_name.clone(),
        }
    }

    pub async fn apply(&self, engine: &Engine, scope: &GroupScope, deadline: Instant) -> Result<Outcome, EngineError> {
        match self {
            Planned::Upsert { spec, groups } => engine.provision(spec, groups.as_ref(), scope, deadline).await,
            Planned::AddGroups { user_name, groups } => {
                engine
                    .change_groups(user_name, groups, &BTreeSet::new(), deadline)
                    .await
            }
            Planned::RemoveGroups { user_name, groups } => {
                engine
                    .change_groups(user_name, &BTreeSet::new(), groups, deadline)
                    .await
            }
            Planned::Delete { user_name } => engine.delete_user(user_name, deadline).await,
        }
    }
}

fn group_set(errors: &mut ValidationErrors, groups: &[String]) -> BTreeSet<String> {
    for g in groups {
        errors.check(fields::group_name(g).map_err(|e| FieldError::new("groups", e.rule, &e.value)));
    }
    groups.iter().cloned().collect()
}

/// `RoleName/SessionName` from exactly one of user_name, session_name, email.
fn user_name(
    errors: &mut ValidationErrors,
    engine: &Engine,
    user: (&Option<String>, &Option<String>, &Option<String>),
) -> String {
    match user {
        (Some(name), None, None) => {
            errors.check(fields::user_name(name));
            name.clone()
        }
        (None, Some(session), None) => {
            errors.check(fields::session_name(session));
            engine.user_name(session)
        }
        (None, None, Some(email)) => {
            errors.check(fields::email(email).map_err(|e| FieldError::new("email", e.rule, &e.value)));
            derive_session_name("email", email)
                .map(|s| engine.user_name(&s))
                .unwrap_or_default()
        }
        _ => {
            errors.0.push(FieldError::new(
                "user_name",
                "exactly one of user_name, session_name or email is required",
                "",
            ));
            String::new()
        }
    }
}

impl Change {
    /// Validates every value against the configuration and QuickSight's rules; reports all problems.
    pub fn plan(&self, config: &Config, engine: &Engine) -> Result<Planned, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let planned = match self {
            Change::Upsert(u) => plan_upsert(&mut errors, config, u),
            Change::AddGroups(GroupsChange {
                version,
                user_name: n,
                session_name: s,
                email: e,
                groups,
            })
            | Change::RemoveGroups(GroupsChange {
                version,
                user_name: n,
                session_name: s,
                email: e,
                groups,
            }) => {
                check_version(&mut errors, *version);
                let user_name = user_name(&mut errors, engine, (n, s, e));
                if groups.is_empty() {
                    errors
                        .0
                        .push(FieldError::new("groups", "must name at least one group", ""));
                }
                let groups = group_set(&mut errors, groups);
                if matches!(self, Change::AddGroups(_)) {
                    Planned::AddGroups { user_name, groups }
                } else {
                    Planned::RemoveGroups { user_name, groups }
                }
            }
            Change::Delete(UserRef {
                version,
                user_name: n,
                session_name: s,
                email: e,
            }) => {
                check_version(&mut errors, *version);
                Planned::Delete {
                    user_name: user_name(&mut errors, engine, (n, s, e)),
                }
            }
        };
        errors.into_result().map(|()| planned)
    }
}

fn plan_upsert(errors: &mut ValidationErrors, config: &Config, u: &Upsert) -> Planned {
    check_version(errors, u.version);
    let session_name = match &u.session_name {
        Some(s) => s.clone(),
        None => errors.check(derive_session_name("email", &u.email)).unwrap_or_default(),
    };
    let role = match &u.role {
        Some(r) => errors.check(UserRole::parse("role", r)).unwrap_or(config.default_role),
        None => config.default_role,
    };
    let external_login = match (config.external_login_provider, &u.external_login_id) {
        (ProviderKind::None, None) => Some(crate::validate::ExternalLogin::None),
        (ProviderKind::None, Some(id)) => {
            errors.0.push(FieldError::new(
                "external_login_id",
                "is not used: EXTERNAL_LOGIN_PROVIDER is NONE",
                id,
            ));
            None
        }
        (_, None) => {
            let rule = format!(
                "is required with EXTERNAL_LOGIN_PROVIDER={}",
                config.external_login_provider.as_str()
            );
            errors.0.push(FieldError::new("external_login_id", rule, ""));
            None
        }
        (_, Some(id)) => match config.external_login(id, u.provider_url.as_deref()) {
            Ok(login) => Some(login),
            Err(e) => {
                errors.0.extend(e.0);
                None
            }
        },
    };
    let mut tags = config.user_tags.clone();
    tags.extend(u.tags.clone());
    let spec = UserSpec {
        email: u.email.clone(),
        session_name,
        role,
        custom_permissions_name: u.custom_permissions_name.clone(),
        external_login: external_login.unwrap_or(crate::validate::ExternalLogin::None),
        tags,
    };
    if let Err(e) = spec.validate() {
        // An invalid derived login was reported above already.
        let fresh: Vec<FieldError> = e.0.into_iter().filter(|f| !errors_has(errors, &f.field)).collect();
        errors.0.extend(fresh);
    }
    let groups = u.groups.as_deref().map(|g| group_set(errors, g));
    Planned::Upsert { spec, groups }
}

fn errors_has(errors: &ValidationErrors, field: &str) -> bool {
    errors.0.iter().any(|e| e.field == field)
}
