//! Users whose IAM role was deleted: QuickSight keeps them, named "N/A", costing a licence, and
//! only DeleteUserByPrincipalId removes them. Only this deployment's are deleted.

use aws_sdk_quicksight::types::User;
use qs_model::tenant::Home;
use qs_model::user::{ORPHAN_NAME, Refusal};
use tokio::time::Instant;

use super::error::{NOT_FOUND, code_of, from_sdk};
use super::{Engine, EngineError, GroupChanges, InHome, Outcome, UserChange, within};

impl Engine {
    /// Deletes the "N/A" user with `principal_id` in `home`, when it is one of this deployment's
    /// provider; never a user that still has a name.
    pub async fn delete_orphan(
        &self,
        home: &Home,
        principal_id: &str,
        deadline: Instant,
    ) -> Result<Outcome, EngineError> {
        within(deadline, "delete_orphan", async {
            self.at(home, deadline).await?.delete_orphan_now(principal_id).await
        })
        .await
    }
}

impl InHome<'_> {
    pub(super) async fn delete_orphan_now(&self, principal_id: &str) -> Result<Outcome, EngineError> {
        let Some(user) = self.user_by_principal_id(principal_id).await? else {
            return Ok(self.outcome(ORPHAN_NAME, None, UserChange::NotFound, GroupChanges::default()));
        };
        let name = user.user_name().unwrap_or_default();
        if name != ORPHAN_NAME {
            let user = name.to_owned();
            return Err(EngineError::Refused(Refusal::PrincipalHasName { user }));
        }
        let Some(ours) = self.provider_url.as_deref() else {
            return Err(EngineError::Refused(Refusal::ProviderUnknown));
        };
        if user.external_login_federation_provider_url() != Some(ours) {
            return Err(EngineError::Refused(Refusal::OtherProvider));
        }
        let arn = user.arn().map(str::to_owned);
        if self.dry_run {
            return Ok(self.outcome(ORPHAN_NAME, arn, UserChange::Deleted, GroupChanges::default()));
        }
        let deleted = self
            .client()
            .delete_user_by_principal_id()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .principal_id(principal_id)
            .send()
            .await;
        let change = match deleted {
            Ok(_) => UserChange::Deleted,
            Err(e) if code_of(&e) == Some(NOT_FOUND) => UserChange::NotFound,
            Err(e) => return Err(from_sdk("DeleteUserByPrincipalId", e)),
        };
        Ok(self.outcome(ORPHAN_NAME, arn, change, GroupChanges::default()))
    }

    /// The user with `principal_id`, found by listing every user (no call reads one by it).
    async fn user_by_principal_id(&self, principal_id: &str) -> Result<Option<User>, EngineError> {
        let mut pages = self
            .client()
            .list_users()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .into_paginator()
            .items()
            .send();
        while let Some(user) = pages.next().await {
            let user = user.map_err(|e| from_sdk("ListUsers", e))?;
            if user.principal_id() == Some(principal_id) {
                return Ok(Some(user));
            }
        }
        Ok(None)
    }
}
