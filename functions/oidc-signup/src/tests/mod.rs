//! The handler in-process: a function-URL request in, the HTTP answer out; the provider's keys
//! preloaded, QuickSight mocked.

use aws_sdk_quicksight::Client as QuickSight;
use aws_sdk_quicksight::operation::register_user::RegisterUserOutput;
use aws_sdk_quicksight::types::User;
use aws_smithy_mocks::{Rule, mock};
use jsonwebtoken::jwk::JwkSet;
use lambda_runtime::LambdaEvent;
use qs_engine::Engine;
use qs_testing::oidc::{self, ISSUER, claims};
use qs_testing::{self as testing, mocked_client, quicksight_error};
use serde_json::{Value, json};

use super::{App, Verifier, handle, read_env};

mod embed;

fn token(claims: &Value) -> String {
    oidc::token("rsa-a", "rsa-a", claims)
}

fn app(rules: &[&Rule]) -> App {
    app_with(rules, &[])
}

fn app_with(rules: &[&Rule], extra: &[(&str, &str)]) -> App {
    let mut vars = testing::vars(&[("OIDC_ISSUER", ISSUER), ("OIDC_AUDIENCE", "qs-app")]);
    vars.extend_from_slice(extra);
    let (config, settings) = read_env(testing::lookup(&vars)).unwrap();
    let keys: JwkSet = serde_json::from_value(json!({ "keys": [oidc::jwk("rsa-a")] })).unwrap();
    // No JWKS URL is reachable: every key the tests use is preloaded.
    let verifier = Verifier::with_keys(
        ISSUER.into(),
        settings.audiences.clone(),
        Some("http://127.0.0.1:9/jwks".into()),
        keys,
    );
    let engine = Engine::new(mocked_client(rules), &config);
    App::new(config, settings, verifier, engine)
}

async fn call(app: &App, token: &str) -> (u64, Value) {
    let (status, body, _) = call_with_body(app, token, None).await;
    (status, body)
}

/// A function URL request with `body`: the status, the body as JSON, and the headers.
async fn call_with_body(app: &App, token: &str, body: Option<&str>) -> (u64, Value, Value) {
    let mut request = json!({ "headers": { "authorization": format!("Bearer {token}") } });
    if let Some(body) = body {
        request["body"] = json!(body);
    }
    let context = testing::lambda_context(std::time::Duration::from_secs(10));
    let answer = handle(app, LambdaEvent::new(request, context)).await.unwrap();
    (
        answer["statusCode"].as_u64().unwrap(),
        serde_json::from_str(answer["body"].as_str().unwrap()).unwrap(),
        answer["headers"].clone(),
    )
}

fn describe_missing() -> Rule {
    mock!(QuickSight::describe_user).then_http_response(|| quicksight_error(404, "ResourceNotFoundException"))
}

#[tokio::test]
async fn a_verified_token_registers_a_custom_oidc_user_with_the_issuer_as_provider() {
    let describe = describe_missing();
    let register = mock!(QuickSight::register_user)
        .match_requests(|r| {
            r.session_name() == Some("ana@example.com")
                && r.external_login_federation_provider_type() == Some("CUSTOM_OIDC")
                && r.custom_federation_provider_url() == Some(ISSUER)
                && r.external_login_id() == Some("user-123")
        })
        .then_output(|| {
            RegisterUserOutput::builder()
                .user(User::builder().arn("arn:ana").build())
                .build()
        });
    let app = app(&[&describe, &register]);

    let (status, body) = call(&app, &token(&claims())).await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["status"], "registered");
    assert_eq!(body["user_name"], "QuickSightFederated/ana@example.com");
}

#[tokio::test]
async fn each_failure_has_its_status_and_never_echoes_the_token() {
    let app = app(&[]);
    let mut expired = claims();
    expired["exp"] = json!(oidc::now() - 3600);
    let expired = token(&expired);
    let (status, body) = call(&app, &expired).await;
    assert_eq!((status, body["reason"].as_str()), (401, Some("token expired")));
    assert!(!body.to_string().contains(&expired));

    let mut unverified = claims();
    unverified["email_verified"] = json!("false");
    let (status, body) = call(&app, &token(&unverified)).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (400, Some("email_verified"))
    );

    let mut no_email = claims();
    no_email.as_object_mut().unwrap().remove("email");
    let (status, body) = call(&app, &token(&no_email)).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (400, Some("email")));
}

#[tokio::test]
async fn a_failing_quicksight_answers_503_retryable() {
    let describe =
        mock!(QuickSight::describe_user).then_http_response(|| quicksight_error(500, "InternalFailureException"));
    let app = app(&[&describe]);
    let (status, body) = call(&app, &token(&claims())).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["retryable"], true);
    assert_eq!(body["reason"], "quicksight_failed");
    assert!(
        body["detail"].as_str().unwrap().contains("InternalFailureException"),
        "{body}"
    );
    assert!(
        !body.to_string().contains("from the mock"),
        "no SDK text in the answer: {body}"
    );
}

#[test]
fn every_bad_variable_is_reported_at_once() {
    let errors = read_env(testing::lookup(&[("SESSION_NAME_SOURCE", "nickname")])).unwrap_err();
    let variables: Vec<&str> = errors.0.iter().map(|e| e.variable).collect();
    assert_eq!(
        variables,
        [
            "QUICKSIGHT_ACCOUNT_ID",
            "QUICKSIGHT_FEDERATED_ROLE_ARN",
            "OIDC_ISSUER",
            "OIDC_AUDIENCE",
            "SESSION_NAME_SOURCE"
        ]
    );
}

#[tokio::test]
async fn a_user_tied_to_another_identity_answers_409_and_is_not_moved() {
    let held = mock!(QuickSight::describe_user).then_output(|| {
        let user = testing::federated_user(
            "QuickSightFederated/ana@example.com",
            "ana@example.com",
            ISSUER,
            "the-first-sub",
        );
        aws_sdk_quicksight::operation::describe_user::DescribeUserOutput::builder()
            .user(user)
            .build()
    });
    // No UpdateUser rule: moving the login would break the sequence.
    let app = app(&[&held]);

    let (status, body) = call(&app, &token(&claims())).await;

    assert_eq!(status, 409, "{body}");
    assert_eq!(body["user_name"], "QuickSightFederated/ana@example.com");
    assert!(
        !body.to_string().contains("the-first-sub") && !body.to_string().contains("user-123"),
        "{body}"
    );
}
