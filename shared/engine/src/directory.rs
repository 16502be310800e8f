//! Reads of what QuickSight holds (a user, its groups, a group's members) and the group calls a
//! directory client (SCIM) makes: each in its home, in the identity region, within a deadline.

use std::collections::BTreeSet;

use qs_model::tenant::Home;
use qs_model::user::ExistingUser;
use tokio::time::Instant;

use super::error::{NOT_FOUND, code_of, from_sdk};
use super::{Engine, EngineError, InHome, within};

impl Engine {
    /// The user as QuickSight describes it; `None` when it does not exist.
    pub async fn describe(
        &self,
        home: &Home,
        user_name: &str,
        deadline: Instant,
    ) -> Result<Option<ExistingUser>, EngineError> {
        let at = self.in_home(home, deadline);
        self.in_identity_region(|| within(deadline, "describe_user", at.describe_user(user_name)))
            .await
    }

    /// Every group the user is in; `None` when the user does not exist.
    pub async fn groups_of(
        &self,
        home: &Home,
        user_name: &str,
        deadline: Instant,
    ) -> Result<Option<BTreeSet<String>>, EngineError> {
        let at = self.in_home(home, deadline);
        self.in_identity_region(|| within(deadline, "list_user_groups", at.list_user_groups(user_name)))
            .await
    }

    /// The member names of `group`; `None` when the group does not exist.
    pub async fn members_of(
        &self,
        home: &Home,
        group: &str,
        deadline: Instant,
    ) -> Result<Option<BTreeSet<String>>, EngineError> {
        let at = self.in_home(home, deadline);
        self.in_identity_region(|| within(deadline, "list_group_memberships", at.list_members(group)))
            .await
    }

    /// Creates `group` (a dry run only says it would); `false` when it already existed.
    pub async fn ensure_group(&self, home: &Home, group: &str, deadline: Instant) -> Result<bool, EngineError> {
        self.in_identity_region(|| {
            within(deadline, "create_group", async {
                let at = self.at(home, deadline).await?;
                if self.dry_run {
                    return Ok(!at.group_exists(group).await?);
                }
                at.create_group(group).await
            })
        })
        .await
    }

    /// Deletes `group` and with it its memberships (never its members); `false` when it was gone.
    pub async fn delete_group(&self, home: &Home, group: &str, deadline: Instant) -> Result<bool, EngineError> {
        let at = self.in_home(home, deadline);
        self.in_identity_region(|| within(deadline, "delete_group", at.delete_group(group)))
            .await
    }
}

impl InHome<'_> {
    async fn list_members(&self, group: &str) -> Result<Option<BTreeSet<String>>, EngineError> {
        let mut pages = self
            .client()
            .list_group_memberships()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .group_name(group)
            .into_paginator()
            .items()
            .send();
        let mut members = BTreeSet::new();
        while let Some(member) = pages.next().await {
            match member {
                Ok(m) => members.extend(m.member_name().map(str::to_owned)),
                Err(e) if code_of(&e) == Some(NOT_FOUND) => return Ok(None),
                Err(e) => return Err(from_sdk("ListGroupMemberships", e)),
            }
        }
        Ok(Some(members))
    }

    async fn delete_group(&self, group: &str) -> Result<bool, EngineError> {
        if self.dry_run {
            return self.group_exists(group).await;
        }
        let deleted = self
            .client()
            .delete_group()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .group_name(group)
            .send()
            .await;
        match deleted {
            Ok(_) => Ok(true),
            Err(e) if code_of(&e) == Some(NOT_FOUND) => Ok(false),
            Err(e) => Err(from_sdk("DeleteGroup", e)),
        }
    }
}
