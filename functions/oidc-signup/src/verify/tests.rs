//! Every check of the verifier, in-process: tokens minted here with the test-only fixture keys,
//! the key set preloaded or served from a local socket.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

use qs_testing::oidc::{ISSUER, claims, key as fixture, with};

use super::{Rejected, Verifier};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWS with exactly this header, signed with fixture key rsa-a.
fn signed(header: &Value, claims: &Value) -> String {
    let message = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let pem = fixture("rsa-a")["private_pem"].as_str().unwrap().to_owned();
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::RS256).unwrap();
    format!("{message}.{signature}")
}

fn token(claims: &Value) -> String {
    signed(&json!({ "alg": "RS256", "kid": "rsa-a", "typ": "JWT" }), claims)
}

fn keys(jwks: &[Value]) -> JwkSet {
    serde_json::from_value(json!({ "keys": jwks })).unwrap()
}

/// A verifier for audience `qs-app` (and `qs-admin`) that knows rsa-a; nothing answers at its
/// JWKS URL.
fn verifier_with(jwks: &[Value]) -> Verifier {
    let audiences = vec!["qs-app".to_string(), "qs-admin".to_string()];
    Verifier::with_keys(
        ISSUER.into(),
        audiences,
        Some("http://127.0.0.1:9/jwks".into()),
        keys(jwks),
    )
}

fn verifier() -> Verifier {
    verifier_with(&[fixture("rsa-a")["jwk"].clone()])
}

async fn refused(verifier: &Verifier, token: &str) -> Rejected {
    verifier.verify(token).await.expect_err("the token must be refused")
}

#[tokio::test]
async fn a_valid_token_passes() {
    let claims = verifier().verify(&token(&claims())).await.unwrap();
    assert_eq!(claims["sub"], "user-123");
}

#[tokio::test]
async fn several_audiences_need_an_azp_that_is_one_of_ours() {
    let v = verifier();
    let both = json!(["qs-app", "other-client"]);
    assert!(matches!(
        refused(&v, &token(&with(json!({ "aud": both })))).await,
        Rejected::AuthorizedParty
    ));
    let foreign = with(json!({ "aud": both, "azp": "other-client" }));
    assert!(matches!(refused(&v, &token(&foreign)).await, Rejected::AuthorizedParty));
    // A single audience with a foreign azp: the token was issued to another client.
    assert!(matches!(
        refused(&v, &token(&with(json!({ "azp": "other-client" })))).await,
        Rejected::AuthorizedParty
    ));
    assert!(
        v.verify(&token(&with(json!({ "aud": both, "azp": "qs-app" }))))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn critical_header_extensions_are_refused() {
    let header = json!({ "alg": "RS256", "kid": "rsa-a", "crit": ["exp-ext"], "exp-ext": 1 });
    assert!(matches!(
        refused(&verifier(), &signed(&header, &claims())).await,
        Rejected::Critical
    ));
}

#[tokio::test]
async fn keys_not_meant_for_signatures_verify_nothing() {
    let mut encryption = fixture("rsa-a")["jwk"].clone();
    encryption["use"] = json!("enc");
    assert!(matches!(
        refused(&verifier_with(&[encryption]), &token(&claims())).await,
        Rejected::NotASigningKey
    ));

    let mut sign_only = fixture("rsa-a")["jwk"].clone();
    sign_only.as_object_mut().unwrap().remove("use");
    sign_only["key_ops"] = json!(["encrypt"]);
    assert!(matches!(
        refused(&verifier_with(&[sign_only]), &token(&claims())).await,
        Rejected::NotASigningKey
    ));
}

#[tokio::test]
async fn the_issuer_must_be_the_exact_string() {
    let as_array = with(json!({ "iss": [ISSUER, "https://evil.example"] }));
    assert!(matches!(
        refused(&verifier(), &token(&as_array)).await,
        Rejected::Issuer
    ));
}

#[tokio::test]
async fn malformed_tokens_are_called_malformed_not_a_banned_algorithm() {
    let good = token(&claims());
    let parts: Vec<&str> = good.split('.').collect();
    for bad in [format!("{}.{}", parts[0], parts[1]), format!("{good}.extra")] {
        assert!(
            matches!(refused(&verifier(), &bad).await, Rejected::Malformed),
            "{} segments",
            bad.split('.').count()
        );
    }
    let numeric_kid = json!({ "alg": "RS256", "kid": 7 });
    assert!(matches!(
        refused(&verifier(), &signed(&numeric_kid, &claims())).await,
        Rejected::Malformed
    ));
}

#[tokio::test]
async fn a_claimed_algorithm_is_echoed_only_as_a_short_sanitised_excerpt() {
    let long = format!("<script>{}", "A".repeat(4096));
    let reason = refused(&verifier(), &signed(&json!({ "alg": long, "kid": "rsa-a" }), &claims()))
        .await
        .to_string();
    assert!(reason.len() < 160, "{reason}");
    assert!(!reason.contains('<'), "{reason}");
    for alg in ["none", "HS256"] {
        let reason = refused(&verifier(), &signed(&json!({ "alg": alg, "kid": "rsa-a" }), &claims())).await;
        assert!(matches!(reason, Rejected::Algorithm(ref a) if a == alg), "{reason}");
    }
}

/// A JWKS endpoint that fails every request, counting them.
fn failing_jwks() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut line = String::new();
            BufReader::new(&stream).read_line(&mut line).ok();
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = write!(
                stream,
                "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
        }
    });
    (url, requests)
}

#[tokio::test]
async fn a_failing_provider_is_asked_at_most_once_a_second_and_known_keys_keep_working() {
    let (url, requests) = failing_jwks();
    let audiences = vec!["qs-app".to_string()];
    let v = Verifier::with_keys(
        ISSUER.into(),
        audiences,
        Some(url),
        keys(&[fixture("rsa-a")["jwk"].clone()]),
    );
    // Preloaded keys count as a fetch just made: wait it out, so the first junk kid may refetch.
    tokio::time::sleep(super::keys::MIN_REFETCH_INTERVAL).await;
    let junk = signed(&json!({ "alg": "RS256", "kid": "junk" }), &claims());

    assert!(matches!(refused(&v, &junk).await, Rejected::KeysUnavailable(_)));
    for _ in 0..20 {
        assert!(matches!(refused(&v, &junk).await, Rejected::UnknownKey));
    }
    assert_eq!(requests.load(Ordering::SeqCst), 1, "one fetch, however many junk kids");
    assert!(
        v.verify(&token(&claims())).await.is_ok(),
        "the known key still verifies"
    );
}
