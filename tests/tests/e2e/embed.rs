//! GenerateEmbedUrlForRegisteredUser in quicksight-local, through aws-sdk-quicksight: the model's
//! validation, and URLs that redeem once, within their validity.

use std::time::Duration;

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::error::ProvideErrorMetadata;
use aws_sdk_quicksight::types::{
    IdentityType, RegisteredUserDashboardEmbeddingConfiguration,
    RegisteredUserEmbeddingExperienceConfiguration as Experience, RegisteredUserGenerativeQnAEmbeddingConfiguration,
    RegisteredUserQSearchBarEmbeddingConfiguration, RegisteredUserQuickSightConsoleEmbeddingConfiguration, UserRole,
};
use qs_provision_tests::{ACCOUNT, Emulator, ROLE_ARN};

async fn register(qs: &Client, session: &str) -> String {
    let user = qs
        .register_user()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .identity_type(IdentityType::Iam)
        .iam_arn(ROLE_ARN)
        .session_name(session)
        .email(format!("{session}@example.com"))
        .user_role(UserRole::Reader)
        .send()
        .await
        .unwrap();
    user.user.unwrap().arn.unwrap()
}

fn dashboard(id: &str) -> Experience {
    Experience::builder()
        .dashboard(
            RegisteredUserDashboardEmbeddingConfiguration::builder()
                .initial_dashboard_id(id)
                .build()
                .unwrap(),
        )
        .build()
}

/// The URL, or the error's code.
async fn embed(
    qs: &Client,
    arn: &str,
    experience: Experience,
    minutes: Option<i64>,
    domains: &[&str],
) -> Result<String, String> {
    qs.generate_embed_url_for_registered_user()
        .aws_account_id(ACCOUNT)
        .user_arn(arn)
        .experience_configuration(experience)
        .set_session_lifetime_in_minutes(minutes)
        .set_allowed_domains((!domains.is_empty()).then(|| domains.iter().map(|d| d.to_string()).collect()))
        .send()
        .await
        .map(|out| out.embed_url)
        .map_err(|e| e.code().unwrap_or("<none>").to_owned())
}

#[tokio::test]
async fn each_field_is_checked_as_the_model_says() {
    let emu = Emulator::start(&[]);
    emu.seed_dashboard("sales");
    let qs = emu.client();
    let ana = register(&qs, "ana").await;
    let console_at = |path: &str| {
        Experience::builder()
            .quick_sight_console(
                RegisteredUserQuickSightConsoleEmbeddingConfiguration::builder()
                    .initial_path(path)
                    .build(),
            )
            .build()
    };
    let console = console_at("/start");
    let search_bar = Experience::builder()
        .q_search_bar(RegisteredUserQSearchBarEmbeddingConfiguration::builder().build())
        .build();
    let two = Experience::builder()
        .dashboard(dashboard("sales").dashboard.unwrap())
        .q_search_bar(RegisteredUserQSearchBarEmbeddingConfiguration::builder().build())
        .build();
    let ghost = ana.replace("/ana", "/ghost");
    let wildcard = ["https://*.example.com", "https://app.example.org:8443"];

    let cases: Vec<(&str, Result<(), &str>, _)> = vec![
        (
            "dashboard",
            Ok(()),
            embed(&qs, &ana, dashboard("sales"), Some(15), &wildcard).await,
        ),
        ("console", Ok(()), embed(&qs, &ana, console, None, &[]).await),
        (
            "a console path QuickSight does not offer",
            Err("InvalidParameterValueException"),
            embed(&qs, &ana, console_at("/admin"), None, &[]).await,
        ),
        ("search bar", Ok(()), embed(&qs, &ana, search_bar, Some(600), &[]).await),
        (
            "no such user",
            Err("QuickSightUserNotFoundException"),
            embed(&qs, &ghost, dashboard("sales"), None, &[]).await,
        ),
        (
            "no such dashboard",
            Err("ResourceNotFoundException"),
            embed(&qs, &ana, dashboard("gone"), None, &[]).await,
        ),
        (
            "14 minutes",
            Err("SessionLifetimeInMinutesInvalidException"),
            embed(&qs, &ana, dashboard("sales"), Some(14), &[]).await,
        ),
        (
            "601 minutes",
            Err("SessionLifetimeInMinutesInvalidException"),
            embed(&qs, &ana, dashboard("sales"), Some(601), &[]).await,
        ),
        (
            "no experience",
            Err("InvalidParameterValueException"),
            embed(&qs, &ana, Experience::builder().build(), None, &[]).await,
        ),
        (
            "two experiences",
            Err("InvalidParameterValueException"),
            embed(&qs, &ana, two, None, &[]).await,
        ),
        (
            "a hostile dashboard id",
            Err("InvalidParameterValueException"),
            embed(&qs, &ana, dashboard("../x"), None, &[]).await,
        ),
        (
            "four domains",
            Err("InvalidParameterValueException"),
            embed(
                &qs,
                &ana,
                dashboard("sales"),
                None,
                &["https://a.com", "https://b.com", "https://c.com", "https://d.com"],
            )
            .await,
        ),
        (
            "plain http",
            Err("InvalidParameterValueException"),
            embed(&qs, &ana, dashboard("sales"), None, &["http://a.com"]).await,
        ),
        (
            "http://localhost, for testing on one's own machine",
            Ok(()),
            embed(&qs, &ana, dashboard("sales"), None, &["http://localhost:8080"]).await,
        ),
        (
            "a path",
            Err("InvalidParameterValueException"),
            embed(&qs, &ana, dashboard("sales"), None, &["https://a.com/app"]).await,
        ),
    ];
    for (name, expected, got) in cases {
        match (expected, got) {
            // In the SDK's shapes (each one's own check is in quicksight-local's unit tests).
            (Ok(()), Ok(url)) => assert!(
                (url.starts_with(&format!("{}/embed/", emu.url))
                    || url.starts_with(&format!("{}/embedding/", emu.url)))
                    && url.contains("?code="),
                "{name}: {url}"
            ),
            (Err(code), Err(got)) => assert_eq!(got, code, "{name}"),
            (expected, got) => panic!("{name}: expected {expected:?}, got {got:?}"),
        }
    }
    let stats = &emu.stats()["operations"]["GenerateEmbedUrlForRegisteredUser"];
    assert_eq!(
        (stats["succeeded"].as_u64(), stats["client_errors"].as_u64()),
        (Some(4), Some(11))
    );
}

