//! What SAM adds, checked as users run it: `scripts/sam-local` builds the functions with `sam build`,
//! invokes each with its sample events through `sam local invoke` in a container (the template's
//! environment and handler wiring, `--env-vars`), and the bulk batch through `sam local
//! start-lambda` and the SDK's Invoke, against quicksight-local. The container engine must start:
//! when it cannot, this fails with its reason.

use std::process::Command;

use serde_json::Value;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const ROLE: &str = "QuickSightFederated";

fn response<'a>(report: &'a Value, function: &str, event: &str) -> &'a Value {
    let results = report["results"].as_array().expect("results");
    let found = results
        .iter()
        .find(|r| r["function"] == function && r["event"] == event);
    &found.unwrap_or_else(|| panic!("no result for {function} with {event}: {report}"))["response"]
}

fn failed_ids(response: &Value) -> Vec<&str> {
    let failures = response["batchItemFailures"].as_array().expect("batchItemFailures");
    failures.iter().map(|f| f["itemIdentifier"].as_str().unwrap()).collect()
}

#[test]
fn sam_local_invoke_runs_every_function_with_its_sample_events() {
    let output = Command::new("scripts/sam-local")
        .arg("--json")
        .current_dir(ROOT)
        .output()
        .expect("run scripts/sam-local");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "scripts/sam-local failed:\n{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|_| panic!("no JSON report:\n{stdout}\n{stderr}"));

    // The trigger gives Cognito its event back unchanged.
    for event in [
        "events/cognito-post-confirmation.json",
        "events/cognito-external-provider.json",
    ] {
        let sent: Value = serde_json::from_str(&std::fs::read_to_string(format!("{ROOT}/{event}")).unwrap()).unwrap();
        assert_eq!(response(&report, "CognitoSignupFunction", event), &sent, "{event}");
    }
    let oidc = response(&report, "OidcSignupFunction", "events/oidc-first-login.json");
    assert_eq!(oidc["statusCode"], 200, "{oidc}");
    // The sample batch's one bad message is its only failure, by both routes.
    let invoked = response(&report, "SqsSyncFunction", "events/sqs-bulk-batch.json");
    assert_eq!(failed_ids(invoked), ["2e8f1b40-3c5d-4e7f-a091-bc2d3e4f5061"]);
    assert_eq!(
        failed_ids(&report["start_lambda"]),
        ["2e8f1b40-3c5d-4e7f-a091-bc2d3e4f5061"]
    );

    let users = report["users"].as_object().expect("users");
    for email in [
        "maria.silva@example.com",
        "li.wei@example.com",
        "sam.taylor@example.com",
        "john.doe@example.com",
        "jane.roe@example.com",
    ] {
        assert!(
            users.contains_key(&format!("{ROLE}/{email}")),
            "{email} missing: {users:?}"
        );
    }
    // --env-vars reached the functions: the group mapping made li an admin.
    assert_eq!(users[&format!("{ROLE}/li.wei@example.com")]["Role"], "ADMIN");
    // Built on Debian (glibc 2.36), the binaries still run on Amazon Linux 2023 (2.34).
    for (function, version) in report["glibc"].as_object().expect("glibc") {
        let minor: u32 = version.as_str().unwrap().trim_start_matches("2.").parse().unwrap();
        assert!(minor <= 34, "{function} needs glibc {version}");
    }
}
