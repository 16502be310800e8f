//! The shared engine against quicksight-local: what a function's provisioning leaves in QuickSight,
//! and how many calls it cost (read from the emulator's stats).

use std::collections::BTreeSet;
use std::time::Duration;

use qs_engine::{Engine, EngineError, UserChange, with_retries};
use qs_model::config::Config;
use qs_model::outcome::DowngradeAction;
use qs_model::user::{Refusal, UserField};
use qs_model::validate::{ExternalLogin, Profile, UserRole, UserSpec};
use qs_provision_tests::Emulator;
use qs_testing as testing;
use tokio::time::Instant;

fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars = extra.to_vec();
    vars.extend([("MANAGED_GROUP_PREFIX", "qs-"), ("QUICKSIGHT_MAX_ATTEMPTS", "10")]);
    testing::config(&vars)
}

fn engine(emu: &Emulator, config: &Config) -> Engine {
    let client = aws_sdk_quicksight::Client::from_conf(
        with_retries(emu.config(), config.max_attempts, config.retry_mode).build(),
    );
    Engine::new(client, config)
}

fn spec(name: &str, role: UserRole) -> UserSpec {
    UserSpec {
        user_name: format!("QuickSightFederated/{name}@example.com"),
        email: format!("{name}@example.com"),
        session_name: format!("{name}@example.com"),
        role,
        custom_permissions: Profile::Leave,
        external_login: ExternalLogin::CustomOidc {
            provider_url: "https://idp.example.com".into(),
            id: format!("sub-{name}"),
        },
        tags: [("source".to_string(), "tests".to_string())].into(),
        relink: false,
    }
}

fn groups(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(30)
}

#[tokio::test]
async fn provisions_then_costs_nothing_more_when_unchanged_then_updates_only_the_role() {
    let emu = Emulator::start(&[]);
    let config = config(&[]);
    let engine = engine(&emu, &config);
    let scope = config.group_scope(&testing::home());
    let ana = spec("ana", UserRole::Reader);

    let first = engine
        .provision(&testing::home(), &ana, Some(&groups(&["qs-a", "qs-b"])), &scope, soon())
        .await
        .unwrap();
    assert_eq!(first.user, UserChange::Registered);
    assert_eq!(first.user_name, "QuickSightFederated/ana@example.com");
    assert_eq!(first.groups.groups_created, ["qs-a", "qs-b"]);
    let user = &emu.user("QuickSightFederated/ana@example.com");
    assert_eq!(user["ExternalLoginId"], "sub-ana");
    assert_eq!(user["ExternalLoginFederationProviderUrl"], "https://idp.example.com");
    assert_eq!(user["Role"], "READER");
    assert_eq!(emu.groups_of("QuickSightFederated/ana@example.com"), ["qs-a", "qs-b"]);

    let before = emu.stats()["total"]["requests"].as_u64().unwrap();
    let again = engine
        .provision(&testing::home(), &ana, Some(&groups(&["qs-a", "qs-b"])), &scope, soon())
        .await
        .unwrap();
    assert_eq!(again.user, UserChange::Unchanged);
    assert!(again.groups.is_empty());
    let calls = emu.stats()["total"]["requests"].as_u64().unwrap() - before;
    // Its tags are compared too: one ListTagsForResource.
    assert_eq!(
        calls, 3,
        "an unchanged tagged user costs DescribeUser, ListTagsForResource and ListUserGroups"
    );
    assert_eq!(emu.requests("TagResource"), 0);
    assert_eq!((emu.requests("RegisterUser"), emu.requests("UpdateUser")), (1, 0));

    let promoted = engine
        .provision(
            &testing::home(),
            &spec("ana", UserRole::Author),
            Some(&groups(&["qs-b"])),
            &scope,
            soon(),
        )
        .await
        .unwrap();
    assert_eq!(
        promoted.user,
        UserChange::Updated {
            fields: vec![UserField::Role]
        }
    );
    assert_eq!(promoted.groups.memberships_removed, ["qs-a"]);
    assert_eq!(emu.requests("UpdateUser"), 1);
    assert_eq!(emu.groups_of("QuickSightFederated/ana@example.com"), ["qs-b"]);
}

