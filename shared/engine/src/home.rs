//! The engine at work in one home (a namespace and role): every user and group call of a change
//! names the change's namespace, and registers through the change's role.

use std::future::Future;
use std::ops::Deref;

use qs_model::tenant::Home;
use tokio::time::{Instant, sleep_until};

use super::{Engine, EngineError, FIRST_VISIBILITY_BACKOFF, GroupChanges, Outcome, TagChanges, UserChange};

pub(crate) struct InHome<'a> {
    pub engine: &'a Engine,
    pub home: &'a Home,
    /// When the engine took the change up: every registration that finished before it is
    /// visible once the consistency window has passed since.
    pub seen: Instant,
    /// When the change must be done by.
    pub deadline: Instant,
}

impl Deref for InHome<'_> {
    type Target = Engine;

    fn deref(&self) -> &Engine {
        self.engine
    }
}

impl InHome<'_> {
    pub fn namespace(&self) -> &str {
        &self.home.namespace
    }

    /// A user as the process-wide records know it: the same name may live in two namespaces.
    fn key(&self, user_name: &str) -> String {
        format!("{}/{user_name}", self.home.namespace)
    }

    pub fn record_registration(&self, user_name: &str) {
        self.recent.record(&self.key(user_name));
    }

    /// Whether this engine registered `user_name` here within the consistency window.
    pub fn registered_recently(&self, user_name: &str) -> bool {
        self.recent
            .registered_at(&self.key(user_name))
            .is_some_and(|at| at.elapsed() < self.consistency_window)
    }

    /// Until when a "not found" about `user_name` may be QuickSight not showing a registration
    /// yet: the consistency window from when the change was seen, or from this process's own
    /// registration of the user when that is later. `None` once a 404 is final.
    pub fn unsettled_until(&self, user_name: &str) -> Option<Instant> {
        let registered = self.recent.registered_at(&self.key(user_name));
        let from = registered.map_or(self.seen, |at| at.max(self.seen));
        let until = from + self.consistency_window;
        (Instant::now() < until).then_some(until)
    }

    /// What `read` finds of `user_name`, where `None` (QuickSight's 404) is trusted only once it
    /// is final ([`Self::unsettled_until`]): until then the read is repeated with backoff, the
    /// last one at the window's end. A window that outlasts the deadline is
    /// [`EngineError::NotYetVisible`]: the change goes back to the queue, never acknowledged on
    /// a 404 that may be wrong.
    pub async fn settled<T, F>(
        &self,
        user_name: &str,
        operation: &'static str,
        read: impl Fn() -> F,
    ) -> Result<Option<T>, EngineError>
    where
        F: Future<Output = Result<Option<T>, EngineError>>,
    {
        let started = Instant::now();
        let mut backoff = FIRST_VISIBILITY_BACKOFF;
        loop {
            if let Some(found) = read().await? {
                return Ok(Some(found));
            }
            let Some(until) = self.unsettled_until(user_name) else {
                return Ok(None);
            };
            let next = (Instant::now() + backoff).min(until);
            if next >= self.deadline {
                return Err(EngineError::NotYetVisible {
                    user: user_name.to_owned(),
                    operation,
                    waited: started.elapsed(),
                });
            }
            tracing::debug!(
                user_name,
                operation,
                ?backoff,
                "not found, but may be registered moments ago; reading again"
            );
            sleep_until(next).await;
            backoff *= 2;
        }
    }

    /// [`Self::settled`] for a user that must be there: a final 404 is
    /// [`EngineError::NotYetVisible`] too (transient: the change returns to the queue rather
    /// than failing for good).
    pub async fn shown<T, F>(
        &self,
        user_name: &str,
        operation: &'static str,
        read: impl Fn() -> F,
    ) -> Result<T, EngineError>
    where
        F: Future<Output = Result<Option<T>, EngineError>>,
    {
        let started = Instant::now();
        self.settled(user_name, operation, read)
            .await?
            .ok_or_else(|| EngineError::NotYetVisible {
                user: user_name.to_owned(),
                operation,
                waited: started.elapsed(),
            })
    }

    pub fn outcome(&self, user_name: &str, arn: Option<String>, user: UserChange, groups: GroupChanges) -> Outcome {
        Outcome {
            user_name: user_name.to_owned(),
            namespace: self.home.namespace.clone(),
            arn,
            user,
            groups,
            tags: TagChanges::default(),
            role_downgrade: None,
            assets_handed_over: Vec::new(),
            dry_run: self.dry_run,
        }
    }
}
