//! Tenants against quicksight-local: its namespace operations and their isolation, and the engine
//! provisioning each tenant's users in the tenant's namespace, creating it on first use.

use std::time::Duration;

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::error::ProvideErrorMetadata;
use aws_sdk_quicksight::types::{IdentityStore, IdentityType, NamespaceStatus, UserRole as QsRole};
use qs_engine::{Engine, EngineError, UserChange, with_retries};
use qs_model::config::Config;
use qs_model::message::Change;
use qs_model::user::Refusal;
use qs_provision_tests::{ACCOUNT, Emulator};
use qs_testing as testing;
use tokio::time::Instant;

const ROLE_TEMPLATE: &str = "arn:aws:iam::123456789012:role/qs-{tenant}";

fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        ("TENANT_NAMESPACE", "{tenant}"),
        ("QUICKSIGHT_FEDERATED_ROLE_ARN", ROLE_TEMPLATE),
        ("TENANT_GROUPS", "{tenant}-everyone"),
        ("QUICKSIGHT_MAX_ATTEMPTS", "10"),
        ("TENANT_ALLOWED", "[a-z0-9-]+"),
    ];
    vars.extend_from_slice(extra);
    testing::config(&vars)
}

fn engine(emu: &Emulator, config: &Config) -> Engine {
    let client = Client::from_conf(with_retries(emu.config(), config.max_attempts, config.retry_mode).build());
    Engine::new(client, config)
}

fn signup(tenant: &str, email: &str) -> Change {
    Change::parse(&format!(
        r#"{{"op":"upsert","version":1,"tenant":"{tenant}","email":"{email}","groups":["qs-a"]}}"#
    ))
    .unwrap()
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(30)
}

async fn create(qs: &Client, namespace: &str) -> Result<NamespaceStatus, String> {
    qs.create_namespace()
        .aws_account_id(ACCOUNT)
        .namespace(namespace)
        .identity_store(IdentityStore::Quicksight)
        .send()
        .await
        .map(|out| out.creation_status().cloned().expect("a status"))
        .map_err(|e| e.code().unwrap_or_default().to_owned())
}

async fn describe(qs: &Client, namespace: &str) -> Result<NamespaceStatus, String> {
    qs.describe_namespace()
        .aws_account_id(ACCOUNT)
        .namespace(namespace)
        .send()
        .await
        .map(|out| {
            out.namespace()
                .and_then(|n| n.creation_status())
                .cloned()
                .expect("a status")
        })
        .map_err(|e| e.code().unwrap_or_default().to_owned())
}

async fn register(qs: &Client, namespace: &str, session: &str) -> Result<(), String> {
    qs.register_user()
        .aws_account_id(ACCOUNT)
        .namespace(namespace)
        .identity_type(IdentityType::Iam)
        .iam_arn("arn:aws:iam::123456789012:role/qs")
        .session_name(session)
        .email(format!("{session}@example.com"))
        .user_role(QsRole::Reader)
        .send()
        .await
        .map(drop)
        .map_err(|e| format!("{}: {}", e.code().unwrap_or_default(), e.message().unwrap_or_default()))
}

#[tokio::test]
async fn namespaces_are_created_then_usable_isolated_and_deleted_with_their_users() {
    let emu = Emulator::start(&["--namespace-create-delay-ms", "400", "--namespace-limit", "3"]);
    let qs = emu.client();

    assert_eq!(create(&qs, "acme").await.unwrap(), NamespaceStatus::Creating);
    assert_eq!(create(&qs, "acme").await.unwrap_err(), "ResourceExistsException");
    assert_eq!(
        register(&qs, "acme", "ana").await.unwrap_err(),
        "ResourceUnavailableException: Namespace acme is not ready: its status is CREATING"
    );
    assert_eq!(
        register(&qs, "nowhere", "ana").await.unwrap_err(),
        "ResourceNotFoundException: Namespace nowhere not found"
    );
    assert_eq!(create(&qs, "globex").await.unwrap(), NamespaceStatus::Creating);
    assert_eq!(
        create(&qs, "initech").await.unwrap_err(),
        "LimitExceededException",
        "three with default"
    );
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(describe(&qs, "acme").await.unwrap(), NamespaceStatus::Created);
    let listed = qs.list_namespaces().aws_account_id(ACCOUNT).send().await.unwrap();
    let names: Vec<&str> = listed.namespaces().iter().filter_map(|n| n.name()).collect();
    assert_eq!(names, ["acme", "default", "globex"]);
    let arn = listed.namespaces()[0].arn();
    assert_eq!(arn, Some("arn:aws:quicksight:eu-west-1:123456789012:namespace/acme"));

    // The same session and the same group name in two namespaces are two users, two groups.
    for namespace in ["acme", "globex"] {
        register(&qs, namespace, "ana").await.unwrap();
        let group = qs
            .create_group()
            .aws_account_id(ACCOUNT)
            .namespace(namespace)
            .group_name("everyone")
            .send()
            .await
            .unwrap();
        assert!(
            group
                .group()
                .unwrap()
                .arn()
                .unwrap()
                .ends_with(&format!("group/{namespace}/everyone"))
        );
    }
    assert_eq!(emu.users_in("acme"), ["qs/ana"]);
    assert_eq!(emu.users_in("globex"), ["qs/ana"]);
    assert!(emu.user_names().is_empty(), "nothing in default");

    qs.delete_namespace()
        .aws_account_id(ACCOUNT)
        .namespace("acme")
        .send()
        .await
        .unwrap();
    assert!(emu.users_in("acme").is_empty(), "its users go with it");
    assert_eq!(emu.users_in("globex"), ["qs/ana"]);
    assert_eq!(describe(&qs, "acme").await.unwrap(), NamespaceStatus::Deleting);
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(describe(&qs, "acme").await.unwrap_err(), "ResourceNotFoundException");
    for op in [
        "CreateNamespace",
        "DescribeNamespace",
        "ListNamespaces",
        "DeleteNamespace",
    ] {
        assert!(emu.requests(op) > 0, "{op} is counted");
    }
}

