//! `/Users`: RFC 7643's and RFC 7644's own examples, filters, paging, PUT, PATCH as the RFC,
//! Entra ID and Okta send it, deactivation and deletion, QuickSight's refusals as SCIM errors.

use serde_json::{Value, json};

use super::{Harness, PROVIDER, bjensen, patch, user};

#[tokio::test]
async fn rfc_7644_create_without_an_email_is_refused_naming_emails() {
    let h = Harness::start(&[]).await;
    // RFC 7644 §3.3's request: QuickSight cannot register a user without an e-mail.
    let rfc = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "bjensen", "externalId": "bjensen",
        "name": { "formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara" }
    });
    let (status, error, _) = h.call("POST", "/Users", Some(rfc)).await;
    assert_eq!((status, error["scimType"].as_str()), (400, Some("invalidValue")));
    assert!(error["detail"].as_str().unwrap().contains("emails"), "{error}");
    assert!(h.quicksight_user("bjensen").await.is_none());
}

#[tokio::test]
async fn a_created_user_is_a_federated_quicksight_user_and_reads_back_as_written() {
    let h = Harness::start(&[]).await;
    let (status, created, headers) = h.call("POST", "/Users", Some(bjensen())).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        headers["location"],
        format!("https://scim.example.com/scim/v2/Users/{id}")
    );
    assert_eq!(created["meta"]["resourceType"], "User");
    assert_eq!(created["meta"]["version"], "W/\"1\"");

    let qs = h.quicksight_user("bjensen@example.com").await.expect("registered");
    assert_eq!(qs.email(), Some("bjensen@example.com"));
    assert_eq!(qs.role().map(|r| r.as_str()), Some("READER"));
    assert_eq!(qs.external_login_federation_provider_type(), Some("CUSTOM_OIDC"));
    assert_eq!(qs.external_login_federation_provider_url(), Some(PROVIDER));
    assert_eq!(qs.external_login_id(), Some("701984"));

    let (status, read, _) = h.call("GET", &format!("/Users/{id}"), None).await;
    assert_eq!(status, 200);
    for attribute in ["userName", "externalId", "name", "displayName", "emails", "active"] {
        assert_eq!(read[attribute], bjensen()[attribute], "{attribute}");
    }
    assert_eq!(read.get("groups"), None, "in no group: unassigned (RFC 7643 §2.5)");
    assert_eq!(read["schemas"], json!(["urn:ietf:params:scim:schemas:core:2.0:User"]));
}

#[tokio::test]
async fn user_name_is_unique_without_case_and_a_second_create_is_409_uniqueness() {
    let h = Harness::start(&[]).await;
    h.create_user(bjensen()).await;
    let mut again = bjensen();
    again["userName"] = json!("BJensen@Example.com");
    let (status, error, _) = h.call("POST", "/Users", Some(again)).await;
    assert_eq!(
        (status, error["scimType"].as_str(), error["status"].as_str()),
        (409, Some("uniqueness"), Some("409"))
    );
}

#[tokio::test]
async fn filters_find_by_user_name_external_id_and_id_and_refuse_the_rest() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    h.create_user(user("other@example.com")).await;
    for filter in [
        "userName%20eq%20%22bjensen@example.com%22".to_owned(),
        "userName eq \"BJENSEN@example.com\"".to_owned(),
        "externalId eq \"701984\"".to_owned(),
        format!("id eq \"{id}\""),
        format!("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"bjensen@example.com\" and id eq \"{id}\""),
    ] {
        let (status, list, _) = h.call("GET", &format!("/Users?filter={filter}"), None).await;
        assert_eq!(status, 200, "{filter}: {list}");
        assert_eq!(list["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:ListResponse");
        assert_eq!(list["totalResults"], 1, "{filter}");
        assert_eq!(list["Resources"][0]["id"], id.as_str());
    }
    let (_, none, _) = h
        .call("GET", "/Users?filter=userName eq \"nobody@example.com\"", None)
        .await;
    assert_eq!(
        (
            none["totalResults"].as_u64(),
            none["Resources"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0))
    );
    // externalId compares exactly.
    let (_, none, _) = h.call("GET", "/Users?filter=externalId eq \"701984 \"", None).await;
    assert_eq!(none["totalResults"], 0);
    // The whole grammar, on every attribute the schema advertises.
    for (filter, found) in [
        ("userName co \"jensen\"", 1),
        ("displayName eq \"Babs Jensen\"", 1),
        ("emails.value co \"example.com\"", 2),
        ("emails[type eq \"work\" and value sw \"other\"]", 1),
        (
            "userName eq \"bjensen@example.com\" or userName eq \"other@example.com\"",
            2,
        ),
        ("(name.familyName eq \"Jensen\") and not (active eq false)", 1),
        ("active pr", 1),
    ] {
        let (status, list, _) = h.call("GET", &format!("/Users?filter={filter}"), None).await;
        assert_eq!(
            (status, list["totalResults"].as_u64()),
            (200, Some(found)),
            "{filter}: {list}"
        );
    }
    for refused in ["userName eq bjensen", "nope eq \"x\"", "userName eq \"a\" and"] {
        let (status, error, _) = h.call("GET", &format!("/Users?filter={refused}"), None).await;
        assert_eq!(
            (status, error["scimType"].as_str()),
            (400, Some("invalidFilter")),
            "{refused}: {error}"
        );
    }
}

