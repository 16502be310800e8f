//! ID token verification: signature against the provider's JWKS (cached, refetched when an unknown
//! `kid` appears), issuer, audience, expiry and not-before, and only asymmetric algorithms the key
//! itself allows. `none` and HS* never pass.

use std::time::Duration;

use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;
use tokio::sync::RwLock;
use tokio::time::Instant;

const ASYMMETRIC: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];
/// Clock skew allowed on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 60;
/// An unknown `kid` refetches the JWKS at most this often (so junk tokens cannot flood the provider).
const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(1);

/// Why a token was refused: which check failed, never the token itself.
#[derive(Debug, thiserror::Error)]
pub enum Rejected {
    #[error("no bearer token")]
    Missing,
    #[error("malformed token")]
    Malformed,
    #[error("algorithm {0} is not allowed (only asymmetric algorithms the provider's key declares)")]
    Algorithm(String),
    #[error("token has no kid, or its kid is not in the provider's key set")]
    UnknownKey,
    #[error("signature does not verify")]
    Signature,
    #[error("issuer does not match")]
    Issuer,
    #[error("audience does not match")]
    Audience,
    #[error("token expired")]
    Expired,
    #[error("token not valid yet")]
    NotYetValid,
    #[error("claim {0} missing or malformed")]
    Claim(String),
    #[error("the provider's keys could not be fetched: {0}")]
    KeysUnavailable(String),
}

pub struct Verifier {
    issuer: String,
    audiences: Vec<String>,
    jwks_url: Option<String>,
    http: reqwest::Client,
    keys: RwLock<Option<(JwkSet, Instant)>>,
}

impl Verifier {
    pub fn new(issuer: String, audiences: Vec<String>, jwks_url: Option<String>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(3))
            .build()
            .expect("HTTP client");
        Self {
            issuer,
            audiences,
            jwks_url,
            http,
            keys: RwLock::new(None),
        }
    }

    /// A verifier that starts with `keys` instead of fetching them first (tests; a refetch for an
    /// unknown `kid` still goes to `jwks_url`).
    pub fn with_keys(issuer: String, audiences: Vec<String>, jwks_url: Option<String>, keys: JwkSet) -> Self {
        let verifier = Self::new(issuer, audiences, jwks_url);
        Self {
            keys: RwLock::new(Some((keys, Instant::now()))),
            ..verifier
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The verified claims of `token`.
    pub async fn verify(&self, token: &str) -> Result<Value, Rejected> {
        // A header naming an algorithm the library does not know (`none`) fails to parse at all:
        // say which algorithm was refused rather than "malformed".
        let header = decode_header(token).map_err(|_| {
            claimed_algorithm(token)
                .map(Rejected::Algorithm)
                .unwrap_or(Rejected::Malformed)
        })?;
        if !ASYMMETRIC.contains(&header.alg) {
            return Err(Rejected::Algorithm(format!("{:?}", header.alg)));
        }
        let kid = header.kid.ok_or(Rejected::UnknownKey)?;
        let jwk = self.key(&kid).await?;
        if let Some(declared) = jwk.common.key_algorithm
            && !same_algorithm(declared, header.alg)
        {
            return Err(Rejected::Algorithm(format!(
                "{:?} (the key declares {declared:?})",
                header.alg
            )));
        }
        let key = DecodingKey::from_jwk(&jwk).map_err(|_| Rejected::UnknownKey)?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&self.audiences);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        use jsonwebtoken::errors::ErrorKind as K;
        decode::<Value>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                K::InvalidSignature => Rejected::Signature,
                K::InvalidIssuer => Rejected::Issuer,
                K::InvalidAudience => Rejected::Audience,
                K::ExpiredSignature => Rejected::Expired,
                K::ImmatureSignature => Rejected::NotYetValid,
                K::MissingRequiredClaim(c) | K::InvalidClaimFormat(c) => Rejected::Claim(c.clone()),
                K::InvalidAlgorithm => Rejected::Algorithm(format!("{:?} for this key", header.alg)),
                _ => Rejected::Malformed,
            })
    }

    /// The key with `kid`, from the cached set or, if it is not there, a fresh one.
    async fn key(&self, kid: &str) -> Result<Jwk, Rejected> {
        if let Some((set, _)) = &*self.keys.read().await
            && let Some(jwk) = set.find(kid)
        {
            return Ok(jwk.clone());
        }
        let mut keys = self.keys.write().await;
        let recently = keys.as_ref().is_some_and(|(_, at)| at.elapsed() < MIN_REFETCH_INTERVAL);
        if !recently {
            *keys = Some((self.fetch().await?, Instant::now()));
        }
        keys.as_ref()
            .and_then(|(set, _)| set.find(kid))
            .cloned()
            .ok_or(Rejected::UnknownKey)
    }

    async fn fetch(&self) -> Result<JwkSet, Rejected> {
        let unavailable = |e: reqwest::Error| Rejected::KeysUnavailable(e.without_url().to_string());
        let url = match &self.jwks_url {
            Some(url) => url.clone(),
            None => {
                let discovery = format!("{}/.well-known/openid-configuration", self.issuer.trim_end_matches('/'));
                let config: Value = self
                    .http
                    .get(discovery)
                    .send()
                    .await
                    .and_then(|r| r.error_for_status())
                    .map_err(unavailable)?
                    .json()
                    .await
                    .map_err(unavailable)?;
                config["jwks_uri"]
                    .as_str()
                    .ok_or_else(|| Rejected::KeysUnavailable("discovery has no jwks_uri".into()))?
                    .to_owned()
            }
        };
        tracing::info!(jwks_url = %url, "fetching the provider's keys");
        self.http
            .get(url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(unavailable)?
            .json()
            .await
            .map_err(unavailable)
    }
}

fn same_algorithm(declared: KeyAlgorithm, alg: Algorithm) -> bool {
    format!("{declared:?}") == format!("{alg:?}")
}

/// The `alg` the token's header claims, read without trusting anything else in it.
fn claimed_algorithm(token: &str) -> Option<String> {
    use base64::Engine as _;
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.split('.').next()?)
        .ok()?;
    let header: Value = serde_json::from_slice(&header).ok()?;
    header["alg"].as_str().map(str::to_owned)
}
