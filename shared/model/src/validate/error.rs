use std::fmt;

/// Longest offending value echoed back in an error; longer values are cut short.
const MAX_ECHO: usize = 80;

/// One value that breaks one of QuickSight's rules.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field as QuickSight's API names it (`Email`, `SessionName`, ...).
    pub field: String,
    /// The rule that was broken, in words.
    pub rule: String,
    /// The offending value, cut short when long.
    pub value: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, rule: impl Into<String>, value: &str) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
            value: echo(value),
        }
    }
}

fn echo(value: &str) -> String {
    if value.chars().count() <= MAX_ECHO {
        return value.to_owned();
    }
    let cut: String = value.chars().take(MAX_ECHO).collect();
    format!("{cut}… ({} characters)", value.chars().count())
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} (got {:?})", self.field, self.rule, self.value)
    }
}

impl std::error::Error for FieldError {}

/// Every problem found in one value set, so a caller can fix them all at once.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(transparent)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// Records the error of a failed check, if any.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

impl From<FieldError> for ValidationErrors {
    fn from(e: FieldError) -> Self {
        Self(vec![e])
    }
}
