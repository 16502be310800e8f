//! A leaver's assets against quicksight-local: the search and permission operations' semantics,
//! and the engine handing assets over before every deletion (or refusing it).

use std::time::Duration;

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::error::ProvideErrorMetadata;
use aws_sdk_quicksight::types::{
    DashboardFilterAttribute, DashboardSearchFilter, DataSetFilterAttribute, DataSetSearchFilter, FilterOperator,
    IdentityType, ResourcePermission, UserRole as QsRole,
};
use qs_engine::{Engine, EngineError, UserChange, with_retries};
use qs_model::assets::{AssetKind, HandedOver};
use qs_model::config::Config;
use qs_model::user::Refusal;
use qs_model::validate::{ExternalLogin, UserRole};
use qs_provision_tests::{ACCOUNT, Emulator, ROLE_ARN};
use qs_testing as testing;
use serde_json::{Value, json};
use tokio::time::Instant;

const REGION: &str = "eu-west-1";
const ANA: &str = "QuickSightFederated/ana@example.com";

fn user_arn(name: &str) -> String {
    format!("arn:aws:quicksight:{REGION}:{ACCOUNT}:user/default/{name}")
}

fn group_arn(name: &str) -> String {
    format!("arn:aws:quicksight:{REGION}:{ACCOUNT}:group/default/{name}")
}

fn owner(kind: &str) -> Vec<&'static str> {
    let kind = match kind {
        "dashboard" => AssetKind::Dashboard,
        "analysis" => AssetKind::Analysis,
        "dataset" => AssetKind::Dataset,
        "datasource" => AssetKind::Datasource,
        _ => AssetKind::Folder,
    };
    kind.owner_actions().to_vec()
}

async fn register(qs: &Client, email: &str, role: QsRole) {
    qs.register_user()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .identity_type(IdentityType::Iam)
        .iam_arn(ROLE_ARN)
        .session_name(email)
        .email(email)
        .user_role(role)
        .send()
        .await
        .unwrap();
}

async fn group(qs: &Client, name: &str, members: &[&str]) {
    qs.create_group()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .group_name(name)
        .send()
        .await
        .unwrap();
    for member in members {
        qs.create_group_membership()
            .aws_account_id(ACCOUNT)
            .namespace("default")
            .group_name(name)
            .member_name(*member)
            .send()
            .await
            .unwrap();
    }
}

/// Seeds an asset whose permissions are `(principal, actions)`.
fn seed(emu: &Emulator, kind: &str, id: &str, permissions: &[(&str, Vec<&str>)]) {
    let permissions: Vec<Value> = permissions
        .iter()
        .map(|(p, a)| json!({ "Principal": p, "Actions": a }))
        .collect();
    let body = json!({ "kind": kind, "id": id, "name": format!("{kind} {id}"), "permissions": permissions });
    emu.post_json("/_emulator/assets", &body);
}

/// The principals of an asset that hold its owner actions, from `GET /_emulator/assets`.
fn owners_of(emu: &Emulator, kind: &str, id: &str) -> Vec<String> {
    let assets = emu.get_json("/_emulator/assets");
    let asset = assets["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == kind && a["id"] == id)
        .unwrap_or_else(|| panic!("{kind} {id} in {assets}"))
        .clone();
    let update = owner(kind)
        .into_iter()
        .find(|a| a.starts_with("quicksight:Update") && a.ends_with("Permissions"))
        .expect("an owner may change the permissions");
    asset["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["Actions"].as_array().unwrap().iter().any(|a| a == update))
        .map(|p| p["Principal"].as_str().unwrap().to_owned())
        .collect()
}

async fn dashboards(qs: &Client, name: DashboardFilterAttribute, value: &str) -> Result<Vec<String>, String> {
    let filter = DashboardSearchFilter::builder()
        .operator(FilterOperator::StringEquals)
        .name(name)
        .value(value)
        .build()
        .unwrap();
    let mut ids: Vec<String> = Vec::new();
    let mut pages = qs
        .search_dashboards()
        .aws_account_id(ACCOUNT)
        .filters(filter)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| e.code().unwrap_or_default().to_owned())?;
        ids.extend(
            page.dashboard_summary_list()
                .iter()
                .filter_map(|d| d.dashboard_id().map(str::to_owned)),
        );
    }
    ids.sort();
    Ok(ids)
}

