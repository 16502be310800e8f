//! One reconcile: read both snapshots, plan, and (when applying) send the plan to the bulk queue.
//! The scheduled function and qs-reconcile both run it.

use std::collections::{BTreeSet, HashMap};

use std::sync::OnceLock;

use qs_engine::{EngineError, RegionalClient, account_sign_in, owned_assets};
use qs_model::account::{DirectoryAccount, SignIn};
use qs_model::assets::OwnedAsset;
use qs_model::config::Config;
use qs_model::message::Change;
use qs_model::message::file::FileError;
use qs_model::tenant::{Home, WritableTenant};
use qs_model::validate::FieldError;
use qs_queue::Outgoing;

use super::read::{self, Progress};
use super::{Action, Directory, DirectorySource, Options, Plan, QuickSightSnapshot, plan, with_assets};

/// Attempts per page read (QUICKSIGHT_MAX_ATTEMPTS is for changes, whose retries the queue adds to).
const READ_ATTEMPTS: u32 = 10;

#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// Without QuickSight's users nothing can be compared: nothing is planned.
    #[error("reading QuickSight: {0}")]
    QuickSight(#[from] EngineError),
    #[error("reading the directory: {0}")]
    Export(#[from] FileError),
    #[error("a Cognito directory needs a Cognito client")]
    NoCognitoClient,
    #[error(
        "no directory to reconcile with: this account signs in with {0}, so its users come from a directory this deployment reads; set USER_POOL_ID (qs-reconcile: --user-pool-id, or --directory for an export)"
    )]
    NoDirectory(String),
    #[error("{0}")]
    Tenant(#[from] FieldError),
    /// Anyone signing up through these clients could have chosen their tenant.
    #[error(
        "the tenant attribute {attribute} is writable by the users of app client(s) {}: no tenant from this pool is trusted (make it read-only in those clients, or TENANT_ATTRIBUTE_WRITABLE=allow)",
        clients.join(", ")
    )]
    WritableTenantAttribute { attribute: String, clients: Vec<String> },
    #[error("reading the directory: {0}")]
    Directory(String),
}

/// What a reconcile reads with, built once.
pub struct Reconciler {
    pub config: Config,
    pub options: Options,
    pub source: DirectorySource,
    pub quicksight: RegionalClient,
    pub cognito: Option<aws_sdk_cognitoidentityprovider::Client>,
    /// The account's sign-in method, read by the first run of the process.
    sign_in: OnceLock<SignIn>,
}

impl Reconciler {
    /// The QuickSight and Cognito clients from `sdk`, the configuration the caller loaded once for
    /// all its clients (`AWS_ENDPOINT_URL_QUICKSIGHT` and `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`
    /// point them at local stand-ins).
    pub async fn build(config: Config, options: Options, source: DirectorySource, sdk: &aws_config::SdkConfig) -> Self {
        // One reader, page after page: the client's admission pace keeps it under QuickSight's
        // limit, and a throttled page waits and is sent again rather than ending the run.
        let reading = Config {
            max_attempts: READ_ATTEMPTS,
            ..config.clone()
        };
        let quicksight = RegionalClient::following(sdk, &reading);
        let cognito = match &source {
            DirectorySource::Cognito { .. } => Some(aws_sdk_cognitoidentityprovider::Client::new(sdk)),
            DirectorySource::Export { .. } | DirectorySource::None => None,
        };
        Self::new(config, options, source, quicksight, cognito)
    }

    /// A reconciler on the given clients (tests pass mocked or emulator-bound ones).
    pub fn new(
        config: Config,
        options: Options,
        source: DirectorySource,
        quicksight: RegionalClient,
        cognito: Option<aws_sdk_cognitoidentityprovider::Client>,
    ) -> Self {
        Self {
            config,
            options,
            source,
            quicksight,
            cognito,
            sign_in: OnceLock::new(),
        }
    }

    /// The account's sign-in method: read once (DescribeAccountSubscription), then kept.
    async fn sign_in(&self) -> Result<&SignIn, ReconcileError> {
        if let Some(known) = self.sign_in.get() {
            return Ok(known);
        }
        let read = match account_sign_in(&self.quicksight.get(), &self.config.account_id).await {
            Err(e) if self.quicksight.follow(&e) => {
                account_sign_in(&self.quicksight.get(), &self.config.account_id).await
            }
            read => read,
        }?;
        Ok(self.sign_in.get_or_init(|| read))
    }

