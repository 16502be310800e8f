//! The discovery endpoints (RFC 7644 §4): what is advertised here is exactly what the service
//! does: PATCH yes; bulk, sort, change-password and ETags no; filters up to [`MAX_RESULTS`].

use serde_json::{Value, json};

use super::{ENTERPRISE_USER_SCHEMA, GROUP_SCHEMA, LIST_SCHEMA, MAX_RESULTS, USER_SCHEMA};

const SPC_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// `base` is the service's URL up to and including `/scim/v2`.
pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": [SPC_SCHEMA],
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_RESULTS },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": false },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A long-lived bearer token (Authorization: Bearer <token>), kept in Secrets Manager",
            "primary": true
        }],
        "meta": { "resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig") }
    })
}

pub fn resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "User", "name": "User", "endpoint": "/Users",
            "description": "A federated QuickSight user",
            "schema": USER_SCHEMA,
            "schemaExtensions": [{ "schema": ENTERPRISE_USER_SCHEMA, "required": false }],
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User") }
        }),
        json!({
            "schemas": [RESOURCE_TYPE_SCHEMA],
            "id": "Group", "name": "Group", "endpoint": "/Groups",
            "description": "A QuickSight group inside MANAGED_GROUP_PREFIX",
            "schema": GROUP_SCHEMA,
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group") }
        }),
    ]
}

pub fn resource_types_list(base: &str) -> Value {
    list(resource_types(base))
}

fn list(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_SCHEMA],
        "totalResults": resources.len(),
        "startIndex": 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

/// One attribute's definition (RFC 7643 §7).
fn attr(name: &str, kind: &str, multi: bool, required: bool, mutability: &str, uniqueness: &str) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": multi, "required": required,
        "caseExact": false, "mutability": mutability, "returned": "default", "uniqueness": uniqueness
    })
}

fn string(name: &str) -> Value {
    attr(name, "string", false, false, "readWrite", "none")
}

fn complex(name: &str, multi: bool, subs: Vec<Value>) -> Value {
    let mut a = attr(name, "complex", multi, false, "readWrite", "none");
    a["subAttributes"] = Value::Array(subs);
    a
}

fn user_attributes() -> Vec<Value> {
    let mut user_name = attr("userName", "string", false, true, "readWrite", "server");
    user_name["description"] = json!("The QuickSight session name's source (SCIM_SESSION_NAME=userName)");
    let mut groups = complex("groups", true, vec![string("value"), string("$ref"), string("display")]);
    groups["mutability"] = json!("readOnly");
    let mut external_id = string("externalId");
    external_id["caseExact"] = json!(true);
    vec![
        user_name,
        complex(
            "name",
            false,
            [
                "formatted",
                "familyName",
                "givenName",
                "middleName",
                "honorificPrefix",
                "honorificSuffix",
            ]
            .map(string)
            .to_vec(),
        ),
        string("displayName"),
        string("title"),
        attr("active", "boolean", false, false, "readWrite", "none"),
        complex(
            "emails",
            true,
            vec![
                string("value"),
                string("type"),
                attr("primary", "boolean", false, false, "readWrite", "none"),
            ],
        ),
        complex(
            "roles",
            true,
            vec![
                string("value"),
                string("display"),
                string("type"),
                attr("primary", "boolean", false, false, "readWrite", "none"),
            ],
        ),
        groups,
        external_id,
    ]
}

pub fn schemas(base: &str) -> Vec<Value> {
    let schema = |id: &str, name: &str, attributes: Vec<Value>| {
        json!({
            "schemas": [SCHEMA_SCHEMA],
            "id": id, "name": name, "attributes": attributes,
            "meta": { "resourceType": "Schema", "location": format!("{base}/Schemas/{id}") }
        })
    };
    let mut display_name = attr("displayName", "string", false, true, "readWrite", "server");
    display_name["description"] = json!("The QuickSight group is MANAGED_GROUP_PREFIX followed by this name");
    let mut external_id = string("externalId");
    external_id["caseExact"] = json!(true);
    vec![
        schema(USER_SCHEMA, "User", user_attributes()),
        schema(
            GROUP_SCHEMA,
            "Group",
            vec![
                display_name,
                complex(
                    "members",
                    true,
                    vec![string("value"), string("$ref"), string("display"), string("type")],
                ),
                external_id,
            ],
        ),
        schema(
            ENTERPRISE_USER_SCHEMA,
            "EnterpriseUser",
            ["employeeNumber", "costCenter", "organization", "division", "department"]
                .map(string)
                .to_vec(),
        ),
    ]
}

pub fn schemas_list(base: &str) -> Value {
    list(schemas(base))
}
