//! Embed URLs with every login: each experience as QuickSight receives it, the dashboard
//! allowlist, the error mapping, and a URL that appears in the answer only, never in a log line.

use std::cell::RefCell;
use std::io::Write;
use std::sync::Once;

use aws_sdk_quicksight::Client as QuickSight;
use aws_sdk_quicksight::operation::describe_user::DescribeUserOutput;
use aws_sdk_quicksight::operation::generate_embed_url_for_registered_user::GenerateEmbedUrlForRegisteredUserInput as EmbedInput;
use aws_sdk_quicksight::operation::register_user::RegisterUserOutput;
use aws_sdk_quicksight::types::User;
use aws_smithy_mocks::{Rule, mock};
use qs_testing::oidc::{ISSUER, claims};
use qs_testing::{self as testing, quicksight_error};
use serde_json::{Value, json};
use tracing::level_filters::LevelFilter;

use super::{app_with, call_with_body, describe_missing, token};

const ANA: &str = "QuickSightFederated/ana@example.com";
const ARN: &str = "arn:aws:quicksight:us-east-1:123456789012:user/default/QuickSightFederated/ana@example.com";
const URL: &str = "https://us-east-1.quicksight.aws.amazon.com/embed/4f1c2b/dashboards/sales?code=secret-code";

/// Ana as DescribeUser returns her once registered: exactly what the token says, so unchanged.
fn returning() -> Rule {
    mock!(QuickSight::describe_user).then_output(|| {
        let mut user = testing::federated_user(ANA, "ana@example.com", ISSUER, "user-123");
        user.arn = Some(ARN.into());
        DescribeUserOutput::builder().user(user).build()
    })
}

/// GenerateEmbedUrlForRegisteredUser answering the URL, for requests `matches` accepts.
fn embed_answering(matches: impl Fn(&EmbedInput) -> bool + Send + Sync + 'static) -> Rule {
    mock!(QuickSight::generate_embed_url_for_registered_user)
        .match_requests(move |r| r.user_arn() == Some(ARN) && matches(r))
        .then_http_response(|| {
            let body = json!({ "EmbedUrl": URL, "RequestId": "r-2" }).to_string();
            let mut response = aws_smithy_runtime_api::http::Response::new(200.try_into().unwrap(), body.into());
            response.headers_mut().insert("content-type", "application/json");
            response
        })
}

fn embedding(experience: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("EMBED_EXPERIENCE", experience),
        ("EMBED_DASHBOARD_IDS", "finance"),
        ("EMBED_ALLOWED_DOMAINS", "https://app.example.com,https://*.example.org"),
        ("EMBED_SESSION_MINUTES", "60"),
    ]
}

#[tokio::test]
async fn a_returning_login_costs_a_describe_and_the_embed_call_for_each_experience() {
    type Check = fn(&EmbedInput) -> bool;
    let cases: [(&str, Option<&str>, Check); 6] = [
        ("dashboard:sales", None, |r| {
            let e = r.experience_configuration().unwrap();
            e.dashboard().map(|d| d.initial_dashboard_id()) == Some("sales") && e.quick_sight_console().is_none()
        }),
        ("dashboard:sales", Some(r#"{"dashboard_id": "finance"}"#), |r| {
            r.experience_configuration()
                .unwrap()
                .dashboard()
                .map(|d| d.initial_dashboard_id())
                == Some("finance")
        }),
        ("console:/start/analyses", None, |r| {
            let console = r.experience_configuration().unwrap().quick_sight_console();
            console.and_then(|c| c.initial_path()) == Some("/start/analyses")
        }),
        ("q-search-bar:topic-1", None, |r| {
            let bar = r.experience_configuration().unwrap().q_search_bar();
            bar.and_then(|b| b.initial_topic_id()) == Some("topic-1")
        }),
        ("generative-qna", None, |r| {
            let qna = r.experience_configuration().unwrap().generative_qn_a();
            qna.is_some_and(|q| q.initial_topic_id().is_none())
        }),
        // A dashboard asked for with a console deployment opens that dashboard.
        ("console", Some(r#"{"dashboard_id": "finance"}"#), |r| {
            r.experience_configuration()
                .unwrap()
                .dashboard()
                .map(|d| d.initial_dashboard_id())
                == Some("finance")
        }),
    ];
    for (experience, body, check) in cases {
        let describe = returning();
        let embed = embed_answering(move |r| {
            check(r)
                && r.session_lifetime_in_minutes() == Some(60)
                && r.allowed_domains() == ["https://app.example.com", "https://*.example.org"]
        });
        // No RegisterUser or UpdateUser rule: a mutating call would find no answer.
        let app = app_with(&[&describe, &embed], &embedding(experience));

        let (status, answer, headers) = call_with_body(&app, &token(&claims()), body).await;

        assert_eq!(status, 200, "{experience} {body:?}: {answer}");
        assert_eq!(answer["user"]["status"], "unchanged");
        assert_eq!(answer["embed_url"], URL);
        let expires = answer["embed_url_expires_at"].as_str().unwrap();
        assert!(expires.len() == 20 && expires.ends_with('Z'), "RFC 3339: {expires}");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!((describe.num_calls(), embed.num_calls()), (1, 1), "{experience}");
    }
}

