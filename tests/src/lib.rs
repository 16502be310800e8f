//! Helpers for the integration tests: find the workspace's built binaries, run quicksight-local on
//! a free loopback port, and talk to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aws_sdk_quicksight::config::{BehaviorVersion, Credentials, Region};

pub mod event_source;
pub mod lambda;

pub use qs_testing::{ACCOUNT, NAMESPACE, ROLE_ARN};

/// RegisterUser of `RoleName/<session>` (the test role) in `default`, with the e-mail
/// `<session>@example.com`; the error as `Code: message`.
pub async fn register_iam_user(
    qs: &aws_sdk_quicksight::Client,
    session: &str,
    role: aws_sdk_quicksight::types::UserRole,
) -> Result<aws_sdk_quicksight::types::User, String> {
    use aws_sdk_quicksight::error::ProvideErrorMetadata;
    qs.register_user()
        .aws_account_id(ACCOUNT)
        .namespace(NAMESPACE)
        .identity_type(aws_sdk_quicksight::types::IdentityType::Iam)
        .iam_arn(ROLE_ARN)
        .session_name(session)
        .email(format!("{session}@example.com"))
        .user_role(role)
        .send()
        .await
        .map(|out| out.user.expect("a user"))
        .map_err(|e| format!("{}: {}", code(&e), e.message().unwrap_or_default()))
}

/// An SDK error's code (`ResourceNotFoundException`), `<none>` when it has none.
/// The groups holding `role` in the test account's `default` namespace (ListRoleMemberships).
pub async fn role_members(qs: &aws_sdk_quicksight::Client, role: aws_sdk_quicksight::types::Role) -> Vec<String> {
    qs.list_role_memberships()
        .aws_account_id(ACCOUNT)
        .namespace("default")
        .role(role)
        .send()
        .await
        .unwrap()
        .members_list()
        .to_vec()
}

pub fn code<E: aws_sdk_quicksight::error::ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or("<none>").to_owned()
}

