//! Function binaries run under the official Lambda runtime interface emulator (aws-lambda-rie,
//! shipped inside aws-sam-cli), and moto's server (SQS, Cognito user pools): the same pieces `sam local` uses.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aws_sdk_sqs::config::Region;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message, MessageSystemAttributeName, QueueAttributeName};

use crate::{ACCOUNT, ROLE_ARN, bin, free_port, http, local_credentials, venv};

/// `aws-lambda-rie` for this machine: `AWS_LAMBDA_RIE`, else the one inside the venv's aws-sam-cli.
pub fn rie() -> PathBuf {
    if let Some(path) = std::env::var_os("AWS_LAMBDA_RIE") {
        return PathBuf::from(path);
    }
    let arch = if cfg!(target_arch = "aarch64") {
        "arm64"
    } else {
        "x86_64"
    };
    let lib = venv().join("lib");
    let found = std::fs::read_dir(&lib)
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .find_map(|entry| {
            let candidate = entry
                .path()
                .join(format!("site-packages/samcli/local/rapid/aws-lambda-rie-{arch}"));
            candidate.exists().then_some(candidate)
        });
    found.unwrap_or_else(|| {
        panic!(
            "aws-lambda-rie not found under {}: run scripts/test (it installs aws-sam-cli)",
            lib.display()
        )
    })
}

/// A process group that is killed whole when dropped (the emulator and the function it started).
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        let pgid = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &pgid]).status();
        let _ = self.0.wait();
    }
}

impl Drop for Lambda {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.log);
    }
}

