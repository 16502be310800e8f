//! qs-engine: the provisioning engine on one `aws-sdk-quicksight` client built at cold start.
//! Register-or-update, group sync, tags and deletions, each idempotent; what to do to a user is
//! [`qs_model::user::decide`]'s answer, applied here.
//!
//! - [`client`]: the QuickSight client, its HTTPS stack and the process's shared admission pace.
//! - [`batch`]: a batch of queued changes applied with bounded concurrency.
//! - [`runtime`]: the Lambda deadline.

mod account;
mod assets;
pub mod batch;
mod client;
mod directory;
mod embed;
mod error;
mod groups;
mod home;
mod namespaces;
mod orphans;
mod recent;
pub mod runtime;
mod tags;
mod user;

use std::collections::BTreeSet;
use std::future::Future;
use std::time::Duration;

use aws_sdk_quicksight::Client;
use qs_model::account::{DirectoryAccount, SignIn};
use qs_model::assets::AssetHandover;
use qs_model::config::{Config, GroupScope, RoleDowngrade};
use qs_model::message::{GroupSync, Planned, UserAction};
use qs_model::tenant::Home;
use qs_model::validate::UserSpec;
use tokio::time::Instant;

use home::InHome;

pub use account::{account_sign_in, require_self_upgrade_approval};
pub use assets::owned_assets;
pub use client::{HttpsGet, RegionalClient, build_client, load_sdk_config, with_retries};
pub use embed::{EMBED_URL_VALIDITY, Embed, EmbedUrl};
pub use error::{EngineError, from_sdk};
pub use namespaces::apply_role_profile;
pub use qs_model::outcome::{GroupChanges, Outcome, RoleDowngradeReport, TagChanges, UserChange};
pub use user::existing_user;

const FIRST_VISIBILITY_BACKOFF: Duration = Duration::from_millis(100);
const MAX_VISIBILITY_BACKOFF: Duration = Duration::from_secs(1);

/// How the engine learns whether a user exists, which costs one call either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstCall {
    /// DescribeUser, then RegisterUser only when it answers 404: a new user costs one read,
    /// an existing one no mutating call at all. For bulk changes, which mostly touch existing users;
    /// reads also have the looser of QuickSight's rate limits.
    Describe,
    /// RegisterUser, then DescribeUser only when it answers 409: a new user costs nothing extra.
    /// For sign-ups, whose users are new, and whose deadline (Cognito's 5 s) favours fewer calls.
    Register,
}

pub struct Engine {
    quicksight: RegionalClient,
    account_id: String,
    /// Where the warm-up call goes: the one home, or (tenants on) `default`.
    warm_up_home: Home,
    dry_run: bool,
    /// How long QuickSight may take to show a registration (`QUICKSIGHT_CONSISTENCY_SECONDS`).
    consistency_window: Duration,
    first_call: FirstCall,
    role_downgrade: RoleDowngrade,
    managed_tag_keys: BTreeSet<String>,
    /// The provider URL QuickSight reports for this deployment's users, when it is known.
    provider_url: Option<String>,
    recent: recent::RecentRegistrations,
    namespaces: namespaces::Namespaces,
    asset_handover: AssetHandover,
    /// The account's sign-in method, once read ([`Engine::connect`]); `None` before, or when the
    /// read failed (then IAM federation is assumed, and QuickSight's answers say otherwise).
    sign_in: Option<SignIn>,
}

impl Engine {
    /// `client` is the seam: production passes [`build_client`]'s, tests a mocked or emulator-bound one.
    pub fn new(client: Client, config: &Config) -> Self {
        Self::with_client(RegionalClient::fixed(client), config)
    }

    fn with_client(quicksight: RegionalClient, config: &Config) -> Self {
        Self {
            quicksight,
            account_id: config.account_id.clone(),
            warm_up_home: config.home(None).unwrap_or_else(|_| Home {
                namespace: qs_model::config::DEFAULT_NAMESPACE.into(),
                ..Home::default()
            }),
            dry_run: config.dry_run,
            consistency_window: config.consistency_window,
            first_call: FirstCall::Describe,
            role_downgrade: config.role_downgrade,
            managed_tag_keys: config.managed_tag_keys.clone(),
            provider_url: config.reported_provider_url().map(str::to_owned),
            recent: Default::default(),
            namespaces: match config.tenancy() {
                Some(t) => {
                    namespaces::Namespaces::new(t.create_namespace, t.role_permissions.clone(), config.self_upgrade)
                }
                None => namespaces::Namespaces::new(false, Default::default(), config.self_upgrade),
            },
            asset_handover: config.asset_handover.clone(),
            sign_in: None,
        }
    }

