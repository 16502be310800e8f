//! `/Groups`: a SCIM group is the QuickSight group `MANAGED_GROUP_PREFIX` + `displayName`, so no
//! group outside the managed scope is ever touched. QuickSight holds the group and its members
//! (written first); the table holds the SCIM id, `externalId`, `meta` (written second), with the
//! same repair-on-repeat as users. A member is a SCIM user: its id is found through the
//! `qsUser#` item of its QuickSight user.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{ScimError, ScimType};
use crate::protocol::filter::{Attr, Filter};
use crate::protocol::{GROUP_SCHEMA, Page, ResourceKind, get_ci, patch};
use crate::resource::{Ctx, new_id, now, ordered, required_string, written};
use crate::store::Write;
use crate::users;

/// The table's record of one SCIM group.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupDoc {
    pub id: String,
    pub quick_sight_group: String,
    /// The attributes as written, without `members` (QuickSight holds those).
    pub resource: Value,
    pub created: String,
    pub last_modified: String,
}

impl GroupDoc {
    fn display_name(&self) -> &str {
        get_ci(&self.resource, "displayName").and_then(Value::as_str).unwrap_or_default()
    }
}

struct Held {
    doc: GroupDoc,
    version: u64,
}

/// A SCIM group a user is in.
#[derive(Debug, Clone)]
pub struct UserGroup {
    pub id: String,
    pub display_name: String,
}

impl Ctx<'_> {
    fn prefix(&self) -> &str {
        self.app.config.managed_group_prefix.as_deref().unwrap_or_default()
    }

    fn group_key(&self, id: &str) -> String {
        self.key("group", id)
    }

    fn display_name_key(&self, name: &str) -> String {
        self.key("displayName", &name.to_lowercase())
    }

    fn quicksight_group_key(&self, name: &str) -> String {
        self.key("qsGroup", name)
    }

    /// The QuickSight group of a display name, checked against QuickSight's rules.
    fn quicksight_group(&self, display_name: &str) -> Result<String, ScimError> {
        let name = format!("{}{display_name}", self.prefix());
        qs_model::validate::fields::group_name("displayName", &name).map_err(|e| {
            ScimError::bad(ScimType::InvalidValue, format!("displayName {display_name:?}: the QuickSight group {name:?} {}", e.rule))
        })?;
        Ok(name)
    }

    async fn held_group(&self, id: &str) -> Result<Option<Held>, ScimError> {
        let Some(stored) = self.app.table.get(&self.group_key(id)).await? else {
            return Ok(None);
        };
        let doc = serde_json::from_value(stored.doc).map_err(|e| ScimError::Internal(format!("group {id}: {e}")))?;
        Ok(Some(Held {
            doc,
            version: stored.version,
        }))
    }
}

fn not_found(id: &str) -> ScimError {
    ScimError::NotFound(format!("Group {id} not found"))
}

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
        if let Some(stored) = ctx.app.table.get(&ctx.quicksight_group_key(name)).await? {
            let id = stored.doc.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
            let display_name = name[ctx.prefix().len()..].to_owned();
            groups.push(UserGroup { id, display_name });
        }
    }
    Ok(groups)
}

/// The QuickSight users of the SCIM users `members` names (`[{"value": "<id>"}]`): 400 for an id
/// that is no user, and users held only in the table (deactivated) left out.
async fn member_users(ctx: &Ctx<'_>, members: &[Value]) -> Result<BTreeSet<String>, ScimError> {
    let mut users = BTreeSet::new();
    for member in members {
        let id = get_ci(member, "value")
            .and_then(Value::as_str)
            .ok_or_else(|| ScimError::bad(ScimType::InvalidValue, format!("members: {member} has no string value")))?;
        let held = ctx
            .held_user(id)
            .await?
            .ok_or_else(|| ScimError::bad(ScimType::InvalidValue, format!("members: there is no User {id}")))?;
        if users::is_active(&held.doc.resource) || ctx.app.settings.deactivate == crate::settings::Deactivate::Keep {
            users.insert(held.doc.quick_sight_user);
        }
    }
    Ok(users)
}

