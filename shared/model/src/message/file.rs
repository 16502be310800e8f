//! A file of changes, CSV or JSON Lines, as qs-enqueue sends it and the reconciler reads a
//! directory export: each row turned into a checked change or into its problems.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::{Change, VERSION};
use crate::validate::{FieldError, ValidationErrors};

/// A file that cannot be read as rows at all (a row's own problems are that row's).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("reading {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: unknown file type {extension:?}; use .csv or .jsonl")]
    UnknownType { path: PathBuf, extension: String },
    #[error("{path}: {problem}")]
    Header { path: PathBuf, problem: String },
}

/// The operation of every row of a CSV file (qs-enqueue's `--op`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Upsert,
    Delete,
    AddGroups,
    RemoveGroups,
}

impl Op {
    /// Every operation, by the name the command line gives it.
    pub const ALL: [(&'static str, Op); 4] = [
        ("upsert", Op::Upsert),
        ("delete", Op::Delete),
        ("add-groups", Op::AddGroups),
        ("remove-groups", Op::RemoveGroups),
    ];

    fn name(self) -> &'static str {
        match self {
            Op::Upsert => "upsert",
            Op::Delete => "delete",
            Op::AddGroups => "add_groups",
            Op::RemoveGroups => "remove_groups",
        }
    }

    fn columns(self) -> &'static [&'static str] {
        match self {
            Op::Upsert => &[
                "email",
                "role",
                "groups",
                "session_name",
                "external_login_id",
                "provider_url",
                "custom_permissions_name",
                "tags",
                "relink",
                "tenant",
            ],
            Op::Delete => &["email", "session_name", "user_name", "principal_id", "tenant"],
            Op::AddGroups | Op::RemoveGroups => &["email", "session_name", "user_name", "groups", "tenant"],
        }
    }
}

/// One row: its line in the file, and the change or why it cannot be one.
pub struct Row {
    pub line: u64,
    pub change: Result<Change, ValidationErrors>,
}

/// A file's rows, and the file's SHA-256, which with a line names one submission of one row.
pub struct File {
    pub id: String,
    pub rows: Vec<Row>,
}

pub fn read(path: &Path, op: Op) -> Result<File, FileError> {
    let text = std::fs::read_to_string(path).map_err(|source| FileError::Read {
        path: path.to_owned(),
        source,
    })?;
    let id = crate::hash::sha256_hex(text.as_bytes());
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let rows = match extension.as_str() {
        "csv" => read_csv(&text, op).map_err(|problem| FileError::Header {
            path: path.to_owned(),
            problem,
        })?,
        "jsonl" | "ndjson" | "json" => read_json_lines(&text),
        _ => {
            return Err(FileError::UnknownType {
                path: path.to_owned(),
                extension,
            });
        }
    };
    Ok(File { id, rows })
}

fn checked(change: Result<Change, ValidationErrors>) -> Result<Change, ValidationErrors> {
    change.and_then(|c| c.check().map(|()| c))
}

fn read_json_lines(text: &str) -> Vec<Row> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| Row {
            line: i as u64 + 1,
            change: checked(Change::parse(l)),
        })
        .collect()
}

/// The rows, or what is wrong with the header row.
fn read_csv(text: &str, op: Op) -> Result<Vec<Row>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("reading the header row: {e}"))?
        .iter()
        .map(str::to_owned)
        .collect();
    // A misspelt column would silently drop a value: refuse the file instead.
    let unknown: Vec<&String> = headers.iter().filter(|h| !op.columns().contains(&h.as_str())).collect();
    if !unknown.is_empty() {
        return Err(format!(
            "line 1: unknown column(s) {unknown:?} for --op {}; allowed: {}",
            op.name(),
            op.columns().join(", ")
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                rows.push(Row {
                    line,
                    change: Err(FieldError::new("row", format!("not valid CSV: {e}"), "").into()),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let mut message = Map::new();
        message.insert("op".into(), json!(op.name()));
        message.insert("version".into(), json!(VERSION));
        let mut errors = ValidationErrors::default();
        for (column, value) in headers.iter().zip(record.iter()).filter(|(_, v)| !v.is_empty()) {
            let value = match column.as_str() {
                "groups" => json!(
                    value
                        .split(';')
                        .map(str::trim)
                        .filter(|g| !g.is_empty())
                        .collect::<Vec<_>>()
                ),
                "tags" => match parse_tags(value) {
                    Ok(tags) => tags,
                    Err(e) => {
                        errors.0.push(e);
                        continue;
                    }
                },
                "relink" => match value.to_ascii_lowercase().as_str() {
                    "true" => json!(true),
                    "false" => json!(false),
                    _ => {
                        errors.0.push(FieldError::new("relink", "must be true or false", value));
                        continue;
                    }
                },
                _ => json!(value),
            };
            message.insert(column.clone(), value);
        }
        let change = if errors.is_empty() {
            checked(Change::parse(&Value::Object(message).to_string()))
        } else {
            Err(errors)
        };
        rows.push(Row { line, change });
    }
    Ok(rows)
}

/// `key=value;key2=value2`
fn parse_tags(raw: &str) -> Result<Value, FieldError> {
    let mut tags = Map::new();
    for pair in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| FieldError::new("tags", "must be key=value pairs separated by ';'", raw))?;
        tags.insert(k.trim().to_owned(), json!(v.trim()));
    }
    Ok(Value::Object(tags))
}

#[cfg(test)]
mod tests {
    use super::{Change, Op, read_csv};

    #[test]
    fn a_relink_column_moves_the_login_only_where_it_says_true() {
        let csv =
            "email,external_login_id,relink\nana@example.com,s1,true\nbo@example.com,s2,\ncy@example.com,s3,maybe\n";
        let rows = read_csv(csv, Op::Upsert).unwrap();
        let relink = |i: usize| match rows[i].change.as_ref().unwrap() {
            Change::Upsert(u) => u.relink,
            other => panic!("{other:?}"),
        };
        assert_eq!(relink(0), Some(true));
        assert_eq!(relink(1), None);
        let errors = rows[2].change.as_ref().unwrap_err();
        assert_eq!((errors.0[0].field.as_str(), rows[2].line), ("relink", 4));
    }
}
