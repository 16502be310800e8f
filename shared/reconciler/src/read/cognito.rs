use std::collections::HashMap;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::{AttributeType, UserStatusType, UserType};
use qs_model::config::Config;
use qs_model::signup::{CognitoAttributes, pool_issuer};
use qs_model::tenant::client_can_write;
use qs_model::validate::ProviderKind;
use qs_queue::sdk_error::describe;

use super::Progress;
use crate::{Directory, DirectoryUser, GroupsSource};

/// Every user of the pool (ListUsers, 60 a page), each turned into the change its sign-up would
/// have made. A read that fails part-way gives what it read, marked incomplete.
pub async fn cognito(
    client: &Client,
    config: &Config,
    pool_id: &str,
    groups: GroupsSource,
    attributes: &CognitoAttributes,
    progress: Progress<'_>,
) -> Directory {
    let issuer = match config.external_login_provider {
        ProviderKind::None => None,
        // A pool's sign-ups report its issuer when no provider URL is configured.
        _ => Some(
            config
                .reported_provider_url()
                .map_or_else(|| pool_issuer(pool_id), str::to_owned),
        ),
    };
    let mut directory = Directory {
        issuer,
        ..Directory::default()
    };
    let pool_groups = match groups {
        GroupsSource::Attribute => HashMap::new(),
        GroupsSource::Pool => match groups_of_users(client, pool_id, progress).await {
            Ok(groups) => groups,
            Err(e) => {
                directory.incomplete = Some(e);
                return directory;
            }
        },
    };
    let mut pages = client
        .list_users()
        .user_pool_id(pool_id)
        .limit(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                directory.incomplete = Some(failed("ListUsers", e));
                break;
            }
        };
        for user in page.users() {
            let groups = user
                .username()
                .and_then(|name| pool_groups.get(name))
                .cloned()
                .unwrap_or_default();
            directory
                .users
                .push(directory_user(config, pool_id, attributes, user, groups));
        }
        progress("directory users", directory.users.len());
    }
    directory
}

fn directory_user(
    config: &Config,
    pool_id: &str,
    attributes: &CognitoAttributes,
    user: &UserType,
    pool_groups: Vec<String>,
) -> DirectoryUser {
    let map: HashMap<String, String> = user
        .attributes()
        .iter()
        .filter_map(|a: &AttributeType| Some((a.name().to_owned(), a.value()?.to_owned())))
        .collect();
    let tenant_attribute = config.tenancy().map(|t| t.attribute.as_str());
    let signup = attributes.user(pool_id, &map, pool_groups, tenant_attribute);
    DirectoryUser {
        source: user.username().unwrap_or_default().to_owned(),
        login_id: signup.external_login_id.clone().or_else(|| signup.sub.clone()),
        // A disabled user has left; an unconfirmed one never signed up.
        active: user.enabled() && user.user_status() != Some(&UserStatusType::Unconfirmed),
        change: signup.to_change(config, attributes.session_name_source),
    }
}

/// The pool's app clients whose users can write `attribute` (by name, or id when unnamed):
/// ListUserPoolClients, then DescribeUserPoolClient for each, since only it gives WriteAttributes.
pub async fn writable_clients(client: &Client, pool_id: &str, attribute: &str) -> Result<Vec<String>, String> {
    let mut ids = Vec::new();
    let mut pages = client
        .list_user_pool_clients()
        .user_pool_id(pool_id)
        .max_results(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| failed("ListUserPoolClients", e))?;
        ids.extend(
            page.user_pool_clients()
                .iter()
                .filter_map(|c| c.client_id().map(str::to_owned)),
        );
    }
    let mut writable = Vec::new();
    for id in ids {
        let described = client
            .describe_user_pool_client()
            .user_pool_id(pool_id)
            .client_id(&id)
            .send()
            .await
            .map_err(|e| failed("DescribeUserPoolClient", e))?;
        let Some(pool_client) = described.user_pool_client() else {
            continue;
        };
        if client_can_write(pool_client.write_attributes(), attribute) {
            let name = pool_client.client_name().map_or(id.clone(), |n| format!("{n} ({id})"));
            writable.push(name);
        }
    }
    Ok(writable)
}

/// Each user's groups in the pool: ListGroups, then ListUsersInGroup per group (never per user).
async fn groups_of_users(
    client: &Client,
    pool_id: &str,
    progress: Progress<'_>,
) -> Result<HashMap<String, Vec<String>>, String> {
    let mut groups = Vec::new();
    let mut pages = client
        .list_groups()
        .user_pool_id(pool_id)
        .limit(60)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| failed("ListGroups", e))?;
        groups.extend(page.groups().iter().filter_map(|g| g.group_name().map(str::to_owned)));
    }
    let mut of_user: HashMap<String, Vec<String>> = HashMap::new();
    let mut members = 0;
    for group in groups {
        let mut pages = client
            .list_users_in_group()
            .user_pool_id(pool_id)
            .group_name(&group)
            .limit(60)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| failed("ListUsersInGroup", e))?;
            for user in page.users() {
                if let Some(name) = user.username() {
                    of_user.entry(name.to_owned()).or_default().push(group.clone());
                    members += 1;
                }
            }
            progress("directory group members", members);
        }
    }
    Ok(of_user)
}

fn failed<E, R>(operation: &str, e: SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    format!("Cognito {operation} failed: {}", describe(&e))
}
