use serde_json::{Map, Value, json};

use super::apply;
use crate::error::{ScimError, ScimType};
use crate::protocol::ResourceKind::{self, Group, User};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn patched(kind: ResourceKind, resource: Value, operations: Value) -> Result<Value, ScimError> {
    let mut resource: Map<String, Value> = serde_json::from_value(resource).unwrap();
    let body = json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations });
    apply(kind, "u-1", &mut resource, &body)?;
    Ok(Value::Object(resource))
}

fn user() -> Value {
    json!({
        "userName": "bjensen",
        "name": { "givenName": "Barbara", "familyName": "Jensen" },
        "emails": [
            { "value": "bjensen@example.com", "type": "work", "primary": true },
            { "value": "babs@jensen.org", "type": "home" }
        ],
        "active": true,
        ENTERPRISE: { "department": "Tours", "manager": { "value": "m-1" } }
    })
}

/// `user()` with `changes` merged in at the top level (`null` removes an attribute).
fn user_with(changes: Value) -> Value {
    let mut user = user();
    for (k, v) in changes.as_object().unwrap() {
        match v {
            Value::Null => user.as_object_mut().unwrap().remove(k),
            v => user.as_object_mut().unwrap().insert(k.clone(), v.clone()),
        };
    }
    user
}

fn enterprise(value: Value) -> Value {
    json!({ ENTERPRISE: value })
}