#[tokio::test]
async fn a_dashboard_outside_the_allowlist_or_a_bad_body_is_refused_before_any_call() {
    let cases = [
        (
            &embedding("dashboard:sales")[..],
            r#"{"dashboard_id": "payroll"}"#,
            "dashboard_id",
            "payroll",
        ),
        (
            &embedding("dashboard:sales")[..],
            r#"{"dashboard_id": 7}"#,
            "dashboard_id",
            "7",
        ),
        (&embedding("dashboard:sales")[..], "not json", "body", "not json"),
        (&[][..], r#"{"dashboard_id": "sales"}"#, "dashboard_id", "sales"),
    ];
    for (settings, body, field, value) in cases {
        let app = app_with(&[], settings);
        let (status, answer, _) = call_with_body(&app, &token(&claims()), Some(body)).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["errors"][0]["field"], field, "{answer}");
        assert_eq!(answer["errors"][0]["value"], value, "{answer}");
    }
}

#[tokio::test]
async fn a_new_user_not_visible_to_the_embed_call_yet_is_retried() {
    let describe = describe_missing();
    let register = mock!(QuickSight::register_user).then_output(|| {
        RegisterUserOutput::builder()
            .user(User::builder().arn(ARN).build())
            .build()
    });
    let not_yet = mock!(QuickSight::generate_embed_url_for_registered_user)
        .then_http_response(|| quicksight_error(404, "QuickSightUserNotFoundException"));
    let embed = embed_answering(|_| true);
    let app = app_with(&[&describe, &register, &not_yet, &embed], &embedding("dashboard:sales"));

    let (status, answer, _) = call_with_body(&app, &token(&claims()), None).await;

    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["user"]["status"], "registered");
    assert_eq!(answer["embed_url"], URL);
    assert_eq!((not_yet.num_calls(), embed.num_calls()), (1, 1));
}

#[tokio::test]
async fn an_embed_failure_says_the_user_is_provisioned_and_why_the_url_is_not() {
    let cases = [
        (
            403,
            "UnsupportedPricingPlanException",
            false,
            "UnsupportedPricingPlanException",
        ),
        (
            403,
            "UnsupportedUserEditionException",
            false,
            "UnsupportedUserEditionException",
        ),
        (404, "ResourceNotFoundException", false, "does not exist"),
        (429, "ThrottlingException", true, "retry"),
        // A returning user QuickSight does not know is not retried: it is no consistency delay.
        (404, "QuickSightUserNotFoundException", false, "refused"),
    ];
    for (status_code, code, transient, cause) in cases {
        let describe = returning();
        let embed = mock!(QuickSight::generate_embed_url_for_registered_user)
            .then_http_response(move || quicksight_error(status_code, code));
        let app = app_with(&[&describe, &embed], &embedding("dashboard:sales"));

        let (status, answer, headers) = call_with_body(&app, &token(&claims()), None).await;

        assert_eq!(status, 503, "{code}: {answer}");
        assert_eq!(answer["reason"], "embed_unavailable");
        assert_eq!(answer["user_name"], ANA, "the answer says who is provisioned");
        assert_eq!(answer["user"]["status"], "unchanged");
        assert_eq!(answer["retryable"], transient, "{code}");
        assert!(answer["cause"].as_str().unwrap().contains(cause), "{code}: {answer}");
        assert_eq!(headers.get("retry-after").is_some(), transient, "{code}: {headers}");
        assert!(answer.get("embed_url").is_none());
        assert!(!answer.to_string().contains("from the mock"), "no SDK text: {answer}");
    }
}

thread_local! {
    /// What the process-wide test logger wrote on this thread.
    static CAPTURED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Appends to the writing thread's [`CAPTURED`].
struct ThisThread;

impl Write for ThisThread {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        CAPTURED.with(|c| c.borrow_mut().extend_from_slice(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The functions' logger at TRACE, for the whole test process, each thread's lines kept apart. A
/// per-test (scoped) logger would miss lines whose call site another thread saw first.
fn log_everything() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        let subscriber = qs_observe::logging::subscriber(LevelFilter::TRACE, || ThisThread);
        tracing::subscriber::set_global_default(subscriber).expect("the only global logger");
    });
    CAPTURED.with(|c| c.borrow_mut().clear());
}

#[tokio::test]
async fn the_url_is_in_the_answer_and_in_no_log_line_at_any_level() {
    log_everything();
    let describe = returning();
    let embed = embed_answering(|_| true);
    let app = app_with(&[&describe, &embed], &embedding("dashboard:sales"));

    let (status, answer, _) = call_with_body(&app, &token(&claims()), None).await;

    assert_eq!((status, answer["embed_url"].as_str()), (200, Some(URL)));
    let logs = CAPTURED.with(|c| String::from_utf8(c.borrow().clone()).unwrap());
    let lines: Vec<Value> = logs.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "user provisioned" && l["embed_url_issued"] == true),
        "the login is logged: {logs}"
    );
    assert!(!logs.contains("secret-code") && !logs.contains("/embed/"), "{logs}");
}
