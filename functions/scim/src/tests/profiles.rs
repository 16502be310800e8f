//! Custom permissions profiles from SCIM groups: GROUP_MAPPING names the profile a group's members
//! get; it follows them in and out of the group, and never replaces an administrator's.

use aws_sdk_quicksight::types::UserRole;
use qs_testing::{self as testing, ACCOUNT};
use serde_json::json;

use super::{Harness, bjensen, patch, user};

const MAPPING: &str = r#"{"Contractors": {"group": "scim-Contractors", "custom_permissions": "no-export"}}"#;

async fn profile_of(h: &Harness, session: &str) -> Option<String> {
    let user = h.quicksight_user(session).await.expect("the user");
    user.custom_permissions_name().map(str::to_owned)
}

#[tokio::test]
async fn a_mapped_groups_profile_follows_its_members_and_an_administrators_stays() {
    let h = Harness::start(&[("GROUP_MAPPING", MAPPING)]).await;
    testing::create_profile(&h.quicksight, "no-export").await;
    testing::create_profile(&h.quicksight, "admin-locked").await;
    let babs = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    let jo = h.create_user(user("jo@example.com")).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(profile_of(&h, "bjensen@example.com").await, None);
    // An administrator restricted jo by hand.
    h.quicksight
        .update_user()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .user_name(format!("{}/jo@example.com", testing::ROLE_NAME))
        .email("jo@example.com")
        .role(UserRole::Reader)
        .custom_permissions_name("admin-locked")
        .send()
        .await
        .unwrap();

    let body = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Contractors",
        "members": [{ "value": babs }, { "value": jo }]
    });
    let (status, group, _) = h.call("POST", "/Groups", Some(body)).await;
    assert_eq!(status, 201, "{group}");
    assert_eq!(
        profile_of(&h, "bjensen@example.com").await.as_deref(),
        Some("no-export")
    );
    assert_eq!(profile_of(&h, "jo@example.com").await.as_deref(), Some("admin-locked"));

    // Out of the group: the profile this deployment applied goes; the administrator's stays.
    let id = group["id"].as_str().unwrap();
    let remove = patch(json!([{ "op": "remove", "path": "members" }]));
    let (status, body, _) = h.call("PATCH", &format!("/Groups/{id}"), Some(remove)).await;
    assert!(status == 200 || status == 204, "{status} {body}");
    assert_eq!(profile_of(&h, "bjensen@example.com").await, None);
    assert_eq!(profile_of(&h, "jo@example.com").await.as_deref(), Some("admin-locked"));
}
