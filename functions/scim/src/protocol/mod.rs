//! SCIM 2.0 as this service speaks it, with no AWS in it: schema URNs, filters, PATCH, the
//! discovery documents, list answers.

pub mod discovery;
pub mod filter;
pub mod patch;

use serde_json::{Value, json};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The most resources one list answer holds (`filter.maxResults`, and the default `count`).
pub const MAX_RESULTS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    User,
    Group,
}

impl ResourceKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Group => "Group",
        }
    }

    pub fn endpoint(self) -> &'static str {
        match self {
            Self::User => "Users",
            Self::Group => "Groups",
        }
    }

    pub fn schema(self) -> &'static str {
        match self {
            Self::User => USER_SCHEMA,
            Self::Group => GROUP_SCHEMA,
        }
    }

    /// What a filter may name, as the 400 tells a client.
    pub fn filterable(self) -> &'static str {
        match self {
            Self::User => "id, externalId, userName",
            Self::Group => "id, externalId, displayName, members[value eq …]",
        }
    }
}

/// RFC 7644 §3.4.2.4: 1-based `startIndex` (below 1 is 1), `count` (negative is 0), at most
/// [`MAX_RESULTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub start_index: usize,
    pub count: usize,
}

impl Page {
    pub fn parse(start_index: Option<&str>, count: Option<&str>) -> Result<Self, crate::error::ScimError> {
        let number = |name: &str, v: Option<&str>, default: i64| -> Result<i64, crate::error::ScimError> {
            v.map_or(Ok(default), |v| {
                v.trim().parse::<i64>().map_err(|_| {
                    crate::error::ScimError::bad(
                        crate::error::ScimType::InvalidValue,
                        format!("{name} must be an integer, not {v:?}"),
                    )
                })
            })
        };
        let start = number("startIndex", start_index, 1)?.max(1) as usize;
        let count = number("count", count, MAX_RESULTS as i64)?.clamp(0, MAX_RESULTS as i64) as usize;
        Ok(Self {
            start_index: start,
            count,
        })
    }

    /// RFC 7644 §3.4.2: the page of `all` (sorted by the caller), as a ListResponse.
    pub fn answer(&self, all: Vec<Value>) -> Value {
        let total = all.len();
        let resources: Vec<Value> = all.into_iter().skip(self.start_index - 1).take(self.count).collect();
        json!({
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "startIndex": self.start_index,
            "itemsPerPage": resources.len(),
            "Resources": resources,
        })
    }
}

/// An attribute name as RFC 7643 §2.1 compares them: without case.
pub fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The value of attribute `name` in `resource`, found without regard to case.
pub fn get_ci<'a>(resource: &'a Value, name: &str) -> Option<&'a Value> {
    resource
        .as_object()?
        .iter()
        .find(|(k, _)| same_name(k, name))
        .map(|(_, v)| v)
}
