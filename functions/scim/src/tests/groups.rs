//! `/Groups`: QuickSight groups inside MANAGED_GROUP_PREFIX, RFC 7644 §3.5.2's member PATCH
//! examples, Entra's member removal with a value, filters, renames, deletion; a group outside the
//! prefix is never touched.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{Harness, bjensen, patch, user};

async fn two_users(h: &Harness) -> (String, String) {
    let a = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    let b = h.create_user(user("jsmith@example.com")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (a, b)
}

fn member_ids(group: &Value) -> BTreeSet<String> {
    group["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_group_is_the_prefixed_quicksight_group_with_its_members() {
    let h = Harness::start(&[]).await;
    let (a, b) = two_users(&h).await;
    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Tour Guides", "externalId": "okta-00g1",
        "members": [{ "value": a, "display": "Babs Jensen" }]
    });
    let (status, created, headers) = h.call("POST", "/Groups", Some(body)).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        headers["location"],
        format!("https://scim.example.com/scim/v2/Groups/{id}")
    );
    assert_eq!(
        h.members("scim-Tour Guides").await.unwrap(),
        ["QuickSightFederated/bjensen@example.com"]
    );

    let (status, read, _) = h.call("GET", &format!("/Groups/{id}"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        (read["displayName"].as_str(), read["externalId"].as_str()),
        (Some("Tour Guides"), Some("okta-00g1"))
    );
    assert_eq!(member_ids(&read), BTreeSet::from([a.clone()]));
    // A user reads its groups back.
    let (_, user, _) = h.call("GET", &format!("/Users/{a}"), None).await;
    assert_eq!(user["groups"][0]["value"], id);
    // excludedAttributes=members answers without them.
    let (_, bare, _) = h
        .call("GET", &format!("/Groups/{id}?excludedAttributes=members"), None)
        .await;
    assert!(bare.get("members").is_none(), "{bare}");

    let (status, error, _) = h
        .call("POST", "/Groups", Some(json!({ "displayName": "tour guides" })))
        .await;
    assert_eq!((status, error["scimType"].as_str()), (409, Some("uniqueness")));
    let (status, error, _) = h
        .call(
            "POST",
            "/Groups",
            Some(json!({ "displayName": "X", "members": [{ "value": "nobody" }] })),
        )
        .await;
    assert_eq!((status, error["scimType"].as_str()), (400, Some("invalidValue")));
    let _ = b;
}

#[tokio::test]
async fn rfc_7644_member_patches_add_remove_by_filter_and_replace() {
    let h = Harness::start(&[]).await;
    let (a, b) = two_users(&h).await;
    let id = h
        .call("POST", "/Groups", Some(json!({ "displayName": "Tours" })))
        .await
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/Groups/{id}");
    // §3.5.2.1: add members.
    let add = patch(json!([{ "op": "add", "path": "members", "value": [
        { "display": "Babs Jensen", "$ref": format!("https://example.com/v2/Users/{a}"), "value": a },
        { "value": b }
    ] }]));
    let (status, read, _) = h.call("PATCH", &path, Some(add)).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(member_ids(&read), BTreeSet::from([a.clone(), b.clone()]));
    assert_eq!(h.members("scim-Tours").await.unwrap().len(), 2);
    // §3.5.2.2: remove one member by a value filter.
    let remove = patch(json!([{ "op": "remove", "path": format!("members[value eq \"{a}\"]") }]));
    let (_, read, _) = h.call("PATCH", &path, Some(remove)).await;
    assert_eq!(member_ids(&read), BTreeSet::from([b.clone()]));
    assert_eq!(
        h.members("scim-Tours").await.unwrap(),
        ["QuickSightFederated/jsmith@example.com"]
    );
    // §3.5.2.3: replace all members.
    let replace = patch(json!([{ "op": "replace", "path": "members", "value": [{ "value": a }] }]));
    let (_, read, _) = h.call("PATCH", &path, Some(replace)).await;
    assert_eq!(member_ids(&read), BTreeSet::from([a.clone()]));
    // Entra: Remove with path "members" and the members as the value.
    let entra = patch(json!([{ "op": "Remove", "path": "members", "value": [{ "value": a }] }]));
    let (_, read, _) = h.call("PATCH", &path, Some(entra)).await;
    assert_eq!(read.get("members"), None, "no members: unassigned (RFC 7643 §2.5)");
    assert_eq!(h.members("scim-Tours").await.unwrap(), Vec::<String>::new());
    // §3.5.2.2: remove all members.
    h.call(
        "PATCH",
        &path,
        Some(patch(
            json!([{ "op": "add", "path": "members", "value": [{ "value": b }] }]),
        )),
    )
    .await;
    let (_, read, _) = h
        .call(
            "PATCH",
            &path,
            Some(patch(json!([{ "op": "remove", "path": "members" }]))),
        )
        .await;
    assert_eq!(read.get("members"), None, "no members: unassigned (RFC 7643 §2.5)");
}

