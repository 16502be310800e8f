//! qs-enqueue against a real local SQS (moto's server): a 5,000-row file with bad rows, and a FIFO
//! queue fed twice. The queue's contents are read back and compared with the file.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use qs_model::message::Change;
use qs_provision_tests::lambda::{self, Moto};
use qs_provision_tests::{ACCOUNT, ROLE_ARN, bin};

const ROWS: u64 = 5_000;

/// qs-enqueue with the deployment's settings `deployment` over the test account and role, and no
/// other environment.
fn qs_enqueue(deployment: &[(&str, &str)]) -> Command {
    let mut command = Command::new(bin("qs-enqueue"));
    command
        .env_clear()
        .env("QUICKSIGHT_ACCOUNT_ID", ACCOUNT)
        .env("QUICKSIGHT_FEDERATED_ROLE_ARN", ROLE_ARN)
        .envs(deployment.iter().copied());
    command
}

fn enqueue(sqs_url: &str, deployment: &[(&str, &str)], args: &[&str]) -> Output {
    qs_enqueue(deployment)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "AKIDLOCAL")
        .env("AWS_SECRET_ACCESS_KEY", "local-secret")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_SQS", sqs_url)
        .output()
        .expect("run qs-enqueue")
}

/// The bodies of what the queue holds now, deleted from it.
async fn drain(sqs: &aws_sdk_sqs::Client, queue: &str) -> Vec<String> {
    let messages = lambda::drain(sqs, queue).await;
    messages.iter().map(|m| m.body().unwrap().to_owned()).collect()
}

/// Runs qs-enqueue and reads the queue while it sends. moto scans every message a queue holds on
/// each send, so a queue of thousands takes minutes to fill; emptying it as it fills keeps it fast.
async fn enqueue_while_draining(
    moto: &Moto,
    sqs: &aws_sdk_sqs::Client,
    queue: &str,
    args: Vec<String>,
) -> (Output, Vec<String>) {
    let url = moto.url.clone();
    let cognito = [("EXTERNAL_LOGIN_PROVIDER", "COGNITO")];
    let sender = tokio::task::spawn_blocking(move || {
        enqueue(&url, &cognito, &args.iter().map(String::as_str).collect::<Vec<_>>())
    });
    let mut bodies = Vec::new();
    loop {
        let finished = sender.is_finished();
        let received = drain(sqs, queue).await;
        if finished && received.is_empty() {
            return (sender.await.unwrap(), bodies);
        }
        if received.is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bodies.extend(received);
    }
}

