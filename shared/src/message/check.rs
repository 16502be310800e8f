//! What can be checked of a change without a deployment's configuration (qs-enqueue checks every
//! row with this before anything is sent; sqs-sync checks the rest with `plan`).

use sha2::{Digest, Sha256};

use super::{Change, GroupsChange, Upsert, UserRef, VERSION};
use crate::validate::{FieldError, UserRole, ValidationErrors, fields};

impl Change {
    /// Every problem that does not depend on the configuration.
    pub fn check(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let (version, user, groups) = match self {
            Change::Upsert(u) => {
                check_upsert(&mut errors, u);
                (u.version, None, u.groups.as_deref())
            }
            Change::AddGroups(g) | Change::RemoveGroups(g) => {
                if g.groups.is_empty() {
                    errors
                        .0
                        .push(FieldError::new("groups", "must name at least one group", ""));
                }
                (
                    g.version,
                    Some((&g.user_name, &g.session_name, &g.email)),
                    Some(g.groups.as_slice()),
                )
            }
            Change::Delete(d) => (d.version, Some((&d.user_name, &d.session_name, &d.email)), None),
        };
        check_version(&mut errors, version);
        if let Some(user) = user {
            check_user_ref(&mut errors, user);
        }
        for g in groups.unwrap_or_default() {
            errors.check(fields::group_name(g).map_err(|e| FieldError::new("groups", e.rule, &e.value)));
        }
        errors.into_result()
    }

    /// The FIFO `MessageGroupId` (the user, so one user's changes keep their order) and
    /// `MessageDeduplicationId` (the body's SHA-256, so sending the same change twice adds nothing).
    pub fn fifo_ids(&self) -> (String, String) {
        let digest = Sha256::digest(self.to_json().as_bytes());
        (self.user_key(), digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The user the change is about, as the message names it (FIFO queues group by it).
    pub fn user_key(&self) -> String {
        let key = match self {
            Change::Upsert(Upsert {
                session_name: Some(s), ..
            }) => s,
            Change::Upsert(Upsert { email, .. }) => email,
            Change::AddGroups(GroupsChange {
                user_name,
                session_name,
                email,
                ..
            })
            | Change::RemoveGroups(GroupsChange {
                user_name,
                session_name,
                email,
                ..
            })
            | Change::Delete(UserRef {
                user_name,
                session_name,
                email,
                ..
            }) => user_name
                .as_ref()
                .or(session_name.as_ref())
                .or(email.as_ref())
                .map_or("", |s| s),
        };
        key.to_lowercase()
    }
}

pub(super) fn check_version(errors: &mut ValidationErrors, version: u32) {
    if version != VERSION {
        errors.0.push(FieldError::new(
            "version",
            format!("must be {VERSION}"),
            &version.to_string(),
        ));
    }
}

fn check_upsert(errors: &mut ValidationErrors, u: &Upsert) {
    errors.check(fields::email(&u.email).map_err(|e| FieldError::new("email", e.rule, &e.value)));
    if let Some(s) = &u.session_name {
        errors.check(fields::session_name(s).map_err(|e| FieldError::new("session_name", e.rule, &e.value)));
    }
    if let Some(r) = &u.role {
        errors.check(UserRole::parse("role", r));
    }
    if let Some(c) = &u.custom_permissions_name {
        errors.check(
            fields::custom_permissions_name(c)
                .map_err(|e| FieldError::new("custom_permissions_name", e.rule, &e.value)),
        );
    }
    if let Some(id) = &u.external_login_id {
        errors.check(fields::external_login_id(id).map_err(|e| FieldError::new("external_login_id", e.rule, &e.value)));
    }
    if let Some(url) = &u.provider_url {
        errors.check(fields::provider_url(url).map_err(|e| FieldError::new("provider_url", e.rule, &e.value)));
    }
    errors
        .0
        .extend(fields::tags(u.tags.iter().map(|(k, v)| (k.as_str(), v.as_str()))));
}

fn check_user_ref(errors: &mut ValidationErrors, user: (&Option<String>, &Option<String>, &Option<String>)) {
    match user {
        (Some(n), None, None) => {
            errors.check(fields::user_name(n).map_err(|e| FieldError::new("user_name", e.rule, &e.value)));
        }
        (None, Some(s), None) => {
            errors.check(fields::session_name(s).map_err(|e| FieldError::new("session_name", e.rule, &e.value)));
        }
        (None, None, Some(e)) => {
            errors.check(fields::email(e).map_err(|e| FieldError::new("email", e.rule, &e.value)));
        }
        _ => errors.0.push(FieldError::new(
            "user_name",
            "exactly one of user_name, session_name or email is required",
            "",
        )),
    }
}
