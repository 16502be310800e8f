//! The handler in-process: a function URL request in, the SCIM answer out, against quicksight-local
//! served in this process (its real rules) and the table in memory.

mod config;
mod conformance;
mod consistency;
mod discovery;
mod groups;
mod profiles;
mod users;

use std::sync::Arc;

use aws_sdk_quicksight::config::{BehaviorVersion, Credentials, Region};
use clap::Parser;
use lambda_runtime::LambdaEvent;
use qs_engine::Engine;
use qs_model::assets::AssetKind;
use qs_testing::{self as testing, ACCOUNT};
use quicksight_local::{Args, Emulator, Store, router};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::store::memory::MemoryTable;
use crate::{App, Auth, Table, handle, read_env};

pub const TOKEN: &str = "test-token-0123456789abcdef0123456789";
pub const PROVIDER: &str = "https://idp.example.com";
pub const PREFIX: &str = "scim-";

/// The function with its table in memory, and the quicksight-local it talks to.
pub struct Harness {
    pub app: App,
    pub quicksight: aws_sdk_quicksight::Client,
    url: String,
}

impl Harness {
    pub async fn start(extra: &[(&str, &str)]) -> Self {
        Self::with_emulator(&[], extra).await
    }

    /// With quicksight-local started with `emulator` (its flags).
    pub async fn with_emulator(emulator: &[&str], extra: &[(&str, &str)]) -> Self {
        let args = Args::parse_from(["quicksight-local"].iter().chain(emulator));
        let emulator = Arc::new(Emulator::new(&args, Store::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router(emulator)).await });
        let mut vars = vec![
            ("SCIM_TABLE", "scim"),
            ("SCIM_TOKEN", TOKEN),
            ("SCIM_PROVIDER_URL", PROVIDER),
            ("MANAGED_GROUP_PREFIX", PREFIX),
            // A QuickSight 404 is final a second after the request came (the emulator shows
            // users at once unless asked not to).
            ("QUICKSIGHT_CONSISTENCY_SECONDS", "1"),
        ];
        vars.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        vars.extend_from_slice(extra);
        let (config, settings) = read_env(testing::lookup(&testing::vars(&vars))).unwrap();
        let quicksight = aws_sdk_quicksight::Client::from_conf(
            aws_sdk_quicksight::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .endpoint_url(&url)
                .region(Region::new("us-east-1"))
                .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
                .build(),
        );
        let auth = match &settings.token {
            crate::TokenSetting::Given(tokens) => Auth::Given(tokens.clone()),
            crate::TokenSetting::Secret(_) => unreachable!("tests give the token"),
        };
        let engine = Engine::new(quicksight.clone(), &config);
        let app = App {
            config,
            settings,
            engine,
            table: Table::Memory(MemoryTable::default()),
            auth,
        };
        Self { app, quicksight, url }
    }

    pub fn table(&self) -> &MemoryTable {
        match &self.app.table {
            Table::Memory(t) => t,
            Table::Dynamo(_) => unreachable!("tests keep the table in memory"),
        }
    }

    /// `method path` with `body`, as this deployment's IdP: status, body, headers.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value, Value) {
        self.call_as(Some(TOKEN), method, path, body).await
    }

    pub async fn call_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value, Value) {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let mut headers = json!({ "host": "scim.example.com", "content-type": "application/scim+json" });
        if let Some(token) = token {
            headers["authorization"] = json!(format!("Bearer {token}"));
        }
        let mut event = json!({
            "version": "2.0",
            "rawPath": format!("/scim/v2{path}"),
            "rawQueryString": query,
            "headers": headers,
            "requestContext": { "http": { "method": method } },
            "isBase64Encoded": false,
        });
        if let Some(body) = body {
            event["body"] = json!(body.to_string());
        }
        let context = testing::lambda_context(std::time::Duration::from_secs(20));
        let answer = handle(&self.app, LambdaEvent::new(event, context)).await.unwrap();
        let text = answer["body"].as_str().unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(text).unwrap()
        };
        (
            answer["statusCode"].as_u64().unwrap() as u16,
            body,
            answer["headers"].clone(),
        )
    }

    /// POSTs a user and returns it (asserting 201).
    pub async fn create_user(&self, body: Value) -> Value {
        let (status, user, _) = self.call("POST", "/Users", Some(body)).await;
        assert_eq!(status, 201, "{user}");
        user
    }

    /// The QuickSight user `QuickSightFederated/<session>`, as DescribeUser gives it.
    pub async fn quicksight_user(&self, session: &str) -> Option<aws_sdk_quicksight::types::User> {
        self.quicksight_user_in("default", session).await
    }

    pub async fn quicksight_user_in(&self, namespace: &str, session: &str) -> Option<aws_sdk_quicksight::types::User> {
        let out = self
            .quicksight
            .describe_user()
            .aws_account_id(ACCOUNT)
            .namespace(namespace)
            .user_name(format!("{}/{session}", testing::ROLE_NAME))
            .send()
            .await;
        out.ok().and_then(|o| o.user)
    }

    /// Deletes the QuickSight user `QuickSightFederated/<session>` outside SCIM.
    pub async fn delete_in_quicksight(&self, session: &str) {
        self.quicksight
            .delete_user()
            .aws_account_id(ACCOUNT)
            .namespace("default")
            .user_name(format!("{}/{session}", testing::ROLE_NAME))
            .send()
            .await
            .unwrap();
    }

    /// The members of a QuickSight group (`None`: no such group).
    pub async fn members(&self, group: &str) -> Option<Vec<String>> {
        let out = self
            .quicksight
            .list_group_memberships()
            .aws_account_id(ACCOUNT)
            .namespace("default")
            .group_name(group)
            .send()
            .await
            .ok()?;
        let mut names: Vec<String> = out
            .group_member_list()
            .iter()
            .filter_map(|m| m.member_name().map(str::to_owned))
            .collect();
        names.sort();
        Some(names)
    }

    /// Seeds a dashboard `owner` owns, through the emulator's admin endpoint.
    pub async fn seed_owned_dashboard(&self, id: &str, owner_arn: &str) {
        let body = json!({
            "kind": "dashboard", "id": id, "name": id,
            "permissions": [{ "Principal": owner_arn, "Actions": AssetKind::Dashboard.owner_actions() }],
        });
        post(&self.url, "/_emulator/assets", &body).await;
    }
}

/// A raw POST of JSON to quicksight-local's admin endpoints.
async fn post(url: &str, path: &str, body: &Value) {
    let host = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let body = body.to_string();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// Barbara Jensen of RFC 7643 §8.2, with the e-mail QuickSight needs.
pub fn bjensen() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "bjensen@example.com",
        "externalId": "701984",
        "name": { "formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen", "givenName": "Barbara" },
        "displayName": "Babs Jensen",
        "emails": [{ "value": "bjensen@example.com", "type": "work", "primary": true }],
        "active": true
    })
}

pub fn user(user_name: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "emails": [{ "value": user_name, "type": "work", "primary": true }],
    })
}

pub fn patch(operations: Value) -> Value {
    json!({ "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations })
}
