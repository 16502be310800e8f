//! The plan from snapshots built by hand: adoption, leavers, drift, the login rules and the guards.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use qs_model::config::{COGNITO_PROVIDER_URL, Config};
use qs_model::signup::{CognitoAttributes, SessionNameSource};
use qs_model::tenant::Home;
use qs_model::user::{ExistingUser, ORPHAN_NAME};
use qs_model::validate::ProviderKind;
use qs_testing as testing;

use super::{Action, Directory, DirectoryUser, NamespaceSnapshot, NoteKind, Options, Plan, QuickSightSnapshot, plan};

const POOL: &str = "eu-west-1_Ab12Cd34E";

/// The deployment's settings, `extra` taking precedence.
fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars = extra.to_vec();
    vars.extend([
        ("EXTERNAL_LOGIN_PROVIDER", "COGNITO"),
        (
            "GROUP_MAPPING",
            r#"{"finance":{"group":"qs-finance","role":"AUTHOR"},"sales":{"group":"qs-sales"}}"#,
        ),
    ]);
    testing::config(&vars)
}

/// A pool user as ListUsers gives it, turned into its sign-up change.
fn pool_user(config: &Config, sub: &str, email: &str, groups: &str, active: bool) -> DirectoryUser {
    pool_user_of(config, None, sub, email, groups, active)
}

/// A pool user whose `custom:tenant` attribute is `tenant`.
fn pool_user_of(
    config: &Config,
    tenant: Option<&str>,
    sub: &str,
    email: &str,
    groups: &str,
    active: bool,
) -> DirectoryUser {
    let attributes = CognitoAttributes {
        session_name_source: SessionNameSource::Email,
        external_login_id_attribute: "sub".into(),
        groups_attribute: Some("custom:groups".into()),
    };
    let mut map = HashMap::from([
        ("sub".to_owned(), sub.to_owned()),
        ("email".to_owned(), email.to_owned()),
        ("custom:groups".to_owned(), groups.to_owned()),
    ]);
    map.extend(tenant.map(|t| ("custom:tenant".to_owned(), t.to_owned())));
    let tenant_attribute = config.tenancy().map(|t| t.attribute.as_str());
    DirectoryUser {
        source: sub.to_owned(),
        login_id: Some(sub.to_owned()),
        active,
        change: attributes
            .user(POOL, &map, Vec::new(), tenant_attribute)
            .to_change(config, SessionNameSource::Email),
    }
}

fn directory(users: Vec<DirectoryUser>) -> Directory {
    Directory {
        users,
        issuer: Some(COGNITO_PROVIDER_URL.into()),
        incomplete: None,
    }
}

/// A QuickSight user of the role, tied to `sub` in the Cognito provider.
fn qs_user(email: &str, sub: &str, role: &str) -> ExistingUser {
    ExistingUser {
        user_name: format!("QuickSightFederated/{email}"),
        arn: None,
        email: Some(email.into()),
        role: Some(role.into()),
        custom_permissions_name: None,
        login_kind: ProviderKind::Cognito,
        login_id: Some(sub.into()),
        login_url: Some(COGNITO_PROVIDER_URL.into()),
        principal_id: Some(format!("federated/iam/{sub}")),
    }
}

fn quicksight(users: Vec<ExistingUser>, members: &[(&str, &[&str])]) -> QuickSightSnapshot {
    QuickSightSnapshot {
        namespaces: vec![namespace(testing::home(), users, members)],
        ..Default::default()
    }
}

fn namespace(home: Home, users: Vec<ExistingUser>, members: &[(&str, &[&str])]) -> NamespaceSnapshot {
    let role = home.role.name.clone();
    let members: BTreeMap<String, BTreeSet<String>> = members
        .iter()
        .map(|(g, users)| (g.to_string(), users.iter().map(|u| format!("{role}/{u}")).collect()))
        .collect();
    NamespaceSnapshot {
        home,
        users,
        members,
        ..Default::default()
    }
}