#[tokio::test]
async fn lists_page_with_start_index_and_count() {
    let h = Harness::start(&[]).await;
    for n in 1..=3 {
        h.create_user(user(&format!("user{n}@example.com"))).await;
    }
    let (status, page, _) = h.call("GET", "/Users?startIndex=2&count=1", None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (&page["totalResults"], &page["startIndex"], &page["itemsPerPage"]),
        (&json!(3), &json!(2), &json!(1))
    );
    assert_eq!(page["Resources"][0]["userName"], "user2@example.com");
    let (_, all, _) = h.call("GET", "/Users?count=0", None).await;
    assert_eq!(
        (all["totalResults"].as_u64(), all["itemsPerPage"].as_u64()),
        (Some(3), Some(0))
    );
    let (status, error, _) = h.call("GET", "/Users?count=many", None).await;
    assert_eq!((status, error["scimType"].as_str()), (400, Some("invalidValue")));
    // attributes= projects; id and schemas always come.
    let (_, projected, _) = h.call("GET", "/Users?attributes=userName", None).await;
    let keys: Vec<&String> = projected["Resources"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["schemas", "id", "userName"]);
}

#[tokio::test]
async fn put_replaces_the_user_and_roles_give_the_quicksight_role() {
    let h = Harness::start(&[(
        "GROUP_MAPPING",
        r#"{"analysts":{"group":"qs-analysts","role":"AUTHOR"}}"#,
    )])
    .await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    let mut replaced = bjensen();
    replaced["name"]["givenName"] = json!("Babs");
    replaced["roles"] = json!([{ "value": "analysts", "primary": true }]);
    replaced["title"] = json!("Tour Guide");
    let (status, read, _) = h.call("PUT", &format!("/Users/{id}"), Some(replaced.clone())).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["meta"]["version"], "W/\"2\"");
    for attribute in ["name", "roles", "title"] {
        assert_eq!(read[attribute], replaced[attribute], "{attribute}");
    }
    let qs = h.quicksight_user("bjensen@example.com").await.unwrap();
    assert_eq!(qs.role().map(|r| r.as_str()), Some("AUTHOR"));
    // A role as QuickSight spells it, in any case, is that role.
    replaced["roles"] = json!([{ "value": "admin" }]);
    h.call("PUT", &format!("/Users/{id}"), Some(replaced)).await;
    let qs = h.quicksight_user("bjensen@example.com").await.unwrap();
    assert_eq!(qs.role().map(|r| r.as_str()), Some("ADMIN"));
}

