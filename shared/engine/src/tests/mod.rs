//! Request-level tests: each rule is the exact next request the engine must send (Sequential mode
//! panics on any other request), answered with a modeled output or a raw HTTP error.

use std::collections::BTreeSet;
use std::time::Duration;

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::operation::create_group::CreateGroupOutput;
use aws_sdk_quicksight::operation::create_group_membership::CreateGroupMembershipOutput;
use aws_sdk_quicksight::operation::delete_group_membership::DeleteGroupMembershipOutput;
use aws_sdk_quicksight::operation::describe_group::DescribeGroupOutput;
use aws_sdk_quicksight::operation::describe_user::DescribeUserOutput;
use aws_sdk_quicksight::operation::list_user_groups::ListUserGroupsOutput;
use aws_sdk_quicksight::operation::register_user::RegisterUserOutput;
use aws_sdk_quicksight::operation::update_user::UpdateUserOutput;
use aws_sdk_quicksight::types::{Group, IdentityType, Tag, User, UserRole as QsRole};
use aws_smithy_mocks::{Rule, mock};
use aws_smithy_types::retry::RetryConfig;
use tokio::time::Instant;

use qs_model::config::{Config, GroupScope};
use qs_model::outcome::DowngradeAction;
use qs_model::user::UserField;
use qs_model::validate::{ExternalLogin, Profile, UserRole, UserSpec};
use qs_testing::{self as testing, ACCOUNT, ROLE_ARN, quicksight_error};

use super::{Engine, EngineError, FirstCall, GroupChanges, UserChange};

const OIDC_URL: &str = "https://idp.example.com";
const USER: &str = "QuickSightFederated/ana@example.com";

fn config(dry_run: bool) -> Config {
    testing::config(&[
        ("DRY_RUN", if dry_run { "true" } else { "false" }),
        ("MANAGED_GROUP_PREFIX", "qs-"),
    ])
}

/// The production retry configuration on a client whose HTTP layer is the mock; describe-first,
/// as sqs-sync runs it.
fn engine(rules: &[&Rule], dry_run: bool) -> Engine {
    engine_with(rules, dry_run, |b| b)
}

/// Register-first, as the sign-up functions run it.
fn signup_engine(rules: &[&Rule]) -> Engine {
    engine(rules, false).with_first_call(FirstCall::Register)
}

/// Register-first with a short backoff so that tests of the SDK's retries run quickly; the retry
/// classifier and retry quota are the production ones.
fn signup_engine_with_backoff(rules: &[&Rule], backoff: Duration) -> Engine {
    engine_with(rules, false, |b| {
        b.retry_config(
            RetryConfig::standard()
                .with_max_attempts(4)
                .with_initial_backoff(backoff),
        )
    })
    .with_first_call(FirstCall::Register)
}

fn engine_with(
    rules: &[&Rule],
    dry_run: bool,
    adjust: impl FnOnce(aws_sdk_quicksight::config::Builder) -> aws_sdk_quicksight::config::Builder,
) -> Engine {
    let builder = super::with_retries(testing::mocked_config(rules), 4, qs_model::config::RetryMode::Standard);
    let client = Client::from_conf(adjust(builder).build());
    Engine::new(client, &config(dry_run)).with_consistency_window(Duration::from_secs(2))
}

fn spec(login: ExternalLogin) -> UserSpec {
    UserSpec {
        user_name: USER.into(),
        email: "ana@example.com".into(),
        session_name: "ana@example.com".into(),
        role: UserRole::Author,
        custom_permissions: Profile::Leave,
        external_login: login,
        tags: Default::default(),
        relink: false,
    }
}

/// A user with one tag, as USER_TAGS or a message gives it.
fn tagged() -> UserSpec {
    UserSpec {
        tags: [("team".to_string(), "finance".to_string())].into(),
        ..spec(oidc())
    }
}

fn oidc() -> ExternalLogin {
    ExternalLogin::CustomOidc {
        provider_url: OIDC_URL.into(),
        id: "sub-123".into(),
    }
}

fn groups(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(30)
}

