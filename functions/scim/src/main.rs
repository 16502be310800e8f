//! The Lambda entry point: logging, configuration, the QuickSight, DynamoDB and Secrets Manager
//! clients, once per cold start.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use qs_engine::{Engine, load_sdk_config};
use qs_observe::logging::init_logging;
use scim::store::DynamoTable;
use scim::{App, Auth, Table, TokenSetting, handle, read_env};
use serde_json::Value;
use tokio::sync::Mutex;

// One thread: Lambda runs one invocation at a time.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    init_logging();
    let (config, settings) = read_env(|name| std::env::var(name).ok())?;
    let sdk = load_sdk_config(&config).await?;
    let auth = match &settings.token {
        TokenSetting::Given(tokens) => Auth::Given(tokens.clone()),
        TokenSetting::Secret(secret) => Auth::Secret {
            client: aws_sdk_secretsmanager::Client::new(&sdk),
            secret: secret.clone(),
            ttl: settings.token_cache,
            tenants: config.tenancy().is_some(),
            cache: Mutex::new(None),
        },
    };
    let table = Table::Dynamo(DynamoTable::new(
        aws_sdk_dynamodb::Client::new(&sdk),
        settings.table.clone(),
    ));
    let engine = Engine::connect(&sdk, &config).await.require_federation()?;
    let app = App {
        config,
        settings,
        engine,
        table,
        auth,
    };
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| handle(&app, event))).await
}
