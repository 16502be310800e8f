//! The functions' logs: one flat JSON object per line, which CloudWatch Logs Insights reads field
//! by field. Every line carries the invocation's `request_id` (from the runtime's span) and, inside
//! a batch, the `message_id` of the message being applied (from the batch runner's span); fields of
//! enclosing spans come first, the event's own fields after them. The level is
//! `AWS_LAMBDA_LOG_LEVEL` (set by Lambda's logging controls), else `RUST_LOG`, else `info`; metric
//! lines ([`crate::metrics`]) are written at every level.
//!
//! Structured values (an outcome, a batch message's report, an EMF document) are JSON objects in
//! the line, not JSON strings inside it, so Logs Insights can query `failure.reason` or
//! `outcome.user.status`: log them with [`Json`] under the field [`JSON_FIELD`] (their members
//! become the line's own) or `json.<name>` (nested under `<name>`).
//!
//! `AWS_LAMBDA_LOG_FORMAT=Text` (Lambda's logging controls) writes the same fields as plain text,
//! `timestamp LEVEL message key=value …`; metric lines stay JSON, as CloudWatch's embedded metric
//! format requires.

use std::fmt;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::fmt::format::{JsonFields, Writer};
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormattedFields, MakeWriter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{Layer, Registry, filter};

use crate::metrics;

/// The event field whose JSON object's members become the line's own; `json.<name>` nests the
/// value under `<name>` instead.
pub const JSON_FIELD: &str = "json";

/// A value logged as JSON: `tracing::info!(json.outcome = %Json(&outcome), "user provisioned")`.
pub struct Json<'a, T: ?Sized>(pub &'a T);

impl<T: serde::Serialize + ?Sized> fmt::Display for Json<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self.0).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

/// The span `lambda_runtime` opens around each invocation.
const RUNTIME_SPAN: &str = "Lambda runtime invoke";

/// How lines are written: `AWS_LAMBDA_LOG_FORMAT`, `JSON` (the default) or `Text`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Text,
}

impl LogFormat {
    /// The format `AWS_LAMBDA_LOG_FORMAT` names, and the value when it names none.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> (Self, Option<String>) {
        match lookup("AWS_LAMBDA_LOG_FORMAT") {
            None => (Self::Json, None),
            Some(v) if v.eq_ignore_ascii_case("json") => (Self::Json, None),
            Some(v) if v.eq_ignore_ascii_case("text") => (Self::Text, None),
            Some(other) => (Self::Json, Some(other)),
        }
    }
}

/// Installs the logger for the whole process, at the level and in the format the environment asks for.
pub fn init_logging() {
    let (level, unknown) = level_from(|name| std::env::var(name).ok());
    let (format, unknown_format) = LogFormat::from_env(|name| std::env::var(name).ok());
    subscriber_in(level, format, std::io::stdout).init();
    if let Some((variable, value)) = unknown {
        tracing::warn!(variable, value, "unknown log level; logging at info");
    }
    if let Some(value) = unknown_format {
        tracing::warn!(
            variable = "AWS_LAMBDA_LOG_FORMAT",
            value,
            "unknown log format; logging JSON"
        );
    }
}

/// The JSON subscriber, writing to `writer` (tests capture it).
pub fn subscriber<W>(level: LevelFilter, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    subscriber_in(level, LogFormat::Json, writer)
}

/// The subscriber [`init_logging`] installs, writing to `writer`.
pub fn subscriber_in<W>(level: LevelFilter, format: LogFormat, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    // Our spans and the runtime's are kept at every level: they carry the ids every line needs.
    // Metric lines too: an operator's metrics do not depend on the log level.
    let keep = filter::filter_fn(move |meta: &Metadata| {
        (meta.is_span() && is_context_span(meta))
            || meta.target() == metrics::TARGET
            || (*meta.level() <= level && !(*meta.level() == Level::TRACE && is_wire_level(meta)))
    });
    let layer = tracing_subscriber::fmt::layer()
        .fmt_fields(JsonFields::new())
        .event_format(FlatLine(format))
        .with_writer(writer)
        .with_filter(keep);
    Registry::default().with(layer)
}

/// The AWS SDK's and the HTTP stack's trace lines: they hold raw requests and responses (an embed
/// URL, a bearer credential, among them), so they are never written, whatever the level.
fn is_wire_level(meta: &Metadata) -> bool {
    const WIRE: [&str; 6] = ["aws_", "hyper", "h2", "rustls", "reqwest", "tower"];
    WIRE.iter().any(|prefix| meta.target().starts_with(prefix))
}

