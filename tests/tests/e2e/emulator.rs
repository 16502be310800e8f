//! quicksight-local driven through aws-sdk-quicksight itself: every operation and every error.

use std::time::{Duration, Instant};

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::error::ProvideErrorMetadata;
use aws_sdk_quicksight::types::{IdentityType, UserRole};
use qs_provision_tests::{ACCOUNT, Emulator, ROLE_ARN, code, register_iam_user};

const NS: &str = "default";

async fn register(qs: &Client, session: &str) -> Result<aws_sdk_quicksight::types::User, String> {
    register_iam_user(qs, session, UserRole::Reader).await
}

async fn create_group(qs: &Client, name: &str) -> Result<(), String> {
    qs.create_group()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .group_name(name)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e))
}

async fn join(qs: &Client, group: &str, member: &str) -> Result<(), String> {
    qs.create_group_membership()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .group_name(group)
        .member_name(member)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| code(&e))
}

#[tokio::test]
async fn iam_user_lifecycle_with_external_login() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    emu.create_profile("no-sharing").await;

    let user = qs
        .register_user()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .identity_type(IdentityType::Iam)
        .iam_arn(ROLE_ARN)
        .session_name("ana@example.com")
        .email("ana@example.com")
        .user_role(UserRole::Author)
        .custom_permissions_name("no-sharing")
        .external_login_federation_provider_type("CUSTOM_OIDC")
        .custom_federation_provider_url("https://idp.example.com")
        .external_login_id("sub-123")
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(user.user_name(), Some("QuickSightFederated/ana@example.com"));
    assert_eq!(
        user.arn(),
        Some("arn:aws:quicksight:eu-west-1:123456789012:user/default/QuickSightFederated/ana@example.com")
    );
    assert!(user.principal_id().unwrap().starts_with("federated/iam/"));
    assert!(user.active());

    // The name travels URL-encoded (%2F) in the path.
    let described = qs
        .describe_user()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .user_name("QuickSightFederated/ana@example.com")
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(described.role(), Some(&UserRole::Author));
    assert_eq!(described.identity_type(), Some(&IdentityType::Iam));
    assert_eq!(described.custom_permissions_name(), Some("no-sharing"));
    assert_eq!(described.external_login_federation_provider_type(), Some("CUSTOM_OIDC"));
    assert_eq!(
        described.external_login_federation_provider_url(),
        Some("https://idp.example.com")
    );
    assert_eq!(described.external_login_id(), Some("sub-123"));

    let updated = qs
        .update_user()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .user_name("QuickSightFederated/ana@example.com")
        .email("ana.maria@example.com")
        .role(UserRole::AuthorPro)
        .unapply_custom_permissions(true)
        .external_login_federation_provider_type("NONE")
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(updated.email(), Some("ana.maria@example.com"));
    assert_eq!(updated.role(), Some(&UserRole::AuthorPro));
    assert_eq!(updated.custom_permissions_name(), None);
    assert_eq!(
        updated.external_login_federation_provider_type(),
        None,
        "NONE clears the external login"
    );
    assert_eq!(updated.external_login_id(), None);

    let listed = qs
        .list_users()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.user_list().len(), 1);

    qs.delete_user()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .user_name("QuickSightFederated/ana@example.com")
        .send()
        .await
        .unwrap();
    let gone = qs
        .describe_user()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .user_name("QuickSightFederated/ana@example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&gone), "ResourceNotFoundException");
}

