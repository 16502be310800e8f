//! Reading groups: one with its members from QuickSight (a stale record repaired), a list from the
//! table, the SCIM groups a user is in.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::members::member_ids;
use super::{GroupDoc, Held, UserGroup, forget, not_found};
use crate::error::ScimError;
use crate::protocol::filter::{Attr, Filter};
use crate::protocol::{GROUP_SCHEMA, Page, ResourceKind, get_ci};
use crate::resource::{Ctx, by_creation, ordered};

/// The SCIM groups `quicksight_user` is in, from QuickSight's ListUserGroups.
pub async fn of_user(ctx: &Ctx<'_>, quicksight_user: &str) -> Result<Vec<UserGroup>, ScimError> {
    let names = ctx
        .app
        .engine
        .groups_of(&ctx.home, quicksight_user, ctx.deadline)
        .await?
        .unwrap_or_default();
    let mut groups = Vec::new();
    for name in names.iter().filter(|n| n.starts_with(ctx.prefix())) {
        if let Some(id) = ctx.indexed(&ctx.quicksight_group_key(name)).await? {
            let display_name = name[ctx.prefix().len()..].to_owned();
            groups.push(UserGroup {
                id,
                display_name,
                quicksight_group: name.clone(),
            });
        }
    }
    Ok(groups)
}

/// The groups of `ids` that still exist.
pub async fn existing(ctx: &Ctx<'_>, ids: &[String]) -> Result<Vec<UserGroup>, ScimError> {
    let mut groups = Vec::new();
    for id in ids {
        if let Some(held) = ctx.held_group(id).await? {
            groups.push(UserGroup {
                id: held.doc.id.clone(),
                display_name: held.doc.display_name().to_owned(),
                quicksight_group: held.doc.quick_sight_group,
            });
        }
    }
    Ok(groups)
}

pub(super) fn representation(ctx: &Ctx<'_>, doc: &GroupDoc, version: u64, members: Option<Vec<Value>>) -> Value {
    let mut resource = doc.resource.clone();
    if let Some(members) = members {
        resource["members"] = Value::Array(members);
    }
    let meta = ctx.meta(ResourceKind::Group, &doc.id, &doc.created, &doc.last_modified, version);
    ordered(json!([GROUP_SCHEMA]), &doc.id, resource, meta)
}

/// The group as QuickSight and the table hold it, its members unless `members` is false; `None`
/// when QuickSight no longer has the group (the record is then removed).
pub(super) async fn read(ctx: &Ctx<'_>, held: Held, members: bool) -> Result<Option<Value>, ScimError> {
    if !members {
        return Ok(Some(representation(ctx, &held.doc, held.version, None)));
    }
    match member_ids(ctx, &held.doc.quick_sight_group).await? {
        Some(members) => Ok(Some(representation(ctx, &held.doc, held.version, Some(members)))),
        None => {
            tracing::warn!(
                id = held.doc.id,
                group = held.doc.quick_sight_group,
                "QuickSight no longer has the group: its record is removed"
            );
            forget(ctx, &held.doc).await?;
            Ok(None)
        }
    }
}

pub async fn get(ctx: &Ctx<'_>, id: &str, members: bool) -> Result<Value, ScimError> {
    let held = ctx.held_group(id).await?.ok_or_else(|| not_found(id))?;
    read(ctx, held, members).await?.ok_or_else(|| not_found(id))
}

pub async fn list(ctx: &Ctx<'_>, filter: Option<&Filter>, page: Page, members: bool) -> Result<Value, ScimError> {
    let candidates: Vec<Held> = match filter {
        Some(f) if f.value_of(Attr::Id).is_some() => ctx
            .held_group(f.value_of(Attr::Id).unwrap_or_default())
            .await?
            .into_iter()
            .collect(),
        Some(f) if f.value_of(Attr::DisplayName).is_some() => {
            let name = f.value_of(Attr::DisplayName).unwrap_or_default();
            match ctx.indexed(&ctx.display_name_key(name)).await? {
                Some(id) => ctx.held_group(&id).await?.into_iter().collect(),
                None => Vec::new(),
            }
        }
        _ => ctx.scan("group").await?,
    };
    // members[value eq "<user id>"]: the user's groups, from QuickSight.
    let holding: Option<BTreeSet<String>> = match filter.and_then(|f| f.value_of(Attr::MemberValue)) {
        Some(user) => Some(match ctx.held_user(user).await? {
            Some(held) => of_user(ctx, &held.doc.quick_sight_user)
                .await?
                .into_iter()
                .map(|g| g.id)
                .collect(),
            None => BTreeSet::new(),
        }),
        None => None,
    };
    let mut matching: Vec<Held> = candidates
        .into_iter()
        .filter(|h| filter.is_none_or(|f| matches(f, &h.doc)))
        .filter(|h| holding.as_ref().is_none_or(|ids| ids.contains(&h.doc.id)))
        .collect();
    by_creation(&mut matching, |d| &d.created, |d| &d.id);
    let resources = if matching.len() == 1 {
        read(ctx, matching.pop().expect("one"), members)
            .await?
            .into_iter()
            .collect()
    } else {
        matching
            .iter()
            .map(|h| representation(ctx, &h.doc, h.version, None))
            .collect()
    };
    Ok(page.answer(resources))
}

fn matches(filter: &Filter, doc: &GroupDoc) -> bool {
    filter.0.iter().all(|clause| {
        let actual = match clause.attr {
            Attr::Id => Some(doc.id.as_str()),
            Attr::DisplayName => Some(doc.display_name()),
            Attr::ExternalId => get_ci(&doc.resource, "externalId").and_then(Value::as_str),
            // Checked against QuickSight's memberships by the caller.
            Attr::MemberValue => return true,
            Attr::UserName => None,
        };
        actual.is_some_and(|a| clause.matches(a))
    })
}
