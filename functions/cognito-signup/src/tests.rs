//! The trigger in-process: a PostConfirmation event in, Cognito's answer out; QuickSight and SQS
//! mocked.

use aws_sdk_quicksight::Client as QuickSight;
use aws_sdk_quicksight::operation::register_user::RegisterUserOutput;
use aws_sdk_quicksight::types::User;
use aws_sdk_sqs::Client as Sqs;
use aws_sdk_sqs::operation::send_message::SendMessageOutput;
use aws_smithy_mocks::{Rule, RuleMode, mock};
use lambda_runtime::LambdaEvent;
use qs_engine::{Engine, FirstCall};
use qs_model::config::EnvReader;
use qs_testing::{self as testing, mocked_client, quicksight_error};
use serde_json::{Value, json};

use super::{App, handle, read_env};

const QUEUE: &str = "https://sqs.eu-west-1.amazonaws.com/123456789012/qs-provision-bulk";

fn sqs(rules: &[&Rule]) -> Sqs {
    testing::mocked_sqs(rules, RuleMode::Sequential)
}

fn app(vars: &[(&str, &str)], quicksight: QuickSight, sqs: Sqs) -> App {
    let mut all = vec![("EXTERNAL_LOGIN_PROVIDER", "CUSTOM_OIDC")];
    all.extend_from_slice(vars);
    let (config, settings) = read_env(EnvReader::new(testing::lookup(&testing::vars(&all)))).unwrap();
    let engine = Engine::new(quicksight, &config).with_first_call(FirstCall::Register);
    App::new(config, settings, engine, move || sqs)
}

fn signup() -> Value {
    json!({
        "version": "1", "region": "eu-west-1", "userPoolId": "eu-west-1_Ab12Cd34E", "userName": "u-1",
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "request": { "userAttributes": { "sub": "sub-1", "email": "ana@example.com", "email_verified": "true" } },
        "response": {}
    })
}

fn event(payload: Value) -> LambdaEvent<Value> {
    LambdaEvent::new(payload, testing::lambda_context(std::time::Duration::from_secs(5)))
}

fn register_fails() -> Rule {
    mock!(QuickSight::register_user).then_http_response(|| quicksight_error(500, "InternalFailureException"))
}

#[tokio::test]
async fn a_sign_up_registers_the_user_with_the_pool_as_provider_and_returns_the_event() {
    let register = mock!(QuickSight::register_user)
        .match_requests(|r| {
            r.session_name() == Some("ana@example.com")
                && r.external_login_id() == Some("sub-1")
                && r.custom_federation_provider_url()
                    == Some("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E")
        })
        .then_output(|| {
            RegisterUserOutput::builder()
                .user(User::builder().arn("arn:ana").build())
                .build()
        });
    let app = app(&[], mocked_client(&[&register]), sqs(&[]));

    assert_eq!(handle(&app, event(signup())).await.unwrap(), signup());
    assert_eq!(register.num_calls(), 1);
}

