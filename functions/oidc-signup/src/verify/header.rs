//! The JOSE header as the token claims it, read before anything in it is trusted: the token's
//! shape, the algorithm, the key id and `crit`.

use base64::Engine as _;
use jsonwebtoken::Algorithm;
use serde_json::{Map, Value};

use super::Rejected;

/// Algorithms a provider's public key can verify. `none` and HS* are never among them.
const ASYMMETRIC: [(&str, Algorithm); 9] = [
    ("RS256", Algorithm::RS256),
    ("RS384", Algorithm::RS384),
    ("RS512", Algorithm::RS512),
    ("PS256", Algorithm::PS256),
    ("PS384", Algorithm::PS384),
    ("PS512", Algorithm::PS512),
    ("ES256", Algorithm::ES256),
    ("ES384", Algorithm::ES384),
    ("EdDSA", Algorithm::EdDSA),
];
/// Longest part of a header value an answer or a log line repeats.
const EXCERPT: usize = 16;

/// What verification takes from the header.
#[derive(Debug)]
pub(super) struct Header {
    pub alg: Algorithm,
    pub kid: String,
}

impl Header {
    /// The header of a compact JWS (`header.payload.signature`), refused when the token is not
    /// one, the algorithm is not an asymmetric one, the key id is missing or not a string, or the
    /// header names critical extensions (none is understood here, RFC 7515 §4.1.11).
    pub(super) fn read(token: &str) -> Result<Self, Rejected> {
        let segments: Vec<&str> = token.split('.').collect();
        let [header, _, _] = segments[..] else {
            return Err(Rejected::Malformed);
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .map_err(|_| Rejected::Malformed)?;
        let header: Map<String, Value> = serde_json::from_slice(&bytes).map_err(|_| Rejected::Malformed)?;
        if header.contains_key("crit") {
            return Err(Rejected::Critical);
        }
        let alg = match header.get("alg") {
            Some(Value::String(alg)) => alg,
            _ => return Err(Rejected::Malformed),
        };
        let alg = ASYMMETRIC
            .iter()
            .find(|(name, _)| name == alg)
            .map(|(_, alg)| *alg)
            .ok_or_else(|| Rejected::Algorithm(excerpt(alg)))?;
        let kid = match header.get("kid") {
            Some(Value::String(kid)) => kid.clone(),
            None => return Err(Rejected::UnknownKey),
            Some(_) => return Err(Rejected::Malformed),
        };
        Ok(Self { alg, kid })
    }
}

/// A short, printable excerpt of an attacker-controlled value: at most 16 characters of letters,
/// digits, `-` and `_`, anything else shown as `?`.
pub(super) fn excerpt(value: &str) -> String {
    let mut out: String = value
        .chars()
        .take(EXCERPT)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '?'
            }
        })
        .collect();
    if value.chars().count() > EXCERPT {
        out.push('…');
    }
    out
}