/// `members` of a written resource (taken out of it: QuickSight holds them).
fn take_members(resource: &mut Value) -> Result<Vec<Value>, ScimError> {
    let object = resource.as_object_mut().expect("written() keeps an object");
    let key = object.keys().find(|k| k.eq_ignore_ascii_case("members")).cloned();
    match key.and_then(|k| object.remove(&k)) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(members)) => Ok(members),
        Some(other) => Err(ScimError::bad(ScimType::InvalidValue, format!("members must be an array, not {other}"))),
    }
}

pub async fn create(ctx: &Ctx<'_>, body: &Value) -> Result<Value, ScimError> {
    let mut resource = written(body, &[]);
    let members = take_members(&mut resource)?;
    let display_name = required_string(&resource, "displayName")?;
    let group = ctx.quicksight_group(&display_name)?;
    let id = new_id();
    ctx.unique(&ctx.display_name_key(&display_name), &id, format!("displayName {display_name:?} is taken"))
        .await?;
    ctx.unique(&ctx.quicksight_group_key(&group), &id, format!("the QuickSight group {group} is already another SCIM group's"))
        .await?;
    let users = member_users(ctx, &members).await?;
    let engine = &ctx.app.engine;
    engine.ensure_group(&ctx.home, &group, ctx.deadline).await?;
    change_members(ctx, &group, &users, &BTreeSet::new()).await?;
    let at = now();
    let doc = GroupDoc {
        id: id.clone(),
        quick_sight_group: group.clone(),
        resource,
        created: at.clone(),
        last_modified: at,
    };
    ctx.app
        .table
        .write(vec![
            Write::Create { key: ctx.group_key(&id), doc: json!(doc) },
            Write::Create { key: ctx.display_name_key(&display_name), doc: json!({ "id": id }) },
            Write::Create { key: ctx.quicksight_group_key(&group), doc: json!({ "id": id }) },
        ])
        .await?;
    refresh_roles(ctx, &[&display_name], &users).await?;
    Ok(representation(ctx, &doc, 1, Some(members)))
}

async fn change_members(ctx: &Ctx<'_>, group: &str, add: &BTreeSet<String>, remove: &BTreeSet<String>) -> Result<(), ScimError> {
    let one = BTreeSet::from([group.to_owned()]);
    let none = BTreeSet::new();
    for user in add {
        ctx.app.engine.change_groups(&ctx.home, user, &one, &none, ctx.deadline).await?;
    }
    for user in remove {
        ctx.app.engine.change_groups(&ctx.home, user, &none, &one, ctx.deadline).await?;
    }
    Ok(())
}

/// Re-applies the roles of `users` when GROUP_MAPPING maps one of `display_names` to a role.
async fn refresh_roles(ctx: &Ctx<'_>, display_names: &[&str], users: &BTreeSet<String>) -> Result<(), ScimError> {
    let mapping = &ctx.app.config.group_mapping;
    if !display_names.iter().any(|n| mapping.0.get(*n).is_some_and(|m| m.role.is_some())) {
        return Ok(());
    }
    for user in users {
        if let Some(id) = ctx.indexed(&ctx.quicksight_user_key(user)).await? {
            users::refresh_role(ctx, &id).await?;
        }
    }
    Ok(())
}

/// The SCIM ids of the group's QuickSight members (`None`: QuickSight has no such group).
async fn member_ids(ctx: &Ctx<'_>, group: &str) -> Result<Option<Vec<Value>>, ScimError> {
    let Some(names) = ctx.app.engine.members_of(&ctx.home, group, ctx.deadline).await? else {
        return Ok(None);
    };
    let mut members = Vec::new();
    for name in names {
        if let Some(id) = ctx.indexed(&ctx.quicksight_user_key(&name)).await? {
            members.push(json!({ "value": id, "$ref": ctx.location(ResourceKind::User, &id), "type": "User" }));
        }
    }
    Ok(Some(members))
}

fn representation(ctx: &Ctx<'_>, doc: &GroupDoc, version: u64, members: Option<Vec<Value>>) -> Value {
    let mut resource = doc.resource.clone();
    if let Some(members) = members {
        resource["members"] = Value::Array(members);
    }
    let meta = ctx.meta(ResourceKind::Group, &doc.id, &doc.created, &doc.last_modified, version);
    ordered(json!([GROUP_SCHEMA]), &doc.id, resource, meta)
}

