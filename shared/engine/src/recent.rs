//! The users this engine registered in the last minutes: a 404 about one of them is QuickSight not
//! showing it yet (eventual consistency), not a user that does not exist.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// How long a registration is remembered: longer than any consistency window the configuration allows.
const KEPT: Duration = Duration::from_secs(300);

#[derive(Default)]
pub(super) struct RecentRegistrations(Mutex<HashMap<String, Instant>>);

impl RecentRegistrations {
    pub(super) fn record(&self, user_name: &str) {
        let mut recent = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Forget the old ones as new ones come: the map holds a few minutes of registrations.
        recent.retain(|_, at| at.elapsed() < KEPT);
        recent.insert(user_name.to_owned(), Instant::now());
    }

    /// When this engine last registered `user_name`, if it still remembers.
    pub(super) fn registered_at(&self, user_name: &str) -> Option<Instant> {
        let recent = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        recent.get(user_name).copied().filter(|at| at.elapsed() < KEPT)
    }
}
