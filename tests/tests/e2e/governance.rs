//! quicksight-local's account governance operations through the SDK: the account's sign-in method
//! (DescribeAccountSubscription, `--authentication-type`) and the writes QuickSight disables when
//! a directory manages identities; role memberships; self-upgrade configurations and requests,
//! with `POST /_emulator/self-upgrades` standing in for a reader who asks.

use aws_sdk_quicksight::types::{Role, SelfUpgradeAdminAction, SelfUpgradeStatus, UserRole};
use qs_provision_tests::{ACCOUNT, Emulator, code, register_iam_user, role_members};
use serde_json::json;

#[tokio::test]
async fn the_account_says_how_it_signs_in_and_a_directory_account_refuses_iam_federation() {
    let iam = Emulator::start(&[]);
    let info = iam
        .client()
        .describe_account_subscription()
        .aws_account_id(ACCOUNT)
        .send()
        .await
        .unwrap();
    let info = info.account_info().unwrap();
    assert_eq!(info.authentication_type(), Some("IAM_AND_QUICKSIGHT"));
    assert_eq!(info.account_subscription_status(), Some("ACCOUNT_CREATED"));
    assert_eq!(info.iam_identity_center_instance_arn(), None);
    register_iam_user(&iam.client(), "ada", UserRole::Reader).await.unwrap();
    // Role memberships are for a directory's groups: QuickSight's own identities have none.
    let refused = iam
        .client()
        .create_role_membership()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .role(Role::Author)
        .member_name("analysts")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "AccessDeniedException");
    assert!(
        format!("{refused:?}").contains("Operation is disabled for identities managed by QuickSight"),
        "{refused:?}"
    );

    for (mode, directory) in [
        ("IAM_IDENTITY_CENTER", "IAM Identity Center"),
        ("ACTIVE_DIRECTORY", "Active Directory"),
    ] {
        let emu = Emulator::start(&["--authentication-type", mode]);
        let qs = emu.client();
        let info = qs
            .describe_account_subscription()
            .aws_account_id(ACCOUNT)
            .send()
            .await
            .unwrap();
        let info = info.account_info().unwrap();
        assert_eq!(info.authentication_type(), Some(mode));
        assert_eq!(
            info.iam_identity_center_instance_arn().is_some(),
            mode == "IAM_IDENTITY_CENTER"
        );
        let refused = register_iam_user(&qs, "ada", UserRole::Reader).await.unwrap_err();
        assert_eq!(
            refused,
            format!("AccessDeniedException: Operation is disabled for identities managed by {directory}")
        );
        let group = qs
            .create_group()
            .aws_account_id(ACCOUNT)
            .namespace("default")
            .group_name("analysts")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&group), "AccessDeniedException", "{mode}");
        // Reads still answer.
        qs.list_users()
            .aws_account_id(ACCOUNT)
            .namespace("default")
            .send()
            .await
            .unwrap();
        assert!(emu.user_names().is_empty());
    }
}

#[tokio::test]
async fn role_memberships_give_groups_roles_and_are_listed_and_removed() {
    let emu = Emulator::start(&["--authentication-type", "IAM_IDENTITY_CENTER"]);
    let qs = emu.client();
    for (role, group) in [
        (Role::Author, "analysts"),
        (Role::Author, "bi-team"),
        (Role::AdminPro, "bi-admins"),
    ] {
        for _ in 0..2 {
            qs.create_role_membership()
                .aws_account_id(ACCOUNT)
                .namespace("default")
                .role(role.clone())
                .member_name(group)
                .send()
                .await
                .unwrap();
        }
    }
    let members = |role: Role| role_members(&qs, role);
    assert_eq!(members(Role::Author).await, ["analysts", "bi-team"]);
    assert_eq!(members(Role::AdminPro).await, ["bi-admins"]);
    assert!(members(Role::Reader).await.is_empty());
    let delete = |group: &'static str| {
        qs.delete_role_membership()
            .aws_account_id(ACCOUNT)
            .namespace("default")
            .role(Role::Author)
            .member_name(group)
            .send()
    };
    delete("analysts").await.unwrap();
    assert_eq!(members(Role::Author).await, ["bi-team"]);
    let again = delete("analysts").await.unwrap_err();
    assert_eq!(code(&again), "ResourceNotFoundException");
    let missing_namespace = qs
        .list_role_memberships()
        .aws_account_id(ACCOUNT)
        .namespace("nowhere")
        .role(Role::Reader)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&missing_namespace), "ResourceNotFoundException");
}