#[tokio::test]
async fn a_url_redeems_once_and_not_after_its_validity() {
    let emu = Emulator::start(&["--embed-url-valid-seconds", "1"]);
    emu.seed_dashboard("sales");
    let qs = emu.client();
    let ana = register(&qs, "ana").await;

    let url = embed(&qs, &ana, dashboard("sales"), Some(60), &["https://app.example.com"])
        .await
        .unwrap();
    let (status, session) = emu.redeem(&url);
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["user"]["Arn"], ana.as_str());
    assert_eq!(session["user"]["UserName"], "QuickSightFederated/ana");
    assert_eq!(session["experience"]["Dashboard"]["InitialDashboardId"], "sales");
    assert_eq!(session["session_lifetime_minutes"], 60);
    assert_eq!(session["allowed_domains"][0], "https://app.example.com");
    assert_eq!(emu.redeem(&url).0, 401, "a second use is refused");

    // Another path of the same session is refused and does not use the URL up.
    let qna = Experience::builder()
        .generative_qn_a(RegisteredUserGenerativeQnAEmbeddingConfiguration::builder().build())
        .build();
    let url = embed(&qs, &ana, qna, None, &[]).await.unwrap();
    assert!(url.contains("/q/search?code="), "{url}");
    let elsewhere = url.replace("/q/search", "/start");
    assert_eq!(emu.redeem(&elsewhere).0, 401);
    let (status, session) = emu.redeem(&url);
    assert_eq!(
        (status, &session["experience"]["GenerativeQnA"]),
        (200, &serde_json::json!({}))
    );

    let late = embed(&qs, &ana, dashboard("sales"), None, &[]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(emu.redeem(&late).0, 401, "a URL past its validity is refused");
    assert_eq!(
        emu.redeem(&format!("{}/embed/never-issued/dashboards/sales?code=c", emu.url))
            .0,
        401
    );
}

/// What a browser gets from an embed URL: the experience's page (framed only by the session's
/// allowed domains) reporting to the SDK that its content loaded, then `Forbidden`; and the SDK's
/// control frame.
#[tokio::test]
async fn a_browser_gets_a_page_that_reports_to_the_sdk_once_then_forbidden() {
    let emu = Emulator::start(&[]);
    emu.seed_dashboard("sales");
    let qs = emu.client();
    let ana = register(&qs, "ana").await;
    let domains = ["https://app.example.com", "http://localhost:8080"];
    let url = embed(&qs, &ana, dashboard("sales"), None, &domains).await.unwrap();
    let path = url.strip_prefix(&emu.url).unwrap();
    let html = [("accept", "text/html,application/xhtml+xml")];
    let page = |path: &str| {
        let (status, raw) = emu.raw_with_headers("GET", path, &html);
        (status, raw)
    };

    let (status, first) = page(path);
    assert_eq!(status, 200, "{first}");
    assert!(
        first.contains("content-security-policy: frame-ancestors https://app.example.com http://localhost:8080"),
        "{first}"
    );
    assert!(
        first.contains("'CONTENT_LOADED'") && first.contains("\"dashboardId\":\"sales\""),
        "{first}"
    );
    assert!(
        first.contains("Dashboard sales") && first.contains("QuickSightFederated/ana"),
        "{first}"
    );

    let (status, second) = page(path);
    assert_eq!(status, 403);
    assert!(
        second.contains("errorCode: 'Forbidden'") && second.contains("frame-ancestors https://app.example.com"),
        "{second}"
    );
    let session = path.split('/').nth(2).unwrap();
    let (status, control) = page(&format!("/embed/{session}/embedControl?contextId=c&discriminator=0"));
    assert_eq!(status, 200);
    assert!(control.contains("addEventListener('message'"), "{control}");
}

#[tokio::test]
async fn a_user_registered_moments_ago_is_not_found_until_visible() {
    let emu = Emulator::start(&["--consistency-delay-ms", "500"]);
    emu.seed_dashboard("sales");
    let qs = emu.client();
    let ana = register(&qs, "ana").await;
    assert_eq!(
        embed(&qs, &ana, dashboard("sales"), None, &[]).await.unwrap_err(),
        "QuickSightUserNotFoundException"
    );
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(embed(&qs, &ana, dashboard("sales"), None, &[]).await.is_ok());
}
