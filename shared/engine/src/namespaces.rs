//! A tenant's namespace, ready before its first change. QuickSight creates a namespace
//! asynchronously (`CREATING`, then `CREATED`), and user and group calls fail until it is
//! `CREATED`. The engine checks each tenant's namespace once per process (DescribeNamespace),
//! creates it when `TENANT_CREATE_NAMESPACE` is on, and waits for `CREATED` within the change's
//! deadline. One task at a time makes a namespace ready, so two first sign-ups in one process
//! create it once; another process's creation answers ResourceExistsException, and this one waits.
//! A namespace this process creates gets `TENANT_ROLE_PERMISSIONS` (UpdateRoleCustomPermission per
//! role) before its first change goes on, and self-upgrades that need approval when `SELF_UPGRADE`
//! asks for it; the reconcile checks every tenant's.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_quicksight::types::{IdentityStore, NamespaceStatus};
use qs_model::config::SelfUpgrade;
use qs_model::user::Refusal;
use qs_model::validate::UserRole;
use tokio::time::{Instant, sleep};

use super::error::{EXISTS, NOT_FOUND, code_of, from_sdk};
use super::require_self_upgrade_approval;
use super::{EngineError, InHome};

const FIRST_POLL: Duration = Duration::from_millis(250);
const MAX_POLL: Duration = Duration::from_secs(1);

pub(crate) struct Namespaces {
    /// `TENANT_CREATE_NAMESPACE`.
    create: bool,
    /// `TENANT_ROLE_PERMISSIONS`.
    role_permissions: BTreeMap<UserRole, String>,
    /// `SELF_UPGRADE`.
    self_upgrade: SelfUpgrade,
    /// Per namespace: what this process knows of it, behind the lock its first check holds.
    ready: Mutex<HashMap<String, Arc<tokio::sync::Mutex<Readiness>>>>,
    /// Namespaces created and not yet counted in a metric line.
    created: AtomicU64,
}

impl Namespaces {
    pub fn new(create: bool, role_permissions: BTreeMap<UserRole, String>, self_upgrade: SelfUpgrade) -> Self {
        Self {
            create,
            role_permissions,
            self_upgrade,
            ready: Mutex::default(),
            created: AtomicU64::new(0),
        }
    }

    /// Returns once `at`'s namespace is `CREATED`, or why it is not.
    pub async fn ensure(&self, at: &InHome<'_>, deadline: Instant) -> Result<(), EngineError> {
        let slot = {
            let mut ready = self.ready.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            ready.entry(at.namespace().to_owned()).or_default().clone()
        };
        let mut state = slot.lock().await;
        if !state.ready {
            state.ready = at
                .make_ready(self.create, deadline, &self.created, &mut state.setup_due)
                .await?;
        }
        if state.setup_due && state.ready {
            // Kept due until every role has its profile: a failure is retried with the change.
            at.apply_role_permissions(&self.role_permissions).await?;
            if self.self_upgrade.requires_approval() {
                require_self_upgrade_approval(&at.client(), &at.account_id, at.namespace()).await?;
            }
            state.setup_due = false;
        }
        Ok(())
    }

    /// Namespaces this process created since the last call: counted when CreateNamespace answers,
    /// so one still `CREATING` when its change gives up counts too.
    pub fn take_created(&self) -> u64 {
        self.created.swap(0, Ordering::Relaxed)
    }
}

/// UpdateRoleCustomPermission: `role` in `namespace` gets `profile`. The engine calls it for a
/// namespace it creates, the reconcile for a tenant's role that lacks its profile.
pub async fn apply_role_profile(
    client: &aws_sdk_quicksight::Client,
    account_id: &str,
    namespace: &str,
    role: UserRole,
    profile: &str,
) -> Result<(), EngineError> {
    client
        .update_role_custom_permission()
        .aws_account_id(account_id)
        .namespace(namespace)
        .role(role.as_str().into())
        .custom_permissions_name(profile)
        .send()
        .await
        .map_err(|e| from_sdk("UpdateRoleCustomPermission", e))?;
    tracing::info!(
        namespace,
        role = role.as_str(),
        profile,
        "applied the role's custom permissions"
    );
    Ok(())
}