#[tokio::test]
async fn self_upgrades_wait_for_a_decision_under_admin_approval_and_are_given_at_once_under_auto() {
    let emu = Emulator::start(&[]);
    let qs = emu.client();
    register_iam_user(&qs, "ada", UserRole::Reader).await.unwrap();
    register_iam_user(&qs, "bob", UserRole::Reader).await.unwrap();
    let configuration = qs
        .describe_self_upgrade_configuration()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .send()
        .await
        .unwrap();
    assert!(
        configuration.self_upgrade_configuration().is_none(),
        "unset until configured"
    );
    let configure = |status: SelfUpgradeStatus| {
        let qs = qs.clone();
        async move {
            qs.update_self_upgrade_configuration()
                .aws_account_id(ACCOUNT)
                .namespace("default")
                .self_upgrade_status(status)
                .send()
                .await
                .unwrap();
        }
    };
    configure(SelfUpgradeStatus::AdminApproval).await;
    let ask = |user: &str| {
        emu.post_json(
            "/_emulator/self-upgrades",
            &json!({ "Namespace": "default", "UserName": format!("QuickSightFederated/{user}"), "RequestedRole": "AUTHOR", "RequestNote": "dashboards" }),
        )
    };
    let ada = ask("ada");
    let bob = ask("bob");
    assert_eq!(
        (ada["RequestStatus"].as_str(), ada["OriginalRole"].as_str()),
        (Some("PENDING"), Some("READER"))
    );
    assert_eq!(
        emu.user("QuickSightFederated/ada")["Role"],
        "READER",
        "not before a decision"
    );
    let listed = qs
        .list_self_upgrades()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .send()
        .await
        .unwrap();
    let listed = listed.self_upgrade_request_details();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].request_note(), Some("dashboards"));
    assert_eq!(listed[0].requested_role(), Some(&UserRole::Author));

    let decide = |id: &str, action: SelfUpgradeAdminAction| {
        let (qs, id) = (qs.clone(), id.to_owned());
        async move {
            qs.update_self_upgrade()
                .aws_account_id(ACCOUNT)
                .namespace("default")
                .upgrade_request_id(id)
                .action(action)
                .send()
                .await
        }
    };
    let approved = decide(
        ada["UpgradeRequestId"].as_str().unwrap(),
        SelfUpgradeAdminAction::Approve,
    )
    .await
    .unwrap();
    let approved = approved.self_upgrade_request_detail().unwrap();
    assert_eq!(approved.request_status().map(|s| s.as_str()), Some("APPROVED"));
    assert_eq!(emu.user("QuickSightFederated/ada")["Role"], "AUTHOR");
    let denied = decide(bob["UpgradeRequestId"].as_str().unwrap(), SelfUpgradeAdminAction::Deny)
        .await
        .unwrap();
    assert_eq!(
        denied
            .self_upgrade_request_detail()
            .unwrap()
            .request_status()
            .map(|s| s.as_str()),
        Some("DENIED")
    );
    assert_eq!(emu.user("QuickSightFederated/bob")["Role"], "READER");
    // A decided request is decided once.
    let twice = decide(
        bob["UpgradeRequestId"].as_str().unwrap(),
        SelfUpgradeAdminAction::Approve,
    )
    .await
    .unwrap_err();
    assert_eq!(code(&twice), "InvalidParameterValueException");
    let unknown = decide("upgrade-nope", SelfUpgradeAdminAction::Approve)
        .await
        .unwrap_err();
    assert_eq!(code(&unknown), "ResourceNotFoundException");

    // Under auto-approval a reader is an author the moment it asks: what the directory must decide.
    configure(SelfUpgradeStatus::AutoApproval).await;
    let again = ask("bob");
    assert_eq!(again["RequestStatus"], "APPROVED");
    assert_eq!(emu.user("QuickSightFederated/bob")["Role"], "AUTHOR");
}
