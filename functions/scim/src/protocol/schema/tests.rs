use serde_json::{Value, json};

use super::{Scope, require, stored, written};
use crate::error::{ScimError, ScimType};
use crate::protocol::ResourceKind::{Group, User};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

#[test]
fn a_written_user_is_spelled_as_the_schema_spells_it_and_holds_nothing_else() {
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "client-chosen", "meta": { "version": "x" },
        "USERNAME": "bjensen",
        "Name": { "GivenName": "Barbara", "familyName": null },
        "emails": [{ "Value": "b@example.com", "Primary": "True" }, null],
        "active": "False",
        "groups": [{ "value": "g-1" }],
        "password": "t1meMa$heen",
        "phoneNumbers": [],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": { "Department": "Tours", "manager": {} }
    });
    assert_eq!(
        serde_json::to_value(written(User, &body).unwrap()).unwrap(),
        json!({
            "userName": "bjensen",
            "name": { "givenName": "Barbara" },
            "emails": [{ "value": "b@example.com", "primary": true }],
            "active": false,
            ENTERPRISE: { "department": "Tours" }
        })
    );
}

#[test]
fn what_the_schema_does_not_define_or_type_is_refused_naming_it() {
    let table = [
        (
            json!({ "favouriteColour": "red" }),
            "favouriteColour: is not an attribute of urn:ietf:params:scim:schemas:core:2.0:User",
        ),
        (
            json!({ "name": { "nick": "B" } }),
            "name: has no sub-attribute \"nick\"",
        ),
        (
            json!({ "urn:example:custom": { "a": 1 } }),
            "urn:example:custom: is not an attribute",
        ),
        (
            json!({ ENTERPRISE: { "colour": "red" } }),
            "colour: is not an attribute of urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ),
        (json!({ ENTERPRISE: "Tours" }), "must be an object of its attributes"),
        (json!({ "userName": 7 }), "userName: must be a string, not 7"),
        (json!({ "active": "yes" }), "active: must be true or false, not \"yes\""),
        (
            json!({ "emails": { "value": "x" } }),
            "emails: is multi-valued and takes an array",
        ),
        (
            json!({ "emails": ["x@example.com"] }),
            "emails[0]: must be an object of sub-attributes",
        ),
        (
            json!({ "emails": [{ "value": "x", "primary": "sometimes" }] }),
            "emails[0].primary: must be true or false",
        ),
    ];
    for (body, why) in table {
        match written(User, &body) {
            Err(ScimError::BadRequest {
                scim_type: ScimType::InvalidValue,
                detail,
            }) => {
                assert!(detail.contains(why), "{body}: {detail}")
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    // A bare string as a member is refused; Entra's manager as its id alone is its `value`.
    assert!(written(Group, &json!({ "displayName": "g", "members": ["u-1"] })).is_err());
    let manager = written(User, &json!({ ENTERPRISE: { "manager": "m-1" } })).unwrap();
    assert_eq!(
        Value::Object(manager),
        json!({ ENTERPRISE: { "manager": { "value": "m-1" } } })
    );
    // A record an earlier release kept keeps only what the schema defines.
    let old =
        json!({ "UserName": "b", "colour": "red", "emails": [{ "value": "b@x", "kind": "z" }], "active": "False" });
    assert_eq!(
        Value::Object(stored(User, &old)),
        json!({ "userName": "b", "emails": [{ "value": "b@x" }], "active": false })
    );
}

#[test]
fn required_attributes_are_required_with_the_type_of_error_the_caller_names() {
    let table = [
        (json!({ "emails": [{ "value": "b@x" }] }), "userName is required"),
        (
            json!({ "userName": " ", "emails": [{ "value": "b@x" }] }),
            "a non-empty userName is required",
        ),
        (
            json!({ "userName": "b" }),
            "emails is required: QuickSight registers no user without an e-mail",
        ),
        (
            json!({ "userName": "b", "emails": [{ "type": "work" }] }),
            "emails[0].value is required",
        ),
    ];
    for (body, why) in table {
        let resource = written(User, &body).unwrap();
        match require(User, &resource, ScimType::Mutability) {
            Err(ScimError::BadRequest {
                scim_type: ScimType::Mutability,
                detail,
            }) => {
                assert!(detail.contains(why), "{body}: {detail}")
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    let group = written(Group, &json!({ "members": [] })).unwrap();
    assert!(require(Group, &group, ScimType::InvalidValue).is_err());
}

#[test]
fn attribute_paths_resolve_in_any_case_and_fully_qualified() {
    let table = [
        ("userName", "userName"),
        ("USERNAME", "userName"),
        ("name.GIVENNAME", "name.givenName"),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:emails.value",
            "emails.value",
        ),
        ("URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:title", "title"),
        (
            &format!("{ENTERPRISE}:manager.value"),
            &format!("{ENTERPRISE}:manager.value"),
        ),
        ("meta.lastModified", "meta.lastModified"),
        ("id", "id"),
        ("groups.$ref", "groups.$ref"),
    ];
    for (text, dotted) in table {
        let resolved = Scope::Resource(User)
            .resolve(text)
            .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(resolved.dotted(), dotted, "{text}");
    }
    for refused in ["", "1abc", "name.", "name.givenName.x", "userName[", "urn:x:y", "nope"] {
        assert!(Scope::Resource(User).resolve(refused).is_err(), "{refused}");
    }
}
