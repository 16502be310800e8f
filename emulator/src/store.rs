//! QuickSight's namespaces, and their users, groups and memberships, per account; resources' tags
//! by ARN.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::assets::Asset;
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
    /// Role to the custom permissions profile applied to it (UpdateRoleCustomPermission).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub role_profiles: BTreeMap<String, String>,
    /// Role to the groups it is given (CreateRoleMembership).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub role_members: BTreeMap<String, BTreeSet<String>>,
    /// `SelfUpgradeStatus` (UpdateSelfUpgradeConfiguration); unset until configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_upgrade_status: Option<String>,
    /// Self-upgrade requests by id (ListSelfUpgrades).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub self_upgrades: BTreeMap<String, SelfUpgrade>,
    /// The region CreateNamespace was called in (its `CapacityRegion`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_region: Option<String>,
    /// Until when the namespace is `CREATING` (CreateNamespace is asynchronous); never saved.
    #[serde(skip)]
    pub creating_until: Option<Instant>,
    /// Since DeleteNamespace: `DELETING` until then, gone after; never saved.
    #[serde(skip)]
    pub deleting_until: Option<Instant>,
}

/// A reader's request for a higher role, as the API's `SelfUpgradeRequestDetail` returns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SelfUpgrade {
    pub upgrade_request_id: String,
    pub user_name: String,
    pub original_role: String,
    pub requested_role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_note: Option<String>,
    /// Epoch milliseconds.
    pub creation_time: u64,
    pub request_status: String,
    #[serde(rename = "lastUpdateAttemptTime", default, skip_serializing_if = "Option::is_none")]
    pub last_update_attempt_time: Option<u64>,
    #[serde(rename = "lastUpdateFailureReason", default, skip_serializing_if = "Option::is_none")]
    pub last_update_failure_reason: Option<String>,
}

/// A namespace's `CreationStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamespaceStatus {
    Creating,
    Created,
    Deleting,
}

impl NamespaceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Creating => "CREATING",
            Self::Created => "CREATED",
            Self::Deleting => "DELETING",
        }
    }
}

impl Space {
    pub fn status(&self) -> NamespaceStatus {
        let now = Instant::now();
        if self.deleting_until.is_some() {
            NamespaceStatus::Deleting
        } else if self.creating_until.is_some_and(|t| now < t) {
            NamespaceStatus::Creating
        } else {
            NamespaceStatus::Created
        }
    }

    fn is_gone(&self) -> bool {
        self.deleting_until.is_some_and(|t| Instant::now() >= t)
    }
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
    /// Dashboards, analyses, datasets, data sources and folders by `kind/id`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub assets: BTreeMap<String, Asset>,
    /// Custom permissions profiles by `account/name` (CreateCustomPermissions).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub profiles: BTreeMap<String, Profile>,
    pub next_id: u64,
}

/// Where the account's profile `name` is kept in [`Store::profiles`].
pub fn profile_key(account: &str, name: &str) -> String {
    format!("{account}/{name}")
}

fn profile_not_found(name: &str) -> ApiError {
    ApiError::not_found_untyped(format!("The custom permissions profile {name} does not exist."))
}

/// A custom permissions profile, as the API's `CustomPermissions` shape returns it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Profile {
    pub arn: String,
    pub custom_permissions_name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capabilities: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub governance: Option<serde_json::Value>,
}

impl Store {
    /// The account's profile `name`, or QuickSight's 404.
    pub fn profile(&self, account: &str, name: &str) -> Result<&Profile, ApiError> {
        self.profiles
            .get(&profile_key(account, name))
            .ok_or_else(|| profile_not_found(name))
    }

    pub fn profile_mut(&mut self, account: &str, name: &str) -> Result<&mut Profile, ApiError> {
        self.profiles
            .get_mut(&profile_key(account, name))
            .ok_or_else(|| profile_not_found(name))
    }

