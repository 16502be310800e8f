//! Users whose IAM role was deleted: QuickSight keeps them, named "N/A", costing a licence, and
//! only DeleteUserByPrincipalId removes them. Only this deployment's are deleted.

use aws_sdk_quicksight::types::User;
use tokio::time::Instant;

use super::error::{NOT_FOUND, code_of, from_sdk};
use crate::existing::ORPHAN_NAME;

use super::{Engine, EngineError, GroupChanges, Outcome, UserChange, within};

impl Engine {
    /// Deletes the "N/A" user with `principal_id`, when it is one of this deployment's provider;
    /// never a user that still has a name.
    pub async fn delete_orphan(&self, principal_id: &str, deadline: Instant) -> Result<Outcome, EngineError> {
        within(deadline, "delete_orphan", async {
            let Some(user) = self.user_by_principal_id(principal_id).await? else {
                return Ok(self.outcome(ORPHAN_NAME, None, UserChange::NotFound, GroupChanges::default()));
            };
            let name = user.user_name().unwrap_or_default();
            if name != ORPHAN_NAME {
                let reason = format!("principal_id names user {name}, which has a name: delete it by user_name");
                return Err(EngineError::Refused { reason });
            }
            let Some(ours) = self.provider_url.as_deref() else {
                let reason = "this deployment's provider URL is not configured (CUSTOM_FEDERATION_PROVIDER_URL), \\
                              so its N/A users cannot be told from others'";
                return Err(EngineError::Refused { reason: reason.into() });
            };
            if user.external_login_federation_provider_url() != Some(ours) {
                let reason = "the N/A user's external login is not this deployment's provider";
                return Err(EngineError::Refused { reason: reason.into() });
            }
            let arn = user.arn().map(str::to_owned);
            if self.dry_run {
                return Ok(self.outcome(ORPHAN_NAME, arn, UserChange::Deleted, GroupChanges::default()));
            }
            let deleted = self
                .client
                .delete_user_by_principal_id()
                .aws_account_id(&self.account_id)
                .namespace(&self.namespace)
                .principal_id(principal_id)
                .send()
                .await;
            let change = match deleted {
                Ok(_) => UserChange::Deleted,
                Err(e) if code_of(&e) == NOT_FOUND => UserChange::NotFound,
                Err(e) => return Err(from_sdk("DeleteUserByPrincipalId", e)),
            };
            Ok(self.outcome(ORPHAN_NAME, arn, change, GroupChanges::default()))
        })
        .await
    }

    /// The user with `principal_id`, found by listing every user (no call reads one by it).
    async fn user_by_principal_id(&self, principal_id: &str) -> Result<Option<User>, EngineError> {
        let mut pages = self
            .client
            .list_users()
            .aws_account_id(&self.account_id)
            .namespace(&self.namespace)
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
