//! Filters (RFC 7644 §3.4.2.2), the whole grammar: `eq ne co sw ew gt ge lt le pr`, `and`, `or`,
//! `not ( … )`, parentheses, value paths (`emails[type eq "work" and primary eq true]`), attribute
//! names in any case and fully qualified or not, on every attribute the schemas advertise. Each
//! attribute is resolved against the schema when the filter is parsed, so a filter on an attribute
//! or with an operator the attribute's type cannot take is refused (`invalidFilter`) before any
//! resource is read. The same parser reads the value filters of PATCH paths.

mod eval;

use serde_json::Value;

use super::schema::{AttrRef, Scope, Type};
use crate::error::{ScimError, ScimType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "co" => Self::Co,
            "sw" => Self::Sw,
            "ew" => Self::Ew,
            "gt" => Self::Gt,
            "ge" => Self::Ge,
            "lt" => Self::Lt,
            "le" => Self::Le,
            _ => return None,
        })
    }

    fn orders(self) -> bool {
        matches!(self, Self::Gt | Self::Ge | Self::Lt | Self::Le)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attr pr`: the attribute has a value.
    Present(AttrRef),
    Compare(AttrRef, Op, Value),
    /// `emails[type eq "work"]`: some value of the multi-valued attribute matches the inner
    /// filter, whose attributes are its sub-attributes.
    Has(AttrRef, Box<Filter>),
}

impl Filter {
    /// A filter on the resources of `scope`.
    pub fn parse(scope: Scope, raw: &str) -> Result<Self, ScimError> {
        let tokens = tokenize(raw)?;
        let mut parser = Parser {
            tokens: &tokens,
            at: 0,
            scope,
            raw,
        };
        let filter = parser.or()?;
        match parser.tokens.get(parser.at) {
            None => Ok(filter),
            Some(token) => Err(parser.invalid(&format!("unexpected {token}"))),
        }
    }

    /// The clauses that must all hold: the filter itself, or the operands of its `and`s.
    pub fn conjuncts(&self) -> Vec<&Filter> {
        match self {
            Self::And(a, b) => {
                let mut all = a.conjuncts();
                all.extend(b.conjuncts());
                all
            }
            other => vec![other],
        }
    }

    /// The string a conjunct requires the core attribute `name` to equal, as an index finds it.
    pub fn required_value(&self, name: &str) -> Option<&str> {
        self.conjuncts().into_iter().find_map(|c| match c {
            Self::Compare(r, Op::Eq, Value::String(v))
                if r.extension.is_none() && r.sub.is_none() && r.attr.name == name =>
            {
                Some(v.as_str())
            }
            _ => None,
        })
    }

    /// The member a conjunct requires (`members[value eq "…"]` or `members.value eq "…"`).
    pub fn required_member(&self) -> Option<&str> {
        self.conjuncts().into_iter().find_map(|c| match c {
            Self::Compare(r, Op::Eq, Value::String(v))
                if r.attr.name == "members" && r.sub.is_some_and(|s| s.name == "value") =>
            {
                Some(v.as_str())
            }
            Self::Has(r, inner) if r.attr.name == "members" => match inner.as_ref() {
                Self::Compare(s, Op::Eq, Value::String(v)) if s.attr.name == "value" => Some(v.as_str()),
                _ => None,
            },
            _ => None,
        })
    }

    /// Whether the filter reads the core attribute `name` (one QuickSight holds: `groups`,
    /// `members`, which a list must then read for each candidate).
    pub fn reads(&self, name: &str) -> bool {
        match self {
            Self::And(a, b) | Self::Or(a, b) => a.reads(name) || b.reads(name),
            Self::Not(a) => a.reads(name),
            Self::Present(r) | Self::Compare(r, ..) | Self::Has(r, _) => r.extension.is_none() && r.attr.name == name,
        }
    }
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    scope: Scope,
    raw: &'a str,
}

impl Parser<'_> {
    fn invalid(&self, what: &str) -> ScimError {
        ScimError::bad(ScimType::InvalidFilter, format!("filter {:?}: {what}", self.raw))
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    /// `a or b or …`: `and` binds tighter (RFC 7644 §3.4.2.2, table 4).
    fn or(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, ScimError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, ScimError> {
        if self.keyword("not") && self.tokens.get(self.at + 1) == Some(&Token::Open) {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.group()?)));
        }
        match self.peek() {
            Some(Token::Open) => self.group(),
            Some(Token::Word(_)) => self.expression(),
            Some(other) => Err(self.invalid(&format!("expected an attribute, not {other}"))),
            None => Err(self.invalid("ends where an expression was expected")),
        }
    }

    /// `( filter )`.
    fn group(&mut self) -> Result<Filter, ScimError> {
        self.next();
        let inner = self.or()?;
        match self.next() {
            Some(Token::Close) => Ok(inner),
            _ => Err(self.invalid("a ( is not closed")),
        }
    }

    fn expression(&mut self) -> Result<Filter, ScimError> {
        let Some(Token::Word(path)) = self.next() else {
            unreachable!("unary() saw a word")
        };
        let attr = self.scope.resolve(&path).map_err(|why| self.invalid(&why))?;
        if self.peek() == Some(&Token::OpenBracket) {
            return self.value_path(attr);
        }
        let op = match self.next() {
            Some(Token::Word(op)) if op.eq_ignore_ascii_case("pr") => return Ok(Filter::Present(attr)),
            Some(Token::Word(op)) => Op::parse(&op).ok_or_else(|| self.invalid(&format!("{op} is not an operator")))?,
            _ => return Err(self.invalid(&format!("{path} needs an operator (eq ne co sw ew gt ge lt le pr)"))),
        };
        let value = match self.next() {
            Some(Token::Str(s)) => Value::String(s),
            Some(Token::Word(w)) if w == "true" || w == "false" => Value::Bool(w == "true"),
            Some(other) => {
                return Err(self.invalid(&format!(
                    "{path} {op:?}: the value {other} must be a quoted string, true or false"
                )));
            }
            None => return Err(self.invalid(&format!("{path} needs a value"))),
        };
        self.typed(attr, op, value)
    }

    /// The comparison, if the attribute's type takes it (RFC 7644 §3.4.2.2).
    fn typed(&self, attr: AttrRef, op: Op, value: Value) -> Result<Filter, ScimError> {
        let leaf = attr.leaf();
        let name = attr.dotted();
        let fits = match (leaf.kind, &value) {
            (Type::Complex, _) => {
                return Err(self.invalid(&format!(
                    "{name} is complex: compare one of its sub-attributes ({name}.value, …)"
                )));
            }
            (Type::Boolean, Value::Bool(_)) => matches!(op, Op::Eq | Op::Ne),
            (Type::Boolean, _) => false,
            (Type::Binary, Value::String(_)) => !op.orders(),
            (Type::DateTime, Value::String(s)) => eval::instant(s).is_some(),
            (_, Value::String(_)) => true,
            _ => false,
        };
        if !fits {
            return Err(self.invalid(&format!(
                "{name} ({:?}) cannot be compared with {op:?} {value}",
                leaf.kind
            )));
        }
        Ok(Filter::Compare(attr, op, value))
    }

    /// `attr[valFilter]`: the inner filter's attributes are `attr`'s sub-attributes; no value
    /// path nests in another.
    fn value_path(&mut self, attr: AttrRef) -> Result<Filter, ScimError> {
        if attr.attr.kind != Type::Complex || attr.sub.is_some() {
            return Err(self.invalid(&format!("{} has no sub-attributes to filter on", attr.dotted())));
        }
        if matches!(self.scope, Scope::Within(_)) {
            return Err(self.invalid("a value filter cannot hold another"));
        }
        self.next();
        let outer = std::mem::replace(&mut self.scope, Scope::Within(attr.attr));
        let inner = self.or();
        self.scope = outer;
        let inner = inner?;
        match self.next() {
            Some(Token::CloseBracket) => Ok(Filter::Has(attr, Box::new(inner))),
            _ => Err(self.invalid("a [ is not closed")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Str(String),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Word(w) => f.write_str(w),
            Self::Str(s) => write!(f, "{s:?}"),
            Self::Open => f.write_str("("),
            Self::Close => f.write_str(")"),
            Self::OpenBracket => f.write_str("["),
            Self::CloseBracket => f.write_str("]"),
        }
    }
}

fn tokenize(raw: &str) -> Result<Vec<Token>, ScimError> {
    let mut tokens = Vec::new();
    let mut chars = raw.chars().peekable();
    while let Some(&c) = chars.peek() {
        let single = match c {
            '(' => Some(Token::Open),
            ')' => Some(Token::Close),
            '[' => Some(Token::OpenBracket),
            ']' => Some(Token::CloseBracket),
            _ => None,
        };
        if let Some(token) = single {
            chars.next();
            tokens.push(token);
        } else if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            tokens.push(Token::Str(string(&mut chars, raw)?));
        } else {
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

/// Where a value path (`[…]`) that starts at byte `open` of `text` ends: its `]`, strings skipped.
pub fn closing_bracket(text: &str, open: usize) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text[open + 1..].char_indices() {
        match (in_string, escaped, c) {
            (true, false, '\\') => escaped = true,
            (true, false, '"') => in_string = false,
            (true, ..) => escaped = false,
            (false, _, '"') => in_string = true,
            (false, _, ']') => return Some(open + 1 + i),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests;
