//! Custom permissions profiles: quicksight-local's operations through the SDK, and the product
//! applying the profiles the directory and the tenants' settings name, and never lifting one an
//! administrator applied.

use std::process::Command;

use aws_sdk_quicksight::error::ProvideErrorMetadata;
use aws_sdk_quicksight::types::{CapabilityState, IdentityType, Role, UserRole};
use qs_provision_tests::lambda::{Lambda, base_env};
use qs_provision_tests::{ACCOUNT, Emulator, ROLE_ARN, bin, code};
use serde_json::{Value, json};

/// Runs `test` on a thread with a large stack: the SDK's (de)serializers of `Capabilities`, a
/// structure of some 150 members, overflow a test thread's 2 MiB in a debug build.
fn on_a_large_stack<F: std::future::Future<Output = ()>>(test: impl FnOnce() -> F + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(test());
        })
        .unwrap()
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}

#[test]
fn the_emulator_creates_lists_updates_and_refuses_profiles_as_the_model_says() {
    on_a_large_stack(profile_operations);
}

#[test]
fn the_emulator_applies_profiles_per_user_and_per_role_and_keeps_one_in_use() {
    on_a_large_stack(profile_applications);
}

async fn profile_operations() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    emu.create_profile("no-export").await;

    // Create: a second one of the same name exists; a bad name and a bad state are refused.
    let again = qs
        .create_custom_permissions()
        .aws_account_id(ACCOUNT)
        .custom_permissions_name("no-export")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), "ResourceExistsException");
    let bad_name = qs
        .create_custom_permissions()
        .aws_account_id(ACCOUNT)
        .custom_permissions_name("no export")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_name), "InvalidParameterValueException");
    // A state the SDK's enum would not build, sent as a client of another SDK might.
    let signed = "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/us-east-1/quicksight/aws4_request, SignedHeaders=host, Signature=0";
    let bad_state = emu.raw(
        "POST",
        &format!("/accounts/{ACCOUNT}/custom-permissions"),
        &[("authorization", signed)],
        r#"{"CustomPermissionsName":"odd","Capabilities":{"ExportToCsv":"MAYBE"}}"#,
    );
    assert_eq!(bad_state.0, 400, "{}", bad_state.1);
    assert!(bad_state.1.contains("capabilities.ExportToCsv"), "{}", bad_state.1);

    // Describe, list, update (which replaces the capabilities).
    let described = qs
        .describe_custom_permissions()
        .aws_account_id(ACCOUNT)
        .custom_permissions_name("no-export")
        .send()
        .await
        .unwrap();
    let profile = described.custom_permissions().unwrap();
    assert_eq!(profile.custom_permissions_name(), Some("no-export"));
    assert_eq!(
        profile.capabilities().unwrap().export_to_csv(),
        Some(&CapabilityState::Deny)
    );
    let missing = qs
        .describe_custom_permissions()
        .aws_account_id(ACCOUNT)
        .custom_permissions_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "ResourceNotFoundException");
    let share_only = aws_sdk_quicksight::types::Capabilities::builder()
        .share_dashboards(CapabilityState::Deny)
        .build();
    qs.update_custom_permissions()
        .aws_account_id(ACCOUNT)
        .custom_permissions_name("no-export")
        .capabilities(share_only)
        .send()
        .await
        .unwrap();
    let listed = qs
        .list_custom_permissions()
        .aws_account_id(ACCOUNT)
        .send()
        .await
        .unwrap();
    let listed = listed.custom_permissions_list();
    assert_eq!(listed.len(), 1);
    let capabilities = listed[0].capabilities().unwrap();
    assert_eq!(capabilities.export_to_csv(), None, "replaced, not merged");
    assert_eq!(capabilities.share_dashboards(), Some(&CapabilityState::Deny));
}

