//! qs-reconcile: plans QuickSight's users from a directory (a Cognito user pool, or any other
//! provider's export) and, with --apply, sends the plan to the bulk queue for sqs-sync.

mod report;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use qs_model::config::{Config, EnvReader};
use qs_reconciler::{DirectorySource, Options, Reconciler, enqueue};

/// Plan QuickSight's users from the directory; print the plan (the default), or send it with --apply.
///
/// The deployment's settings (QUICKSIGHT_ACCOUNT_ID, QUICKSIGHT_FEDERATED_ROLE_ARN,
/// EXTERNAL_LOGIN_PROVIDER, GROUP_MAPPING, ...) come from the environment, as the functions read them.
#[derive(Parser)]
#[command(name = "qs-reconcile", version)]
struct Args {
    /// A Cognito user pool to read (ListUsers). Without it or --directory, only an account whose
    /// users come from IAM Identity Center or Active Directory can be reconciled (its role
    /// memberships and self-upgrades).
    #[arg(long, env = "USER_POOL_ID", conflicts_with = "directory")]
    user_pool_id: Option<String>,
    /// Any other provider's export, in qs-enqueue's upsert format (.csv or .jsonl).
    #[arg(long)]
    directory: Option<PathBuf>,
    /// The provider URL the export's users have in QuickSight, when CUSTOM_FEDERATION_PROVIDER_URL
    /// does not give it.
    #[arg(long, requires = "directory")]
    provider_url: Option<String>,
    /// Where a pool user's groups come from: `attribute` (GROUPS_ATTRIBUTE) or `pool` (its groups).
    #[arg(long, env = "DIRECTORY_GROUPS", requires = "user_pool_id")]
    groups_from: Option<String>,
    /// Apply the plan: its user changes sent to the bulk queue (--queue-url), role profiles, role
    /// memberships and self-upgrade decisions made directly; without it nothing is changed.
    #[arg(long)]
    apply: bool,
    /// The bulk queue (a FIFO queue's URL ends in .fifo).
    #[arg(long, env = "BULK_QUEUE_URL")]
    queue_url: Option<String>,
    /// Print the plan as JSON.
    #[arg(long)]
    json: bool,
    /// Move a user's login to the directory's re-created account of the same name (RECONCILE_RELINK).
    #[arg(long)]
    relink: bool,
    /// Delete this directory's users of a deleted IAM role ("N/A") (RECONCILE_DELETE_ORPHANS).
    #[arg(long)]
    delete_orphaned_principals: bool,
    /// Hold back every deletion above this many (RECONCILE_MAX_DELETES, default 25).
    #[arg(long)]
    max_deletes: Option<u32>,
    /// Hold back every deletion above this share of the owned users, from 100 of them
    /// (RECONCILE_MAX_DELETE_PERCENT, default 5).
    #[arg(long)]
    max_delete_percent: Option<u32>,
    /// With tenants (TENANT_NAMESPACE): reconcile only this tenant's namespace; repeatable
    /// (RECONCILE_TENANTS). Without it, every tenant the directory names.
    #[arg(long = "tenant", value_name = "TENANT")]
    tenants: Vec<String>,
}

impl Args {
    /// The flags as the variables they stand for: one reader checks both the same way.
    fn variables(&self) -> HashMap<&'static str, String> {
        let mut vars = HashMap::new();
        let mut set = |name, value: Option<String>| {
            if let Some(v) = value {
                vars.insert(name, v);
            }
        };
        set("USER_POOL_ID", self.user_pool_id.clone());
        set("DIRECTORY_GROUPS", self.groups_from.clone());
        set("RECONCILE_RELINK", self.relink.then(|| "true".into()));
        set(
            "RECONCILE_DELETE_ORPHANS",
            self.delete_orphaned_principals.then(|| "true".into()),
        );
        set("RECONCILE_MAX_DELETES", self.max_deletes.map(|n| n.to_string()));
        set(
            "RECONCILE_MAX_DELETE_PERCENT",
            self.max_delete_percent.map(|n| n.to_string()),
        );
        set(
            "RECONCILE_TENANTS",
            Some(self.tenants.join(",")).filter(|t| !t.is_empty()),
        );
        vars
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    // Warnings (QuickSight's identity region followed, say) as plain lines on stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .without_time()
        .with_target(false)
        .init();
    let args = Args::parse();
    let flags = args.variables();
    let mut env = EnvReader::new(|name| flags.get(name).cloned().or_else(|| std::env::var(name).ok()));
    let config = Config::read(&mut env);
    let options = Options::read(&mut env);
    let source = match &args.directory {
        Some(path) => DirectorySource::Export {
            path: path.clone(),
            issuer: args.provider_url.clone(),
        },
        None => DirectorySource::read_cognito(&mut env),
    };
    let (config, options, source) = env.finish((config, options, source))?;
    let sdk = qs_engine::load_sdk_config(&config).await?;
    let reconciler = Reconciler::build(config, options, source, &sdk).await;

    // Drawn only on a terminal: indicatif hides itself when stderr is not one.
    let progress = ProgressBar::new_spinner();
    progress.set_style(ProgressStyle::with_template("{spinner} reading {msg} {elapsed}").context("template")?);
    let (directory, plan) = reconciler
        .plan(&|what, n| progress.set_message(format!("{what}: {n}")))
        .await?;
    progress.finish_and_clear();

    if let Some(line) = &plan.directory_account {
        eprintln!("{line}");
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        print!("{}", report::table(&plan));
    }
    eprintln!("{}", report::summary_line(&plan.summary));
    let mut failed = false;
    if args.apply {
        if !plan.items.is_empty() {
            let queue_url = args
                .queue_url
                .as_deref()
                .context("--apply needs --queue-url (BULK_QUEUE_URL) to send the plan's user changes")?;
            let sent = enqueue(&aws_sdk_sqs::Client::new(&sdk), queue_url, &plan).await;
            for (user, error) in &sent.failed {
                eprintln!("{user}: not sent: {error}");
            }
            eprintln!("sent {} change(s) to {queue_url}", sent.sent);
            failed = !sent.failed.is_empty();
        }
        let applied = reconciler.apply_governance(&plan).await?;
        if applied > 0 {
            eprintln!("applied {applied} role profile, role membership and self-upgrade change(s)");
        }
    } else if !plan.items.is_empty() || plan.roles.iter().any(|r| !r.left_alone) || !plan.governance.is_empty() {
        eprintln!("dry run: nothing changed (apply the plan with --apply --queue-url URL)");
    }
    if let Some(problem) = plan.problem(&directory) {
        eprintln!("error: {problem}");
        failed = true;
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
