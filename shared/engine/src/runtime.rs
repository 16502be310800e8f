//! What every function binary needs from the Lambda invocation.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

/// A Lambda deadline (milliseconds since the epoch) as a tokio instant.
pub fn deadline_from_epoch_millis(deadline_ms: u64) -> Instant {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64;
    Instant::now() + Duration::from_millis(deadline_ms.saturating_sub(now_ms))
}

/// Time kept back from the invocation's deadline to answer in.
pub const ANSWER_MARGIN: Duration = Duration::from_millis(300);

/// The instant by which work must end for the answer to leave before the Lambda deadline.
pub fn answer_deadline(deadline_ms: u64) -> Instant {
    deadline_from_epoch_millis(deadline_ms) - ANSWER_MARGIN
}