async fn profile_applications() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    emu.create_profile("no-export").await;

    // Per user: RegisterUser with an unknown profile is a 404; with a known one it is applied,
    // DescribeUser reports it, and UpdateUser, UpdateUserCustomPermission and
    // DeleteUserCustomPermission change it.
    let register = |profile: &str| {
        qs.register_user()
            .aws_account_id(ACCOUNT)
            .namespace("default")
            .identity_type(IdentityType::Iam)
            .iam_arn(ROLE_ARN)
            .session_name("ana")
            .email("ana@example.com")
            .user_role(UserRole::Author)
            .custom_permissions_name(profile)
            .send()
    };
    assert_eq!(code(&register("nope").await.unwrap_err()), "ResourceNotFoundException");
    register("no-export").await.unwrap();
    let ana = "QuickSightFederated/ana";
    assert_eq!(emu.user(ana)["CustomPermissionsName"], "no-export");
    let unknown_update = qs
        .update_user()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .user_name(ana)
        .email("ana@example.com")
        .role(UserRole::Author)
        .custom_permissions_name("nope")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unknown_update), "ResourceNotFoundException");
    qs.delete_user_custom_permission()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .user_name(ana)
        .send()
        .await
        .unwrap();
    assert!(emu.user(ana)["CustomPermissionsName"].is_null());
    qs.update_user_custom_permission()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .user_name(ana)
        .custom_permissions_name("no-export")
        .send()
        .await
        .unwrap();
    let described = qs
        .describe_user()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .user_name(ana)
        .send()
        .await
        .unwrap();
    assert_eq!(described.user().unwrap().custom_permissions_name(), Some("no-export"));

    // Per role: none until one is applied; an unknown profile is a 404.
    assert_eq!(role_profile(&emu, "default").await, None);
    let unknown_role_profile = give_readers(&emu, "default", "nope").await.unwrap_err();
    assert_eq!(unknown_role_profile, "ResourceNotFoundException");
    give_readers(&emu, "default", "no-export").await.unwrap();
    assert_eq!(role_profile(&emu, "default").await.as_deref(), Some("no-export"));

    // A profile in use is not deleted: first from the user, then from the role, then it goes.
    let delete = || {
        qs.delete_custom_permissions()
            .aws_account_id(ACCOUNT)
            .custom_permissions_name("no-export")
            .send()
    };
    let in_use = delete().await.unwrap_err();
    assert_eq!(code(&in_use), "ConflictException");
    assert!(in_use.message().unwrap().contains("role:READER"), "{in_use:?}");
    qs.update_user()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .user_name(ana)
        .email("ana@example.com")
        .role(UserRole::Author)
        .unapply_custom_permissions(true)
        .send()
        .await
        .unwrap();
    assert_eq!(code(&delete().await.unwrap_err()), "ConflictException");
    qs.delete_role_custom_permission()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .role(Role::Reader)
        .send()
        .await
        .unwrap();
    delete().await.unwrap();
    assert_eq!(role_profile(&emu, "default").await, None);
}

fn sqs_record(id: &str, body: Value) -> Value {
    json!({ "messageId": id, "body": body.to_string(), "attributes": { "ApproximateReceiveCount": "1" }, "messageAttributes": {}, "eventSource": "aws:sqs" })
}

fn upsert(email: &str, profile: Value) -> Value {
    let mut change = json!({ "op": "upsert", "version": 1, "email": email });
    change
        .as_object_mut()
        .unwrap()
        .extend(profile.as_object().unwrap().clone());
    change
}

