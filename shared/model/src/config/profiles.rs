//! Custom permissions profiles from the directory: `GROUP_MAPPING`'s `custom_permissions`,
//! `DEFAULT_CUSTOM_PERMISSIONS` for users no entry gives one, and `CUSTOM_PERMISSIONS_PRECEDENCE`
//! to say which wins when a user's groups lead to several. Which profile restricts more cannot be
//! computed from names (or even from capabilities: one may deny exports, another sharing), so the
//! order is the administrator's, written down, and required as soon as two profiles can meet.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::{EnvReader, GroupMapping};
use crate::validate::{FieldError, Profile, fields};

/// The profiles this deployment applies, and so owns: only these are ever replaced or removed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CustomPermissions {
    /// `CUSTOM_PERMISSIONS_PRECEDENCE`: first listed wins.
    precedence: Vec<String>,
    /// `DEFAULT_CUSTOM_PERMISSIONS`.
    default: Option<String>,
    /// Every profile `GROUP_MAPPING` names, and the default: shared by every change's rule.
    owned: Arc<BTreeSet<String>>,
}

impl CustomPermissions {
    pub fn read(env: &mut EnvReader, mapping: &GroupMapping) -> Self {
        let default = env.optional("DEFAULT_CUSTOM_PERMISSIONS", |f, v| {
            fields::custom_permissions_name(f, v).map(|()| v.to_owned())
        });
        let mapped = mapping.profiles();
        let precedence = env
            .optional("CUSTOM_PERMISSIONS_PRECEDENCE", |f, v| parse_precedence(f, v, &mapped))
            .unwrap_or_default();
        let unordered: Vec<&String> = mapped.iter().filter(|p| !precedence.contains(p)).collect();
        if mapped.len() > 1 && !unordered.is_empty() {
            let names: Vec<&str> = unordered.iter().map(|s| s.as_str()).collect();
            env.fail(
                "CUSTOM_PERMISSIONS_PRECEDENCE",
                format!(
                    "must list every profile GROUP_MAPPING names, first the one that wins when a user's groups lead to several (missing: {})",
                    names.join(", ")
                ),
            );
        }
        let mut owned = mapped;
        owned.extend(default.clone());
        Self {
            precedence,
            default,
            owned: Arc::new(owned),
        }
    }

    /// Whether this deployment manages users' profiles at all.
    pub fn managed(&self) -> bool {
        !self.owned.is_empty()
    }

    /// The profile for a user whose mapped groups name `names`: the first of them in
    /// precedence (a single one needs no precedence), else the default.
    pub fn for_names<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Option<String> {
        let names: BTreeSet<&str> = names.into_iter().collect();
        let rank = |n: &str| self.precedence.iter().position(|p| p == n).unwrap_or(usize::MAX);
        names
            .into_iter()
            .min_by_key(|n| rank(n))
            .map(str::to_owned)
            .or_else(|| self.default.clone())
    }

    /// The directory's answer `name` as a change's profile rule.
    pub fn from_directory(&self, name: Option<String>) -> Profile {
        let owned = match &name {
            // Named by a change planned under an earlier configuration: still the directory's.
            Some(n) if !self.owned.contains(n) => {
                let mut owned = (*self.owned).clone();
                owned.insert(n.clone());
                Arc::new(owned)
            }
            _ => self.owned.clone(),
        };
        Profile::Directory { name, owned }
    }
}

fn parse_precedence(field: &str, v: &str, mapped: &BTreeSet<String>) -> Result<Vec<String>, FieldError> {
    let mut names = Vec::new();
    for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        fields::custom_permissions_name(field, name)?;
        if !mapped.contains(name) {
            return Err(FieldError::new(
                field,
                "names a profile no GROUP_MAPPING entry names",
                name,
            ));
        }
        if names.iter().any(|n| n == name) {
            return Err(FieldError::new(field, "lists a profile twice", name));
        }
        names.push(name.to_owned());
    }
    Ok(names)
}