/// The group as QuickSight and the table hold it, its members unless `members` is false; `None`
/// when QuickSight no longer has the group (the record is then removed).
async fn read(ctx: &Ctx<'_>, held: Held, members: bool) -> Result<Option<Value>, ScimError> {
    if !members {
        return Ok(Some(representation(ctx, &held.doc, held.version, None)));
    }
    match member_ids(ctx, &held.doc.quick_sight_group).await? {
        Some(members) => Ok(Some(representation(ctx, &held.doc, held.version, Some(members)))),
        None => {
            tracing::warn!(id = held.doc.id, group = held.doc.quick_sight_group, "QuickSight no longer has the group: its record is removed");
            forget(ctx, &held.doc).await?;
            Ok(None)
        }
    }
}

async fn forget(ctx: &Ctx<'_>, doc: &GroupDoc) -> Result<(), ScimError> {
    ctx.app
        .table
        .write(vec![
            Write::Delete { key: ctx.group_key(&doc.id) },
            Write::Delete { key: ctx.display_name_key(doc.display_name()) },
            Write::Delete { key: ctx.quicksight_group_key(&doc.quick_sight_group) },
        ])
        .await?;
    Ok(())
}

pub async fn get(ctx: &Ctx<'_>, id: &str, members: bool) -> Result<Value, ScimError> {
    let held = ctx.held_group(id).await?.ok_or_else(|| not_found(id))?;
    read(ctx, held, members).await?.ok_or_else(|| not_found(id))
}

pub async fn list(ctx: &Ctx<'_>, filter: Option<&Filter>, page: Page, members: bool) -> Result<Value, ScimError> {
    let candidates: Vec<Held> = match filter {
        Some(f) if f.value_of(Attr::Id).is_some() => {
            ctx.held_group(f.value_of(Attr::Id).unwrap_or_default()).await?.into_iter().collect()
        }
        Some(f) if f.value_of(Attr::DisplayName).is_some() => {
            let name = f.value_of(Attr::DisplayName).unwrap_or_default();
            match ctx.indexed(&ctx.display_name_key(name)).await? {
                Some(id) => ctx.held_group(&id).await?.into_iter().collect(),
                None => Vec::new(),
            }
        }
        _ => scan(ctx).await?,
    };
    // members[value eq "<user id>"]: the user's groups, from QuickSight.
    let holding: Option<BTreeSet<String>> = match filter.and_then(|f| f.value_of(Attr::MemberValue)) {
        Some(user) => Some(match ctx.held_user(user).await? {
            Some(held) => of_user(ctx, &held.doc.quick_sight_user).await?.into_iter().map(|g| g.id).collect(),
            None => BTreeSet::new(),
        }),
        None => None,
    };
    let mut matching: Vec<Held> = candidates
        .into_iter()
        .filter(|h| filter.is_none_or(|f| matches(f, &h.doc)))
        .filter(|h| holding.as_ref().is_none_or(|ids| ids.contains(&h.doc.id)))
        .collect();
    matching.sort_by(|a, b| (&a.doc.created, &a.doc.id).cmp(&(&b.doc.created, &b.doc.id)));
    let resources = if matching.len() == 1 {
        read(ctx, matching.pop().expect("one"), members).await?.into_iter().collect()
    } else {
        matching.iter().map(|h| representation(ctx, &h.doc, h.version, None)).collect()
    };
    Ok(page.answer(resources))
}

