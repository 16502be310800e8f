//! The sqs-sync binary under aws-lambda-rie against quicksight-local: partial batch responses,
//! FIFO order, same-user changes, throttling and the invocation deadline.

use qs_provision_tests::Emulator;
use qs_provision_tests::lambda::{Lambda, base_env};
use serde_json::{Value, json};

fn env(emu: &Emulator, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = base_env(&emu.url);
    env.push(("MANAGED_GROUP_PREFIX".into(), "qs-".into()));
    env.push(("QUICKSIGHT_MAX_ATTEMPTS".into(), "10".into()));
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

fn record(id: &str, body: &str, fifo_group: Option<&str>) -> Value {
    let mut attributes = json!({ "ApproximateReceiveCount": "1" });
    if let Some(g) = fifo_group {
        attributes["MessageGroupId"] = json!(g);
    }
    json!({ "messageId": id, "body": body, "attributes": attributes, "messageAttributes": {}, "eventSource": "aws:sqs" })
}

fn upsert(name: &str, groups: &[&str]) -> String {
    json!({ "op": "upsert", "version": 1, "email": format!("{name}@example.com"), "groups": groups }).to_string()
}

fn failed_ids(response: &Value) -> Vec<String> {
    let mut ids: Vec<String> = response["batchItemFailures"]
        .as_array()
        .expect("batchItemFailures")
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn result_of<'a>(response: &'a Value, id: &str) -> &'a Value {
    response["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["message_id"] == id)
        .expect("a result per message")
}

/// Two registrations (three memberships), a repeat, a delete, and three invalid messages.
fn mixed_batch() -> Value {
    json!({ "Records": [
        record("m1", &upsert("ana", &["qs-a"]), None),
        record("m2", "this is not json", None),
        record("m3", &upsert("bo", &["qs-a", "qs-b"]), None),
        record("m4", r#"{"op":"upsert","version":1,"emial":"typo@example.com"}"#, None),
        record("m5", &upsert("ana", &["qs-a"]), None),
        record("m6", r#"{"op":"upsert","version":1,"email":"cy@example.com","role":"RESTRICTED_READER"}"#, None),
        record("m7", r#"{"op":"delete","version":1,"email":"bo@example.com"}"#, None),
    ]})
}

#[test]
fn a_mixed_batch_fails_only_its_bad_messages() {
    let emu = Emulator::start(&[]);
    let lambda = Lambda::start("sqs-sync", &env(&emu, &[]));

    let response = lambda.invoke(&mixed_batch());

    assert_eq!(failed_ids(&response), ["m2", "m4", "m6"]);
    let typo = &result_of(&response, "m4")["failure"]["errors"][0];
    assert!(
        typo["rule"].as_str().unwrap().contains("unknown field `emial`"),
        "{typo}"
    );
    assert_eq!(result_of(&response, "m6")["failure"]["errors"][0]["field"], "role");
    // The duplicate for ana ran after the first, never beside it.
    assert_eq!(result_of(&response, "m1")["outcome"]["user"]["status"], "registered");
    assert_eq!(result_of(&response, "m5")["outcome"]["user"]["status"], "unchanged");
    // bo's upsert and delete are one user's changes, applied in order.
    assert_eq!(result_of(&response, "m7")["outcome"]["user"]["status"], "deleted");
    assert_eq!(emu.user_names(), ["QuickSightFederated/ana@example.com"]);
}

/// The invocation's metrics: one log line in the embedded metric format, with the request id like
/// every other line, `_aws` a real object, and every declared metric a number of the document.
#[test]
fn an_invocation_logs_its_counts_as_one_emf_document() {
    let emu = Emulator::start(&[]);
    // At WARN, metric lines are still written.
    let lambda = Lambda::start("sqs-sync", &env(&emu, &[("AWS_LAMBDA_LOG_LEVEL", "WARN")]));

    lambda.invoke(&mixed_batch());

    let documents: Vec<Value> = lambda
        .log_lines()
        .into_iter()
        .filter(|l| l.get("_aws").is_some())
        .collect();
    assert_eq!(documents.len(), 1, "{documents:#?}");
    let doc = &documents[0];
    assert!(doc["request_id"].as_str().is_some_and(|id| !id.is_empty()), "{doc}");
    let directive = &doc["_aws"]["CloudWatchMetrics"][0];
    assert!(doc["_aws"]["Timestamp"].is_u64());
    assert_eq!(directive["Namespace"], "qs-provision");
    assert_eq!(directive["Dimensions"], json!([["Function"]]));
    assert_eq!(doc["Function"], "sqs-sync");
    let declared: Vec<&str> = directive["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Name"].as_str().unwrap())
        .collect();
    for name in &declared {
        assert!(doc[name].is_u64(), "{name} is declared but not a number: {doc}");
    }
    let count = |name: &str| doc[name].as_u64().unwrap_or_else(|| panic!("{name} missing: {doc}"));
    assert_eq!(
        [
            count("UsersRegistered"),
            count("UsersUnchanged"),
            count("UsersDeleted"),
            count("MembershipsAdded"),
            count("ChangesFailedInvalid"),
            count("ThrottledCalls"),
        ],
        [2, 1, 1, 3, 3, 0]
    );
}

/// Each message's report is part of its log line, as fields Logs Insights can query
/// (`failure.reason`, `outcome.user.status`), not a JSON string inside the line.
#[test]
fn a_messages_report_is_fields_of_its_log_line() {
    let emu = Emulator::start(&[]);
    let lambda = Lambda::start("sqs-sync", &env(&emu, &[]));

    let response = lambda.invoke(&mixed_batch());

    let lines = lambda.log_lines();
    let with_message = |text: &str| -> Vec<&Value> { lines.iter().filter(|l| l["message"] == text).collect() };
    let failed = with_message("message failed; it returns to the queue");
    assert_eq!(failed.len(), failed_ids(&response).len(), "{lines:#?}");
    for line in failed {
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["status"], "failed");
        assert_eq!(line["failure"]["reason"], "invalid", "{line}");
        assert!(line["failure"]["errors"][0]["field"].is_string(), "{line}");
        assert!(line["message_id"].is_string(), "{line}");
    }
    let applied = with_message("message applied");
    assert!(!applied.is_empty());
    for line in applied {
        assert!(line["outcome"]["user"]["status"].is_string(), "{line}");
        assert!(line["op"].is_string(), "{line}");
    }
}

#[test]
fn fifo_groups_stop_at_the_first_failure_and_keep_their_order() {
    let emu = Emulator::start(&[]);
    let lambda = Lambda::start("sqs-sync", &env(&emu, &[]));
    let batch = json!({ "Records": [
        record("a1", &upsert("ana", &["qs-a"]), Some("g1")),
        // QuickSight has no such user: a failure that holds back the rest of the group (an invalid
        // message would fail alone).
        record("a2", r#"{"op":"add_groups","version":1,"email":"nobody@example.com","groups":["qs-a"]}"#, Some("g1")),
        record("a3", &upsert("bo", &["qs-a"]), Some("g1")),
        record("b1", &upsert("cy", &["qs-a"]), Some("g2")),
        record("b2", r#"{"op":"add_groups","version":1,"email":"cy@example.com","groups":["qs-b"]}"#, Some("g2")),
    ]});

    let response = lambda.invoke(&batch);

    assert_eq!(failed_ids(&response), ["a2", "a3"]);
    assert_eq!(
        result_of(&response, "a3")["failure"]["reason"],
        "earlier_in_group_failed"
    );
    assert_eq!(
        emu.user_names(),
        [
            "QuickSightFederated/ana@example.com",
            "QuickSightFederated/cy@example.com"
        ]
    );
    assert_eq!(
        result_of(&response, "b2")["outcome"]["memberships_added"],
        json!(["qs-b"])
    );
}

#[test]
fn a_throttling_quicksight_still_gets_every_change() {
    let emu = Emulator::start(&["--rate-limit", "5"]);
    let lambda = Lambda::start("sqs-sync", &env(&emu, &[("MAX_CONCURRENCY", "4")]));
    let records: Vec<Value> = (0..10)
        .map(|i| record(&format!("t{i}"), &upsert(&format!("user{i}"), &["qs-all"]), None))
        .collect();

    let response = lambda.invoke(&json!({ "Records": records }));

    assert_eq!(failed_ids(&response), Vec::<String>::new(), "{response}");
    assert_eq!(emu.user_names().len(), 10);
    let throttled = emu.stats()["total"]["throttled"].as_u64().unwrap();
    assert!(throttled > 0, "the emulator must actually have throttled");
    // The ThrottledCalls metric counts every 429, the ones sent again included.
    let metrics = lambda
        .log_lines()
        .into_iter()
        .find(|l| l.get("_aws").is_some())
        .unwrap();
    assert_eq!(metrics["ThrottledCalls"].as_u64(), Some(throttled), "{metrics}");
}

#[test]
fn throttling_uses_up_no_attempt_and_sends_no_change_back_to_the_queue() {
    // One attempt per call: before the shared admission pace, the first 429 of a change failed it.
    let emu = Emulator::start(&["--rate-limit", "3"]);
    let lambda = Lambda::start(
        "sqs-sync",
        &env(&emu, &[("MAX_CONCURRENCY", "4"), ("QUICKSIGHT_MAX_ATTEMPTS", "1")]),
    );
    let records: Vec<Value> = (0..8)
        .map(|i| record(&format!("a{i}"), &upsert(&format!("user{i}"), &["qs-all"]), None))
        .collect();

    let response = lambda.invoke(&json!({ "Records": records }));

    assert_eq!(failed_ids(&response), Vec::<String>::new(), "{response}");
    assert_eq!(emu.user_names().len(), 8);
    assert!(
        emu.stats()["total"]["throttled"].as_u64().unwrap() > 0,
        "the emulator must actually have throttled"
    );
}

#[test]
fn near_the_deadline_it_stops_starting_work_and_reports_the_rest() {
    let emu = Emulator::start(&["--latency-ms", "300"]);
    let lambda = Lambda::start(
        "sqs-sync",
        &env(
            &emu,
            &[
                ("AWS_LAMBDA_FUNCTION_TIMEOUT", "4"),
                ("START_MARGIN_MS", "2500"),
                ("MAX_CONCURRENCY", "1"),
            ],
        ),
    );
    let records: Vec<Value> = (0..6)
        .map(|i| record(&format!("d{i}"), &upsert(&format!("late{i}"), &["qs-a"]), None))
        .collect();

    let response = lambda.invoke(&json!({ "Records": records }));

    let failed = failed_ids(&response);
    assert!(
        !failed.is_empty() && failed.len() < 6,
        "some applied, some left for the retry: {failed:?}"
    );
    for id in &failed {
        assert_eq!(
            result_of(&response, id)["failure"]["reason"],
            "deadline_near",
            "{response}"
        );
    }
    let applied = 6 - failed.len();
    assert_eq!(
        emu.user_names().len(),
        applied,
        "nothing started that was reported as not started"
    );
}

/// One upsert through sqs-sync against `quicksight-local --tls`, with `extra` variables.
fn upsert_over_tls(emu: &Emulator, extra: &[(&str, &str)]) -> Value {
    let lambda = Lambda::start("sqs-sync", &env(emu, extra));
    lambda.invoke(&json!({ "Records": [record("tls1", &upsert("tess", &["qs-all"]), None)] }))
}

#[test]
fn over_tls_it_trusts_the_emulators_ca_through_aws_ca_bundle() {
    let emu = Emulator::start(&["--tls"]);
    let ca_file = emu.ca_file.clone().expect("--tls writes its CA certificate");

    let response = upsert_over_tls(&emu, &[("AWS_CA_BUNDLE", ca_file.to_str().unwrap())]);

    assert_eq!(failed_ids(&response), Vec::<String>::new(), "{response}");
    assert_eq!(
        result_of(&response, "tls1")["outcome"]["user"]["status"],
        "registered",
        "{response}"
    );
}

#[test]
fn over_tls_without_the_emulators_ca_the_system_store_alone_refuses_it() {
    let emu = Emulator::start(&["--tls"]);

    let response = upsert_over_tls(&emu, &[("QUICKSIGHT_MAX_ATTEMPTS", "1")]);

    assert_eq!(failed_ids(&response), ["tls1"], "{response}");
}

#[test]
fn a_tenants_changes_land_in_its_namespace_and_one_not_ready_returns_to_the_queue_alone() {
    let emu = Emulator::start(&["--namespace-create-delay-ms", "60000"]);
    emu.seed_namespace("acme");
    emu.seed_namespace("globex");
    let lambda = Lambda::start(
        "sqs-sync",
        &env(
            &emu,
            &[
                ("TENANT_NAMESPACE", "{tenant}"),
                (
                    "QUICKSIGHT_FEDERATED_ROLE_ARN",
                    "arn:aws:iam::123456789012:role/qs-{tenant}",
                ),
                ("TENANT_CREATE_NAMESPACE", "true"),
                ("TENANT_ALLOWED", "[a-z]+"),
                ("START_MARGIN_MS", "0"),
                ("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"),
            ],
        ),
    );
    let of = |tenant: &str, email: &str| {
        json!({ "op": "upsert", "version": 1, "tenant": tenant, "email": email, "groups": ["qs-a"] }).to_string()
    };
    let response = lambda.invoke(&json!({ "Records": [
        record("m1", &of("acme", "ana@example.com"), Some("acme/ana@example.com")),
        record("m2", &of("globex", "ana@example.com"), Some("globex/ana@example.com")),
        record("m3", &of("initech", "ana@example.com"), Some("initech/ana@example.com")),
        record("m4", &of("../default", "ana@example.com"), Some("x/ana@example.com")),
        record("m5", r#"{"op":"delete","version":1,"tenant":"acme","user_name":"qs-globex/ana@example.com"}"#, None),
    ]}));

    assert_eq!(failed_ids(&response), ["m3", "m4", "m5"]);
    assert_eq!(emu.users_in("acme"), ["qs-acme/ana@example.com"]);
    assert_eq!(emu.users_in("globex"), ["qs-globex/ana@example.com"]);
    assert_eq!(emu.groups_in("globex", "qs-globex/ana@example.com"), ["qs-a"]);
    assert!(emu.user_names().is_empty(), "nothing in default");
    // initech's namespace is being created: back to the queue, to finish later.
    let not_ready = &result_of(&response, "m3")["failure"];
    assert_eq!(not_ready["transient"], true, "{not_ready}");
    assert_eq!(emu.succeeded("CreateNamespace"), 1);
    assert_eq!(result_of(&response, "m4")["failure"]["errors"][0]["field"], "tenant");
    // Another tenant's user is not this tenant's to delete.
    assert_eq!(result_of(&response, "m5")["failure"]["errors"][0]["field"], "user_name");
    assert_eq!(emu.users_in("globex").len(), 1);
}