fn is_context_span(meta: &Metadata) -> bool {
    meta.name() == RUNTIME_SPAN || meta.target().starts_with("qs_")
}

/// The level from `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`, else info; and the variable whose value
/// was not a level, if any.
pub fn level_from(lookup: impl Fn(&str) -> Option<String>) -> (LevelFilter, Option<(&'static str, String)>) {
    for variable in ["AWS_LAMBDA_LOG_LEVEL", "RUST_LOG"] {
        let Some(value) = lookup(variable).filter(|v| !v.trim().is_empty()) else {
            continue;
        };
        let level = match value.trim().to_ascii_lowercase().as_str() {
            "trace" => LevelFilter::TRACE,
            "debug" => LevelFilter::DEBUG,
            "info" => LevelFilter::INFO,
            "warn" => LevelFilter::WARN,
            // Lambda's FATAL has no tracing counterpart: errors are the most severe lines we write.
            "error" | "fatal" => LevelFilter::ERROR,
            "off" => LevelFilter::OFF,
            _ => return (LevelFilter::INFO, Some((variable, value))),
        };
        return (level, None);
    }
    (LevelFilter::INFO, None)
}

/// Span keys renamed to the schema's snake case.
fn key(name: &str) -> &str {
    match name {
        "requestId" => "request_id",
        "xrayTraceId" => "xray_trace_id",
        "tenantId" => "tenant_id",
        other => other,
    }
}

/// One line per event, its spans' fields and its own flattened into one object.
struct FlatLine(LogFormat);

impl<S, N> FormatEvent<S, N> for FlatLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> tracing_subscriber::fmt::FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let mut line = Map::new();
        let mut time = String::new();
        SystemTime.format_time(&mut Writer::new(&mut time))?;
        line.insert("timestamp".into(), Value::String(time));
        line.insert("level".into(), Value::String(event.metadata().level().to_string()));
        for span in ctx.event_scope().into_iter().flat_map(|scope| scope.from_root()) {
            let extensions = span.extensions();
            let Some(fields) = extensions.get::<FormattedFields<N>>() else {
                continue;
            };
            if let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(&fields.fields) {
                for (k, v) in fields {
                    line.insert(key(&k).to_owned(), v);
                }
            }
        }
        event.record(&mut Fields(&mut line));
        if self.0 == LogFormat::Text && event.metadata().target() != metrics::TARGET {
            return writeln!(writer, "{}", text_line(line));
        }
        let text = serde_json::to_string(&line).map_err(|_| fmt::Error)?;
        writeln!(writer, "{text}")
    }
}

/// `timestamp LEVEL message key=value …`: a value that is a plain word as it is, any other string
/// quoted as JSON, structured values as compact JSON.
fn text_line(mut line: Map<String, Value>) -> String {
    let mut take = |key: &str| match line.remove(key) {
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => String::new(),
    };
    let mut text = format!("{} {} {}", take("timestamp"), take("level"), take("message"));
    for (key, value) in line {
        let value = match value {
            Value::String(s) if !s.is_empty() && !s.contains([' ', '"', '=']) && !s.chars().any(char::is_control) => s,
            other => other.to_string(),
        };
        text.push_str(&format!(" {key}={value}"));
    }
    text
}

/// An event's fields into the line, `message` included; [`JSON_FIELD`] values as JSON.
struct Fields<'a>(&'a mut Map<String, Value>);

impl Fields<'_> {
    /// Puts a [`JSON_FIELD`] value into the line; `false` when the field is not one (or its value
    /// is not the JSON it should be, which is then kept as a string).
    fn json(&mut self, field: &Field, text: &str) -> bool {
        let Some(rest) = field.name().strip_prefix(JSON_FIELD) else {
            return false;
        };
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            return false;
        };
        match (rest.strip_prefix('.'), value) {
            (Some(name), value) if !name.is_empty() => {
                self.0.insert(name.to_owned(), value);
            }
            (None, Value::Object(members)) if rest.is_empty() => self.0.extend(members),
            _ => return false,
        }
        true
    }
}

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.json(field, value) {
            self.0.insert(field.name().to_owned(), Value::String(value.to_owned()));
        }
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_owned(), Value::Bool(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_owned(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        if !self.json(field, &text) {
            self.0.insert(field.name().to_owned(), Value::String(text));
        }
    }
}

#[cfg(test)]
mod tests;
