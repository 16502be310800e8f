//! What every function binary sets up the same way at cold start.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// JSON logs, one object per line, level from `RUST_LOG` (default `info`).
pub fn init_logging() {
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
}

/// A Lambda deadline (milliseconds since the epoch) as a tokio instant.
pub fn deadline_from_epoch_millis(deadline_ms: u64) -> Instant {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    Instant::now() + Duration::from_millis(deadline_ms.saturating_sub(now_ms))
}

/// An environment variable, trimmed; unset and blank are both `None`.
pub fn env_optional(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// An optional environment variable, parsed by `parse` (which returns the broken rule on error);
/// errors name the variable, the rule and the value.
pub fn env_var<T>(name: &str, default: T, parse: impl FnOnce(&str) -> Result<T, String>) -> Result<T, String> {
    match env_optional(name) {
        None => Ok(default),
        Some(raw) => parse(&raw).map_err(|rule| format!("{name}: {rule} (got {raw:?})")),
    }
}

/// Parses a whole number in `range`, for [`env_var`].
pub fn number_in<T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy>(
    range: std::ops::RangeInclusive<T>,
) -> impl FnOnce(&str) -> Result<T, String> {
    move |v| {
        v.parse::<T>()
            .ok()
            .filter(|n| range.contains(n))
            .ok_or_else(|| format!("must be a whole number from {} to {}", range.start(), range.end()))
    }
}

/// Parses true/false, for [`env_var`].
pub fn boolean(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err("must be true or false".into()),
    }
}
