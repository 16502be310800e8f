use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::validate::{UserRole, fields};

/// Where one identity-provider group leads in QuickSight.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappedGroup {
    pub group: String,
    #[serde(default)]
    pub role: Option<UserRole>,
    /// The custom permissions profile its members get (see [`super::CustomPermissions`]).
    #[serde(default)]
    pub custom_permissions: Option<String>,
}

/// `GROUP_MAPPING`: identity-provider group name to QuickSight group (and optionally role).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupMapping(pub BTreeMap<String, MappedGroup>);

impl GroupMapping {
    /// Parses `{"idp-group": {"group": "qs-group", "role": "AUTHOR"}, ...}`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let map: BTreeMap<String, MappedGroup> = serde_json::from_str(raw)
            .map_err(|e| format!(r#"must be JSON like {{"finance":{{"group":"qs-finance","role":"AUTHOR"}}}}: {e}"#))?;
        for (idp, mapped) in &map {
            fields::group_name("group", &mapped.group).map_err(|e| format!("[{idp:?}].{e}"))?;
            if let Some(name) = &mapped.custom_permissions {
                fields::custom_permissions_name("custom_permissions", name).map_err(|e| format!("[{idp:?}].{e}"))?;
            }
        }
        Ok(Self(map))
    }

    pub fn lookup<'a>(&self, idp_groups: impl IntoIterator<Item = &'a str>) -> Vec<&MappedGroup> {
        idp_groups.into_iter().filter_map(|g| self.0.get(g.trim())).collect()
    }

    /// Every custom permissions profile the mapping names.
    pub fn profiles(&self) -> BTreeSet<String> {
        self.0.values().filter_map(|m| m.custom_permissions.clone()).collect()
    }

    /// Every QuickSight group the mapping can lead to.
    pub fn targets(&self) -> BTreeSet<String> {
        self.0.values().map(|m| m.group.clone()).collect()
    }
}

/// The groups this product manages: group sync may remove a user only from these.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupScope {
    prefix: Option<String>,
    names: BTreeSet<String>,
}

impl GroupScope {
    pub fn new(prefix: Option<String>, names: BTreeSet<String>) -> Self {
        Self {
            prefix: prefix.filter(|p| !p.is_empty()),
            names,
        }
    }

    /// Whether no group is managed at all (no prefix, no names).
    pub fn is_empty(&self) -> bool {
        self.prefix.is_none() && self.names.is_empty()
    }

    pub fn is_managed(&self, group: &str) -> bool {
        self.names.contains(group) || self.prefix.as_deref().is_some_and(|p| group.starts_with(p))
    }
}