fn actions(plan: &Plan) -> Vec<(Action, &str, Vec<&str>)> {
    plan.items
        .iter()
        .map(|i| (i.action, i.user.as_str(), i.fields.iter().map(String::as_str).collect()))
        .collect()
}

#[test]
fn a_pool_with_users_is_adopted_and_a_second_look_finds_nothing_to_do() {
    let config = config(&[]);
    let dir = directory(vec![
        pool_user(&config, "s-1", "ana@example.com", "finance", true),
        pool_user(&config, "s-2", "bo@example.com", "", true),
    ]);
    let planned = plan(&config, &dir, &quicksight(Vec::new(), &[]), &Options::default());
    assert_eq!(
        actions(&planned),
        [
            (
                Action::Register,
                "QuickSightFederated/ana@example.com",
                vec!["+qs-finance"]
            ),
            (Action::Register, "QuickSightFederated/bo@example.com", vec![]),
        ]
    );
    assert_eq!((planned.summary.register, planned.summary.memberships_added), (2, 1));

    let applied = quicksight(
        vec![
            qs_user("ana@example.com", "s-1", "AUTHOR"),
            qs_user("bo@example.com", "s-2", "READER"),
        ],
        &[("qs-finance", &["ana@example.com"])],
    );
    let again = plan(&config, &dir, &applied, &Options::default());
    assert!(again.items.is_empty() && again.notes.is_empty(), "{again:?}");
    assert_eq!(again.summary.unchanged, 2);
}

#[test]
fn leavers_and_disabled_users_are_deleted_and_other_owners_users_are_not() {
    let config = config(&[]);
    let dir = directory(vec![
        pool_user(&config, "s-1", "ana@example.com", "", true),
        pool_user(&config, "s-2", "bo@example.com", "", false),
    ]);
    let mut oidc = qs_user("cy@example.com", "s-3", "READER");
    oidc.login_kind = ProviderKind::CustomOidc;
    oidc.login_url = Some("https://login.example.com".into());
    let mut other_role = qs_user("di@example.com", "s-4", "READER");
    other_role.user_name = "OtherRole/di@example.com".into();
    let qs = quicksight(
        vec![
            qs_user("ana@example.com", "s-1", "READER"),
            qs_user("bo@example.com", "s-2", "READER"),
            qs_user("ed@example.com", "s-5", "READER"),
            oidc,
            other_role,
        ],
        &[],
    );
    let planned = plan(&config, &dir, &qs, &Options::default());
    assert_eq!(
        actions(&planned),
        [
            (Action::Delete, "QuickSightFederated/bo@example.com", vec![]),
            (Action::Delete, "QuickSightFederated/ed@example.com", vec![]),
        ]
    );
    assert_eq!(planned.summary.owned_users, 3);
}

#[test]
fn console_drift_in_role_and_managed_memberships_is_undone_and_unmanaged_groups_are_kept() {
    let config = config(&[]);
    let dir = directory(vec![pool_user(&config, "s-1", "ana@example.com", "finance", true)]);
    let qs = quicksight(
        vec![qs_user("ana@example.com", "s-1", "ADMIN")],
        &[
            ("qs-sales", &["ana@example.com"]),
            ("console-made", &["ana@example.com"]),
        ],
    );
    let planned = plan(&config, &dir, &qs, &Options::default());
    assert_eq!(
        actions(&planned),
        [(
            Action::Update,
            "QuickSightFederated/ana@example.com",
            vec!["Role", "+qs-finance", "-qs-sales"]
        )]
    );
}

