//! The cognito-signup binary under aws-lambda-rie with recorded PostConfirmation events, against
//! quicksight-local; and with QuickSight failing, against moto's SQS for the retry message.

use qs_model::message::Change;
use qs_provision_tests::Emulator;
use qs_provision_tests::lambda::{self, Lambda, Moto, base_env};
use serde_json::{Value, json};

const SIGN_UP: &str = include_str!("../../../events/cognito-post-confirmation.json");
const EXTERNAL: &str = include_str!("../../../events/cognito-external-provider.json");

fn event(raw: &str) -> Value {
    serde_json::from_str(raw).unwrap()
}

fn env(emu: &Emulator, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = base_env(&emu.url);
    env.extend(
        [
            ("GROUPS_ATTRIBUTE", "custom:quicksight_groups"),
            ("GROUP_MAPPING", r#"{"finance":{"group":"qs-finance","role":"AUTHOR"},"executives":{"group":"qs-executives","role":"ADMIN"}}"#),
            ("DEFAULT_GROUPS", "qs-everyone"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    env
}

#[test]
fn a_confirmed_sign_up_becomes_a_federated_user_with_the_pool_as_oidc_provider() {
    let emu = Emulator::start(&[]);
    let lambda = Lambda::start(
        "cognito-signup",
        &env(&emu, &[("EXTERNAL_LOGIN_PROVIDER", "CUSTOM_OIDC")]),
    );

    let response = lambda.invoke(&event(SIGN_UP));

    assert_eq!(response, event(SIGN_UP), "the event goes back to Cognito unchanged");
    let ana = emu.user("QuickSightFederated/maria.silva@example.com");
    assert_eq!(ana["ExternalLoginId"], "8f2b6c1e-4d7a-4e5b-9c3d-2a1f0e9d8c7b");
    assert_eq!(ana["ExternalLoginFederationProviderType"], "CUSTOM_OIDC");
    assert_eq!(
        ana["ExternalLoginFederationProviderUrl"],
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E"
    );
    assert_eq!(ana["Role"], "AUTHOR", "finance maps to AUTHOR; marketing is unmapped");
    assert_eq!(
        emu.groups_of("QuickSightFederated/maria.silva@example.com"),
        ["qs-everyone", "qs-finance"]
    );
}

#[test]
fn an_external_provider_user_takes_the_configured_login_id_attribute() {
    let emu = Emulator::start(&[]);
    let lambda = Lambda::start(
        "cognito-signup",
        &env(
            &emu,
            &[
                ("EXTERNAL_LOGIN_PROVIDER", "COGNITO"),
                ("EXTERNAL_LOGIN_ID_ATTRIBUTE", "custom:identity_id"),
                ("SESSION_NAME_SOURCE", "sub"),
            ],
        ),
    );

    lambda.invoke(&event(EXTERNAL));

    let li = emu.user("QuickSightFederated/3c9a7e52-1b4f-4a8d-b6e0-7f5d2c8a9b1e");
    assert_eq!(li["Email"], "li.wei@example.com");
    assert_eq!(li["ExternalLoginId"], "eu-west-1:5e1f2a3b-4c5d-6e7f-8a9b-0c1d2e3f4a5b");
    assert_eq!(
        li["ExternalLoginFederationProviderUrl"],
        "cognito-identity.amazonaws.com"
    );
    assert_eq!(li["Role"], "ADMIN");
}

#[test]
fn other_trigger_sources_and_sign_ups_without_email_are_returned_untouched() {
    let emu = Emulator::start(&[]);
    let lambda = Lambda::start("cognito-signup", &env(&emu, &[]));
    let mut forgot = event(SIGN_UP);
    forgot["triggerSource"] = json!("PostConfirmation_ConfirmForgotPassword");
    let mut no_email = event(SIGN_UP);
    no_email["request"]["userAttributes"]
        .as_object_mut()
        .unwrap()
        .remove("email");
    let mut pre_sign_up = event(SIGN_UP);
    pre_sign_up["triggerSource"] = json!("PreSignUp_SignUp");

    for e in [&forgot, &no_email, &pre_sign_up] {
        assert_eq!(&lambda.invoke(e), e);
    }
    assert_eq!(emu.requests_beyond_init(), 0, "no QuickSight call for any of them");
}

#[tokio::test]
async fn when_quicksight_fails_the_sign_up_succeeds_and_the_change_is_queued() {
    let emu = Emulator::start(&["--fail-rate", "1"]);
    let moto = Moto::start();
    let sqs = moto.sqs();
    let queue = sqs
        .create_queue()
        .queue_name("qs-provision-retry")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let lambda = Lambda::start(
        "cognito-signup",
        &env(
            &emu,
            &[
                ("RETRY_QUEUE_URL", &queue),
                ("AWS_ENDPOINT_URL_SQS", &moto.url),
                ("QUICKSIGHT_MAX_ATTEMPTS", "2"),
            ],
        ),
    );

    let response = lambda.invoke(&event(SIGN_UP));

    assert_eq!(response, event(SIGN_UP));
    let received = sqs
        .receive_message()
        .queue_url(&queue)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    let messages = received.messages();
    assert_eq!(messages.len(), 1);
    let Change::Upsert(upsert) = Change::parse(messages[0].body().unwrap()).unwrap() else {
        panic!("an upsert")
    };
    assert_eq!(upsert.email, "maria.silva@example.com");
    assert_eq!(upsert.role.as_deref(), Some("AUTHOR"));
    assert_eq!(upsert.groups, Some(vec!["qs-everyone".into(), "qs-finance".into()]));
}

#[test]
fn fail_signup_on_error_fails_only_when_the_queue_is_unreachable_too() {
    let emu = Emulator::start(&["--fail-rate", "1"]);
    let lambda = Lambda::start(
        "cognito-signup",
        &env(
            &emu,
            &[
                ("FAIL_SIGNUP_ON_ERROR", "true"),
                ("RETRY_QUEUE_URL", "http://127.0.0.1:9/000000000000/nowhere"),
                ("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9"),
                ("QUICKSIGHT_MAX_ATTEMPTS", "1"),
            ],
        ),
    );

    let response = lambda.invoke(&event(SIGN_UP));

    assert_eq!(response["errorType"], "NotProvisionedNorQueued", "{response}");
    assert!(
        response["errorMessage"]
            .as_str()
            .unwrap_or_default()
            .contains("the retry queue did not take the change"),
        "{response}"
    );
}

#[test]
fn with_quicksight_warm_up_the_connection_opens_during_init_with_one_read() {
    let emu = Emulator::start(&[]);
    let lambda = Lambda::start(
        "cognito-signup",
        &env(&emu, &[("QUICKSIGHT_WARM_UP", "true"), ("DEFAULT_GROUPS", "")]),
    );
    let mut sign_up = event(SIGN_UP);
    sign_up["request"]["userAttributes"]
        .as_object_mut()
        .unwrap()
        .remove("custom:quicksight_groups");

    let response = lambda.invoke(&sign_up);

    assert_eq!(response, sign_up);
    let stats = emu.stats();
    // RIE starts the process at the first invoke: init's account read and DescribeUser, then the
    // sign-up's one call.
    assert_eq!(
        stats["operations"]["DescribeAccountSubscription"]["requests"], 1,
        "{stats}"
    );
    assert_eq!(stats["operations"]["DescribeUser"]["requests"], 1, "{stats}");
    assert_eq!(stats["operations"]["RegisterUser"]["succeeded"], 1, "{stats}");
    assert_eq!(stats["total"]["requests"], 3, "{stats}");
}

/// The sign-up event with the user's `custom:tenant` attribute, confirmed by an administrator
/// (no app client, so the tenant is trusted without asking Cognito).
fn of_tenant(tenant: &str) -> Value {
    through(tenant, "CLIENT_ID_NOT_APPLICABLE")
}

/// The sign-up event with `custom:tenant`, through app client `client_id`.
fn through(tenant: &str, client_id: &str) -> Value {
    let mut signup = event(SIGN_UP);
    signup["request"]["userAttributes"]["custom:tenant"] = json!(tenant);
    signup["callerContext"]["clientId"] = json!(client_id);
    signup
}

#[tokio::test]
async fn a_tenant_the_users_app_client_lets_them_write_is_refused_and_nothing_is_written() {
    let emu = Emulator::start(&[]);
    emu.seed_namespace("acme");
    let moto = Moto::start();
    let (pool_id, writable, read_only) = lambda::pool_with_two_clients(&moto.cognito()).await;
    let lambda = Lambda::start(
        "cognito-signup",
        &env(
            &emu,
            &[
                ("TENANT_NAMESPACE", "{tenant}"),
                ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", &moto.url),
            ],
        ),
    );
    let signup = |tenant: &str, client: &str| {
        let mut event = through(tenant, client);
        event["userPoolId"] = json!(pool_id);
        assert_eq!(lambda.invoke(&event), event, "Cognito's sign-up goes on");
    };

    // Through the client whose users can write custom:tenant: refused, even for a real tenant.
    signup("acme", &writable);
    assert!(emu.users_in("acme").is_empty(), "nothing written in acme");
    let refusal = lambda.log_text();
    assert!(
        refusal.contains(&writable) && refusal.contains("lets its users write custom:tenant"),
        "the log names the client:\n{refusal}"
    );

    // What such a user tried (issue 38): each refused, nothing written anywhere.
    for tenant in ["default", "Default", "DEFAULT", "ACME"] {
        signup(tenant, &read_only);
    }
    assert!(emu.user_names().is_empty(), "nothing in default");
    assert!(emu.users_in("acme").is_empty());
    assert_eq!(emu.requests("CreateNamespace"), 0);
    assert_eq!(emu.requests("RegisterUser"), 0);

    // Through the client whose users cannot: provisioned in the tenant's namespace.
    signup("acme", &read_only);
    assert_eq!(emu.users_in("acme"), ["QuickSightFederated/maria.silva@example.com"]);
}

#[tokio::test]
async fn each_tenant_gets_its_own_user_and_a_namespace_still_being_created_queues_the_sign_up() {
    let emu = Emulator::start(&["--namespace-create-delay-ms", "60000"]);
    emu.seed_namespace("cust-acme");
    let moto = Moto::start();
    let sqs = moto.sqs();
    let queue = lambda::fifo_queue(&sqs, "qs-provision-retry.fifo").await;
    let lambda = Lambda::start(
        "cognito-signup",
        &env(
            &emu,
            &[
                ("TENANT_NAMESPACE", "cust-{tenant}"),
                ("TENANT_CREATE_NAMESPACE", "true"),
                ("TENANT_ALLOWED", "[a-z]+"),
                ("SIGNUP_BUDGET_MS", "1000"),
                ("RETRY_QUEUE_URL", &queue),
                ("AWS_ENDPOINT_URL_SQS", &moto.url),
            ],
        ),
    );

    // acme's namespace exists: provisioned there, and nowhere else.
    assert_eq!(lambda.invoke(&of_tenant("acme")), of_tenant("acme"));
    let user = "QuickSightFederated/maria.silva@example.com";
    assert_eq!(emu.users_in("cust-acme"), [user]);
    assert_eq!(emu.groups_in("cust-acme", user), ["qs-everyone", "qs-finance"]);
    assert!(emu.user_names().is_empty(), "nothing in default");

    // globex is new: its namespace is created, is not ready within the budget, and the sign-up
    // is queued in the tenant's and user's FIFO group, to finish later.
    assert_eq!(lambda.invoke(&of_tenant("globex")), of_tenant("globex"));
    assert_eq!(emu.succeeded("CreateNamespace"), 1);
    let created: u64 = lambda
        .log_lines()
        .iter()
        .filter_map(|l| l["NamespacesCreated"].as_u64())
        .sum();
    assert_eq!(created, 1, "counted though the namespace was not ready in time");
    let received = sqs
        .receive_message()
        .queue_url(&queue)
        .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId)
        .send()
        .await
        .unwrap();
    let message = &received.messages()[0];
    assert_eq!(
        message.attributes().unwrap()[&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId],
        "globex/maria.silva@example.com"
    );
    let change = Change::parse(message.body().unwrap()).unwrap();
    assert_eq!(change.tenant(), Some("globex"));

    // Without the attribute the sign-up is refused by name, and nothing is written.
    let writes = emu.requests("RegisterUser");
    assert_eq!(
        lambda.invoke(&event(SIGN_UP)),
        event(SIGN_UP),
        "Cognito's sign-up goes on"
    );
    assert_eq!(emu.requests("RegisterUser"), writes);
    let logged = lambda.log_lines();
    assert!(
        logged
            .iter()
            .any(|l| l.to_string().contains("tenant") && l.to_string().contains("is required")),
        "the refusal names the tenant"
    );
}

#[test]
fn aws_lambda_log_format_text_writes_text_lines_and_the_metrics_as_json() {
    let emu = Emulator::start(&[]);
    let lambda = Lambda::start("cognito-signup", &env(&emu, &[("AWS_LAMBDA_LOG_FORMAT", "Text")]));

    assert_eq!(lambda.invoke(&event(SIGN_UP)), event(SIGN_UP));

    let log = lambda.log_text();
    let provisioned = log
        .lines()
        .find(|l| l.contains(" INFO user provisioned "))
        .unwrap_or_else(|| panic!("a text line for the sign-up:\n{log}"));
    assert!(serde_json::from_str::<Value>(provisioned).is_err(), "{provisioned}");
    assert!(
        provisioned.contains("request_id=") && provisioned.contains("outcome={"),
        "{provisioned}"
    );
    let metrics = lambda.log_lines();
    assert!(
        metrics
            .iter()
            .any(|l| l["_aws"].is_object() && l["UsersRegistered"] == 1),
        "the EMF line stays JSON:\n{log}"
    );
}