#[tokio::test]
async fn patch_as_entra_sends_it_capitalised_ops_string_booleans_and_paths_in_values() {
    let h = Harness::start(&[("SCIM_DEACTIVATE", "keep")]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    // From Microsoft's "Known issues ... SCIM 2.0 protocol compliance" and its request examples.
    let body = patch(json!([
        { "op": "Replace", "path": "displayName", "value": "Barbara J" },
        { "op": "Add", "path": "emails[type eq \"work\"].value", "value": "babs@example.com" },
        { "op": "Replace", "path": "name.familyName", "value": "Jensen-Smith" },
        { "op": "Add", "value": { "title": "Manager", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Tours" } },
        { "op": "Replace", "path": "active", "value": "False" },
    ]));
    let (status, read, _) = h.call("PATCH", &format!("/Users/{id}"), Some(body)).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["displayName"], "Barbara J");
    assert_eq!(
        read["emails"],
        json!([{ "value": "babs@example.com", "type": "work", "primary": true }])
    );
    assert_eq!(read["name"]["familyName"], "Jensen-Smith");
    assert_eq!(read["name"]["givenName"], "Barbara");
    assert_eq!(read["title"], "Manager");
    assert_eq!(
        read["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Tours"
    );
    assert_eq!(read["active"], false);
    assert!(read["schemas"].as_array().unwrap().len() == 2, "{read}");
    // SCIM_DEACTIVATE=keep: QuickSight keeps the user, with the new e-mail.
    let qs = h.quicksight_user("bjensen@example.com").await.expect("kept");
    assert_eq!(qs.email(), Some("babs@example.com"));
}

#[tokio::test]
async fn okta_deactivation_deletes_the_quicksight_user_and_reactivation_registers_it_again() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    // Okta's deactivation: a replace without a path.
    let body = patch(json!([{ "op": "replace", "value": { "active": false } }]));
    let (status, read, _) = h.call("PATCH", &format!("/Users/{id}"), Some(body)).await;
    assert_eq!((status, &read["active"]), (200, &json!(false)), "{read}");
    assert!(
        h.quicksight_user("bjensen@example.com").await.is_none(),
        "SCIM_DEACTIVATE=delete"
    );
    let (status, read, _) = h.call("GET", &format!("/Users/{id}"), None).await;
    assert_eq!(
        (status, &read["active"], &read["userName"]),
        (200, &json!(false), &json!("bjensen@example.com"))
    );

    let body = patch(json!([{ "op": "replace", "value": { "active": true } }]));
    let (status, _, _) = h.call("PATCH", &format!("/Users/{id}"), Some(body)).await;
    assert_eq!(status, 200);
    assert!(
        h.quicksight_user("bjensen@example.com").await.is_some(),
        "registered again"
    );
}

#[tokio::test]
async fn deactivating_an_asset_owner_is_refused_by_the_handover_rules_and_changes_nothing() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    let arn = h.quicksight_user("bjensen@example.com").await.unwrap().arn.unwrap();
    h.seed_owned_dashboard("sales", &arn).await;
    let body = patch(json!([{ "op": "replace", "path": "active", "value": false }]));
    let (status, error, _) = h.call("PATCH", &format!("/Users/{id}"), Some(body)).await;
    assert_eq!(status, 409, "{error}");
    assert!(error["detail"].as_str().unwrap().contains("asset"), "{error}");
    assert!(h.quicksight_user("bjensen@example.com").await.is_some());
    let (_, read, _) = h.call("GET", &format!("/Users/{id}"), None).await;
    assert_eq!(read["active"], true);
    let (status, _, _) = h.call("DELETE", &format!("/Users/{id}"), None).await;
    assert_eq!(status, 409, "DELETE follows the same rules");
}

#[tokio::test]
async fn patch_errors_name_the_rule() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    let cases = [
        (json!({ "Operations": [] }), "invalidSyntax"),
        (
            patch(json!([{ "op": "move", "path": "title", "value": "x" }])),
            "invalidSyntax",
        ),
        (patch(json!([{ "op": "remove" }])), "noTarget"),
        (
            patch(json!([{ "op": "replace", "path": "id", "value": "x" }])),
            "mutability",
        ),
        (
            patch(json!([{ "op": "add", "path": "groups", "value": [{ "value": "g" }] }])),
            "mutability",
        ),
        (
            patch(json!([{ "op": "remove", "path": "emails[type eq \"home\"]" }])),
            "noTarget",
        ),
        (
            patch(json!([{ "op": "replace", "path": "emails[type ne \"work\"].value", "value": "x" }])),
            "noTarget",
        ),
        (
            patch(json!([{ "op": "replace", "path": "emails[type xx \"work\"].value", "value": "x" }])),
            "invalidPath",
        ),
        // RFC 7644 §3.5.2.2: a required attribute is not removed.
        (patch(json!([{ "op": "remove", "path": "userName" }])), "mutability"),
        (patch(json!([{ "op": "remove", "path": "emails" }])), "mutability"),
    ];
    for (body, scim_type) in cases {
        let (status, error, _) = h.call("PATCH", &format!("/Users/{id}"), Some(body.clone())).await;
        assert_eq!(
            (status, error["scimType"].as_str()),
            (400, Some(scim_type)),
            "{body}: {error}"
        );
    }
    let (status, ..) = h.call("PATCH", "/Users/nobody", Some(patch(json!([])))).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_rename_keeps_the_id_moves_the_groups_and_retires_the_old_quicksight_user() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    let (status, group, _) = h
        .call(
            "POST",
            "/Groups",
            Some(json!({ "displayName": "Tours", "members": [{ "value": id }] })),
        )
        .await;
    assert_eq!(status, 201, "{group}");
    let body = patch(json!([{ "op": "replace", "path": "userName", "value": "barbara@example.com" }]));
    let (status, read, _) = h.call("PATCH", &format!("/Users/{id}"), Some(body)).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(
        (read["id"].as_str(), read["userName"].as_str()),
        (Some(id.as_str()), Some("barbara@example.com"))
    );
    assert!(
        h.quicksight_user("bjensen@example.com").await.is_none(),
        "the old name is gone"
    );
    let renamed = h.quicksight_user("barbara@example.com").await.expect("the new name");
    assert_eq!(renamed.external_login_id(), Some("701984"));
    assert_eq!(
        h.members("scim-Tours").await.unwrap(),
        ["QuickSightFederated/barbara@example.com"]
    );
    assert_eq!(read["groups"][0]["display"], "Tours");
    // The old userName is free again; the new one is taken.
    h.create_user(user("bjensen@example.com")).await;
    let (status, ..) = h.call("POST", "/Users", Some(user("Barbara@example.com"))).await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn a_renamed_asset_owner_keeps_its_assets_under_the_new_name() {
    let h = Harness::start(&[]).await;
    let mut author = bjensen();
    author["roles"] = json!([{ "value": "AUTHOR" }]);
    let id = h.create_user(author).await["id"].as_str().unwrap().to_owned();
    let old_arn = h.quicksight_user("bjensen@example.com").await.unwrap().arn.unwrap();
    h.seed_owned_dashboard("tours", &old_arn).await;
    // ASSET_HANDOVER=refuse (the default) refuses leavers; a rename is no leaver.
    let body = patch(json!([{ "op": "replace", "path": "userName", "value": "barbara@example.com" }]));
    let (status, read, _) = h.call("PATCH", &format!("/Users/{id}"), Some(body)).await;
    assert_eq!(status, 200, "{read}");
    assert!(h.quicksight_user("bjensen@example.com").await.is_none());
    let new_arn = h.quicksight_user("barbara@example.com").await.unwrap().arn.unwrap();
    let permissions = h
        .quicksight
        .describe_dashboard_permissions()
        .aws_account_id(qs_testing::ACCOUNT)
        .dashboard_id("tours")
        .send()
        .await
        .unwrap();
    let owners: Vec<&str> = permissions.permissions().iter().map(|p| p.principal()).collect();
    assert!(owners.contains(&new_arn.as_str()), "{owners:?}");
}

#[tokio::test]
async fn delete_removes_the_quicksight_user_and_then_answers_404() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    let (status, body, _) = h.call("DELETE", &format!("/Users/{id}"), None).await;
    assert_eq!((status, body), (204, Value::Null));
    assert!(h.quicksight_user("bjensen@example.com").await.is_none());
    for method in ["GET", "DELETE"] {
        let (status, error, _) = h.call(method, &format!("/Users/{id}"), None).await;
        assert_eq!((status, error["status"].as_str()), (404, Some("404")), "{method}");
    }
    let (_, list, _) = h
        .call("GET", "/Users?filter=userName eq \"bjensen@example.com\"", None)
        .await;
    assert_eq!(list["totalResults"], 0);
}

