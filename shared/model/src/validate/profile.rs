//! What a change says about a user's custom permissions profile, and the one rule that turns it
//! into a change: a profile this deployment does not own (an administrator's) is never replaced
//! or removed by the directory, and a change that says nothing leaves any profile where it is.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;

/// A change's word on the user's profile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Profile {
    /// Nothing said (profiles unmanaged, or a bulk row without one): the user's stays.
    #[default]
    Leave,
    /// A bulk row named it: applied over whatever the user has.
    Named { name: String },
    /// The directory's answer (GROUP_MAPPING's `custom_permissions`, DEFAULT_CUSTOM_PERMISSIONS):
    /// `name` applied, or an `owned` profile the answer no longer names removed; a profile
    /// outside `owned` is an administrator's, and stays.
    Directory {
        name: Option<String>,
        /// Shared: every change planned under one configuration owns the same profiles.
        owned: Arc<BTreeSet<String>>,
    },
}

/// What UpdateUser must do to the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileChange {
    /// `CustomPermissionsName`.
    Apply(String),
    /// `UnapplyCustomPermissions`.
    Unapply,
}

impl Profile {
    /// The change a user holding `current` needs; `None`: none.
    pub fn change(&self, current: Option<&str>) -> Option<ProfileChange> {
        match self {
            Self::Leave => None,
            Self::Named { name } => (current != Some(name.as_str())).then(|| ProfileChange::Apply(name.clone())),
            Self::Directory { name, owned } => {
                if current.is_some_and(|c| !owned.contains(c)) {
                    return None;
                }
                match name {
                    Some(name) if current != Some(name.as_str()) => Some(ProfileChange::Apply(name.clone())),
                    Some(_) => None,
                    None => current.map(|_| ProfileChange::Unapply),
                }
            }
        }
    }

    /// The profile a user holding `current` has after the change.
    pub fn after(&self, current: Option<&str>) -> Option<String> {
        match self.change(current) {
            Some(ProfileChange::Apply(name)) => Some(name),
            Some(ProfileChange::Unapply) => None,
            None => current.map(str::to_owned),
        }
    }

    /// The profile the change names, if any (validated before any call).
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Leave => None,
            Self::Named { name } => Some(name),
            Self::Directory { name, .. } => name.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Profile, ProfileChange};

    fn directory(name: Option<&str>) -> Profile {
        Profile::Directory {
            name: name.map(str::to_owned),
            owned: Arc::new(["no-export", "author-basic"].map(str::to_owned).into()),
        }
    }

    fn named(name: &str) -> Profile {
        Profile::Named { name: name.into() }
    }

    fn apply(name: &str) -> Option<ProfileChange> {
        Some(ProfileChange::Apply(name.into()))
    }

    #[test]
    fn who_may_change_a_profile() {
        let admins = Some("admin-locked");
        let rows: [(&str, Profile, Option<&str>, Option<ProfileChange>); 13] = [
            ("nothing said, none held", Profile::Leave, None, None),
            (
                "nothing said never lifts an administrator's",
                Profile::Leave,
                admins,
                None,
            ),
            (
                "nothing said never lifts an owned one",
                Profile::Leave,
                Some("no-export"),
                None,
            ),
            (
                "a bulk row applies its profile",
                named("no-export"),
                None,
                apply("no-export"),
            ),
            (
                "a bulk row replaces an administrator's",
                named("no-export"),
                admins,
                apply("no-export"),
            ),
            (
                "a bulk row naming what is held",
                named("no-export"),
                Some("no-export"),
                None,
            ),
            (
                "the directory applies its profile",
                directory(Some("no-export")),
                None,
                apply("no-export"),
            ),
            (
                "the directory keeps what it named",
                directory(Some("no-export")),
                Some("no-export"),
                None,
            ),
            (
                "the directory swaps its own profiles",
                directory(Some("author-basic")),
                Some("no-export"),
                apply("author-basic"),
            ),
            (
                "the directory never replaces an administrator's",
                directory(Some("no-export")),
                admins,
                None,
            ),
            (
                "the directory removes its own profile it no longer names",
                directory(None),
                Some("no-export"),
                Some(ProfileChange::Unapply),
            ),
            (
                "the directory never removes an administrator's",
                directory(None),
                admins,
                None,
            ),
            ("the directory naming none, none held", directory(None), None, None),
        ];
        for (case, profile, current, expected) in rows {
            assert_eq!(profile.change(current), expected, "{case}");
            let after = match &expected {
                Some(ProfileChange::Apply(name)) => Some(name.clone()),
                Some(ProfileChange::Unapply) => None,
                None => current.map(str::to_owned),
            };
            assert_eq!(profile.after(current), after, "{case}");
        }
    }
}
