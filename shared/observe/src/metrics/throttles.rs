//! QuickSight calls answered 429, for the `ThrottledCalls` metric: every one, including those the
//! admission layer sends again. One count per process: a Lambda instance runs one invocation at a
//! time.

use std::sync::atomic::{AtomicU64, Ordering};

static THROTTLED: AtomicU64 = AtomicU64::new(0);

/// The calls throttled since the last call to this.
pub fn take_throttled() -> u64 {
    THROTTLED.swap(0, Ordering::Relaxed)
}

/// Counts one call QuickSight answered 429.
pub fn record_throttled() {
    THROTTLED.fetch_add(1, Ordering::Relaxed);
}
