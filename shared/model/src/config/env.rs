//! Reading environment variables so that every bad one is reported at once: each read records its
//! error and carries on, and [`EnvReader::finish`] returns them all. The shared [`Config`] and each
//! function's own settings are read through one reader, so one deploy fixes every variable.
//!
//! [`Config`]: super::Config

use std::fmt;

use crate::validate::FieldError;

/// A variable that is missing or breaks its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarError {
    pub variable: &'static str,
    pub rule: String,
}

impl fmt::Display for VarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.rule)
    }
}

/// Every problem in the environment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError(pub Vec<VarError>);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(f, "invalid configuration: {}", parts.join("; "))
    }
}

/// Where variables come from: the process environment, or a list in tests.
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// Reads variables through a lookup (the process environment, or a list in tests); blank values
/// count as unset, values are trimmed.
pub struct EnvReader<'a> {
    lookup: Lookup<'a>,
    errors: Vec<VarError>,
}

impl<'a> EnvReader<'a> {
    pub fn new(lookup: impl Fn(&str) -> Option<String> + 'a) -> Self {
        Self {
            lookup: Box::new(lookup),
            errors: Vec::new(),
        }
    }

    /// The process environment.
    pub fn from_env() -> Self {
        Self::new(|name| std::env::var(name).ok())
    }

    /// The value, trimmed; `None` when unset or blank.
    pub fn raw(&self, variable: &str) -> Option<String> {
        (self.lookup)(variable)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    /// Records a broken rule of `variable`.
    pub fn fail(&mut self, variable: &'static str, rule: impl Into<String>) {
        self.errors.push(VarError {
            variable,
            rule: rule.into(),
        });
    }

    /// The parsed value, `None` when unset; a parse error is recorded as `VARIABLE: rule (got "value")`.
    /// `parse` gets the variable's name to put in its [`FieldError`].
    pub fn optional<T>(
        &mut self,
        variable: &'static str,
        parse: impl FnOnce(&str, &str) -> Result<T, FieldError>,
    ) -> Option<T> {
        let raw = self.raw(variable)?;
        match parse(variable, &raw) {
            Ok(v) => Some(v),
            Err(e) => {
                self.fail(variable, format!("{} (got {:?})", e.rule, e.value));
                None
            }
        }
    }

    /// Like [`Self::optional`], and recorded as an error when unset.
    pub fn required<T>(
        &mut self,
        variable: &'static str,
        parse: impl FnOnce(&str, &str) -> Result<T, FieldError>,
    ) -> Option<T> {
        if self.raw(variable).is_none() {
            self.fail(variable, "is required");
            return None;
        }
        self.optional(variable, parse)
    }

    /// A JSON value, whose parser reports the broken rule in words (JSON errors carry positions,
    /// not one offending value).
    pub fn optional_json<T>(
        &mut self,
        variable: &'static str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = self.raw(variable)?;
        match parse(&raw) {
            Ok(v) => Some(v),
            Err(rule) => {
                self.fail(variable, rule);
                None
            }
        }
    }

    /// `value` when every read succeeded, else every error.
    pub fn finish<T>(self, value: T) -> Result<T, ConfigError> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(ConfigError(self.errors))
        }
    }
}

/// Parsers for [`EnvReader::optional`].
pub mod parse {
    use crate::validate::FieldError;

    pub fn string(_: &str, v: &str) -> Result<String, FieldError> {
        Ok(v.to_owned())
    }

    pub fn boolean(variable: &str, v: &str) -> Result<bool, FieldError> {
        match v.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(FieldError::new(variable, "must be true or false", v)),
        }
    }

    /// A whole number in `range`.
    pub fn number_in<T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy>(
        range: std::ops::RangeInclusive<T>,
    ) -> impl FnOnce(&str, &str) -> Result<T, FieldError> {
        move |variable, v| {
            v.parse::<T>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
                let rule = format!("must be a whole number from {} to {}", range.start(), range.end());
                FieldError::new(variable, rule, v)
            })
        }
    }

    /// A comma-separated list, blanks dropped.
    pub fn list(_: &str, v: &str) -> Result<Vec<String>, FieldError> {
        Ok(v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect())
    }
}
