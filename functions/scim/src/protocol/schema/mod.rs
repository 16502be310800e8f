//! The schemas this service advertises (RFC 7643 §7), as types: `/Schemas` is rendered from them,
//! and every resource a client writes, every PATCH path and every filter is read through them.
//! What is advertised is therefore what is done: an attribute the schemas do not define is never
//! stored, and each rule (`required`, `mutability`, `returned`, `caseExact`) is applied from here.

mod canonical;
mod definitions;

use serde_json::{Value, json};

pub use canonical::{Canonical, canonical_element, canonical_value, extension_value, require, stored, written};
pub use definitions::{COMMON, ENTERPRISE_USER, GROUP, USER};

use super::ResourceKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    String,
    Boolean,
    Complex,
    Reference,
    DateTime,
    Binary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    ReadOnly,
    ReadWrite,
    Immutable,
    WriteOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    Always,
    Never,
    Default,
    Request,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    None,
    Server,
}

/// One attribute's definition (RFC 7643 §7).
#[derive(Debug, Clone, Copy)]
pub struct Attribute {
    pub name: &'static str,
    pub kind: Type,
    pub multi: bool,
    pub required: bool,
    pub case_exact: bool,
    pub mutability: Mutability,
    pub returned: Returned,
    pub uniqueness: Uniqueness,
    pub description: &'static str,
    pub canonical_values: &'static [&'static str],
    pub reference_types: &'static [&'static str],
    pub sub: &'static [Attribute],
}

impl Attribute {
    pub const fn new(name: &'static str, kind: Type, description: &'static str) -> Self {
        Self {
            name,
            kind,
            multi: false,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            description,
            canonical_values: &[],
            reference_types: &[],
            sub: &[],
        }
    }
    pub const fn multi(self) -> Self {
        Self { multi: true, ..self }
    }
    pub const fn required(self) -> Self {
        Self { required: true, ..self }
    }
    pub const fn case_exact(self) -> Self {
        Self {
            case_exact: true,
            ..self
        }
    }
    pub const fn mutability(self, mutability: Mutability) -> Self {
        Self { mutability, ..self }
    }
    pub const fn returned(self, returned: Returned) -> Self {
        Self { returned, ..self }
    }
    pub const fn unique(self) -> Self {
        Self {
            uniqueness: Uniqueness::Server,
            ..self
        }
    }
    pub const fn values(self, canonical_values: &'static [&'static str]) -> Self {
        Self {
            canonical_values,
            ..self
        }
    }
    pub const fn references(self, reference_types: &'static [&'static str]) -> Self {
        Self {
            reference_types,
            ..self
        }
    }
    pub const fn with(self, sub: &'static [Attribute]) -> Self {
        Self { sub, ..self }
    }

    /// A sub-attribute, by a name in any case (RFC 7643 §2.1).
    pub fn sub_attribute(&self, name: &str) -> Option<&'static Attribute> {
        self.sub.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Whether a client's value is never stored: `readOnly` (RFC 7643 §2.2: ignored when sent) and
    /// `writeOnly` (a password: QuickSight's federated users have none).
    pub fn dropped_when_written(&self) -> bool {
        matches!(self.mutability, Mutability::ReadOnly | Mutability::WriteOnly)
    }

    fn to_json(self) -> Value {
        let mut a = json!({
            "name": self.name,
            "type": match self.kind {
                Type::String => "string",
                Type::Boolean => "boolean",
                Type::Complex => "complex",
                Type::Reference => "reference",
                Type::DateTime => "dateTime",
                Type::Binary => "binary",
            },
            "multiValued": self.multi,
            "description": self.description,
            "required": self.required,
            "mutability": match self.mutability {
                Mutability::ReadOnly => "readOnly",
                Mutability::ReadWrite => "readWrite",
                Mutability::Immutable => "immutable",
                Mutability::WriteOnly => "writeOnly",
            },
            "returned": match self.returned {
                Returned::Always => "always",
                Returned::Never => "never",
                Returned::Default => "default",
                Returned::Request => "request",
            },
        });
        if self.kind != Type::Complex && self.kind != Type::Boolean {
            a["caseExact"] = json!(self.case_exact);
            a["uniqueness"] = json!(match self.uniqueness {
                Uniqueness::None => "none",
                Uniqueness::Server => "server",
            });
        }
        if !self.canonical_values.is_empty() {
            a["canonicalValues"] = json!(self.canonical_values);
        }
        if self.kind == Type::Reference {
            a["referenceTypes"] = json!(self.reference_types);
        }
        if self.kind == Type::Complex {
            a["subAttributes"] = self.sub.iter().map(|s| s.to_json()).collect();
        }
        a
    }
}

/// One schema (RFC 7643 §7): its URN, name, description and attributes.
#[derive(Debug)]
pub struct Schema {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub attributes: &'static [Attribute],
}

impl Schema {
    pub fn attribute(&self, name: &str) -> Option<&'static Attribute> {
        self.attributes.iter().find(|a| a.name.eq_ignore_ascii_case(name))
    }

    /// Whether `text` is this schema's URN (compared without case, as clients spell them).
    pub fn is(&self, text: &str) -> bool {
        self.id.eq_ignore_ascii_case(text)
    }

    /// The schema representation `/Schemas` answers (RFC 7643 §7, §8.7.1).
    pub fn to_json(&self, base: &str) -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "attributes": self.attributes.iter().map(|a| a.to_json()).collect::<Vec<_>>(),
            "meta": { "resourceType": "Schema", "location": format!("{base}/Schemas/{}", self.id) }
        })
    }
}

