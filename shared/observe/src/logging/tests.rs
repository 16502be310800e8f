use std::io::Write;
use std::sync::{Arc, Mutex};

use tracing::level_filters::LevelFilter;

use super::{Json, level_from, subscriber};
use crate::metrics::Metric;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn lines(&self) -> Vec<serde_json::Value> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect()
    }
}

fn logged(level: LevelFilter, log: impl FnOnce()) -> Vec<serde_json::Value> {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing::subscriber::with_default(subscriber(level, move || writer.clone()), log);
    captured.lines()
}

#[test]
fn every_line_carries_the_request_id_and_inside_a_batch_the_message_id() {
    let lines = logged(LevelFilter::WARN, || {
        let invoke = tracing::info_span!("Lambda runtime invoke", requestId = "req-1");
        let _invoke = invoke.enter();
        tracing::warn!(batch_size = 2, "batch started");
        let item = tracing::info_span!(target: "qs_engine::batch", "message", message_id = "msg-7");
        item.in_scope(|| tracing::error!(user_name = "Fed/ana", "QuickSight failed"));
        tracing::info!("below the level: not written");
    });
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0]["request_id"], "req-1");
    assert_eq!(lines[0]["level"], "WARN");
    assert_eq!(lines[0]["message"], "batch started");
    assert_eq!(lines[0]["batch_size"], 2);
    assert!(lines[0].get("message_id").is_none());
    assert_eq!(
        lines[1]["request_id"], "req-1",
        "a warn-level logger keeps the info-level invoke span"
    );
    assert_eq!(lines[1]["message_id"], "msg-7");
    assert_eq!(lines[1]["user_name"], "Fed/ana");
    assert!(lines[1]["timestamp"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn the_level_comes_from_lambda_then_rust_log_then_info() {
    let env = |vars: &'static [(&str, &str)]| {
        move |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    };
    assert_eq!(
        level_from(env(&[("AWS_LAMBDA_LOG_LEVEL", "DEBUG"), ("RUST_LOG", "warn")])).0,
        LevelFilter::DEBUG
    );
    assert_eq!(
        level_from(env(&[("AWS_LAMBDA_LOG_LEVEL", "FATAL")])).0,
        LevelFilter::ERROR
    );
    assert_eq!(level_from(env(&[("RUST_LOG", "warn")])).0, LevelFilter::WARN);
    assert_eq!(level_from(env(&[])).0, LevelFilter::INFO);
    let (level, unknown) = level_from(env(&[("AWS_LAMBDA_LOG_LEVEL", "LOUD")]));
    assert_eq!(
        (level, unknown),
        (LevelFilter::INFO, Some(("AWS_LAMBDA_LOG_LEVEL", "LOUD".to_string())))
    );
}

#[test]
fn a_metric_line_nests_its_emf_document_and_is_written_at_any_level() {
    let lines = logged(LevelFilter::ERROR, || {
        let invoke = tracing::info_span!("Lambda runtime invoke", requestId = "req-1");
        let _in = invoke.enter();
        let mut counts = crate::metrics::Counts::default();
        counts.add(Metric::UsersRegistered, 2);
        counts.emit("sqs-sync");
    });
    assert_eq!(lines.len(), 1, "{lines:?}");
    let line = &lines[0];
    assert_eq!(line["request_id"], "req-1");
    assert!(line["_aws"].is_object(), "{line}");
    assert_eq!(line["UsersRegistered"], 2);
    assert!(line.get("json").is_none(), "the document is nested, not quoted: {line}");
}

#[test]
fn structured_values_are_objects_in_the_line_not_strings() {
    let report = serde_json::json!({"message_id": "m-1", "status": "failed", "failure": {"reason": "invalid"}});
    let outcome = serde_json::json!({"user_name": "Fed/ana", "user": {"status": "registered"}});
    let lines = logged(LevelFilter::INFO, || {
        tracing::warn!(json = %Json(&report), "message failed");
        tracing::info!(json.outcome = %Json(&outcome), "user provisioned");
        tracing::info!(json.note = "not json", "kept as it is");
    });
    assert_eq!(lines[0]["failure"]["reason"], "invalid", "{}", lines[0]);
    assert_eq!(lines[0]["message"], "message failed");
    assert_eq!(lines[1]["outcome"]["user"]["status"], "registered", "{}", lines[1]);
    assert_eq!(lines[2]["json.note"], "not json", "{}", lines[2]);
}

#[test]
fn the_sdks_trace_lines_are_never_written_ours_are() {
    let lines = logged(LevelFilter::TRACE, || {
        tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", response = "EmbedUrl: https://secret", "received response");
        tracing::trace!(target: "hyper_util::client", "raw bytes");
        tracing::debug!(target: "aws_smithy_runtime::client::orchestrator", "send_operation");
        tracing::trace!(target: "qs_engine::groups", "ours");
    });
    let messages: Vec<&str> = lines.iter().map(|l| l["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["send_operation", "ours"]);
}

#[test]
fn aws_lambda_log_format_text_writes_the_same_fields_as_text_and_metrics_as_json() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = super::subscriber_in(LevelFilter::INFO, super::LogFormat::Text, move || writer.clone());
    let outcome = serde_json::json!({"user_name": "Fed/ana", "user": {"status": "registered"}});
    tracing::subscriber::with_default(subscriber, || {
        let invoke = tracing::info_span!("Lambda runtime invoke", requestId = "req-1");
        let _in = invoke.enter();
        tracing::info!(json.outcome = %Json(&outcome), note = "two words", "user provisioned");
        let mut counts = crate::metrics::Counts::default();
        counts.add(Metric::UsersRegistered, 1);
        counts.emit("oidc-signup");
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let (time, rest) = lines[0].split_once(' ').unwrap();
    assert!(time.ends_with('Z'), "{time}");
    let outcome_text = rest
        .strip_prefix(r#"INFO user provisioned note="two words" outcome="#)
        .and_then(|r| r.strip_suffix(" request_id=req-1"))
        .unwrap_or_else(|| panic!("{rest}"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(outcome_text).unwrap(),
        outcome
    );
    let metric: serde_json::Value = serde_json::from_str(lines[1]).expect("the EMF line stays JSON");
    assert_eq!(
        (metric["UsersRegistered"].as_u64(), metric["request_id"].as_str()),
        (Some(1), Some("req-1"))
    );
    assert!(metric["_aws"].is_object());
}

#[test]
fn the_log_format_is_json_unless_lambda_says_text() {
    use super::LogFormat;
    let format = |v: Option<&str>| LogFormat::from_env(|_| v.map(str::to_owned));
    assert_eq!(format(None), (LogFormat::Json, None));
    assert_eq!(format(Some("Text")), (LogFormat::Text, None));
    assert_eq!(format(Some("JSON")), (LogFormat::Json, None));
    assert_eq!(format(Some("yaml")), (LogFormat::Json, Some("yaml".to_owned())));
}