#[test]
fn every_path_form_times_add_replace_and_remove_leaves_the_whole_resource_as_the_rfc_says() {
    let table = [
        // A plain attribute (RFC 7644 §3.5.2.1-3).
        (
            json!({ "op": "add", "path": "nickName", "value": "Babs" }),
            user_with(json!({ "nickName": "Babs" })),
        ),
        (
            json!({ "op": "replace", "path": "active", "value": false }),
            user_with(json!({ "active": false })),
        ),
        // §3.5.2.2: a removed single-valued attribute is unassigned.
        (
            json!({ "op": "remove", "path": "active" }),
            user_with(json!({ "active": null })),
        ),
        // A sub-attribute.
        (
            json!({ "op": "add", "path": "name.middleName", "value": "Jane" }),
            user_with(json!({ "name": { "givenName": "Barbara", "familyName": "Jensen", "middleName": "Jane" } })),
        ),
        (
            json!({ "op": "replace", "path": "name.givenName", "value": "Babs" }),
            user_with(json!({ "name": { "givenName": "Babs", "familyName": "Jensen" } })),
        ),
        (
            json!({ "op": "remove", "path": "name.givenName" }),
            user_with(json!({ "name": { "familyName": "Jensen" } })),
        ),
        // replace of a complex attribute: the sub-attributes given replace theirs, others stay.
        (
            json!({ "op": "replace", "path": "name", "value": { "givenName": "Babs" } }),
            user_with(json!({ "name": { "givenName": "Babs", "familyName": "Jensen" } })),
        ),
        // A value filter, with and without a sub-attribute.
        (
            json!({ "op": "replace", "path": "emails[type eq \"work\"].value", "value": "b@example.com" }),
            user_with(json!({ "emails": [
                { "value": "b@example.com", "type": "work", "primary": true },
                { "value": "babs@jensen.org", "type": "home" }
            ] })),
        ),
        (
            json!({ "op": "add", "path": "emails[type eq \"other\"].value", "value": "o@example.com" }),
            user_with(json!({ "emails": [
                { "value": "bjensen@example.com", "type": "work", "primary": true },
                { "value": "babs@jensen.org", "type": "home" },
                { "type": "other", "value": "o@example.com" }
            ] })),
        ),
        (
            json!({ "op": "remove", "path": "emails[type eq \"home\"]" }),
            user_with(json!({ "emails": [{ "value": "bjensen@example.com", "type": "work", "primary": true }] })),
        ),
        (
            json!({ "op": "remove", "path": "emails[type eq \"work\"].primary" }),
            user_with(json!({ "emails": [
                { "value": "bjensen@example.com", "type": "work" },
                { "value": "babs@jensen.org", "type": "home" }
            ] })),
        ),
        // Schema-prefixed: the core schema's prefix is the resource itself.
        (
            json!({ "op": "add", "path": "urn:ietf:params:scim:schemas:core:2.0:User:title", "value": "Guide" }),
            user_with(json!({ "title": "Guide" })),
        ),
        (
            json!({ "op": "replace", "path": "urn:ietf:params:scim:schemas:core:2.0:User:name.familyName", "value": "J" }),
            user_with(json!({ "name": { "givenName": "Barbara", "familyName": "J" } })),
        ),
        // An attribute inside the extension.
        (
            json!({ "op": "add", "path": format!("{ENTERPRISE}:costCenter"), "value": "4130" }),
            user_with(enterprise(
                json!({ "department": "Tours", "costCenter": "4130", "manager": { "value": "m-1" } }),
            )),
        ),
        (
            json!({ "op": "replace", "path": format!("{ENTERPRISE}:department"), "value": "Sales" }),
            user_with(enterprise(
                json!({ "department": "Sales", "manager": { "value": "m-1" } }),
            )),
        ),
        (
            json!({ "op": "replace", "path": format!("{ENTERPRISE}:manager.value"), "value": "m-2" }),
            user_with(enterprise(
                json!({ "department": "Tours", "manager": { "value": "m-2" } }),
            )),
        ),
        // Entra writes the manager as its id alone.
        (
            json!({ "op": "Replace", "path": format!("{ENTERPRISE}:manager"), "value": "m-9" }),
            user_with(enterprise(
                json!({ "department": "Tours", "manager": { "value": "m-9" } }),
            )),
        ),
        (
            json!({ "op": "remove", "path": format!("{ENTERPRISE}:manager") }),
            user_with(enterprise(json!({ "department": "Tours" }))),
        ),
        (
            json!({ "op": "remove", "path": format!("{ENTERPRISE}:manager.value") }),
            user_with(enterprise(json!({ "department": "Tours" }))),
        ),
        // The whole extension, by its URN: never an attribute named after part of the URN.
        (
            json!({ "op": "add", "path": ENTERPRISE, "value": { "division": "Europe", "department": "Sales" } }),
            user_with(enterprise(
                json!({ "department": "Sales", "division": "Europe", "manager": { "value": "m-1" } }),
            )),
        ),
        (
            json!({ "op": "replace", "path": ENTERPRISE, "value": { "department": "Sales", "manager": { "value": "m-3" } } }),
            user_with(enterprise(
                json!({ "department": "Sales", "manager": { "value": "m-3" } }),
            )),
        ),
        (
            json!({ "op": "remove", "path": ENTERPRISE }),
            user_with(json!({ ENTERPRISE: null })),
        ),
        // The URN in another case is the same extension.
        (
            json!({ "op": "add", "path": ENTERPRISE.to_uppercase(), "value": { "division": "Europe" } }),
            user_with(enterprise(
                json!({ "department": "Tours", "division": "Europe", "manager": { "value": "m-1" } }),
            )),
        ),
        // No path: the value's keys are attributes, paths (Entra) or the extension (Okta).
        (
            json!({ "op": "Replace", "value": { "active": "False", "name.familyName": "Smith" } }),
            user_with(json!({ "active": false, "name": { "givenName": "Barbara", "familyName": "Smith" } })),
        ),
        (
            json!({ "op": "add", "value": { ENTERPRISE: { "department": "Sales" } } }),
            user_with(enterprise(
                json!({ "department": "Sales", "manager": { "value": "m-1" } }),
            )),
        ),
        (
            json!({ "op": "Add", "value": { format!("{ENTERPRISE}:employeeNumber"): "42" } }),
            user_with(enterprise(
                json!({ "department": "Tours", "employeeNumber": "42", "manager": { "value": "m-1" } }),
            )),
        ),
        // Names in any case land under the schema's spelling.
        (
            json!({ "op": "replace", "path": "DISPLAYNAME", "value": "Babs" }),
            user_with(json!({ "displayName": "Babs" })),
        ),
        // add appends to a multi-valued attribute what it does not hold; replace replaces it.
        (
            json!({ "op": "add", "path": "emails", "value": [
                { "value": "bjensen@example.com", "type": "work" },
                { "value": "new@example.com", "type": "other" }
            ] }),
            user_with(json!({ "emails": [
                { "value": "bjensen@example.com", "type": "work", "primary": true },
                { "value": "babs@jensen.org", "type": "home" },
                { "value": "new@example.com", "type": "other" }
            ] })),
        ),
        (
            json!({ "op": "replace", "path": "emails", "value": [{ "value": "only@example.com" }] }),
            user_with(json!({ "emails": [{ "value": "only@example.com" }] })),
        ),
        // Okta repeats the id: writing what is there changes nothing. A password is not kept.
        (json!({ "op": "replace", "value": { "id": "u-1" } }), user()),
        (
            json!({ "op": "replace", "path": "password", "value": "secret" }),
            user(),
        ),
    ];
    for (operation, expected) in table {
        let result = patched(User, user(), json!([operation.clone()])).unwrap_or_else(|e| panic!("{operation}: {e}"));
        assert_eq!(result, expected, "{operation}");
    }
}

