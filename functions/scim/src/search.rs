//! Queries: `GET /Users`, `GET /Groups`, and `POST /.search` on the root, `/Users` and `/Groups`
//! (RFC 7644 §3.4.2, §3.4.3), all with the same filters, paging and projections. A query of the
//! root covers both resource types; a filter naming an attribute one type lacks selects none of
//! that type.
//!
//! Filters are evaluated over the table: an `eq` on `id`, `userName` or `displayName` reads one
//! item; anything else reads the namespace's records (a DynamoDB Scan, 1 MB a page, about a
//! thousand records each), which answers within a second or two up to some ten thousand users. A
//! filter on `groups` or `members` also reads each candidate's memberships from QuickSight, one call
//! each. docs/scim.md says more.

use serde_json::Value;

use crate::error::ScimError;
use crate::groups;
use crate::protocol::filter::Filter;
use crate::protocol::projection::Projection;
use crate::protocol::query::Query;
use crate::protocol::schema::Scope;
use crate::protocol::{Page, ResourceKind};
use crate::records::Ctx;
use crate::users;

/// The resources of `kinds` that `query` selects, as one page of a ListResponse.
pub async fn search(ctx: &Ctx<'_>, kinds: &[ResourceKind], query: &Query) -> Result<Value, ScimError> {
    let filters = filters(kinds, query.filter.as_deref())?;
    let mut all = Vec::new();
    for (kind, filter) in filters {
        let projection = Projection::new(kind, query);
        let mut found = match kind {
            ResourceKind::User => users::matching(ctx, filter.as_ref()).await?,
            ResourceKind::Group => groups::matching(ctx, filter.as_ref(), projection.wants("members")).await?,
        };
        found.iter_mut().for_each(|r| projection.apply(r));
        all.extend(found);
    }
    Ok(Page::answer(&query.page, all))
}

/// The filter for each kind it can apply to. One kind's schema may lack an attribute the filter
/// names (a root query): that kind is left out; when every kind is, the filter is refused.
fn filters(kinds: &[ResourceKind], raw: Option<&str>) -> Result<Vec<(ResourceKind, Option<Filter>)>, ScimError> {
    let Some(raw) = raw else {
        return Ok(kinds.iter().map(|k| (*k, None)).collect());
    };
    let mut usable = Vec::new();
    let mut first_error = None;
    for kind in kinds {
        match Filter::parse(Scope::Resource(*kind), raw) {
            Ok(filter) => usable.push((*kind, Some(filter))),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match (usable.is_empty(), first_error) {
        (true, Some(e)) => Err(e),
        _ => Ok(usable),
    }
}