#[tokio::test]
async fn memberships_wait_out_eventual_consistency() {
    let emu = Emulator::start(&["--consistency-delay-ms", "800"]);
    let config = config(&[]);
    let engine = engine(&emu, &config);

    let outcome = engine
        .provision(
            &testing::home(),
            &spec("bo", UserRole::Reader),
            Some(&groups(&["qs-a"])),
            &config.group_scope(&testing::home()),
            soon(),
        )
        .await
        .unwrap();

    assert_eq!(outcome.groups.memberships_added, ["qs-a"]);
    assert_eq!(emu.groups_of("QuickSightFederated/bo@example.com"), ["qs-a"]);
    assert!(
        emu.stats()["operations"]["CreateGroupMembership"]["client_errors"]
            .as_u64()
            .unwrap()
            >= 1,
        "the first tries saw 404"
    );
}

#[tokio::test]
async fn throttled_bulk_work_completes_through_sdk_retries() {
    let emu = Emulator::start(&["--rate-limit", "10"]);
    let config = config(&[]);
    let engine = engine(&emu, &config);
    let scope = config.group_scope(&testing::home());
    let names: Vec<String> = (0..12).map(|i| format!("user{i}")).collect();
    let work = names.iter().map(|n| {
        let spec = spec(n, UserRole::Reader);
        let engine = &engine;
        let scope = &scope;
        // Backoff with jitter spreads the retries out over the rate limit: allow it a minute.
        async move {
            engine
                .provision(
                    &testing::home(),
                    &spec,
                    Some(&groups(&["qs-all"])),
                    scope,
                    Instant::now() + Duration::from_secs(60),
                )
                .await
        }
    });
    let results = futures::future::join_all(work).await;
    for r in &results {
        assert!(r.is_ok(), "{:?}", r.as_ref().err());
    }
    let members = emu.space()["Memberships"]["qs-all"].as_array().unwrap().len();
    assert_eq!(members, 12);
    assert!(
        emu.stats()["total"]["throttled"].as_u64().unwrap() > 0,
        "the test must actually hit the rate limit"
    );
}

