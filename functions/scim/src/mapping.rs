//! A SCIM user as the engine's upsert: the session name from `userName` (or the primary e-mail,
//! `SCIM_SESSION_NAME`), the login from `externalId` (or the SCIM id, `SCIM_LOGIN_ID`), the role
//! from `roles` and the user's groups through GROUP_MAPPING, the custom permissions profile the
//! directory gives. Its memberships are the Groups' business, so the upsert syncs none.

use std::collections::BTreeSet;

use qs_model::message::{Change, Planned, Upsert, VERSION};
use qs_model::validate::{FieldError, ProviderKind, UserRole, ValidationErrors, derive_session_name};
use serde_json::{Map, Value};

use crate::error::{ScimError, ScimType};
use crate::records::{Ctx, text};
use crate::settings::{LoginIdSource, SessionSource};

/// `resource`: a user's attributes, its required ones present ([`crate::protocol::schema::require`]).
/// `groups`: the display names of the SCIM groups it is in. `relink`: the user is this service's
/// already, so a new `externalId` moves its login (a create never takes over a user another
/// identity holds).
pub fn plan(
    ctx: &Ctx<'_>,
    id: &str,
    resource: &Map<String, Value>,
    groups: &BTreeSet<String>,
    relink: bool,
) -> Result<Planned, ScimError> {
    let (config, settings) = (&ctx.app.config, &ctx.app.settings);
    let user_name = text(resource, "userName").unwrap_or_default();
    let email = primary_email(resource).ok_or_else(|| {
        ScimError::bad(
            ScimType::InvalidValue,
            "emails is required: QuickSight registers no user without an e-mail",
        )
    })?;
    let session_name = match settings.session_source {
        SessionSource::UserName => derive_session_name("userName", user_name),
        SessionSource::Email => derive_session_name("emails", email),
    }
    .map_err(|e| ScimError::from(ValidationErrors(vec![e])))?;
    let external_login_id = match (config.external_login_provider, settings.login_id) {
        (ProviderKind::None, _) => None,
        (_, LoginIdSource::ExternalId) => Some(text(resource, "externalId").unwrap_or(id).to_owned()),
        (_, LoginIdSource::Id) => Some(id.to_owned()),
    };
    let roles = role_values(resource);
    let directory: Vec<&str> = roles.iter().copied().chain(groups.iter().map(String::as_str)).collect();
    let mapped = config
        .group_mapping
        .lookup(directory.iter().copied())
        .iter()
        .filter_map(|m| m.role)
        .max();
    // A role named as QuickSight spells it (any case) is that role.
    let named = roles
        .iter()
        .filter_map(|r| UserRole::parse("roles", &r.to_ascii_uppercase()).ok())
        .max();
    let role = mapped.max(named).unwrap_or(config.default_role);
    let (custom_permissions_from_directory, custom_permissions_name) =
        config.directory_profile(directory.iter().copied());
    let upsert = Upsert {
        version: VERSION,
        tenant: ctx.home.tenant.clone(),
        email: email.to_owned(),
        session_name: Some(session_name),
        external_login_id,
        provider_url: config.derived_provider_url(settings.provider_url.clone()),
        role: Some(role.as_str().to_owned()),
        custom_permissions_from_directory,
        custom_permissions_name,
        tags: Default::default(),
        groups: None,
        relink: Some(relink),
    };
    Change::Upsert(upsert).plan(config).map_err(in_scim_terms)
}

/// The primary e-mail's value, else the first's.
fn primary_email(resource: &Map<String, Value>) -> Option<&str> {
    let emails = resource.get("emails")?.as_array()?;
    emails
        .iter()
        .find(|e| e.get("primary") == Some(&Value::Bool(true)))
        .or_else(|| emails.first())
        .and_then(|e| e.get("value"))
        .and_then(Value::as_str)
}

fn role_values(resource: &Map<String, Value>) -> Vec<&str> {
    let roles = resource.get("roles").and_then(Value::as_array);
    roles
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("value").and_then(Value::as_str))
        .collect()
}

/// The message's validation names its fields; a SCIM client knows its attributes.
fn in_scim_terms(errors: ValidationErrors) -> ScimError {
    let renamed = errors
        .0
        .into_iter()
        .map(|e| {
            let field = match e.field.as_str() {
                "email" => "emails",
                "session_name" => "userName",
                "external_login_id" => "externalId",
                other => other,
            };
            FieldError {
                field: field.to_owned(),
                ..e
            }
        })
        .collect();
    ScimError::from(ValidationErrors(renamed))
}
