//! ID token verification: signature against the provider's JWKS (cached, refetched when an unknown
//! `kid` appears, at most once a second), issuer, audience and authorized party, expiry and
//! not-before, only asymmetric algorithms the key itself allows, only keys meant for signatures, no
//! critical header extensions. `none` and HS* never pass. `jsonwebtoken` checks the signature and
//! the registered claims; the rest is here.

mod header;
mod keys;

pub use keys::take_refetches;

use std::time::Duration;

use jsonwebtoken::jwk::{JwkSet, KeyAlgorithm};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use qs_engine::HttpsGet;
use qs_model::config::CaBundle;
use serde_json::Value;

use header::{Header, excerpt};
use keys::KeyCache;

/// Clock skew allowed on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 60;

/// Why a token was refused: which check failed, never the token itself, and never more of a value
/// the token claims than a short, sanitised excerpt.
#[derive(Debug, thiserror::Error)]
pub enum Rejected {
    #[error("no bearer token")]
    Missing,
    #[error("malformed token")]
    Malformed,
    #[error("algorithm {0} is not allowed (only asymmetric algorithms the provider's key declares)")]
    Algorithm(String),
    #[error("the token names critical header extensions, which this verifier does not support")]
    Critical,
    #[error("token has no kid, or its kid is not in the provider's key set")]
    UnknownKey,
    #[error("the provider's key for this kid is not meant for signatures")]
    NotASigningKey,
    #[error("signature does not verify")]
    Signature,
    #[error("issuer does not match")]
    Issuer,
    #[error("audience does not match")]
    Audience,
    #[error("authorized party (azp) missing or not one of this function's clients")]
    AuthorizedParty,
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
    /// The process's HTTPS stack and trust store (the QuickSight client's), `AWS_CA_BUNDLE` included.
    http: HttpsGet,
    keys: KeyCache,
}

/// How long fetching the discovery document or the key set may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(3);

impl Verifier {
    /// `ca_bundle`: `AWS_CA_BUNDLE`'s certificates, trusted beside the system's.
    pub fn new(issuer: String, audiences: Vec<String>, jwks_url: Option<String>, ca_bundle: Option<&CaBundle>) -> Self {
        Self {
            issuer,
            audiences,
            jwks_url,
            http: HttpsGet::new(ca_bundle, FETCH_TIMEOUT),
            keys: KeyCache::default(),
        }
    }

    /// A verifier that starts with `keys` instead of fetching them first (tests; a refetch for an
    /// unknown `kid` still goes to `jwks_url`).
    pub fn with_keys(issuer: String, audiences: Vec<String>, jwks_url: Option<String>, keys: JwkSet) -> Self {
        Self {
            keys: KeyCache::with(keys),
            ..Self::new(issuer, audiences, jwks_url, None)
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The verified claims of `token`.
    pub async fn verify(&self, token: &str) -> Result<Value, Rejected> {
        let header = Header::read(token)?;
        let jwk = self.keys.key(&header.kid, || self.fetch()).await?;
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
        let claims = decode::<Value>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                K::InvalidSignature => Rejected::Signature,
                K::InvalidIssuer => Rejected::Issuer,
                K::InvalidAudience => Rejected::Audience,
                K::ExpiredSignature => Rejected::Expired,
                K::ImmatureSignature => Rejected::NotYetValid,
                K::MissingRequiredClaim(c) | K::InvalidClaimFormat(c) => Rejected::Claim(excerpt(c)),
                K::InvalidAlgorithm => Rejected::Algorithm(format!("{:?} for this key", header.alg)),
                _ => Rejected::Malformed,
            })?;
        self.check_claims(&claims)?;
        Ok(claims)
    }

    /// What OpenID Connect Core 3.1.3.7 asks beyond the JWT library's checks: `iss` an exact
    /// string (the library also takes an array containing it), and `azp` one of our clients,
    /// required when the token is for several audiences.
    fn check_claims(&self, claims: &Value) -> Result<(), Rejected> {
        if claims["iss"].as_str() != Some(self.issuer.as_str()) {
            return Err(Rejected::Issuer);
        }
        let several_audiences = claims["aud"].as_array().is_some_and(|aud| aud.len() > 1);
        match claims.get("azp") {
            None if several_audiences => Err(Rejected::AuthorizedParty),
            None => Ok(()),
            Some(Value::String(azp)) if self.audiences.contains(azp) => Ok(()),
            Some(_) => Err(Rejected::AuthorizedParty),
        }
    }

    async fn fetch(&self) -> Result<JwkSet, Rejected> {
        let url = match &self.jwks_url {
            Some(url) => url.clone(),
            None => {
                let discovery = format!("{}/.well-known/openid-configuration", self.issuer.trim_end_matches('/'));
                let config: Value = self.get_json(discovery).await?;
                config["jwks_uri"]
                    .as_str()
                    .ok_or_else(|| Rejected::KeysUnavailable("discovery has no jwks_uri".into()))?
                    .to_owned()
            }
        };
        tracing::info!(jwks_url = %url, "fetching the provider's keys");
        self.get_json(url).await
    }

    /// A JSON document from the provider; any failure means its keys are unavailable (the URL is
    /// left out of the error).
    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: String) -> Result<T, Rejected> {
        let body = self.http.get(&url).await.map_err(Rejected::KeysUnavailable)?;
        serde_json::from_slice(&body).map_err(|e| Rejected::KeysUnavailable(format!("not the JSON expected: {e}")))
    }
}

fn same_algorithm(declared: KeyAlgorithm, alg: Algorithm) -> bool {
    format!("{declared:?}") == format!("{alg:?}")
}

#[cfg(test)]
mod tests;
