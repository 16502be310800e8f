//! What the project's tests share (unit, handler and integration tests): the test account and
//! role, configurations read from a list of variables, a user spec, AWS clients whose HTTP layer
//! answers with mocked responses, and Lambda invocation contexts. A dev-dependency only.

pub mod oidc;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_quicksight::config::{Credentials, Region};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client};

use qs_engine::with_retries;
use qs_model::config::{Config, RetryMode};
use qs_model::validate::{ExternalLogin, Profile, UserRole, UserSpec};

pub const ACCOUNT: &str = "123456789012";
pub const NAMESPACE: &str = "default";
pub const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/QuickSightFederated";
/// The role [`ROLE_ARN`] names: its users are `QuickSightFederated/<session name>`.
pub const ROLE_NAME: &str = "QuickSightFederated";

/// A variable lookup over `vars` (the first of a name wins), as `Config::from_lookup` takes it.
pub fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// The variables every configuration needs: the test account and role.
pub const REQUIRED: [(&str, &str); 2] = [
    ("QUICKSIGHT_ACCOUNT_ID", ACCOUNT),
    ("QUICKSIGHT_FEDERATED_ROLE_ARN", ROLE_ARN),
];

/// `vars` over the required ones (a name in `vars` wins).
pub fn vars<'a>(vars: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    vars.iter().copied().chain(REQUIRED).collect()
}

/// The configuration of `vars` over the required ones; panics on an invalid one.
pub fn config(extra: &[(&str, &str)]) -> Config {
    Config::from_lookup(lookup(&vars(extra))).expect("a valid test configuration")
}

/// A user of [`ROLE_NAME`] whose e-mail is also its session name.
/// The home of a test deployment without tenants: `default`, through [`ROLE_ARN`].
pub fn home() -> qs_model::tenant::Home {
    config(&[]).home(None).expect("tenants are off")
}

pub fn user_spec(email: &str, role: UserRole, external_login: ExternalLogin) -> UserSpec {
    UserSpec {
        user_name: format!("{ROLE_NAME}/{email}"),
        email: email.to_owned(),
        session_name: email.to_owned(),
        role,
        custom_permissions: Profile::Leave,
        external_login,
        tags: Default::default(),
        relink: false,
    }
}

/// Client configuration whose requests are answered by `rules`, in order (any other request
/// panics).
pub fn mocked_config(rules: &[&Rule]) -> aws_sdk_quicksight::config::Builder {
    aws_sdk_quicksight::Config::builder()
        .region(Region::new("us-east-1"))
        .credentials_provider(test_credentials())
        .http_client(create_mock_http_client())
        .interceptor(answering(rules, RuleMode::Sequential))
}

/// The interceptor that answers every request of a mocked client with `rules`.
fn answering(rules: &[&Rule], mode: RuleMode) -> MockResponseInterceptor {
    rules
        .iter()
        .fold(MockResponseInterceptor::new().rule_mode(mode), |i, rule| {
            i.with_rule(rule)
        })
}

fn test_credentials() -> Credentials {
    Credentials::new("AKIDTEST", "secret", None, None, "test")
}

/// An SQS client whose requests are answered by `rules` (`mode`: in order, or any that matches).
pub fn mocked_sqs(rules: &[&Rule], mode: RuleMode) -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(test_credentials())
        .http_client(create_mock_http_client())
        .interceptor(answering(rules, mode))
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// A Cognito user-pool client whose requests are answered by `rules`, in order.
pub fn mocked_cognito(rules: &[&Rule]) -> aws_sdk_cognitoidentityprovider::Client {
    let config = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(aws_sdk_cognitoidentityprovider::config::BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .credentials_provider(test_credentials())
        .http_client(create_mock_http_client())
        .interceptor(answering(rules, RuleMode::Sequential))
        .build();
    aws_sdk_cognitoidentityprovider::Client::from_conf(config)
}

/// A client on [`mocked_config`] with the production retry classifier and one attempt, so a test
/// sees each answer as the engine does.
pub fn mocked_client(rules: &[&Rule]) -> aws_sdk_quicksight::Client {
    aws_sdk_quicksight::Client::from_conf(with_retries(mocked_config(rules), 1, RetryMode::Standard).build())
}

/// A QuickSight error response exactly as the service sends it, for a mocked rule's
/// `then_http_response`.
pub fn quicksight_error(status: u16, code: &str) -> aws_smithy_runtime_api::http::Response {
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    let body = format!(r#"{{"Message":"{code} from the mock","RequestId":"r-1"}}"#);
    let mut response = Response::new(StatusCode::try_from(status).expect("a status code"), body.into());
    response
        .headers_mut()
        .insert("x-amzn-ErrorType", format!("{code}:http://internal.amazon.com/"));
    response.headers_mut().insert("content-type", "application/json");
    response
}

/// A federated user as DescribeUser returns it: a reader tied to the CUSTOM_OIDC login
/// (`provider_url`, `login_id`).
pub fn federated_user(
    user_name: &str,
    email: &str,
    provider_url: &str,
    login_id: &str,
) -> aws_sdk_quicksight::types::User {
    aws_sdk_quicksight::types::User::builder()
        .user_name(user_name)
        .email(email)
        .role(aws_sdk_quicksight::types::UserRole::Reader)
        .external_login_federation_provider_type("CUSTOM_OIDC")
        .external_login_federation_provider_url(provider_url)
        .external_login_id(login_id)
        .build()
}

/// A Lambda invocation context whose deadline is `left` from now, as the runtime gives handlers.
pub fn lambda_context(left: Duration) -> lambda_runtime::Context {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let mut context = lambda_runtime::Context::default();
    context.deadline = (now + left).as_millis() as u64;
    context
}

/// Creates the custom permissions profile `name` (exports denied) through `client`, as an
/// administrator would.
pub async fn create_profile(client: &aws_sdk_quicksight::Client, name: &str) {
    use aws_sdk_quicksight::types::{Capabilities, CapabilityState};
    let capabilities = Capabilities::builder()
        .export_to_csv(CapabilityState::Deny)
        .export_to_excel(CapabilityState::Deny)
        .build();
    client
        .create_custom_permissions()
        .aws_account_id(ACCOUNT)
        .custom_permissions_name(name)
        .capabilities(capabilities)
        .send()
        .await
        .unwrap_or_else(|e| panic!("creating profile {name}: {e:?}"));
}

/// DescribeAccountSubscription answering that the account signs in with `mode`
/// (`IAM_AND_QUICKSIGHT`, `IAM_IDENTITY_CENTER`, ...).
pub fn account_signs_in(mode: &'static str) -> Rule {
    use aws_sdk_quicksight::operation::describe_account_subscription::DescribeAccountSubscriptionOutput;
    use aws_sdk_quicksight::types::AccountInfo;
    aws_smithy_mocks::mock!(aws_sdk_quicksight::Client::describe_account_subscription).then_output(move || {
        DescribeAccountSubscriptionOutput::builder()
            .account_info(AccountInfo::builder().authentication_type(mode).build())
            .build()
    })
}
