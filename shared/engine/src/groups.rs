use std::collections::BTreeSet;

use aws_sdk_quicksight::types::Group;
use qs_model::config::GroupScope;
use tokio::time::{Instant, sleep};

use super::error::{EXISTS, NOT_FOUND, code_of, from_sdk};
use super::{EngineError, FIRST_VISIBILITY_BACKOFF, GroupChanges, InHome, MAX_VISIBILITY_BACKOFF};

impl InHome<'_> {
    pub(super) async fn sync_groups_now(
        &self,
        user_name: &str,
        desired: &BTreeSet<String>,
        scope: &GroupScope,
        user_is_new: bool,
    ) -> Result<GroupChanges, EngineError> {
        // Nothing to add and nothing this deployment may remove: listing would change nothing.
        if desired.is_empty() && scope.is_empty() {
            return Ok(GroupChanges::default());
        }
        // A user registered a moment ago has no groups, and listing them could 404 until QuickSight
        // shows the user: skip the call.
        let current = if user_is_new {
            BTreeSet::new()
        } else {
            self.current_groups(user_name).await?
        };
        let add: BTreeSet<String> = desired.difference(&current).cloned().collect();
        let remove: BTreeSet<String> = current
            .difference(desired)
            .filter(|g| scope.is_managed(g))
            .cloned()
            .collect();
        self.apply_memberships(user_name, &add, &remove).await
    }

    pub(super) async fn change_groups_now(
        &self,
        user_name: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
    ) -> Result<GroupChanges, EngineError> {
        let current = self.current_groups(user_name).await?;
        let add: BTreeSet<String> = add.difference(&current).cloned().collect();
        let remove: BTreeSet<String> = remove.intersection(&current).cloned().collect();
        self.apply_memberships(user_name, &add, &remove).await
    }

    /// The names of every group the user is in, over all pages ([`InHome::shown`]: a 404 is
    /// read again while QuickSight may not show a registration yet, and a final one is transient).
    pub(super) async fn current_groups(&self, user_name: &str) -> Result<BTreeSet<String>, EngineError> {
        // In a dry run the user may be one that would be registered first.
        if self.dry_run {
            return Ok(self.list_user_groups(user_name).await?.unwrap_or_default());
        }
        self.shown(user_name, "ListUserGroups", || self.list_user_groups(user_name))
            .await
    }

    /// Every group the user is in, or `None` when QuickSight answers that the user does not exist.
    pub(super) async fn list_user_groups(&self, user_name: &str) -> Result<Option<BTreeSet<String>>, EngineError> {
        let mut pages = self
            .client()
            .list_user_groups()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .user_name(user_name)
            .into_paginator()
            .items()
            .send();
        let mut groups = BTreeSet::new();
        while let Some(group) = pages.next().await {
            match group {
                Ok(g) => groups.extend(g.group_name().map(str::to_owned)),
                Err(e) if code_of(&e) == Some(NOT_FOUND) => return Ok(None),
                Err(e) => return Err(from_sdk("ListUserGroups", e)),
            }
        }
        Ok(Some(groups))
    }

    /// Adds the memberships (a recreated user's previous groups).
    pub(super) async fn add_memberships(
        &self,
        user_name: &str,
        groups: &BTreeSet<String>,
    ) -> Result<GroupChanges, EngineError> {
        self.apply_memberships(user_name, groups, &BTreeSet::new()).await
    }

    async fn apply_memberships(
        &self,
        user_name: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
    ) -> Result<GroupChanges, EngineError> {
        let mut changes = GroupChanges {
            memberships_added: add.iter().cloned().collect(),
            memberships_removed: remove.iter().cloned().collect(),
            ..Default::default()
        };
        if self.dry_run {
            for group in add {
                if !self.group_exists(group).await? {
                    changes.groups_created.push(group.clone());
                }
            }
            return Ok(changes);
        }
        for group in add {
            if self.add_membership(user_name, group).await? {
                changes.groups_created.push(group.clone());
            }
        }
        for group in remove {
            self.remove_membership(user_name, group).await?;
        }
        Ok(changes)
    }

    /// Adds the membership, creating the group if it is missing (returns whether it did). A 404 with
    /// the group present means QuickSight does not show the user yet: retried with backoff, bounded.
    async fn add_membership(&self, user_name: &str, group: &str) -> Result<bool, EngineError> {
        let mut backoff = FIRST_VISIBILITY_BACKOFF;
        // Set once the group is known to exist; the visibility wait is counted from then, so time
        // spent in throttled calls before it does not use it up.
        let mut group_known_at: Option<Instant> = None;
        let mut created = false;
        loop {
            let added = self
                .client()
                .create_group_membership()
                .aws_account_id(&self.account_id)
                .namespace(self.namespace())
                .group_name(group)
                .member_name(user_name)
                .send()
                .await;
            match added {
                Ok(_) => return Ok(created),
                Err(e) if code_of(&e) != Some(NOT_FOUND) => return Err(from_sdk("CreateGroupMembership", e)),
                Err(_) => {}
            }
            let Some(known_at) = group_known_at else {
                // Either the group or the user is missing; creating the group tells which. Either
                // way (created now, or by someone else meanwhile) the membership is tried again.
                created = self.create_group(group).await?;
                group_known_at = Some(Instant::now());
                continue;
            };
            let waited = known_at.elapsed();
            if waited + backoff > self.consistency_window {
                return Err(EngineError::NotYetVisible {
                    user: user_name.to_owned(),
                    operation: "CreateGroupMembership",
                    waited,
                });
            }
            tracing::debug!(user_name, group, ?backoff, "user not visible yet; retrying membership");
            sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_VISIBILITY_BACKOFF);
        }
    }

    /// Creates the group; `false` when it already existed.
    pub(super) async fn create_group(&self, group: &str) -> Result<bool, EngineError> {
        let created = self
            .client()
            .create_group()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .group_name(group)
            .send()
            .await;
        match created {
            Ok(_) => Ok(true),
            Err(e) if code_of(&e) == Some(EXISTS) => Ok(false),
            Err(e) => Err(from_sdk("CreateGroup", e)),
        }
    }

    pub(super) async fn group_exists(&self, group: &str) -> Result<bool, EngineError> {
        let described = self
            .client()
            .describe_group()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .group_name(group)
            .send()
            .await;
        match described {
            Ok(out) => Ok(out.group().and_then(Group::group_name).is_some()),
            Err(e) if code_of(&e) == Some(NOT_FOUND) => Ok(false),
            Err(e) => Err(from_sdk("DescribeGroup", e)),
        }
    }

    /// Removes the membership; one already gone is success.
    async fn remove_membership(&self, user_name: &str, group: &str) -> Result<(), EngineError> {
        let removed = self
            .client()
            .delete_group_membership()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .group_name(group)
            .member_name(user_name)
            .send()
            .await;
        match removed {
            Ok(_) => Ok(()),
            Err(e) if code_of(&e) == Some(NOT_FOUND) => Ok(()),
            Err(e) => Err(from_sdk("DeleteGroupMembership", e)),
        }
    }
}
