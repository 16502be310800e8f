//! The bearer token: compared in constant time (as SHA-256 digests, so neither its bytes nor its
//! length leak through timing), read from Secrets Manager and kept for `SCIM_TOKEN_CACHE_SECONDS`,
//! never logged. With tenants on, the secret maps each tenant to its own token: an IdP's token says
//! whose users it may touch.

use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::ScimError;
use crate::settings::MIN_TOKEN_CHARS;

/// A cached secret older than this is read again when a token does not match it (a rotation).
const REFRESH_ON_MISMATCH_AFTER: Duration = Duration::from_secs(30);

/// The accepted tokens' digests, each with its tenant (`None`: tenants off).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Tokens(Vec<(Option<String>, [u8; 32])>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens(<{} redacted>)", self.0.len())
    }
}

impl Tokens {
    /// The secret's value: the token itself, or (`tenants`) `{"<tenant>": "<token>", …}`.
    pub fn parse(raw: &str, tenants: bool) -> Result<Self, String> {
        let pairs: Vec<(Option<String>, String)> = if tenants {
            let map: std::collections::BTreeMap<String, String> = serde_json::from_str(raw)
                .map_err(|_| "with tenants on, the token must be a JSON object of tenant to token".to_owned())?;
            map.into_iter().map(|(tenant, token)| (Some(tenant), token)).collect()
        } else {
            vec![(None, raw.trim().to_owned())]
        };
        if pairs.is_empty() {
            return Err("holds no token".into());
        }
        let mut tokens = Vec::with_capacity(pairs.len());
        for (tenant, token) in pairs {
            if token.chars().count() < MIN_TOKEN_CHARS {
                let whose = tenant.as_deref().map(|t| format!(" (tenant {t})")).unwrap_or_default();
                return Err(format!("a token{whose} is shorter than {MIN_TOKEN_CHARS} characters"));
            }
            tokens.push((tenant, digest(&token)));
        }
        Ok(Self(tokens))
    }

    /// The tenants the tokens belong to (none with tenants off).
    pub fn tenants(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|(tenant, _)| tenant.as_deref())
    }

    /// The tenant of the token that matches `presented` (`Some(None)`: tenants off). Every token is
    /// compared, each in constant time.
    fn find(&self, presented: &str) -> Option<Option<String>> {
        let presented = digest(presented);
        let mut found = None;
        for (tenant, token) in &self.0 {
            let difference = token
                .iter()
                .zip(presented.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b));
            if difference == 0 {
                found = Some(tenant.clone());
            }
        }
        found
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

pub enum Auth {
    Given(Tokens),
    Secret {
        client: aws_sdk_secretsmanager::Client,
        secret: String,
        ttl: Duration,
        tenants: bool,
        cache: Mutex<Option<(Tokens, Instant)>>,
    },
}

impl Auth {
    /// The tenant the bearer token belongs to; 401 for no token or a wrong one.
    pub async fn check(&self, bearer: Option<&str>) -> Result<Option<String>, ScimError> {
        let presented = bearer.filter(|t| !t.is_empty()).ok_or(ScimError::Unauthorized)?;
        match self {
            Self::Given(tokens) => tokens.find(presented).ok_or(ScimError::Unauthorized),
            Self::Secret {
                client,
                secret,
                ttl,
                tenants,
                cache,
            } => {
                let mut cache = cache.lock().await;
                let fresh =
                    |c: &Option<(Tokens, Instant)>, age: Duration| c.as_ref().is_some_and(|(_, at)| at.elapsed() < age);
                if !fresh(&cache, *ttl) {
                    *cache = Some((read_secret(client, secret, *tenants).await?, Instant::now()));
                }
                let (tokens, _) = cache.as_ref().expect("filled above");
                if let Some(tenant) = tokens.find(presented) {
                    return Ok(tenant);
                }
                if fresh(&cache, REFRESH_ON_MISMATCH_AFTER) {
                    return Err(ScimError::Unauthorized);
                }
                let tokens = read_secret(client, secret, *tenants).await?;
                let found = tokens.find(presented);
                *cache = Some((tokens, Instant::now()));
                found.ok_or(ScimError::Unauthorized)
            }
        }
    }
}

async fn read_secret(
    client: &aws_sdk_secretsmanager::Client,
    secret: &str,
    tenants: bool,
) -> Result<Tokens, ScimError> {
    let out = client.get_secret_value().secret_id(secret).send().await.map_err(|e| {
        use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
        let code = e.code().unwrap_or("no answer").to_owned();
        tracing::error!(secret, code, "the SCIM token secret could not be read");
        ScimError::Unavailable {
            status: 503,
            detail: "the service cannot check tokens now; retry".into(),
        }
    })?;
    let value = out.secret_string().unwrap_or_default();
    Tokens::parse(value, tenants).map_err(|why| {
        tracing::error!(secret, why, "the SCIM token secret is not usable");
        ScimError::Internal(format!("the SCIM token secret {secret} {why}"))
    })
}

#[cfg(test)]
mod tests {
    use super::{Auth, Tokens};
    use crate::error::ScimError;

    const TOKEN: &str = "0123456789abcdef0123456789abcdef";

    #[tokio::test]
    async fn only_the_token_itself_passes() {
        // The scheme is read by qs-function-url's Request::bearer.
        let auth = Auth::Given(Tokens::parse(TOKEN, false).unwrap());
        assert_eq!(auth.check(Some(TOKEN)).await.unwrap(), None);
        for refused in [
            None,
            Some(String::new()),
            Some(format!("{TOKEN}x")),
            Some(TOKEN[1..].to_owned()),
        ] {
            let checked = auth.check(refused.as_deref()).await;
            assert!(matches!(checked, Err(ScimError::Unauthorized)), "{refused:?}");
        }
    }

    #[tokio::test]
    async fn with_tenants_the_token_names_its_tenant() {
        let raw = format!(r#"{{"acme":"{TOKEN}","globex":"{TOKEN}-globex"}}"#);
        let auth = Auth::Given(Tokens::parse(&raw, true).unwrap());
        let globex = auth.check(Some(&format!("{TOKEN}-globex"))).await.unwrap();
        assert_eq!(globex.as_deref(), Some("globex"));
        assert!(Tokens::parse(TOKEN, true).is_err(), "tenants need the JSON form");
        assert!(format!("{:?}", Tokens::parse(TOKEN, false).unwrap()).contains("redacted"));
    }
}
