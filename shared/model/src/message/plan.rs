//! One validation of a change, with or without a deployment's configuration: `check` runs every
//! rule a message can break on its own (qs-enqueue checks each row with it before sending);
//! `plan` runs the same rules plus those that need the configuration, and gives the change as the
//! engine applies it. Errors name the message's own fields.

use std::collections::{BTreeMap, BTreeSet};

use super::{Change, GroupsChange, Upsert, UserRef, VERSION};
use crate::config::{Config, GroupScope, LoginRelink};
use crate::tenant::Home;
use crate::validate::{
    ExternalLogin, FieldError, Profile, ProviderKind, UserRole, UserSpec, ValidationErrors, derive_session_name, fields,
};

/// A change ready for the engine: every value valid, the user named as QuickSight names it, in
/// its home (namespace and role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub home: Home,
    pub action: UserAction,
}

/// What a planned change does to its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserAction {
    Upsert {
        /// Boxed: a spec is several times the size of the other actions.
        spec: Box<UserSpec>,
        groups: Option<GroupSync>,
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
    /// Delete the "N/A" user with this principal id (its IAM role was deleted).
    DeleteByPrincipalId {
        principal_id: String,
    },
}

/// The groups an upsert leaves its user in: every group of `desired`, and no other group of
/// `scope` (groups outside it keep their members).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupSync {
    pub desired: BTreeSet<String>,
    pub scope: GroupScope,
}

impl Planned {
    /// The QuickSight user name the change is about (changes to one user must not race).
    pub fn user_name(&self) -> &str {
        match &self.action {
            UserAction::Upsert { spec, .. } => &spec.user_name,
            UserAction::AddGroups { user_name, .. }
            | UserAction::RemoveGroups { user_name, .. }
            | UserAction::Delete { user_name } => user_name,
            // No name is left; the principal id stands for the user.
            UserAction::DeleteByPrincipalId { principal_id } => principal_id,
        }
    }
}

impl Change {
    /// Every problem that does not depend on the configuration.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        Validation::new(None).change(self).map(drop)
    }

    /// Every problem, against the configuration too; and the change as the engine applies it.
    pub fn plan(&self, config: &Config) -> Result<Planned, ValidationErrors> {
        let planned = Validation::new(Some(config)).change(self)?;
        Ok(planned.expect("a configuration gives a plan"))
    }
}

struct Validation<'a> {
    config: Option<&'a Config>,
    /// The change's home, once its tenant is checked (`None` without a configuration, or when
    /// the tenant is refused).
    home: Option<Home>,
    errors: ValidationErrors,
}

impl<'a> Validation<'a> {
    fn new(config: Option<&'a Config>) -> Self {
        Self {
            config,
            home: None,
            errors: ValidationErrors::default(),
        }
    }

    /// The plan (`None` without a configuration), or every error.
    fn change(mut self, change: &Change) -> Result<Option<Planned>, ValidationErrors> {
        // First: every name below is built from the home, so a hostile tenant stops here.
        self.tenant(change.tenant());
        let action = match change {
            Change::Upsert(u) => self.upsert(u),
            Change::AddGroups(g) => self
                .groups_change(g)
                .map(|(user_name, groups)| UserAction::AddGroups { user_name, groups }),
            Change::RemoveGroups(g) => self
                .groups_change(g)
                .map(|(user_name, groups)| UserAction::RemoveGroups { user_name, groups }),
            Change::Delete(UserRef {
                version,
                user_name,
                session_name,
                email,
                principal_id: Some(principal_id),
                ..
            }) => {
                self.version(*version);
                if user_name.is_some() || session_name.is_some() || email.is_some() {
                    self.fail(
                        "principal_id",
                        "names the user alone: no user_name, session_name or email with it",
                        "",
                    );
                }
                if principal_id.trim().is_empty() {
                    self.fail("principal_id", "must not be empty", principal_id);
                }
                self.config.map(|_| UserAction::DeleteByPrincipalId {
                    principal_id: principal_id.clone(),
                })
            }
            Change::Delete(UserRef {
                version,
                user_name,
                session_name,
                email,
                principal_id: None,
                ..
            }) => {
                self.version(*version);
                self.user(user_name, session_name, email)
                    .map(|user_name| UserAction::Delete { user_name })
            }
        };
        self.errors.into_result()?;
        Ok(self.home.zip(action).map(|(home, action)| Planned { home, action }))
    }

