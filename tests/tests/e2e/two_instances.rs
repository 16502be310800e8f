//! Two sqs-sync instances drain one FIFO queue against a QuickSight that throttles, fails now and
//! then, answers slowly and shows new users late: every user ends exactly as its last change says,
//! no change is acknowledged that did not happen, and no valid message is dead-lettered.
//! `bench/run --only soak` runs this test again and again and sums the summary line it prints.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use qs_provision_tests::Emulator;
use qs_provision_tests::event_source::{self, Delivery};
use qs_provision_tests::lambda::{Lambda, Moto, base_env};
use serde_json::{Value, json};

/// The template's bulk queue: `VisibilityTimeout` and the redrive policy's default `MaxReceiveCount`.
const VISIBILITY_TIMEOUT: u32 = 360;
const MAX_RECEIVE_COUNT: u32 = 5;
const USERS: usize = 25;

/// What a user must end as: its role and managed groups, or absent.
type Final = Option<(&'static str, Vec<&'static str>)>;

fn upsert(email: &str, role: &str, groups: Option<&[&str]>) -> Value {
    let mut change = json!({ "op": "upsert", "version": 1, "email": email, "role": role });
    if let Some(groups) = groups {
        change["groups"] = json!(groups);
    }
    change
}

fn groups(op: &str, email: &str, groups: &[&str]) -> Value {
    json!({ "op": op, "version": 1, "email": email, "groups": groups })
}

fn delete(email: &str) -> Value {
    json!({ "op": "delete", "version": 1, "email": email })
}

/// User `i`'s four dependent changes, and what they leave. Every delete follows a registration
/// in the same group, so a delete reported `not_found` acknowledged a change it did not make.
fn changes_of(i: usize) -> (String, Vec<Value>, Final) {
    let email = format!("u{i:02}@example.com");
    let e = email.as_str();
    let (changes, last) = match i % 5 {
        0 => (
            vec![
                upsert(e, "READER", None),
                groups("add_groups", e, &["qs-a"]),
                upsert(e, "AUTHOR", None),
                delete(e),
            ],
            None,
        ),
        1 => (
            vec![
                upsert(e, "READER", None),
                groups("add_groups", e, &["qs-a"]),
                groups("remove_groups", e, &["qs-a"]),
                upsert(e, "AUTHOR", None),
            ],
            Some(("AUTHOR", vec![])),
        ),
        2 => (
            vec![
                upsert(e, "READER", None),
                delete(e),
                upsert(e, "READER", Some(&["qs-b"])),
                delete(e),
            ],
            None,
        ),
        3 => (
            vec![
                upsert(e, "READER", Some(&["qs-a"])),
                groups("remove_groups", e, &["qs-a"]),
                groups("add_groups", e, &["qs-b"]),
                groups("add_groups", e, &["qs-c"]),
            ],
            Some(("READER", vec!["qs-b", "qs-c"])),
        ),
        _ => (
            vec![
                upsert(e, "AUTHOR", None),
                upsert(e, "AUTHOR", Some(&["qs-a", "qs-b"])),
                groups("remove_groups", e, &["qs-b"]),
                delete(e),
            ],
            None,
        ),
    };
    (format!("QuickSightFederated/{email}"), changes, last)
}

/// What one run found.
#[derive(Debug, Default)]
struct Tally {
    changes: usize,
    /// Users whose QuickSight state is not what their last change says.
    lost: Vec<String>,
    /// Deletes acknowledged as `not_found` although an earlier change of the group registered the user.
    false_successes: usize,
    dead_lettered: usize,
    redelivered: usize,
}