    /// Where the account's profile `name` is applied: `namespace/user` and `namespace/role:ROLE`.
    pub fn profile_uses(&self, account: &str, name: &str) -> Vec<String> {
        let prefix = format!("{account}/");
        let mut uses = Vec::new();
        for (key, space) in &self.spaces {
            let Some(namespace) = key.strip_prefix(&prefix) else {
                continue;
            };
            let users = space
                .users
                .values()
                .filter(|u| u.custom_permissions_name.as_deref() == Some(name));
            uses.extend(users.map(|u| format!("{namespace}/{}", u.user_name)));
            let roles = space.role_profiles.iter().filter(|(_, p)| *p == name);
            uses.extend(roles.map(|(role, _)| format!("{namespace}/role:{role}")));
        }
        uses
    }
}

impl Store {
    /// The namespace for a user or group call: QuickSight's 404 for one that does not exist, and
    /// 503 `ResourceUnavailableException` for one not `CREATED` (no source gives the real code;
    /// see the README).
    pub fn namespace(&mut self, account: &str, namespace: &str) -> Result<&mut Space, ApiError> {
        let space = self.namespace_info(account, namespace)?;
        match space.status() {
            NamespaceStatus::Created => Ok(space),
            status => Err(ApiError::not_ready(format!(
                "Namespace {namespace} is not ready: its status is {}",
                status.as_str()
            ))),
        }
    }

    /// The namespace whatever its status (DescribeNamespace), or 404.
    pub fn namespace_info(&mut self, account: &str, namespace: &str) -> Result<&mut Space, ApiError> {
        let key = format!("{account}/{namespace}");
        if namespace == DEFAULT_NAMESPACE {
            return Ok(self.spaces.entry(key).or_default());
        }
        if self.spaces.get(&key).is_some_and(Space::is_gone) {
            self.spaces.remove(&key);
        }
        self.spaces
            .get_mut(&key)
            .ok_or_else(|| ApiError::not_found("NAMESPACE", format!("Namespace {namespace} not found")))
    }

    /// The account's namespaces that exist (`default` among them), by name.
    pub fn namespaces(&mut self, account: &str) -> BTreeMap<String, &Space> {
        let prefix = format!("{account}/");
        self.spaces.retain(|_, space| !space.is_gone());
        self.spaces.entry(format!("{prefix}{DEFAULT_NAMESPACE}")).or_default();
        self.spaces
            .iter()
            .filter_map(|(key, space)| Some((key.strip_prefix(&prefix)?.to_owned(), space)))
            .collect()
    }

    /// CreateNamespace: `CREATING` for `delay`, then `CREATED`. At most `limit` namespaces per
    /// account, `default` included.
    pub fn create_namespace(
        &mut self,
        account: &str,
        namespace: &str,
        region: &str,
        delay: Duration,
        limit: usize,
    ) -> Result<&Space, ApiError> {
        let key = format!("{account}/{namespace}");
        if self.namespace_info(account, namespace).is_ok() {
            return Err(ApiError::exists(
                "NAMESPACE",
                format!("Namespace {namespace} already exists"),
            ));
        }
        if self.namespaces(account).len() >= limit {
            return Err(ApiError::limit(format!(
                "The account has {limit} namespaces, its limit (--namespace-limit)"
            )));
        }
        let space = Space {
            capacity_region: Some(region.to_owned()),
            creating_until: Some(Instant::now() + delay),
            ..Space::default()
        };
        Ok(self.spaces.entry(key).or_insert(space))
    }

    /// DeleteNamespace: its users and groups (and their tags) go at once; the namespace is
    /// `DELETING` for `delay`, then gone.
    pub fn delete_namespace(&mut self, account: &str, namespace: &str, delay: Duration) -> Result<(), ApiError> {
        if namespace == DEFAULT_NAMESPACE {
            return Err(ApiError::invalid("The default namespace cannot be deleted."));
        }
        let space = self.namespace_info(account, namespace)?;
        let users: Vec<String> = space.users.values().map(|u| u.arn.clone()).collect();
        let groups: Vec<String> = space.groups.values().map(|g| g.arn.clone()).collect();
        space.users.clear();
        space.groups.clear();
        space.deleting_until.get_or_insert(Instant::now() + delay);
        for arn in users.iter().chain(&groups) {
            self.forget_principal(arn);
        }
        Ok(())
    }

