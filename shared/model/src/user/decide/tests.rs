//! The decision as one table: what QuickSight has, what the change wants, the policy, the answer.

use super::{Decision, Policy, Refusal, decide};
use crate::config::RoleDowngrade::{self, Fail, Keep, Recreate};
use crate::user::{ExistingUser, UserField};
use crate::validate::{ExternalLogin, Profile, ProviderKind, UserRole, UserSpec};

const URL: &str = "https://idp.example.com";

fn login(id: &str) -> ExternalLogin {
    ExternalLogin::CustomOidc {
        provider_url: URL.into(),
        id: id.into(),
    }
}

fn spec(email: &str, role: UserRole, login: ExternalLogin) -> UserSpec {
    UserSpec {
        user_name: format!("Role/{email}"),
        email: email.into(),
        session_name: email.into(),
        role,
        custom_permissions: Profile::Leave,
        external_login: login,
        tags: Default::default(),
        relink: false,
    }
}

/// A user QuickSight has: `role`, tied to `login_id` unless it is empty.
fn existing(email: &str, role: &str, login_id: &str) -> ExistingUser {
    let tied = !login_id.is_empty();
    ExistingUser {
        user_name: format!("Role/{email}"),
        email: Some(email.into()),
        role: Some(role.into()),
        login_kind: if tied {
            ProviderKind::CustomOidc
        } else {
            ProviderKind::None
        },
        login_id: tied.then(|| login_id.into()),
        login_url: tied.then(|| URL.into()),
        ..Default::default()
    }
}

/// `user` with the profile an administrator applied.
fn restricted(user: ExistingUser) -> ExistingUser {
    ExistingUser {
        custom_permissions_name: Some("no-export".into()),
        ..user
    }
}

/// The directory's answer, under a deployment that owns `author-basic` only.
fn directory(name: Option<&str>) -> Profile {
    Profile::Directory {
        name: name.map(str::to_owned),
        owned: std::sync::Arc::new(["author-basic".to_owned()].into()),
    }
}

fn policy(role_downgrade: RoleDowngrade, relink: bool) -> Policy {
    Policy { role_downgrade, relink }
}

#[test]
fn one_table_of_what_a_change_does() {
    use UserField::*;
    use UserRole::*;
    let a = "ana@example.com";
    let rows: Vec<(&str, Option<ExistingUser>, UserSpec, Policy, Decision)> = vec![
        (
            "absent",
            None,
            spec(a, Reader, login("s1")),
            policy(Keep, false),
            Decision::Register,
        ),
        (
            "the same",
            Some(existing(a, "READER", "s1")),
            spec(a, Reader, login("s1")),
            policy(Keep, false),
            Decision::Nothing,
        ),
        (
            "an administrator's profile, and a change that names none: untouched",
            Some(restricted(existing(a, "READER", "s1"))),
            spec(a, Reader, login("s1")),
            policy(Keep, false),
            Decision::Nothing,
        ),
        (
            "a change that names another profile",
            Some(restricted(existing(a, "READER", "s1"))),
            UserSpec {
                custom_permissions: Profile::Named {
                    name: "author-basic".into(),
                },
                ..spec(a, Reader, login("s1"))
            },
            policy(Keep, false),
            Decision::Update {
                fields: vec![CustomPermissionsName],
            },
        ),
        (
            "an administrator's profile, and the directory's: untouched",
            Some(restricted(existing(a, "READER", "s1"))),
            UserSpec {
                custom_permissions: directory(Some("author-basic")),
                ..spec(a, Reader, login("s1"))
            },
            policy(Keep, false),
            Decision::Nothing,
        ),
        (
            "the directory's profile on a user without one",
            Some(existing(a, "READER", "s1")),
            UserSpec {
                custom_permissions: directory(Some("author-basic")),
                ..spec(a, Reader, login("s1"))
            },
            policy(Keep, false),
            Decision::Update {
                fields: vec![CustomPermissionsName],
            },
        ),
        (
            "the directory's own profile, no longer named: removed",
            Some(ExistingUser {
                custom_permissions_name: Some("author-basic".into()),
                ..existing(a, "READER", "s1")
            }),
            UserSpec {
                custom_permissions: directory(None),
                ..spec(a, Reader, login("s1"))
            },
            policy(Keep, false),
            Decision::Update {
                fields: vec![CustomPermissionsName],
            },
        ),
        (
            "an upgrade and an e-mail",
            Some(existing("old@example.com", "READER", "s1")),
            spec(a, Author, login("s1")),
            policy(Keep, false),
            Decision::Update {
                fields: vec![Email, Role],
            },
        ),
        (
            "admin to author is allowed",
            Some(existing(a, "ADMIN", "s1")),
            spec(a, Author, login("s1")),
            policy(Fail, false),
            Decision::Update { fields: vec![Role] },
        ),
        (
            "a role to its _PRO form is allowed",
            Some(existing(a, "READER", "s1")),
            spec(a, ReaderPro, login("s1")),
            policy(Fail, false),
            Decision::Update { fields: vec![Role] },
        ),
        (
            "a downgrade kept, nothing else",
            Some(existing(a, "AUTHOR", "s1")),
            spec(a, Reader, login("s1")),
            policy(Keep, false),
            Decision::KeepRole {
                from: Author,
                fields: vec![],
            },
        ),
        (
            "a downgrade kept, the e-mail updated",
            Some(existing("old@example.com", "ADMIN_PRO", "s1")),
            spec(a, ReaderPro, login("s1")),
            policy(Keep, false),
            Decision::KeepRole {
                from: AdminPro,
                fields: vec![Email],
            },
        ),
        (
            "a downgrade recreated",
            Some(existing(a, "AUTHOR", "s1")),
            spec(a, Reader, login("s1")),
            policy(Recreate, false),
            Decision::Recreate { from: Author },
        ),
        (
            "a downgrade refused",
            Some(existing(a, "ADMIN", "s1")),
            spec(a, Reader, login("s1")),
            policy(Fail, false),
            Decision::Refuse(Refusal::RoleDowngrade {
                from: Admin,
                to: Reader,
            }),
        ),
        (
            "another identity with the same e-mail",
            Some(existing(a, "READER", "s1")),
            spec(a, Reader, login("s2")),
            policy(Keep, false),
            Decision::Refuse(Refusal::LoginConflict {
                user: format!("Role/{a}"),
            }),
        ),
        (
            "the login checked before the role",
            Some(existing(a, "AUTHOR", "s1")),
            spec(a, Reader, login("s2")),
            policy(Recreate, false),
            Decision::Refuse(Refusal::LoginConflict {
                user: format!("Role/{a}"),
            }),
        ),
        (
            "a relink allowed",
            Some(existing(a, "READER", "s1")),
            spec(a, Reader, login("s2")),
            policy(Keep, true),
            Decision::Update {
                fields: vec![ExternalLogin],
            },
        ),
        (
            "an untied user is tied without relink",
            Some(existing(a, "READER", "")),
            spec(a, Reader, login("s1")),
            policy(Keep, false),
            Decision::Update {
                fields: vec![ExternalLogin],
            },
        ),
    ];
    for (case, existing, spec, policy, expected) in rows {
        assert_eq!(decide(existing.as_ref(), &spec, policy), expected, "{case}");
    }
}