fn existing_user(role: QsRole) -> User {
    User::builder()
        .user_name(USER)
        .arn(format!("arn:aws:quicksight:us-east-1:{ACCOUNT}:user/default/{USER}"))
        .email("ana@example.com")
        .role(role)
        .identity_type(IdentityType::Iam)
        .external_login_federation_provider_type("CUSTOM_OIDC")
        .external_login_federation_provider_url(OIDC_URL)
        .external_login_id("sub-123")
        .build()
}

fn register_ok() -> Rule {
    mock!(Client::register_user)
        .match_requests(|r| r.session_name() == Some("ana@example.com"))
        .then_output(|| {
            RegisterUserOutput::builder()
                .user(User::builder().user_name(USER).arn("arn:u").build())
                .build()
        })
}

fn describe_missing() -> Rule {
    mock!(Client::describe_user)
        .match_requests(|r| r.user_name() == Some(USER))
        .then_http_response(|| quicksight_error(404, "ResourceNotFoundException"))
}

fn describe_existing(role: QsRole) -> Rule {
    mock!(Client::describe_user)
        .match_requests(|r| r.user_name() == Some(USER))
        .then_output(move || DescribeUserOutput::builder().user(existing_user(role.clone())).build())
}

fn register_exists() -> Rule {
    mock!(Client::register_user).then_http_response(|| quicksight_error(409, "ResourceExistsException"))
}

fn add_member(group: &'static str) -> Rule {
    mock!(Client::create_group_membership)
        .match_requests(move |r| r.group_name() == Some(group) && r.member_name() == Some(USER))
        .then_output(|| CreateGroupMembershipOutput::builder().build())
}

#[tokio::test]
async fn iam_registration_sends_role_arn_session_and_external_login_never_user_name() {
    let register = mock!(Client::register_user)
        .match_requests(|r| {
            r.aws_account_id() == Some(ACCOUNT)
                && r.namespace() == Some("default")
                && r.identity_type() == Some(&IdentityType::Iam)
                && r.iam_arn() == Some(ROLE_ARN)
                && r.session_name() == Some("ana@example.com")
                && r.user_name().is_none()
                && r.email() == Some("ana@example.com")
                && r.user_role() == Some(&QsRole::Author)
                && r.external_login_federation_provider_type() == Some("CUSTOM_OIDC")
                && r.custom_federation_provider_url() == Some(OIDC_URL)
                && r.external_login_id() == Some("sub-123")
                && r.tags().len() == 1
        })
        .then_output(|| {
            RegisterUserOutput::builder()
                .user(User::builder().user_name(USER).arn("arn:u").build())
                .build()
        });
    let missing = describe_missing();
    let (a, b) = (add_member("qs-a"), add_member("qs-b"));
    let engine = engine(&[&missing, &register, &a, &b], false);

    let outcome = engine
        .provision(
            &testing::home(),
            &tagged(),
            Some(&groups(&["qs-a", "qs-b"])),
            &GroupScope::default(),
            deadline(),
        )
        .await
        .unwrap();

    assert_eq!(outcome.user_name, USER);
    assert_eq!(outcome.user, UserChange::Registered);
    assert_eq!(outcome.arn.as_deref(), Some("arn:u"));
    assert_eq!(outcome.groups.memberships_added, ["qs-a", "qs-b"]);
    assert_eq!(
        (missing.num_calls(), register.num_calls(), a.num_calls(), b.num_calls()),
        (1, 1, 1, 1)
    );
}

#[tokio::test]
async fn cognito_login_sends_provider_type_and_id_but_no_provider_url() {
    let register = mock!(Client::register_user)
        .match_requests(|r| {
            r.external_login_federation_provider_type() == Some("COGNITO")
                && r.external_login_id() == Some("us-east-1:identity-id")
                && r.custom_federation_provider_url().is_none()
        })
        .then_output(|| RegisterUserOutput::builder().build());
    let engine = signup_engine(&[&register]);
    let login = ExternalLogin::Cognito {
        id: "us-east-1:identity-id".into(),
    };

    let outcome = engine
        .register_or_update(&testing::home(), &spec(login), deadline())
        .await
        .unwrap();

    assert_eq!(outcome.user, UserChange::Registered);
    assert_eq!(register.num_calls(), 1);
}

