//! ID tokens for tests: signed here with the test-only keys in `fixtures/oidc-test-keys.json`
//! (RSA `rsa-a`, `rsa-b`, EC `ec-a`: each a `jwk` and its `private_pem`). Never real keys.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

/// The issuer the tests' provider has.
pub const ISSUER: &str = "https://idp.example.test/realms/app";
/// The audience (client id) the tests' functions accept.
pub const AUDIENCE: &str = "qs-app";

const KEYS: &str = include_str!("../fixtures/oidc-test-keys.json");

/// Fixture key `name`: `{"jwk": ..., "private_pem": ...}`.
pub fn key(name: &str) -> Value {
    let keys: Value = serde_json::from_str(KEYS).expect("the fixture is JSON");
    keys["keys"][name].clone()
}

/// The public JWK of fixture key `name`.
pub fn jwk(name: &str) -> Value {
    key(name)["jwk"].clone()
}

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

/// The claims of a verified user of [`AUDIENCE`] at [`ISSUER`], valid for ten minutes.
pub fn claims() -> Value {
    json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "user-123", "email": "ana@example.com",
        "email_verified": true, "iat": now(), "exp": now() + 600,
    })
}

/// [`claims`] with `changes` merged in; a `null` removes the claim.
pub fn with(changes: Value) -> Value {
    merged(claims(), changes)
}

/// `claims` with `changes` merged in; a `null` removes the claim.
pub fn merged(mut claims: Value, changes: Value) -> Value {
    let members = claims.as_object_mut().expect("claims are an object");
    for (name, value) in changes.as_object().expect("changes are an object") {
        match value {
            Value::Null => members.remove(name),
            value => members.insert(name.clone(), value.clone()),
        };
    }
    claims
}

/// A token of `claims` signed with fixture key `signer` (RS256, or ES256 for an `ec-` key), its
/// header naming `kid`.
pub fn token(signer: &str, kid: &str, claims: &Value) -> String {
    let pem = key(signer)["private_pem"].as_str().expect("a fixture key").to_owned();
    let (alg, encoding) = if signer.starts_with("ec") {
        (Algorithm::ES256, EncodingKey::from_ec_pem(pem.as_bytes()))
    } else {
        (Algorithm::RS256, EncodingKey::from_rsa_pem(pem.as_bytes()))
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    encode(&header, claims, &encoding.expect("a fixture PEM")).expect("signs")
}
