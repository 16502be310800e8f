//! A query's parameters (RFC 7644 §3.4.2): from a GET's query string or a `/.search` body
//! (§3.4.3), the same filter, paging and `attributes`/`excludedAttributes` either way.

use serde_json::Value;

use super::{Page, SEARCH_SCHEMA};
use crate::error::{ScimError, ScimType};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub filter: Option<String>,
    pub page: Page,
    pub attributes: Option<Vec<String>>,
    pub excluded: Option<Vec<String>>,
}

fn sorting() -> ScimError {
    ScimError::bad(
        ScimType::InvalidValue,
        "sortBy: sorting is not supported (ServiceProviderConfig says so)",
    )
}

impl Query {
    /// `filter`, `startIndex`, `count`, `attributes`, `excludedAttributes` of a query string.
    pub fn from_params<'a>(param: impl Fn(&str) -> Option<&'a str>) -> Result<Self, ScimError> {
        if param("sortBy").is_some() {
            return Err(sorting());
        }
        let number = |name: &str| -> Result<Option<i64>, ScimError> {
            param(name)
                .map(|v| {
                    v.trim().parse::<i64>().map_err(|_| {
                        ScimError::bad(ScimType::InvalidValue, format!("{name} must be an integer, not {v:?}"))
                    })
                })
                .transpose()
        };
        let names = |name: &str| param(name).map(|v| v.split(',').map(|a| a.trim().to_owned()).collect());
        Ok(Self {
            filter: param("filter").filter(|f| !f.trim().is_empty()).map(str::to_owned),
            page: Page::new(number("startIndex")?, number("count")?),
            attributes: names("attributes"),
            excluded: names("excludedAttributes"),
        })
    }

    /// A `SearchRequest` (RFC 7644 §3.4.3).
    pub fn from_search(body: &Value) -> Result<Self, ScimError> {
        let schemas = body.get("schemas").and_then(Value::as_array);
        if !schemas.is_some_and(|s| s.iter().any(|s| s.as_str() == Some(SEARCH_SCHEMA))) {
            return Err(ScimError::bad(
                ScimType::InvalidSyntax,
                format!("a search body's schemas must hold {SEARCH_SCHEMA}"),
            ));
        }
        if body.get("sortBy").is_some_and(|v| !v.is_null()) {
            return Err(sorting());
        }
        let number = |name: &str| -> Result<Option<i64>, ScimError> {
            match body.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v.as_i64().map(Some).ok_or_else(|| {
                    ScimError::bad(ScimType::InvalidValue, format!("{name} must be an integer, not {v}"))
                }),
            }
        };
        let names = |name: &str| -> Result<Option<Vec<String>>, ScimError> {
            match body.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Array(names)) => names
                    .iter()
                    .map(|n| {
                        n.as_str().map(str::to_owned).ok_or_else(|| {
                            ScimError::bad(ScimType::InvalidValue, format!("{name} must hold strings, not {n}"))
                        })
                    })
                    .collect::<Result<_, _>>()
                    .map(Some),
                Some(other) => Err(ScimError::bad(
                    ScimType::InvalidValue,
                    format!("{name} must be an array of attribute names, not {other}"),
                )),
            }
        };
        let filter = match body.get("filter") {
            None | Some(Value::Null) => None,
            Some(Value::String(f)) => Some(f.clone()).filter(|f| !f.trim().is_empty()),
            Some(other) => {
                return Err(ScimError::bad(
                    ScimType::InvalidFilter,
                    format!("filter must be a string, not {other}"),
                ));
            }
        };
        Ok(Self {
            filter,
            page: Page::new(number("startIndex")?, number("count")?),
            attributes: names("attributes")?,
            excluded: names("excludedAttributes")?,
        })
    }
}
