//! The handler in-process: an SQS event in, the partial batch response out, QuickSight mocked.

use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::operation::register_user::RegisterUserOutput;
use aws_sdk_quicksight::types::User;
use aws_smithy_mocks::{Rule, mock};
use lambda_runtime::{Context, LambdaEvent};
use qs_engine::Engine;
use qs_engine::batch::BatchLimits;
use qs_testing::{self as testing, mocked_client, quicksight_error};

use super::{App, handle, read_env};

fn message(id: &str, body: &str) -> SqsMessage {
    let mut m = SqsMessage::default();
    m.message_id = Some(id.to_owned());
    m.body = Some(body.to_owned());
    m
}

/// A message of FIFO group `group`.
fn fifo(id: &str, group: &str, body: &str) -> SqsMessage {
    let mut m = message(id, body);
    m.attributes.insert("MessageGroupId".into(), group.into());
    m
}

fn statuses(response: &super::Response) -> Vec<String> {
    let json = serde_json::to_value(response).unwrap();
    let results = json["results"].as_array().unwrap().iter();
    results
        .map(|r| r["failure"]["reason"].as_str().unwrap_or("applied").to_owned())
        .collect()
}

/// A context whose invocation has `left` to run.
fn context(left: Duration) -> Context {
    let mut context = testing::lambda_context(left);
    context.request_id = "req-1".into();
    context
}

fn app(client: Client) -> App {
    app_with(client, &[])
}

fn app_with(client: Client, vars: &[(&str, &str)]) -> App {
    let config = testing::config(vars);
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

const DELETE_ANA: &str = r#"{"op":"delete","version":1,"email":"ana@example.com"}"#;

/// DescribeUser of ana, as a deletion starts with it (no ARN: no asset search follows).
fn ana_exists() -> Rule {
    mock!(Client::describe_user).then_output(|| {
        let user = User::builder().user_name("QuickSightFederated/ana@example.com").build();
        aws_sdk_quicksight::operation::describe_user::DescribeUserOutput::builder()
            .user(user)
            .build()
    })
}

#[tokio::test]
async fn an_invalid_message_fails_alone_and_does_not_hold_back_its_fifo_group() {
    let delete = mock!(Client::delete_user)
        .match_requests(|r| r.user_name() == Some("QuickSightFederated/ana@example.com"))
        .then_output(|| aws_sdk_quicksight::operation::delete_user::DeleteUserOutput::builder().build());
    let exists = ana_exists();
    let app = app(mocked_client(&[&exists, &delete]));
    let mut event = SqsEvent::default();
    event.records = vec![
        fifo(
            "m-1",
            "ana@example.com",
            r#"{"op":"delete","version":1,"emial":"ana@example.com"}"#,
        ),
        // Not one of this deployment's users: refused like any invalid message.
        fifo(
            "m-2",
            "ana@example.com",
            r#"{"op":"delete","version":1,"user_name":"ana@example.com"}"#,
        ),
        fifo("m-3", "ana@example.com", DELETE_ANA),
    ];

    let response = handle(&app, LambdaEvent::new(event, context(Duration::from_secs(30))))
        .await
        .unwrap();

    assert_eq!(statuses(&response), ["invalid", "invalid", "applied"]);
    assert_eq!(delete.num_calls(), 1);
}

#[tokio::test]
async fn a_refused_downgrade_fails_alone_and_does_not_hold_back_its_fifo_group() {
    let author = mock!(Client::describe_user).then_output(|| {
        let user = User::builder()
            .user_name("QuickSightFederated/ana@example.com")
            .email("ana@example.com");
        let user = user.role(aws_sdk_quicksight::types::UserRole::Author).build();
        aws_sdk_quicksight::operation::describe_user::DescribeUserOutput::builder()
            .user(user)
            .build()
    });
    let delete = mock!(Client::delete_user)
        .then_output(|| aws_sdk_quicksight::operation::delete_user::DeleteUserOutput::builder().build());
    let exists = ana_exists();
    let app = app_with(
        mocked_client(&[&author, &exists, &delete]),
        &[("ROLE_DOWNGRADE", "fail")],
    );
    let mut event = SqsEvent::default();
    event.records = vec![
        fifo(
            "m-1",
            "ana@example.com",
            r#"{"op":"upsert","version":1,"email":"ana@example.com","role":"READER"}"#,
        ),
        fifo("m-2", "ana@example.com", DELETE_ANA),
    ];

    let response = handle(&app, LambdaEvent::new(event, context(Duration::from_secs(30))))
        .await
        .unwrap();

    assert_eq!(statuses(&response), ["refused", "applied"]);
    let json = serde_json::to_value(&response).unwrap();
    let message = json["results"][0]["failure"]["message"].as_str().unwrap();
    assert!(message.contains("AUTHOR to READER"), "{message}");
}

#[tokio::test]
async fn a_quicksight_failure_still_holds_back_the_rest_of_its_fifo_group() {
    let fails = mock!(Client::describe_user).then_http_response(|| quicksight_error(500, "InternalFailureException"));
    let app = app(mocked_client(&[&fails]));
    let mut event = SqsEvent::default();
    event.records = vec![
        fifo("m-1", "ana@example.com", DELETE_ANA),
        fifo("m-2", "ana@example.com", DELETE_ANA),
    ];

    let response = handle(&app, LambdaEvent::new(event, context(Duration::from_secs(30))))
        .await
        .unwrap();

    assert_eq!(statuses(&response), ["quicksight", "earlier_in_group_failed"]);
}

#[tokio::test]
async fn a_record_without_a_message_id_fails_the_whole_invocation() {
    let app = app(mocked_client(&[]));
    let mut event = SqsEvent::default();
    let mut anonymous = message("", DELETE_ANA);
    anonymous.message_id = None;
    event.records = vec![message("m-1", DELETE_ANA), anonymous];

    let error = handle(&app, LambdaEvent::new(event, context(Duration::from_secs(30))))
        .await
        .unwrap_err();

    assert!(error.to_string().contains("no messageId"), "{error}");
}

#[test]
fn every_bad_variable_is_reported_at_once_with_the_shared_ones() {
    let vars = [
        ("MAX_CONCURRENCY", "0"),
        ("START_MARGIN_MS", "soon"),
        ("QUICKSIGHT_ACCOUNT_ID", "1"),
    ];
    let env = qs_model::config::EnvReader::new(testing::lookup(&vars));
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
