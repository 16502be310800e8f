//! QuickSight's users, groups and memberships, per account and namespace.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

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
    /// User name to its tags (TagResource on the user's ARN); DescribeUser does not return them.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, BTreeMap<String, String>>,
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
    /// Keyed by `account/namespace`.
    pub spaces: BTreeMap<String, Space>,
    pub next_id: u64,
}

impl Store {
    pub fn space(&mut self, account: &str, namespace: &str) -> &mut Space {
        self.spaces.entry(format!("{account}/{namespace}")).or_default()
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