impl ResourceKind {
    /// The resource's core schema.
    pub fn core(self) -> &'static Schema {
        match self {
            Self::User => &USER,
            Self::Group => &GROUP,
        }
    }

    /// The schema extensions the resource takes.
    pub fn extensions(self) -> &'static [&'static Schema] {
        static USER_EXTENSIONS: [&Schema; 1] = [&ENTERPRISE_USER];
        match self {
            Self::User => &USER_EXTENSIONS,
            Self::Group => &[],
        }
    }

    pub fn extension(self, urn: &str) -> Option<&'static Schema> {
        self.extensions().iter().copied().find(|s| s.is(urn))
    }
}

/// Where an attribute is looked up: a resource's schemas, or (inside a value filter,
/// `emails[type eq "work"]`) a complex attribute's sub-attributes.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Resource(ResourceKind),
    Within(&'static Attribute),
}

/// An attribute a path or a filter names, resolved: the extension it is in (`None`: the core
/// schema or a common attribute), the attribute, and the sub-attribute named after a `.`.
#[derive(Debug, Clone, Copy)]
pub struct AttrRef {
    pub extension: Option<&'static Schema>,
    pub attr: &'static Attribute,
    pub sub: Option<&'static Attribute>,
}

impl PartialEq for AttrRef {
    fn eq(&self, other: &Self) -> bool {
        self.extension.map(|s| s.id) == other.extension.map(|s| s.id)
            && std::ptr::eq(self.attr, other.attr)
            && self.sub.map(|s| s.name) == other.sub.map(|s| s.name)
    }
}

impl AttrRef {
    /// The attribute whose values are compared: the sub-attribute, else the attribute.
    pub fn leaf(&self) -> &'static Attribute {
        self.sub.unwrap_or(self.attr)
    }

    /// `name`, `name.sub`, or the extension's `urn:…:name`.
    pub fn dotted(&self) -> String {
        let head = match self.extension {
            Some(schema) => format!("{}:{}", schema.id, self.attr.name),
            None => self.attr.name.to_owned(),
        };
        match self.sub {
            Some(sub) => format!("{head}.{}", sub.name),
            None => head,
        }
    }
}

/// RFC 7644 §3.10: `ATTRNAME = ALPHA *(nameChar)`, `nameChar = "-" / "_" / DIGIT / ALPHA`, and
/// `$ref` (RFC 7643 §2.1).
pub fn is_attr_name(name: &str) -> bool {
    name == "$ref"
        || name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Scope {
    /// `attrPath = [URI ":"] ATTRNAME *1subAttr` (RFC 7644 §3.10), resolved; the error says why
    /// not, for the caller to put in its own words (`invalidPath`, `invalidFilter`).
    pub fn resolve(self, text: &str) -> Result<AttrRef, String> {
        match self {
            Self::Within(parent) => {
                if !is_attr_name(text) {
                    return Err(format!("{text:?} is not a sub-attribute name"));
                }
                let attr = parent
                    .sub_attribute(text)
                    .ok_or_else(|| format!("{} has no sub-attribute {text:?}", parent.name))?;
                Ok(AttrRef {
                    extension: None,
                    attr,
                    sub: None,
                })
            }
            Self::Resource(kind) => {
                let (extension, rest) = split_schema(kind, text)?;
                let (name, sub) = match rest.split_once('.') {
                    Some((name, sub)) => (name, Some(sub)),
                    None => (rest, None),
                };
                if !is_attr_name(name) || sub.is_some_and(|s| !is_attr_name(s)) {
                    return Err(format!("{text:?} is not an attribute path"));
                }
                let attr = match extension {
                    Some(schema) => schema.attribute(name),
                    None => kind.core().attribute(name).or_else(|| COMMON.attribute(name)),
                }
                .ok_or_else(|| {
                    let schema = extension.unwrap_or(kind.core());
                    format!(
                        "{name:?} is not an attribute of {} (GET /Schemas lists them)",
                        schema.id
                    )
                })?;
                let sub = match sub {
                    None => None,
                    Some(sub) => Some(
                        attr.sub_attribute(sub)
                            .ok_or_else(|| format!("{} has no sub-attribute {sub:?}", attr.name))?,
                    ),
                };
                Ok(AttrRef { extension, attr, sub })
            }
        }
    }
}

/// A fully qualified path's schema: the core schema's prefix is the resource itself; an
/// extension's names its part of the resource; any other URN names nothing here.
fn split_schema(kind: ResourceKind, text: &str) -> Result<(Option<&'static Schema>, &str), String> {
    let prefixed = |schema: &Schema| {
        let n = schema.id.len();
        (text.len() > n && text.is_char_boundary(n) && schema.is(&text[..n]) && text.as_bytes()[n] == b':')
            .then(|| &text[n + 1..])
    };
    if let Some(rest) = prefixed(kind.core()) {
        return Ok((None, rest));
    }
    for extension in kind.extensions() {
        if let Some(rest) = prefixed(extension) {
            return Ok((Some(extension), rest));
        }
    }
    if text.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:")) {
        return Err(format!("{text:?} names no schema of the {} resource", kind.name()));
    }
    Ok((None, text))
}

#[cfg(test)]
mod tests;
