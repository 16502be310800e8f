//! The table's keys, typed: one item per resource (`user#<namespace>#<id>`, `group#…`) and one per
//! unique name, pointing at its resource (`userName#…`, `qsUser#…`, `displayName#…`, `qsGroup#…`).
//! A conflict on a write names its key, and the key says what the conflict means.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    User,
    Group,
    /// A user's `userName`, lower-cased: unique without case (RFC 7643 §4.1).
    UserName,
    /// A user's QuickSight user name (`Role/Session`): one SCIM user each.
    QuickSightUser,
    /// A group's `displayName`, lower-cased.
    DisplayName,
    /// A group's QuickSight group name: one SCIM group each.
    QuickSightGroup,
}

impl KeyKind {
    /// The key's prefix as it is stored (unchanged since the first release).
    fn prefix(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Group => "group",
            Self::UserName => "userName",
            Self::QuickSightUser => "qsUser",
            Self::DisplayName => "displayName",
            Self::QuickSightGroup => "qsGroup",
        }
    }

    /// A resource's own item (a conflict means it changed meanwhile), not one of its names (a
    /// conflict means another resource holds the name).
    pub fn is_resource(self) -> bool {
        matches!(self, Self::User | Self::Group)
    }

    /// How a client knows the name.
    fn shown(self) -> &'static str {
        match self {
            Self::User => "the user",
            Self::Group => "the group",
            Self::UserName => "userName",
            Self::QuickSightUser => "the QuickSight user",
            Self::DisplayName => "displayName",
            Self::QuickSightGroup => "the QuickSight group",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    kind: KeyKind,
    namespace: String,
    value: String,
}

impl Key {
    pub fn new(kind: KeyKind, namespace: &str, value: &str) -> Self {
        let value = match kind {
            KeyKind::UserName | KeyKind::DisplayName => value.to_lowercase(),
            _ => value.to_owned(),
        };
        Self {
            kind,
            namespace: namespace.to_owned(),
            value,
        }
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// What every key of `kind` in `namespace` starts with (a scan's prefix).
    pub fn prefix(kind: KeyKind, namespace: &str) -> String {
        format!("{}#{namespace}#", kind.prefix())
    }

    /// The key as a client may see it: the kind and value, not the namespace.
    pub fn shown(&self) -> String {
        format!("{} {:?}", self.kind().shown(), self.value)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}#{}", self.kind.prefix(), self.namespace, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::{Key, KeyKind};

    #[test]
    fn keys_are_stored_as_the_first_release_wrote_them() {
        let table = [
            (KeyKind::User, "u-1", "user#default#u-1"),
            (KeyKind::Group, "g-1", "group#default#g-1"),
            (
                KeyKind::UserName,
                "BJensen@Example.com",
                "userName#default#bjensen@example.com",
            ),
            (KeyKind::QuickSightUser, "Role/BJensen", "qsUser#default#Role/BJensen"),
            (KeyKind::DisplayName, "Tours", "displayName#default#tours"),
            (KeyKind::QuickSightGroup, "scim-Tours", "qsGroup#default#scim-Tours"),
        ];
        for (kind, value, stored) in table {
            let key = Key::new(kind, "default", value);
            assert_eq!(key.to_string(), stored);
            assert_eq!(key.kind(), kind);
            assert!(stored.starts_with(&Key::prefix(kind, "default")));
        }
        assert!(KeyKind::User.is_resource() && !KeyKind::UserName.is_resource());
    }
}
