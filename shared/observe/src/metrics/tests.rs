use serde_json::Value;

use super::{Counts, Metric};

#[test]
fn a_document_declares_every_metric_it_carries_under_one_namespace_and_dimension() {
    let mut counts = Counts::default();
    counts.add(Metric::UsersRegistered, 2);
    counts.add(Metric::ChangesFailedInvalid, 1);
    counts.add(Metric::UsersRegistered, 1);

    let doc = counts.document("sqs-sync", 1_700_000_000_000);

    let aws = &doc["_aws"];
    assert_eq!(aws["Timestamp"], 1_700_000_000_000u64);
    let directive = &aws["CloudWatchMetrics"][0];
    assert_eq!(directive["Namespace"], "qs-provision");
    assert_eq!(directive["Dimensions"], serde_json::json!([["Function"]]));
    assert_eq!(doc["Function"], "sqs-sync");
    let names: Vec<&str> = directive["Metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["Name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ChangesFailedInvalid", "UsersRegistered"]);
    // EMF: each declared metric is a number member of the document.
    for name in names {
        assert!(matches!(doc[name], Value::Number(_)), "{name}");
    }
    assert_eq!(doc["UsersRegistered"], 3);
}

#[test]
fn a_failure_line_adds_its_phase_as_a_second_dimension_set() {
    let mut counts = Counts::default();
    counts.add(Metric::ReconcileFailed, 1);
    let doc = counts.document_with("reconcile", &[("Phase", "quicksight")], 1_700_000_000_000);
    assert_eq!(
        doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        serde_json::json!([["Function"], ["Function", "Phase"]])
    );
    assert_eq!(
        (doc["Phase"].as_str(), doc["ReconcileFailed"].as_u64()),
        (Some("quicksight"), Some(1))
    );
}