#[test]
fn group_members_are_added_and_removed_as_the_rfc_entra_and_okta_send_them() {
    let group = json!({ "displayName": "Tours", "members": [{ "value": "a" }, { "value": "b" }] });
    let table = [
        (
            json!({ "op": "add", "path": "members", "value": [{ "value": "c" }, { "value": "a" }] }),
            json!(["a", "b", "c"]),
        ),
        (
            json!({ "op": "remove", "path": "members[value eq \"a\"]" }),
            json!(["b"]),
        ),
        // Entra: remove with the members to remove as the value.
        (
            json!({ "op": "Remove", "path": "members", "value": [{ "value": "b" }] }),
            json!(["a"]),
        ),
        (json!({ "op": "remove", "path": "members" }), Value::Null),
        // Okta: replace the whole list.
        (
            json!({ "op": "replace", "path": "members", "value": [{ "value": "z" }] }),
            json!(["z"]),
        ),
    ];
    for (operation, expected) in table {
        let result = patched(Group, group.clone(), json!([operation.clone()])).unwrap();
        let values = result
            .get("members")
            .map(|m| {
                json!(
                    m.as_array()
                        .unwrap()
                        .iter()
                        .map(|e| e["value"].clone())
                        .collect::<Vec<_>>()
                )
            })
            .unwrap_or(Value::Null);
        assert_eq!(values, expected, "{operation}");
    }
}

