//! SendMessageBatch, ten entries a call, several calls in flight, failed entries retried.

use std::time::Duration;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use futures::StreamExt;
use indicatif::ProgressBar;
use qs_provision::message::Change;

const BATCH: usize = 10;
const IN_FLIGHT: usize = 4;
const ATTEMPTS: u32 = 5;

pub struct Sent {
    pub sent: usize,
    pub failed: Vec<String>,
}

fn entry(index: usize, change: &Change, fifo: bool) -> SendMessageBatchRequestEntry {
    let mut entry = SendMessageBatchRequestEntry::builder()
        .id(index.to_string())
        .message_body(change.to_json());
    if fifo {
        let (group, dedup) = change.fifo_ids();
        entry = entry.message_group_id(group).message_deduplication_id(dedup);
    }
    entry.build().expect("id and body are set")
}

pub async fn send_all(sqs: &Client, queue_url: &str, changes: &[Change], progress: &ProgressBar) -> Sent {
    let fifo = queue_url.ends_with(".fifo");
    let chunks: Vec<Vec<(usize, &Change)>> = changes
        .iter()
        .enumerate()
        .collect::<Vec<_>>()
        .chunks(BATCH)
        .map(<[_]>::to_vec)
        .collect();
    let results: Vec<(usize, Vec<String>)> = futures::stream::iter(chunks)
        .map(|chunk| async move {
            let outcome = send_batch(sqs, queue_url, &chunk, fifo).await;
            progress.inc(chunk.len() as u64);
            outcome
        })
        .buffer_unordered(IN_FLIGHT)
        .collect()
        .await;
    Sent {
        sent: results.iter().map(|r| r.0).sum(),
        failed: results.into_iter().flat_map(|r| r.1).collect(),
    }
}

/// Sends one batch, retrying the entries SQS reports failed; returns (sent, failure messages).
async fn send_batch(sqs: &Client, queue_url: &str, chunk: &[(usize, &Change)], fifo: bool) -> (usize, Vec<String>) {
    let mut pending: Vec<(usize, &Change)> = chunk.to_vec();
    let mut sent = 0;
    let mut last_errors = Vec::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(200 * 2u64.pow(attempt - 1))).await;
        }
        let entries = pending.iter().map(|(i, c)| entry(*i, c, fifo)).collect();
        match sqs
            .send_message_batch()
            .queue_url(queue_url)
            .set_entries(Some(entries))
            .send()
            .await
        {
            Ok(out) => {
                sent += out.successful().len();
                let failed: Vec<&str> = out.failed().iter().map(|f| f.id()).collect();
                last_errors = out
                    .failed()
                    .iter()
                    .map(|f| format!("entry {}: {}", f.id(), f.message().unwrap_or(f.code())))
                    .collect();
                pending.retain(|(i, _)| failed.contains(&i.to_string().as_str()));
            }
            Err(e) => {
                use aws_sdk_sqs::error::ProvideErrorMetadata;
                let message = match (e.code(), e.message()) {
                    (Some(code), Some(message)) => format!("{code}: {message}"),
                    _ => aws_sdk_sqs::error::DisplayErrorContext(&e).to_string(),
                };
                last_errors = vec![message];
            }
        }
        if pending.is_empty() {
            return (sent, Vec::new());
        }
    }
    let failures = pending
        .iter()
        .map(|(i, _)| format!("row {}: {}", i + 1, last_errors.join("; ")))
        .collect();
    (sent, failures)
}