#[tokio::test]
async fn searches_find_direct_group_and_sole_owners_page_by_page_and_fail_for_a_deleted_user() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    register(&qs, "ana@example.com", QsRole::Author).await;
    register(&qs, "bo@example.com", QsRole::Author).await;
    group(&qs, "bi", &[ANA]).await;
    let (ana, bo, bi) = (
        user_arn(ANA),
        user_arn("QuickSightFederated/bo@example.com"),
        group_arn("bi"),
    );
    seed(&emu, "dashboard", "d1", &[(&ana, owner("dashboard"))]);
    seed(
        &emu,
        "dashboard",
        "d2",
        &[(&ana, owner("dashboard")), (&bo, owner("dashboard"))],
    );
    seed(&emu, "dashboard", "d3", &[(&bi, owner("dashboard"))]);
    seed(&emu, "dashboard", "d4", &[(&ana, vec!["quicksight:DescribeDashboard"])]);

    use DashboardFilterAttribute as F;
    assert_eq!(
        dashboards(&qs, F::DirectQuicksightOwner, &ana).await.unwrap(),
        ["d1", "d2"]
    );
    assert_eq!(
        dashboards(&qs, F::DirectQuicksightSoleOwner, &ana).await.unwrap(),
        ["d1"]
    );
    assert_eq!(
        dashboards(&qs, F::QuicksightOwner, &ana).await.unwrap(),
        ["d1", "d2", "d3"],
        "through bi"
    );
    assert_eq!(
        dashboards(&qs, F::DirectQuicksightViewerOrOwner, &ana).await.unwrap(),
        ["d1", "d2", "d4"]
    );
    assert_eq!(
        dashboards(&qs, F::QuicksightUser, &ana).await.unwrap(),
        ["d1", "d2", "d3", "d4"]
    );
    assert_eq!(emu.requests("SearchDashboards"), 5);

    // Paged: 150 datasets come in two pages.
    for i in 0..150 {
        seed(&emu, "dataset", &format!("ds{i:03}"), &[(&ana, owner("dataset"))]);
    }
    let filter = DataSetSearchFilter::builder()
        .operator(FilterOperator::StringEquals)
        .name(DataSetFilterAttribute::DirectQuicksightOwner)
        .value(&ana)
        .build()
        .unwrap();
    let first = qs
        .search_data_sets()
        .aws_account_id(ACCOUNT)
        .filters(filter.clone())
        .max_results(100)
        .send()
        .await
        .unwrap();
    assert_eq!(first.data_set_summaries().len(), 100);
    let second = qs
        .search_data_sets()
        .aws_account_id(ACCOUNT)
        .filters(filter)
        .max_results(100)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!((second.data_set_summaries().len(), second.next_token()), (50, None));

    // 1 to 64 grants per call, each principal an existing user or group.
    let grant = |principal: &str| {
        ResourcePermission::builder()
            .principal(principal)
            .actions("quicksight:DescribeDashboard")
            .build()
            .unwrap()
    };
    let too_many = qs
        .update_dashboard_permissions()
        .aws_account_id(ACCOUNT)
        .dashboard_id("d1")
        .set_grant_permissions(Some((0..65).map(|_| grant(&bo)).collect()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(too_many.code(), Some("InvalidParameterValueException"));
    let nobody = qs
        .update_dashboard_permissions()
        .aws_account_id(ACCOUNT)
        .dashboard_id("d1")
        .grant_permissions(grant(&user_arn("QuickSightFederated/nobody")))
        .send()
        .await
        .unwrap_err();
    assert_eq!(nobody.code(), Some("InvalidParameterValueException"));

    // DeleteUser leaves what ana alone owned without an owner, and a search naming her fails.
    qs.delete_user()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .user_name(ANA)
        .send()
        .await
        .unwrap();
    assert!(owners_of(&emu, "dashboard", "d1").is_empty());
    assert_eq!(owners_of(&emu, "dashboard", "d2"), [bo.as_str()]);
    assert_eq!(
        dashboards(&qs, F::DirectQuicksightOwner, &ana).await.unwrap_err(),
        "ResourceNotFoundException"
    );
}

fn config(extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![("QUICKSIGHT_MAX_ATTEMPTS", "10")];
    vars.extend_from_slice(extra);
    testing::config(&vars)
}

fn engine(emu: &Emulator, config: &Config) -> Engine {
    let client = Client::from_conf(with_retries(emu.config(), config.max_attempts, config.retry_mode).build());
    Engine::new(client, config)
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(30)
}

/// ana (an author) solely owning a dashboard, an analysis and a dataset; bi, a group.
async fn ana_with_assets(emu: &Emulator) {
    let qs = emu.client();
    register(&qs, "ana@example.com", QsRole::Author).await;
    group(&qs, "bi", &[]).await;
    let ana = user_arn(ANA);
    for (kind, id) in [("dashboard", "sales"), ("analysis", "sales-a"), ("dataset", "orders")] {
        seed(emu, kind, id, &[(&ana, owner(kind))]);
    }
}

#[tokio::test]
async fn a_leavers_assets_go_to_the_handover_group_before_the_deletion() {
    let emu = Emulator::start(&[]);
    ana_with_assets(&emu).await;
    let bi = group_arn("bi");
    let engine = engine(&emu, &config(&[("ASSET_HANDOVER_PRINCIPAL", &bi)]));

    let outcome = engine.delete_user(&testing::home(), ANA, soon()).await.unwrap();

    assert_eq!(outcome.user, UserChange::Deleted);
    let handed = |kind, id: &str| HandedOver {
        kind,
        id: id.into(),
        to: bi.clone(),
    };
    assert_eq!(
        outcome.assets_handed_over,
        [
            handed(AssetKind::Dashboard, "sales"),
            handed(AssetKind::Analysis, "sales-a"),
            handed(AssetKind::Dataset, "orders")
        ]
    );
    for (kind, id) in [("dashboard", "sales"), ("analysis", "sales-a"), ("dataset", "orders")] {
        assert_eq!(owners_of(&emu, kind, id), [bi.as_str()], "{kind} {id}");
    }
    assert!(emu.user(ANA).is_null());
    for search in [
        "SearchDashboards",
        "SearchAnalyses",
        "SearchDataSets",
        "SearchDataSources",
        "SearchFolders",
    ] {
        assert_eq!(emu.requests(search), 1, "{search}");
    }
}

#[tokio::test]
async fn without_a_principal_a_user_who_owns_assets_is_not_deleted_and_none_deletes_anyway() {
    let emu = Emulator::start(&[]);
    ana_with_assets(&emu).await;

    let refusing = engine(&emu, &config(&[]));
    let error = refusing.delete_user(&testing::home(), ANA, soon()).await.unwrap_err();
    let EngineError::Refused(Refusal::OwnsAssets { user, assets }) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(user, ANA);
    assert_eq!(assets.values().sum::<usize>(), 3);
    assert!(
        error
            .to_string()
            .contains("3 asset(s) (1 dashboard, 1 analysis, 1 dataset)"),
        "{error}"
    );
    assert!(!error.is_transient());
    assert!(!emu.user(ANA).is_null(), "not deleted");
    assert_eq!(emu.requests("DeleteUser"), 0);

    let anyway = engine(&emu, &config(&[("ASSET_HANDOVER", "none")]));
    let outcome = anyway.delete_user(&testing::home(), ANA, soon()).await.unwrap();
    assert_eq!(outcome.user, UserChange::Deleted);
    assert!(
        owners_of(&emu, "dashboard", "sales").is_empty(),
        "left without an owner, as configured"
    );
}

#[tokio::test]
async fn a_user_recreated_as_a_reader_leaves_no_asset_without_an_owner_and_still_views_its_dashboards() {
    let emu = Emulator::start(&[]);
    ana_with_assets(&emu).await;
    let bi = group_arn("bi");
    let engine = engine(
        &emu,
        &config(&[("ASSET_HANDOVER_PRINCIPAL", &bi), ("ROLE_DOWNGRADE", "recreate")]),
    );
    let reader = testing::user_spec("ana@example.com", UserRole::Reader, ExternalLogin::None);

    let outcome = engine
        .register_or_update(&testing::home(), &reader, soon())
        .await
        .unwrap();

    assert_eq!(outcome.user, UserChange::Recreated);
    assert_eq!(outcome.assets_handed_over.len(), 3);
    assert_eq!(emu.user(ANA)["Role"], "READER");
    for (kind, id) in [("dashboard", "sales"), ("analysis", "sales-a"), ("dataset", "orders")] {
        assert_eq!(owners_of(&emu, kind, id), [bi.as_str()], "{kind} {id}");
    }
    let assets = emu.get_json("/_emulator/assets");
    let sales = assets["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "sales")
        .unwrap()
        .clone();
    let viewer = sales["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Principal"] == user_arn(ANA))
        .expect("the recreated user views its dashboard")
        .clone();
    assert_eq!(
        viewer["Actions"],
        json!([
            "quicksight:DescribeDashboard",
            "quicksight:ListDashboardVersions",
            "quicksight:QueryDashboard"
        ])
    );
}

/// qs-reconcile's plan for a directory that no longer has ana: her line says where her assets go.
fn reconcile(emu: &Emulator, extra: &[(&str, &str)]) -> Value {
    let export = std::env::temp_dir().join(format!("qs-assets-export-{}-{}.csv", std::process::id(), extra.len()));
    std::fs::write(&export, "email\nbo@example.com\n").unwrap();
    let output = std::process::Command::new(qs_provision_tests::bin("qs-reconcile"))
        .args(["--directory", export.to_str().unwrap(), "--json"])
        .env_clear()
        .envs(qs_provision_tests::lambda::base_env(&emu.url))
        .env("AWS_REGION", REGION)
        .envs(extra.iter().copied())
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&export);
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("no plan: {}", String::from_utf8_lossy(&output.stderr)))
}

#[tokio::test]
async fn the_reconcile_plan_says_where_a_leavers_assets_go_or_that_the_deletion_is_refused() {
    let emu = Emulator::start(&[]);
    ana_with_assets(&emu).await;
    let bi = group_arn("bi");

    let deletes = |plan: &Value| -> Vec<Value> {
        let items = plan["items"].as_array().unwrap();
        items.iter().filter(|i| i["action"] == "delete").cloned().collect()
    };
    let plan = reconcile(&emu, &[("ASSET_HANDOVER_PRINCIPAL", &bi)]);
    let delete = &deletes(&plan)[0];
    assert_eq!(delete["user"], ANA);
    assert_eq!(
        delete["fields"],
        json!([format!("hands 3 asset(s) (1 dashboard, 1 analysis, 1 dataset) to {bi}")])
    );

    let plan = reconcile(&emu, &[]);
    assert!(deletes(&plan).is_empty(), "not sent: the deletion would orphan them");
    assert_eq!(plan["notes"][0]["kind"], "owns_assets");
    assert_eq!(plan["notes"][0]["user"], ANA);
}