#[tokio::test]
async fn role_downgrades_to_a_reader_are_refused_and_every_other_change_is_not() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    register(&qs, "ana").await.unwrap();
    let user = "QuickSightFederated/ana";
    let update = |role: UserRole| {
        qs.update_user()
            .aws_account_id(ACCOUNT)
            .namespace(NS)
            .user_name(user)
            .email("ana@example.com")
            .role(role)
            .send()
    };
    // Up from READER, then sideways: all allowed.
    for role in [
        UserRole::ReaderPro,
        UserRole::Reader,
        UserRole::Author,
        UserRole::AuthorPro,
        UserRole::Admin,
        UserRole::AdminPro,
        UserRole::Author,
    ] {
        update(role.clone()).await.unwrap_or_else(|e| panic!("{role:?}: {e:?}"));
    }
    for reader in [UserRole::Reader, UserRole::ReaderPro] {
        let e = update(reader).await.unwrap_err();
        assert_eq!(code(&e), "InvalidParameterValueException");
        let message = e.message().unwrap_or_default();
        assert!(message.contains("AUTHOR") && message.contains("READER"), "{message}");
    }
    let described = qs
        .describe_user()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .user_name(user)
        .send()
        .await
        .unwrap();
    assert_eq!(
        described.user().unwrap().role(),
        Some(&UserRole::Author),
        "a refused update changes nothing"
    );
}

#[tokio::test]
async fn user_tags_are_read_and_changed_through_the_tag_operations_only() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    let tag = |k: &str, v: &str| {
        aws_sdk_quicksight::types::Tag::builder()
            .key(k)
            .value(v)
            .build()
            .unwrap()
    };
    let arn = qs
        .register_user()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .identity_type(IdentityType::Iam)
        .iam_arn(ROLE_ARN)
        .session_name("ana")
        .email("ana@example.com")
        .user_role(UserRole::Reader)
        .tags(tag("team", "finance"))
        .send()
        .await
        .unwrap()
        .user
        .unwrap()
        .arn
        .unwrap();
    let tags_of = |arn: String| {
        let qs = qs.clone();
        async move {
            let out = qs.list_tags_for_resource().resource_arn(arn).send().await.unwrap();
            out.tags()
                .iter()
                .map(|t| format!("{}={}", t.key(), t.value()))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        tags_of(arn.clone()).await,
        ["team=finance"],
        "RegisterUser's tags are kept"
    );

    qs.tag_resource()
        .resource_arn(&arn)
        .tags(tag("team", "sales"))
        .tags(tag("tier", "gold"))
        .send()
        .await
        .unwrap();
    assert_eq!(tags_of(arn.clone()).await, ["team=sales", "tier=gold"]);
    qs.untag_resource()
        .resource_arn(&arn)
        .tag_keys("team")
        .send()
        .await
        .unwrap();
    assert_eq!(tags_of(arn.clone()).await, ["tier=gold"]);

    let too_long = qs
        .tag_resource()
        .resource_arn(&arn)
        .tags(tag("k", &"v".repeat(257)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&too_long), "InvalidParameterValueException");
    let missing = arn.replace("/ana", "/nobody");
    let e = qs
        .list_tags_for_resource()
        .resource_arn(missing)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "ResourceNotFoundException");
    assert_eq!(emu.requests("TagResource"), 2);

    // Deleting the user deletes its tags.
    qs.delete_user()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .user_name("QuickSightFederated/ana")
        .send()
        .await
        .unwrap();
    assert!(
        emu.space()
            .get("Tags")
            .is_none_or(|t| t.get("QuickSightFederated/ana").is_none())
    );
}

#[tokio::test]
async fn users_of_a_deleted_role_become_na_and_only_delete_user_by_principal_id_removes_them() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    let principal = register(&qs, "ana").await.unwrap().principal_id.unwrap();
    emu.post_json(
        "/_emulator/orphan-role",
        &serde_json::json!({ "role": "QuickSightFederated" }),
    );

    let listed = qs
        .list_users()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .send()
        .await
        .unwrap();
    let user = &listed.user_list()[0];
    assert_eq!(
        (user.user_name(), user.principal_id()),
        (Some("N/A"), Some(principal.as_str()))
    );
    let gone = qs
        .describe_user()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .user_name("QuickSightFederated/ana")
        .send()
        .await;
    assert_eq!(code(&gone.unwrap_err()), "ResourceNotFoundException");

    let delete = |id: String| {
        qs.delete_user_by_principal_id()
            .aws_account_id(ACCOUNT)
            .namespace(NS)
            .principal_id(id)
            .send()
    };
    delete(principal.clone()).await.unwrap();
    assert_eq!(code(&delete(principal).await.unwrap_err()), "ResourceNotFoundException");
    assert!(emu.user_names().is_empty());
}

