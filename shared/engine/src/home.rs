//! The engine at work in one home (a namespace and role): every user and group call of a change
//! names the change's namespace, and registers through the change's role.

use std::ops::Deref;

use qs_model::tenant::Home;

use super::{Engine, GroupChanges, Outcome, TagChanges, UserChange};

pub(crate) struct InHome<'a> {
    pub engine: &'a Engine,
    pub home: &'a Home,
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

    /// Whether this engine registered `user_name` here moments ago.
    pub fn registered_recently(&self, user_name: &str) -> bool {
        self.recent.contains(&self.key(user_name))
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
