//! SQS feeding a function as Lambda's event source mapping does: each poller receives batches of
//! up to ten with their system attributes, invokes its own function instance, and deletes every
//! message the function does not report failed. A failed message stays hidden until its
//! visibility timeout ends, and SQS moves it to the dead-letter queue after the redrive policy's
//! receives. For FIFO queues SQS itself hands out no message of a group while an earlier one is
//! in flight.

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_sqs::types::{Message, MessageSystemAttributeName, QueueAttributeName};
use serde_json::{Value, json};

use crate::lambda::Lambda;

/// A FIFO queue with a FIFO dead-letter queue, as the template makes them: its URL and the DLQ's.
pub async fn fifo_queue_with_redrive(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    visibility_timeout: u32,
    max_receive_count: u32,
) -> (String, String) {
    let dlq = crate::lambda::fifo_queue(sqs, &format!("{name}-dlq.fifo")).await;
    let dlq_arn = queue_arn(sqs, &dlq).await;
    let redrive = json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count });
    let created = sqs
        .create_queue()
        .queue_name(format!("{name}.fifo"))
        .attributes(QueueAttributeName::FifoQueue, "true")
        .attributes(QueueAttributeName::VisibilityTimeout, visibility_timeout.to_string())
        .attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
        .send()
        .await
        .unwrap();
    (created.queue_url().expect("a queue URL").to_owned(), dlq)
}

async fn queue_arn(sqs: &aws_sdk_sqs::Client, queue: &str) -> String {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(queue)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap();
    attributes.attributes().unwrap()[&QueueAttributeName::QueueArn].clone()
}

/// Messages in the queue: visible and in flight.
pub async fn messages_in(sqs: &aws_sdk_sqs::Client, queue: &str) -> u64 {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(queue)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .send()
        .await
        .unwrap();
    let attributes = attributes.attributes().unwrap();
    let count = |name| attributes.get(&name).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    count(QueueAttributeName::ApproximateNumberOfMessages)
        + count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
}

/// One message as one invocation handled it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub message_id: String,
    pub body: String,
    pub receive_count: u32,
    /// The function's report of it (`status`, `outcome` or `failure`).
    pub report: Value,
}

/// The SQS event Lambda builds for a batch of received messages.
fn sqs_event(queue_arn: &str, messages: &[Message]) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            let attributes: serde_json::Map<String, Value> = m
                .attributes()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str().to_owned(), json!(v)))
                .collect();
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": attributes,
                "messageAttributes": {},
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": "us-east-1",
            })
        })
        .collect();
    json!({ "Records": records })
}

/// Feeds `queue` to every function in `instances` at once, one poller each, until the queue holds
/// no message (visible or in flight) or `limit` has passed; every message each invocation handled.
pub fn run(sqs: &aws_sdk_sqs::Client, queue: &str, instances: &[&Lambda], limit: Duration) -> Vec<Delivery> {
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    };
    let control = runtime();
    let arn = control.block_on(queue_arn(sqs, queue));
    let done = AtomicBool::new(false);
    let deliveries = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for lambda in instances {
            let (arn, done, deliveries) = (&arn, &done, &deliveries);
            scope.spawn(move || {
                let runtime = runtime();
                while !done.load(Ordering::SeqCst) {
                    let messages = runtime.block_on(receive(sqs, queue));
                    if messages.is_empty() {
                        continue;
                    }
                    let response = lambda.invoke(&sqs_event(arn, &messages));
                    let handled = runtime.block_on(acknowledge(sqs, queue, &messages, &response));
                    deliveries.lock().unwrap().extend(handled);
                }
            });
        }
        while started.elapsed() < limit && control.block_on(messages_in(sqs, queue)) > 0 {
            std::thread::sleep(Duration::from_millis(500));
        }
        done.store(true, Ordering::SeqCst);
    });
    deliveries.into_inner().unwrap()
}

/// One receive, long-polling up to a second.
async fn receive(sqs: &aws_sdk_sqs::Client, queue: &str) -> Vec<Message> {
    let received = sqs
        .receive_message()
        .queue_url(queue)
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .send()
        .await
        .unwrap();
    received.messages().to_vec()
}

/// Deletes every message the function did not report failed; what it did with each.
async fn acknowledge(sqs: &aws_sdk_sqs::Client, queue: &str, messages: &[Message], response: &Value) -> Vec<Delivery> {
    let failed: HashSet<&str> = response["batchItemFailures"]
        .as_array()
        .unwrap_or_else(|| panic!("a partial batch response: {response}"))
        .iter()
        .filter_map(|f| f["itemIdentifier"].as_str())
        .collect();
    let mut deliveries = Vec::new();
    for m in messages {
        let id = m.message_id().unwrap_or_default();
        let report = response["results"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["message_id"] == id))
            .cloned()
            .unwrap_or(Value::Null);
        let receive_count = m
            .attributes()
            .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
            .and_then(|c| c.parse().ok())
            .unwrap_or(1);
        deliveries.push(Delivery {
            message_id: id.to_owned(),
            body: m.body().unwrap_or_default().to_owned(),
            receive_count,
            report,
        });
    }
    let applied: Vec<&Message> = messages
        .iter()
        .filter(|m| !failed.contains(m.message_id().unwrap_or_default()))
        .collect();
    if !applied.is_empty() {
        crate::lambda::delete_messages(sqs, queue, applied).await;
    }
    deliveries
}