#[tokio::test]
async fn existing_identical_user_costs_two_reads_and_no_mutating_call() {
    let describe = describe_existing(QsRole::Author);
    let list = mock!(Client::list_user_groups).then_output(|| {
        ListUserGroupsOutput::builder()
            .group_list(Group::builder().group_name("qs-a").build())
            .build()
    });
    // Sequential mode: a RegisterUser, UpdateUser or membership call here would fail the test.
    let engine = engine(&[&describe, &list], false);

    let outcome = engine
        .provision(
            &testing::home(),
            &spec(oidc()),
            Some(&groups(&["qs-a"])),
            &GroupScope::default(),
            deadline(),
        )
        .await
        .unwrap();

    assert_eq!(outcome.user, UserChange::Unchanged);
    assert_eq!(outcome.groups, GroupChanges::default());
    assert!(outcome.arn.unwrap().ends_with(USER));
    assert_eq!((describe.num_calls(), list.num_calls()), (1, 1));
}

#[tokio::test]
async fn existing_user_with_another_role_is_updated_with_only_that_field_reported() {
    let describe = describe_existing(QsRole::Reader);
    let update = mock!(Client::update_user)
        .match_requests(|r| {
            r.user_name() == Some(USER)
                && r.role() == Some(&QsRole::Author)
                && r.email() == Some("ana@example.com")
                && r.external_login_federation_provider_type() == Some("CUSTOM_OIDC")
                && r.external_login_id() == Some("sub-123")
        })
        .then_output(|| UpdateUserOutput::builder().build());
    let engine = engine(&[&describe, &update], false);

    let outcome = engine
        .register_or_update(&testing::home(), &spec(oidc()), deadline())
        .await
        .unwrap();

    assert_eq!(
        outcome.user,
        UserChange::Updated {
            fields: vec![UserField::Role]
        }
    );
    assert_eq!(update.num_calls(), 1);
}

