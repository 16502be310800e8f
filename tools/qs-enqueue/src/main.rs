//! qs-enqueue: turns a CSV or JSON Lines file into validated queue messages for sqs-sync. Rows
//! are validated with the deployment's configuration, read from the environment as the functions
//! read it, so a row it sends is one sqs-sync accepts.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use qs_model::config::Config;
use qs_model::message::file::{self, Op};
use qs_queue::Outgoing;

/// Validate every row of FILE as sqs-sync would, then queue the changes for sqs-sync.
///
/// The deployment's settings come from the environment, as the functions read them: at least
/// QUICKSIGHT_ACCOUNT_ID and QUICKSIGHT_FEDERATED_ROLE_ARN, and whatever else the deployment sets
/// (EXTERNAL_LOGIN_PROVIDER, CUSTOM_FEDERATION_PROVIDER_URL, USER_TAGS, ...).
#[derive(Parser)]
#[command(name = "qs-enqueue", version)]
struct Args {
    /// A .csv file (header row: email,role,groups,session_name,external_login_id,...; groups
    /// separated by ';') or a .jsonl file (one message per line).
    file: PathBuf,
    /// The bulk queue (a FIFO queue's URL ends in .fifo).
    #[arg(long, required_unless_present = "dry_run")]
    queue_url: Option<String>,
    /// The operation of every CSV row.
    #[arg(long, default_value = "upsert", value_parser = parse_op)]
    op: Op,
    /// Send the valid rows even when some are invalid.
    #[arg(long)]
    skip_invalid: bool,
    /// Validate and print the messages that would be sent; send nothing.
    #[arg(long)]
    dry_run: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let config = Config::from_env().context("qs-enqueue validates rows with the deployment's settings")?;
    let file::File { id: file_id, rows } = file::read(&args.file, args.op)?;
    let mut valid = Vec::new();
    let mut invalid = 0;
    for row in &rows {
        // The verdict sqs-sync would give: the change planned against this deployment.
        let checked = match &row.change {
            Ok(change) => change.plan(&config).map(|_| change),
            Err(errors) => Err(errors.clone()),
        };
        match checked {
            Ok(change) => valid.push(Outgoing {
                line: row.line,
                change,
                submission: format!("{file_id}:{}", row.line),
            }),
            Err(errors) => {
                invalid += 1;
                for e in &errors.0 {
                    eprintln!(
                        "{}:{}: {}: {} (got {:?})",
                        args.file.display(),
                        row.line,
                        e.field,
                        e.rule,
                        e.value
                    );
                }
            }
        }
    }
    let summary = |sent: usize, failed: usize| {
        eprintln!(
            "rows read: {}, sent: {sent}, invalid: {invalid}, failed: {failed}",
            rows.len()
        );
    };
    if args.dry_run {
        for row in &valid {
            println!("{}", row.change.to_json());
        }
        summary(0, 0);
        return Ok(if invalid > 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        });
    }
    if invalid > 0 && !args.skip_invalid {
        eprintln!("nothing sent: {invalid} invalid row(s); fix them or pass --skip-invalid");
        summary(0, 0);
        return Ok(ExitCode::FAILURE);
    }
    let queue_url = args.queue_url.expect("clap requires --queue-url without --dry-run");
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    // Drawn only on a terminal: indicatif hides itself when stderr is not one.
    let progress = ProgressBar::new(valid.len() as u64);
    progress.set_style(ProgressStyle::with_template("{bar:40} {pos}/{len} sent {elapsed}").expect("template"));
    let sent = qs_queue::send_all(&sqs, &queue_url, &valid, &|n| progress.inc(n as u64)).await;
    progress.finish_and_clear();
    for failure in &sent.failed {
        eprintln!("{}:{}: not sent: {}", args.file.display(), failure.line, failure.error);
    }
    summary(sent.sent, sent.failed.len());
    Ok(if invalid > 0 || !sent.failed.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn parse_op(v: &str) -> Result<Op, String> {
    let names: Vec<&str> = Op::ALL.iter().map(|(name, _)| *name).collect();
    Op::ALL
        .iter()
        .find(|(name, _)| *name == v)
        .map(|(_, op)| *op)
        .ok_or_else(|| format!("must be one of {}", names.join(", ")))
}