#[tokio::test]
async fn a_new_tenants_first_changes_create_its_namespace_once_and_land_only_there() {
    let emu = Emulator::start(&["--namespace-create-delay-ms", "500"]);
    let config = config(&[("TENANT_CREATE_NAMESPACE", "true")]);
    // Two processes (two engines), and two changes at once in one of them.
    let (first, second) = (engine(&emu, &config), engine(&emu, &config));
    let plan = |tenant, email| signup(tenant, email).plan(&config).unwrap();
    let (ana, bo, cy) = (
        plan("acme", "ana@example.com"),
        plan("acme", "bo@example.com"),
        plan("acme", "cy@example.com"),
    );
    let (a, b, c) = tokio::join!(
        first.apply(&ana, soon()),
        first.apply(&bo, soon()),
        second.apply(&cy, soon())
    );
    for outcome in [a.unwrap(), b.unwrap(), c.unwrap()] {
        assert_eq!(outcome.user, UserChange::Registered);
        assert_eq!(outcome.namespace, "acme");
    }
    assert_eq!(emu.succeeded("CreateNamespace"), 1, "created once");
    assert_eq!(
        emu.users_in("acme"),
        [
            "qs-acme/ana@example.com",
            "qs-acme/bo@example.com",
            "qs-acme/cy@example.com"
        ]
    );
    assert_eq!(
        emu.groups_in("acme", "qs-acme/ana@example.com"),
        ["acme-everyone", "qs-a"]
    );
    assert!(emu.user_names().is_empty(), "nothing in default");

    // The same e-mail in another tenant is another user, in another namespace and role.
    let globex = first.apply(&plan("globex", "ana@example.com"), soon()).await.unwrap();
    assert_eq!(globex.user_name, "qs-globex/ana@example.com");
    assert_eq!(emu.users_in("globex"), ["qs-globex/ana@example.com"]);
    assert_eq!(
        emu.groups_in("globex", "qs-globex/ana@example.com"),
        ["globex-everyone", "qs-a"]
    );
    assert_eq!(emu.users_in("acme").len(), 3);

    // Known ready: a later change in the tenant costs no namespace call.
    let described = emu.requests("DescribeNamespace");
    first.apply(&plan("acme", "dee@example.com"), soon()).await.unwrap();
    assert_eq!(emu.requests("DescribeNamespace"), described);
}

#[tokio::test]
async fn a_namespace_not_ready_by_the_deadline_is_a_transient_failure_that_finishes_later() {
    let emu = Emulator::start(&["--namespace-create-delay-ms", "1500"]);
    let config = config(&[("TENANT_CREATE_NAMESPACE", "true")]);
    let engine = engine(&emu, &config);
    let ana = signup("acme", "ana@example.com").plan(&config).unwrap();

    let error = engine
        .apply(&ana, Instant::now() + Duration::from_millis(600))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, EngineError::NamespaceNotReady { namespace, status } if namespace == "acme" && status == "CREATING"),
        "{error:?}"
    );
    assert!(error.is_transient());
    assert_eq!(emu.requests("RegisterUser"), 0);

    let outcome = engine.apply(&ana, soon()).await.unwrap();
    assert_eq!(outcome.user, UserChange::Registered);
    assert_eq!(emu.succeeded("CreateNamespace"), 1);
}

#[tokio::test]
async fn an_unknown_tenant_is_refused_without_a_write_when_namespaces_are_not_created() {
    let emu = Emulator::start(&[]);
    let config = config(&[]);
    let engine = engine(&emu, &config);
    let ana = signup("acme", "ana@example.com").plan(&config).unwrap();

    let error = engine.apply(&ana, soon()).await.unwrap_err();
    assert!(
        matches!(&error, EngineError::Refused(Refusal::UnknownTenant { tenant, namespace }) if tenant == "acme" && namespace == "acme"),
        "{error:?}"
    );
    assert!(!error.is_transient());
    let writes: u64 = [
        "CreateNamespace",
        "RegisterUser",
        "CreateGroup",
        "CreateGroupMembership",
    ]
    .iter()
    .map(|op| emu.requests(op))
    .sum();
    assert_eq!(writes, 0);
    assert!(emu.user_names().is_empty());
}