#[tokio::test]
async fn when_quicksight_fails_the_change_is_queued_and_the_sign_up_succeeds() {
    let register = register_fails();
    let send = mock!(Sqs::send_message)
        .match_requests(|r| {
            r.queue_url() == Some(QUEUE)
                && r.message_body()
                    .is_some_and(|b| b.contains(r#""op":"upsert""#) && b.contains("ana@example.com"))
        })
        .then_output(|| SendMessageOutput::builder().message_id("msg-1").build());
    let app = app(
        &[("RETRY_QUEUE_URL", QUEUE)],
        mocked_client(&[&register]),
        sqs(&[&send]),
    );

    assert_eq!(handle(&app, event(signup())).await.unwrap(), signup());
    assert_eq!(send.num_calls(), 1);
}

#[tokio::test]
async fn only_quicksight_and_the_queue_failing_together_fail_the_sign_up_and_only_when_asked() {
    let register = register_fails();
    let app_that_fails = app(
        &[("FAIL_SIGNUP_ON_ERROR", "true")],
        mocked_client(&[&register]),
        sqs(&[]),
    );
    let error = handle(&app_that_fails, event(signup())).await.unwrap_err();
    assert_eq!(error.error_type, "NotProvisionedNorQueued");
    assert!(
        error.error_message.contains("RETRY_QUEUE_URL is not set"),
        "{}",
        error.error_message
    );
    // Cognito shows this to the app: QuickSight's code and the request id, not the SDK's words.
    assert!(
        error.error_message.contains("InternalFailureException")
            && error.error_message.contains("request id")
            && !error.error_message.contains("from the mock"),
        "{}",
        error.error_message
    );

    let register = register_fails();
    let app_that_keeps_going = app(&[], mocked_client(&[&register]), sqs(&[]));
    assert_eq!(handle(&app_that_keeps_going, event(signup())).await.unwrap(), signup());
}

#[tokio::test]
async fn malformed_events_and_other_triggers_go_back_unchanged_without_a_call() {
    // No rules: any QuickSight or SQS call would fail the test.
    let app = app(&[], mocked_client(&[]), sqs(&[]));
    let mut no_pool = signup();
    no_pool.as_object_mut().unwrap().remove("userPoolId");
    assert_eq!(handle(&app, event(no_pool.clone())).await.unwrap(), no_pool);
    let result = super::event::provision(&app, &no_pool, 0, "req-1").await;
    assert!(
        matches!(result, Err(super::TriggerError::MalformedEvent(ref m)) if m.contains("userPoolId")),
        "{result:?}"
    );

    let mut forgot = signup();
    forgot["triggerSource"] = json!("PostConfirmation_ConfirmForgotPassword");
    assert_eq!(handle(&app, event(forgot.clone())).await.unwrap(), forgot);
}

#[test]
fn every_bad_variable_is_reported_at_once() {
    let vars = [
        ("SESSION_NAME_SOURCE", "name"),
        ("SIGNUP_BUDGET_MS", "9000"),
        ("DRY_RUN", "maybe"),
    ];
    let errors = read_env(EnvReader::new(testing::lookup(&testing::vars(&vars)))).unwrap_err();
    let variables: Vec<&str> = errors.0.iter().map(|e| e.variable).collect();
    assert_eq!(variables, ["DRY_RUN", "SESSION_NAME_SOURCE", "SIGNUP_BUDGET_MS"]);
}

#[tokio::test]
async fn a_sign_up_for_a_user_tied_to_another_login_is_refused_and_not_queued() {
    let held_by_another = || {
        let exists =
            mock!(QuickSight::register_user).then_http_response(|| quicksight_error(409, "ResourceExistsException"));
        let held = mock!(QuickSight::describe_user).then_output(|| {
            let user = testing::federated_user(
                "QuickSightFederated/ana@example.com",
                "ana@example.com",
                "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E",
                "an-older-sub",
            );
            aws_sdk_quicksight::operation::describe_user::DescribeUserOutput::builder()
                .user(user)
                .build()
        });
        // No SQS rule: queueing the refused change would fail the test.
        app(
            &[("RETRY_QUEUE_URL", QUEUE)],
            mocked_client(&[&exists, &held]),
            sqs(&[]),
        )
    };

    assert_eq!(handle(&held_by_another(), event(signup())).await.unwrap(), signup());
    let result = super::event::provision(&held_by_another(), &signup(), 0, "req-1").await;
    assert!(matches!(result, Err(super::TriggerError::Refused(_))), "{result:?}");
}

#[tokio::test]
async fn in_an_identity_center_account_the_sign_up_goes_through_with_no_quicksight_write() {
    // The mock answers the account read only: any other call would fail the test.
    let account = testing::account_signs_in("IAM_IDENTITY_CENTER");
    let (config, settings) = read_env(EnvReader::new(testing::lookup(&testing::vars(&[])))).unwrap();
    let engine = Engine::new(mocked_client(&[&account]), &config).read_account().await;
    let app = App::new(config, settings, engine, || sqs(&[]));

    assert!(app.directory_account.is_some());
    assert_eq!(handle(&app, event(signup())).await.unwrap(), signup());
    assert_eq!(account.num_calls(), 1);
}
