//! `build_client` takes its endpoint from the SDK's own configuration: `AWS_ENDPOINT_URL_QUICKSIGHT`
//! points it at quicksight-local with no code of ours. The client reads the process environment,
//! which tests running in parallel must not change: the check runs in a child process of this test
//! binary, given its environment at start.

use std::process::Command;
use std::time::Duration;

use qs_engine::{Engine, UserChange, build_client, load_sdk_config};
use qs_model::config::Config;
use qs_model::validate::{ExternalLogin, UserRole};
use qs_provision_tests::{ACCOUNT, Emulator, ROLE_ARN};
use qs_testing::user_spec;

/// Set only in the child process, to the emulator's URL.
const CHILD: &str = "QS_PROVISION_SDK_ENDPOINT_CHILD";

#[test]
fn aws_endpoint_url_quicksight_points_the_client_at_the_emulator() {
    let emu = Emulator::start(&[]);
    let child = Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--exact", "sdk_endpoint::in_a_child_process", "--nocapture"])
        .env(CHILD, &emu.url)
        .env("AWS_ENDPOINT_URL_QUICKSIGHT", &emu.url)
        .env("AWS_ACCESS_KEY_ID", "AKIDLOCAL")
        .env("AWS_SECRET_ACCESS_KEY", "local-secret")
        .env("AWS_REGION", "eu-central-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("QUICKSIGHT_ACCOUNT_ID", ACCOUNT)
        .env("QUICKSIGHT_FEDERATED_ROLE_ARN", ROLE_ARN)
        .output()
        .expect("run the child");
    let output = String::from_utf8_lossy(&child.stdout);
    assert!(child.status.success(), "{output}");
    assert!(output.contains("1 passed"), "the child ran the check: {output}");
    assert_eq!(emu.requests("RegisterUser"), 1);
}

/// The check itself; does nothing unless run as the child of the test above.
#[tokio::test]
async fn in_a_child_process() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let config = Config::from_env().unwrap();
    let engine = Engine::new(build_client(&load_sdk_config(&config).await.unwrap(), &config), &config);
    let spec = user_spec("env@example.com", UserRole::Reader, ExternalLogin::None);

    let outcome = engine
        .register_or_update(
            &config.home(None).unwrap(),
            &spec,
            tokio::time::Instant::now() + Duration::from_secs(20),
        )
        .await
        .unwrap();

    assert_eq!(outcome.user, UserChange::Registered);
    assert!(
        outcome
            .arn
            .unwrap()
            .starts_with("arn:aws:quicksight:eu-central-1:123456789012:user/default/")
    );
}
