//! Account governance settings: which directory groups hold which QuickSight role in an account
//! whose identities come from IAM Identity Center or Active Directory (`ROLE_MEMBERSHIPS`), and who
//! decides a reader's request to upgrade itself (`SELF_UPGRADE`).

use std::collections::{BTreeMap, BTreeSet};

use super::GroupScope;
use crate::validate::{FieldError, UserRole, fields};

/// `SELF_UPGRADE`: what this deployment does with QuickSight's self-upgrades (a reader asking for
/// an author's role) in the namespaces it manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SelfUpgrade {
    /// Neither the configuration nor the requests are touched.
    #[default]
    Leave,
    /// Every managed namespace requires an administrator's approval; requests stay for one.
    AdminApproval,
    /// Admin approval, and the reconcile decides each pending request by the user's directory
    /// groups (`GROUP_MAPPING`): approved when they give the requested role, denied otherwise.
    Directory,
}

impl SelfUpgrade {
    pub fn parse(field: &str, v: &str) -> Result<Self, FieldError> {
        match v {
            "leave" => Ok(Self::Leave),
            "admin-approval" => Ok(Self::AdminApproval),
            "directory" => Ok(Self::Directory),
            _ => Err(FieldError::new(field, "must be leave, admin-approval or directory", v)),
        }
    }

    /// Whether managed namespaces are set to `ADMIN_APPROVAL`.
    pub fn requires_approval(self) -> bool {
        self != Self::Leave
    }

    /// The reconcile's decision on a pending request for `requested`, from the role the
    /// directory gives the user (`None`: not a user of this directory, left to an administrator):
    /// `Some(true)` approve, `Some(false)` deny, `None` leave pending.
    pub fn decide(self, requested: UserRole, directory_gives: Option<UserRole>) -> Option<bool> {
        match self {
            Self::Directory => directory_gives.map(|allowed| requested <= allowed),
            Self::Leave | Self::AdminApproval => None,
        }
    }
}

/// `ROLE_MEMBERSHIPS`: directory group name to the QuickSight role its members hold, or `NONE` for
/// a group that must hold no role. A group the mapping does not name is left as it is, unless its
/// name has `MANAGED_GROUP_PREFIX`: then it is this deployment's, and an unmapped one holds none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleMemberships(pub BTreeMap<String, Option<UserRole>>);

impl RoleMemberships {
    /// Parses `{"bi-admins": "ADMIN", "analysts": "AUTHOR_PRO", "old-team": "NONE"}`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let map: BTreeMap<String, String> = serde_json::from_str(raw)
            .map_err(|e| format!(r#"must be JSON like {{"bi-admins":"ADMIN","analysts":"AUTHOR_PRO"}}: {e}"#))?;
        let mut roles = BTreeMap::new();
        for (group, role) in map {
            fields::group_name("group", &group).map_err(|e| format!("[{group:?}]: {e}"))?;
            let role = match role.as_str() {
                "NONE" => None,
                other => Some(
                    UserRole::parse("role", other)
                        .map_err(|e| format!("[{group:?}]: {}: {} or NONE (got {:?})", e.field, e.rule, e.value))?,
                ),
            };
            roles.insert(group, role);
        }
        Ok(Self(roles))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The groups whose role memberships this deployment may change.
    pub fn scope(&self, prefix: Option<&str>) -> GroupScope {
        GroupScope::new(prefix.map(str::to_owned), self.0.keys().cloned().collect())
    }

    /// The changes that make `held` (each role's member groups, as read) what the mapping says,
    /// touching only groups in `scope`: each group of the mapping holds its role and no other; an
    /// unmapped group in scope holds none.
    pub fn plan(&self, held: &BTreeMap<UserRole, BTreeSet<String>>, scope: &GroupScope) -> Vec<MembershipChange> {
        let mut changes = Vec::new();
        for (group, wanted) in &self.0 {
            if let Some(role) = wanted
                && !held.get(role).is_some_and(|g| g.contains(group))
            {
                changes.push(MembershipChange::add(group, *role));
            }
        }
        for (role, groups) in held {
            for group in groups.iter().filter(|g| scope.is_managed(g)) {
                if self.0.get(group).copied().flatten() != Some(*role) {
                    changes.push(MembershipChange::remove(group, *role));
                }
            }
        }
        changes
    }
}

/// One role membership to create or delete.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MembershipChange {
    pub group: String,
    pub role: UserRole,
    /// `true`: CreateRoleMembership; `false`: DeleteRoleMembership.
    pub add: bool,
}

impl MembershipChange {
    fn add(group: &str, role: UserRole) -> Self {
        Self {
            group: group.to_owned(),
            role,
            add: true,
        }
    }