    /// The engine a function starts with: [`build_client`]'s client, the account's sign-in method
    /// read, and the connection opened during init when `QUICKSIGHT_WARM_UP` asks for it.
    pub async fn connect(sdk: &aws_config::SdkConfig, config: &Config) -> Self {
        let engine = Self::with_client(RegionalClient::following(sdk, config), config)
            .read_account()
            .await;
        if config.warm_up {
            engine.warm_up().await;
        }
        engine
    }

    /// Reads the account's sign-in method (one DescribeAccountSubscription), kept for the process.
    /// A failed read is logged and leaves it unknown: a sign-up never fails because QuickSight had
    /// a bad second at init.
    pub async fn read_account(mut self) -> Self {
        match account_sign_in(&self.client(), &self.account_id).await {
            Ok(sign_in) => self.sign_in = Some(sign_in),
            Err(e) => tracing::warn!(
                error = %e.summary(),
                "could not read the account's sign-in method; IAM federation assumed"
            ),
        }
        self
    }

    /// The account's sign-in method, when read.
    pub fn sign_in(&self) -> Option<&SignIn> {
        self.sign_in.as_ref()
    }

    /// Why IAM-federated users cannot be provisioned in this account, when they cannot: its
    /// identities come from IAM Identity Center or Active Directory.
    pub fn directory_account(&self) -> Option<DirectoryAccount> {
        DirectoryAccount::of(&self.account_id, self.sign_in.as_ref()?)
    }

    /// This engine, when the account lets it register IAM-federated users; else the one message
    /// a function stops with, before any write, logged here once.
    pub fn require_federation(self) -> Result<Self, DirectoryAccount> {
        match self.directory_account() {
            Some(stop) => {
                tracing::error!("{stop}");
                Err(stop)
            }
            None => Ok(self),
        }
    }

    /// Which call register-or-update starts with (default [`FirstCall::Describe`]).
    pub fn with_first_call(mut self, first_call: FirstCall) -> Self {
        self.first_call = first_call;
        self
    }

    /// What a change to a reader's role does to an author or admin (default: the configuration's).
    pub fn with_role_downgrade(mut self, role_downgrade: RoleDowngrade) -> Self {
        self.role_downgrade = role_downgrade;
        self
    }

    /// How long QuickSight may take to show a registration (default: the configuration's).
    pub fn with_consistency_window(mut self, window: Duration) -> Self {
        self.consistency_window = window;
        self
    }

    /// Opens the connection to QuickSight before the first invoke needs it: a DescribeUser of a
    /// name no session can have (session names have no spaces): a read, whose answer is ignored.
    async fn warm_up(&self) {
        let home = &self.warm_up_home;
        let _ = self
            .client()
            .describe_user()
            .aws_account_id(&self.account_id)
            .namespace(&home.namespace)
            .user_name(home.user_name(" warm-up"))
            .send()
            .await;
    }

    /// Tenants' namespaces this process created since the last call, for the invocation's metrics.
    pub fn take_namespaces_created(&self) -> u64 {
        self.namespaces.take_created()
    }

    /// The QuickSight client to call with now.
    fn client(&self) -> Client {
        self.quicksight.get()
    }

    /// Runs `work`, and once more when it failed because QuickSight answers in another identity
    /// region that the client now follows (every change is idempotent, and the refused call changed
    /// nothing).
    async fn in_identity_region<T, F: Future<Output = Result<T, EngineError>>>(
        &self,
        work: impl Fn() -> F,
    ) -> Result<T, EngineError> {
        match work().await {
            Err(e) if self.quicksight.follow(&e) => work().await,
            done => done,
        }
    }

    /// Applies a planned change from the queue, a sign-up or a directory, in its home.
    pub async fn apply(&self, planned: &Planned, deadline: Instant) -> Result<Outcome, EngineError> {
        self.in_identity_region(|| {
            within(deadline, "apply", async {
                let at = self.at(&planned.home, deadline).await?;
                Box::pin(at.apply_now(&planned.action)).await
            })
        })
        .await
    }

    /// Registers or updates the user, then (when `groups` is given) makes the user's groups of
    /// `scope` exactly `groups`.
    pub async fn provision(
        &self,
        home: &Home,
        spec: &UserSpec,
        groups: Option<&BTreeSet<String>>,
        scope: &GroupScope,
        deadline: Instant,
    ) -> Result<Outcome, EngineError> {
        within(deadline, "provision", async {
            self.at(home, deadline).await?.provision_now(spec, groups, scope).await
        })
        .await
    }

    /// Registers the user, or updates only what differs when it exists.
    pub async fn register_or_update(
        &self,
        home: &Home,
        spec: &UserSpec,
        deadline: Instant,
    ) -> Result<Outcome, EngineError> {
        within(deadline, "register_or_update", async {
            self.at(home, deadline).await?.register_or_update_now(spec).await
        })
        .await
    }

