//! An account whose users sign in through IAM Identity Center: every function that registers
//! IAM-federated users stops at start with one message and writes nothing (the Cognito trigger
//! lets sign-ups through), and the reconcile manages the directory groups' role memberships.

use aws_sdk_quicksight::types::Role;
use qs_provision_tests::lambda::{Lambda, base_env};
use qs_provision_tests::{ACCOUNT, Emulator, role_members};
use serde_json::{Value, json};

use crate::reconcile::run_reconcile;

const IDENTITY_CENTER: [&str; 2] = ["--authentication-type", "IAM_IDENTITY_CENTER"];
const SIGN_UP: &str = include_str!("../../../events/cognito-post-confirmation.json");
const STOP: &str = "signs in through IAM Identity Center (AuthenticationType IAM_IDENTITY_CENTER)";

fn env(emu: &Emulator, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = base_env(&emu.url);
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

/// The function's log once it shows `text` (RIE forwards the output a moment after it answers),
/// or after two seconds.
fn logged(lambda: &Lambda, text: &str) -> String {
    let started = std::time::Instant::now();
    loop {
        let log = lambda.log_text();
        if log.contains(text) || started.elapsed() > std::time::Duration::from_secs(2) {
            return log;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Every operation the emulator was asked for, by name.
fn operations(emu: &Emulator) -> Vec<String> {
    let stats = emu.stats();
    stats["operations"].as_object().unwrap().keys().cloned().collect()
}

#[test]
fn functions_started_against_an_identity_center_account_stop_with_one_message_and_write_nothing() {
    let emu = Emulator::start(&IDENTITY_CENTER);
    let upsert = json!({ "op": "upsert", "version": 1, "email": "ana@example.com" }).to_string();
    let sqs_event = json!({ "Records": [{
        "messageId": "m-1", "body": upsert, "attributes": { "ApproximateReceiveCount": "1" },
        "messageAttributes": {}, "eventSource": "aws:sqs"
    }] });
    let function_url = json!({
        "version": "2.0", "routeKey": "$default", "rawPath": "/Users", "rawQueryString": "",
        "headers": { "authorization": "Bearer a-token" },
        "requestContext": { "http": { "method": "GET", "path": "/Users", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "tests" } },
        "isBase64Encoded": false
    });
    // (function, its own settings, an event it would handle)
    type Stopping<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a Value);
    let stopping: [Stopping; 3] = [
        ("sqs-sync", vec![], &sqs_event),
        (
            "oidc-signup",
            vec![
                ("OIDC_ISSUER", "https://login.example.com"),
                ("OIDC_AUDIENCE", "qs-app"),
                ("OIDC_JWKS_URL", "http://127.0.0.1:9/jwks"),
            ],
            &function_url,
        ),
        (
            "scim",
            vec![
                ("SCIM_TABLE", "scim"),
                ("SCIM_TOKEN", "a-scim-token-of-at-least-32-characters"),
                ("SCIM_PROVIDER_URL", "https://login.example.com"),
                ("MANAGED_GROUP_PREFIX", "scim-"),
                ("EXTERNAL_LOGIN_PROVIDER", "CUSTOM_OIDC"),
            ],
            &function_url,
        ),
    ];
    for (function, settings, event) in stopping {
        let lambda = Lambda::start(function, &env(&emu, &settings));
        // RIE answers 502 for a function that exited during init.
        let (status, answer) = lambda.invoke_raw(event);
        let log = logged(&lambda, STOP);
        assert!(
            status == 502 && log.contains(STOP),
            "{function} stops with the message: {status} {answer} / {log}"
        );
        assert!(
            log.contains("ROLE_MEMBERSHIPS"),
            "{function} says what to use instead: {log}"
        );
        assert_eq!(
            log.matches(STOP).count(),
            1,
            "{function}: one message, not one per call: {log}"
        );
    }

    // The Cognito trigger must not lock the pool's users out: the sign-up goes through.
    let lambda = Lambda::start("cognito-signup", &env(&emu, &[("EXTERNAL_LOGIN_PROVIDER", "COGNITO")]));
    let sign_up: Value = serde_json::from_str(SIGN_UP).unwrap();
    assert_eq!(lambda.invoke(&sign_up), sign_up);
    let log = logged(&lambda, STOP);
    assert!(log.contains(STOP), "{log}");

    assert_eq!(
        operations(&emu),
        ["DescribeAccountSubscription"],
        "each function read the account once and wrote nothing"
    );
    assert_eq!(emu.requests("DescribeAccountSubscription"), 4);
    assert!(emu.user_names().is_empty());
}

/// The plan's role membership lines as (sign, role, group), sorted.
fn planned(plan: &Value) -> Vec<(String, String, String)> {
    let mut lines: Vec<_> = plan["governance"]["role_memberships"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let sign = if c["add"].as_bool().unwrap() { "+" } else { "-" };
            let text = |k: &str| c[k].as_str().unwrap().to_owned();
            (sign.to_owned(), text("role"), text("group"))
        })
        .collect();
    lines.sort();
    lines
}

fn line(sign: &str, role: &str, group: &str) -> (String, String, String) {
    (sign.into(), role.into(), group.into())
}

#[tokio::test]
async fn the_reconcile_gives_directory_groups_their_mapped_roles_and_takes_back_what_it_no_longer_maps() {
    let emu = Emulator::start(&IDENTITY_CENTER);
    let qs = emu.client();
    // Before: analysts read; qs-old (this deployment's prefix, no longer mapped) and a group an
    // administrator gave a role in the console hold AUTHOR.
    for (role, group) in [
        (Role::Reader, "analysts"),
        (Role::Author, "qs-old"),
        (Role::Author, "console-team"),
    ] {
        qs.create_role_membership()
            .aws_account_id(ACCOUNT)
            .namespace("default")
            .role(role)
            .member_name(group)
            .send()
            .await
            .unwrap();
    }
    let settings: Vec<(String, String)> = [
        ("ROLE_MEMBERSHIPS", r#"{"bi-admins":"ADMIN","analysts":"AUTHOR_PRO"}"#),
        ("MANAGED_GROUP_PREFIX", "qs-"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let reconcile = |args: &[&str]| {
        let args: Vec<&str> = args.iter().copied().chain(["--json"]).collect();
        let output = run_reconcile(&emu, None, &settings, &args);
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "{stderr}");
        let plan: Value = serde_json::from_slice(&output.stdout).expect("a JSON plan");
        (plan, stderr)
    };

    // No directory to read: the account's users come from Identity Center. The dry run plans.
    let (plan, stderr) = reconcile(&[]);
    assert!(stderr.contains(STOP), "{stderr}");
    assert_eq!(
        planned(&plan),
        [
            line("+", "ADMIN", "bi-admins"),
            line("+", "AUTHOR_PRO", "analysts"),
            line("-", "AUTHOR", "qs-old"),
            line("-", "READER", "analysts"),
        ]
    );
    assert_eq!(plan["items"], json!([]), "no user is planned");
    assert_eq!(emu.requests("CreateRoleMembership"), 3, "the dry run changed nothing");
    assert_eq!(emu.requests("DeleteRoleMembership"), 0);

    // Applied: as mapped; the console's group keeps its role.
    let (_, stderr) = reconcile(&["--apply"]);
    assert!(stderr.contains("applied 4"), "{stderr}");
    assert_eq!(role_members(&qs, Role::Admin).await, ["bi-admins"]);
    assert_eq!(role_members(&qs, Role::AuthorPro).await, ["analysts"]);
    assert_eq!(role_members(&qs, Role::Author).await, ["console-team"]);
    assert!(role_members(&qs, Role::Reader).await.is_empty());

    // A second run finds nothing to do.
    let (plan, _) = reconcile(&[]);
    assert_eq!(planned(&plan), []);
}

#[tokio::test]
async fn role_memberships_set_for_an_account_that_signs_in_with_iam_fail_the_run_and_change_nothing() {
    let emu = Emulator::start(&[]);
    let settings = vec![("ROLE_MEMBERSHIPS".to_owned(), r#"{"analysts":"AUTHOR"}"#.to_owned())];
    let export = std::env::temp_dir().join(format!("qs-idc-empty-{}.jsonl", std::process::id()));
    std::fs::write(&export, "").unwrap();
    let output = run_reconcile(
        &emu,
        None,
        &settings,
        &["--directory", export.to_str().unwrap(), "--apply"],
    );
    let _ = std::fs::remove_file(&export);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains("ROLE_MEMBERSHIPS") && stderr.contains("signs in with IAM_AND_QUICKSIGHT"),
        "{stderr}"
    );
    assert_eq!(emu.requests("CreateRoleMembership"), 0);
}
