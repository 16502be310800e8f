use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::error::ProvideErrorMetadata;
use qs_engine::{EngineError, existing_user, from_sdk};
use qs_model::config::Config;
use qs_model::tenant::Home;

use super::Progress;
use crate::NamespaceSnapshot;

/// Every user of `home`'s namespace (ListUsers, 100 a page), and the members of every managed
/// group and of every group in `wanted`, read per group (ListGroupMemberships), never per user.
/// A tenant's namespace that does not exist yet is empty. Its self-upgrades, unless
/// `SELF_UPGRADE=leave`.
pub async fn quicksight(
    client: &Client,
    config: &Config,
    home: &Home,
    wanted: &BTreeSet<String>,
    progress: Progress<'_>,
) -> Result<NamespaceSnapshot, EngineError> {
    let (account, namespace) = (&config.account_id, &home.namespace);
    let mut snapshot = NamespaceSnapshot {
        home: home.clone(),
        ..Default::default()
    };
    let mut pages = client
        .list_users()
        .aws_account_id(account)
        .namespace(namespace)
        .max_results(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) if home.tenant.is_some() && e.code() == Some("ResourceNotFoundException") => {
                return Ok(snapshot);
            }
            Err(e) => return Err(from_sdk("ListUsers", e)),
        };
        snapshot.users.extend(page.user_list().iter().map(existing_user));
        progress("QuickSight users", snapshot.users.len());
    }

    let scope = config.group_scope(home);
    let mut groups = Vec::new();
    let mut pages = client
        .list_groups()
        .aws_account_id(account)
        .namespace(namespace)
        .max_results(100)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| from_sdk("ListGroups", e))?;
        let names = page.group_list().iter().filter_map(|g| g.group_name());
        groups.extend(
            names
                .filter(|g| scope.is_managed(g) || wanted.contains(*g))
                .map(str::to_owned),
        );
    }
    let mut members: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut read = 0;
    for group in groups {
        let mut pages = client
            .list_group_memberships()
            .aws_account_id(account)
            .namespace(namespace)
            .group_name(&group)
            .max_results(100)
            .into_paginator()
            .send();
        let of_group = members.entry(group.clone()).or_default();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| from_sdk("ListGroupMemberships", e))?;
            of_group.extend(
                page.group_member_list()
                    .iter()
                    .filter_map(|m| m.member_name().map(str::to_owned)),
            );
            read += page.group_member_list().len();
            progress("QuickSight group members", read);
        }
    }
    snapshot.members = members;
    snapshot.role_profiles = crate::roles::read(client, config, home).await?;
    if config.self_upgrade.requires_approval() {
        snapshot.self_upgrades = Some(crate::governance::read_self_upgrades(client, config, home).await?);
    }
    Ok(snapshot)
}