#[tokio::test]
async fn cognito_users_report_the_cognito_identity_url_and_refuse_a_custom_url() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    let base = || {
        qs.register_user()
            .aws_account_id(ACCOUNT)
            .namespace(NS)
            .identity_type(IdentityType::Iam)
            .iam_arn(ROLE_ARN)
            .session_name("bo@example.com")
            .email("bo@example.com")
            .user_role(UserRole::Reader)
            .external_login_federation_provider_type("COGNITO")
            .external_login_id("eu-west-1:1234")
    };
    let refused = base()
        .custom_federation_provider_url("https://idp.example.com")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "InvalidParameterValueException");
    assert!(refused.message().unwrap().contains("CustomFederationProviderUrl"));

    let user = base().send().await.unwrap().user.unwrap();
    assert_eq!(
        user.external_login_federation_provider_url(),
        Some("cognito-identity.amazonaws.com")
    );
}

#[tokio::test]
async fn user_name_with_iam_is_refused_and_quicksight_users_take_it() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    let refused = qs
        .register_user()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .identity_type(IdentityType::Iam)
        .iam_arn(ROLE_ARN)
        .session_name("ana")
        .user_name("ana")
        .email("ana@example.com")
        .user_role(UserRole::Reader)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "InvalidParameterValueException");
    assert!(refused.message().unwrap().contains("UserName"));

    let native = qs
        .register_user()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .identity_type(IdentityType::Quicksight)
        .user_name("native user")
        .email("native@example.com")
        .user_role(UserRole::Reader)
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(native.user_name(), Some("native user"));
}

#[tokio::test]
async fn every_field_is_checked_against_the_model() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    let register = |session: &str, email: &str, role: UserRole| {
        qs.register_user()
            .aws_account_id(ACCOUNT)
            .namespace(NS)
            .identity_type(IdentityType::Iam)
            .iam_arn(ROLE_ARN)
            .session_name(session)
            .email(email)
            .user_role(role)
            .send()
    };
    for (session, email, role, field) in [
        ("a", "a@example.com", UserRole::Reader, "sessionName"),
        ("has space", "a@example.com", UserRole::Reader, "sessionName"),
        ("ok-name", "not-an-email", UserRole::Reader, "email"),
        (
            "ok-name",
            "a@example.com",
            UserRole::RestrictedReader,
            "RESTRICTED_READER",
        ),
    ] {
        let err = register(session, email, role).await.unwrap_err();
        assert_eq!(code(&err), "InvalidParameterValueException", "{session} {email}");
        assert!(
            err.message().unwrap().contains(field),
            "{:?} should name {field}",
            err.message()
        );
    }
    let bad_account = qs
        .list_users()
        .aws_account_id("12345")
        .namespace(NS)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_account), "InvalidParameterValueException");
    let bad_namespace = qs
        .list_users()
        .aws_account_id(ACCOUNT)
        .namespace("no spaces!")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_namespace), "InvalidParameterValueException");
    let long_description = qs
        .create_group()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .group_name("g")
        .description("d".repeat(513))
        .send()
        .await
        .unwrap_err();
    assert!(long_description.message().unwrap().contains("description"));
    let bad_max = qs
        .list_users()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .max_results(101)
        .send()
        .await
        .unwrap_err();
    assert!(bad_max.message().unwrap().contains("maxResults"));
}

