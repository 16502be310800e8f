//! The oidc-signup binary under aws-lambda-rie: ID tokens minted here with this test's own RSA and
//! EC keys, the key set served from a local JWKS endpoint, users provisioned in quicksight-local.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use qs_provision_tests::Emulator;
use qs_provision_tests::lambda::{Lambda, base_env};
use qs_testing::oidc::{self, ISSUER};
use serde_json::{Value, json};

fn key(name: &str) -> Value {
    oidc::key(name)
}

/// A JWKS endpoint (and discovery document) on a free port, serving the keys in `served`.
struct Jwks {
    port: u16,
    served: Arc<Mutex<Vec<Value>>>,
    fetches: Arc<AtomicUsize>,
}

impl Jwks {
    fn start(kids: &[&str]) -> Jwks {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let served = Arc::new(Mutex::new(
            kids.iter().map(|k| key(k)["jwk"].clone()).collect::<Vec<_>>(),
        ));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (s, f) = (served.clone(), fetches.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut stream = stream;
                let mut line = String::new();
                BufReader::new(&stream).read_line(&mut line).ok();
                let body = if line.contains("/.well-known/openid-configuration") {
                    json!({ "issuer": format!("http://127.0.0.1:{port}"), "jwks_uri": format!("http://127.0.0.1:{port}/jwks") })
                } else {
                    f.fetch_add(1, Ordering::SeqCst);
                    json!({ "keys": *s.lock().unwrap() })
                }
                .to_string();
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Jwks { port, served, fetches }
    }

    fn serve(&self, kid: &str) {
        self.served.lock().unwrap().push(key(kid)["jwk"].clone());
    }
}

fn claims() -> Value {
    oidc::with(json!({ "groups": ["finance", "unmapped"] }))
}

fn token(signer: &str, kid: &str, claims: &Value) -> String {
    oidc::token(signer, kid, claims)
}

/// The test claims with `changes`; a `null` removes a claim.
fn with(changes: Value) -> Value {
    oidc::merged(claims(), changes)
}

/// A function URL / HTTP API (payload v2) request with the token as bearer.
fn http_request(token: &str) -> Value {
    json!({
        "version": "2.0", "routeKey": "$default", "rawPath": "/", "rawQueryString": "",
        "headers": { "authorization": format!("Bearer {token}"), "content-type": "application/json" },
        "requestContext": { "http": { "method": "POST", "path": "/", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7", "userAgent": "tests" } },
        "isBase64Encoded": false
    })
}

fn start(emu: &Emulator, jwks: &Jwks, extra: &[(&str, &str)]) -> Lambda {
    let mut env = base_env(&emu.url);
    env.extend(
        [
            ("OIDC_ISSUER", ISSUER),
            ("OIDC_AUDIENCE", "other-app, qs-app"),
            ("GROUP_MAPPING", r#"{"finance":{"group":"qs-finance","role":"AUTHOR"}}"#),
            ("DEFAULT_GROUPS", "qs-everyone"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    if !extra.iter().any(|(k, _)| *k == "OIDC_ISSUER" || *k == "OIDC_JWKS_URL") {
        env.push(("OIDC_JWKS_URL".into(), format!("http://127.0.0.1:{}/jwks", jwks.port)));
    }
    Lambda::start("oidc-signup", &env)
}

fn status_and_body(response: &Value) -> (u64, Value) {
    let body = serde_json::from_str(response["body"].as_str().expect("a body")).expect("a JSON body");
    (response["statusCode"].as_u64().expect("a status"), body)
}

#[test]
fn a_valid_token_provisions_a_custom_oidc_user_with_the_issuer_as_provider() {
    let emu = Emulator::start(&[]);
    let jwks = Jwks::start(&["rsa-a", "ec-a"]);
    let lambda = start(&emu, &jwks, &[]);

    let (status, body) = status_and_body(&lambda.invoke(&http_request(&token("rsa-a", "rsa-a", &claims()))));

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user_name"], "QuickSightFederated/ana@example.com");
    assert_eq!(body["user"]["status"], "registered");
    assert_eq!(body["memberships_added"], json!(["qs-everyone", "qs-finance"]));
    let user = emu.user("QuickSightFederated/ana@example.com");
    assert_eq!(user["ExternalLoginFederationProviderType"], "CUSTOM_OIDC");
    assert_eq!(user["ExternalLoginFederationProviderUrl"], ISSUER);
    assert_eq!(user["ExternalLoginId"], "user-123");
    assert_eq!(user["Role"], "AUTHOR");

    // An EC-signed token, invoked directly, for the same user: nothing to change.
    let direct = json!({ "id_token": token("ec-a", "ec-a", &claims()) });
    let (status, body) = status_and_body(&lambda.invoke(&direct));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["status"], "unchanged");
    assert_eq!(
        jwks.fetches.load(Ordering::SeqCst),
        1,
        "the key set is cached across invocations"
    );
}

/// An administrator restricted the user (a custom permissions profile) after the first login; the
/// next login leaves the restriction where it is.
#[tokio::test]
async fn a_login_never_lifts_a_profile_an_administrator_applied() {
    let emu = Emulator::start(&[]);
    let jwks = Jwks::start(&["rsa-a"]);
    let lambda = start(&emu, &jwks, &[]);
    let login = || status_and_body(&lambda.invoke(&http_request(&token("rsa-a", "rsa-a", &claims()))));
    assert_eq!(login().0, 200);
    let ana = "QuickSightFederated/ana@example.com";
    emu.create_profile("no-export").await;
    emu.client()
        .update_user()
        .aws_account_id(qs_provision_tests::ACCOUNT)
        .namespace("default")
        .user_name(ana)
        .email("ana@example.com")
        .role(aws_sdk_quicksight::types::UserRole::Author)
        .custom_permissions_name("no-export")
        .send()
        .await
        .unwrap();

    let (status, body) = login();

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["status"], "unchanged", "{body}");
    assert_eq!(emu.user(ana)["CustomPermissionsName"], "no-export");
}

/// GROUP_MAPPING names a profile: a login in the group gets it, a login out of it loses it, and
/// a profile an administrator applied is neither replaced nor removed.
#[tokio::test]
async fn a_mapped_groups_profile_is_applied_at_login_and_never_over_an_administrators() {
    let emu = Emulator::start(&[]);
    emu.create_profile("no-export").await;
    emu.create_profile("admin-locked").await;
    let jwks = Jwks::start(&["rsa-a"]);
    let mapping = r#"{"finance":{"group":"qs-finance","role":"AUTHOR"},"contractors":{"group":"qs-contractors","custom_permissions":"no-export"}}"#;
    let lambda = start(&emu, &jwks, &[("GROUP_MAPPING", mapping)]);
    let login = |groups: Value| {
        let claims = with(json!({ "groups": groups }));
        status_and_body(&lambda.invoke(&http_request(&token("rsa-a", "rsa-a", &claims))))
    };
    let ana = "QuickSightFederated/ana@example.com";
    let profile = || emu.user(ana)["CustomPermissionsName"].clone();

    let (status, body) = login(json!(["finance", "contractors"]));
    assert_eq!((status, &body["user"]["status"]), (200, &json!("registered")), "{body}");
    assert_eq!(profile(), "no-export");
    let (_, body) = login(json!(["finance"]));
    assert_eq!(body["user"]["fields"], json!(["CustomPermissionsName"]), "{body}");
    assert!(profile().is_null(), "the profile this deployment applied is removed");

    emu.client()
        .update_user_custom_permission()
        .aws_account_id(qs_provision_tests::ACCOUNT)
        .namespace("default")
        .user_name(ana)
        .custom_permissions_name("admin-locked")
        .send()
        .await
        .unwrap();
    for groups in [json!(["finance", "contractors"]), json!(["finance"])] {
        let (status, body) = login(groups);
        assert_eq!((status, &body["user"]["status"]), (200, &json!("unchanged")), "{body}");
        assert_eq!(profile(), "admin-locked");
    }
}

#[test]
fn every_failed_check_answers_401_naming_the_check_and_provisions_nothing() {
    let emu = Emulator::start(&[]);
    let jwks = Jwks::start(&["rsa-a"]);
    let lambda = start(&emu, &jwks, &[]);
    let public_pem = key("rsa-a")["public_pem"].as_str().unwrap().to_owned();
    let mut hs_header = Header::new(Algorithm::HS256);
    hs_header.kid = Some("rsa-a".into());
    let hs256_with_public_key =
        encode(&hs_header, &claims(), &EncodingKey::from_secret(public_pem.as_bytes())).unwrap();
    let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT","kid":"rsa-a"}"#);
    let alg_none = format!("{none_header}.{}.", URL_SAFE_NO_PAD.encode(claims().to_string()));

    let cases = [
        (
            "wrong signature",
            token("rsa-stranger", "rsa-a", &claims()),
            "signature",
        ),
        (
            "wrong issuer",
            token("rsa-a", "rsa-a", &with(json!({ "iss": "https://evil.example" }))),
            "issuer",
        ),
        (
            "wrong audience",
            token("rsa-a", "rsa-a", &with(json!({ "aud": "someone-else" }))),
            "audience",
        ),
        (
            "expired",
            token("rsa-a", "rsa-a", &with(json!({ "exp": oidc::now() - 3600 }))),
            "expired",
        ),
        (
            "not yet valid",
            token("rsa-a", "rsa-a", &with(json!({ "nbf": oidc::now() + 3600 }))),
            "not valid yet",
        ),
        ("alg none", alg_none, "algorithm"),
        ("HS256 with the public key", hs256_with_public_key, "algorithm"),
        ("unknown kid", token("rsa-stranger", "rsa-stranger", &claims()), "kid"),
        ("garbage", "not.a.token".to_owned(), "malformed"),
    ];
    for (name, t, expected) in cases {
        let (status, body) = status_and_body(&lambda.invoke(&http_request(&t)));
        assert_eq!(status, 401, "{name}: {body}");
        let reason = body["reason"].as_str().unwrap();
        assert!(reason.contains(expected), "{name}: {reason:?} should name {expected:?}");
        assert!(!body.to_string().contains(&t), "{name}: the token must not be echoed");
    }
    let (status, _) = status_and_body(&lambda.invoke(&json!({ "headers": {} })));
    assert_eq!(status, 401, "no bearer token");
    assert_eq!(emu.requests_beyond_init(), 0, "no QuickSight call for a refused token");
}

#[test]
fn claims_quicksight_would_refuse_answer_400() {
    let emu = Emulator::start(&[]);
    let jwks = Jwks::start(&["rsa-a"]);
    let lambda = start(&emu, &jwks, &[]);

    let (status, body) =
        status_and_body(&lambda.invoke(&http_request(&token("rsa-a", "rsa-a", &with(json!({ "email": null }))))));
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "email");

    let (status, body) = status_and_body(&lambda.invoke(&http_request(&token(
        "rsa-a",
        "rsa-a",
        &with(json!({ "email_verified": false })),
    ))));
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "email_verified");

    let (status, body) = status_and_body(&lambda.invoke(&http_request(&token(
        "rsa-a",
        "rsa-a",
        &with(json!({ "email": "not an address" })),
    ))));
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["field"], "email");
    assert_eq!(emu.requests_beyond_init(), 0);
}

#[test]
fn a_new_kid_refetches_the_key_set_and_discovery_finds_it() {
    let emu = Emulator::start(&[]);
    let jwks = Jwks::start(&["rsa-a"]);
    // No OIDC_JWKS_URL: discovered from the issuer, which here is the local endpoint.
    let issuer = format!("http://127.0.0.1:{}", jwks.port);
    let lambda = start(
        &emu,
        &jwks,
        &[
            ("OIDC_ISSUER", &issuer),
            ("CUSTOM_FEDERATION_PROVIDER_URL", "https://idp.example.test"),
        ],
    );
    let claims = with(json!({ "iss": issuer }));

    let (status, body) = status_and_body(&lambda.invoke(&http_request(&token("rsa-a", "rsa-a", &claims))));
    assert_eq!(status, 200, "{body}");
    jwks.serve("rsa-b");
    std::thread::sleep(Duration::from_millis(1100));
    let (status, body) = status_and_body(&lambda.invoke(&http_request(&token("rsa-b", "rsa-b", &claims))));
    assert_eq!(status, 200, "a rotated key is picked up: {body}");
    assert_eq!(jwks.fetches.load(Ordering::SeqCst), 2);
}

#[test]
fn a_failing_quicksight_answers_503_and_the_retry_is_safe() {
    let emu = Emulator::start(&["--fail-rate", "1"]);
    let jwks = Jwks::start(&["rsa-a"]);
    let lambda = start(&emu, &jwks, &[("QUICKSIGHT_MAX_ATTEMPTS", "2")]);

    let (status, body) = status_and_body(&lambda.invoke(&http_request(&token("rsa-a", "rsa-a", &claims()))));

    assert_eq!(status, 503, "{body}");
    assert_eq!(body["retryable"], true);
}

const TENANTS: [(&str, &str); 3] = [
    ("TENANT_NAMESPACE", "{tenant}"),
    (
        "QUICKSIGHT_FEDERATED_ROLE_ARN",
        "arn:aws:iam::123456789012:role/qs-{tenant}",
    ),
    ("TENANT_GROUPS", "{tenant}-everyone"),
];

#[test]
fn each_tenants_users_land_in_its_namespace_and_a_missing_or_hostile_tenant_writes_nothing() {
    let emu = Emulator::start(&["--namespace-create-delay-ms", "300"]);
    emu.seed_namespace("acme");
    let jwks = Jwks::start(&["rsa-a"]);
    let mut settings = TENANTS.to_vec();
    settings.extend([("TENANT_CREATE_NAMESPACE", "true"), ("TENANT_ALLOWED", "[a-z]+")]);
    let lambda = start(&emu, &jwks, &settings);
    let signup =
        |changes: Value| status_and_body(&lambda.invoke(&http_request(&token("rsa-a", "rsa-a", &with(changes)))));

    // acme exists; globex is new, created on the fly.
    for tenant in ["acme", "globex"] {
        let (status, body) = signup(json!({ "tenant": tenant }));
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["namespace"], tenant);
        let user = format!("qs-{tenant}/ana@example.com");
        assert_eq!(body["user_name"], user.as_str());
        assert_eq!(emu.users_in(tenant), [user.as_str()]);
        assert_eq!(
            emu.groups_in(tenant, &user),
            [format!("{tenant}-everyone"), "qs-everyone".into(), "qs-finance".into()]
        );
    }
    assert_eq!(emu.succeeded("CreateNamespace"), 1, "only globex was created");

    let requests = emu.stats()["total"]["requests"].as_u64().unwrap();
    for (claim, rule) in [
        (json!(null), "is required"),
        (json!("../default"), "must start with a letter or digit"),
        (json!("a/b"), "'/' is not allowed"),
        (json!("%2e%2e"), "must start with a letter or digit"),
        // A claim the user could edit (issue 38): the provider's namespace, a second spelling.
        (json!("default"), "the provider's own"),
        (json!("Default"), "lower case"),
        (json!("ACME"), "lower case"),
    ] {
        let (status, body) = signup(json!({ "tenant": claim }));
        assert_eq!(status, 400, "{claim}: {body}");
        assert_eq!(body["errors"][0]["field"], "tenant", "{body}");
        assert!(body["errors"][0]["rule"].as_str().unwrap().contains(rule), "{body}");
    }
    assert_eq!(
        emu.stats()["total"]["requests"].as_u64().unwrap(),
        requests,
        "no request was sent for a refused tenant"
    );
    assert!(emu.user_names().is_empty(), "nothing in default");
}

#[test]
fn a_tenant_whose_namespace_is_not_ready_in_time_is_answered_503_with_retry_after() {
    let emu = Emulator::start(&["--namespace-create-delay-ms", "60000"]);
    let jwks = Jwks::start(&["rsa-a"]);
    let mut settings = TENANTS.to_vec();
    settings.extend([
        ("TENANT_CREATE_NAMESPACE", "true"),
        ("TENANT_ALLOWED", "[a-z]+"),
        ("AWS_LAMBDA_FUNCTION_TIMEOUT", "2"),
    ]);
    let lambda = start(&emu, &jwks, &settings);
    let response = lambda.invoke(&http_request(&token(
        "rsa-a",
        "rsa-a",
        &with(json!({ "tenant": "acme" })),
    )));
    let (status, body) = status_and_body(&response);
    assert_eq!(status, 503, "{body}");
    assert_eq!(response["headers"]["retry-after"], "5");
    assert_eq!(body["reason"], "namespace_not_ready");
    assert_eq!(emu.requests("RegisterUser"), 0);

    // Without TENANT_CREATE_NAMESPACE an unknown tenant is refused, and nothing is created.
    let emu = Emulator::start(&[]);
    let lambda = start(&emu, &jwks, &TENANTS);
    let (status, body) = status_and_body(&lambda.invoke(&http_request(&token(
        "rsa-a",
        "rsa-a",
        &with(json!({ "tenant": "acme" })),
    ))));
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        (body["reason"].as_str(), body["tenant"].as_str()),
        (Some("unknown_tenant"), Some("acme"))
    );
    assert_eq!(emu.requests("CreateNamespace") + emu.requests("RegisterUser"), 0);
}