#[tokio::test]
async fn a_deadline_turns_a_slow_quicksight_into_an_error_not_a_kill() {
    let emu = Emulator::start(&["--latency-ms", "400"]);
    let config = config(&[]);
    let engine = engine(&emu, &config);

    let err = engine
        .register_or_update(
            &testing::home(),
            &spec("cy", UserRole::Reader),
            Instant::now() + Duration::from_millis(150),
        )
        .await
        .unwrap_err();

    assert!(matches!(err, EngineError::DeadlineExceeded { .. }), "{err}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn dry_run_plans_against_real_state_and_changes_nothing() {
    let emu = Emulator::start(&[]);
    let config = config(&[("DRY_RUN", "true")]);
    let engine = engine(&emu, &config);

    let outcome = engine
        .provision(
            &testing::home(),
            &spec("di", UserRole::Admin),
            Some(&groups(&["qs-a"])),
            &config.group_scope(&testing::home()),
            soon(),
        )
        .await
        .unwrap();

    assert!(outcome.dry_run);
    assert_eq!(outcome.user, UserChange::Registered);
    assert_eq!(outcome.groups.groups_created, ["qs-a"]);
    let total = &emu.stats()["operations"];
    for mutating in ["RegisterUser", "UpdateUser", "CreateGroup", "CreateGroupMembership"] {
        assert!(total[mutating].is_null(), "{mutating} must not be called in a dry run");
    }
    assert!(emu.user_names().is_empty());
}

#[tokio::test]
async fn delete_is_idempotent() {
    let emu = Emulator::start(&[]);
    let config = config(&[]);
    let engine = engine(&emu, &config);
    engine
        .provision(
            &testing::home(),
            &spec("ed", UserRole::Reader),
            Some(&groups(&["qs-a"])),
            &config.group_scope(&testing::home()),
            soon(),
        )
        .await
        .unwrap();

    let deleted = engine
        .delete_user(&testing::home(), "QuickSightFederated/ed@example.com", soon())
        .await
        .unwrap();
    let again = engine
        .delete_user(&testing::home(), "QuickSightFederated/ed@example.com", soon())
        .await
        .unwrap();

    assert_eq!(deleted.user, UserChange::Deleted);
    assert_eq!(again.user, UserChange::NotFound);
    assert!(emu.groups_of("QuickSightFederated/ed@example.com").is_empty());
}

/// quicksight-local refuses a downgrade as QuickSight does: the engine keeps the higher role by
/// default, and with ROLE_DOWNGRADE=recreate registers the user again with its groups.
#[tokio::test]
async fn role_downgrades_are_kept_or_recreated_never_sent() {
    let emu = Emulator::start(&[]);
    let keep = config(&[]);
    let scope = keep.group_scope(&testing::home());
    let name = "QuickSightFederated/ana@example.com";
    engine(&emu, &keep)
        .provision(
            &testing::home(),
            &spec("ana", UserRole::Author),
            Some(&groups(&["qs-a", "other"])),
            &scope,
            soon(),
        )
        .await
        .unwrap();

    let kept = engine(&emu, &keep)
        .provision(&testing::home(), &spec("ana", UserRole::Reader), None, &scope, soon())
        .await
        .unwrap();
    assert_eq!(kept.user, UserChange::Unchanged);
    assert_eq!(kept.role_downgrade.unwrap().action, DowngradeAction::Kept);
    assert_eq!(emu.user(name)["Role"], "AUTHOR");
    assert_eq!(emu.requests("UpdateUser"), 0);

    let recreate = config(&[("ROLE_DOWNGRADE", "recreate")]);
    let recreated = engine(&emu, &recreate)
        .provision(
            &testing::home(),
            &spec("ana", UserRole::Reader),
            Some(&groups(&["qs-b"])),
            &scope,
            soon(),
        )
        .await
        .unwrap();
    assert_eq!(recreated.user, UserChange::Recreated);
    assert_eq!(emu.user(name)["Role"], "READER");
    assert_eq!(emu.user(name)["ExternalLoginId"], "sub-ana");
    // Its groups outside the managed scope come back; the managed ones become the message's.
    assert_eq!(emu.groups_of(name), ["other", "qs-b"]);
}

/// Another identity presenting the same e-mail (another `sub`) does not take the user over; a
/// relink moves the login on purpose.
#[tokio::test]
async fn a_user_tied_to_a_login_is_not_moved_to_another_without_relink() {
    let emu = Emulator::start(&[]);
    let config = config(&[]);
    let scope = config.group_scope(&testing::home());
    let name = "QuickSightFederated/ana@example.com";
    let engine = engine(&emu, &config);
    engine
        .provision(&testing::home(), &spec("ana", UserRole::Author), None, &scope, soon())
        .await
        .unwrap();
    let mut impostor = spec("ana", UserRole::Author);
    impostor.external_login = ExternalLogin::CustomOidc {
        provider_url: "https://other-idp.example.com".into(),
        id: "sub-someone-else".into(),
    };

    let error = engine
        .provision(&testing::home(), &impostor, None, &scope, soon())
        .await
        .unwrap_err();

    assert!(
        matches!(error, EngineError::Refused(Refusal::LoginConflict { .. })),
        "{error}"
    );
    assert!(
        !error.to_string().contains("sub-someone-else"),
        "never the other identity's values"
    );
    assert_eq!(emu.user(name)["ExternalLoginId"], "sub-ana");
    assert_eq!(emu.requests("UpdateUser"), 0);

    impostor.relink = true;
    let moved = engine
        .provision(&testing::home(), &impostor, None, &scope, soon())
        .await
        .unwrap();
    assert_eq!(
        moved.user,
        UserChange::Updated {
            fields: vec![UserField::ExternalLogin]
        }
    );
    assert_eq!(emu.user(name)["ExternalLoginId"], "sub-someone-else");
}

/// USER_TAGS changed after the user was registered: the managed key follows, a key set by hand
/// stays.
#[tokio::test]
async fn an_existing_users_tags_follow_user_tags_and_keys_set_by_hand_stay() {
    let emu = Emulator::start(&[]);
    let before = config(&[("USER_TAGS", r#"{"team":"finance","tier":"gold"}"#)]);
    let scope = before.group_scope(&testing::home());
    let mut ana = spec("ana", UserRole::Author);
    ana.tags = before.user_tags.clone();
    let first = engine(&emu, &before)
        .provision(&testing::home(), &ana, None, &scope, soon())
        .await
        .unwrap();
    let arn = first.arn.unwrap();
    let qs = emu.client();
    let by_hand = aws_sdk_quicksight::types::Tag::builder()
        .key("owner")
        .value("ops")
        .build()
        .unwrap();
    qs.tag_resource().resource_arn(&arn).tags(by_hand).send().await.unwrap();

    // The deployment now tags team=sales and manages tier, which it no longer sets.
    let after = config(&[("USER_TAGS", r#"{"team":"sales"}"#), ("MANAGED_TAG_KEYS", "team,tier")]);
    ana.tags = after.user_tags.clone();
    let outcome = engine(&emu, &after)
        .provision(&testing::home(), &ana, None, &scope, soon())
        .await
        .unwrap();

    assert_eq!(outcome.tags.tags_set, ["team"]);
    assert_eq!(outcome.tags.tags_removed, ["tier"]);
    let tags = qs.list_tags_for_resource().resource_arn(&arn).send().await.unwrap();
    let tags: Vec<String> = tags
        .tags()
        .iter()
        .map(|t| format!("{}={}", t.key(), t.value()))
        .collect();
    assert_eq!(tags, ["owner=ops", "team=sales"]);
}

/// The federated role was deleted and re-created: its old users remain as "N/A" users. Only this
/// deployment's, by principal id, are deleted; a named user never is.
#[tokio::test]
async fn users_of_a_deleted_role_are_deleted_by_principal_id_when_they_are_this_deployments() {
    let emu = Emulator::start(&[]);
    let config = config(&[
        ("EXTERNAL_LOGIN_PROVIDER", "CUSTOM_OIDC"),
        ("CUSTOM_FEDERATION_PROVIDER_URL", "https://idp.example.com"),
    ]);
    let scope = config.group_scope(&testing::home());
    let engine = engine(&emu, &config);
    engine
        .provision(&testing::home(), &spec("ana", UserRole::Reader), None, &scope, soon())
        .await
        .unwrap();
    let mut stranger = spec("bo", UserRole::Reader);
    stranger.external_login = ExternalLogin::CustomOidc {
        provider_url: "https://other.example.com".into(),
        id: "b".into(),
    };
    engine
        .provision(&testing::home(), &stranger, None, &scope, soon())
        .await
        .unwrap();
    let principal = |name: &str| emu.user(name)["PrincipalId"].as_str().unwrap().to_owned();
    let (ana, bo) = (
        principal("QuickSightFederated/ana@example.com"),
        principal("QuickSightFederated/bo@example.com"),
    );
    let orphaned = emu.post_json(
        "/_emulator/orphan-role",
        &serde_json::json!({ "role": "QuickSightFederated" }),
    );
    assert_eq!(orphaned, serde_json::json!({ "orphaned": 2 }));
    // Registered again after the role came back: a new, named user with the same session name.
    engine
        .provision(&testing::home(), &spec("ana", UserRole::Reader), None, &scope, soon())
        .await
        .unwrap();
    let named = principal("QuickSightFederated/ana@example.com");

    let deleted = engine.delete_orphan(&testing::home(), &ana, soon()).await.unwrap();
    assert_eq!((deleted.user_name.as_str(), deleted.user), ("N/A", UserChange::Deleted));
    let other_provider = engine.delete_orphan(&testing::home(), &bo, soon()).await.unwrap_err();
    assert!(
        matches!(other_provider, EngineError::Refused { .. }),
        "{other_provider}"
    );
    let has_a_name = engine
        .delete_orphan(&testing::home(), &named, soon())
        .await
        .unwrap_err();
    assert!(
        has_a_name.to_string().contains("delete it by user_name"),
        "{has_a_name}"
    );
    assert_eq!(
        engine.delete_orphan(&testing::home(), &ana, soon()).await.unwrap().user,
        UserChange::NotFound
    );
    assert_eq!(emu.requests("DeleteUserByPrincipalId"), 1);
    let mut left = emu.user_names();
    left.sort();
    assert_eq!(
        left,
        [format!("N/A:{bo}"), "QuickSightFederated/ana@example.com".into()]
    );
}
