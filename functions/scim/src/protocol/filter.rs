//! The filters this service evaluates (RFC 7644 §3.4.2.2): `attr eq "value"` clauses joined by
//! `and`, on the attributes identity providers look resources up by. Anything else is refused
//! with 400 `invalidFilter`, naming what was not understood; nothing is silently ignored.

use crate::error::{ScimError, ScimType};

use super::ResourceKind;

/// An attribute a filter may compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attr {
    Id,
    ExternalId,
    UserName,
    DisplayName,
    /// `members[value eq …]` or `members.value eq …`: a group holding the user.
    MemberValue,
}

impl Attr {
    /// RFC 7643 §4 and §8.7.1: `userName` and a group's `displayName` compare without case.
    pub fn case_exact(self) -> bool {
        !matches!(self, Self::UserName | Self::DisplayName)
    }

    fn parse(kind: ResourceKind, path: &str) -> Option<Self> {
        // A fully qualified name (urn:…:User:userName) is the same attribute.
        let name = path.rsplit_once(':').map_or(path, |(_, n)| n).to_ascii_lowercase();
        match (kind, name.as_str()) {
            (_, "id") => Some(Self::Id),
            (_, "externalid") => Some(Self::ExternalId),
            (ResourceKind::User, "username") => Some(Self::UserName),
            (ResourceKind::Group, "displayname") => Some(Self::DisplayName),
            (ResourceKind::Group, "members.value") => Some(Self::MemberValue),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub attr: Attr,
    pub value: String,
}

impl Clause {
    pub fn matches(&self, actual: &str) -> bool {
        if self.attr.case_exact() {
            actual == self.value
        } else {
            actual.eq_ignore_ascii_case(&self.value) || actual.to_lowercase() == self.value.to_lowercase()
        }
    }
}

/// Clauses that must all hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter(pub Vec<Clause>);

impl Filter {
    pub fn parse(kind: ResourceKind, raw: &str) -> Result<Self, ScimError> {
        let tokens = tokenize(raw)?;
        let mut clauses = Vec::new();
        let mut rest = tokens.as_slice();
        loop {
            let (clause, after) = clause(kind, rest, raw)?;
            clauses.push(clause);
            match after {
                [] => break,
                [Token::Word(and), more @ ..] if and.eq_ignore_ascii_case("and") && !more.is_empty() => rest = more,
                [other, ..] => return Err(unsupported(raw, &format!("{other} (only `and` joins clauses)"))),
            }
        }
        Ok(Self(clauses))
    }

    pub fn value_of(&self, attr: Attr) -> Option<&str> {
        self.0.iter().find(|c| c.attr == attr).map(|c| c.value.as_str())
    }
}

fn clause<'a>(kind: ResourceKind, tokens: &'a [Token], raw: &str) -> Result<(Clause, &'a [Token]), ScimError> {
    match tokens {
        // members[value eq "…"]
        [
            Token::Word(attr),
            Token::Open,
            Token::Word(sub),
            Token::Word(op),
            Token::Str(value),
            Token::Close,
            rest @ ..,
        ] => {
            let path = format!("{attr}.{sub}");
            Ok((compare(kind, &path, op, value, raw)?, rest))
        }
        [Token::Word(attr), Token::Word(op), Token::Str(value), rest @ ..] => {
            Ok((compare(kind, attr, op, value, raw)?, rest))
        }
        [Token::Word(attr), Token::Word(op), Token::Word(value), ..] => Err(unsupported(
            raw,
            &format!("{attr} {op} {value}: the value must be a quoted string"),
        )),
        _ => Err(unsupported(
            raw,
            "the clause's shape (expected: attribute eq \"value\")",
        )),
    }
}

fn compare(kind: ResourceKind, path: &str, op: &str, value: &str, raw: &str) -> Result<Clause, ScimError> {
    let attr = Attr::parse(kind, path).ok_or_else(|| {
        unsupported(
            raw,
            &format!("the attribute {path} (filterable: {})", kind.filterable()),
        )
    })?;
    if !op.eq_ignore_ascii_case("eq") {
        return Err(unsupported(raw, &format!("the operator {op} (only eq is supported)")));
    }
    Ok(Clause {
        attr,
        value: value.to_owned(),
    })
}

fn unsupported(raw: &str, what: &str) -> ScimError {
    ScimError::bad(
        ScimType::InvalidFilter,
        format!("filter {raw:?}: this service does not support {what}"),
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Str(String),
    Open,
    Close,
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Word(w) => f.write_str(w),
            Self::Str(s) => write!(f, "{s:?}"),
            Self::Open => f.write_str("["),
            Self::Close => f.write_str("]"),
        }
    }
}

fn tokenize(raw: &str) -> Result<Vec<Token>, ScimError> {
    let mut tokens = Vec::new();
    let mut chars = raw.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '[' | ']' => {
                chars.next();
                tokens.push(if c == '[' { Token::Open } else { Token::Close });
            }
            '"' => {
                chars.next();
                tokens.push(Token::Str(string(&mut chars, raw)?));
            }
            '(' | ')' => return Err(unsupported(raw, "parentheses")),
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '[' | ']' | '"' | '(' | ')') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

/// A JSON string's body after its opening quote (RFC 7644: filter values are JSON values).
fn string(chars: &mut std::iter::Peekable<std::str::Chars>, raw: &str) -> Result<String, ScimError> {
    let mut literal = String::from("\"");
    let mut escaped = false;
    for c in chars.by_ref() {
        literal.push(c);
        match (escaped, c) {
            (false, '\\') => escaped = true,
            (false, '"') => {
                return serde_json::from_str(&literal).map_err(|_| {
                    ScimError::bad(
                        ScimType::InvalidFilter,
                        format!("filter {raw:?}: {literal} is not a JSON string"),
                    )
                });
            }
            _ => escaped = false,
        }
    }
    Err(ScimError::bad(
        ScimType::InvalidFilter,
        format!("filter {raw:?}: a string is not closed"),
    ))
}

#[cfg(test)]
mod tests;