/// ROWS rows after the header; every hundredth is broken, in one of five ways.
fn write_csv(path: &Path) -> (Vec<(u64, &'static str)>, Vec<String>) {
    let mut csv = String::from("email,role,groups,session_name,external_login_id\n");
    let mut bad = Vec::new();
    let mut expected = Vec::new();
    for i in 1..=ROWS {
        let line = i + 1;
        let (row, field) = match (i % 100, i / 100 % 5) {
            (0, 0) => (format!("not-an-email,READER,qs-a,,id-{i}"), "email"),
            (0, 1) => (format!("user{i}@example.com,RESTRICTED_READER,qs-a,,id-{i}"), "role"),
            (0, 2) => (
                format!("user{i}@example.com,READER,qs-a,has space,id-{i}"),
                "session_name",
            ),
            (0, 3) => (format!("user{i}@example.com,READER,qs-Ā,,id-{i}"), "groups"),
            (0, _) => (
                format!("user{i}@example.com,READER,qs-a,,id-{i},one-field-too-many"),
                "row",
            ),
            _ => {
                let body = format!(
                    r#"{{"op":"upsert","version":1,"email":"user{i}@example.com","external_login_id":"id-{i}","role":"AUTHOR","groups":["qs-a","qs-b"]}}"#
                );
                expected.push(Change::parse(&body).unwrap().to_json());
                (format!("user{i}@example.com,AUTHOR,qs-a;qs-b,,id-{i}"), "")
            }
        };
        if !field.is_empty() {
            bad.push((line, field));
        }
        csv.push_str(&row);
        csv.push('\n');
    }
    std::fs::write(path, csv).unwrap();
    expected.sort();
    (bad, expected)
}

#[tokio::test(flavor = "multi_thread")]
async fn five_thousand_rows_with_bad_ones_are_all_or_nothing_unless_told_otherwise() {
    let moto = Moto::start();
    let sqs = moto.sqs();
    let queue = sqs
        .create_queue()
        .queue_name("bulk")
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let dir = std::env::temp_dir().join(format!("qs-enqueue-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.csv");
    let (bad, expected) = write_csv(&file);
    let path = file.to_str().unwrap();
    let valid = expected.len();
    assert_eq!((bad.len(), valid), (50, 4_950));

    let refused = enqueue(
        &moto.url,
        &[("EXTERNAL_LOGIN_PROVIDER", "COGNITO")],
        &[path, "--queue-url", &queue],
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    for (line, field) in &bad {
        assert!(
            stderr.contains(&format!("users.csv:{line}: {field}")),
            "line {line} ({field}) not reported:\n{stderr}"
        );
    }
    assert!(
        stderr.contains(&format!("rows read: {ROWS}, sent: 0, invalid: 50, failed: 0")),
        "{stderr}"
    );
    assert!(
        drain(&sqs, &queue).await.is_empty(),
        "nothing is sent while a row is invalid"
    );

    let args = [path, "--queue-url", &queue, "--skip-invalid"]
        .map(String::from)
        .to_vec();
    let (partial, mut bodies) = enqueue_while_draining(&moto, &sqs, &queue, args).await;
    let stderr = String::from_utf8_lossy(&partial.stderr);
    assert!(
        !partial.status.success(),
        "invalid rows still make the exit status non-zero"
    );
    assert!(
        stderr.contains(&format!("rows read: {ROWS}, sent: {valid}, invalid: 50, failed: 0")),
        "{stderr}"
    );
    bodies.sort();
    assert_eq!(
        bodies.len(),
        valid,
        "each valid row's change is in the queue exactly once"
    );
    assert!(bodies == expected, "the queue holds exactly the valid rows' changes");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn a_fifo_queue_holds_each_submission_once_and_serialises_each_user_however_named() {
    let moto = Moto::start();
    let sqs = moto.sqs();
    let queue = lambda::fifo_queue(&sqs, "bulk.fifo").await;
    let dir = std::env::temp_dir().join(format!("qs-enqueue-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("changes.jsonl");
    let add_b = r#"{"op":"add_groups","version":1,"email":"ana@example.com","groups":["qs-b"]}"#;
    std::fs::write(
        &file,
        [
            r#"{"op":"upsert","version":1,"email":"ana@example.com","groups":["qs-a"]}"#,
            add_b,
            r#"{"op":"remove_groups","version":1,"session_name":"ana@example.com","groups":["qs-b"]}"#,
            // A deliberate repeat of line 2: a submission of its own, not a duplicate.
            add_b,
            r#"{"op":"remove_groups","version":1,"user_name":"QuickSightFederated/ana@example.com","groups":["qs-b"]}"#,
            r#"{"op":"delete","version":1,"email":"bo@example.com"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let path = file.to_str().unwrap();

    for _ in 0..2 {
        let out = enqueue(&moto.url, &[], &[path, "--queue-url", &queue]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }

    // Two consumers, as two sqs-sync invocations: while the first holds a message of a user, the
    // second gets none of that user's, whichever way the messages name them.
    let receive = |max: i32| {
        sqs.receive_message()
            .queue_url(&queue)
            .max_number_of_messages(max)
            .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId)
            .send()
    };
    let group = |m: &aws_sdk_sqs::types::Message| {
        m.attributes().unwrap()[&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId].clone()
    };
    let first = receive(1).await.unwrap().messages().to_vec();
    let held = group(&first[0]);
    let second = receive(10).await.unwrap().messages().to_vec();
    assert!(!second.is_empty());
    assert!(
        second.iter().all(|m| group(m) != held),
        "a user's messages went to two consumers at once"
    );
    sqs.delete_message()
        .queue_url(&queue)
        .receipt_handle(first[0].receipt_handle().unwrap())
        .send()
        .await
        .unwrap();
    let third = receive(10).await.unwrap().messages().to_vec();

    let mut seen: Vec<(String, String)> = [first, second, third]
        .concat()
        .iter()
        .map(|m| (group(m), Change::parse(m.body().unwrap()).unwrap().op().to_owned()))
        .collect();
    seen.sort();
    let ana = |op: &str| ("ana@example.com".to_string(), op.to_string());
    assert_eq!(
        seen,
        [
            ana("add_groups"),
            ana("add_groups"),
            ana("remove_groups"),
            ana("remove_groups"),
            ana("upsert"),
            ("bo@example.com".into(), "delete".into())
        ],
        "one group per user; the second run added nothing; the repeat on line 4 was kept"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn dry_run_prints_the_messages_and_sends_nothing() {
    let dir = std::env::temp_dir().join(format!("qs-enqueue-dry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("offboard.csv");
    std::fs::write(&file, "email\nana@example.com\nbo@example.com\n").unwrap();
    let out = qs_enqueue(&[])
        .args([file.to_str().unwrap(), "--op", "delete", "--dry-run"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 2);
    assert!(
        stdout.contains(r#"{"op":"delete","version":1,"email":"bo@example.com"}"#),
        "{stdout}"
    );

    std::fs::write(&file, "emial\nana@example.com\n").unwrap();
    let typo = qs_enqueue(&[])
        .args([file.to_str().unwrap(), "--op", "delete", "--dry-run"])
        .output()
        .unwrap();
    assert!(!typo.status.success());
    assert!(String::from_utf8_lossy(&typo.stderr).contains("unknown column"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// The verdict is sqs-sync's: a row another deployment's role names, or an upsert the deployment's
/// login provider cannot register, is refused before anything is sent; without the deployment's
/// settings nothing is validated at all.
#[test]
fn rows_are_validated_with_the_deployments_own_settings() {
    let dir = std::env::temp_dir().join(format!("qs-enqueue-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("changes.jsonl");
    std::fs::write(
        &file,
        [
            r#"{"op":"delete","version":1,"user_name":"OtherRole/ann@example.com"}"#,
            r#"{"op":"upsert","version":1,"email":"bo@example.com"}"#,
            r#"{"op":"upsert","version":1,"email":"cy@example.com","external_login_id":"sub-cy"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    let oidc = [
        ("EXTERNAL_LOGIN_PROVIDER", "CUSTOM_OIDC"),
        ("CUSTOM_FEDERATION_PROVIDER_URL", "https://idp.example.com"),
    ];

    let out = qs_enqueue(&oidc)
        .args([file.to_str().unwrap(), "--dry-run"])
        .output()
        .unwrap();

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains(":1: user_name: names a user of role OtherRole; this deployment changes only users of role QuickSightFederated"),
        "{stderr}"
    );
    assert!(
        stderr.contains(":2: external_login_id: is required with EXTERNAL_LOGIN_PROVIDER=CUSTOM_OIDC"),
        "{stderr}"
    );
    assert!(stderr.contains("invalid: 2"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "only the valid row: {stdout}");

    let unset = Command::new(bin("qs-enqueue"))
        .args([file.to_str().unwrap(), "--dry-run"])
        .env_clear()
        .env("QUICKSIGHT_ACCOUNT_ID", ACCOUNT)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&unset.stderr);
    assert!(!unset.status.success());
    assert!(
        stderr.contains("QUICKSIGHT_FEDERATED_ROLE_ARN"),
        "names the missing setting: {stderr}"
    );
    assert!(
        unset.stdout.is_empty(),
        "nothing validated without the deployment's settings"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A `tenant` column puts each row in its tenant's namespace and FIFO group; a hostile or missing
/// tenant is refused before anything is sent.
#[tokio::test]
async fn a_tenant_column_sends_each_row_to_its_tenants_group() {
    let moto = Moto::start();
    let sqs = moto.sqs();
    let queue = lambda::fifo_queue(&sqs, "tenants.fifo").await;
    let dir = std::env::temp_dir().join(format!("qs-enqueue-tenants-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("users.csv");
    std::fs::write(
        &file,
        "email,tenant\nana@example.com,acme\nana@example.com,globex\nbo@example.com,../default\ncy@example.com,\n",
    )
    .unwrap();
    let tenants = [("TENANT_NAMESPACE", "{tenant}")];

    let refused = enqueue(&moto.url, &tenants, &[file.to_str().unwrap(), "--queue-url", &queue]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(
        stderr.contains(":4: tenant: must start with a letter or digit"),
        "{stderr}"
    );
    assert!(stderr.contains(":5: tenant: is required"), "{stderr}");
    assert!(drain(&sqs, &queue).await.is_empty(), "all or nothing");

    std::fs::write(&file, "email,tenant\nana@example.com,acme\nana@example.com,globex\n").unwrap();
    let sent = enqueue(&moto.url, &tenants, &[file.to_str().unwrap(), "--queue-url", &queue]);
    assert!(sent.status.success(), "{}", String::from_utf8_lossy(&sent.stderr));
    let messages = lambda::drain(&sqs, &queue).await;
    let mut sent: Vec<(String, Option<String>)> = messages
        .iter()
        .map(|m| {
            let group =
                m.attributes().unwrap()[&aws_sdk_sqs::types::MessageSystemAttributeName::MessageGroupId].clone();
            let change = Change::parse(m.body().unwrap()).unwrap();
            (group, change.tenant().map(str::to_owned))
        })
        .collect();
    sent.sort();
    assert_eq!(
        sent,
        [
            ("acme/ana@example.com".into(), Some("acme".into())),
            ("globex/ana@example.com".into(), Some("globex".into()))
        ]
    );
    std::fs::remove_dir_all(dir).unwrap();
}
