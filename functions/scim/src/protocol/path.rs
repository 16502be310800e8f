//! PATCH paths (RFC 7644 §3.10): `PATH = attrPath / valuePath [subAttr]`, where an attribute may be
//! prefixed by its schema's URN, and a path that is an extension's URN names the extension whole.
//! Resolved against the schema: a path to an attribute the schema does not define is refused.

use super::ResourceKind;
use super::filter::{Filter, closing_bracket};
use super::schema::{AttrRef, Schema, Scope, Type};
use crate::error::{ScimError, ScimType};

#[derive(Debug, Clone)]
pub enum Path {
    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`: the extension's attributes.
    Extension(&'static Schema),
    /// An attribute or sub-attribute; with `filter`, the values of a multi-valued attribute that
    /// match it (`emails[type eq "work"].value`).
    Attr { at: AttrRef, filter: Option<Filter> },
}

impl Path {
    pub fn parse(kind: ResourceKind, raw: &str) -> Result<Self, ScimError> {
        let invalid = |why: &str| ScimError::bad(ScimType::InvalidPath, format!("path {raw:?}: {why}"));
        let text = raw.trim();
        if let Some(extension) = kind.extension(text) {
            return Ok(Self::Extension(extension));
        }
        let scope = Scope::Resource(kind);
        let Some(open) = text.find('[') else {
            let at = scope.resolve(text).map_err(|why| invalid(&why))?;
            return Ok(Self::Attr { at, filter: None });
        };
        let close = closing_bracket(text, open).ok_or_else(|| invalid("a [ is not closed"))?;
        let mut at = scope.resolve(&text[..open]).map_err(|why| invalid(&why))?;
        if at.sub.is_some() || at.attr.kind != Type::Complex || !at.attr.multi {
            return Err(invalid(&format!(
                "{} is not a multi-valued complex attribute: a value filter cannot select from it",
                at.dotted()
            )));
        }
        let filter =
            Filter::parse(Scope::Within(at.attr), &text[open + 1..close]).map_err(|e| invalid(&e.to_string()))?;
        match &text[close + 1..] {
            "" => {}
            tail => {
                let sub = tail
                    .strip_prefix('.')
                    .and_then(|name| at.attr.sub_attribute(name))
                    .ok_or_else(|| {
                        invalid(&format!(
                            "{tail:?} after ] is not one of {}'s sub-attributes",
                            at.attr.name
                        ))
                    })?;
                at.sub = Some(sub);
            }
        }
        Ok(Self::Attr {
            at,
            filter: Some(filter),
        })
    }
}
