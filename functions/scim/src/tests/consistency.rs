//! QuickSight first, the table second: a failed table write answers 503 with Retry-After, and the
//! client's repeat finishes the work; a record whose QuickSight user is gone is removed on read.

use serde_json::json;

use super::{Harness, bjensen};
use crate::keys::{Key, KeyKind};
use crate::store::Write;

#[tokio::test]
async fn a_create_whose_table_write_fails_is_finished_by_the_repeat() {
    let h = Harness::start(&[]).await;
    h.table().fail_next(1);
    let (status, error, headers) = h.call("POST", "/Users", Some(bjensen())).await;
    assert_eq!(status, 503, "{error}");
    assert_eq!(headers["retry-after"], "2");
    assert!(
        h.quicksight_user("bjensen@example.com").await.is_some(),
        "QuickSight was written first"
    );
    assert!(h.table().keys().is_empty(), "nothing half-written in the table");
    // The IdP repeats: QuickSight has nothing to change, the table is written.
    let (status, created, _) = h.call("POST", "/Users", Some(bjensen())).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(h.table().keys().len(), 3, "{:?}", h.table().keys());
    let (_, list, _) = h.call("GET", "/Users", None).await;
    assert_eq!(list["totalResults"], 1);
}

#[tokio::test]
async fn a_delete_whose_table_write_fails_is_finished_by_the_repeat() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    h.table().fail_next(1);
    let (status, ..) = h.call("DELETE", &format!("/Users/{id}"), None).await;
    assert_eq!(status, 503);
    assert!(h.quicksight_user("bjensen@example.com").await.is_none());
    let (status, ..) = h.call("DELETE", &format!("/Users/{id}"), None).await;
    assert_eq!(status, 204);
    assert!(h.table().keys().is_empty());
}

#[tokio::test]
async fn a_record_whose_quicksight_user_is_gone_is_removed_on_read() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    // The user deleted in QuickSight, outside SCIM, long after it was written.
    h.delete_in_quicksight("bjensen@example.com").await;
    let key = Key::new(KeyKind::User, "default", &id);
    let mut stored = h.table().get(&key.to_string()).unwrap().unwrap();
    stored.doc["lastModified"] = json!("2026-01-01T00:00:00Z");
    h.table()
        .write(vec![Write::Replace {
            key,
            doc: stored.doc,
            version: stored.version,
        }])
        .unwrap();
    let (status, ..) = h.call("GET", &format!("/Users/{id}"), None).await;
    assert_eq!(status, 404);
    assert!(
        h.table().keys().is_empty(),
        "the record and its names are gone: {:?}",
        h.table().keys()
    );
    // The IdP may create the user again under the same userName.
    h.create_user(bjensen()).await;
}

#[tokio::test]
async fn a_just_written_user_quicksight_does_not_show_yet_is_not_removed() {
    let h = Harness::start(&[]).await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    h.delete_in_quicksight("bjensen@example.com").await;
    // Within the grace, QuickSight's not-found may be its eventual consistency.
    let (status, read, _) = h.call("GET", &format!("/Users/{id}"), None).await;
    assert_eq!((status, read["id"].as_str()), (200, Some(id.as_str())));
}

/// Another instance registered the user a moment ago, and QuickSight does not show it yet: the
/// deactivation deletes it instead of reading the 404 as "already gone".
#[tokio::test]
async fn a_deactivation_right_after_another_instance_created_the_user_deletes_it() {
    let mut h = Harness::with_emulator(
        &["--consistency-delay-ms", "1500"],
        &[("QUICKSIGHT_CONSISTENCY_SECONDS", "5")],
    )
    .await;
    let id = h.create_user(bjensen()).await["id"].as_str().unwrap().to_owned();
    // The next request lands on another instance: an engine that registered nothing.
    h.app.engine = qs_engine::Engine::new(h.quicksight.clone(), &h.app.config);

    let deactivate = super::patch(json!([{ "op": "replace", "path": "active", "value": false }]));
    let (status, user, _) = h.call("PATCH", &format!("/Users/{id}"), Some(deactivate)).await;

    assert_eq!(status, 200, "{user}");
    assert_eq!(user["active"], false);
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    assert!(
        h.quicksight_user("bjensen@example.com").await.is_none(),
        "acknowledged a deactivation that left the user in QuickSight"
    );
}