    /// Creates the namespace at once, `CREATED` (the admin seed); `false` if it existed.
    pub fn seed_namespace(&mut self, account: &str, namespace: &str) -> bool {
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
        self.forget_principal(&user.arn);
        Ok(true)
    }

    /// Drops what is kept by a deleted principal's ARN: its tags, and its place in every
    /// permission list (an asset it alone owned is left without an owner, as in QuickSight).
    fn forget_principal(&mut self, arn: &str) {
        self.tags.remove(arn);
        for asset in self.assets.values_mut() {
            asset.permissions.remove(arn);
        }
    }

    /// Whether a user or group with this ARN exists.
    pub fn principal_exists(&self, arn: &str) -> bool {
        self.spaces
            .values()
            .any(|space| space.users.values().any(|u| u.arn == arn) || space.groups.values().any(|g| g.arn == arn))
    }

    /// The ARNs of the groups the user with ARN `user_arn` is a member of.
    pub fn groups_of(&self, user_arn: &str) -> Vec<String> {
        let mut groups = Vec::new();
        for space in self.spaces.values() {
            if let Some((key, _)) = space.users.iter().find(|(_, u)| u.arn == user_arn) {
                groups.extend(
                    space
                        .groups
                        .values()
                        .filter(|g| g.members.contains(key))
                        .map(|g| g.arn.clone()),
                );
            }
        }
        groups
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
    use std::time::Duration;

    use super::{Group, NamespaceStatus, Store, User};

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
        assert!(store.seed_namespace(ACCOUNT, "acme"));
        assert!(!store.seed_namespace(ACCOUNT, "acme"), "created once");
        assert!(store.namespace(ACCOUNT, "acme").unwrap().users.is_empty());
        assert!(store.namespace("210987654321", "acme").is_err(), "per account");
    }

    #[tokio::test(start_paused = true)]
    async fn a_namespace_is_creating_for_the_delay_then_created_and_deleting_then_gone() {
        let mut store = Store::default();
        let delay = Duration::from_secs(2);
        store
            .create_namespace(ACCOUNT, "acme", "eu-west-1", delay, 100)
            .unwrap();
        let refused = store.namespace(ACCOUNT, "acme").unwrap_err();
        assert_eq!(
            (refused.status.as_u16(), refused.code),
            (503, "ResourceUnavailableException")
        );
        assert_eq!(refused.message, "Namespace acme is not ready: its status is CREATING");
        let again = store
            .create_namespace(ACCOUNT, "acme", "eu-west-1", delay, 100)
            .unwrap_err();
        assert_eq!(again.code, "ResourceExistsException");
        tokio::time::advance(delay).await;
        assert_eq!(
            store.namespace_info(ACCOUNT, "acme").unwrap().status(),
            NamespaceStatus::Created
        );
        store
            .namespace(ACCOUNT, "acme")
            .unwrap()
            .users
            .insert("ana".into(), user("ana"));

        store.delete_namespace(ACCOUNT, "acme", delay).unwrap();
        let space = store.namespace_info(ACCOUNT, "acme").unwrap();
        assert_eq!((space.status(), space.users.len()), (NamespaceStatus::Deleting, 0));
        tokio::time::advance(delay).await;
        assert_eq!(
            store.namespace_info(ACCOUNT, "acme").unwrap_err().code,
            "ResourceNotFoundException"
        );
        assert!(
            store.delete_namespace(ACCOUNT, "default", delay).is_err(),
            "default stays"
        );
    }

    #[test]
    fn the_namespace_limit_counts_default() {
        let mut store = Store::default();
        store
            .create_namespace(ACCOUNT, "a", "us-east-1", Duration::ZERO, 2)
            .unwrap();
        let over = store
            .create_namespace(ACCOUNT, "b", "us-east-1", Duration::ZERO, 2)
            .unwrap_err();
        assert_eq!((over.status.as_u16(), over.code), (409, "LimitExceededException"));
        assert!(
            store
                .create_namespace("210987654321", "b", "us-east-1", Duration::ZERO, 2)
                .is_ok(),
            "per account"
        );
        assert_eq!(store.namespaces(ACCOUNT).keys().collect::<Vec<_>>(), ["a", "default"]);
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