#[tokio::test]
async fn signup_mode_existing_user_costs_a_409_then_the_describe() {
    let (exists, describe) = (register_exists(), describe_existing(QsRole::Author));
    let engine = signup_engine(&[&exists, &describe]);

    let outcome = engine
        .register_or_update(&testing::home(), &spec(oidc()), deadline())
        .await
        .unwrap();

    assert_eq!(outcome.user, UserChange::Unchanged);
    assert_eq!((exists.num_calls(), describe.num_calls()), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn a_registration_racing_ours_that_quicksight_does_not_show_yet_is_transient() {
    // RegisterUser says it exists; DescribeUser does not show it for the whole window.
    let (missing, exists, still_missing) = (
        describe_missing(),
        register_exists(),
        consistency::not_found(usize::MAX),
    );
    let engine = engine(&[&missing, &exists, &still_missing], false);

    let err = engine
        .register_or_update(&testing::home(), &spec(oidc()), deadline())
        .await
        .unwrap_err();

    assert!(
        matches!(
            err,
            EngineError::NotYetVisible {
                operation: "DescribeUser",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.is_transient(), "retried from the queue, not dead-lettered");
}

#[tokio::test]
async fn group_sync_removes_only_managed_groups() {
    let describe = describe_existing(QsRole::Author);
    let list = mock!(Client::list_user_groups).then_output(|| {
        ListUserGroupsOutput::builder()
            .group_list(Group::builder().group_name("Admins-by-hand").build())
            .group_list(Group::builder().group_name("qs-keep").build())
            .group_list(Group::builder().group_name("qs-old").build())
            .build()
    });
    let add = add_member("qs-new");
    let remove = mock!(Client::delete_group_membership)
        .match_requests(|r| r.group_name() == Some("qs-old") && r.member_name() == Some(USER))
        .then_output(|| DeleteGroupMembershipOutput::builder().build());
    let engine = engine(&[&describe, &list, &add, &remove], false);
    let scope = config(false).group_scope(&testing::home());

    let outcome = engine
        .provision(
            &testing::home(),
            &spec(oidc()),
            Some(&groups(&["qs-keep", "qs-new"])),
            &scope,
            deadline(),
        )
        .await
        .unwrap();

    assert_eq!(outcome.groups.memberships_added, ["qs-new"]);
    assert_eq!(outcome.groups.memberships_removed, ["qs-old"]);
    assert_eq!(
        remove.num_calls(),
        1,
        "Admins-by-hand is outside the managed scope and must not be removed"
    );
}

#[tokio::test]
async fn membership_404_right_after_registration_is_retried_until_the_user_shows() {
    let register = register_ok();
    let invisible = mock!(Client::create_group_membership)
        .then_http_response(|| quicksight_error(404, "ResourceNotFoundException"));
    let group_exists = mock!(Client::create_group)
        .match_requests(|r| r.group_name() == Some("qs-a"))
        .then_http_response(|| quicksight_error(409, "ResourceExistsException"));
    let still_invisible = mock!(Client::create_group_membership)
        .then_http_response(|| quicksight_error(404, "ResourceNotFoundException"));
    let added = add_member("qs-a");
    let engine = signup_engine(&[&register, &invisible, &group_exists, &still_invisible, &added]);

    let outcome = engine
        .provision(
            &testing::home(),
            &spec(oidc()),
            Some(&groups(&["qs-a"])),
            &GroupScope::default(),
            deadline(),
        )
        .await
        .unwrap();

    assert_eq!(outcome.groups.memberships_added, ["qs-a"]);
    assert!(outcome.groups.groups_created.is_empty());
    assert_eq!(added.num_calls(), 1);
}

// Paused time: the backoff's sleeps pass at once, and the wait is measured exactly.
#[tokio::test(start_paused = true)]
async fn membership_404_gives_up_after_the_visibility_bound() {
    let register = register_ok();
    let invisible = mock!(Client::create_group_membership)
        .then_http_response(|| quicksight_error(404, "ResourceNotFoundException"));
    let group_exists =
        mock!(Client::create_group).then_http_response(|| quicksight_error(409, "ResourceExistsException"));
    let forever = mock!(Client::create_group_membership)
        .sequence()
        .http_response(|| quicksight_error(404, "ResourceNotFoundException"))
        .repeatedly()
        .build();
    let engine = signup_engine(&[&register, &invisible, &group_exists, &forever]);

    let started = Instant::now();
    let err = engine
        .provision(
            &testing::home(),
            &spec(oidc()),
            Some(&groups(&["qs-a"])),
            &GroupScope::default(),
            deadline(),
        )
        .await
        .unwrap_err();

    assert!(matches!(err, EngineError::NotYetVisible { .. }), "{err}");
    assert!(err.is_transient());
    let waited = started.elapsed();
    assert!(
        (Duration::from_millis(700)..=Duration::from_secs(2)).contains(&waited),
        "backed off, bounded by the 2 s visibility wait: {waited:?}"
    );
}

#[tokio::test]
async fn a_missing_group_is_created_then_joined() {
    let register = register_ok();
    let missing = mock!(Client::create_group_membership)
        .then_http_response(|| quicksight_error(404, "ResourceNotFoundException"));
    let create = mock!(Client::create_group)
        .match_requests(|r| r.group_name() == Some("qs-new"))
        .then_output(|| CreateGroupOutput::builder().build());
    let added = add_member("qs-new");
    let engine = signup_engine(&[&register, &missing, &create, &added]);

    let outcome = engine
        .provision(
            &testing::home(),
            &spec(oidc()),
            Some(&groups(&["qs-new"])),
            &GroupScope::default(),
            deadline(),
        )
        .await
        .unwrap();

    assert_eq!(outcome.groups.groups_created, ["qs-new"]);
    assert_eq!(outcome.groups.memberships_added, ["qs-new"]);
}

#[tokio::test]
async fn throttled_calls_are_retried_by_the_sdk() {
    let register = mock!(Client::register_user)
        .sequence()
        .http_response(|| quicksight_error(429, "ThrottlingException"))
        .times(2)
        .output(|| RegisterUserOutput::builder().build())
        .build();
    let engine = signup_engine_with_backoff(&[&register], Duration::from_millis(5));

    let outcome = engine
        .register_or_update(&testing::home(), &spec(oidc()), deadline())
        .await
        .unwrap();

    assert_eq!(outcome.user, UserChange::Registered);
    assert_eq!(register.num_calls(), 3);
}

#[tokio::test]
async fn limit_exceeded_is_a_quota_and_is_not_retried() {
    let register = register_ok();
    let missing = mock!(Client::create_group_membership)
        .then_http_response(|| quicksight_error(404, "ResourceNotFoundException"));
    let quota = mock!(Client::create_group)
        .sequence()
        .http_response(|| quicksight_error(409, "LimitExceededException"))
        .times(1)
        .build();
    let engine = signup_engine(&[&register, &missing, &quota]);

    let err = engine
        .provision(
            &testing::home(),
            &spec(oidc()),
            Some(&groups(&["qs-a"])),
            &GroupScope::default(),
            deadline(),
        )
        .await
        .unwrap_err();

    assert_eq!(err.code(), Some("LimitExceededException"));
    assert!(!err.is_transient());
    assert_eq!(quota.num_calls(), 1, "a quota error must not burn retries");
}

#[tokio::test]
async fn dry_run_reads_and_plans_but_sends_no_mutating_request() {
    let describe = describe_missing();
    let group_a = mock!(Client::describe_group)
        .match_requests(|r| r.group_name() == Some("qs-a"))
        .then_output(|| {
            DescribeGroupOutput::builder()
                .group(Group::builder().group_name("qs-a").build())
                .build()
        });
    let group_b = mock!(Client::describe_group)
        .match_requests(|r| r.group_name() == Some("qs-b"))
        .then_http_response(|| quicksight_error(404, "ResourceNotFoundException"));
    let engine = engine(&[&describe, &group_a, &group_b], true);

    let outcome = engine
        .provision(
            &testing::home(),
            &spec(oidc()),
            Some(&groups(&["qs-a", "qs-b"])),
            &GroupScope::default(),
            deadline(),
        )
        .await
        .unwrap();

    assert!(outcome.dry_run);
    assert_eq!(outcome.user, UserChange::Registered);
    assert_eq!(outcome.groups.memberships_added, ["qs-a", "qs-b"]);
    assert_eq!(outcome.groups.groups_created, ["qs-b"]);
}

#[tokio::test]
async fn dry_run_of_an_existing_user_reports_the_update_it_would_send_even_in_register_first_mode() {
    let describe = describe_existing(QsRole::Reader);
    // Sequential mode: a RegisterUser or UpdateUser call here would fail the test.
    let engine = engine(&[&describe], true).with_first_call(FirstCall::Register);

    let outcome = engine
        .register_or_update(&testing::home(), &spec(oidc()), deadline())
        .await
        .unwrap();

    assert!(outcome.dry_run);
    assert_eq!(
        outcome.user,
        UserChange::Updated {
            fields: vec![UserField::Role]
        }
    );
    assert!(outcome.arn.unwrap().ends_with(USER));
    assert_eq!(describe.num_calls(), 1);
}

/// The five asset searches a deletion starts with, each finding nothing.
fn no_assets() -> [Rule; 5] {
    use aws_sdk_quicksight::operation::{
        search_analyses::SearchAnalysesOutput, search_dashboards::SearchDashboardsOutput,
        search_data_sets::SearchDataSetsOutput, search_data_sources::SearchDataSourcesOutput,
        search_folders::SearchFoldersOutput,
    };
    [
        mock!(Client::search_dashboards).then_output(|| SearchDashboardsOutput::builder().build()),
        mock!(Client::search_analyses).then_output(|| SearchAnalysesOutput::builder().build()),
        mock!(Client::search_data_sets).then_output(|| SearchDataSetsOutput::builder().build()),
        mock!(Client::search_data_sources).then_output(|| SearchDataSourcesOutput::builder().build()),
        mock!(Client::search_folders).then_output(|| SearchFoldersOutput::builder().build()),
    ]
}

#[tokio::test]
async fn invalid_spec_is_refused_before_any_call() {
    let engine = engine(&[], false);
    let mut bad = spec(oidc());
    bad.email = "not-an-address".into();
    bad.session_name = "a b".into();

    let err = engine
        .register_or_update(&testing::home(), &bad, deadline())
        .await
        .unwrap_err();

    let EngineError::Invalid(errors) = err else {
        panic!("expected a validation error")
    };
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["Email", "SessionName"]);
}

#[tokio::test]
async fn a_long_run_of_throttling_does_not_use_up_the_sdk_retry_quota() {
    // Every call is throttled twice, then answered. With the SDK's default quota each such call
    // forgets 5 of its 500 tokens, so from about the 100th call on a 429 fails at once.
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = calls.clone();
    let register = mock!(Client::register_user)
        .sequence()
        .http_response(
            move || match counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) % 3 {
                2 => aws_smithy_runtime_api::http::Response::new(200.try_into().unwrap(), "{}".into()),
                _ => quicksight_error(429, "ThrottlingException"),
            },
        )
        .repeatedly()
        .build();
    let engine = signup_engine_with_backoff(&[&register], Duration::from_micros(100));

    for n in 0..250 {
        let outcome = engine
            .register_or_update(&testing::home(), &spec(oidc()), deadline())
            .await;
        assert!(outcome.is_ok(), "call {n}: {:?}", outcome.err());
    }
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 750);
}

fn list_missing() -> Rule {
    mock!(Client::list_user_groups).then_http_response(|| quicksight_error(404, "ResourceNotFoundException"))
}

#[tokio::test(start_paused = true)]
async fn a_change_right_after_this_engine_registered_the_user_waits_for_quicksight_to_show_it() {
    let (missing, register) = (describe_missing(), register_ok());
    let (not_yet, not_yet_again) = (list_missing(), list_missing());
    let listed = mock!(Client::list_user_groups).then_output(|| ListUserGroupsOutput::builder().build());
    let add = add_member("qs-a");
    let engine = engine(&[&missing, &register, &not_yet, &not_yet_again, &listed, &add], false);
    let registered = engine
        .register_or_update(&testing::home(), &spec(ExternalLogin::None), deadline())
        .await
        .unwrap();
    assert_eq!(registered.user, UserChange::Registered);

    // The add_groups message right behind the upsert that created the user.
    let outcome = engine
        .change_groups(&testing::home(), USER, &groups(&["qs-a"]), &groups(&[]), deadline())
        .await
        .unwrap();

    assert_eq!(outcome.groups.memberships_added, ["qs-a"]);
    assert_eq!(listed.num_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_user_quicksight_does_not_show_is_a_transient_failure() {
    let missing = mock!(Client::list_user_groups)
        .sequence()
        .http_response(|| quicksight_error(404, "ResourceNotFoundException"))
        .repeatedly()
        .build();
    let engine = engine(&[&missing], false);

    let error = engine
        .change_groups(&testing::home(), USER, &groups(&["qs-a"]), &groups(&[]), deadline())
        .await
        .unwrap_err();

    assert!(
        error.is_transient(),
        "{error}: the change must return to the queue, not fail for good"
    );
    // Read again until the consistency window has passed: another process may have registered it.
    assert_eq!(missing.num_calls(), 6);
}

fn reader() -> UserSpec {
    UserSpec {
        role: UserRole::Reader,
        ..spec(oidc())
    }
}

#[tokio::test]
async fn a_downgrade_is_kept_by_default_and_no_update_quicksight_refuses_is_sent() {
    // Only the describe: UpdateUser (which QuickSight would refuse) would break the sequence.
    let existing = describe_existing(QsRole::Author);
    let engine = engine(&[&existing], false);

    let outcome = engine
        .register_or_update(&testing::home(), &reader(), deadline())
        .await
        .unwrap();

    assert_eq!(outcome.user, UserChange::Unchanged);
    let report = outcome.role_downgrade.expect("the downgrade is reported");
    assert_eq!(
        (report.from, report.to, report.action),
        (UserRole::Author, UserRole::Reader, DowngradeAction::Kept)
    );
}

#[tokio::test]
async fn under_fail_a_downgrade_is_a_permanent_refusal() {
    let existing = describe_existing(QsRole::AdminPro);
    let engine = engine(&[&existing], false).with_role_downgrade(qs_model::config::RoleDowngrade::Fail);

    let error = engine
        .register_or_update(&testing::home(), &reader(), deadline())
        .await
        .unwrap_err();

    assert!(matches!(error, EngineError::Refused { .. }), "{error}");
    assert!(!error.is_transient());
    assert!(error.to_string().contains("ADMIN_PRO to READER"), "{error}");
}

#[tokio::test]
async fn under_recreate_the_user_is_deleted_and_registered_again_with_its_groups() {
    let existing = describe_existing(QsRole::Author);
    let list = mock!(Client::list_user_groups).then_output(|| {
        ListUserGroupsOutput::builder()
            .group_list(Group::builder().group_name("qs-a").build())
            .build()
    });
    let delete = mock!(Client::delete_user)
        .match_requests(|r| r.user_name() == Some(USER))
        .then_output(|| aws_sdk_quicksight::operation::delete_user::DeleteUserOutput::builder().build());
    let register = mock!(Client::register_user)
        .match_requests(|r| r.user_role() == Some(&QsRole::Reader) && r.external_login_id() == Some("sub-123"))
        .then_output(|| {
            RegisterUserOutput::builder()
                .user(User::builder().arn("arn:new").build())
                .build()
        });
    let rejoin = add_member("qs-a");
    let [a, b, c, d, e] = no_assets();
    let engine = engine(
        &[&existing, &list, &a, &b, &c, &d, &e, &delete, &register, &rejoin],
        false,
    )
    .with_role_downgrade(qs_model::config::RoleDowngrade::Recreate);

    let outcome = engine
        .register_or_update(&testing::home(), &reader(), deadline())
        .await
        .unwrap();

    assert_eq!(outcome.user, UserChange::Recreated);
    assert_eq!(outcome.role_downgrade.unwrap().action, DowngradeAction::Recreated);
    assert_eq!(outcome.groups.memberships_added, ["qs-a"]);
    assert_eq!(rejoin.num_calls(), 1);
}

#[tokio::test]
async fn a_role_change_that_is_no_downgrade_is_sent() {
    let existing = describe_existing(QsRole::Admin);
    let update = mock!(Client::update_user)
        .match_requests(|r| r.role() == Some(&QsRole::Author))
        .then_output(|| UpdateUserOutput::builder().build());
    let engine = engine(&[&existing, &update], false);

    let outcome = engine
        .register_or_update(&testing::home(), &spec(oidc()), deadline())
        .await
        .unwrap();

    assert_eq!(
        outcome.user,
        UserChange::Updated {
            fields: vec![UserField::Role]
        }
    );
    assert!(outcome.role_downgrade.is_none());
}

#[tokio::test]
async fn an_existing_users_managed_tags_follow_the_change_and_other_keys_stay() {
    use aws_sdk_quicksight::operation::list_tags_for_resource::ListTagsForResourceOutput;
    use aws_sdk_quicksight::operation::tag_resource::TagResourceOutput;
    use aws_sdk_quicksight::operation::untag_resource::UntagResourceOutput;
    let tag = |k: &str, v: &str| Tag::builder().key(k).value(v).build().unwrap();
    let existing = describe_existing(QsRole::Author);
    let listed = mock!(Client::list_tags_for_resource).then_output(move || {
        let tags = vec![tag("team", "finance"), tag("tier", "gold"), tag("owner", "set-by-hand")];
        ListTagsForResourceOutput::builder().set_tags(Some(tags)).build()
    });
    let set = mock!(Client::tag_resource)
        .match_requests(move |r| r.tags() == [tag("team", "sales")])
        .then_output(|| TagResourceOutput::builder().build());
    let removed = mock!(Client::untag_resource)
        .match_requests(|r| r.tag_keys() == ["tier"])
        .then_output(|| UntagResourceOutput::builder().build());
    let config = testing::config(&[("MANAGED_TAG_KEYS", "team,tier")]);
    let engine = Engine::new(testing::mocked_client(&[&existing, &listed, &set, &removed]), &config);
    let sales = UserSpec {
        tags: [("team".to_string(), "sales".to_string())].into(),
        ..spec(oidc())
    };

    let outcome = engine
        .register_or_update(&testing::home(), &sales, deadline())
        .await
        .unwrap();

    assert_eq!(outcome.user, UserChange::Unchanged);
    assert_eq!(
        (outcome.tags.tags_set, outcome.tags.tags_removed),
        (vec!["team".into()], vec!["tier".into()])
    );
}

/// A deletion whose handover fails half-way leaves the user in place, as a transient failure; the
/// redelivered change grants again (idempotent), then deletes.
#[tokio::test]
async fn a_handover_that_fails_half_way_keeps_the_user_and_the_redelivery_finishes_it() {
    use aws_sdk_quicksight::operation::describe_dashboard_permissions::DescribeDashboardPermissionsOutput;
    use aws_sdk_quicksight::operation::search_dashboards::SearchDashboardsOutput;
    use aws_sdk_quicksight::operation::update_dashboard_permissions::UpdateDashboardPermissionsOutput;
    use aws_sdk_quicksight::types::{DashboardSummary, ResourcePermission};
    use qs_model::assets::AssetKind;

    const GROUP: &str = "arn:aws:quicksight:us-east-1:123456789012:group/default/bi";
    let config = testing::config(&[("ASSET_HANDOVER_PRINCIPAL", GROUP)]);
    let engine = |rules: &[&Rule]| {
        let builder = super::with_retries(testing::mocked_config(rules), 1, qs_model::config::RetryMode::Standard);
        Engine::new(Client::from_conf(builder.build()), &config)
    };
    let two_dashboards = || {
        let summary = |id: &str| DashboardSummary::builder().dashboard_id(id).build();
        mock!(Client::search_dashboards).then_output(move || {
            SearchDashboardsOutput::builder()
                .dashboard_summary_list(summary("d1"))
                .dashboard_summary_list(summary("d2"))
                .build()
        })
    };
    let granted = |id: &'static str| {
        mock!(Client::update_dashboard_permissions)
            .match_requests(move |r| r.dashboard_id() == Some(id) && r.grant_permissions()[0].principal() == GROUP)
            .then_output(|| UpdateDashboardPermissionsOutput::builder().build())
    };
    let held = || {
        mock!(Client::describe_dashboard_permissions).then_output(|| {
            let mut owner = ResourcePermission::builder().principal(GROUP);
            for action in AssetKind::Dashboard.owner_actions() {
                owner = owner.actions(*action);
            }
            DescribeDashboardPermissionsOutput::builder()
                .permissions(owner.build().unwrap())
                .build()
        })
    };
    let unavailable = mock!(Client::update_dashboard_permissions)
        .then_http_response(|| quicksight_error(503, "ResourceUnavailableException"));
    let [a, b, c, d] = {
        let [_, a, b, c, d] = no_assets();
        [a, b, c, d]
    };
    let (existing, search, first, check) = (
        describe_existing(QsRole::Author),
        two_dashboards(),
        granted("d1"),
        held(),
    );
    let half_way = engine(&[&existing, &search, &a, &b, &c, &d, &first, &check, &unavailable]);

    let error = half_way
        .delete_user(&testing::home(), USER, deadline())
        .await
        .unwrap_err();
    assert!(error.is_transient(), "{error:?}");
    assert_eq!(unavailable.num_calls(), 1, "no DeleteUser was sent after it");

    let delete = mock!(Client::delete_user)
        .then_output(|| aws_sdk_quicksight::operation::delete_user::DeleteUserOutput::builder().build());
    let [a, b, c, d] = {
        let [_, a, b, c, d] = no_assets();
        [a, b, c, d]
    };
    let (existing, search) = (describe_existing(QsRole::Author), two_dashboards());
    let (again, check1, second, check2) = (granted("d1"), held(), granted("d2"), held());
    let redelivered = engine(&[
        &existing, &search, &a, &b, &c, &d, &again, &check1, &second, &check2, &delete,
    ]);
    let outcome = redelivered
        .delete_user(&testing::home(), USER, deadline())
        .await
        .unwrap();
    assert_eq!(outcome.user, UserChange::Deleted);
    assert_eq!(outcome.assets_handed_over.len(), 2);
    assert_eq!(delete.num_calls(), 1);
}

mod consistency;
