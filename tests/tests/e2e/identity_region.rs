//! QuickSight's identity region: quicksight-local answers user management signed for another
//! region as QuickSight does, and the functions and qs-reconcile, deployed in us-east-1, follow it
//! once per process (or, with QUICKSIGHT_IDENTITY_REGION set elsewhere, fail naming both regions).

use std::process::Command;

use aws_sdk_quicksight::config::Region;
use aws_sdk_quicksight::error::ProvideErrorMetadata;
use aws_sdk_quicksight::types::{IdentityType, UserRole};
use qs_provision_tests::lambda::{Lambda, base_env};
use qs_provision_tests::{ACCOUNT, Emulator, ROLE_ARN, bin};
use serde_json::Value;

const SIGN_UP: &str = include_str!("../../../events/cognito-post-confirmation.json");
const MARIA: &str = "QuickSightFederated/maria.silva@example.com";
const MESSAGE: &str = "Operation is being called from endpoint us-east-1, but your identity region is eu-west-1. Please use the eu-west-1 endpoint.";

#[tokio::test]
async fn user_management_signed_for_another_region_is_refused_with_quicksights_words() {
    let emu = Emulator::start(&["--identity-region", "eu-west-1"]);
    let elsewhere = aws_sdk_quicksight::Client::from_conf(emu.config().region(Region::new("us-east-1")).build());
    let home = emu.client(); // eu-west-1

    let refused = elsewhere
        .list_users()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        (refused.code(), refused.message()),
        (Some("AccessDeniedException"), Some(MESSAGE))
    );
    let registered = home
        .register_user()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .identity_type(IdentityType::Iam)
        .iam_arn(ROLE_ARN)
        .session_name("ana")
        .email("ana@example.com")
        .user_role(UserRole::Reader)
        .send()
        .await;
    assert!(registered.is_ok(), "the identity region serves it: {registered:?}");
    let namespaces = elsewhere.list_namespaces().aws_account_id(ACCOUNT).send().await;
    let groups = elsewhere
        .list_groups()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .send()
        .await;
    let denied = Some("AccessDeniedException");
    assert_eq!(
        (namespaces.unwrap_err().code(), groups.unwrap_err().code()),
        (denied, denied)
    );
    // Assets are regional: a search answers in any region.
    let searched = elsewhere
        .search_dashboards()
        .aws_account_id(ACCOUNT)
        .filters(
            aws_sdk_quicksight::types::DashboardSearchFilter::builder()
                .operator(aws_sdk_quicksight::types::FilterOperator::StringEquals)
                .name(aws_sdk_quicksight::types::DashboardFilterAttribute::DashboardName)
                .value("x")
                .build()
                .unwrap(),
        )
        .send()
        .await;
    assert!(searched.is_ok(), "{searched:?}");
}

fn cognito_env(emu: &Emulator, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = base_env(&emu.url); // AWS_REGION=us-east-1
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

fn warnings_naming_the_variable(lambda: &Lambda) -> usize {
    lambda
        .log_lines()
        .iter()
        .filter(|l| {
            l["level"] == "WARN"
                && l["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("QUICKSIGHT_IDENTITY_REGION"))
        })
        .count()
}

#[test]
fn a_sign_up_in_us_east_1_follows_the_identity_region_once_with_one_warning() {
    let emu = Emulator::start(&["--identity-region", "eu-west-1"]);
    let lambda = Lambda::start(
        "cognito-signup",
        &cognito_env(&emu, &[("EXTERNAL_LOGIN_PROVIDER", "CUSTOM_OIDC")]),
    );
    let event: Value = serde_json::from_str(SIGN_UP).unwrap();

    assert_eq!(lambda.invoke(&event), event);
    assert_eq!(emu.user(MARIA)["Role"], "READER", "provisioned: {}", lambda.log_text());
    assert!(emu.user(MARIA)["Arn"].as_str().unwrap().contains(":eu-west-1:"));
    // A second sign-up in the same process calls eu-west-1 straight away: no new refusal, no warning.
    let refused = emu.stats()["operations"]["RegisterUser"]["client_errors"]
        .as_u64()
        .unwrap_or(0)
        + emu.stats()["operations"]["DescribeUser"]["client_errors"]
            .as_u64()
            .unwrap_or(0);
    let mut other = event.clone();
    other["request"]["userAttributes"]["email"] = "tom.ng@example.com".into();
    other["request"]["userAttributes"]["sub"] = "0b3c1f6e-0000-4000-8000-000000000002".into();
    assert_eq!(lambda.invoke(&other), other);
    assert_eq!(emu.user_names().len(), 2);
    let refused_after = emu.stats()["operations"]["RegisterUser"]["client_errors"]
        .as_u64()
        .unwrap_or(0)
        + emu.stats()["operations"]["DescribeUser"]["client_errors"]
            .as_u64()
            .unwrap_or(0);
    assert_eq!(refused_after, refused, "the process stays in eu-west-1");
    assert_eq!(warnings_naming_the_variable(&lambda), 1, "{}", lambda.log_text());
}

#[test]
fn a_configured_identity_region_quicksight_contradicts_fails_naming_both() {
    let emu = Emulator::start(&["--identity-region", "eu-west-1"]);
    let env = cognito_env(
        &emu,
        &[
            ("QUICKSIGHT_IDENTITY_REGION", "us-east-1"),
            ("FAIL_SIGNUP_ON_ERROR", "true"),
        ],
    );
    let lambda = Lambda::start("cognito-signup", &env);
    let event: Value = serde_json::from_str(SIGN_UP).unwrap();

    let answer = lambda.invoke(&event);

    let message = answer["errorMessage"].as_str().unwrap_or_default();
    assert!(
        message.contains("eu-west-1") && message.contains("us-east-1"),
        "{answer}"
    );
    assert!(emu.user_names().is_empty());
    assert_eq!(warnings_naming_the_variable(&lambda), 0, "nothing is followed");
}

#[test]
fn qs_reconcile_follows_the_identity_region_too() {
    let emu = Emulator::start(&["--identity-region", "eu-west-1"]);
    let export = std::env::temp_dir().join(format!("qs-identity-region-{}.csv", std::process::id()));
    std::fs::write(&export, "email,external_login_id\nana@example.com,sub-ana\n").unwrap();
    let output = Command::new(bin("qs-reconcile"))
        .args([
            "--directory",
            export.to_str().unwrap(),
            "--provider-url",
            "https://idp.example.test",
            "--json",
        ])
        .env_clear()
        .envs(base_env(&emu.url))
        .env("EXTERNAL_LOGIN_PROVIDER", "CUSTOM_OIDC")
        .output()
        .expect("run qs-reconcile");
    let _ = std::fs::remove_file(&export);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["items"][0]["action"], "register", "{plan}");
    assert!(stderr.contains("QUICKSIGHT_IDENTITY_REGION"), "one warning: {stderr}");
}
