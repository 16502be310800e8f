//! `build_client` takes its endpoint from the SDK's own configuration: `AWS_ENDPOINT_URL_QUICKSIGHT`
//! points it at quicksight-local with no code of ours. (Its own test binary: it sets process env.)

use std::time::Duration;

use qs_provision::config::Config;
use qs_provision::engine::{Engine, UserChange, build_client, load_sdk_config};
use qs_provision::testing::user_spec;
use qs_provision::validate::{ExternalLogin, UserRole};
use qs_provision_tests::{ACCOUNT, Emulator, ROLE_ARN};

#[tokio::test]
async fn aws_endpoint_url_quicksight_points_the_client_at_the_emulator() {
    let emu = Emulator::start(&[]);
    // SAFETY: this test binary has this one test, and sets the environment before any thread reads it.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("AWS_ENDPOINT_URL_QUICKSIGHT", &emu.url);
        std::env::set_var("AWS_ACCESS_KEY_ID", "AKIDLOCAL");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "local-secret");
        std::env::set_var("AWS_REGION", "eu-central-1");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        std::env::set_var("QUICKSIGHT_ACCOUNT_ID", ACCOUNT);
        std::env::set_var("QUICKSIGHT_FEDERATED_ROLE_ARN", ROLE_ARN);
    }
    let config = Config::from_env().unwrap();
    let engine = Engine::new(build_client(&load_sdk_config(&config).await, &config), &config);
    let spec = user_spec("env@example.com", UserRole::Reader, ExternalLogin::None);

    let outcome = engine
        .register_or_update(&spec, tokio::time::Instant::now() + Duration::from_secs(20))
        .await
        .unwrap();

    assert_eq!(outcome.user, UserChange::Registered);
    assert!(
        outcome
            .arn
            .unwrap()
            .starts_with("arn:aws:quicksight:eu-central-1:123456789012:user/default/")
    );
    assert_eq!(emu.requests("RegisterUser"), 1);
}
