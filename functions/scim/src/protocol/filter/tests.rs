use serde_json::{Value, json};

use super::Filter;
use crate::error::{ScimError, ScimType};
use crate::protocol::ResourceKind::{Group, User};
use crate::protocol::schema::Scope;

/// Barbara Jensen (RFC 7643 §8.2) as the service represents her, with the enterprise extension.
fn bjensen() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "701984",
        "userName": "bjensen@example.com",
        "name": { "formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara" },
        "displayName": "Babs Jensen",
        "title": "Tour Guide",
        "active": true,
        "emails": [
            { "value": "bjensen@example.com", "type": "work", "primary": true },
            { "value": "babs@jensen.org", "type": "home" }
        ],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984", "department": "Tour Operations",
            "manager": { "value": "26118915-6090-4610-87e4-49d8ca9f808d" }
        },
        "meta": { "resourceType": "User", "created": "2010-01-23T04:56:22Z", "lastModified": "2011-05-13T04:42:34Z" }
    })
}

fn matches(raw: &str) -> bool {
    Filter::parse(Scope::Resource(User), raw)
        .unwrap_or_else(|e| panic!("{raw}: {e}"))
        .matches(&bjensen())
}

#[test]
fn every_operator_and_form_of_rfc_7644_evaluates_on_a_user() {
    let table = [
        // eq, case: userName is not caseExact, externalId is.
        (r#"userName eq "BJENSEN@example.com""#, true),
        (r#"externalId eq "701984""#, true),
        (r#"id eq "2819C223-7F76-453A-919D-413861904646""#, false),
        (r#"displayName eq "Babs Jensen""#, true),
        // Attribute names and operators in any case, and fully qualified.
        (r#"USERNAME EQ "bjensen@example.com""#, true),
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen@example.com""#,
            true,
        ),
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "jensen""#,
            true,
        ),
        // ne is not eq: an attribute without a value is not equal to anything.
        (r#"title ne "Manager""#, true),
        (r#"nickName ne "Babs""#, true),
        (r#"title ne "tour guide""#, false),
        // co, sw, ew, on multi-valued sub-attributes (any value matches).
        (r#"emails.value co "example.com""#, true),
        (r#"emails.value co "nowhere""#, false),
        (r#"name.givenName sw "Bar""#, true),
        (r#"emails.value ew "jensen.org""#, true),
        // pr.
        ("title pr", true),
        ("nickName pr", false),
        ("emails pr", true),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager pr",
            true,
        ),
        // gt ge lt le: strings lexically, dateTimes as instants.
        (r#"userName gt "a""#, true),
        (r#"userName lt "a""#, false),
        (r#"meta.lastModified gt "2011-05-13T04:42:33Z""#, true),
        (r#"meta.lastModified ge "2011-05-13T04:42:34.000Z""#, true),
        (r#"meta.created lt "2010-01-23T04:56:22Z""#, false),
        (r#"meta.created le "2010-01-23T04:56:22Z""#, true),
        // Booleans.
        ("active eq true", true),
        ("emails[primary eq true]", true),
        // and, or, not, parentheses; and binds tighter than or.
        (r#"title pr and userType pr"#, false),
        (r#"title pr or userType pr"#, true),
        (r#"userType pr and title pr or displayName eq "Babs Jensen""#, true),
        (r#"userType pr and (title pr or displayName eq "Babs Jensen")"#, false),
        (r#"not (userType pr)"#, true),
        (r#"NOT (title pr)"#, false),
        (
            r#"name.familyName eq "Jensen" and (title eq "x" or externalId eq "701984")"#,
            true,
        ),
        // Value paths, as Microsoft Entra ID matches users.
        (r#"emails[type eq "work"]"#, true),
        (r#"emails[type eq "work" and value co "@example.com"]"#, true),
        (r#"emails[type eq "home" and value co "@example.com"]"#, false),
        (r#"emails[type eq "work" or type eq "other"]"#, true),
        (r#"emails[not (type eq "work")]"#, true),
        // The enterprise extension.
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tour operations""#,
            true,
        ),
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#,
            true,
        ),
        // A string with quotes and escapes.
        (r#"displayName eq "Babs \"the guide\"""#, false),
    ];
    for (raw, expected) in table {
        assert_eq!(matches(raw), expected, "{raw}");
    }
}

#[test]
fn group_filters_name_the_group_schema() {
    let group = json!({ "id": "g", "displayName": "Tour Guides", "members": [{ "value": "u-1", "type": "User" }] });
    for (raw, expected) in [
        (r#"displayName eq "tour guides""#, true),
        (r#"members[value eq "u-1"]"#, true),
        (r#"members.value eq "u-2""#, false),
        (r#"members[value eq "u-1" and type eq "User"]"#, true),
    ] {
        let filter = Filter::parse(Scope::Resource(Group), raw).unwrap();
        assert_eq!(filter.matches(&group), expected, "{raw}");
    }
    let members = Filter::parse(Scope::Resource(Group), r#"id eq "g" and members[value eq "u-1"]"#).unwrap();
    assert_eq!(members.required_member(), Some("u-1"));
    assert_eq!(members.required_value("id"), Some("g"));
    assert!(members.reads("members") && !members.reads("displayName"));
}

#[test]
fn what_the_grammar_or_the_schema_refuses_is_an_invalid_filter_that_says_why() {
    let table = [
        (User, r#"userName eq bjensen"#, "must be a quoted string"),
        (
            User,
            r#"nope eq "x""#,
            "is not an attribute of urn:ietf:params:scim:schemas:core:2.0:User",
        ),
        (User, r#"name.nope eq "x""#, "name has no sub-attribute"),
        (User, r#"urn:example:custom:foo eq "x""#, "names no schema"),
        (User, r#"userName xx "x""#, "xx is not an operator"),
        (User, r#"userName eq"#, "needs a value"),
        (User, r#"userName"#, "needs an operator"),
        (User, r#"(userName pr"#, "a ( is not closed"),
        (User, r#"emails[type eq "work""#, "a [ is not closed"),
        (
            User,
            r#"emails[type eq "work"] and"#,
            "ends where an expression was expected",
        ),
        (User, r#"userName pr userName pr"#, "unexpected userName"),
        (User, r#"name eq "x""#, "is complex"),
        (User, r#"active eq "true""#, "cannot be compared"),
        (User, r#"active gt true"#, "cannot be compared"),
        (User, r#"meta.created gt "yesterday""#, "cannot be compared"),
        (User, r#"userName eq "unclosed"#, "a string is not closed"),
        (User, r#"title[value eq "x"]"#, "has no sub-attributes to filter on"),
        (
            User,
            r#"emails[type eq "work" and emails[type pr]]"#,
            "no sub-attribute",
        ),
        (
            Group,
            r#"userName eq "x""#,
            "is not an attribute of urn:ietf:params:scim:schemas:core:2.0:Group",
        ),
    ];
    for (kind, raw, why) in table {
        match Filter::parse(Scope::Resource(kind), raw) {
            Err(ScimError::BadRequest {
                scim_type: ScimType::InvalidFilter,
                detail,
            }) => assert!(detail.contains(why), "{raw}: {detail}"),
            other => panic!("{raw}: {other:?}"),
        }
    }
}