    fn remove(group: &str, role: UserRole) -> Self {
        Self {
            group: group.to_owned(),
            role,
            add: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::{MembershipChange, RoleMemberships, SelfUpgrade};
    use crate::validate::UserRole::{self, *};

    fn held(entries: &[(UserRole, &[&str])]) -> BTreeMap<UserRole, BTreeSet<String>> {
        entries
            .iter()
            .map(|(role, groups)| (*role, groups.iter().map(|g| g.to_string()).collect()))
            .collect()
    }

    fn change(group: &str, role: UserRole, add: bool) -> MembershipChange {
        MembershipChange {
            group: group.into(),
            role,
            add,
        }
    }

    #[test]
    fn role_memberships_parse_roles_and_none_and_name_what_is_wrong() {
        let parsed = RoleMemberships::parse(r#"{"bi-admins":"ADMIN","analysts":"AUTHOR_PRO","old":"NONE"}"#).unwrap();
        assert_eq!(parsed.0["bi-admins"], Some(Admin));
        assert_eq!(parsed.0["analysts"], Some(AuthorPro));
        assert_eq!(parsed.0["old"], None);
        let bad = RoleMemberships::parse(r#"{"analysts":"OWNER"}"#).unwrap_err();
        assert!(
            bad.contains(r#"["analysts"]"#) && bad.contains("NONE") && bad.contains("OWNER"),
            "{bad}"
        );
        assert!(
            RoleMemberships::parse(r#"["analysts"]"#)
                .unwrap_err()
                .contains("must be JSON like")
        );
        assert!(RoleMemberships::parse(r#"{"":"ADMIN"}"#).is_err());
    }

    #[test]
    fn the_plan_touches_only_named_or_prefixed_groups() {
        let mapping = RoleMemberships::parse(r#"{"bi-admins":"ADMIN","analysts":"AUTHOR","qs-old":"NONE"}"#).unwrap();
        // (what, MANAGED_GROUP_PREFIX, held before, planned)
        type Case<'a> = (
            &'a str,
            Option<&'a str>,
            &'a [(UserRole, &'a [&'a str])],
            Vec<MembershipChange>,
        );
        let cases: &[Case] = &[
            (
                "nothing held: each mapped group gets its role",
                None,
                &[],
                vec![change("analysts", Author, true), change("bi-admins", Admin, true)],
            ),
            (
                "already as mapped: nothing",
                None,
                &[(Admin, &["bi-admins"]), (Author, &["analysts"])],
                vec![],
            ),
            (
                "a mapped group in another role moves",
                None,
                &[(Admin, &["bi-admins"]), (Reader, &["analysts"])],
                vec![change("analysts", Author, true), change("analysts", Reader, false)],
            ),
            (
                "NONE removes; a group outside the mapping stays",
                None,
                &[
                    (Admin, &["bi-admins", "console-made"]),
                    (Author, &["analysts", "qs-old"]),
                ],
                vec![change("qs-old", Author, false)],
            ),
            (
                "an unmapped group with the managed prefix is removed",
                Some("qs-"),
                &[
                    (Admin, &["bi-admins", "qs-gone"]),
                    (Author, &["analysts"]),
                    (Reader, &["other"]),
                ],
                vec![change("qs-gone", Admin, false)],
            ),
        ];
        for (what, prefix, before, expected) in cases {
            let scope = mapping.scope(*prefix);
            assert_eq!(&mapping.plan(&held(before), &scope), expected, "{what}");
        }
    }

    #[test]
    fn self_upgrade_settings() {
        assert_eq!(SelfUpgrade::parse("S", "directory").unwrap(), SelfUpgrade::Directory);
        assert!(SelfUpgrade::AdminApproval.requires_approval());
        assert!(!SelfUpgrade::Leave.requires_approval());
        let decide = [
            (SelfUpgrade::Directory, Author, Some(Author), Some(true)),
            (SelfUpgrade::Directory, Author, Some(AdminPro), Some(true)),
            (SelfUpgrade::Directory, Author, Some(Reader), Some(false)),
            (SelfUpgrade::Directory, Author, Some(ReaderPro), Some(false)),
            (SelfUpgrade::Directory, Author, None, None),
            (SelfUpgrade::AdminApproval, Author, Some(Reader), None),
            (SelfUpgrade::Leave, Author, Some(Author), None),
        ];
        for (setting, requested, gives, expected) in decide {
            assert_eq!(
                setting.decide(requested, gives),
                expected,
                "{setting:?} {requested} {gives:?}"
            );
        }
        let e = SelfUpgrade::parse("SELF_UPGRADE", "auto").unwrap_err();
        assert_eq!((e.field.as_str(), e.value.as_str()), ("SELF_UPGRADE", "auto"));
    }
}