#[tokio::test]
async fn second_register_and_second_create_group_answer_409_and_keep_members() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    register(&qs, "ana").await.unwrap();
    assert_eq!(
        register(&qs, "ana").await.unwrap_err().split(':').next(),
        Some("ResourceExistsException")
    );

    create_group(&qs, "qs-finance").await.unwrap();
    join(&qs, "qs-finance", "QuickSightFederated/ana").await.unwrap();
    assert_eq!(
        create_group(&qs, "qs-finance").await.unwrap_err(),
        "ResourceExistsException"
    );
    let members = qs
        .list_group_memberships()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .group_name("qs-finance")
        .send()
        .await
        .unwrap();
    assert_eq!(
        members.group_member_list().len(),
        1,
        "a second CreateGroup must not drop members"
    );
}

#[tokio::test]
async fn groups_and_memberships_with_their_404s() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    let ana = "QuickSightFederated/ana";
    register(&qs, "ana").await.unwrap();

    assert_eq!(
        join(&qs, "qs-missing", ana).await.unwrap_err(),
        "ResourceNotFoundException"
    );
    create_group(&qs, "qs-a").await.unwrap();
    create_group(&qs, "qs b").await.unwrap();
    assert_eq!(
        join(&qs, "qs-a", "QuickSightFederated/nobody").await.unwrap_err(),
        "ResourceNotFoundException"
    );
    join(&qs, "qs-a", ana).await.unwrap();
    join(&qs, "qs b", ana).await.unwrap();

    let described = qs
        .describe_group_membership()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .group_name("qs-a")
        .member_name(ana)
        .send()
        .await
        .unwrap();
    assert_eq!(described.group_member().unwrap().member_name(), Some(ana));
    let groups = qs
        .list_user_groups()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .user_name(ana)
        .send()
        .await
        .unwrap();
    let names: Vec<_> = groups.group_list().iter().filter_map(|g| g.group_name()).collect();
    assert_eq!(names, ["qs b", "qs-a"]);

    let updated = qs
        .update_group()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .group_name("qs-a")
        .description("Analysts")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.group().unwrap().description(), Some("Analysts"));
    let group = qs
        .describe_group()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .group_name("qs-a")
        .send()
        .await
        .unwrap()
        .group
        .unwrap();
    assert_eq!(
        group.arn(),
        Some("arn:aws:quicksight:eu-west-1:123456789012:group/default/qs-a")
    );

    let remove = || {
        qs.delete_group_membership()
            .aws_account_id(ACCOUNT)
            .namespace(NS)
            .group_name("qs-a")
            .member_name(ana)
            .send()
    };
    remove().await.unwrap();
    assert_eq!(code(&remove().await.unwrap_err()), "ResourceNotFoundException");
    let not_member = qs
        .describe_group_membership()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .group_name("qs-a")
        .member_name(ana)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&not_member), "ResourceNotFoundException");

    // DeleteUser takes the user out of every group.
    qs.delete_user()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .user_name(ana)
        .send()
        .await
        .unwrap();
    let members = qs
        .list_group_memberships()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .group_name("qs b")
        .send()
        .await
        .unwrap();
    assert!(members.group_member_list().is_empty());

    qs.delete_group()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .group_name("qs b")
        .send()
        .await
        .unwrap();
    let gone = qs
        .describe_group()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .group_name("qs b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&gone), "ResourceNotFoundException");
    let groups = qs
        .list_groups()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .send()
        .await
        .unwrap();
    assert_eq!(groups.group_list().len(), 1);
}

#[tokio::test]
async fn pagination_over_250_users_and_members() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    create_group(&qs, "qs-all").await.unwrap();
    for i in 0..250 {
        register(&qs, &format!("user{i:03}")).await.unwrap();
        join(&qs, "qs-all", &format!("QuickSightFederated/user{i:03}"))
            .await
            .unwrap();
    }

    let mut names = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = qs
            .list_users()
            .aws_account_id(ACCOUNT)
            .namespace(NS)
            .max_results(100)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        pages += 1;
        names.extend(page.user_list().iter().map(|u| u.user_name().unwrap().to_owned()));
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(names.len(), 250);
    names.dedup();
    assert_eq!(names.len(), 250, "no user twice");

    let members: Vec<_> = qs
        .list_group_memberships()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .group_name("qs-all")
        .max_results(7)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert_eq!(members.len(), 250);

    let bad = qs
        .list_users()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .next_token("garbage")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad), "InvalidNextTokenException");
}

