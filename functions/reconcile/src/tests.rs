//! The scheduled run in-process: Cognito, QuickSight and SQS mocked.

use aws_sdk_cognitoidentityprovider::Client as Cognito;
use aws_sdk_cognitoidentityprovider::operation::list_users::ListUsersOutput;
use aws_sdk_cognitoidentityprovider::types::{AttributeType, UserStatusType, UserType};
use aws_sdk_quicksight::Client as QuickSight;
use aws_sdk_quicksight::operation::list_groups::ListGroupsOutput;
use aws_sdk_quicksight::operation::list_users::ListUsersOutput as QsListUsersOutput;
use aws_sdk_sqs::Client as Sqs;
use aws_sdk_sqs::operation::send_message_batch::SendMessageBatchOutput;
use aws_sdk_sqs::types::SendMessageBatchResultEntry;
use aws_smithy_mocks::{Rule, RuleMode, mock};
use lambda_runtime::{Context, LambdaEvent};
use qs_model::config::EnvReader;
use qs_reconciler::Reconciler;
use qs_testing::{self as testing, mocked_client, mocked_cognito, mocked_sqs};
use serde_json::json;

use super::{App, handle, read_env};

const QUEUE: &str = "https://sqs.eu-west-1.amazonaws.com/123456789012/qs-provision-bulk.fifo";

fn app(cognito: Cognito, quicksight: QuickSight, sqs: Sqs) -> App {
    let vars = testing::vars(&[
        ("EXTERNAL_LOGIN_PROVIDER", "CUSTOM_OIDC"),
        ("USER_POOL_ID", "eu-west-1_Ab12Cd34E"),
        ("BULK_QUEUE_URL", QUEUE),
    ]);
    let (config, options, source, queue_url) = read_env(EnvReader::new(testing::lookup(&vars))).unwrap();
    App {
        reconciler: Reconciler::new(
            config,
            options,
            source,
            qs_engine::RegionalClient::fixed(quicksight),
            Some(cognito),
        ),
        sqs,
        queue_url,
    }
}

fn pool_user(sub: &str, email: &str, enabled: bool) -> UserType {
    let attribute = |n: &str, v: &str| AttributeType::builder().name(n).value(v).build().unwrap();
    UserType::builder()
        .username(sub)
        .enabled(enabled)
        .user_status(UserStatusType::Confirmed)
        .attributes(attribute("sub", sub))
        .attributes(attribute("email", email))
        .build()
}

fn empty_quicksight() -> [Rule; 3] {
    [
        testing::account_signs_in("IAM_AND_QUICKSIGHT"),
        mock!(QuickSight::list_users).then_output(|| QsListUsersOutput::builder().set_user_list(Some(vec![])).build()),
        mock!(QuickSight::list_groups).then_output(|| ListGroupsOutput::builder().set_group_list(Some(vec![])).build()),
    ]
}

#[tokio::test]
async fn a_run_sends_the_active_pool_users_to_the_queue_in_their_fifo_groups() {
    let list = mock!(Cognito::list_users).then_output(|| {
        ListUsersOutput::builder()
            .users(pool_user("s-1", "ana@example.com", true))
            .users(pool_user("s-2", "bo@example.com", false))
            .build()
    });
    let [account, users, groups] = empty_quicksight();
    let send = mock!(Sqs::send_message_batch)
        .match_requests(|r| {
            r.entries().len() == 1
                && r.entries()[0].message_group_id() == Some("ana@example.com")
                && r.entries()[0].message_body().contains(r#""external_login_id":"s-1""#)
        })
        .then_output(|| {
            let entry = SendMessageBatchResultEntry::builder()
                .id("0")
                .message_id("m-1")
                .md5_of_message_body("x")
                .build()
                .unwrap();
            SendMessageBatchOutput::builder()
                .successful(entry)
                .set_failed(Some(vec![]))
                .build()
                .unwrap()
        });
    let app = app(
        mocked_cognito(&[&list]),
        mocked_client(&[&account, &users, &groups]),
        mocked_sqs(&[&send], RuleMode::Sequential),
    );

    let answer = handle(&app, LambdaEvent::new(json!({}), Context::default()))
        .await
        .unwrap();

    assert_eq!(answer["sent"], 1);
    assert_eq!(answer["summary"]["register"], 1);
    assert_eq!(
        answer["summary"]["active_users"], 1,
        "the disabled user counts as absent"
    );
    assert_eq!(send.num_calls(), 1);
}

#[tokio::test]
async fn a_failed_pool_read_fails_the_run_and_sends_no_deletion() {
    let list = mock!(Cognito::list_users).then_http_response(|| {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(400).unwrap(),
            aws_smithy_types::body::SdkBody::from(r#"{"__type":"ResourceNotFoundException","message":"no pool"}"#),
        )
    });
    let [account, users, groups] = empty_quicksight();
    let app = app(
        mocked_cognito(&[&list]),
        mocked_client(&[&account, &users, &groups]),
        mocked_sqs(&[], RuleMode::Sequential),
    );

    let error = handle(&app, LambdaEvent::new(json!({}), Context::default()))
        .await
        .unwrap_err();

    assert_eq!(error.error_type, "DeletionsHeld");
    assert!(
        error.error_message.contains("ResourceNotFoundException: no pool"),
        "{}",
        error.error_message
    );
}