#[tokio::test]
async fn two_scim_users_of_one_quicksight_user_are_409_before_any_call() {
    let h = Harness::start(&[("SCIM_SESSION_NAME", "email")]).await;
    h.create_user(bjensen()).await;
    let mut twin = user("x@example.com");
    twin["emails"] = json!([{ "value": "bjensen@example.com", "primary": true }]);
    twin["externalId"] = json!("another-identity");
    let (status, error, _) = h.call("POST", "/Users", Some(twin)).await;
    assert_eq!(
        (status, error["scimType"].as_str()),
        (409, Some("uniqueness")),
        "{error}"
    );
    let qs = h.quicksight_user("bjensen@example.com").await.unwrap();
    assert_eq!(qs.external_login_id(), Some("701984"), "untouched");
}

#[tokio::test]
async fn a_quicksight_user_another_login_holds_is_409_and_not_taken_over() {
    let h = Harness::start(&[]).await;
    // Registered outside SCIM, tied to another identity's login.
    h.quicksight
        .register_user()
        .aws_account_id(qs_testing::ACCOUNT)
        .namespace("default")
        .identity_type(aws_sdk_quicksight::types::IdentityType::Iam)
        .iam_arn(qs_testing::ROLE_ARN)
        .session_name("bjensen@example.com")
        .email("bjensen@example.com")
        .user_role(aws_sdk_quicksight::types::UserRole::Reader)
        .external_login_federation_provider_type("CUSTOM_OIDC")
        .custom_federation_provider_url(PROVIDER)
        .external_login_id("someone-else")
        .send()
        .await
        .unwrap();
    let (status, error, _) = h.call("POST", "/Users", Some(bjensen())).await;
    assert_eq!(
        (status, error["scimType"].as_str()),
        (409, Some("uniqueness")),
        "{error}"
    );
    assert!(
        error["detail"].as_str().unwrap().contains("different external login"),
        "{error}"
    );
    let qs = h.quicksight_user("bjensen@example.com").await.unwrap();
    assert_eq!(qs.external_login_id(), Some("someone-else"));
    assert!(h.table().keys().is_empty(), "no record of a user SCIM does not hold");
}

