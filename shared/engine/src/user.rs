use aws_sdk_quicksight::operation::register_user::builders::RegisterUserFluentBuilder;
use aws_sdk_quicksight::types::{IdentityType, Tag, User};
use qs_model::outcome::DowngradeAction;
use qs_model::user::{Decision, ExistingUser, Policy, UserField, decide};
use qs_model::validate::{ExternalLogin, Profile, ProfileChange, ProviderKind, UserRole, UserSpec};

use super::error::{EXISTS, NOT_FOUND, code_of, from_sdk};
use super::{EngineError, FirstCall, GroupChanges, InHome, Outcome, RoleDowngradeReport, UserChange};

impl InHome<'_> {
    pub(super) async fn register_or_update_now(&self, spec: &UserSpec) -> Result<Outcome, EngineError> {
        spec.validate()?;
        // Describe-first learns what QuickSight has (a dry run is this path stopped before its first
        // write); register-first assumes a new user and reads it only when RegisterUser says it exists.
        let existing = match (self.dry_run, self.first_call) {
            (false, FirstCall::Register) => None,
            _ => self.describe_user(&spec.user_name).await?,
        };
        self.apply_decision(spec, existing).await
    }

    /// Does what [`decide`] says `spec` does to `existing` (`None`: not known to exist).
    async fn apply_decision(&self, spec: &UserSpec, existing: Option<ExistingUser>) -> Result<Outcome, EngineError> {
        let policy = Policy {
            role_downgrade: self.role_downgrade,
            relink: spec.relink,
        };
        let decision = decide(existing.as_ref(), spec, policy);
        let (existing, role, fields, kept) = match (decision, existing) {
            (Decision::Refuse(refusal), _) => return Err(EngineError::Refused(refusal)),
            (Decision::Recreate { from }, Some(existing)) => return self.recreate(spec, from, &existing).await,
            (Decision::Register, _) | (_, None) => return self.register(spec).await,
            (Decision::Nothing, Some(existing)) => (existing, spec.role, Vec::new(), None),
            (Decision::Update { fields }, Some(existing)) => (existing, spec.role, fields, None),
            (Decision::KeepRole { from, fields }, Some(existing)) => (existing, from, fields, Some(from)),
        };
        let mut outcome = self.update_fields(spec, role, fields, &existing).await?;
        outcome.role_downgrade = kept.map(|from| RoleDowngradeReport {
            from,
            to: spec.role,
            action: DowngradeAction::Kept,
        });
        outcome.tags = self.sync_tags(outcome.arn.as_deref(), &spec.tags).await?;
        Ok(outcome)
    }

    /// RegisterUser; when QuickSight answers that the user exists, what [`decide`] says instead.
    async fn register(&self, spec: &UserSpec) -> Result<Outcome, EngineError> {
        let user_name = &spec.user_name;
        if self.dry_run {
            return Ok(self.outcome(user_name, None, UserChange::Registered, GroupChanges::default()));
        }
        match self.register_request(spec).send().await {
            Ok(out) => {
                self.record_registration(user_name);
                let arn = out.user().and_then(User::arn).map(str::to_owned);
                Ok(self.outcome(user_name, arn, UserChange::Registered, GroupChanges::default()))
            }
            Err(e) if code_of(&e) == Some(EXISTS) => {
                // RegisterUser said it exists: a 404 now is a concurrent registration QuickSight
                // does not show yet, read again within the consistency window.
                let existing = self.shown(user_name, "DescribeUser", || self.describe_user(user_name));
                // Boxed: the decision may not register again, but its future type recurses.
                Box::pin(self.apply_decision(spec, Some(existing.await?))).await
            }
            Err(e) => Err(from_sdk("RegisterUser", e)),
        }
    }

    /// RegisterUser for `spec`, federated through the role.
    fn register_request(&self, spec: &UserSpec) -> RegisterUserFluentBuilder {
        let login = &spec.external_login;
        let mut request = self
            .client()
            .register_user()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            // IAM users are named RoleName/SessionName by QuickSight; sending UserName is refused.
            .identity_type(IdentityType::Iam)
            .iam_arn(&self.home.role.arn)
            .session_name(&spec.session_name)
            .email(&spec.email)
            .user_role(spec.role.as_str().into())
            .set_custom_permissions_name(spec.custom_permissions.after(None))
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

    /// DeleteUser, then RegisterUser with the new role and the same session name and login, then
    /// the user's memberships as they were (a message's groups are synced after). The user's
    /// assets are handed over first, as before any deletion, and its dashboards shared back to
    /// the new user as a viewer.
    async fn recreate(&self, spec: &UserSpec, from: UserRole, existing: &ExistingUser) -> Result<Outcome, EngineError> {
        let user_name = spec.user_name.as_str();
        let report = RoleDowngradeReport {
            from,
            to: spec.role,
            action: DowngradeAction::Recreated,
        };
        let mut outcome = self.outcome(user_name, None, UserChange::Recreated, GroupChanges::default());
        outcome.role_downgrade = Some(report);
        if self.dry_run {
            return Ok(outcome);
        }
        let previous = self.current_groups(user_name).await?;
        let handed = match existing.arn.as_deref() {
            Some(arn) => self.hand_over(user_name, arn).await?,
            None => Vec::new(),
        };
        self.delete_user_call(user_name).await?;
        // The user comes back with the profile it would have had after an update: an
        // administrator's stays, the change's own rule applies to the rest.
        let after = spec
            .custom_permissions
            .after(existing.custom_permissions_name.as_deref());
        let spec = &UserSpec {
            custom_permissions: after.map_or(Profile::Leave, |name| Profile::Named { name }),
            ..spec.clone()
        };
        let registered = self
            .register_request(spec)
            .send()
            .await
            .map_err(|e| from_sdk("RegisterUser", e))?;
        self.record_registration(user_name);
        outcome.arn = registered.user().and_then(User::arn).map(str::to_owned);
        outcome.groups = self.add_memberships(user_name, &previous).await?;
        // The assets are the handover principal's already: a share that fails (the new user not
        // visible to the permission API yet) loses nothing, and is logged for an administrator.
        if let Some(arn) = &outcome.arn
            && let Err(error) = self.share_back(&handed, arn).await
        {
            tracing::warn!(user_name, %error, "the recreated user's dashboards were not shared back");
        }
        outcome.assets_handed_over = handed;
        Ok(outcome)
    }

    /// UpdateUser for `fields` (none: no call), with `role`: the spec's, or the user's own when a
    /// downgrade is kept.
    async fn update_fields(
        &self,
        spec: &UserSpec,
        role: UserRole,
        fields: Vec<UserField>,
        existing: &ExistingUser,
    ) -> Result<Outcome, EngineError> {
        let user_name = &spec.user_name;
        let arn = existing.arn.clone();
        if fields.is_empty() {
            return Ok(self.outcome(user_name, arn, UserChange::Unchanged, GroupChanges::default()));
        }
        if self.dry_run {
            return Ok(self.outcome(user_name, arn, UserChange::Updated { fields }, GroupChanges::default()));
        }
        // UpdateUser needs Email and Role every time; the rest is sent so the user ends up as specified.
        let mut request = self
            .client()
            .update_user()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .user_name(user_name)
            .email(&spec.email)
            .role(role.as_str().into());
        // Without CustomPermissionsName and UnapplyCustomPermissions, UpdateUser leaves the
        // user's profile as it is: each is sent only when the change's rule calls for it.
        match spec
            .custom_permissions
            .change(existing.custom_permissions_name.as_deref())
        {
            Some(ProfileChange::Apply(name)) => request = request.custom_permissions_name(name),
            Some(ProfileChange::Unapply) => request = request.unapply_custom_permissions(true),
            None => {}
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
    pub(super) async fn describe_user(&self, user_name: &str) -> Result<Option<ExistingUser>, EngineError> {
        let described = self
            .client()
            .describe_user()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .user_name(user_name)
            .send()
            .await;
        match described {
            Ok(out) => Ok(out.user().map(existing_user)),
            Err(e) if code_of(&e) == Some(NOT_FOUND) => Ok(None),
            Err(e) => Err(from_sdk("DescribeUser", e)),
        }
    }

    /// Deletes the user, its assets handed over first (or the deletion refused: see
    /// [`Self::hand_over`]). A user QuickSight does not show is `NotFound` only once that is
    /// final: one that any process registered before the change began is deleted.
    pub(super) async fn delete_user_now(&self, user_name: &str, heir: Option<&str>) -> Result<Outcome, EngineError> {
        let described = self.settled(user_name, "DescribeUser", || self.describe_user(user_name));
        let Some(existing) = described.await? else {
            return Ok(self.outcome(user_name, None, UserChange::NotFound, GroupChanges::default()));
        };
        let handed = match existing.arn.as_deref() {
            Some(arn) => self.hand_over_to(user_name, arn, heir).await?,
            None => Vec::new(),
        };
        let change = if self.dry_run {
            UserChange::Deleted
        } else {
            self.delete_user_call(user_name).await?
        };
        let mut outcome = self.outcome(user_name, existing.arn, change, GroupChanges::default());
        outcome.assets_handed_over = handed;
        Ok(outcome)
    }

    /// DeleteUser; a user already gone is `NotFound`.
    async fn delete_user_call(&self, user_name: &str) -> Result<UserChange, EngineError> {
        let deleted = self
            .client()
            .delete_user()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .user_name(user_name)
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(UserChange::Deleted),
            Err(e) if code_of(&e) == Some(NOT_FOUND) => Ok(UserChange::NotFound),
            Err(e) => Err(from_sdk("DeleteUser", e)),
        }
    }
}

/// The SDK's user as the engine and the reconciler compare it.
pub fn existing_user(user: &User) -> ExistingUser {
    ExistingUser {
        user_name: user.user_name().unwrap_or_default().to_owned(),
        arn: user.arn().map(str::to_owned),
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
