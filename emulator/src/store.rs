//! QuickSight's users, groups and memberships, per account and namespace; resources' tags by ARN.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::wire::ApiError;

/// The namespace every account has from the start; any other exists once something creates it.
pub const DEFAULT_NAMESPACE: &str = "default";

/// A user exactly as the API's `User` shape returns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct User {
    pub arn: String,
    pub user_name: String,
    pub email: String,
    pub role: String,
    pub identity_type: String,
    pub active: bool,
    pub principal_id: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub custom_permissions_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub external_login_federation_provider_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub external_login_federation_provider_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub external_login_id: Option<String>,
    /// Until when the user is invisible (eventual consistency); never saved.
    #[serde(skip)]
    pub hidden_until: Option<Instant>,
}

impl User {
    pub fn is_visible(&self) -> bool {
        self.hidden_until.is_none_or(|t| Instant::now() >= t)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Group {
    pub arn: String,
    pub group_name: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub description: Option<String>,
    pub principal_id: String,
    /// Member user names; not part of the API's `Group` shape.
    #[serde(skip_serializing, default)]
    pub members: BTreeSet<String>,
}

/// One namespace of one account.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Space {
    pub users: BTreeMap<String, User>,
    pub groups: BTreeMap<String, Group>,
    /// Group name to member names, for the state dump and the state file.
    #[serde(default)]
    pub memberships: BTreeMap<String, BTreeSet<String>>,
}

impl Space {
    /// Removes the user from the namespace and every group; the user, when it existed.
    pub fn remove_user(&mut self, key: &str) -> Option<User> {
        let user = self.users.remove(key)?;
        for group in self.groups.values_mut() {
            group.members.remove(key);
        }
        Some(user)
    }
}

impl Space {
    /// Copies members into `memberships` (groups keep them out of their API shape).
    fn export_memberships(&mut self) {
        self.memberships = self
            .groups
            .values()
            .filter(|g| !g.members.is_empty())
            .map(|g| (g.group_name.clone(), g.members.clone()))
            .collect();
    }

    fn import_memberships(&mut self) {
        for (group, members) in std::mem::take(&mut self.memberships) {
            if let Some(g) = self.groups.get_mut(&group) {
                g.members = members;
            }
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Store {
    /// Keyed by `account/namespace`: the namespaces that exist (`default` once first used).
    pub spaces: BTreeMap<String, Space>,
    /// Resource ARN to its tags (TagResource); DescribeUser does not return them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, BTreeMap<String, String>>,
    pub next_id: u64,
}

impl Store {
    /// The namespace, or QuickSight's answer for one that does not exist.
    pub fn namespace(&mut self, account: &str, namespace: &str) -> Result<&mut Space, ApiError> {
        let key = format!("{account}/{namespace}");
        if namespace == DEFAULT_NAMESPACE {
            return Ok(self.spaces.entry(key).or_default());
        }
        self.spaces
            .get_mut(&key)
            .ok_or_else(|| ApiError::not_found("NAMESPACE", format!("Namespace {namespace} not found")))
    }

    /// Creates the namespace (the admin seed until CreateNamespace exists); `false` if it existed.
    pub fn create_namespace(&mut self, account: &str, namespace: &str) -> bool {
        let key = format!("{account}/{namespace}");
        let created = !self.spaces.contains_key(&key);
        self.spaces.entry(key).or_default();
        created
    }

    /// Deletes the user and everything kept about it by ARN; `false` when there was none.
    pub fn delete_user(&mut self, account: &str, namespace: &str, key: &str) -> Result<bool, ApiError> {
        let Some(user) = self.namespace(account, namespace)?.remove_user(key) else {
            return Ok(false);
        };
        self.tags.remove(&user.arn);
        Ok(true)
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn to_json(&self) -> serde_json::Value {
        let mut copy = self.clone();
        copy.spaces.values_mut().for_each(Space::export_memberships);
        serde_json::to_value(copy).expect("store serialises")
    }

    pub fn from_json(raw: &str) -> Result<Self, serde_json::Error> {
        let mut store: Store = serde_json::from_str(raw)?;
        store.spaces.values_mut().for_each(Space::import_memberships);
        Ok(store)
    }
}

#[cfg(test)]
mod tests {
    use super::{Group, Store, User};

    const ACCOUNT: &str = "123456789012";

    fn user(name: &str) -> User {
        User {
            arn: format!("arn:aws:quicksight:us-east-1:{ACCOUNT}:user/default/{name}"),
            user_name: name.into(),
            email: format!("{name}@example.com"),
            role: "READER".into(),
            identity_type: "IAM".into(),
            active: true,
            principal_id: format!("p-{name}"),
            custom_permissions_name: None,
            external_login_federation_provider_type: None,
            external_login_federation_provider_url: None,
            external_login_id: None,
            hidden_until: None,
        }
    }

    /// A store with user `ana` in group `g`, tagged `team=bi`.
    fn with_ana() -> Store {
        let mut store = Store::default();
        let ana = user("ana");
        store
            .tags
            .insert(ana.arn.clone(), [("team".into(), "bi".into())].into());
        let space = store.namespace(ACCOUNT, "default").unwrap();
        space.users.insert("ana".into(), ana);
        let mut group = Group {
            arn: "arn:g".into(),
            group_name: "g".into(),
            description: None,
            principal_id: "group/g".into(),
            members: Default::default(),
        };
        group.members.insert("ana".into());
        space.groups.insert("g".into(), group);
        store
    }

    #[test]
    fn default_exists_at_start_and_other_namespaces_once_created() {
        let mut store = Store::default();
        assert!(store.namespace(ACCOUNT, "default").is_ok());
        let missing = store.namespace(ACCOUNT, "acme").unwrap_err();
        assert_eq!(
            (missing.status.as_u16(), missing.code),
            (404, "ResourceNotFoundException")
        );
        assert_eq!(missing.message, "Namespace acme not found");
        assert!(store.create_namespace(ACCOUNT, "acme"));
        assert!(!store.create_namespace(ACCOUNT, "acme"), "created once");
        assert!(store.namespace(ACCOUNT, "acme").unwrap().users.is_empty());
        assert!(store.namespace("210987654321", "acme").is_err(), "per account");
    }

    #[test]
    fn deleting_a_user_drops_its_memberships_and_the_tags_kept_by_its_arn() {
        let mut store = with_ana();
        assert!(store.delete_user(ACCOUNT, "default", "ana").unwrap());
        assert!(store.tags.is_empty());
        assert!(
            store.namespace(ACCOUNT, "default").unwrap().groups["g"]
                .members
                .is_empty()
        );
        assert!(!store.delete_user(ACCOUNT, "default", "ana").unwrap(), "gone already");
    }

    #[test]
    fn the_state_file_keeps_users_memberships_and_tags() {
        let store = with_ana();
        let saved = serde_json::to_string(&store.to_json()).unwrap();
        let mut loaded = Store::from_json(&saved).unwrap();
        assert_eq!(loaded.tags, store.tags);
        let space = loaded.namespace(ACCOUNT, "default").unwrap();
        assert!(space.groups["g"].members.contains("ana"));
        assert_eq!(space.users["ana"].email, "ana@example.com");
    }
}
