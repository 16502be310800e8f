//! Authentication and the discovery endpoints: what they advertise is what the service does.

use serde_json::Value;

use super::{Harness, TOKEN};

#[tokio::test]
async fn no_token_or_a_wrong_one_is_a_401_that_says_nothing() {
    let h = Harness::start(&[]).await;
    for token in [None, Some("wrong-token-0123456789abcdef0123456789"), Some("")] {
        let (status, body, headers) = h.call_as(token, "GET", "/Users", None).await;
        assert_eq!(status, 401, "{token:?}");
        assert_eq!(body, Value::Null, "a 401 says nothing");
        assert_eq!(headers["www-authenticate"], "Bearer");
    }
    // Without a token, not even a path outside /scim/v2 is answered.
    let (status, body, _) = h.call_as(None, "GET", "/../admin", None).await;
    assert_eq!((status, body), (401, Value::Null));
    let (status, ..) = h.call_as(Some(TOKEN), "GET", "/ServiceProviderConfig", None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn service_provider_config_advertises_patch_and_filter_and_no_bulk_sort_or_etag() {
    let h = Harness::start(&[]).await;
    let (status, config, headers) = h.call("GET", "/ServiceProviderConfig", None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/scim+json");
    assert_eq!(config["patch"]["supported"], true);
    assert_eq!(config["filter"]["supported"], true);
    assert_eq!(config["filter"]["maxResults"], 200);
    for unsupported in ["bulk", "sort", "etag", "changePassword"] {
        assert_eq!(config[unsupported]["supported"], false, "{unsupported}");
    }
    assert_eq!(config["authenticationSchemes"][0]["type"], "oauthbearertoken");
    // What it says is what it does: sorting is refused, bulk has no endpoint.
    let (status, error, _) = h.call("GET", "/Users?sortBy=userName", None).await;
    assert_eq!((status, error["scimType"].as_str()), (400, Some("invalidValue")));
    let (status, ..) = h.call("POST", "/Bulk", Some(serde_json::json!({}))).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn resource_types_and_schemas_list_users_groups_and_the_enterprise_extension() {
    let h = Harness::start(&[]).await;
    let (status, types, _) = h.call("GET", "/ResourceTypes", None).await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = types["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["User", "Group"]);
    assert_eq!(types["totalResults"], 2);
    let (status, user, _) = h.call("GET", "/ResourceTypes/User", None).await;
    assert_eq!((status, user["endpoint"].as_str()), (200, Some("/Users")));
    assert_eq!(
        user["meta"]["location"],
        "https://scim.example.com/scim/v2/ResourceTypes/User"
    );

    let (status, schemas, _) = h.call("GET", "/Schemas", None).await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = schemas["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:core:2.0:Group",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ]
    );
    let (status, user, _) = h
        .call("GET", "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", None)
        .await;
    assert_eq!(status, 200);
    let user_name = user["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "userName")
        .unwrap();
    assert_eq!(
        (user_name["required"].as_bool(), user_name["uniqueness"].as_str()),
        (Some(true), Some("server"))
    );
    // RFC 7643 §8.7.1's names and descriptions; what QuickSight needs is advertised as required.
    let described: Vec<(&str, &str)> = schemas["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["description"].as_str().unwrap()))
        .collect();
    assert_eq!(
        described,
        [
            ("User", "User Account"),
            ("Group", "Group"),
            ("EnterpriseUser", "Enterprise User")
        ]
    );
    let emails = user["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "emails")
        .unwrap();
    assert_eq!(emails["required"], true);
    assert_eq!(emails["subAttributes"][0]["name"], "value");
    assert_eq!(emails["subAttributes"][0]["required"], true);
    let (status, error, _) = h.call("GET", "/Schemas/urn:nope", None).await;
    assert_eq!((status, error["status"].as_str()), (404, Some("404")));
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_scim_errors() {
    let h = Harness::start(&[]).await;
    let (status, error, _) = h.call("GET", "/Nope", None).await;
    assert_eq!(status, 404);
    assert_eq!(error["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
    let (status, ..) = h.call("DELETE", "/Users", None).await;
    assert_eq!(status, 405);
    let (status, error, _) = h.call("POST", "/Users", None).await;
    assert_eq!((status, error["scimType"].as_str()), (400, Some("invalidSyntax")));
}