#[test]
fn a_first_and_a_returning_login_each_answer_an_embed_url_that_redeems_once_and_is_never_logged() {
    let emu = Emulator::start(&["--consistency-delay-ms", "300"]);
    emu.seed_dashboard("sales");
    emu.seed_dashboard("finance");
    let jwks = Jwks::start(&["rsa-a"]);
    let settings = [
        ("EMBED_EXPERIENCE", "dashboard:sales"),
        ("EMBED_DASHBOARD_IDS", "finance"),
        ("EMBED_ALLOWED_DOMAINS", "https://app.example.com"),
        ("EMBED_SESSION_MINUTES", "120"),
    ];
    let lambda = start(&emu, &jwks, &settings);
    let login = |body: Option<&str>| {
        let mut request = http_request(&token("rsa-a", "rsa-a", &claims()));
        if let Some(body) = body {
            request["body"] = json!(body);
        }
        let response = lambda.invoke(&request);
        assert_eq!(response["headers"]["cache-control"], "no-store");
        status_and_body(&response)
    };

    // First login: registered, and (past QuickSight's consistency delay) the URL.
    let (status, first) = login(None);
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["user"]["status"], "registered");
    let first_url = first["embed_url"].as_str().expect("an embed URL").to_owned();
    assert!(first["embed_url_expires_at"].as_str().unwrap().ends_with('Z'));
    let (status, session) = emu.redeem(&first_url);
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["user"]["UserName"], "QuickSightFederated/ana@example.com");
    assert_eq!(session["experience"]["Dashboard"]["InitialDashboardId"], "sales");
    assert_eq!(session["session_lifetime_minutes"], 120);
    assert_eq!(session["allowed_domains"], json!(["https://app.example.com"]));
    assert_eq!(emu.redeem(&first_url).0, 401, "redeemed once only");

    // Returning login, asking for the other allowed dashboard: reads and the embed call only.
    const WRITES: [&str; 4] = [
        "RegisterUser",
        "UpdateUser",
        "CreateGroupMembership",
        "DeleteGroupMembership",
    ];
    let writes = || -> u64 { WRITES.iter().map(|op| emu.requests(op)).sum() };
    let writes_before = writes();
    let (status, again) = login(Some(r#"{"dashboard_id": "finance"}"#));
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["user"]["status"], "unchanged");
    let again_url = again["embed_url"].as_str().unwrap().to_owned();
    assert_ne!(again_url, first_url);
    let (status, session) = emu.redeem(&again_url);
    assert_eq!(
        (status, &session["experience"]["Dashboard"]["InitialDashboardId"]),
        (200, &json!("finance"))
    );
    assert_eq!(emu.redeem(&again_url).0, 401);
    assert_eq!(writes(), writes_before, "a returning login changes nothing");
    assert_eq!(emu.succeeded("GenerateEmbedUrlForRegisteredUser"), 2);

    // A dashboard outside the allowlist: 400, nothing sent.
    let (status, refused) = login(Some(r#"{"dashboard_id": "payroll"}"#));
    assert_eq!((status, &refused["errors"][0]["field"]), (400, &json!("dashboard_id")));

    let logs = lambda.log_text();
    assert!(
        lambda.log_lines().iter().any(|l| l["message"] == "user provisioned"),
        "{logs}"
    );
    for url in [&first_url, &again_url] {
        let token = url.rsplit('/').next().unwrap();
        assert!(!logs.contains(token), "an embed URL was logged:\n{logs}");
    }
}

/// A stand-in provider's key set over HTTPS, its certificate signed by a CA written to `ca_file`.
async fn https_jwks(ca_file: &std::path::Path) -> u16 {
    use axum::serve::Listener;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut config = quicksight_local::tls::server_config("127.0.0.1", ca_file).unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()]; // this stand-in speaks HTTP/1.1 only
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = tcp.local_addr().unwrap().port();
    let mut listener = quicksight_local::tls::TlsListener::new(tcp, config).unwrap();
    let body = json!({ "keys": [key("rsa-a")["jwk"].clone()] }).to_string();
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await;
            let body = body.clone();
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request).await;
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread")]
async fn the_providers_keys_come_over_https_trusting_aws_ca_bundle_as_quicksight_calls_do() {
    let emu = Emulator::start(&[]);
    let ca_file = std::env::temp_dir().join(format!("qs-jwks-ca-{}.pem", std::process::id()));
    let port = https_jwks(&ca_file).await;
    let jwks = Jwks::start(&[]);
    let url = format!("https://127.0.0.1:{port}/jwks");
    let ca = ca_file.to_str().unwrap().to_owned();
    let request = http_request(&token("rsa-a", "rsa-a", &claims()));

    let trusting = start(&emu, &jwks, &[("OIDC_JWKS_URL", &url), ("AWS_CA_BUNDLE", &ca)]);
    let (status, body) = status_and_body(&trusting.invoke(&request));
    assert_eq!(status, 200, "{body}");

    // Without the CA the provider's certificate is not trusted: its keys are unavailable.
    let untrusting = start(&emu, &jwks, &[("OIDC_JWKS_URL", &url)]);
    let (status, body) = status_and_body(&untrusting.invoke(&request));
    assert_eq!(status, 503, "{body}");
    let _ = std::fs::remove_file(&ca_file);
}