    /// Reads the directory, then QuickSight, and plans. In an account whose identities come from
    /// a directory service, only what QuickSight lets this product govern there is planned.
    pub async fn plan(&self, progress: Progress<'_>) -> Result<(Directory, Plan), ReconcileError> {
        let sign_in = self.sign_in().await?;
        if let Some(stop) = DirectoryAccount::of(&self.config.account_id, sign_in) {
            return Ok((Directory::default(), self.plan_directory_account(&stop).await?));
        }
        let directory = match &self.source {
            DirectorySource::Cognito {
                pool_id,
                groups,
                attributes,
            } => {
                let client = self.cognito.as_ref().ok_or(ReconcileError::NoCognitoClient)?;
                if let Some(tenancy) = self.config.tenancy()
                    && tenancy.attribute_writable == WritableTenant::Refuse
                {
                    let attribute = &tenancy.attribute;
                    let clients = read::writable_clients(client, pool_id, attribute)
                        .await
                        .map_err(ReconcileError::Directory)?;
                    if !clients.is_empty() {
                        let attribute = attribute.clone();
                        return Err(ReconcileError::WritableTenantAttribute { attribute, clients });
                    }
                }
                read::cognito(client, &self.config, pool_id, *groups, attributes, progress).await
            }
            DirectorySource::Export { path, issuer } => read::export(&self.config, path, issuer.as_deref())?,
            DirectorySource::None => return Err(ReconcileError::NoDirectory(sign_in.to_string())),
        };
        let homes = self.homes(&directory)?;
        let quicksight = match self.read_quicksight(&directory, &homes, progress).await {
            // QuickSight answers in another identity region, which the client now follows.
            Err(ReconcileError::QuickSight(e)) if self.quicksight.follow(&e) => {
                self.read_quicksight(&directory, &homes, progress).await?
            }
            read => read?,
        };
        let mut plan = plan(&self.config, &directory, &quicksight, &self.options);
        let owned = self.leavers_assets(&plan, &quicksight).await?;
        with_assets(&mut plan, &self.config, &owned);
        if !self.config.role_memberships.is_empty() {
            plan.misconfigured = Some(format!(
                "ROLE_MEMBERSHIPS gives roles to groups of IAM Identity Center or Active Directory, but this account signs in with {sign_in}: nothing of it was applied (unset it, or map groups with GROUP_MAPPING)"
            ));
        }
        Ok((directory, plan))
    }

    /// The plan for an account whose users and groups come from `stop`'s directory: no user is
    /// read or planned (QuickSight refuses IAM-federated users there); role memberships and the
    /// namespace's self-upgrade setting are.
    async fn plan_directory_account(&self, stop: &DirectoryAccount) -> Result<Plan, ReconcileError> {
        let client = self.quicksight.get();
        let home = Home {
            namespace: self
                .config
                .home(None)
                .map(|h| h.namespace)
                .unwrap_or_else(|_| "default".into()),
            ..Home::default()
        };
        let mut quicksight = QuickSightSnapshot::default();
        if !self.config.role_memberships.is_empty() {
            let held =
                crate::governance::read_role_memberships(&client, &self.config.account_id, &home.namespace).await?;
            quicksight.role_members = Some((home.namespace.clone(), held));
        }
        if self.config.self_upgrade.requires_approval() {
            let self_upgrades = crate::governance::read_self_upgrades(&client, &self.config, &home).await?;
            quicksight.namespaces.push(crate::NamespaceSnapshot {
                home,
                self_upgrades: Some(self_upgrades),
                ..Default::default()
            });
        }
        let mut plan = plan(&self.config, &Directory::default(), &quicksight, &self.options);
        plan.directory_account = Some(format!(
            "QuickSight account {} signs in through {} (AuthenticationType {}): its users and groups come from {}, so no user is reconciled here; role memberships (ROLE_MEMBERSHIPS) and self-upgrade approval are",
            stop.account, stop.directory, stop.mode, stop.directory
        ));
        Ok(plan)
    }

    /// Applies what the plan changes in QuickSight directly: tenants' roles' profiles (none left
    /// alone), role memberships and self-upgrades; how many calls changed something.
    pub async fn apply_governance(&self, plan: &Plan) -> Result<usize, ReconcileError> {
        let client = self.quicksight.get();
        let profiles = crate::roles::apply(&client, &self.config, &plan.roles).await?;
        let governance = crate::governance::apply(&client, &self.config, &plan.governance).await?;
        Ok(profiles + governance)
    }