async fn scan(ctx: &Ctx<'_>) -> Result<Vec<Held>, ScimError> {
    let stored = ctx.app.table.scan(&ctx.group_key("")).await?;
    stored
        .into_iter()
        .map(|s| {
            let doc = serde_json::from_value(s.doc).map_err(|e| ScimError::Internal(e.to_string()))?;
            Ok(Held { doc, version: s.version })
        })
        .collect()
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

pub async fn replace(ctx: &Ctx<'_>, id: &str, body: &Value) -> Result<Value, ScimError> {
    let held = ctx.held_group(id).await?.ok_or_else(|| not_found(id))?;
    let mut resource = written(body, &[]);
    let members = take_members(&mut resource)?;
    update(ctx, held, resource, members).await
}

pub async fn patch(ctx: &Ctx<'_>, id: &str, body: &Value) -> Result<Value, ScimError> {
    let held = ctx.held_group(id).await?.ok_or_else(|| not_found(id))?;
    let members = member_ids(ctx, &held.doc.quick_sight_group).await?.ok_or_else(|| not_found(id))?;
    let mut resource = held.doc.resource.clone();
    resource["members"] = Value::Array(members);
    resource["id"] = json!(held.doc.id);
    patch::apply(&mut resource, body)?;
    let mut resource = written(&resource, &[]);
    let members = take_members(&mut resource)?;
    update(ctx, held, resource, members).await
}

/// Makes QuickSight's group and members what `resource` and `members` say, then records it. A new
/// display name is a new QuickSight group (QuickSight cannot rename one): created, given the
/// members, then the old one deleted.
async fn update(ctx: &Ctx<'_>, held: Held, resource: Value, members: Vec<Value>) -> Result<Value, ScimError> {
    let old = &held.doc;
    let display_name = required_string(&resource, "displayName")?;
    let group = ctx.quicksight_group(&display_name)?;
    let renamed = group != old.quick_sight_group;
    let new_name = !display_name.eq_ignore_ascii_case(old.display_name());
    if new_name {
        ctx.unique(&ctx.display_name_key(&display_name), &old.id, format!("displayName {display_name:?} is taken"))
            .await?;
    }
    if renamed {
        ctx.unique(&ctx.quicksight_group_key(&group), &old.id, format!("the QuickSight group {group} is already another SCIM group's"))
            .await?;
    }
    let desired = member_users(ctx, &members).await?;
    let engine = &ctx.app.engine;
    let current = engine
        .members_of(&ctx.home, &old.quick_sight_group, ctx.deadline)
        .await?
        .unwrap_or_default();
    let changed: BTreeSet<String> = current.symmetric_difference(&desired).cloned().collect();
    if renamed {
        engine.ensure_group(&ctx.home, &group, ctx.deadline).await?;
        change_members(ctx, &group, &desired, &BTreeSet::new()).await?;
        engine.delete_group(&ctx.home, &old.quick_sight_group, ctx.deadline).await?;
    } else {
        let add = desired.difference(&current).cloned().collect();
        // Only SCIM users leave: a member this service did not provision stays.
        let mut remove = BTreeSet::new();
        for user in current.difference(&desired) {
            if ctx.indexed(&ctx.quicksight_user_key(user)).await?.is_some() {
                remove.insert(user.clone());
            }
        }
        change_members(ctx, &group, &add, &remove).await?;
    }
    let doc = GroupDoc {
        id: old.id.clone(),
        quick_sight_group: group.clone(),
        resource,
        created: old.created.clone(),
        last_modified: now(),
    };
    let mut writes = vec![Write::Replace { key: ctx.group_key(&old.id), doc: json!(doc), version: held.version }];
    if new_name {
        writes.push(Write::Create { key: ctx.display_name_key(&display_name), doc: json!({ "id": old.id }) });
        writes.push(Write::Delete { key: ctx.display_name_key(old.display_name()) });
    }
    if renamed {
        writes.push(Write::Create { key: ctx.quicksight_group_key(&group), doc: json!({ "id": old.id }) });
        writes.push(Write::Delete { key: ctx.quicksight_group_key(&old.quick_sight_group) });
    }
    ctx.app.table.write(writes).await?;
    let affected = if renamed { current.union(&desired).cloned().collect() } else { changed };
    refresh_roles(ctx, &[&display_name, old.display_name()], &affected).await?;
    let answer_members = member_ids(ctx, &group).await?.unwrap_or_default();
    Ok(representation(ctx, &doc, held.version + 1, Some(answer_members)))
}

pub async fn delete(ctx: &Ctx<'_>, id: &str) -> Result<(), ScimError> {
    let held = ctx.held_group(id).await?.ok_or_else(|| not_found(id))?;
    let engine = &ctx.app.engine;
    let members = engine
        .members_of(&ctx.home, &held.doc.quick_sight_group, ctx.deadline)
        .await?
        .unwrap_or_default();
    engine.delete_group(&ctx.home, &held.doc.quick_sight_group, ctx.deadline).await?;
    forget(ctx, &held.doc).await?;
    refresh_roles(ctx, &[held.doc.display_name()], &members).await
}