    /// Adds and removes the named memberships and touches no other.
    pub async fn change_groups(
        &self,
        home: &Home,
        user_name: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
        deadline: Instant,
    ) -> Result<Outcome, EngineError> {
        within(deadline, "change_groups", async {
            self.at(home, deadline)
                .await?
                .change_groups_outcome(user_name, add, remove)
                .await
        })
        .await
    }

    /// Deletes the user; a user already gone is success (`not_found`), once QuickSight's 404 is
    /// final: a user any process registered before this call is deleted.
    pub async fn delete_user(&self, home: &Home, user_name: &str, deadline: Instant) -> Result<Outcome, EngineError> {
        within(deadline, "delete_user", async {
            self.at(home, deadline).await?.delete_user_now(user_name, None).await
        })
        .await
    }

    /// Deletes the old name of a renamed user, its assets handed to `heir` (the new name's ARN)
    /// first and checked, whatever `ASSET_HANDOVER` says of leavers: the person stays.
    pub async fn retire_old_name(
        &self,
        home: &Home,
        user_name: &str,
        heir: &str,
        deadline: Instant,
    ) -> Result<Outcome, EngineError> {
        self.in_identity_region(|| {
            within(deadline, "retire_old_name", async {
                self.at(home, deadline)
                    .await?
                    .delete_user_now(user_name, Some(heir))
                    .await
            })
        })
        .await
    }

    /// This engine at work in `home` on a change that starts now, without the namespace check
    /// (reads, and calls whose home is known ready).
    fn in_home<'a>(&'a self, home: &'a Home, deadline: Instant) -> InHome<'a> {
        InHome {
            engine: self,
            home,
            seen: Instant::now(),
            deadline,
        }
    }

    /// This engine at work in `home`, once its namespace is ready (a tenant's namespace is
    /// checked once per process, and created on first use when configured).
    async fn at<'a>(&'a self, home: &'a Home, deadline: Instant) -> Result<InHome<'a>, EngineError> {
        let at = self.in_home(home, deadline);
        if home.tenant.is_some() {
            self.namespaces.ensure(&at, deadline).await?;
        }
        Ok(at)
    }
}

impl InHome<'_> {
    async fn apply_now(&self, action: &UserAction) -> Result<Outcome, EngineError> {
        let none = BTreeSet::new();
        // Boxed: each operation's future is deep, and one enum of all four nested in a handler's
        // future overflows the compiler's layout depth limit.
        match action {
            UserAction::Upsert { spec, groups } => {
                let (desired, scope) = match groups {
                    Some(GroupSync { desired, scope }) => (Some(desired), scope),
                    None => (None, &GroupScope::default()),
                };
                Box::pin(self.provision_now(spec, desired, scope)).await
            }
            UserAction::AddGroups { user_name, groups } => {
                Box::pin(self.change_groups_outcome(user_name, groups, &none)).await
            }
            UserAction::RemoveGroups { user_name, groups } => {
                Box::pin(self.change_groups_outcome(user_name, &none, groups)).await
            }
            UserAction::Delete { user_name } => Box::pin(self.delete_user_now(user_name, None)).await,
            UserAction::DeleteByPrincipalId { principal_id } => Box::pin(self.delete_orphan_now(principal_id)).await,
        }
    }

    async fn provision_now(
        &self,
        spec: &UserSpec,
        groups: Option<&BTreeSet<String>>,
        scope: &GroupScope,
    ) -> Result<Outcome, EngineError> {
        let mut outcome = self.register_or_update_now(spec).await?;
        if let Some(desired) = groups {
            let is_new = outcome.user == UserChange::Registered;
            let synced = self.sync_groups_now(&outcome.user_name, desired, scope, is_new).await?;
            outcome.groups.merge(synced);
        }
        Ok(outcome)
    }

    async fn change_groups_outcome(
        &self,
        user_name: &str,
        add: &BTreeSet<String>,
        remove: &BTreeSet<String>,
    ) -> Result<Outcome, EngineError> {
        let groups = self.change_groups_now(user_name, add, remove).await?;
        Ok(self.outcome(user_name, None, UserChange::Unchanged, groups))
    }
}

/// Runs `work` until `deadline`, so a caller with a hard time limit gets an error, not a kill.
async fn within<T>(
    deadline: Instant,
    operation: &'static str,
    work: impl Future<Output = Result<T, EngineError>>,
) -> Result<T, EngineError> {
    tokio::time::timeout_at(deadline, work)
        .await
        .map_err(|_| EngineError::DeadlineExceeded { operation })?
}

#[cfg(test)]
mod tests;