    /// QuickSight's users and memberships in each home.
    async fn read_quicksight(
        &self,
        directory: &Directory,
        homes: &[Home],
        progress: Progress<'_>,
    ) -> Result<QuickSightSnapshot, ReconcileError> {
        let wanted = wanted_groups(directory);
        let client = self.quicksight.get();
        let mut quicksight = QuickSightSnapshot::default();
        for home in homes {
            let namespace = read::quicksight(&client, &self.config, home, &wanted, progress).await?;
            quicksight.namespaces.push(namespace);
        }
        Ok(quicksight)
    }

    /// The assets each leaver whose deletion is sent owns directly (five searches per leaver):
    /// what its deletion hands over, or why it is refused. Held-back deletions are not read for.
    async fn leavers_assets(
        &self,
        plan: &Plan,
        quicksight: &QuickSightSnapshot,
    ) -> Result<HashMap<(Option<String>, String), Vec<OwnedAsset>>, ReconcileError> {
        let mut owned = HashMap::new();
        for item in plan.items.iter().filter(|i| i.action == Action::Delete) {
            let arn = quicksight
                .namespaces
                .iter()
                .filter(|n| n.home.tenant == item.tenant)
                .flat_map(|n| &n.users)
                .find(|u| u.user_name == item.user)
                .and_then(|u| u.arn.as_deref());
            if let Some(arn) = arn {
                let assets = owned_assets(&self.quicksight.get(), &self.config.account_id, arn).await?;
                owned.insert((item.tenant.clone(), item.user.clone()), assets);
            }
        }
        Ok(owned)
    }

    /// The namespaces this run reads and plans: the one namespace without tenants; with tenants,
    /// those of `--tenant` (RECONCILE_TENANTS), else of every tenant the directory names.
    fn homes(&self, directory: &Directory) -> Result<Vec<Home>, ReconcileError> {
        if self.config.tenancy().is_none() {
            if let Some(tenant) = self.options.tenants.first() {
                let rule = "is only used when TENANT_NAMESPACE is set";
                return Err(FieldError::new("RECONCILE_TENANTS", rule, tenant).into());
            }
            return Ok(vec![self.config.home(None)?]);
        }
        if !self.options.tenants.is_empty() {
            let homes: Result<Vec<Home>, _> = self.options.tenants.iter().map(|t| self.config.home(Some(t))).collect();
            return Ok(homes?);
        }
        let named: BTreeSet<&str> = directory
            .users
            .iter()
            .filter_map(|u| u.change.as_ref().ok()?.tenant())
            .collect();
        // A tenant no home can be made of is the user's own problem, reported in the plan.
        Ok(named
            .into_iter()
            .filter_map(|t| self.config.home(Some(t)).ok())
            .collect())
    }
}

/// Every group some directory user should be in: their memberships are read along with the
/// managed groups'.
fn wanted_groups(directory: &Directory) -> BTreeSet<String> {
    directory
        .users
        .iter()
        .filter_map(|u| match &u.change {
            Ok(Change::Upsert(upsert)) => upsert.groups.as_ref(),
            _ => None,
        })
        .flatten()
        .cloned()
        .collect()
}

/// What the queue took of a plan.
#[derive(Debug, Default)]
pub struct Enqueued {
    pub sent: usize,
    /// The users whose change SQS did not take, with its error.
    pub failed: Vec<(String, String)>,
}

/// Sends every planned change to the bulk queue. A change is named by its content (its tenant,
/// user, operation and values), so a FIFO queue keeps one copy of it for five minutes however
/// often a send is retried or a run repeated: two runs in a row send each change once.
pub async fn enqueue(sqs: &aws_sdk_sqs::Client, queue_url: &str, plan: &Plan) -> Enqueued {
    let outgoing: Vec<Outgoing> = plan
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| Outgoing {
            line: i as u64,
            change: &item.message,
            submission: format!("reconcile:{}", item.message.to_json()),
        })
        .collect();
    let sent = qs_queue::send_all(sqs, queue_url, &outgoing, &|_| {}).await;
    Enqueued {
        sent: sent.sent,
        failed: sent
            .failed
            .into_iter()
            .map(|f| (plan.items[f.line as usize].user.clone(), f.error))
            .collect(),
    }
}
