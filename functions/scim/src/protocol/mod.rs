//! SCIM 2.0 as this service speaks it, with no AWS in it: the schemas (as types), paths, filters,
//! PATCH, queries and projections, the discovery documents, list answers.

pub mod discovery;
pub mod filter;
pub mod patch;
pub mod path;
pub mod projection;
pub mod query;
pub mod schema;

use serde_json::{Value, json};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const SEARCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

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

    pub const ALL: [Self; 2] = [Self::User, Self::Group];
}

/// RFC 7644 §3.4.2.4: 1-based `startIndex` (below 1 is 1), `count` (negative is 0), at most
/// [`MAX_RESULTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub start_index: usize,
    pub count: usize,
}

impl Default for Page {
    fn default() -> Self {
        Self::new(None, None)
    }
}

impl Page {
    pub fn new(start_index: Option<i64>, count: Option<i64>) -> Self {
        Self {
            start_index: start_index.unwrap_or(1).max(1) as usize,
            count: count.unwrap_or(MAX_RESULTS as i64).clamp(0, MAX_RESULTS as i64) as usize,
        }
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
