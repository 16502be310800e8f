//! What `/Schemas` advertises is what the service does: each rule of each attribute (`required`,
//! `mutability`, `returned`, `uniqueness`, `caseExact`, the type) read from the answer of
//! `GET /Schemas` and checked against the handler, as a schema-driven client would build its
//! requests. Then the issue's own cases: a PATCH of the whole extension, `remove active`, and
//! `/.search`.

use serde_json::{Map, Value, json};

use super::{Harness, bjensen, patch};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const EMAIL: &str = "schema.driven@example.com";

async fn schemas(h: &Harness) -> Map<String, Value> {
    let (status, list, _) = h.call("GET", "/Schemas", None).await;
    assert_eq!(status, 200);
    list["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_owned(), s["attributes"].clone()))
        .collect()
}

fn writable(attribute: &Value) -> bool {
    matches!(attribute["mutability"].as_str(), Some("readWrite" | "immutable"))
}

/// A value of the advertised type, as a client that knows nothing else would send.
fn sample(attribute: &Value, path: &str) -> Value {
    let name = attribute["name"].as_str().unwrap();
    let one = match (path, attribute["type"].as_str().unwrap()) {
        // What QuickSight needs to be a user's: an e-mail address, a session name.
        ("userName" | "emails.value", _) => json!(EMAIL),
        (_, "string") => match attribute["canonicalValues"].as_array().and_then(|v| v.first()) {
            Some(first) => first.clone(),
            None => json!(format!("Sample {path}")),
        },
        (_, "boolean") => json!(true),
        (_, "reference") => json!(format!("https://example.com/{name}")),
        (_, "binary") => json!("AAEC"),
        (_, "dateTime") => json!("2026-01-02T03:04:05Z"),
        (_, "complex") => Value::Object(
            attribute["subAttributes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| writable(s))
                .map(|s| {
                    let sub = s["name"].as_str().unwrap();
                    (sub.to_owned(), sample(s, &format!("{path}.{sub}")))
                })
                .collect(),
        ),
        (_, other) => panic!("{path}: the type {other} is not one of RFC 7643's"),
    };
    if attribute["multiValued"] == true {
        json!([one])
    } else {
        one
    }
}

/// Every writable attribute of the schemas, with a sample value.
fn full_user(schemas: &Map<String, Value>) -> Value {
    let mut user = json!({ "schemas": [USER, ENTERPRISE] });
    for (schema, target) in [(USER, None), (ENTERPRISE, Some(ENTERPRISE))] {
        for attribute in schemas[schema].as_array().unwrap().iter().filter(|a| writable(a)) {
            let name = attribute["name"].as_str().unwrap();
            let value = sample(attribute, name);
            match target {
                None => user[name] = value,
                Some(urn) => {
                    if user.get(urn).is_none() {
                        user[urn] = json!({});
                    }
                    user[urn][name] = value;
                }
            }
        }
    }
    user
}

#[tokio::test]
async fn a_user_built_from_the_schemas_is_created_and_reads_back_attribute_by_attribute() {
    let h = Harness::start(&[]).await;
    let schemas = schemas(&h).await;
    let mut body = full_user(&schemas);
    // Read-only and write-only attributes a client may send: ignored, never returned.
    body["groups"] = json!([{ "value": "not-a-group" }]);
    body["password"] = json!("t1meMa$heen");
    body[ENTERPRISE]["manager"]["displayName"] = json!("Not Kept");
    let (status, created, _) = h.call("POST", "/Users", Some(body.clone())).await;
    assert_eq!(status, 201, "{body} -> {created}");
    let id = created["id"].as_str().unwrap();
    let (status, read, _) = h.call("GET", &format!("/Users/{id}"), None).await;
    assert_eq!(status, 200);
    for attribute in schemas[USER].as_array().unwrap() {
        let name = attribute["name"].as_str().unwrap();
        match attribute["mutability"].as_str().unwrap() {
            "readWrite" | "immutable" => assert_eq!(read[name], full_user(&schemas)[name], "{name}"),
            "readOnly" if name == "groups" => assert_eq!(read.get(name), None, "{name}: {read}"),
            "writeOnly" => {
                assert_eq!(attribute["returned"], "never", "{name}");
                assert_eq!(read.get(name), None, "{name} is never returned");
            }
            other => panic!("{name}: {other}"),
        }
    }
    let mut manager = full_user(&schemas)[ENTERPRISE]["manager"].clone();
    manager.as_object_mut().unwrap().remove("displayName");
    assert_eq!(
        read[ENTERPRISE]["manager"], manager,
        "readOnly manager.displayName not kept"
    );
    assert_eq!(read[ENTERPRISE], {
        let mut e = full_user(&schemas)[ENTERPRISE].clone();
        e["manager"] = manager;
        e
    });
    assert_eq!(read["schemas"], json!([USER, ENTERPRISE]));
    // Nothing comes back that the schemas do not define.
    for key in read.as_object().unwrap().keys() {
        let defined = ["schemas", "id", "meta", ENTERPRISE].contains(&key.as_str())
            || schemas[USER].as_array().unwrap().iter().any(|a| a["name"] == *key);
        assert!(defined, "{key} is not in the schema");
    }
    // The rest of the lifecycle, from what was read back: PUT, then DELETE.
    let mut changed = read.clone();
    changed["title"] = json!("Changed title");
    changed[ENTERPRISE]["department"] = json!("Changed department");
    let (status, replaced, _) = h.call("PUT", &format!("/Users/{id}"), Some(changed.clone())).await;
    assert_eq!(status, 200, "{replaced}");
    for name in ["title", ENTERPRISE, "emails", "userName"] {
        assert_eq!(replaced[name], changed[name], "{name}");
    }
    let (status, ..) = h.call("DELETE", &format!("/Users/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, ..) = h.call("GET", &format!("/Users/{id}"), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn every_required_attribute_left_out_is_refused_and_every_unique_one_is_409() {
    let h = Harness::start(&[]).await;
    let schemas = schemas(&h).await;
    let full = full_user(&schemas);
    let mut required = 0;
    for attribute in schemas[USER].as_array().unwrap() {
        let name = attribute["name"].as_str().unwrap();
        if attribute["required"] == true {
            required += 1;
            let mut without = full.clone();
            without.as_object_mut().unwrap().remove(name);
            let (status, error, _) = h.call("POST", "/Users", Some(without)).await;
            assert_eq!(
                (status, error["scimType"].as_str()),
                (400, Some("invalidValue")),
                "{name}"
            );
            assert!(error["detail"].as_str().unwrap().contains(name), "{name}: {error}");
        }
        for sub in attribute["subAttributes"].as_array().into_iter().flatten() {
            if sub["required"] == true {
                required += 1;
                let mut without = full.clone();
                let sub_name = sub["name"].as_str().unwrap();
                without[name][0].as_object_mut().unwrap().remove(sub_name);
                let (status, error, _) = h.call("POST", "/Users", Some(without)).await;
                assert_eq!(status, 400, "{name}.{sub_name}: {error}");
            }
        }
    }
    assert_eq!(required, 3, "userName, emails, emails.value");
    let (status, ..) = h.call("POST", "/Users", Some(full.clone())).await;
    assert_eq!(status, 201);
    // uniqueness: server, compared as caseExact says.
    for attribute in schemas[USER]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["uniqueness"] == "server")
    {
        let name = attribute["name"].as_str().unwrap();
        let mut again = full.clone();
        if attribute["caseExact"] == false {
            again[name] = json!(again[name].as_str().unwrap().to_uppercase());
        }
        again["externalId"] = json!("another");
        let (status, error, _) = h.call("POST", "/Users", Some(again)).await;
        assert_eq!(
            (status, error["scimType"].as_str()),
            (409, Some("uniqueness")),
            "{name}: {error}"
        );
    }
}

#[tokio::test]
async fn case_exact_says_how_every_string_attribute_compares_in_filters() {
    let h = Harness::start(&[]).await;
    let schemas = schemas(&h).await;
    let full = full_user(&schemas);
    h.create_user(full.clone()).await;
    let mut checked = 0;
    for (schema, prefix) in [(USER, String::new()), (ENTERPRISE, format!("{ENTERPRISE}:"))] {
        for attribute in schemas[schema].as_array().unwrap().iter().filter(|a| writable(a)) {
            let name = attribute["name"].as_str().unwrap();
            let leaves: Vec<(&Value, String)> = match attribute["type"].as_str().unwrap() {
                "complex" => attribute["subAttributes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|s| writable(s))
                    .map(|s| (s, format!("{name}.{}", s["name"].as_str().unwrap())))
                    .collect(),
                _ => vec![(attribute, name.to_owned())],
            };
            for (leaf, path) in leaves {
                if !matches!(leaf["type"].as_str(), Some("string" | "reference" | "binary")) {
                    continue;
                }
                let value = sample(leaf, &path);
                let value = value.as_array().map_or(value.clone(), |v| v[0].clone());
                let upper = value.as_str().unwrap().to_uppercase();
                if upper == value.as_str().unwrap() {
                    continue;
                }
                let filter = format!("{prefix}{path} eq {}", json!(upper));
                let (status, list, _) = h.call("GET", &format!("/Users?filter={filter}"), None).await;
                assert_eq!(status, 200, "{filter}: {list}");
                let expected = if leaf["caseExact"] == true { 0 } else { 1 };
                assert_eq!(
                    list["totalResults"], expected,
                    "{filter}: caseExact {}",
                    leaf["caseExact"]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "{checked} attributes checked");
}

#[tokio::test]
async fn a_group_built_from_the_schema_reads_back_and_its_member_values_are_immutable() {
    let h = Harness::start(&[]).await;
    let schemas = schemas(&h).await;
    let member = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    let mut body = json!({ "schemas": [GROUP] });
    for attribute in schemas[GROUP].as_array().unwrap().iter().filter(|a| writable(a)) {
        let name = attribute["name"].as_str().unwrap();
        body[name] = sample(attribute, name);
    }
    body["members"][0]["value"] = json!(member);
    body["members"][0]["display"] = json!("Not Kept");
    let (status, created, _) = h.call("POST", "/Groups", Some(body.clone())).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let (_, read, _) = h.call("GET", &format!("/Groups/{id}"), None).await;
    assert_eq!(read["displayName"], body["displayName"]);
    assert_eq!(read["externalId"], body["externalId"]);
    assert_eq!(read["members"][0]["value"], json!(member));
    assert_eq!(read["members"][0].get("display"), None, "readOnly: not kept");
    for required in schemas[GROUP]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["required"] == true)
    {
        let mut without = body.clone();
        without
            .as_object_mut()
            .unwrap()
            .remove(required["name"].as_str().unwrap());
        let (status, ..) = h.call("POST", "/Groups", Some(without)).await;
        assert_eq!(status, 400, "{}", required["name"]);
    }
    let value = &schemas[GROUP].as_array().unwrap()[1]["subAttributes"][0];
    assert_eq!(
        (value["name"].as_str(), value["mutability"].as_str()),
        (Some("value"), Some("immutable"))
    );
    let change =
        patch(json!([{ "op": "replace", "path": format!("members[value eq \"{member}\"].value"), "value": "other" }]));
    let (status, error, _) = h.call("PATCH", &format!("/Groups/{id}"), Some(change)).await;
    assert_eq!(
        (status, error["scimType"].as_str()),
        (400, Some("mutability")),
        "{error}"
    );
    // PUT what was read back, renamed; then DELETE.
    let mut renamed = read.clone();
    renamed["displayName"] = json!("Renamed From The Schema");
    let (status, replaced, _) = h.call("PUT", &format!("/Groups/{id}"), Some(renamed)).await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["displayName"], "Renamed From The Schema");
    assert_eq!(replaced["members"][0]["value"], json!(member));
    let (status, ..) = h.call("DELETE", &format!("/Groups/{id}"), None).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn a_patch_of_the_whole_extension_changes_the_extension_and_adds_no_attribute() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    let path = format!("/Users/{id}");
    for (operation, expected) in [
        (
            json!({ "op": "add", "path": ENTERPRISE, "value": { "department": "Tours", "manager": { "value": "m-1" } } }),
            json!({ "department": "Tours", "manager": { "value": "m-1" } }),
        ),
        (
            json!({ "op": "replace", "path": ENTERPRISE, "value": { "department": "Sales" } }),
            json!({ "department": "Sales", "manager": { "value": "m-1" } }),
        ),
        (
            json!({ "op": "replace", "path": format!("{ENTERPRISE}:manager.value"), "value": "m-2" }),
            json!({ "department": "Sales", "manager": { "value": "m-2" } }),
        ),
        (
            json!({ "op": "remove", "path": format!("{ENTERPRISE}:department") }),
            json!({ "manager": { "value": "m-2" } }),
        ),
        (json!({ "op": "remove", "path": ENTERPRISE }), Value::Null),
    ] {
        let (status, answer, _) = h.call("PATCH", &path, Some(patch(json!([operation.clone()])))).await;
        assert_eq!(status, 200, "{operation}: {answer}");
        let (_, read, _) = h.call("GET", &path, None).await;
        assert_eq!(
            read.get(ENTERPRISE).cloned().unwrap_or(Value::Null),
            expected,
            "{operation}"
        );
        let keys: Vec<&String> = read.as_object().unwrap().keys().collect();
        assert!(
            !keys.iter().any(|k| k.starts_with("urn:") && k.as_str() != ENTERPRISE),
            "{operation}: {keys:?}"
        );
        let schemas = if expected.is_null() {
            json!([USER])
        } else {
            json!([USER, ENTERPRISE])
        };
        assert_eq!(read["schemas"], schemas, "{operation}");
    }
}

#[tokio::test]
async fn a_removed_active_is_unassigned_and_keeps_the_user_in_quicksight() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    let path = format!("/Users/{id}");
    let (status, answer, _) = h
        .call(
            "PATCH",
            &path,
            Some(patch(json!([{ "op": "remove", "path": "active" }]))),
        )
        .await;
    assert_eq!((status, answer.get("active")), (200, None), "{answer}");
    let (_, read, _) = h.call("GET", &path, None).await;
    assert_eq!(read.get("active"), None, "unassigned, as RFC 7644 §3.5.2.2 says");
    assert!(h.quicksight_user("bjensen@example.com").await.is_some());
    // Unassigned after false: the user is back in QuickSight, as a create without `active` is.
    h.call(
        "PATCH",
        &path,
        Some(patch(json!([{ "op": "replace", "path": "active", "value": false }]))),
    )
    .await;
    assert!(h.quicksight_user("bjensen@example.com").await.is_none());
    h.call(
        "PATCH",
        &path,
        Some(patch(json!([{ "op": "remove", "path": "active" }]))),
    )
    .await;
    assert!(h.quicksight_user("bjensen@example.com").await.is_some());
}

fn search(filter: &str) -> Value {
    json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": filter })
}

#[tokio::test]
async fn post_search_takes_the_filters_paging_and_projections_of_a_get_on_the_root_users_and_groups() {
    let h = Harness::start(&[]).await;
    let a = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    h.create_user(super::user("jsmith@example.com")).await;
    let group = json!({ "schemas": [GROUP], "displayName": "Jensen Fans", "members": [{ "value": a }] });
    let (status, ..) = h.call("POST", "/Groups", Some(group)).await;
    assert_eq!(status, 201);

    let mut body = search("userName sw \"bjensen\"");
    body["attributes"] = json!(["userName", "name.givenName"]);
    let (status, list, headers) = h.call("POST", "/Users/.search", Some(body)).await;
    assert_eq!(
        (status, &headers["content-type"]),
        (200, &json!("application/scim+json"))
    );
    assert_eq!(list["totalResults"], 1);
    let found = &list["Resources"][0];
    let mut keys: Vec<&String> = found.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["id", "name", "schemas", "userName"], "{found}");
    assert_eq!(found["name"], json!({ "givenName": "Barbara" }));

    let mut paged = search("emails.value co \"example.com\"");
    paged["startIndex"] = json!(2);
    paged["count"] = json!(1);
    paged["excludedAttributes"] = json!(["emails"]);
    let (_, list, _) = h.call("POST", "/Users/.search", Some(paged)).await;
    assert_eq!(
        (list["totalResults"].as_u64(), list["itemsPerPage"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(list["Resources"][0]["userName"], "jsmith@example.com");
    assert_eq!(list["Resources"][0].get("emails"), None);

    let (_, list, _) = h
        .call(
            "POST",
            "/Groups/.search",
            Some(search(&format!("members[value eq \"{a}\"]"))),
        )
        .await;
    assert_eq!(list["Resources"][0]["displayName"], "Jensen Fans", "{list}");

    // The root: both types; a filter one type cannot take selects none of it.
    let (_, list, _) = h
        .call("POST", "/.search", Some(search("displayName co \"Jensen\"")))
        .await;
    let types: Vec<&str> = list["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meta"]["resourceType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["User", "Group"], "{list}");
    let (_, list, _) = h.call("POST", "/.search", Some(search("userName pr"))).await;
    assert_eq!(list["totalResults"], 2);
    let (_, list, _) = h.call("GET", "/?filter=externalId eq \"701984\"", None).await;
    assert_eq!(list["totalResults"], 1, "GET on the root: {list}");

    for (body, scim_type) in [
        (json!({ "filter": "userName pr" }), "invalidSyntax"),
        (search("userName eq"), "invalidFilter"),
        (search("nope pr"), "invalidFilter"),
        (
            json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "sortBy": "userName" }),
            "invalidValue",
        ),
        (
            json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "count": "ten" }),
            "invalidValue",
        ),
    ] {
        for path in ["/.search", "/Users/.search"] {
            let (status, error, _) = h.call("POST", path, Some(body.clone())).await;
            assert_eq!(
                (status, error["scimType"].as_str()),
                (400, Some(scim_type)),
                "{path} {body}: {error}"
            );
        }
    }
    let (status, ..) = h.call("GET", "/Users/.search", None).await;
    assert_eq!(status, 404, "GET of .search is a read of the user named so");
}