#[tokio::test]
async fn group_filters_by_display_name_id_external_id_and_member() {
    let h = Harness::start(&[]).await;
    let (a, _) = two_users(&h).await;
    let tours = h
        .call(
            "POST",
            "/Groups",
            Some(json!({ "displayName": "Tours", "externalId": "e-1", "members": [{ "value": a }] })),
        )
        .await
        .1;
    let tours = tours["id"].as_str().unwrap().to_owned();
    h.call("POST", "/Groups", Some(json!({ "displayName": "Finance" })))
        .await;
    for filter in [
        "displayName eq \"tours\"".to_owned(),
        "externalId eq \"e-1\"".to_owned(),
        format!("id eq \"{tours}\""),
        format!("members[value eq \"{a}\"]"),
        format!("id eq \"{tours}\" and members[value eq \"{a}\"]"),
    ] {
        let (status, list, _) = h
            .call(
                "GET",
                &format!("/Groups?filter={filter}&excludedAttributes=members"),
                None,
            )
            .await;
        assert_eq!(
            (status, list["totalResults"].as_u64()),
            (200, Some(1)),
            "{filter}: {list}"
        );
        assert_eq!(list["Resources"][0]["id"], tours.as_str());
    }
    let (_, all, _) = h.call("GET", "/Groups", None).await;
    assert_eq!(all["totalResults"], 2);
    let (status, error, _) = h.call("GET", "/Groups?filter=userName eq \"x\"", None).await;
    assert_eq!((status, error["scimType"].as_str()), (400, Some("invalidFilter")));
}

#[tokio::test]
async fn a_group_outside_the_prefix_is_never_touched() {
    let h = Harness::start(&[]).await;
    let (a, _) = two_users(&h).await;
    let qs = &h.quicksight;
    qs.create_group()
        .aws_account_id(qs_testing::ACCOUNT)
        .namespace("default")
        .group_name("finance")
        .send()
        .await
        .unwrap();
    qs.create_group_membership()
        .aws_account_id(qs_testing::ACCOUNT)
        .namespace("default")
        .group_name("finance")
        .member_name("QuickSightFederated/bjensen@example.com")
        .send()
        .await
        .unwrap();
    let (_, user, _) = h.call("GET", &format!("/Users/{a}"), None).await;
    assert_eq!(user.get("groups"), None, "not a SCIM group");
    let (_, list, _) = h.call("GET", "/Groups?filter=displayName eq \"finance\"", None).await;
    assert_eq!(list["totalResults"], 0);
    // A rename keeps only managed groups; finance keeps its member.
    h.call(
        "PATCH",
        &format!("/Users/{a}"),
        Some(patch(json!([{ "op": "replace", "path": "title", "value": "x" }]))),
    )
    .await;
    assert_eq!(
        h.members("finance").await.unwrap(),
        ["QuickSightFederated/bjensen@example.com"]
    );
}

#[tokio::test]
async fn put_renames_a_group_and_delete_removes_it() {
    let h = Harness::start(&[]).await;
    let (a, b) = two_users(&h).await;
    let id = h
        .call(
            "POST",
            "/Groups",
            Some(json!({ "displayName": "Tours", "members": [{ "value": a }] })),
        )
        .await
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = json!({ "displayName": "Guides", "members": [{ "value": a }, { "value": b }] });
    let (status, read, _) = h.call("PUT", &format!("/Groups/{id}"), Some(body)).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(
        (read["id"].as_str(), read["displayName"].as_str()),
        (Some(id.as_str()), Some("Guides"))
    );
    assert!(
        h.members("scim-Tours").await.is_none(),
        "the old QuickSight group is gone"
    );
    assert_eq!(h.members("scim-Guides").await.unwrap().len(), 2);
    let (status, _, _) = h.call("DELETE", &format!("/Groups/{id}"), None).await;
    assert_eq!(status, 204);
    assert!(h.members("scim-Guides").await.is_none());
    let (status, ..) = h.call("GET", &format!("/Groups/{id}"), None).await;
    assert_eq!(status, 404);
    // The members stay users.
    assert!(h.quicksight_user("bjensen@example.com").await.is_some());
}

#[tokio::test]
async fn a_mapped_group_gives_its_members_their_role() {
    let h = Harness::start(&[(
        "GROUP_MAPPING",
        r#"{"Authors":{"group":"scim-Authors","role":"AUTHOR"}}"#,
    )])
    .await;
    let (a, _) = two_users(&h).await;
    let id = h
        .call("POST", "/Groups", Some(json!({ "displayName": "Authors" })))
        .await
        .1["id"]
        .as_str()
        .unwrap()
        .to_owned();
    h.call(
        "PATCH",
        &format!("/Groups/{id}"),
        Some(patch(
            json!([{ "op": "add", "path": "members", "value": [{ "value": a }] }]),
        )),
    )
    .await;
    let qs = h.quicksight_user("bjensen@example.com").await.unwrap();
    assert_eq!(qs.role().map(|r| r.as_str()), Some("AUTHOR"));
    let other = h.quicksight_user("jsmith@example.com").await.unwrap();
    assert_eq!(other.role().map(|r| r.as_str()), Some("READER"));
}
