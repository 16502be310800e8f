//! Reconcile end to end: a Cognito user pool in moto's server, quicksight-local, the scheduled
//! `reconcile` function under aws-lambda-rie sending its plan to a FIFO queue, sqs-sync applying
//! it, and `qs-reconcile` planning from the command line.

use std::process::{Command, Output};

use aws_sdk_cognitoidentityprovider::Client as Cognito;
use aws_sdk_cognitoidentityprovider::types::AttributeType;
use qs_model::message::Change;
use qs_provision_tests::lambda::{self, Lambda, Moto, base_env};
use qs_provision_tests::{ACCOUNT, Emulator, NAMESPACE, ROLE_ARN, bin};
use serde_json::{Value, json};

const ROLE: &str = "QuickSightFederated";
const MAPPING: &str = r#"{"finance":{"group":"qs-finance","role":"AUTHOR"}}"#;

/// The deployment's settings, as the function and the command both read them.
fn settings(pool_id: &str) -> Vec<(String, String)> {
    [
        ("EXTERNAL_LOGIN_PROVIDER", "COGNITO"),
        ("GROUP_MAPPING", MAPPING),
        ("MANAGED_GROUP_PREFIX", "qs-"),
        ("USER_POOL_ID", pool_id),
        ("DIRECTORY_GROUPS", "pool"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A new user pool with the group `finance` (AUTHOR under `MAPPING`); its id.
async fn pool_with_finance(cognito: &Cognito) -> String {
    let pool = cognito.create_user_pool().pool_name("users").send().await.unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    cognito
        .create_group()
        .user_pool_id(&pool_id)
        .group_name("finance")
        .send()
        .await
        .unwrap();
    pool_id
}

/// Creates a confirmed pool user with `email`; returns their `sub`.
async fn pool_user(cognito: &Cognito, pool: &str, email: &str, group: Option<&str>) -> String {
    let attribute = |n: &str, v: &str| AttributeType::builder().name(n).value(v).build().unwrap();
    let created = cognito
        .admin_create_user()
        .user_pool_id(pool)
        .username(email)
        .user_attributes(attribute("email", email))
        .user_attributes(attribute("email_verified", "true"))
        .send()
        .await
        .unwrap();
    if let Some(group) = group {
        cognito
            .admin_add_user_to_group()
            .user_pool_id(pool)
            .username(email)
            .group_name(group)
            .send()
            .await
            .unwrap();
    }
    let user = created.user().unwrap();
    let sub = user
        .attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value());
    sub.expect("moto gives every user a sub").to_owned()
}

/// A QuickSight user as an earlier sign-up (or a console) left it.
async fn quicksight_user(qs: &aws_sdk_quicksight::Client, email: &str, sub: &str, role: &str) {
    qs.register_user()
        .aws_account_id(ACCOUNT)
        .namespace(NAMESPACE)
        .identity_type("IAM".into())
        .iam_arn(ROLE_ARN)
        .session_name(email)
        .email(email)
        .user_role(role.into())
        .external_login_federation_provider_type("COGNITO")
        .external_login_id(sub)
        .send()
        .await
        .unwrap();
}

async fn add_member(qs: &aws_sdk_quicksight::Client, group: &str, email: &str) {
    let _ = qs
        .create_group()
        .aws_account_id(ACCOUNT)
        .namespace(NAMESPACE)
        .group_name(group)
        .send()
        .await;
    qs.create_group_membership()
        .aws_account_id(ACCOUNT)
        .namespace(NAMESPACE)
        .group_name(group)
        .member_name(format!("{ROLE}/{email}"))
        .send()
        .await
        .unwrap();
}

/// `qs-reconcile args` with the deployment's `env`, against the emulator and moto.
pub(crate) fn run_reconcile(emu: &Emulator, moto: Option<&Moto>, env: &[(String, String)], args: &[&str]) -> Output {
    let mut command = Command::new(bin("qs-reconcile"));
    command.args(args).env_clear().envs(base_env(&emu.url));
    if let Some(moto) = moto {
        command.env("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", &moto.url);
    }
    command
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .expect("run qs-reconcile")
}

/// [`run_reconcile`] with `--json`: its output and the plan it printed.
fn reconcile_command(emu: &Emulator, moto: &Moto, env: &[(String, String)], args: &[&str]) -> (Output, Value) {
    let args: Vec<&str> = args.iter().copied().chain(["--json"]).collect();
    let output = run_reconcile(emu, Some(moto), env, &args);
    let plan = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("no JSON plan; stderr: {}", String::from_utf8_lossy(&output.stderr)));
    (output, plan)
}

/// (action, user, fields) of every planned change, sorted.
fn items(plan: &Value, key: &str) -> Vec<(String, String, Vec<String>)> {
    let mut items: Vec<_> = plan[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let fields = i["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().to_owned());
            (
                i["action"].as_str().unwrap().to_owned(),
                i["user"].as_str().unwrap().to_owned(),
                fields.collect(),
            )
        })
        .collect();
    items.sort();
    items
}

fn row(action: &str, email: &str, fields: &[&str]) -> (String, String, Vec<String>) {
    (
        action.to_owned(),
        format!("{ROLE}/{email}"),
        fields.iter().map(|f| f.to_string()).collect(),
    )
}

/// Every message on the queue as sqs-sync's event records, deleted from the queue.
async fn drain(sqs: &aws_sdk_sqs::Client, queue: &str) -> Vec<Value> {
    let messages = lambda::drain(sqs, queue).await;
    let group = |m: &aws_sdk_sqs::types::Message| {
        let attributes = m.attributes().cloned().unwrap_or_default();
        attributes
            .get(&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId)
            .cloned()
            .unwrap_or_default()
    };
    messages
        .iter()
        .map(|m| {
            json!({
                "messageId": m.message_id().unwrap(), "body": m.body().unwrap(), "eventSource": "aws:sqs",
                "attributes": { "ApproximateReceiveCount": "1", "MessageGroupId": group(m) }, "messageAttributes": {}
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pool_is_adopted_leavers_go_drift_is_undone_and_a_second_run_finds_nothing() {
    let (moto, emu) = (Moto::start(), Emulator::start(&[]));
    let (cognito, qs, sqs) = (moto.cognito(), emu.client(), moto.sqs());
    let pool_id = pool_with_finance(&cognito).await;
    // In the pool before deployment: ana (finance) and bo, neither in QuickSight yet; cy, in
    // QuickSight as a reader with a console-made membership of a managed group; di, disabled.
    let ana = pool_user(&cognito, &pool_id, "ana@example.com", Some("finance")).await;
    pool_user(&cognito, &pool_id, "bo@example.com", None).await;
    let cy = pool_user(&cognito, &pool_id, "cy@example.com", Some("finance")).await;
    let di = pool_user(&cognito, &pool_id, "di@example.com", None).await;
    cognito
        .admin_disable_user()
        .user_pool_id(&pool_id)
        .username("di@example.com")
        .send()
        .await
        .unwrap();
    quicksight_user(&qs, "cy@example.com", &cy, "READER").await;
    add_member(&qs, "qs-sales", "cy@example.com").await;
    add_member(&qs, "console-made", "cy@example.com").await;
    quicksight_user(&qs, "di@example.com", &di, "READER").await;
    // ed left the pool; fay is another provider's user of the same role: never this pool's to delete.
    quicksight_user(&qs, "ed@example.com", "sub-of-a-deleted-user", "READER").await;
    qs.register_user()
        .aws_account_id(ACCOUNT)
        .namespace(NAMESPACE)
        .identity_type("IAM".into())
        .iam_arn(ROLE_ARN)
        .session_name("fay@example.com")
        .email("fay@example.com")
        .user_role("READER".into())
        .external_login_federation_provider_type("CUSTOM_OIDC")
        .custom_federation_provider_url("https://login.example.com")
        .external_login_id("fay")
        .send()
        .await
        .unwrap();
    let env = settings(&pool_id);

    // The dry run (the command's default) plans and sends nothing.
    let (dry, plan) = reconcile_command(&emu, &moto, &env, &[]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    assert_eq!(
        items(&plan, "items"),
        [
            row("delete", "di@example.com", &[]),
            row("delete", "ed@example.com", &[]),
            row("register", "ana@example.com", &["+qs-finance"]),
            row("register", "bo@example.com", &[]),
            row("update", "cy@example.com", &["Role", "+qs-finance", "-qs-sales"]),
        ]
    );
    assert_eq!(emu.requests("RegisterUser"), 4, "the dry run wrote nothing");

    // The scheduled function sends the plan to the bulk queue; sqs-sync applies it.
    let queue = lambda::fifo_queue(&sqs, "bulk.fifo").await;
    let mut function_env = base_env(&emu.url);
    function_env.extend(env.clone());
    function_env.push(("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER".into(), moto.url.clone()));
    function_env.push(("AWS_ENDPOINT_URL_SQS".into(), moto.url.clone()));
    function_env.push(("BULK_QUEUE_URL".into(), queue.clone()));
    let scheduled = Lambda::start("reconcile", &function_env);
    let answer = scheduled.invoke(&json!({}));
    assert_eq!(answer["sent"], 5, "{answer}");
    assert_eq!(answer["summary"]["unchanged"], 0, "{answer}");
    let records = drain(&sqs, &queue).await;
    let bodies: Vec<Change> = records
        .iter()
        .map(|r| Change::parse(r["body"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(bodies.iter().filter(|c| c.op() == "delete").count(), 2);

    let mut sync_env = base_env(&emu.url);
    sync_env.extend(env.clone());
    let sync = Lambda::start("sqs-sync", &sync_env);
    let response = sync.invoke(&json!({ "Records": records }));
    assert_eq!(response["batchItemFailures"], json!([]), "{response}");

    let users = emu.user_names();
    for gone in ["di@example.com", "ed@example.com"] {
        assert!(
            !users.contains(&format!("{ROLE}/{gone}")),
            "{gone} is still there: {users:?}"
        );
    }
    assert!(users.contains(&format!("{ROLE}/fay@example.com")));
    assert_eq!(emu.user(&format!("{ROLE}/ana@example.com"))["Role"], "AUTHOR");
    assert_eq!(
        emu.user(&format!("{ROLE}/ana@example.com"))["ExternalLoginId"],
        ana.as_str()
    );
    let mut cy_groups = emu.groups_of(&format!("{ROLE}/cy@example.com"));
    cy_groups.sort();
    assert_eq!(cy_groups, ["console-made", "qs-finance"]);

    // Applied: the next run plans nothing.
    let (again, plan) = reconcile_command(&emu, &moto, &env, &[]);
    assert!(again.status.success());
    assert_eq!(items(&plan, "items"), []);
    assert_eq!(plan["summary"]["unchanged"], 3, "{plan}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_directory_read_or_too_many_leavers_deletes_nothing() {
    let (moto, emu) = (Moto::start(), Emulator::start(&[]));
    let (cognito, qs) = (moto.cognito(), emu.client());
    let pool = cognito.create_user_pool().pool_name("users").send().await.unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let ana = pool_user(&cognito, &pool_id, "ana@example.com", None).await;
    quicksight_user(&qs, "ana@example.com", &ana, "READER").await;
    quicksight_user(&qs, "ed@example.com", "gone-1", "READER").await;
    quicksight_user(&qs, "flo@example.com", "gone-2", "READER").await;

    // A pool that cannot be read: every owned user looks absent, and none may be deleted.
    let (failed, plan) = reconcile_command(&emu, &moto, &settings("us-east-1_missing"), &[]);
    assert!(!failed.status.success());
    assert_eq!(items(&plan, "items"), []);
    assert_eq!(plan["held"].as_array().unwrap().len(), 3);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("3 deletion(s) held back") && stderr.contains("User pool us-east-1_missing does not exist"),
        "{stderr}"
    );

    // Two leavers over --max-deletes 1: both held back, the run ends in error.
    let (guarded, plan) = reconcile_command(&emu, &moto, &settings(&pool_id), &["--max-deletes", "1"]);
    assert!(!guarded.status.success());
    assert_eq!(items(&plan, "items"), []);
    assert_eq!(
        items(&plan, "held"),
        [
            row("delete", "ed@example.com", &[]),
            row("delete", "flo@example.com", &[])
        ]
    );
    let stderr = String::from_utf8_lossy(&guarded.stderr);
    assert!(stderr.contains("RECONCILE_MAX_DELETES=1"), "{stderr}");
}

/// Registers `email` in the tenant's namespace, through the tenant's role.
async fn tenant_user(qs: &aws_sdk_quicksight::Client, tenant: &str, email: &str) {
    qs.register_user()
        .aws_account_id(ACCOUNT)
        .namespace(tenant)
        .identity_type(aws_sdk_quicksight::types::IdentityType::Iam)
        .iam_arn(format!("arn:aws:iam::{ACCOUNT}:role/qs-{tenant}"))
        .session_name(email)
        .email(email)
        .user_role(aws_sdk_quicksight::types::UserRole::Reader)
        .send()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_whose_tenant_changed_moves_between_namespaces() {
    let emu = Emulator::start(&[]);
    let moto = Moto::start();
    let qs = emu.client();
    emu.seed_namespace("acme");
    emu.seed_namespace("globex");
    tenant_user(&qs, "acme", "ana@example.com").await;
    tenant_user(&qs, "acme", "bo@example.com").await;
    let export = std::env::temp_dir().join(format!("qs-tenant-export-{}.csv", std::process::id()));
    std::fs::write(
        &export,
        "email,role,tenant\nana@example.com,READER,globex\nbo@example.com,READER,acme\n",
    )
    .unwrap();
    let env: Vec<(String, String)> = [
        ("TENANT_NAMESPACE", "{tenant}"),
        (
            "QUICKSIGHT_FEDERATED_ROLE_ARN",
            "arn:aws:iam::123456789012:role/qs-{tenant}",
        ),
        ("AWS_ENDPOINT_URL_SQS", moto.url.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let sqs = moto.sqs();
    let queue = lambda::fifo_queue(&sqs, "tenants.fifo").await;
    let directory = export.to_str().unwrap();

    // Two runs in a row: each change is named by its content, so the FIFO queue keeps one copy.
    let apply = ["--directory", directory, "--apply", "--queue-url", &queue];
    let _ = reconcile_command(&emu, &moto, &env, &apply);
    let (output, plan) = reconcile_command(&emu, &moto, &env, &apply);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let moves: Vec<(&str, &str, &str, &str)> = plan["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["action"].as_str().unwrap(),
                i["tenant"].as_str().unwrap(),
                i["user"].as_str().unwrap(),
                i["fields"][0].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        moves,
        [
            ("delete", "acme", "qs-acme/ana@example.com", "moved to globex"),
            ("register", "globex", "qs-globex/ana@example.com", "moved from acme"),
        ]
    );
    assert_eq!(plan["summary"]["moves"], 1);

    // sqs-sync applies the two changes, each in its tenant's namespace.
    let records = drain(&sqs, &queue).await;
    let groups: Vec<&str> = records
        .iter()
        .map(|r| r["attributes"]["MessageGroupId"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["acme/ana@example.com", "globex/ana@example.com"]);
    let mut sync_env = base_env(&emu.url);
    sync_env.extend(env.iter().cloned());
    let sync = Lambda::start("sqs-sync", &sync_env);
    let response = sync.invoke(&json!({ "Records": records }));
    assert_eq!(response["batchItemFailures"], json!([]), "{response}");
    assert_eq!(emu.users_in("acme"), ["qs-acme/bo@example.com"]);
    assert_eq!(emu.users_in("globex"), ["qs-globex/ana@example.com"]);

    // The table a person reads names each change's tenant.
    let table = Command::new(bin("qs-reconcile"))
        .args(["--directory", directory, "--tenant", "acme"])
        .env_clear()
        .envs(base_env(&emu.url))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&table.stdout);
    assert!(table.status.success(), "{}", String::from_utf8_lossy(&table.stderr));
    assert_eq!(stdout.trim(), "", "acme is as the directory says: {stdout}");
    std::fs::write(&export, "email,role,tenant\nbo@example.com,AUTHOR,acme\n").unwrap();
    let table = Command::new(bin("qs-reconcile"))
        .args(["--directory", directory])
        .env_clear()
        .envs(base_env(&emu.url))
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&table.stdout).trim(),
        "~ acme  qs-acme/bo@example.com  Role"
    );
    let _ = std::fs::remove_file(&export);
}

#[tokio::test]
async fn a_run_whose_quicksight_read_fails_writes_a_reconcile_failed_line_naming_the_phase() {
    // QuickSight refuses every read: its identity region is not the one configured.
    let (moto, emu) = (Moto::start(), Emulator::start(&["--identity-region", "eu-west-1"]));
    let cognito = moto.cognito();
    let pool = cognito.create_user_pool().pool_name("users").send().await.unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let mut env = base_env(&emu.url);
    env.extend(settings(&pool_id));
    env.push(("QUICKSIGHT_IDENTITY_REGION".into(), "us-east-1".into()));
    env.push(("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER".into(), moto.url.clone()));
    env.push(("BULK_QUEUE_URL".into(), format!("{}/123456789012/bulk.fifo", moto.url)));
    let scheduled = Lambda::start("reconcile", &env);

    let answer = scheduled.invoke(&json!({}));

    assert_eq!(answer["errorType"], "ReadFailed", "{answer}");
    let failed: Vec<Value> = scheduled
        .log_lines()
        .into_iter()
        .filter(|l| l["ReconcileFailed"] == 1)
        .collect();
    assert_eq!(failed.len(), 1, "{}", scheduled.log_text());
    assert_eq!(failed[0]["Phase"], "quicksight");
    assert_eq!(
        failed[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        json!([["Function"], ["Function", "Phase"]])
    );
}

/// With tenants on, a pool with an app client whose users can write the tenant attribute is not
/// reconciled: the run stops, naming the client, and sends nothing.
#[tokio::test]
async fn a_pool_whose_app_client_lets_users_write_the_tenant_is_refused_naming_the_client() {
    let emu = Emulator::start(&[]);
    let moto = Moto::start();
    let cognito = moto.cognito();
    let (pool_id, writable, _) = lambda::pool_with_two_clients(&cognito).await;
    pool_user(&cognito, &pool_id, "ana@example.com", None).await;
    let mut env = settings(&pool_id);
    env.extend(
        [
            ("TENANT_NAMESPACE", "{tenant}"),
            (
                "QUICKSIGHT_FEDERATED_ROLE_ARN",
                "arn:aws:iam::123456789012:role/qs-{tenant}",
            ),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    let output = run_reconcile(&emu, Some(&moto), &env, &[]);

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("custom:tenant") && stderr.contains(&format!("self-service ({writable})")),
        "{stderr}"
    );
    assert!(!stderr.contains("(web"), "the read-only client is not named: {stderr}");
    assert_eq!(emu.requests("ListUsers"), 0, "QuickSight not even read");
}

/// The user's self-upgrade requests as (status, requested role), in the order asked.
fn requests_of(emu: &Emulator, email: &str) -> Vec<(String, String)> {
    let space = emu.space();
    let requests = space["SelfUpgrades"].as_object().cloned().unwrap_or_default();
    let mut of_user: Vec<&Value> = requests
        .values()
        .filter(|r| r["UserName"] == format!("{ROLE}/{email}"))
        .collect();
    of_user.sort_by_key(|r| {
        (
            r["CreationTime"].as_u64(),
            r["UpgradeRequestId"].as_str().map(str::to_owned),
        )
    });
    of_user
        .iter()
        .map(|r| {
            (
                r["RequestStatus"].as_str().unwrap().to_owned(),
                r["RequestedRole"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn self_upgrades_are_decided_by_the_directory_and_one_made_without_it_is_reported() {
    use aws_sdk_quicksight::types::SelfUpgradeStatus;
    let (moto, emu) = (Moto::start(), Emulator::start(&[]));
    let (cognito, qs, sqs) = (moto.cognito(), emu.client(), moto.sqs());
    let pool_id = pool_with_finance(&cognito).await;
    // ana is in finance (AUTHOR under GROUP_MAPPING); bo and cy are in no mapped group (READER).
    // All three are readers in QuickSight.
    let ana = pool_user(&cognito, &pool_id, "ana@example.com", Some("finance")).await;
    let bo = pool_user(&cognito, &pool_id, "bo@example.com", None).await;
    let cy = pool_user(&cognito, &pool_id, "cy@example.com", None).await;
    for (email, sub) in [
        ("ana@example.com", &ana),
        ("bo@example.com", &bo),
        ("cy@example.com", &cy),
    ] {
        quicksight_user(&qs, email, sub, "READER").await;
    }
    let configure = |status: SelfUpgradeStatus| {
        let qs = qs.clone();
        async move {
            qs.update_self_upgrade_configuration()
                .aws_account_id(ACCOUNT)
                .namespace(NAMESPACE)
                .self_upgrade_status(status)
                .send()
                .await
                .unwrap();
        }
    };
    let ask = |email: &str| {
        emu.post_json(
            "/_emulator/self-upgrades",
            &json!({ "Namespace": NAMESPACE, "UserName": format!("{ROLE}/{email}"), "RequestedRole": "AUTHOR" }),
        )
    };
    // While the namespace auto-approved, cy made itself an author. ana and bo asked while an
    // administrator required approval, which was then turned back to auto-approval.
    configure(SelfUpgradeStatus::AutoApproval).await;
    ask("cy@example.com");
    assert_eq!(emu.user(&format!("{ROLE}/cy@example.com"))["Role"], "AUTHOR");
    configure(SelfUpgradeStatus::AdminApproval).await;
    ask("ana@example.com");
    ask("bo@example.com");
    configure(SelfUpgradeStatus::AutoApproval).await;

    let mut env = settings(&pool_id);
    env.push(("SELF_UPGRADE".into(), "directory".into()));
    env.push(("AWS_ENDPOINT_URL_SQS".into(), moto.url.clone()));
    let (dry, plan) = reconcile_command(&emu, &moto, &env, &[]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    let governance = &plan["governance"];
    assert_eq!(
        governance["self_upgrade_approval"],
        json!([{ "namespace": NAMESPACE, "holds": "AUTO_APPROVAL" }])
    );
    let decisions: Vec<(&str, &str, bool)> = governance["self_upgrades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["user"].as_str().unwrap(),
                d["requested"].as_str().unwrap(),
                d["approve"].as_bool().unwrap(),
            )
        })
        .collect();
    let (ana_name, bo_name) = (format!("{ROLE}/ana@example.com"), format!("{ROLE}/bo@example.com"));
    let mut decisions = decisions;
    decisions.sort();
    assert_eq!(
        decisions,
        [(ana_name.as_str(), "AUTHOR", true), (bo_name.as_str(), "AUTHOR", false)],
        "{governance}"
    );
    let notes = plan["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["kind"] == "self_upgrade"
            && n["user"] == format!("{ROLE}/cy@example.com")
            && n["detail"].as_str().unwrap().contains("above the READER")),
        "{notes:?}"
    );
    assert_eq!(
        requests_of(&emu, "bo@example.com"),
        [("PENDING".into(), "AUTHOR".into())]
    );

    // Applied: ana's request approved, bo's denied; the namespace requires approval from now on.
    let queue = lambda::fifo_queue(&sqs, "bulk.fifo").await;
    let (applied, _) = reconcile_command(&emu, &moto, &env, &["--apply", "--queue-url", &queue]);
    assert!(applied.status.success(), "{}", String::from_utf8_lossy(&applied.stderr));
    assert_eq!(
        requests_of(&emu, "ana@example.com"),
        [("APPROVED".into(), "AUTHOR".into())]
    );
    assert_eq!(
        requests_of(&emu, "bo@example.com"),
        [("DENIED".into(), "AUTHOR".into())]
    );
    assert_eq!(emu.user(&ana_name)["Role"], "AUTHOR");
    assert_eq!(emu.user(&bo_name)["Role"], "READER");
    let configuration = qs
        .describe_self_upgrade_configuration()
        .aws_account_id(ACCOUNT)
        .namespace(NAMESPACE)
        .send()
        .await
        .unwrap();
    assert_eq!(
        configuration
            .self_upgrade_configuration()
            .and_then(|c| c.self_upgrade_status()),
        Some(&SelfUpgradeStatus::AdminApproval)
    );

    // Once the directory gives bo AUTHOR (finance), bo's next request is approved.
    cognito
        .admin_add_user_to_group()
        .user_pool_id(&pool_id)
        .username("bo@example.com")
        .group_name("finance")
        .send()
        .await
        .unwrap();
    ask("bo@example.com");
    let (applied, plan) = reconcile_command(&emu, &moto, &env, &["--apply", "--queue-url", &queue]);
    assert!(applied.status.success(), "{}", String::from_utf8_lossy(&applied.stderr));
    assert_eq!(plan["summary"]["self_upgrades_approved"], 1, "{plan}");
    assert_eq!(
        requests_of(&emu, "bo@example.com"),
        [("DENIED".into(), "AUTHOR".into()), ("APPROVED".into(), "AUTHOR".into())]
    );
    assert_eq!(emu.user(&bo_name)["Role"], "AUTHOR");
}