/// A binary of this workspace, built by `cargo build --workspace --bins` (the test script does).
pub fn bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let mut dir = exe.parent().expect("deps directory").to_path_buf();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --workspace --bins` first (scripts/test does)",
        path.display()
    );
    path
}

/// quicksight-local on a free port, stopped when dropped.
pub struct Emulator {
    child: Child,
    pub url: String,
    /// With `--tls`: the CA certificate it wrote, which clients trust through `AWS_CA_BUNDLE`.
    pub ca_file: Option<PathBuf>,
}

impl Emulator {
    pub fn start(args: &[&str]) -> Self {
        let mut child = Command::new(bin("quicksight-local"))
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start quicksight-local");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut last_word = || {
            let mut line = String::new();
            stdout.read_line(&mut line).expect("read a line of quicksight-local");
            line.trim().rsplit(' ').next().expect("a word").to_owned()
        };
        let url = last_word();
        assert!(
            url.starts_with("http://127.0.0.1:") || url.starts_with("https://127.0.0.1:"),
            "unexpected first line {url:?}"
        );
        let ca_file = url.starts_with("https").then(|| PathBuf::from(last_word()));
        Emulator { child, url, ca_file }
    }

    /// A client with the SDK's retries off, so every answer is seen as the emulator gave it.
    pub fn client(&self) -> aws_sdk_quicksight::Client {
        let config = self
            .config()
            .retry_config(aws_sdk_quicksight::config::retry::RetryConfig::disabled())
            .build();
        aws_sdk_quicksight::Client::from_conf(config)
    }

    /// Client configuration pointing at the emulator, with throwaway credentials.
    pub fn config(&self) -> aws_sdk_quicksight::config::Builder {
        aws_sdk_quicksight::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(&self.url)
            .region(Region::new("eu-west-1"))
            .credentials_provider(local_credentials())
    }

    /// Creates the custom permissions profile `name` (exports denied), as an administrator would.
    pub async fn create_profile(&self, name: &str) {
        qs_testing::create_profile(&self.client(), name).await;
    }

    pub fn stats(&self) -> serde_json::Value {
        self.get_json("/_emulator/stats")
    }

    pub fn state(&self) -> serde_json::Value {
        self.get_json("/_emulator/state")
    }

    /// The test account's default namespace as `GET /_emulator/state` shows it.
    pub fn space(&self) -> serde_json::Value {
        self.namespace(NAMESPACE)
    }

    /// One namespace of the test account (`Null` when it does not exist).
    pub fn namespace(&self, namespace: &str) -> serde_json::Value {
        self.state()["spaces"][format!("{ACCOUNT}/{namespace}")].take()
    }

    /// One user's record (`Null` when there is none).
    pub fn user(&self, name: &str) -> serde_json::Value {
        self.space()["Users"][name].take()
    }

    /// Every user's name.
    pub fn user_names(&self) -> Vec<String> {
        self.users_in(NAMESPACE)
    }

    /// Every user's name in `namespace`.
    pub fn users_in(&self, namespace: &str) -> Vec<String> {
        self.namespace(namespace)["Users"]
            .as_object()
            .map(|u| u.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The groups `user` is a member of.
    pub fn groups_of(&self, user: &str) -> Vec<String> {
        self.groups_in(NAMESPACE, user)
    }

    /// The groups `user` is a member of in `namespace`.
    pub fn groups_in(&self, namespace: &str, user: &str) -> Vec<String> {
        let space = self.namespace(namespace);
        let memberships = space["Memberships"].as_object().cloned().unwrap_or_default();
        memberships
            .into_iter()
            .filter(|(_, members)| members.as_array().is_some_and(|m| m.iter().any(|x| x == user)))
            .map(|(group, _)| group)
            .collect()
    }

    /// Creates `namespace` in the test account at once, `CREATED` (the emulator's admin seed).
    pub fn seed_namespace(&self, namespace: &str) {
        self.post_json(
            "/_emulator/namespaces",
            &serde_json::json!({ "AwsAccountId": ACCOUNT, "Namespace": namespace }),
        );
    }

    /// Seeds a dashboard nobody has permissions on, so an embed experience can open it.
    pub fn seed_dashboard(&self, id: &str) {
        let seed = serde_json::json!({ "kind": "dashboard", "id": id, "name": id, "AwsAccountId": ACCOUNT, "Region": "eu-west-1" });
        self.post_json("/_emulator/assets", &seed);
    }

    /// Opens an embed URL as a browser would: the status, and the session it grants as JSON.
    pub fn redeem(&self, embed_url: &str) -> (u16, serde_json::Value) {
        let path = embed_url
            .strip_prefix(&self.url)
            .unwrap_or_else(|| panic!("an embed URL of this emulator: {embed_url}"));
        let (status, body) = self.raw("GET", path, &[], "");
        (status, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
    }

    /// Calls per operation that succeeded.
    pub fn succeeded(&self, operation: &str) -> u64 {
        self.stats()["operations"][operation]["succeeded"].as_u64().unwrap_or(0)
    }

    /// Calls per operation that reached the emulator (answered or throttled).
    pub fn requests(&self, operation: &str) -> u64 {
        self.stats()["operations"][operation]["requests"].as_u64().unwrap_or(0)
    }

    /// Calls that reached the emulator besides the account read every function makes at init
    /// (DescribeAccountSubscription).
    pub fn requests_beyond_init(&self) -> u64 {
        let stats = self.stats();
        let total = stats["total"]["requests"].as_u64().unwrap_or(0);
        total - self.requests("DescribeAccountSubscription")
    }

    pub fn get_json(&self, path: &str) -> serde_json::Value {
        let (status, body) = self.raw("GET", path, &[], "");
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).expect("JSON body")
    }

    /// POSTs `body` to an admin endpoint, which must answer 200; its answer as JSON.
    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> serde_json::Value {
        let (status, answer) = self.raw("POST", path, &[("content-type", "application/json")], &body.to_string());
        assert_eq!(status, 200, "{path}: {answer}");
        serde_json::from_str(&answer).expect("JSON body")
    }

    /// One plain HTTP request: the status and the whole response, its headers included.
    pub fn raw_with_headers(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
        exchange(self.url.trim_start_matches("http://"), method, path, headers, "")
    }

    /// One plain HTTP request, for what the SDK cannot send (no Authorization header).
    pub fn raw(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
        http(self.url.trim_start_matches("http://"), method, path, headers, body)
    }

    /// Stops the emulator the way a user would (SIGTERM), so it saves its state file.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let _ = self.child.wait();
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One plain HTTP/1.0 request (so no chunked answer); returns the status and the body.
pub fn http(host: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let (status, whole) = exchange(host, method, path, headers, body);
    let body = whole
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// One HTTP/1.0 exchange: the status and the whole response, headers included.
fn exchange(host: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(host).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(60))).ok();
    let mut request = format!(
        "{method} {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    (status, response)
}

/// The throwaway credentials every local service is called with.
pub fn local_credentials() -> Credentials {
    Credentials::new("AKIDLOCAL", "local-secret", None, None, "tests")
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("address")
        .port()
}

/// The project's Python tools (aws-sam-cli, moto), installed by scripts/test.
pub fn venv() -> PathBuf {
    match std::env::var_os("QS_PROVISION_VENV") {
        Some(v) => PathBuf::from(v),
        None => PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/qs-provision/venv"),
    }
}
