//! One view, per process, of how fast QuickSight admits calls, shared by every concurrent worker.
//!
//! QuickSight does not publish its rate limits and answers what it will not admit with 429. Each
//! worker retrying on its own burns requests (and, in the SDK, attempts) on calls that will be
//! refused; here every call first waits for a send slot of one shared pace per kind of call, and
//! the pace follows the 429s: additive increase while calls are admitted, multiplicative decrease
//! when one is throttled (AIMD, which is also what makes several instances sharing one limit
//! converge on equal shares instead of starving one another). Until the first 429 nothing waits.

mod connector;

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

pub use connector::AdmittedHttpClient;

/// The pace never drops below this (requests per second), so a throttled worker keeps probing.
const MIN_RATE: f64 = 0.2;
/// How far one throttled call brings the pace down.
const DECREASE: f64 = 0.8;
/// How fast the pace grows while calls are admitted, in requests per second, per second. Constant
/// (not a share of the pace) so that instances sharing one limit converge on equal shares.
const INCREASE_PER_SECOND: f64 = 1.0;
/// The window whose admitted calls become the first pace when the first 429 arrives.
const FIRST_ESTIMATE_WINDOW: Duration = Duration::from_secs(1);
/// The first pace when nothing was admitted in that window (an instance starting while others use
/// the whole limit): one call a second, from which it grows.
const FIRST_RATE_FLOOR: f64 = 1.0;

/// QuickSight limits reads and changes separately: a throttled change must not slow the reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Read,
    Write,
}

impl CallKind {
    /// QuickSight's reads: its GETs (Describe*, List*), and its searches, which are POSTs to a path
    /// with a `search` segment (`/accounts/{id}/search/dashboards`) or ending in `-search`
    /// (`/namespaces/{ns}/groups-search`).
    pub fn of(method: &str, path: &str) -> Self {
        let search = path
            .split('/')
            .any(|segment| segment == "search" || segment.ends_with("-search"));
        if method.eq_ignore_ascii_case("GET") || (method.eq_ignore_ascii_case("POST") && search) {
            CallKind::Read
        } else {
            CallKind::Write
        }
    }
}

/// A call's admission: which pace it went through, and when (its epoch).
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    kind: CallKind,
    epoch: u64,
}

/// The shared paces of one process.
#[derive(Debug, Default)]
pub struct Admission {
    reads: Mutex<Pace>,
    writes: Mutex<Pace>,
}

impl Admission {
    /// Waits for this call's send slot.
    pub async fn admit(&self, kind: CallKind) -> Ticket {
        let (slot, epoch) = self.pace(kind).reserve(Instant::now());
        if let Some(slot) = slot {
            tokio::time::sleep_until(slot).await;
        }
        Ticket { kind, epoch }
    }

    /// What QuickSight answered the admitted call: throttled (429) or not.
    pub fn answered(&self, ticket: Ticket, throttled: bool) {
        let mut pace = self.pace(ticket.kind);
        if throttled {
            pace.throttled(ticket.epoch, Instant::now());
        } else {
            pace.admitted(Instant::now());
        }
    }

    /// The current pace of `kind` in requests per second; `None` until its first 429.
    #[cfg(test)]
    pub fn rate(&self, kind: CallKind) -> Option<f64> {
        self.pace(kind).rate
    }

    fn pace(&self, kind: CallKind) -> std::sync::MutexGuard<'_, Pace> {
        let pace = match kind {
            CallKind::Read => &self.reads,
            CallKind::Write => &self.writes,
        };
        // The state stays consistent even if a holder panicked: every update is one assignment.
        pace.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[derive(Debug, Default)]
struct Pace {
    /// Requests per second; `None` until the first 429.
    rate: Option<f64>,
    /// The earliest free send slot.
    next_slot: Option<Instant>,
    /// Bumped at each decrease: a 429 to a call admitted before it says nothing about the new pace.
    epoch: u64,
    last_increase: Option<Instant>,
    /// Admitted calls of the last window, until the first 429.
    recent: VecDeque<Instant>,
}

impl Pace {
    /// The send slot of a call made at `now` (`None`: send now), and the current epoch.
    fn reserve(&mut self, now: Instant) -> (Option<Instant>, u64) {
        let Some(rate) = self.rate else {
            return (None, self.epoch);
        };
        let slot = self.next_slot.map_or(now, |next| next.max(now));
        self.next_slot = Some(slot + Duration::from_secs_f64(1.0 / rate));
        ((slot > now).then_some(slot), self.epoch)
    }

    fn admitted(&mut self, now: Instant) {
        match self.rate.as_mut() {
            None => {
                self.recent.push_back(now);
                self.forget_before(now);
            }
            Some(rate) => {
                let since = self.last_increase.map_or(Duration::ZERO, |last| now - last);
                *rate += INCREASE_PER_SECOND * since.min(Duration::from_secs(1)).as_secs_f64();
                self.last_increase = Some(now);
            }
        }
    }

    fn throttled(&mut self, epoch: u64, now: Instant) {
        if epoch != self.epoch {
            return;
        }
        let rate = match self.rate {
            // The first 429: what QuickSight admitted in the last second is this instance's share.
            None => {
                self.forget_before(now);
                let admitted = self.recent.len() as f64 / FIRST_ESTIMATE_WINDOW.as_secs_f64();
                self.recent = VecDeque::new();
                admitted.max(FIRST_RATE_FLOOR)
            }
            Some(rate) => rate * DECREASE,
        };
        let rate = rate.max(MIN_RATE);
        self.rate = Some(rate);
        self.epoch += 1;
        self.last_increase = Some(now);
        // The calls already given slots at the old pace keep them; the next waits at the new one.
        let after = now + Duration::from_secs_f64(1.0 / rate);
        self.next_slot = Some(self.next_slot.map_or(after, |next| next.max(after)));
    }

    fn forget_before(&mut self, now: Instant) {
        while self
            .recent
            .front()
            .is_some_and(|&t| now.duration_since(t) > FIRST_ESTIMATE_WINDOW)
        {
            self.recent.pop_front();
        }
    }
}

#[cfg(test)]
mod tests;
