//! Reading groups: one with its members from QuickSight (a stale record repaired), a filtered
//! list from the table.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{forget, held};
use crate::error::ScimError;
use crate::keys::KeyKind;
use crate::memberships::{member_ids, of_user};
use crate::protocol::filter::Filter;
use crate::protocol::{GROUP_SCHEMA, ResourceKind};
use crate::records::{Ctx, GroupDoc, Held, Selected, UserDoc, ordered, selected};

pub(super) fn representation(ctx: &Ctx<'_>, doc: &GroupDoc, version: u64, members: Option<Vec<Value>>) -> Value {
    let mut resource = doc.resource.clone();
    if let Some(members) = members.filter(|m| !m.is_empty()) {
        resource.insert("members".into(), Value::Array(members));
    }
    let meta = ctx.meta(ResourceKind::Group, &doc.id, &doc.created, &doc.last_modified, version);
    ordered(vec![GROUP_SCHEMA], &doc.id, resource, meta)
}

/// The group as QuickSight and the table hold it, its members unless `members` is false; `None`
/// when QuickSight no longer has the group (the record is then removed).
async fn read(ctx: &Ctx<'_>, held: Held<GroupDoc>, members: bool) -> Result<Option<Value>, ScimError> {
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
    let held = held(ctx, id).await?;
    read(ctx, held, members).await?.ok_or_else(|| super::not_found(id))
}

/// The groups `filter` selects, in creation order; one is read with its members (unless the
/// answer leaves them out), more from the table, with members only when the filter reads them.
pub async fn matching(ctx: &Ctx<'_>, filter: Option<&Filter>, members: bool) -> Result<Vec<Value>, ScimError> {
    let candidates: Vec<Held<GroupDoc>> = match filter {
        Some(f) if f.required_value("id").is_some() => ctx
            .record(f.required_value("id").unwrap_or_default())
            .await?
            .into_iter()
            .collect(),
        Some(f) if f.required_value("displayName").is_some() => {
            let name = f.required_value("displayName").unwrap_or_default();
            match ctx.indexed(KeyKind::DisplayName, name).await? {
                Some(id) => ctx.record(&id).await?.into_iter().collect(),
                None => Vec::new(),
            }
        }
        _ => ctx.records().await?,
    };
    // members[value eq "<user id>"]: only the user's groups, from one QuickSight call.
    let holding: Option<BTreeSet<String>> = match filter.and_then(Filter::required_member) {
        Some(user) => Some(match ctx.record::<UserDoc>(user).await? {
            Some(held) => of_user(ctx, &held.doc.quick_sight_user)
                .await?
                .into_iter()
                .map(|g| g.id)
                .collect(),
            None => BTreeSet::new(),
        }),
        None => None,
    };
    let reads_members = filter.is_some_and(|f| f.reads("members"));
    let mut matched = Vec::new();
    for held in candidates {
        if holding.as_ref().is_some_and(|ids| !ids.contains(&held.doc.id)) {
            continue;
        }
        let members = match reads_members {
            true => match member_ids(ctx, &held.doc.quick_sight_group).await? {
                Some(members) => Some(members),
                None => continue,
            },
            false => None,
        };
        let resource = representation(ctx, &held.doc, held.version, members);
        if filter.is_none_or(|f| f.matches(&resource)) {
            matched.push((held, resource));
        }
    }
    Ok(match selected(matched) {
        Selected::One(held) => read(ctx, held, members).await?.into_iter().collect(),
        Selected::Many(resources) => resources,
    })
}