fn env(emu: &Emulator, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = base_env(&emu.url);
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

/// Bulk changes: a row that names a profile applies it over any; the directory's answer (what a
/// queued sign-up carries) applies its own and removes its own, never an administrator's.
#[tokio::test]
async fn bulk_rows_apply_what_they_name_and_the_directorys_answer_spares_an_administrators() {
    let emu = Emulator::start(&[]);
    for profile in ["no-export", "admin-locked"] {
        emu.create_profile(profile).await;
    }
    let mapping = r#"{"contractors":{"group":"qs-contractors","custom_permissions":"no-export"}}"#;
    let lambda = Lambda::start("sqs-sync", &env(&emu, &[("GROUP_MAPPING", mapping)]));
    let directory =
        |name: Option<&str>| json!({ "custom_permissions_name": name, "custom_permissions_from_directory": true });
    let ana = "QuickSightFederated/ana@example.com";
    let bo = "QuickSightFederated/bo@example.com";
    let profile = |user: &str| emu.user(user)["CustomPermissionsName"].clone();

    let first = lambda.invoke(&json!({ "Records": [
        sqs_record("m1", upsert("ana@example.com", directory(Some("no-export")))),
        sqs_record("m2", upsert("bo@example.com", json!({ "custom_permissions_name": "admin-locked" }))),
        sqs_record("m3", upsert("cy@example.com", json!({ "custom_permissions_name": "not-there" }))),
    ]}));
    assert_eq!((profile(ana), profile(bo)), (json!("no-export"), json!("admin-locked")));
    // A profile QuickSight does not have fails its message alone.
    let failures = first["batchItemFailures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{first}");
    assert_eq!(failures[0]["itemIdentifier"], "m3");

    lambda.invoke(&json!({ "Records": [
        sqs_record("m4", upsert("ana@example.com", directory(None))),
        sqs_record("m5", upsert("bo@example.com", directory(Some("no-export")))),
        sqs_record("m6", upsert("bo@example.com", directory(None))),
    ]}));
    assert!(
        profile(ana).is_null(),
        "the directory's own profile is removed when it names none"
    );
    assert_eq!(
        profile(bo),
        "admin-locked",
        "an administrator's profile is never the directory's to change"
    );

    // A row without a profile leaves any; a row naming one replaces even an administrator's.
    lambda.invoke(&json!({ "Records": [
        sqs_record("m7", upsert("bo@example.com", json!({}))),
    ]}));
    assert_eq!(profile(bo), "admin-locked");
    lambda.invoke(&json!({ "Records": [
        sqs_record("m8", upsert("bo@example.com", json!({ "custom_permissions_name": "no-export" }))),
    ]}));
    assert_eq!(profile(bo), "no-export");
}

fn tenant_env<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut vars = vec![
        ("TENANT_NAMESPACE", "{tenant}"),
        (
            "QUICKSIGHT_FEDERATED_ROLE_ARN",
            "arn:aws:iam::123456789012:role/qs-{tenant}",
        ),
        ("TENANT_ALLOWED", "[a-z]+"),
        ("TENANT_ROLE_PERMISSIONS", "READER:no-export"),
    ];
    vars.extend_from_slice(extra);
    vars
}

/// UpdateRoleCustomPermission for the readers of `namespace`; the error's code.
async fn give_readers(emu: &Emulator, namespace: &str, profile: &str) -> Result<(), String> {
    emu.client()
        .update_role_custom_permission()
        .aws_account_id(ACCOUNT)
        .namespace(namespace)
        .role(Role::Reader)
        .custom_permissions_name(profile)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e))
}

/// The profile of the readers of `namespace`.
async fn role_profile(emu: &Emulator, namespace: &str) -> Option<String> {
    let out = emu
        .client()
        .describe_role_custom_permission()
        .aws_account_id(ACCOUNT)
        .namespace(namespace)
        .role(Role::Reader)
        .send()
        .await
        .unwrap();
    out.custom_permissions_name().map(str::to_owned)
}