#[test]
fn a_kept_downgrade_is_not_planned_again_and_a_refused_one_is_reported() {
    let kept = config(&[]);
    let dir = directory(vec![pool_user(&kept, "s-1", "ana@example.com", "", true)]);
    let qs = quicksight(vec![qs_user("ana@example.com", "s-1", "AUTHOR")], &[]);
    let planned = plan(&kept, &dir, &qs, &Options::default());
    assert!(planned.items.is_empty(), "{planned:?}");

    let recreate = config(&[("ROLE_DOWNGRADE", "recreate")]);
    let planned = plan(&recreate, &dir, &qs, &Options::default());
    assert_eq!(actions(&planned)[0].2, ["Role"]);

    let fail = config(&[("ROLE_DOWNGRADE", "fail")]);
    let planned = plan(&fail, &dir, &qs, &Options::default());
    assert!(planned.items.is_empty());
    assert_eq!(planned.notes[0].kind, NoteKind::RefusedDowngrade);
}

#[test]
fn a_recreated_account_is_relinked_only_when_asked_and_a_live_old_login_is_a_conflict() {
    let config = config(&[]);
    // ana's QuickSight user points at s-old, which the pool no longer has: a re-created account.
    let dir = directory(vec![pool_user(&config, "s-new", "ana@example.com", "", true)]);
    let qs = quicksight(vec![qs_user("ana@example.com", "s-old", "READER")], &[]);
    let planned = plan(&config, &dir, &qs, &Options::default());
    assert!(planned.items.is_empty());
    assert_eq!(planned.notes[0].kind, NoteKind::RelinkCandidate);

    let relink = Options {
        relink: true,
        ..Options::default()
    };
    let planned = plan(&config, &dir, &qs, &relink);
    assert_eq!(planned.items[0].action, Action::Relink);
    assert!(planned.items[0].message.to_json().contains(r#""relink":true"#));

    // The old account still exists (disabled): not ours to take over.
    let mut users = dir.users.clone();
    users.push(pool_user(&config, "s-old", "old-ana@example.com", "", false));
    let planned = plan(&config, &directory(users), &qs, &relink);
    assert!(planned.items.iter().all(|i| i.action != Action::Relink), "{planned:?}");
    assert_eq!(planned.notes[0].kind, NoteKind::LoginConflict);
}

#[test]
fn a_new_name_for_a_login_another_user_holds_waits_for_that_user_to_go() {
    let config = config(&[]);
    // ana changed her e-mail: a new session name, the same sub.
    let dir = directory(vec![pool_user(&config, "s-1", "ana.new@example.com", "", true)]);
    let qs = quicksight(vec![qs_user("ana@example.com", "s-1", "READER")], &[]);
    let planned = plan(&config, &dir, &qs, &Options::default());
    assert_eq!(
        actions(&planned),
        [(Action::Delete, "QuickSightFederated/ana@example.com", vec![])]
    );
    assert_eq!(planned.notes[0].kind, NoteKind::LoginConflict);
}

#[test]
fn deletions_are_held_when_the_directory_is_incomplete_or_too_many() {
    let config = config(&[]);
    let many: Vec<ExistingUser> = (0..30)
        .map(|i| qs_user(&format!("u{i}@example.com"), &format!("s-{i}"), "READER"))
        .collect();
    let qs = quicksight(many.clone(), &[]);
    let kept = pool_user(&config, "s-new", "new@example.com", "", true);

    let planned = plan(&config, &directory(vec![kept.clone()]), &qs, &Options::default());
    assert_eq!(planned.held.len(), 30);
    assert_eq!(
        actions(&planned),
        [(Action::Register, "QuickSightFederated/new@example.com", vec![])]
    );
    assert!(
        planned
            .held_reason
            .as_deref()
            .unwrap()
            .contains("RECONCILE_MAX_DELETES=25")
    );

    let mut incomplete = directory(
        many.iter()
            .skip(1)
            .map(|u| {
                pool_user(
                    &config,
                    u.login_id.as_deref().unwrap(),
                    u.email.as_deref().unwrap(),
                    "",
                    true,
                )
            })
            .collect(),
    );
    incomplete.incomplete = Some("ListUsers failed".into());
    let planned = plan(&config, &incomplete, &qs, &Options::default());
    assert_eq!((planned.items.len(), planned.held.len()), (0, 1));
    assert!(
        planned
            .problem(&incomplete)
            .unwrap()
            .contains("1 deletion(s) held back")
    );

    // 6 of 120 owned users is 5%: allowed; 7 is not.
    let owned: Vec<ExistingUser> = (0..120)
        .map(|i| qs_user(&format!("u{i}@example.com"), &format!("s-{i}"), "READER"))
        .collect();
    let qs = quicksight(owned.clone(), &[]);
    let stay = |n: usize| {
        directory(
            owned
                .iter()
                .skip(n)
                .map(|u| {
                    pool_user(
                        &config,
                        u.login_id.as_deref().unwrap(),
                        u.email.as_deref().unwrap(),
                        "",
                        true,
                    )
                })
                .collect(),
        )
    };
    assert_eq!(plan(&config, &stay(6), &qs, &Options::default()).summary.delete, 6);
    let over = plan(&config, &stay(7), &qs, &Options::default());
    assert_eq!((over.summary.delete, over.held.len()), (0, 7));
    assert!(over.held_reason.unwrap().contains("RECONCILE_MAX_DELETE_PERCENT=5%"));
}

#[test]
fn an_invalid_directory_user_is_reported_and_its_quicksight_user_kept() {
    let config = config(&[]);
    let broken = pool_user(&config, "s-1", "not-an-email", "", true);
    let qs = quicksight(vec![qs_user("ana@example.com", "s-1", "READER")], &[]);
    let planned = plan(&config, &directory(vec![broken]), &qs, &Options::default());
    assert!(planned.items.is_empty(), "{planned:?}");
    assert_eq!(planned.notes[0].kind, NoteKind::Invalid);
}

#[test]
fn orphans_of_this_directory_are_deleted_by_principal_id_only_when_asked() {
    let config = config(&[]);
    let mut orphan = qs_user("gone@example.com", "s-9", "READER");
    orphan.user_name = ORPHAN_NAME.into();
    let qs = quicksight(vec![orphan], &[]);
    let planned = plan(&config, &directory(Vec::new()), &qs, &Options::default());
    assert!(planned.items.is_empty());
    assert_eq!(planned.notes[0].kind, NoteKind::Orphan);
    let asked = Options {
        delete_orphans: true,
        ..Options::default()
    };
    let planned = plan(&config, &directory(Vec::new()), &qs, &asked);
    assert_eq!(actions(&planned), [(Action::DeleteOrphan, "federated/iam/s-9", vec![])]);
    assert!(
        planned.items[0]
            .message
            .to_json()
            .contains(r#""principal_id":"federated/iam/s-9""#)
    );
}

#[test]
fn a_user_whose_tenant_changed_moves_and_other_tenants_users_are_left_alone() {
    let config = config(&[
        ("TENANT_NAMESPACE", "{tenant}"),
        (
            "QUICKSIGHT_FEDERATED_ROLE_ARN",
            "arn:aws:iam::123456789012:role/qs-{tenant}",
        ),
        ("TENANT_GROUPS", "{tenant}-everyone"),
    ]);
    let (acme, globex) = (config.home(Some("acme")).unwrap(), config.home(Some("globex")).unwrap());
    let dir = directory(vec![
        pool_user_of(&config, Some("globex"), "s-1", "ana@example.com", "", true),
        pool_user_of(&config, Some("acme"), "s-2", "bo@example.com", "", true),
    ]);
    let tied = |role: &str, email: &str, sub: &str| ExistingUser {
        user_name: format!("{role}/{email}"),
        ..qs_user(email, sub, "READER")
    };
    let quicksight = QuickSightSnapshot {
        namespaces: vec![
            namespace(
                acme.clone(),
                vec![
                    tied("qs-acme", "ana@example.com", "s-1"),
                    tied("qs-acme", "bo@example.com", "s-2"),
                    // Another deployment's role in the same namespace: never ours to delete.
                    tied("Other", "cy@example.com", "s-3"),
                ],
                &[("acme-everyone", &["ana@example.com", "bo@example.com"])],
            ),
            namespace(globex.clone(), Vec::new(), &[]),
        ],
        ..Default::default()
    };
    let planned = plan(&config, &dir, &quicksight, &Options::default());
    let items: Vec<(Action, Option<&str>, &str, Vec<&str>)> = planned
        .items
        .iter()
        .map(|i| {
            let fields = i.fields.iter().map(String::as_str).collect();
            (i.action, i.tenant.as_deref(), i.user.as_str(), fields)
        })
        .collect();
    assert_eq!(
        items,
        [
            (
                Action::Delete,
                Some("acme"),
                "qs-acme/ana@example.com",
                vec!["moved to globex"]
            ),
            (
                Action::Register,
                Some("globex"),
                "qs-globex/ana@example.com",
                vec!["moved from acme", "+globex-everyone"]
            ),
        ],
        "{planned:#?}"
    );
    assert_eq!((planned.summary.moves, planned.summary.unchanged), (1, 1));
    let message = planned.items[0].message.to_json();
    assert!(message.contains(r#""tenant":"acme""#), "{message}");

    // A run for one tenant plans nothing for another's users.
    let only_globex = QuickSightSnapshot {
        namespaces: vec![namespace(globex, Vec::new(), &[])],
        ..Default::default()
    };
    let planned = plan(&config, &dir, &only_globex, &Options::default());
    assert_eq!(planned.summary.active_users, 1);
    assert_eq!(planned.items.len(), 1);
    assert_eq!(planned.items[0].action, Action::Register);
}

#[test]
fn a_leavers_line_says_where_its_assets_go_or_the_deletion_is_refused() {
    use qs_model::assets::{AssetKind, OwnedAsset};

    let owned: HashMap<(Option<String>, String), Vec<OwnedAsset>> = HashMap::from([(
        (None, "QuickSightFederated/bo@example.com".to_owned()),
        vec![
            OwnedAsset {
                kind: AssetKind::Dashboard,
                id: "d1".into(),
            },
            OwnedAsset {
                kind: AssetKind::Dataset,
                id: "ds1".into(),
            },
        ],
    )]);
    let leaver_plan = |config: &Config| {
        let dir = directory(vec![pool_user(config, "s-1", "ana@example.com", "", true)]);
        let qs = quicksight(
            vec![
                qs_user("ana@example.com", "s-1", "READER"),
                qs_user("bo@example.com", "s-2", "READER"),
            ],
            &[],
        );
        let mut planned = plan(config, &dir, &qs, &Options::default());
        super::with_assets(&mut planned, config, &owned);
        planned
    };
    let group = "arn:aws:quicksight:us-east-1:123456789012:group/default/bi";

    let transfer = leaver_plan(&config(&[("ASSET_HANDOVER_PRINCIPAL", group)]));
    assert_eq!(
        actions(&transfer),
        [(
            Action::Delete,
            "QuickSightFederated/bo@example.com",
            vec![
                "hands 2 asset(s) (1 dashboard, 1 dataset) to arn:aws:quicksight:us-east-1:123456789012:group/default/bi"
            ]
        )]
    );

    let refuse = leaver_plan(&config(&[]));
    assert!(refuse.items.is_empty(), "{refuse:?}");
    assert_eq!((refuse.summary.delete, refuse.summary.notes), (0, 1));
    assert_eq!(refuse.notes[0].kind, NoteKind::OwnsAssets);
    assert!(
        refuse.notes[0].detail.starts_with("owns 2 asset(s)"),
        "{}",
        refuse.notes[0].detail
    );

    let none = leaver_plan(&config(&[("ASSET_HANDOVER", "none")]));
    assert_eq!(
        actions(&none)[0].2,
        ["leaves 2 asset(s) (1 dashboard, 1 dataset) without an owner"]
    );

    // A held-back deletion hands nothing over and is refused nothing: it is not sent.
    let config = config(&[]);
    let incomplete = Directory {
        incomplete: Some("a page failed".into()),
        ..directory(vec![pool_user(&config, "s-1", "ana@example.com", "", true)])
    };
    let qs = quicksight(
        vec![
            qs_user("ana@example.com", "s-1", "READER"),
            qs_user("bo@example.com", "s-2", "READER"),
        ],
        &[],
    );
    let mut held = plan(&config, &incomplete, &qs, &Options::default());
    super::with_assets(&mut held, &config, &owned);
    assert_eq!((held.held.len(), held.notes.len()), (1, 0));
    assert!(held.held[0].fields.is_empty());
}

#[test]
fn profile_drift_is_planned_from_and_to_and_an_administrators_profile_is_left() {
    let config = config(&[(
        "GROUP_MAPPING",
        r#"{"contractors":{"group":"qs-contractors","custom_permissions":"no-export"}}"#,
    )]);
    let dir = directory(vec![
        pool_user(&config, "s-1", "ana@example.com", "contractors", true),
        pool_user(&config, "s-2", "bo@example.com", "", true),
        pool_user(&config, "s-3", "cy@example.com", "contractors", true),
        pool_user(&config, "s-4", "di@example.com", "contractors", true),
    ]);
    let held = |email: &str, sub: &str, profile: Option<&str>| ExistingUser {
        custom_permissions_name: profile.map(str::to_owned),
        ..qs_user(email, sub, "READER")
    };
    let qs = quicksight(
        vec![
            held("ana@example.com", "s-1", None),
            held("bo@example.com", "s-2", Some("no-export")),
            held("cy@example.com", "s-3", Some("admin-locked")),
        ],
        &[("qs-contractors", &["ana@example.com", "cy@example.com"])],
    );
    let planned = plan(&config, &dir, &qs, &Options::default());
    assert_eq!(
        actions(&planned),
        [
            (
                Action::Update,
                "QuickSightFederated/ana@example.com",
                vec!["CustomPermissionsName none -> no-export"]
            ),
            (
                Action::Update,
                "QuickSightFederated/bo@example.com",
                vec!["CustomPermissionsName no-export -> none"]
            ),
            (
                Action::Register,
                "QuickSightFederated/di@example.com",
                vec!["CustomPermissionsName no-export", "+qs-contractors"]
            ),
        ]
    );
    assert_eq!(planned.summary.unchanged, 1, "cy keeps the administrator's profile");
}

#[test]
fn role_membership_removals_above_the_deletion_guard_are_held_back_and_the_run_fails() {
    use qs_model::config::MembershipChange;
    use qs_model::validate::UserRole;
    let config = testing::config(&[
        ("ROLE_MEMBERSHIPS", r#"{"analysts":"AUTHOR"}"#),
        ("MANAGED_GROUP_PREFIX", "qs-"),
    ]);
    let readers: BTreeSet<String> = ["qs-a", "qs-b", "analysts"].map(String::from).into();
    let quicksight = QuickSightSnapshot {
        role_members: Some(("default".into(), BTreeMap::from([(UserRole::Reader, readers)]))),
        ..Default::default()
    };
    let options = Options {
        max_deletes: 2,
        ..Options::default()
    };
    let planned = plan(&config, &Directory::default(), &quicksight, &options);

    // Three removals are more than two: none is made; the addition still is.
    let analysts_author = MembershipChange {
        group: "analysts".into(),
        role: UserRole::Author,
        add: true,
    };
    assert_eq!(planned.governance.role_memberships, [analysts_author]);
    assert_eq!(planned.governance.held_memberships.len(), 3);
    let problem = planned.problem(&Directory::default()).unwrap();
    assert!(problem.contains("3 role membership removal(s) held back"), "{problem}");
    assert_eq!(planned.summary.role_memberships_added, 1);
}