#[tokio::test]
async fn accounts_and_namespaces_do_not_see_each_other() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    register(&qs, "ana").await.unwrap();
    let list_tenant_b = || qs.list_users().aws_account_id(ACCOUNT).namespace("tenant-b").send();
    // Only `default` exists until something creates another namespace.
    let missing = list_tenant_b().await.unwrap_err();
    assert_eq!(code(&missing), "ResourceNotFoundException");
    assert_eq!(missing.message(), Some("Namespace tenant-b not found"));
    emu.seed_namespace("tenant-b");
    assert!(list_tenant_b().await.unwrap().user_list().is_empty());
    // The same group name in two namespaces: two groups.
    create_group(&qs, "qs-a").await.unwrap();
    let in_b = qs
        .create_group()
        .aws_account_id(ACCOUNT)
        .namespace("tenant-b")
        .group_name("qs-a")
        .send()
        .await;
    assert!(in_b.is_ok(), "{in_b:?}");
    let other_account = qs
        .describe_user()
        .aws_account_id("210987654321")
        .namespace(NS)
        .user_name("QuickSightFederated/ana")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&other_account), "ResourceNotFoundException");
}

#[tokio::test]
async fn unsigned_requests_are_refused_as_access_denied() {
    let emu = Emulator::start(&[]);
    let (status, body) = emu.raw("GET", &format!("/accounts/{ACCOUNT}/namespaces/default/users"), &[], "");
    assert_eq!(status, 401);
    assert!(body.contains("Authentication"), "{body}");
}

