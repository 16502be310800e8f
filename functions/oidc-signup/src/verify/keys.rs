//! The provider's signing keys: cached, refetched when a token names an unknown `kid`, at most once
//! a second whether the provider answered or not (junk `kid`s cannot hammer it nor make every
//! sign-up wait for a provider that is down), and the keys already known served meanwhile.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use jsonwebtoken::jwk::{Jwk, JwkSet, KeyOperations, PublicKeyUse};
use tokio::sync::RwLock;
use tokio::time::Instant;

use super::Rejected;

/// An unknown `kid` refetches the key set at most this often.
pub(super) const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(1);

static REFETCHES: AtomicU64 = AtomicU64::new(0);

/// The key set fetches since the last call beyond each cache's first (the `JwksRefetches` metric).
pub fn take_refetches() -> u64 {
    REFETCHES.swap(0, Ordering::Relaxed)
}

#[derive(Default)]
struct Cached {
    keys: Option<JwkSet>,
    /// The last fetch, answered or not.
    attempted: Option<Instant>,
}

#[derive(Default)]
pub(super) struct KeyCache(RwLock<Cached>);

impl KeyCache {
    pub(super) fn with(keys: JwkSet) -> Self {
        Self(RwLock::new(Cached {
            keys: Some(keys),
            attempted: Some(Instant::now()),
        }))
    }

    /// The signing key with `kid`: from the cache, else from a fresh set when the last fetch is
    /// long enough ago.
    pub(super) async fn key<F, Fut>(&self, kid: &str, fetch: F) -> Result<Jwk, Rejected>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<JwkSet, Rejected>>,
    {
        if let Some(jwk) = self.0.read().await.keys.as_ref().and_then(|set| set.find(kid)) {
            return signing(jwk);
        }
        let mut cached = self.0.write().await;
        let recently = cached.attempted.is_some_and(|at| at.elapsed() < MIN_REFETCH_INTERVAL);
        if !recently {
            if cached.attempted.is_some() {
                REFETCHES.fetch_add(1, Ordering::Relaxed);
            }
            cached.attempted = Some(Instant::now());
            // A failed fetch keeps the keys already known.
            cached.keys = Some(fetch().await?);
        }
        match &cached.keys {
            Some(set) => set.find(kid).map_or(Err(Rejected::UnknownKey), signing),
            None => Err(Rejected::KeysUnavailable(
                "the last fetch failed less than a second ago".into(),
            )),
        }
    }
}

/// Only a key meant for signatures may verify one (RFC 7517 §4.2, §4.3).
fn signing(jwk: &Jwk) -> Result<Jwk, Rejected> {
    let common = &jwk.common;
    let for_encryption = matches!(
        common.public_key_use,
        Some(PublicKeyUse::Encryption | PublicKeyUse::Other(_))
    );
    let no_verify = common
        .key_operations
        .as_ref()
        .is_some_and(|ops| !ops.contains(&KeyOperations::Verify));
    if for_encryption || no_verify {
        return Err(Rejected::NotASigningKey);
    }
    Ok(jwk.clone())
}
