//! The handler in-process: an SQS event in, the partial batch response out, QuickSight mocked.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::operation::register_user::RegisterUserOutput;
use aws_sdk_quicksight::types::User;
use aws_smithy_mocks::mock;
use lambda_runtime::{Context, LambdaEvent};
use qs_provision::batch::BatchLimits;
use qs_provision::engine::Engine;
use qs_provision::testing::{self, mocked_client, quicksight_error};

use super::{App, handle, read_env};

fn message(id: &str, body: &str) -> SqsMessage {
    let mut m = SqsMessage::default();
    m.message_id = Some(id.to_owned());
    m.body = Some(body.to_owned());
    m
}

/// A context whose invocation has `left` to run.
fn context(left: Duration) -> Context {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    let mut context = Context::default();
    context.request_id = "req-1".into();
    context.deadline = (now + left).as_millis() as u64;
    context
}

fn app(client: Client) -> App {
    let config = testing::config(&[]);
    App::new(config.clone(), Engine::new(client, &config), BatchLimits::default())
}

#[tokio::test]
async fn only_the_invalid_message_is_reported_back_to_the_queue() {
    let describe = mock!(Client::describe_user)
        .match_requests(|r| r.user_name() == Some("QuickSightFederated/ana@example.com"))
        .then_http_response(|| quicksight_error(404, "ResourceNotFoundException"));
    let register = mock!(Client::register_user)
        .match_requests(|r| r.session_name() == Some("ana@example.com"))
        .then_output(|| {
            RegisterUserOutput::builder()
                .user(User::builder().arn("arn:ana").build())
                .build()
        });
    let app = app(mocked_client(&[&describe, &register]));
    let mut event = SqsEvent::default();
    event.records = vec![
        message("m-1", r#"{"op":"upsert","version":1,"email":"ana@example.com"}"#),
        message("m-2", r#"{"op":"upsert","version":1,"emial":"bo@example.com"}"#),
    ];

    let response = handle(&app, LambdaEvent::new(event, context(Duration::from_secs(30))))
        .await
        .unwrap();

    let failed: Vec<&str> = response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect();
    assert_eq!(failed, ["m-2"]);
    let json = serde_json::to_value(&response).unwrap();
    assert_eq!(json["results"][0]["status"], "applied");
    assert_eq!(json["results"][0]["outcome"]["user"]["status"], "registered");
    assert_eq!(json["results"][1]["failure"]["reason"], "invalid");
    assert_eq!(json["results"][1]["failure"]["errors"][0]["field"], "message");
}

#[tokio::test]
async fn with_too_little_time_left_nothing_is_started_and_everything_returns() {
    let app = app(mocked_client(&[]));
    let mut event = SqsEvent::default();
    event.records = vec![message(
        "m-1",
        r#"{"op":"delete","version":1,"email":"ana@example.com"}"#,
    )];

    let response = handle(&app, LambdaEvent::new(event, context(Duration::from_millis(500))))
        .await
        .unwrap();

    assert_eq!(response.batch_item_failures.len(), 1);
    assert_eq!(
        serde_json::to_value(&response).unwrap()["results"][0]["failure"]["reason"],
        "deadline_near"
    );
}

#[test]
fn every_bad_variable_is_reported_at_once_with_the_shared_ones() {
    let vars = [
        ("MAX_CONCURRENCY", "0"),
        ("START_MARGIN_MS", "soon"),
        ("QUICKSIGHT_ACCOUNT_ID", "1"),
    ];
    let env = qs_provision::config::EnvReader::new(testing::lookup(&vars));
    let errors = read_env(env).unwrap_err();
    let variables: Vec<&str> = errors.0.iter().map(|e| e.variable).collect();
    assert_eq!(
        variables,
        [
            "QUICKSIGHT_ACCOUNT_ID",
            "QUICKSIGHT_FEDERATED_ROLE_ARN",
            "MAX_CONCURRENCY",
            "START_MARGIN_MS"
        ]
    );
}