/// What one process knows of a namespace.
#[derive(Default)]
pub(crate) struct Readiness {
    /// Known `CREATED`.
    ready: bool,
    /// Created by this process, its roles' profiles (and self-upgrade approval) not applied yet.
    setup_due: bool,
}

impl InHome<'_> {
    /// UpdateRoleCustomPermission for each role `permissions` names.
    async fn apply_role_permissions(&self, permissions: &BTreeMap<UserRole, String>) -> Result<(), EngineError> {
        for (role, profile) in permissions {
            apply_role_profile(&self.client(), &self.account_id, self.namespace(), *role, profile).await?;
        }
        Ok(())
    }

    /// Waits for the namespace to be `CREATED`, creating it first when `create` allows; whether
    /// it is (a dry run does not create, and reports `false`).
    async fn make_ready(
        &self,
        create: bool,
        deadline: Instant,
        created: &AtomicU64,
        setup_due: &mut bool,
    ) -> Result<bool, EngineError> {
        let mut poll = FIRST_POLL;
        loop {
            let status = match self.namespace_status().await? {
                Some(NamespaceStatus::Created) => return Ok(true),
                None if !create => return Err(EngineError::Refused(self.unknown_tenant())),
                // Users of a namespace yet to be created read as absent: the dry run says what
                // registering them would do.
                None if self.dry_run => return Ok(false),
                None => {
                    if self.create_namespace().await? {
                        created.fetch_add(1, Ordering::Relaxed);
                        *setup_due = true;
                    }
                    NamespaceStatus::Creating
                }
                Some(status @ (NamespaceStatus::Creating | NamespaceStatus::RetryableFailure)) => status,
                Some(status) => {
                    return Err(EngineError::Refused(Refusal::NamespaceUnusable {
                        namespace: self.namespace().to_owned(),
                        status: status.as_str().to_owned(),
                    }));
                }
            };
            if Instant::now() + poll > deadline {
                return Err(EngineError::NamespaceNotReady {
                    namespace: self.namespace().to_owned(),
                    status: status.as_str().to_owned(),
                });
            }
            sleep(poll).await;
            poll = (poll * 2).min(MAX_POLL);
        }
    }

    fn unknown_tenant(&self) -> Refusal {
        Refusal::UnknownTenant {
            tenant: self.home.tenant.clone().unwrap_or_default(),
            namespace: self.namespace().to_owned(),
        }
    }

    /// The namespace's creation status; `None` when it does not exist.
    async fn namespace_status(&self) -> Result<Option<NamespaceStatus>, EngineError> {
        let described = self
            .client()
            .describe_namespace()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .send()
            .await;
        match described {
            Ok(out) => Ok(Some(
                out.namespace()
                    .and_then(|n| n.creation_status())
                    .cloned()
                    .unwrap_or(NamespaceStatus::Created),
            )),
            Err(e) if code_of(&e) == Some(NOT_FOUND) => Ok(None),
            Err(e) => Err(from_sdk("DescribeNamespace", e)),
        }
    }

    /// CreateNamespace; one another process created meanwhile is as good (`false`).
    async fn create_namespace(&self) -> Result<bool, EngineError> {
        let created = self
            .client()
            .create_namespace()
            .aws_account_id(&self.account_id)
            .namespace(self.namespace())
            .identity_store(IdentityStore::Quicksight)
            .send()
            .await;
        match created {
            Ok(_) => {
                tracing::info!(namespace = self.namespace(), "creating the tenant's namespace");
                Ok(true)
            }
            Err(e) if code_of(&e) == Some(EXISTS) => Ok(false),
            Err(e) => Err(from_sdk("CreateNamespace", e)),
        }
    }
}
