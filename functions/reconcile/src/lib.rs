//! reconcile: the scheduled reconcile of a Cognito user pool with QuickSight. Reads both, plans,
//! logs the plan's summary as one line and sends the plan to the bulk queue for sqs-sync. Ends in
//! error when deletions were held back, the directory read was incomplete, or SQS refused a change,
//! so the schedule's failures show in the function's error metric. Tenants' role profiles, role
//! memberships and self-upgrade decisions it applies itself (not under `DRY_RUN`).

use aws_sdk_sqs::Client as SqsClient;
use lambda_runtime::{Diagnostic, LambdaEvent};
use qs_model::config::{Config, ConfigError, EnvReader, parse};
use qs_observe::logging::Json;
use qs_observe::metrics::{Counts, Metric};
use qs_reconciler::{DirectorySource, Options, ReconcileError, Reconciler, enqueue};
use serde_json::{Value, json};

/// What the function builds once, at cold start.
pub struct App {
    pub reconciler: Reconciler,
    pub sqs: SqsClient,
    /// `BULK_QUEUE_URL`: the queue sqs-sync reads.
    pub queue_url: String,
}

/// Why a run did not end cleanly.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Read(#[from] ReconcileError),
    #[error("{0}")]
    Held(String),
    #[error("{failed} change(s) not sent to the bulk queue (first: {first})")]
    NotSent { failed: usize, first: String },
}

impl From<RunError> for Diagnostic {
    fn from(e: RunError) -> Self {
        let kind = match e {
            RunError::Read(_) => "ReadFailed",
            RunError::Held(_) => "DeletionsHeld",
            RunError::NotSent { .. } => "NotSent",
        };
        Diagnostic {
            error_type: kind.into(),
            error_message: e.to_string(),
        }
    }
}

/// The shared configuration, the pool and the reconcile's own variables, every bad one at once.
pub fn read_env(mut env: EnvReader) -> Result<(Config, Options, DirectorySource, String), ConfigError> {
    let config = Config::read(&mut env);
    let options = Options::read(&mut env);
    let source = DirectorySource::read_cognito(&mut env);
    let queue_url = env.required("BULK_QUEUE_URL", parse::string);
    env.finish((config, options, source, queue_url.unwrap_or_default()))
}

/// One scheduled run; the event (EventBridge Scheduler's) carries nothing it needs.
pub async fn handle(app: &App, _event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
    run(app).await.map_err(|e| {
        tracing::error!(error = %e, "reconcile did not finish cleanly");
        e.into()
    })
}

/// Which part of a run failed, as its `ReconcileFailed` metric line says.
fn phase(e: &ReconcileError) -> &'static str {
    match e {
        ReconcileError::QuickSight(_) => "quicksight",
        ReconcileError::Export(_)
        | ReconcileError::NoCognitoClient
        | ReconcileError::NoDirectory(_)
        | ReconcileError::Directory(_)
        | ReconcileError::WritableTenantAttribute { .. } => "directory",
        ReconcileError::Tenant(_) => "configuration",
    }
}

/// One metric line for a run that failed in `phase`: without it, a failed read wrote nothing.
fn count_failure(mut counts: Counts, phase: &str) {
    counts.add(Metric::ReconcileFailed, 1);
    counts.emit_with("reconcile", &[("Phase", phase)]);
}

async fn run(app: &App) -> Result<Value, RunError> {
    let (directory, plan) = match app.reconciler.plan(&|_, _| {}).await {
        Ok(planned) => planned,
        Err(e) => {
            count_failure(Counts::default(), phase(&e));
            return Err(e.into());
        }
    };
    let s = &plan.summary;
    if let Some(line) = &plan.directory_account {
        tracing::info!("{line}");
    }
    tracing::info!(json.summary = %Json(s), "reconcile plan");
    for note in &plan.notes {
        tracing::warn!(json = %Json(note), "left alone");
    }
    let sent = enqueue(&app.sqs, &app.queue_url, &plan).await;
    for role in plan.roles.iter().filter(|r| r.left_alone) {
        tracing::warn!(json = %Json(role), "tenant role's custom permissions left alone");
    }
    if !plan.governance.is_empty() {
        tracing::info!(json.governance = %Json(&plan.governance), "governance plan");
    }
    let dry_run = app.reconciler.config.dry_run;
    let applied = match dry_run {
        true => Ok(0),
        false => app.reconciler.apply_governance(&plan).await,
    };
    let mut counts = Counts::default();
    if !dry_run && applied.is_ok() {
        counts.add(Metric::ReconcileRoleMembershipsAdded, s.role_memberships_added as u64);
        counts.add(
            Metric::ReconcileRoleMembershipsRemoved,
            s.role_memberships_removed as u64,
        );
        counts.add(Metric::ReconcileSelfUpgradesApproved, s.self_upgrades_approved as u64);
        counts.add(Metric::ReconcileSelfUpgradesDenied, s.self_upgrades_denied as u64);
    }
    counts.add(Metric::ReconcileChangesSent, sent.sent as u64);
    counts.add(Metric::ReconcileChangesNotSent, sent.failed.len() as u64);
    counts.add(Metric::ReconcileDeletionsHeld, s.held_deletes as u64);
    counts.add(Metric::ReconcileUsersLeftAlone, s.notes as u64);
    // One metric line per run: a role that could not be given its profile fails the run after
    // the changes it sent are counted.
    let failed = if !sent.failed.is_empty() {
        Some("queue")
    } else if let Err(e) = &applied {
        Some(phase(e))
    } else {
        directory.incomplete.is_some().then_some("directory")
    };
    match failed {
        Some(phase) => count_failure(counts, phase),
        None => counts.emit("reconcile"),
    }
    let applied = applied?;
    if let Some((_, first)) = sent.failed.first() {
        return Err(RunError::NotSent {
            failed: sent.failed.len(),
            first: first.clone(),
        });
    }
    if let Some(problem) = plan.problem(&directory) {
        return Err(RunError::Held(problem));
    }
    Ok(json!({ "summary": plan.summary, "sent": sent.sent, "applied": applied }))
}

#[cfg(test)]
mod tests;