#[tokio::test]
async fn with_tenants_each_token_reaches_its_own_namespace_only() {
    let acme = "acme-token-0123456789abcdef0123456789";
    let globex = "globex-token-0123456789abcdef012345678";
    let tokens = json!({ "acme": acme, "globex": globex }).to_string();
    let h = Harness::start(&[
        ("SCIM_TOKEN", &tokens),
        ("TENANT_NAMESPACE", "tenant-{tenant}"),
        ("TENANT_CREATE_NAMESPACE", "true"),
        ("TENANT_ALLOWED", "acme|globex"),
    ])
    .await;
    let (status, created, _) = h.call_as(Some(acme), "POST", "/Users", Some(bjensen())).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert!(
        h.quicksight_user_in("tenant-acme", "bjensen@example.com")
            .await
            .is_some()
    );
    let (status, ..) = h.call_as(Some(globex), "GET", &format!("/Users/{id}"), None).await;
    assert_eq!(status, 404, "another tenant's token does not see the user");
    let (status, ..) = h.call_as(Some(acme), "GET", &format!("/Users/{id}"), None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_new_external_id_moves_the_login_of_this_services_user() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    let body = patch(json!([{ "op": "Replace", "path": "externalId", "value": "new-object-id" }]));
    let (status, read, _) = h.call("PATCH", &format!("/Users/{id}"), Some(body)).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(read["externalId"], "new-object-id");
    let qs = h.quicksight_user("bjensen@example.com").await.unwrap();
    assert_eq!(qs.external_login_id(), Some("new-object-id"));
}

#[tokio::test]
async fn a_reactivated_user_gets_its_groups_back() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    let group = h
        .call(
            "POST",
            "/Groups",
            Some(json!({ "displayName": "Tours", "members": [{ "value": id }] })),
        )
        .await
        .1;
    let off = patch(json!([{ "op": "replace", "path": "active", "value": false }]));
    h.call("PATCH", &format!("/Users/{id}"), Some(off)).await;
    assert_eq!(h.members("scim-Tours").await.unwrap(), Vec::<String>::new());
    let on = patch(json!([{ "op": "replace", "path": "active", "value": true }]));
    let (status, read, _) = h.call("PATCH", &format!("/Users/{id}"), Some(on)).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(
        h.members("scim-Tours").await.unwrap(),
        ["QuickSightFederated/bjensen@example.com"]
    );
    assert_eq!(read["groups"][0]["value"], group["id"]);
}
