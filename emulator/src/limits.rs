//! The knobs that make the emulator behave like a loaded service: rate limits and counters.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;
use tokio::time::Instant;

/// A token bucket of `rate` requests per second, holding at most one second's worth.
pub struct TokenBucket {
    rate: f64,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    pub fn new(rate: f64) -> Self {
        Self {
            rate,
            state: Mutex::new((rate.max(1.0), Instant::now())),
        }
    }

    pub fn try_take(&self) -> bool {
        let mut state = self.state.lock().expect("bucket lock");
        let (tokens, last) = &mut *state;
        let now = Instant::now();
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.rate).min(self.rate.max(1.0));
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Counts for one operation, as `GET /_emulator/stats` reports them.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct OpStats {
    /// Every request that reached the operation, answered or not.
    pub requests: u64,
    /// 2xx answers.
    pub succeeded: u64,
    /// Answered 429 ThrottlingException by --rate-limit.
    pub throttled: u64,
    /// Answered 500/503 by --fail-rate.
    pub injected_failures: u64,
    /// Other 4xx answers (not found, exists, invalid, access denied).
    pub client_errors: u64,
}

#[derive(Default)]
pub struct Stats(Mutex<BTreeMap<&'static str, OpStats>>);

impl Stats {
    pub fn record(&self, operation: &'static str, update: impl FnOnce(&mut OpStats)) {
        update(self.0.lock().expect("stats lock").entry(operation).or_default());
    }

    pub fn snapshot(&self) -> BTreeMap<&'static str, OpStats> {
        self.0.lock().expect("stats lock").clone()
    }

    pub fn clear(&self) {
        self.0.lock().expect("stats lock").clear();
    }
}
