//! The users this engine registered in the last minute: a 404 about one of them is QuickSight not
//! showing it yet (eventual consistency), not a user that does not exist.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// How long after registration a 404 still counts as QuickSight catching up.
const WINDOW: Duration = Duration::from_secs(60);

#[derive(Default)]
pub(super) struct RecentRegistrations(Mutex<HashMap<String, Instant>>);

impl RecentRegistrations {
    pub(super) fn record(&self, user_name: &str) {
        let mut recent = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Forget the old ones as new ones come: the map holds one minute of registrations.
        recent.retain(|_, at| at.elapsed() < WINDOW);
        recent.insert(user_name.to_owned(), Instant::now());
    }

    pub(super) fn contains(&self, user_name: &str) -> bool {
        let recent = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        recent.get(user_name).is_some_and(|at| at.elapsed() < WINDOW)
    }
}
