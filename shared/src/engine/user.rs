use aws_sdk_quicksight::operation::register_user::builders::RegisterUserFluentBuilder;
use aws_sdk_quicksight::types::{IdentityType, Tag, User};

use super::error::{EXISTS, NOT_FOUND, code_of, from_sdk};
use super::{Engine, EngineError, FirstCall, GroupChanges, Outcome, RoleDowngradeReport, UserChange};
use crate::config::RoleDowngrade;
use crate::existing::ExistingUser;
use crate::validate::{ExternalLogin, ProviderKind, UserRole, UserSpec};

impl Engine {
    pub(super) async fn register_or_update_now(&self, spec: &UserSpec) -> Result<Outcome, EngineError> {
        spec.validate()?;
        let user_name = self.user_name(&spec.session_name);
        // A dry run is the describe-first path stopped before its first write.
        if self.dry_run || self.first_call == FirstCall::Describe {
            match self.describe_user(&user_name).await? {
                Some(existing) => return self.update_if_changed(spec, &user_name, existing).await,
                None if self.dry_run => {
                    return Ok(self.outcome(&user_name, None, UserChange::Registered, GroupChanges::default()));
                }
                None => {}
            }
        }
        match self.register_request(spec).send().await {
            Ok(out) => {
                self.recent.record(&user_name);
                let arn = out.user().and_then(User::arn).map(str::to_owned);
                Ok(self.outcome(&user_name, arn, UserChange::Registered, GroupChanges::default()))
            }
            Err(e) if code_of(&e) == EXISTS => match self.describe_user(&user_name).await? {
                Some(existing) => self.update_if_changed(spec, &user_name, existing).await,
                // RegisterUser said it exists: a concurrent registration QuickSight does not show yet.
                None => Err(EngineError::NotYetVisible {
                    user: user_name,
                    operation: "DescribeUser",
                    waited: Default::default(),
                }),
            },
            Err(e) => Err(from_sdk("RegisterUser", e)),
        }
    }

    /// RegisterUser for `spec`, federated through the role.
    fn register_request(&self, spec: &UserSpec) -> RegisterUserFluentBuilder {
        let login = &spec.external_login;
        let mut request = self
            .client
            .register_user()
            .aws_account_id(&self.account_id)
            .namespace(&self.namespace)
            // IAM users are named RoleName/SessionName by QuickSight; sending UserName is refused.
            .identity_type(IdentityType::Iam)
            .iam_arn(&self.role.arn)
            .session_name(&spec.session_name)
            .email(&spec.email)
            .user_role(spec.role.as_str().into())
            .set_custom_permissions_name(spec.custom_permissions_name.clone())
            .set_custom_federation_provider_url(login.provider_url_to_send().map(str::to_owned));
        if let Some(id) = login.id() {
            request = request
                .external_login_federation_provider_type(login.kind().as_str())
                .external_login_id(id);
        }
        for (key, value) in &spec.tags {
            request = request.tags(
                Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .expect("key and value are set"),
            );
        }
        request
    }

    async fn update_if_changed(
        &self,
        spec: &UserSpec,
        user_name: &str,
        existing: User,
    ) -> Result<Outcome, EngineError> {
        let arn = existing.arn().map(str::to_owned);
        let existing = existing_user(&existing);
        // One external login per user: another identity (the same e-mail, another `sub` or
        // provider) must not take the user over, unless this change may move the login.
        if existing.is_tied() && !spec.relink && existing.login_differs(spec) {
            return Err(EngineError::LoginConflict {
                user: user_name.to_owned(),
            });
        }
        // Decided from what DescribeUser returned: QuickSight refuses UpdateUser from an author or
        // admin down to a reader, so that call is never sent.
        let downgrade = existing.downgrade_from(spec);
        let kept;
        let (spec, report) = match (downgrade, self.role_downgrade) {
            (None, _) => (spec, None),
            (Some(from), RoleDowngrade::Keep) => {
                kept = UserSpec {
                    role: from,
                    ..spec.clone()
                };
                (
                    &kept,
                    Some(RoleDowngradeReport {
                        from: from.as_str(),
                        to: spec.role.as_str(),
                        action: "kept",
                    }),
                )
            }
            (Some(from), RoleDowngrade::Fail) => {
                let reason = format!(
                    "role downgrade from {from} to {}: QuickSight refuses it and ROLE_DOWNGRADE=fail",
                    spec.role
                );
                return Err(EngineError::Refused { reason });
            }
            (Some(from), RoleDowngrade::Recreate) => return self.recreate(spec, user_name, from).await,
        };
        let mut outcome = self.update_fields(spec, user_name, &existing, arn).await?;
        outcome.role_downgrade = report;
        outcome.tags = self.sync_tags(outcome.arn.as_deref(), &spec.tags).await?;
        Ok(outcome)
    }