/// A tenant's namespace created on its first sign-up gets its readers' profile before the user.
#[tokio::test]
async fn a_namespace_created_for_a_new_tenant_gets_its_readers_profile() {
    let emu = Emulator::start(&["--namespace-create-delay-ms", "200"]);
    emu.create_profile("no-export").await;
    let vars = tenant_env(&[("TENANT_CREATE_NAMESPACE", "true")]);
    let lambda = Lambda::start("sqs-sync", &env(&emu, &vars));
    let change = json!({ "op": "upsert", "version": 1, "tenant": "initech", "email": "ana@example.com" });

    let response = lambda.invoke(&json!({ "Records": [sqs_record("m1", change)] }));

    assert_eq!(response["batchItemFailures"], json!([]), "{response}");
    assert_eq!(emu.users_in("initech"), ["qs-initech/ana@example.com"]);
    assert_eq!(role_profile(&emu, "initech").await.as_deref(), Some("no-export"));
    assert_eq!(emu.succeeded("UpdateRoleCustomPermission"), 1);
}

/// With SELF_UPGRADE set, a tenant's namespace created on its first change requires approval of
/// self-upgrades before its first user (QuickSight's own default would let no decision be made).
#[tokio::test]
async fn a_namespace_created_for_a_new_tenant_requires_approval_of_self_upgrades() {
    let emu = Emulator::start(&["--namespace-create-delay-ms", "200"]);
    emu.create_profile("no-export").await;
    let vars = tenant_env(&[("TENANT_CREATE_NAMESPACE", "true"), ("SELF_UPGRADE", "admin-approval")]);
    let lambda = Lambda::start("sqs-sync", &env(&emu, &vars));
    let change = json!({ "op": "upsert", "version": 1, "tenant": "initech", "email": "ana@example.com" });

    let response = lambda.invoke(&json!({ "Records": [sqs_record("m1", change)] }));

    assert_eq!(response["batchItemFailures"], json!([]), "{response}");
    assert_eq!(emu.namespace("initech")["SelfUpgradeStatus"], "ADMIN_APPROVAL");
    assert_eq!(emu.succeeded("UpdateSelfUpgradeConfiguration"), 1);
}

/// The reconcile checks every tenant's roles: one without its profile gets it with --apply; one
/// holding a profile this deployment does not name is reported and left.
#[tokio::test]
async fn the_reconcile_gives_tenants_roles_their_profiles_and_leaves_an_administrators() {
    let emu = Emulator::start(&[]);
    for profile in ["no-export", "admin-locked"] {
        emu.create_profile(profile).await;
    }
    for tenant in ["acme", "globex"] {
        emu.seed_namespace(tenant);
    }
    give_readers(&emu, "globex", "admin-locked").await.unwrap();
    let csv = std::env::temp_dir().join(format!("qs-role-profiles-{}.csv", std::process::id()));
    std::fs::write(&csv, "tenant,email\nacme,ana@example.com\nglobex,bo@example.com\n").unwrap();
    let reconcile = |args: &[&str]| {
        Command::new(bin("qs-reconcile"))
            .arg("--directory")
            .arg(&csv)
            .args(args)
            .env_clear()
            .envs(env(&emu, &tenant_env(&[])))
            .output()
            .expect("run qs-reconcile")
    };

    let planned = reconcile(&[]);
    let report = String::from_utf8_lossy(&planned.stdout);
    assert!(
        report.contains("~ role READER of acme: custom permissions none -> no-export"),
        "{report}"
    );
    assert!(
        report.contains("! role READER of globex: keeps custom permissions admin-locked"),
        "{report}"
    );
    assert_eq!(role_profile(&emu, "acme").await, None, "a dry run changes nothing");

    let queue = "http://127.0.0.1:9/123456789012/unused";
    let applied = reconcile(&["--apply", "--queue-url", queue, "--json"]);
    let plan: Value = serde_json::from_slice(&applied.stdout).unwrap();
    assert_eq!(plan["roles"].as_array().unwrap().len(), 2, "{plan}");
    assert_eq!(role_profile(&emu, "acme").await.as_deref(), Some("no-export"));
    assert_eq!(role_profile(&emu, "globex").await.as_deref(), Some("admin-locked"));
}
