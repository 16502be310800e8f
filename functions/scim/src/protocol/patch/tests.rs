use serde_json::{Value, json};

use super::apply;
use crate::error::{ScimError, ScimType};

fn patched(resource: Value, operations: Value) -> Result<Value, ScimError> {
    let mut resource = resource;
    let body = json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations });
    apply(&mut resource, &body)?;
    Ok(resource)
}

fn user() -> Value {
    json!({
        "userName": "bjensen",
        "name": { "givenName": "Barbara", "familyName": "Jensen" },
        "emails": [
            { "value": "bjensen@example.com", "type": "work", "primary": true },
            { "value": "babs@jensen.org", "type": "home" }
        ],
        "active": true
    })
}

#[test]
fn operations_as_the_rfc_okta_and_entra_send_them() {
    let table = [
        // RFC 7644 §3.5.2.1: add with a path, and without one (the value's attributes).
        (
            json!([{ "op": "add", "path": "nickName", "value": "Babs" }]),
            "/nickName",
            json!("Babs"),
        ),
        (
            json!([{ "op": "add", "value": { "nickName": "Babs" } }]),
            "/nickName",
            json!("Babs"),
        ),
        // §3.5.2.3: replace a sub-attribute, and a filtered element's sub-attribute.
        (
            json!([{ "op": "replace", "path": "name.givenName", "value": "Babs" }]),
            "/name/givenName",
            json!("Babs"),
        ),
        (
            json!([{ "op": "replace", "path": "emails[type eq \"work\"].value", "value": "b@example.com" }]),
            "/emails/0/value",
            json!("b@example.com"),
        ),
        // Entra: capitalised op, boolean as a string, a path as a key of the value.
        (
            json!([{ "op": "Replace", "path": "active", "value": "False" }]),
            "/active",
            json!(false),
        ),
        (
            json!([{ "op": "Replace", "value": { "active": "True" } }]),
            "/active",
            json!(true),
        ),
        (
            json!([{ "op": "Add", "value": { "name.familyName": "Smith" } }]),
            "/name/familyName",
            json!("Smith"),
        ),
        (
            json!([{ "op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Tours" }]),
            "/urn:ietf:params:scim:schemas:extension:enterprise:2.0:User/department",
            json!("Tours"),
        ),
        (
            json!([{ "op": "add", "path": "urn:ietf:params:scim:schemas:core:2.0:User:title", "value": "Guide" }]),
            "/title",
            json!("Guide"),
        ),
        // Okta: replace without a path.
        (
            json!([{ "op": "replace", "value": { "active": false } }]),
            "/active",
            json!(false),
        ),
        // An element the filter finds nowhere is added, as Entra expects for a new e-mail type.
        (
            json!([{ "op": "add", "path": "emails[type eq \"other\"].value", "value": "o@example.com" }]),
            "/emails/2",
            json!({ "type": "other", "value": "o@example.com" }),
        ),
        // remove: an attribute, a filtered element, a sub-attribute.
        (
            json!([{ "op": "remove", "path": "name.givenName" }]),
            "/name",
            json!({ "familyName": "Jensen" }),
        ),
        (
            json!([{ "op": "remove", "path": "emails[type eq \"home\"]" }]),
            "/emails/1",
            Value::Null,
        ),
        (json!([{ "op": "remove", "path": "active" }]), "/active", Value::Null),
    ];
    for (operations, pointer, expected) in table {
        let result = patched(user(), operations.clone()).unwrap_or_else(|e| panic!("{operations}: {e}"));
        assert_eq!(
            result.pointer(pointer).cloned().unwrap_or(Value::Null),
            expected,
            "{operations}: {result}"
        );
    }
}

#[test]
fn add_appends_to_a_multi_valued_attribute_without_duplicates() {
    let result = patched(
        user(),
        json!([{ "op": "add", "path": "emails", "value": [
            { "value": "bjensen@example.com", "type": "work" },
            { "value": "new@example.com", "type": "other" }
        ] }]),
    )
    .unwrap();
    assert_eq!(result["emails"].as_array().unwrap().len(), 3);
}

#[test]
fn malformed_operations_are_refused_naming_the_rule() {
    let table = [
        (
            json!([{ "op": "copy", "path": "a", "value": 1 }]),
            ScimType::InvalidSyntax,
        ),
        (json!([{ "path": "a", "value": 1 }]), ScimType::InvalidSyntax),
        (json!([{ "op": "add", "path": "a" }]), ScimType::InvalidSyntax),
        (
            json!([{ "op": "add", "value": "not an object" }]),
            ScimType::InvalidSyntax,
        ),
        (json!([{ "op": "remove" }]), ScimType::NoTarget),
        (
            json!([{ "op": "remove", "path": "emails[type eq \"fax\"]" }]),
            ScimType::NoTarget,
        ),
        (
            json!([{ "op": "replace", "path": "meta", "value": {} }]),
            ScimType::Mutability,
        ),
        (
            json!([{ "op": "replace", "path": "emails[type eq \"work\"", "value": 1 }]),
            ScimType::InvalidPath,
        ),
        (
            json!([{ "op": "replace", "path": "bad name", "value": 1 }]),
            ScimType::InvalidPath,
        ),
        (
            json!([{ "op": "replace", "path": "userName.x[type eq \"a\"]", "value": 1 }]),
            ScimType::InvalidPath,
        ),
    ];
    for (operations, expected) in table {
        match patched(user(), operations.clone()) {
            Err(ScimError::BadRequest { scim_type, detail }) => {
                assert_eq!(scim_type, expected, "{operations}: {detail}");
                assert!(detail.starts_with("Operations[0]: "), "{detail}");
            }
            other => panic!("{operations}: {other:?}"),
        }
    }
    let mut resource = user();
    let no_schema = json!({ "Operations": [] });
    assert!(matches!(
        apply(&mut resource, &no_schema),
        Err(ScimError::BadRequest {
            scim_type: ScimType::InvalidSyntax,
            ..
        })
    ));
}