#[test]
fn malformed_operations_are_refused_naming_the_rule() {
    let table = [
        (
            json!([{ "op": "copy", "path": "title", "value": 1 }]),
            ScimType::InvalidSyntax,
            "op must be",
        ),
        (
            json!([{ "path": "title", "value": 1 }]),
            ScimType::InvalidSyntax,
            "op must be",
        ),
        (
            json!([{ "op": "add", "path": "title" }]),
            ScimType::InvalidSyntax,
            "need a value",
        ),
        (
            json!([{ "op": "add", "value": "not an object" }]),
            ScimType::InvalidSyntax,
            "object of attributes",
        ),
        (json!([{ "op": "remove" }]), ScimType::NoTarget, "needs a path"),
        (
            json!([{ "op": "remove", "path": "emails[type eq \"fax\"]" }]),
            ScimType::NoTarget,
            "matches",
        ),
        // RFC 7644 §3.5.2.3: a replace whose value filter matches nothing.
        (
            json!([{ "op": "replace", "path": "emails[type eq \"fax\"].value", "value": "x" }]),
            ScimType::NoTarget,
            "matches",
        ),
        (
            json!([{ "op": "replace", "path": "meta", "value": {} }]),
            ScimType::Mutability,
            "read-only",
        ),
        (
            json!([{ "op": "replace", "path": "id", "value": "other" }]),
            ScimType::Mutability,
            "read-only",
        ),
        (
            json!([{ "op": "add", "path": "groups", "value": [{ "value": "g" }] }]),
            ScimType::Mutability,
            "read-only",
        ),
        (
            json!([{ "op": "replace", "path": "emails[type eq \"work\"", "value": 1 }]),
            ScimType::InvalidPath,
            "not closed",
        ),
        (
            json!([{ "op": "replace", "path": "bad name", "value": 1 }]),
            ScimType::InvalidPath,
            "not an attribute path",
        ),
        (
            json!([{ "op": "replace", "path": "userName.x[type eq \"a\"]", "value": 1 }]),
            ScimType::InvalidPath,
            "no sub-attribute",
        ),
        // Nothing the schema does not define: an unknown attribute, sub-attribute or schema.
        (
            json!([{ "op": "add", "path": "favouriteColour", "value": "red" }]),
            ScimType::InvalidPath,
            "is not an attribute",
        ),
        (
            json!([{ "op": "add", "path": "name.nickname", "value": "x" }]),
            ScimType::InvalidPath,
            "no sub-attribute",
        ),
        (
            json!([{ "op": "add", "path": "urn:example:custom:2.0:User:colour", "value": "x" }]),
            ScimType::InvalidPath,
            "names no schema",
        ),
        (
            json!([{ "op": "add", "path": format!("{ENTERPRISE}:colour"), "value": "x" }]),
            ScimType::InvalidPath,
            "is not an attribute",
        ),
        (
            json!([{ "op": "add", "path": ENTERPRISE, "value": { "colour": "x" } }]),
            ScimType::InvalidValue,
            "is not an attribute",
        ),
        (
            json!([{ "op": "add", "value": { "colour": "x" } }]),
            ScimType::InvalidPath,
            "is not an attribute",
        ),
        // Values of the attribute's type.
        (
            json!([{ "op": "replace", "path": "active", "value": "maybe" }]),
            ScimType::InvalidValue,
            "true or false",
        ),
        (
            json!([{ "op": "replace", "path": "emails", "value": { "value": "x" } }]),
            ScimType::InvalidValue,
            "takes an array",
        ),
        (
            json!([{ "op": "replace", "path": "name", "value": "Barbara" }]),
            ScimType::InvalidValue,
            "object of sub-attributes",
        ),
        (
            json!([{ "op": "replace", "path": "title", "value": 7 }]),
            ScimType::InvalidValue,
            "must be a string",
        ),
        (
            json!([{ "op": "replace", "path": "emails[type eq \"work\"]", "value": { "colour": "x" } }]),
            ScimType::InvalidValue,
            "no sub-attribute",
        ),
    ];
    for (operations, expected, why) in table {
        match patched(User, user(), operations.clone()) {
            Err(ScimError::BadRequest { scim_type, detail }) => {
                assert_eq!(scim_type, expected, "{operations}: {detail}");
                assert!(detail.starts_with("Operations[0]: "), "{detail}");
                assert!(detail.contains(why), "{operations}: {detail}");
            }
            other => panic!("{operations}: {other:?}"),
        }
    }
    let mut resource = Map::new();
    let no_schema = json!({ "Operations": [] });
    assert!(matches!(
        apply(User, "u-1", &mut resource, &no_schema),
        Err(ScimError::BadRequest {
            scim_type: ScimType::InvalidSyntax,
            ..
        })
    ));
}

#[test]
fn an_immutable_member_value_is_not_changed_in_place() {
    let group = json!({ "displayName": "Tours", "members": [{ "value": "a" }] });
    let changed = patched(
        Group,
        group,
        json!([{ "op": "replace", "path": "members[value eq \"a\"].value", "value": "b" }]),
    );
    assert!(
        matches!(
            changed,
            Err(ScimError::BadRequest {
                scim_type: ScimType::Mutability,
                ..
            })
        ),
        "{changed:?}"
    );
}