/// The environment every function gets: throwaway credentials, the QuickSight emulator's URL.
pub fn base_env(quicksight_url: &str) -> Vec<(String, String)> {
    [
        ("AWS_ACCESS_KEY_ID", "AKIDLOCAL"),
        ("AWS_SECRET_ACCESS_KEY", "local-secret"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_ENDPOINT_URL_QUICKSIGHT", quicksight_url),
        ("QUICKSIGHT_ACCOUNT_ID", ACCOUNT),
        ("QUICKSIGHT_FEDERATED_ROLE_ARN", ROLE_ARN),
        ("AWS_LAMBDA_FUNCTION_TIMEOUT", "30"),
        ("RUST_LOG", "info"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// One function binary under aws-lambda-rie on free ports.
pub struct Lambda {
    _group: Group,
    port: u16,
    /// Where the function's (and the emulator's) output goes.
    log: PathBuf,
}

impl Lambda {
    /// Starts `binary` with `env` (later entries win) and nothing else from this process's
    /// environment, so a developer's AWS settings never leak in.
    pub fn start(binary: &str, env: &[(String, String)]) -> Lambda {
        // A free port can be taken by a concurrent test before RIE binds it; RIE then exits, and
        // it starts again on other ports.
        for _ in 0..5 {
            if let Some(lambda) = Self::try_start(binary, env) {
                return lambda;
            }
        }
        panic!("aws-lambda-rie did not start for {binary} on five pairs of free ports");
    }

    fn try_start(binary: &str, env: &[(String, String)]) -> Option<Lambda> {
        let (port, runtime_port) = (free_port(), free_port());
        let mut command = Command::new(rie());
        command
            .args(["--runtime-interface-emulator-address", &format!("127.0.0.1:{port}")])
            .args(["--runtime-api-address", &format!("127.0.0.1:{runtime_port}")])
            .arg(bin(binary))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .envs(env.iter().map(|(k, v)| (k, v)))
            .process_group(0);
        let log = std::env::temp_dir().join(format!("qs-lambda-{binary}-{port}.log"));
        let file = std::fs::File::create(&log).expect("create the function's log file");
        command.stdout(file.try_clone().expect("log file")).stderr(file);
        if std::env::var_os("QS_TEST_LAMBDA_LOGS").is_some() {
            command.stdout(Stdio::inherit()).stderr(Stdio::inherit());
        }
        let mut group = Group(command.spawn().expect("start aws-lambda-rie"));
        if !listens(&mut group.0, port) {
            let _ = std::fs::remove_file(&log);
            return None;
        }
        Some(Lambda {
            _group: group,
            port,
            log,
        })
    }

    /// Every JSON line the function has written so far (the emulator's own lines are not JSON).
    pub fn log_lines(&self) -> Vec<serde_json::Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    /// Invokes the function once: RIE's status and body as they are (502 when the function
    /// exited during init).
    pub fn invoke_raw(&self, payload: &serde_json::Value) -> (u16, String) {
        let host = format!("127.0.0.1:{}", self.port);
        http(
            &host,
            "POST",
            "/2015-03-31/functions/function/invocations",
            &[],
            &payload.to_string(),
        )
    }

    /// Everything the function (and the emulator around it) has written so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Invokes the function once and returns its JSON response (or the runtime's error object).
    pub fn invoke(&self, payload: &serde_json::Value) -> serde_json::Value {
        let (status, body) = self.invoke_raw(payload);
        assert_eq!(status, 200, "invoke answered {status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}"))
    }
}

/// Whether `rie` came to listen on `port`: false when it exited first, having lost the port to
/// another test's process, which may be what answers there.
fn listens(rie: &mut Child, port: u16) -> bool {
    let exited = |rie: &mut Child| rie.try_wait().expect("aws-lambda-rie's status").is_some();
    let started = std::time::Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "aws-lambda-rie did not open port {port} within 60 s"
        );
        if exited(rie) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // The port answering may be another test's RIE that won the race: ours has then exited.
    std::thread::sleep(Duration::from_millis(50));
    !exited(rie)
}

/// moto's server (through tests/fixtures/moto-server.py), serving SQS and Cognito user pools on a
/// free port.
pub struct Moto {
    _group: Group,
    pub url: String,
}

impl Moto {
    /// Starts moto on a port it picks itself (`-p 0`) and reads back from its start-up line: a port
    /// chosen here and handed over could be taken meanwhile by a server another test starts, and
    /// this test would then talk to that one until its owner stops it.
    pub fn start() -> Moto {
        let launcher = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/moto-server.py");
        let mut child = Command::new(venv().join("bin/python"))
            .args([launcher, "-H", "127.0.0.1", "-p", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .expect("start moto_server (scripts/test installs it)");
        let stderr = child.stderr.take().expect("moto's stderr");
        let group = Group(child);
        let mut lines = BufReader::new(stderr).lines();
        let url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| line.split(" * Running on ").nth(1).map(|u| u.trim().to_owned()))
            .expect("moto_server exited before it listened");
        // Its request log goes on: keep reading it so the pipe never fills.
        std::thread::spawn(move || lines.for_each(drop));
        Moto { _group: group, url }
    }

    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        let config = aws_sdk_sqs::Config::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .endpoint_url(&self.url)
            .region(Region::new("us-east-1"))
            .credentials_provider(local_credentials())
            .build();
        aws_sdk_sqs::Client::from_conf(config)
    }

    /// Its Cognito user-pool service.
    pub fn cognito(&self) -> aws_sdk_cognitoidentityprovider::Client {
        let config = aws_sdk_cognitoidentityprovider::Config::builder()
            .behavior_version(aws_sdk_cognitoidentityprovider::config::BehaviorVersion::latest())
            .endpoint_url(&self.url)
            .region(Region::new("us-east-1"))
            .credentials_provider(local_credentials())
            .build();
        aws_sdk_cognitoidentityprovider::Client::from_conf(config)
    }
}

impl Moto {
    /// Its DynamoDB.
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .endpoint_url(&self.url)
            .region(Region::new("us-east-1"))
            .credentials_provider(local_credentials())
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    /// Its Secrets Manager.
    pub fn secrets(&self) -> aws_sdk_secretsmanager::Client {
        let config = aws_sdk_secretsmanager::Config::builder()
            .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
            .endpoint_url(&self.url)
            .region(Region::new("us-east-1"))
            .credentials_provider(local_credentials())
            .build();
        aws_sdk_secretsmanager::Client::from_conf(config)
    }
}

/// The SCIM table as the template creates it: one string key, `pk`, billed per request.
pub async fn scim_table(dynamodb: &aws_sdk_dynamodb::Client, name: &str) {
    use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};
    dynamodb
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
}

/// A moto user pool with `custom:tenant` and two app clients: one whose users may write it, one
/// whose users may not. Its id and the two client ids.
pub async fn pool_with_two_clients(cognito: &aws_sdk_cognitoidentityprovider::Client) -> (String, String, String) {
    use aws_sdk_cognitoidentityprovider::types::{AttributeDataType, SchemaAttributeType};
    let pool = cognito
        .create_user_pool()
        .pool_name("tenants")
        .schema(
            SchemaAttributeType::builder()
                .name("tenant")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let client = |name: &'static str, writes: &'static [&'static str]| {
        let cognito = cognito.clone();
        let pool_id = pool_id.clone();
        async move {
            let mut create = cognito
                .create_user_pool_client()
                .user_pool_id(&pool_id)
                .client_name(name);
            for attribute in writes {
                create = create.write_attributes(*attribute);
            }
            let created = create.send().await.unwrap();
            created.user_pool_client().unwrap().client_id().unwrap().to_owned()
        }
    };
    let writable = client("self-service", &["email", "custom:tenant"]).await;
    let read_only = client("web", &["email"]).await;
    (pool_id, writable, read_only)
}

/// A FIFO queue named `name` (ending in `.fifo`); its URL.
pub async fn fifo_queue(sqs: &aws_sdk_sqs::Client, name: &str) -> String {
    let created = sqs
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .unwrap();
    created.queue_url().expect("a queue URL").to_owned()
}

/// Deletes `messages` (received ones, at most ten) in one DeleteMessageBatch; none may fail.
pub async fn delete_messages<'a>(
    sqs: &aws_sdk_sqs::Client,
    queue: &str,
    messages: impl IntoIterator<Item = &'a Message>,
) {
    let mut delete = sqs.delete_message_batch().queue_url(queue);
    for (i, m) in messages.into_iter().enumerate() {
        delete = delete.entries(
            DeleteMessageBatchRequestEntry::builder()
                .id(i.to_string())
                .receipt_handle(m.receipt_handle().unwrap())
                .build()
                .unwrap(),
        );
    }
    assert!(delete.send().await.unwrap().failed().is_empty(), "a delete failed");
}

/// Receives and deletes what the queue holds now, ten at a time with their system attributes,
/// until it answers empty. Received messages stay hidden long enough that none is seen twice.
pub async fn drain(sqs: &aws_sdk_sqs::Client, queue: &str) -> Vec<Message> {
    let mut messages = Vec::new();
    loop {
        let out = sqs
            .receive_message()
            .queue_url(queue)
            .max_number_of_messages(10)
            .visibility_timeout(900)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .unwrap();
        if out.messages().is_empty() {
            return messages;
        }
        delete_messages(sqs, queue, out.messages()).await;
        messages.extend(out.messages().iter().cloned());
    }
}
