//! A SCIM user as the one upsert every sign-up becomes: the session name from `userName` (or the
//! primary e-mail), the login from `externalId` (or the SCIM id), the role from `roles` and the
//! user's groups through GROUP_MAPPING. Its memberships are the Groups' business, so the upsert
//! syncs none.

use std::collections::BTreeSet;

use qs_model::message::{Change, Planned};
use qs_model::signup::{SessionNameSource, SignupUser};
use qs_model::validate::{FieldError, UserRole, ValidationErrors};
use serde_json::Value;

use crate::error::ScimError;
use crate::protocol::get_ci;
use crate::resource::{Ctx, optional_string, required_string};
use crate::settings::{LoginIdSource, SessionSource};

/// `groups`: the display names of the SCIM groups the user is in. `relink`: the user is this
/// service's already, so a new `externalId` moves its login (a create never takes over a user
/// another identity holds).
pub fn plan(
    ctx: &Ctx<'_>,
    id: &str,
    resource: &Value,
    groups: &BTreeSet<String>,
    relink: bool,
) -> Result<Planned, ScimError> {
    let settings = &ctx.app.settings;
    let config = &ctx.app.config;
    let user_name = required_string(resource, "userName")?;
    let email = primary_email(resource)?.or_else(|| user_name.contains('@').then(|| user_name.clone()));
    let external_id = optional_string(resource, "externalId")?;
    let login_id = match settings.login_id {
        LoginIdSource::ExternalId => external_id.unwrap_or_else(|| id.to_owned()),
        LoginIdSource::Id => id.to_owned(),
    };
    let roles = role_values(resource)?;
    let idp_groups: Vec<&str> = roles
        .iter()
        .map(String::as_str)
        .chain(groups.iter().map(String::as_str))
        .collect();
    let signup = SignupUser {
        email,
        sub: Some(user_name),
        external_login_id: Some(login_id),
        // The mapped role and custom permissions profile; memberships are the Groups' business.
        idp_groups: idp_groups.iter().map(|g| (*g).to_owned()).collect(),
        provider_url: settings.provider_url.clone(),
        tenant: ctx.home.tenant.clone(),
    };
    let source = match settings.session_source {
        SessionSource::UserName => SessionNameSource::Sub,
        SessionSource::Email => SessionNameSource::Email,
    };
    let mut change = signup.to_change(config, source).map_err(in_scim_terms)?;
    if let Change::Upsert(upsert) = &mut change {
        let mapped = config
            .group_mapping
            .lookup(idp_groups.iter().copied())
            .iter()
            .filter_map(|m| m.role)
            .max();
        // A role named as QuickSight spells it (any case) is that role.
        let named = roles
            .iter()
            .filter_map(|r| UserRole::parse("roles", &r.to_ascii_uppercase()).ok())
            .max();
        upsert.role = Some(mapped.max(named).unwrap_or(config.default_role).as_str().to_owned());
        upsert.groups = None;
        upsert.relink = Some(relink);
    }
    change.plan(config).map_err(in_scim_terms)
}

/// The primary e-mail's value, else the first's.
fn primary_email(resource: &Value) -> Result<Option<String>, ScimError> {
    let Some(emails) = get_ci(resource, "emails").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let emails = emails
        .as_array()
        .ok_or_else(|| crate::users::invalid(format!("emails must be an array, not {emails}")))?;
    let primary = emails
        .iter()
        .find(|e| get_ci(e, "primary") == Some(&Value::Bool(true)))
        .or_else(|| emails.first());
    Ok(primary
        .and_then(|e| get_ci(e, "value"))
        .and_then(Value::as_str)
        .map(str::to_owned))
}

fn role_values(resource: &Value) -> Result<Vec<String>, ScimError> {
    let Some(roles) = get_ci(resource, "roles").filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let roles = roles
        .as_array()
        .ok_or_else(|| crate::users::invalid(format!("roles must be an array, not {roles}")))?;
    Ok(roles
        .iter()
        .filter_map(|r| get_ci(r, "value").or(Some(r)).and_then(Value::as_str))
        .map(str::to_owned)
        .collect())
}

/// The shared validation names fields as sign-ups know them; a SCIM client knows its attributes.
fn in_scim_terms(errors: ValidationErrors) -> ScimError {
    let renamed = errors
        .0
        .into_iter()
        .map(|e| {
            let field = match e.field.as_str() {
                "email" | "Email" => "emails",
                "sub" | "SessionName" => "userName",
                "ExternalLoginId" => "externalId",
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