    /// DeleteUser, then RegisterUser with the new role and the same session name and login, then
    /// the user's memberships as they were (a message's groups are synced after).
    async fn recreate(&self, spec: &UserSpec, user_name: &str, from: UserRole) -> Result<Outcome, EngineError> {
        let report = RoleDowngradeReport {
            from: from.as_str(),
            to: spec.role.as_str(),
            action: "recreated",
        };
        let mut outcome = self.outcome(user_name, None, UserChange::Recreated, GroupChanges::default());
        outcome.role_downgrade = Some(report);
        if self.dry_run {
            return Ok(outcome);
        }
        let previous = self.current_groups(user_name).await?;
        self.delete_user_now(user_name).await?;
        let registered = self
            .register_request(spec)
            .send()
            .await
            .map_err(|e| from_sdk("RegisterUser", e))?;
        self.recent.record(user_name);
        outcome.arn = registered.user().and_then(User::arn).map(str::to_owned);
        outcome.groups = self.add_memberships(user_name, &previous).await?;
        Ok(outcome)
    }

    async fn update_fields(
        &self,
        spec: &UserSpec,
        user_name: &str,
        existing: &ExistingUser,
        arn: Option<String>,
    ) -> Result<Outcome, EngineError> {
        let fields = existing.differences(spec);
        if fields.is_empty() {
            return Ok(self.outcome(user_name, arn, UserChange::Unchanged, GroupChanges::default()));
        }
        if self.dry_run {
            return Ok(self.outcome(user_name, arn, UserChange::Updated { fields }, GroupChanges::default()));
        }
        // UpdateUser needs Email and Role every time; the rest is sent so the user ends up as specified.
        let mut request = self
            .client
            .update_user()
            .aws_account_id(&self.account_id)
            .namespace(&self.namespace)
            .user_name(user_name)
            .email(&spec.email)
            .role(spec.role.as_str().into());
        match (&spec.custom_permissions_name, &existing.custom_permissions_name) {
            (Some(name), _) => request = request.custom_permissions_name(name),
            (None, Some(_)) => request = request.unapply_custom_permissions(true),
            (None, None) => {}
        }
        match &spec.external_login {
            ExternalLogin::None if existing.is_tied() => {
                request = request.external_login_federation_provider_type("NONE");
            }
            ExternalLogin::None => {}
            login => {
                request = request
                    .external_login_federation_provider_type(login.kind().as_str())
                    .set_external_login_id(login.id().map(str::to_owned))
                    .set_custom_federation_provider_url(login.provider_url_to_send().map(str::to_owned));
            }
        }
        let out = request.send().await.map_err(|e| from_sdk("UpdateUser", e))?;
        let arn = out.user().and_then(User::arn).map(str::to_owned).or(arn);
        Ok(self.outcome(user_name, arn, UserChange::Updated { fields }, GroupChanges::default()))
    }

    /// The user as QuickSight has it, or `None` when it does not exist.
    pub(super) async fn describe_user(&self, user_name: &str) -> Result<Option<User>, EngineError> {
        let described = self
            .client
            .describe_user()
            .aws_account_id(&self.account_id)
            .namespace(&self.namespace)
            .user_name(user_name)
            .send()
            .await;
        match described {
            Ok(out) => Ok(out.user),
            Err(e) if code_of(&e) == NOT_FOUND => Ok(None),
            Err(e) => Err(from_sdk("DescribeUser", e)),
        }
    }

    pub(super) async fn delete_user_now(&self, user_name: &str) -> Result<Outcome, EngineError> {
        let change = if self.dry_run {
            match self.describe_user(user_name).await? {
                Some(_) => UserChange::Deleted,
                None => UserChange::NotFound,
            }
        } else {
            let deleted = self
                .client
                .delete_user()
                .aws_account_id(&self.account_id)
                .namespace(&self.namespace)
                .user_name(user_name)
                .send()
                .await;
            match deleted {
                Ok(_) => UserChange::Deleted,
                Err(e) if code_of(&e) == NOT_FOUND => UserChange::NotFound,
                Err(e) => return Err(from_sdk("DeleteUser", e)),
            }
        };
        Ok(self.outcome(user_name, None, change, GroupChanges::default()))
    }
}

/// The SDK's user as the engine and the reconciler compare it.
pub(crate) fn existing_user(user: &User) -> ExistingUser {
    ExistingUser {
        user_name: user.user_name().unwrap_or_default().to_owned(),
        email: user.email().map(str::to_owned),
        role: user.role().map(|r| r.as_str().to_owned()),
        custom_permissions_name: user.custom_permissions_name().map(str::to_owned),
        login_kind: match user.external_login_federation_provider_type() {
            Some("COGNITO") => ProviderKind::Cognito,
            Some("CUSTOM_OIDC") => ProviderKind::CustomOidc,
            _ => ProviderKind::None,
        },
        login_id: user.external_login_id().map(str::to_owned),
        login_url: user.external_login_federation_provider_url().map(str::to_owned),
        principal_id: user.principal_id().map(str::to_owned),
    }
}