#[test]
fn two_instances_on_one_fifo_queue_lose_no_change() {
    let started = Instant::now();
    let emu = Emulator::start(&[
        "--rate-limit",
        "5",
        "--fail-rate",
        "0.1",
        "--consistency-delay-ms",
        "500",
        "--latency-ms",
        "20",
    ]);
    let moto = Moto::start();
    let sqs = moto.sqs();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (queue, dlq) = runtime.block_on(event_source::fifo_queue_with_redrive(
        &sqs,
        "qs-provision-bulk",
        VISIBILITY_TIMEOUT,
        MAX_RECEIVE_COUNT,
    ));

    // The template's sqs-sync: 60 s, describe-first, managed prefix; ten attempts against the
    // emulator's injected failures, so that a change returns to the queue only for a reason of its own.
    let mut env = base_env(&emu.url);
    for (k, v) in [
        ("AWS_LAMBDA_FUNCTION_TIMEOUT", "60"),
        ("MANAGED_GROUP_PREFIX", "qs-"),
        ("QUICKSIGHT_MAX_ATTEMPTS", "10"),
        ("QUICKSIGHT_CONSISTENCY_SECONDS", "2"),
    ] {
        env.push((k.into(), v.into()));
    }
    let (a, b) = (Lambda::start("sqs-sync", &env), Lambda::start("sqs-sync", &env));

    let users: Vec<(String, Vec<Value>, Final)> = (0..USERS).map(changes_of).collect();
    // Round by round, so that one user's next change is queued while others' are in flight.
    let mut bodies = Vec::new();
    for round in 0..4 {
        for (i, (_, changes, _)) in users.iter().enumerate() {
            bodies.push((format!("user-{i:02}"), changes[round].to_string()));
        }
    }
    runtime.block_on(async {
        for (n, chunk) in bodies.chunks(10).enumerate() {
            let mut send = sqs.send_message_batch().queue_url(&queue);
            for (k, (group, body)) in chunk.iter().enumerate() {
                send = send.entries(
                    aws_sdk_sqs::types::SendMessageBatchRequestEntry::builder()
                        .id(k.to_string())
                        .message_body(body)
                        .message_group_id(group)
                        .message_deduplication_id(format!("{n}-{k}"))
                        .build()
                        .unwrap(),
                );
            }
            assert!(send.send().await.unwrap().failed().is_empty());
        }
    });

    let deliveries = event_source::run(&sqs, &queue, &[&a, &b], Duration::from_secs(900));
    let tally = tally(
        &emu,
        &users,
        &deliveries,
        runtime.block_on(event_source::messages_in(&sqs, &dlq)),
    );
    // One line the soak reads: `bench/run --only soak`.
    println!(
        "soak-run: changes {} lost {} false-successes {} dead-lettered {} redelivered {} wall {:.1} s",
        tally.changes,
        tally.lost.len(),
        tally.false_successes,
        tally.dead_lettered,
        tally.redelivered,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(tally.lost, Vec::<String>::new(), "users not as their last change says");
    assert_eq!(tally.false_successes, 0, "deletes acknowledged without deleting");
    assert_eq!(tally.dead_lettered, 0, "valid changes dead-lettered");
    assert_eq!(tally.changes, USERS * 4, "every change applied once");
}

/// An SQS record of a FIFO group, as Lambda hands it over.
fn record(id: &str, change: &Value) -> Value {
    let attributes = json!({ "ApproximateReceiveCount": "1", "MessageGroupId": "ana" });
    json!({ "messageId": id, "body": change.to_string(), "attributes": attributes, "eventSource": "aws:sqs" })
}

/// The smallest case, without a queue: instance A registers a user, instance B gets its delete right
/// after, while QuickSight does not show the user yet; and one instance given both in one batch.
#[test]
fn a_delete_right_after_a_registration_deletes_the_user() {
    let emu = Emulator::start(&["--consistency-delay-ms", "2000"]);
    let mut env = base_env(&emu.url);
    env.push(("QUICKSIGHT_CONSISTENCY_SECONDS".into(), "5".into()));
    let (a, b) = (Lambda::start("sqs-sync", &env), Lambda::start("sqs-sync", &env));
    let ana = "ana@example.com";

    let registered = a.invoke(&json!({ "Records": [record("m1", &upsert(ana, "READER", None))] }));
    let deleted = b.invoke(&json!({ "Records": [record("m2", &delete(ana))] }));

    assert_eq!(registered["results"][0]["outcome"]["user"]["status"], "registered");
    assert_eq!(deleted["batchItemFailures"], json!([]));
    assert_eq!(
        deleted["results"][0]["outcome"]["user"]["status"], "deleted",
        "{deleted}"
    );
    assert_eq!(emu.user_names(), Vec::<String>::new());

    let bo = "bo@example.com";
    let both = a.invoke(&json!({ "Records": [
        record("m3", &upsert(bo, "READER", None)),
        record("m4", &delete(bo)),
    ]}));
    assert_eq!(both["batchItemFailures"], json!([]));
    assert_eq!(both["results"][1]["outcome"]["user"]["status"], "deleted", "{both}");
    assert_eq!(emu.user_names(), Vec::<String>::new());
}

fn tally(emu: &Emulator, users: &[(String, Vec<Value>, Final)], deliveries: &[Delivery], dead_lettered: u64) -> Tally {
    let applied: Vec<&Delivery> = deliveries.iter().filter(|d| d.report["status"] == "applied").collect();
    let false_successes = applied
        .iter()
        .filter(|d| d.body.contains(r#""op":"delete""#) && d.report["outcome"]["user"]["status"] == "not_found")
        .count();
    let present: BTreeMap<String, Value> = emu
        .user_names()
        .into_iter()
        .map(|name| (name.clone(), emu.user(&name)))
        .collect();
    let lost = users
        .iter()
        .filter(|(name, _, last)| {
            let now = present.get(name).map(|user| {
                let mut groups = emu.groups_of(name);
                groups.sort();
                (user["Role"].as_str().unwrap_or_default().to_owned(), groups)
            });
            let want = last
                .as_ref()
                .map(|(role, groups)| (role.to_string(), groups.iter().map(|g| g.to_string()).collect()));
            now != want
        })
        .map(|(name, _, _)| name.clone())
        .collect();
    Tally {
        changes: applied.len(),
        lost,
        false_successes,
        dead_lettered: dead_lettered as usize,
        redelivered: deliveries.iter().filter(|d| d.receive_count > 1).count(),
    }
}