    /// The home the tenant gives, with a configuration; without one, the tenant's own rule.
    fn tenant(&mut self, tenant: Option<&str>) {
        match self.config {
            Some(config) => self.home = self.check(config.home(tenant)),
            None => {
                if let Some(t) = tenant {
                    self.check(fields::tenant("tenant", t));
                }
            }
        }
    }

    fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        self.errors.check(result)
    }

    fn fail(&mut self, field: &str, rule: impl Into<String>, value: &str) {
        self.errors.0.push(FieldError::new(field, rule, value));
    }

    fn version(&mut self, version: u32) {
        if version != VERSION {
            self.fail("version", format!("must be {VERSION}"), &version.to_string());
        }
    }

    fn groups(&mut self, groups: &[String]) -> BTreeSet<String> {
        for g in groups {
            self.check(fields::group_name("groups", g));
        }
        groups.iter().cloned().collect()
    }

    fn groups_change(&mut self, g: &GroupsChange) -> Option<(String, BTreeSet<String>)> {
        self.version(g.version);
        let user_name = self.user(&g.user_name, &g.session_name, &g.email);
        if g.groups.is_empty() {
            self.fail("groups", "must name at least one group", "");
        }
        let groups = self.groups(&g.groups);
        user_name.map(|u| (u, groups))
    }

    /// `RoleName/SessionName` from exactly one of the three ways a message names a user.
    fn user(
        &mut self,
        user_name: &Option<String>,
        session_name: &Option<String>,
        email: &Option<String>,
    ) -> Option<String> {
        let session_name = match (user_name, session_name, email) {
            (Some(name), None, None) => self.user_name(name),
            (None, Some(session), None) => self
                .check(fields::session_name("session_name", session))
                .map(|()| session.clone()),
            (None, None, Some(email)) => self
                .check(fields::email("email", email))
                .and_then(|()| self.check(derive_session_name("email", email))),
            _ => {
                self.fail(
                    "user_name",
                    "exactly one of user_name, session_name or email is required",
                    "",
                );
                None
            }
        }?;
        Some(self.home.as_ref()?.user_name(&session_name))
    }

    /// The session name of a `RoleName/SessionName`, refusing a name that is not of this form or,
    /// with a configuration, not of this deployment's role (its users are not ours to change).
    fn user_name(&mut self, name: &str) -> Option<String> {
        let role = match (&self.home, self.config) {
            (Some(home), _) => home.role.name.clone(),
            (None, None) => "RoleName".to_owned(),
            // The tenant is refused, and with it any name.
            (None, Some(_)) => return None,
        };
        let shape = format!("must be {role}/<session name> (QuickSight names federated users RoleName/SessionName)");
        let Some((named_role, session)) = name.split_once('/') else {
            self.fail("user_name", shape, name);
            return None;
        };
        if fields::role_name("user_name", named_role).is_err() || fields::session_name("user_name", session).is_err() {
            self.fail("user_name", shape, name);
            return None;
        }
        if self.config.is_some() && named_role != role {
            let rule = format!("names a user of role {named_role}; this deployment changes only users of role {role}");
            self.fail("user_name", rule, name);
            return None;
        }
        Some(session.to_owned())
    }

    fn upsert(&mut self, u: &Upsert) -> Option<UserAction> {
        self.version(u.version);
        let email_ok = self.check(fields::email("email", &u.email)).is_some();
        let session_name = match &u.session_name {
            Some(s) => self.check(fields::session_name("session_name", s)).map(|()| s.clone()),
            // A bad e-mail is reported once, not again as a session name that cannot be derived.
            None if email_ok => self.check(derive_session_name("email", &u.email)),
            None => None,
        };
        let role = match &u.role {
            Some(r) => self.check(UserRole::parse("role", r)),
            None => self.config.map(|c| c.default_role),
        };
        if let Some(name) = &u.custom_permissions_name {
            self.check(fields::custom_permissions_name("custom_permissions_name", name));
        }
        if let Some(id) = &u.external_login_id {
            self.check(fields::external_login_id("external_login_id", id));
        }
        if let Some(url) = &u.provider_url {
            self.check(fields::provider_url("provider_url", url));
        }
        self.errors.0.extend(fields::tags(
            "tags",
            u.tags.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ));
        let groups = u.groups.as_deref().map(|g| self.groups(g));

        let config = self.config?;
        let external_login = self.external_login(config, u);
        let tags = self.tags(config, &u.tags);
        let session_name = session_name?;
        let home = self.home.as_ref()?;
        let groups = group_sync(config, home, groups);
        let spec = UserSpec {
            user_name: home.user_name(&session_name),
            email: u.email.clone(),
            session_name,
            role: role?,
            custom_permissions: match (u.custom_permissions_from_directory, &u.custom_permissions_name) {
                (Some(true), name) => config.custom_permissions.from_directory(name.clone()),
                (_, Some(name)) => Profile::Named { name: name.clone() },
                (_, None) => Profile::Leave,
            },
            external_login: external_login?,
            tags,
            relink: u.relink == Some(true) || config.external_login_relink == LoginRelink::Allow,
        };
        Some(UserAction::Upsert {
            spec: Box::new(spec),
            groups,
        })
    }

    /// The login the deployment's provider type calls for.
    fn external_login(&mut self, config: &Config, u: &Upsert) -> Option<ExternalLogin> {
        let kind = config.external_login_provider;
        match (kind, u.external_login_id.clone()) {
            (ProviderKind::None, None) => Some(ExternalLogin::None),
            (ProviderKind::None, Some(id)) => {
                self.fail("external_login_id", "is not used: EXTERNAL_LOGIN_PROVIDER is NONE", &id);
                None
            }
            (_, None) => {
                self.fail(
                    "external_login_id",
                    format!("is required with EXTERNAL_LOGIN_PROVIDER={}", kind.as_str()),
                    "",
                );
                None
            }
            (ProviderKind::Cognito, Some(id)) => Some(ExternalLogin::Cognito { id }),
            (ProviderKind::CustomOidc, Some(id)) => {
                // The configured URL wins; a sign-up derives its own (a pool's or a token's issuer).
                match config
                    .custom_federation_provider_url
                    .as_ref()
                    .or(u.provider_url.as_ref())
                {
                    Some(url) => Some(ExternalLogin::CustomOidc {
                        provider_url: url.clone(),
                        id,
                    }),
                    None => {
                        self.fail(
                            "provider_url",
                            "is required with CUSTOM_OIDC when CUSTOM_FEDERATION_PROVIDER_URL is not set",
                            "",
                        );
                        None
                    }
                }
            }
        }
    }

    /// The deployment's USER_TAGS under the message's own.
    fn tags(&mut self, config: &Config, own: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut tags = config.user_tags.clone();
        tags.extend(own.clone());
        if tags.len() > 200 {
            self.fail(
                "tags",
                "at most 200 tags with USER_TAGS included",
                &format!("{} tags", tags.len()),
            );
        }
        tags
    }
}

/// The groups an upsert syncs in `home`: the message's (none: memberships untouched) plus the
/// tenant's groups, which every user of the tenant joins, even when the message gives no groups.
fn group_sync(config: &Config, home: &Home, groups: Option<BTreeSet<String>>) -> Option<GroupSync> {
    let tenant_groups = config.tenant_groups(home);
    match groups {
        Some(mut desired) => {
            desired.extend(tenant_groups);
            Some(GroupSync {
                desired,
                scope: config.group_scope(home),
            })
        }
        None if tenant_groups.is_empty() => None,
        // Joined, and nothing removed: an empty scope manages no group.
        None => Some(GroupSync {
            desired: tenant_groups.into_iter().collect(),
            scope: GroupScope::default(),
        }),
    }
}
