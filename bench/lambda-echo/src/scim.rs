//! With `ECHO_SCIM_TABLE`: each invocation makes the remote calls scim makes for the same SCIM
//! request, on the same clients, and nothing else: a create (`POST /Users`: two name look-ups,
//! DescribeUser, RegisterUser, one three-item transaction) or a GET by `userName` filter (two
//! item reads, DescribeUser, ListUserGroups). What scim adds is its time minus this one's.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use aws_sdk_quicksight::types::{IdentityType, UserRole};
use lambda_runtime::Error;
use qs_model::config::{Config, EnvReader};
use serde_json::Value;

pub struct ScimCalls {
    quicksight: aws_sdk_quicksight::Client,
    dynamodb: aws_sdk_dynamodb::Client,
    table: String,
    account: String,
    role_arn: String,
    role_name: String,
}

impl ScimCalls {
    pub async fn from_env() -> Result<Option<Self>, Error> {
        let Ok(table) = std::env::var("ECHO_SCIM_TABLE") else {
            return Ok(None);
        };
        let mut env = EnvReader::from_env();
        let config = Config::read(&mut env);
        let config = env.finish(config)?;
        let sdk = qs_engine::load_sdk_config(&config).await?;
        let home = config.home(None)?;
        Ok(Some(Self {
            quicksight: qs_engine::build_client(&sdk, &config),
            dynamodb: aws_sdk_dynamodb::Client::new(&sdk),
            table,
            account: config.account_id.clone(),
            role_arn: home.role.arn.clone(),
            role_name: home.role.name.clone(),
        }))
    }

    /// The calls for the SCIM request `event` (a function URL request).
    pub async fn call(&self, event: &Value) -> Result<(), Error> {
        let method = event
            .pointer("/requestContext/http/method")
            .and_then(Value::as_str)
            .unwrap_or("GET");
        if method == "POST" {
            let body: Value = serde_json::from_str(event["body"].as_str().unwrap_or("{}"))?;
            let user_name = body["userName"].as_str().unwrap_or_default();
            self.create(user_name).await
        } else {
            // `filter=userName eq "<name>"`, the name between the quotes.
            let query = event["rawQueryString"]
                .as_str()
                .unwrap_or_default()
                .replace("%22", "\"");
            let user_name = query.split('"').nth(1).unwrap_or_default().replace("%40", "@");
            self.filter(&user_name).await
        }
    }

    async fn get(&self, key: String) -> Result<(), Error> {
        self.dynamodb
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(key))
            .consistent_read(true)
            .send()
            .await?;
        Ok(())
    }

    async fn create(&self, user_name: &str) -> Result<(), Error> {
        let qs_user = format!("{}/{user_name}", self.role_name);
        self.get(format!("userName#default#{user_name}")).await?;
        self.get(format!("qsUser#default#{qs_user}")).await?;
        let _ = self.describe(&qs_user).await;
        self.quicksight
            .register_user()
            .aws_account_id(&self.account)
            .namespace("default")
            .identity_type(IdentityType::Iam)
            .iam_arn(&self.role_arn)
            .session_name(user_name)
            .email(user_name)
            .user_role(UserRole::Reader)
            .external_login_federation_provider_type("CUSTOM_OIDC")
            .custom_federation_provider_url("https://idp.example.com")
            .external_login_id(user_name)
            .send()
            .await?;
        let put = |key: String, doc: String| -> Result<TransactWriteItem, Error> {
            let put = Put::builder()
                .table_name(&self.table)
                .item("pk", AttributeValue::S(key))
                .item("doc", AttributeValue::S(doc))
                .item("v", AttributeValue::N("1".into()))
                .condition_expression("attribute_not_exists(pk)")
                .build()?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        let id = format!("echo-{user_name}");
        let doc = serde_json::json!({ "id": id, "userName": user_name }).to_string();
        self.dynamodb
            .transact_write_items()
            .transact_items(put(format!("user#default#{id}"), doc)?)
            .transact_items(put(
                format!("userName#echo#{user_name}"),
                format!(r#"{{"id":"{id}"}}"#),
            )?)
            .transact_items(put(format!("qsUser#echo#{qs_user}"), format!(r#"{{"id":"{id}"}}"#))?)
            .send()
            .await?;
        Ok(())
    }

    async fn filter(&self, user_name: &str) -> Result<(), Error> {
        let qs_user = format!("{}/{user_name}", self.role_name);
        self.get(format!("userName#default#{}", user_name.to_lowercase()))
            .await?;
        self.get(format!("user#default#{user_name}")).await?;
        self.describe(&qs_user).await?;
        self.quicksight
            .list_user_groups()
            .aws_account_id(&self.account)
            .namespace("default")
            .user_name(&qs_user)
            .send()
            .await?;
        Ok(())
    }

    async fn describe(&self, qs_user: &str) -> Result<(), Error> {
        self.quicksight
            .describe_user()
            .aws_account_id(&self.account)
            .namespace("default")
            .user_name(qs_user)
            .send()
            .await?;
        Ok(())
    }
}