#[tokio::test]
async fn throttles_past_the_configured_rate_and_counts_it() {
    let emu = Emulator::start(&["--rate-limit", "20"]);
    let qs = emu.client();
    let started = Instant::now();
    let (mut ok, mut throttled) = (0, 0);
    for i in 0..120 {
        match register(&qs, &format!("burst{i:03}")).await {
            Ok(_) => ok += 1,
            Err(e) if e.starts_with("ThrottlingException") => throttled += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    // A bucket of 20/s holding one second: at most 20 + 20 per elapsed second get through.
    assert!(ok as f64 <= 20.0 + 20.0 * elapsed + 1.0, "{ok} in {elapsed:.2}s");
    assert!(throttled > 0);
    assert_eq!(
        emu.stats()["operations"]["RegisterUser"]["throttled"].as_u64(),
        Some(throttled)
    );
    // Reads have their own bucket: a read right after the burst goes through.
    qs.list_users()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .send()
        .await
        .unwrap();
}

/// SearchGroups is a POST that reads: limited with the reads, not the writes, and counted apart.
#[tokio::test]
async fn a_search_is_a_read_though_it_is_a_post() {
    use aws_sdk_quicksight::types::{GroupFilterAttribute, GroupFilterOperator, GroupSearchFilter};
    let emu = Emulator::start(&["--rate-limit", "2"]);
    let qs = emu.client();
    create_group(&qs, "qs-a").await.unwrap();
    create_group(&qs, "qs-b").await.unwrap();
    assert_eq!(create_group(&qs, "other").await.unwrap_err(), "ThrottlingException");
    let filter = GroupSearchFilter::builder()
        .operator(GroupFilterOperator::StartsWith)
        .name(GroupFilterAttribute::GroupName)
        .value("qs-")
        .build()
        .unwrap();
    let search = || {
        qs.search_groups()
            .aws_account_id(ACCOUNT)
            .namespace(NS)
            .filters(filter.clone())
            .send()
    };

    let found = search().await.unwrap();

    let names: Vec<&str> = found.group_list().iter().filter_map(|g| g.group_name()).collect();
    assert_eq!(names, ["qs-a", "qs-b"]);
    // The reads' bucket (two a second, like the writes') is the one searches use up.
    search().await.unwrap();
    assert_eq!(code(&search().await.unwrap_err()), "ThrottlingException");
    let stats = &emu.stats()["operations"]["SearchGroups"];
    assert_eq!(
        (stats["requests"].as_u64(), stats["throttled"].as_u64()),
        (Some(3), Some(1))
    );
}

#[tokio::test]
async fn just_registered_users_are_invisible_for_the_consistency_delay() {
    // Long enough that the calls below, on a loaded machine, all come within it.
    let emu = Emulator::start(&["--consistency-delay-ms", "1500"]);
    let qs = emu.client();
    create_group(&qs, "qs-a").await.unwrap();
    register(&qs, "ana").await.unwrap();
    let ana = "QuickSightFederated/ana";
    let describe = || {
        qs.describe_user()
            .aws_account_id(ACCOUNT)
            .namespace(NS)
            .user_name(ana)
            .send()
    };
    assert_eq!(code(&describe().await.unwrap_err()), "ResourceNotFoundException");
    assert_eq!(join(&qs, "qs-a", ana).await.unwrap_err(), "ResourceNotFoundException");
    let delete = || {
        qs.delete_user()
            .aws_account_id(ACCOUNT)
            .namespace(NS)
            .user_name(ana)
            .send()
    };
    assert_eq!(code(&delete().await.unwrap_err()), "ResourceNotFoundException");
    let listed = || async {
        let users = qs
            .list_users()
            .aws_account_id(ACCOUNT)
            .namespace(NS)
            .send()
            .await
            .unwrap();
        users.user_list().len()
    };
    assert_eq!(listed().await, 0, "not listed yet either");
    assert_eq!(
        register(&qs, "ana").await.unwrap_err().split(':').next(),
        Some("ResourceExistsException")
    );
    tokio::time::sleep(Duration::from_millis(1600)).await;
    describe().await.unwrap();
    assert_eq!(listed().await, 1);
    join(&qs, "qs-a", ana).await.unwrap();
}

#[tokio::test]
async fn fail_rate_and_latency_knobs() {
    let failing = Emulator::start(&["--fail-rate", "1"]);
    let err = failing
        .client()
        .list_users()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .send()
        .await
        .unwrap_err();
    assert!(
        ["InternalFailureException", "ResourceUnavailableException"].contains(&code(&err).as_str()),
        "{err:?}"
    );
    assert_eq!(failing.stats()["total"]["injected_failures"].as_u64(), Some(1));

    let slow = Emulator::start(&["--latency-ms", "300"]);
    let started = Instant::now();
    slow.client()
        .list_users()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn state_file_keeps_users_groups_and_memberships_between_runs() {
    let dir = std::env::temp_dir().join(format!("qs-local-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    let path = file.to_str().unwrap();

    let first = Emulator::start(&["--state", path]);
    let qs = first.client();
    register(&qs, "ana").await.unwrap();
    create_group(&qs, "qs-a").await.unwrap();
    join(&qs, "qs-a", "QuickSightFederated/ana").await.unwrap();
    first.stop();

    let second = Emulator::start(&["--state", path]);
    let qs = second.client();
    let groups = qs
        .list_user_groups()
        .aws_account_id(ACCOUNT)
        .namespace(NS)
        .user_name("QuickSightFederated/ana")
        .send()
        .await
        .unwrap();
    assert_eq!(groups.group_list()[0].group_name(), Some("qs-a"));
    let state = second.state();
    assert_eq!(
        state["spaces"]["123456789012/default"]["Memberships"]["qs-a"][0],
        "QuickSightFederated/ana"
    );
    drop(second);
    std::fs::remove_dir_all(dir).unwrap();
}
