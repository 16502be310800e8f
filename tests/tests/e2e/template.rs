//! The SAM template passes `sam validate --lint`, and `sam build` builds every function with
//! cargo-lambda and zig (all from the project's virtualenv; no Docker).

use std::path::Path;
use std::process::Command;

use qs_provision_tests::venv;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn sam(args: &[&str]) -> Command {
    let mut command = Command::new(venv().join("bin/sam"));
    command.args(args).current_dir(ROOT).env("SAM_CLI_TELEMETRY", "0");
    command
}

fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_sam_template_validates_with_lint() {
    let output = sam(&["validate", "--lint", "--template", "template.yaml"])
        .output()
        .expect("run sam (scripts/test installs aws-sam-cli)");
    assert!(
        output.status.success() && text(&output).contains("is a valid SAM Template"),
        "{}",
        text(&output)
    );
}

/// What `sam build` then `sam deploy` would upload: one arm64 Linux `bootstrap` per function.
#[test]
fn sam_build_builds_every_function_for_arm64() {
    let build_dir = std::env::temp_dir().join(format!("qs-provision-sam-build-{}", std::process::id()));
    let path = format!(
        "{}:{}",
        venv().join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Debug mode keeps the test's build incremental; `sam build` as users run it builds release.
    let output = sam(&["build", "--build-dir", build_dir.to_str().expect("utf-8 temp path")])
        .env("PATH", path)
        .env("SAM_BUILD_MODE", "debug")
        .output()
        .expect("run sam build");
    let log = text(&output);
    let result = std::panic::catch_unwind(|| {
        assert!(output.status.success() && log.contains("Build Succeeded"), "{log}");
        for function in [
            "CognitoSignupFunction",
            "OidcSignupFunction",
            "SqsSyncFunction",
            "ReconcileFunction",
            "ScimFunction",
        ] {
            assert_arm64_executable(&build_dir.join(function).join("bootstrap"));
        }
        assert!(
            build_dir.join("template.yaml").exists(),
            "sam build writes the built template"
        );
    });
    let _ = std::fs::remove_dir_all(&build_dir);
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

fn assert_arm64_executable(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..4], b"\x7fELF", "{} is not an ELF executable", path.display());
    // e_machine (offset 18, little-endian): 183 is EM_AARCH64.
    assert_eq!(
        u16::from_le_bytes([bytes[18], bytes[19]]),
        183,
        "{} is not built for arm64",
        path.display()
    );
}

/// checkov, as a platform team's security review runs it: no failed check, and every skipped one
/// with a reason a reviewer can judge.
#[test]
fn checkov_finds_nothing_unexplained_in_the_template() {
    let checkov = std::path::PathBuf::from(format!("{}-checkov", venv().display())).join("bin/checkov");
    let output = Command::new(&checkov)
        .args(["-f", "template.yaml", "--framework", "cloudformation"])
        .args(["--skip-download", "--output", "json"])
        .current_dir(ROOT)
        .output()
        .unwrap_or_else(|e| panic!("run {} (scripts/test installs it): {e}", checkov.display()));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("checkov printed no JSON report: {}", text(&output)));
    let summary = &report["summary"];
    assert_eq!(summary["parsing_errors"], 0, "{summary}");
    assert!(summary["passed"].as_u64().unwrap_or(0) > 0, "{summary}");
    let failed: Vec<String> = report["results"]["failed_checks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| format!("{} on {}", c["check_id"], c["resource"]))
        .collect();
    assert!(failed.is_empty(), "checkov findings: {failed:#?}");
    for skipped in report["results"]["skipped_checks"].as_array().into_iter().flatten() {
        let reason = skipped["check_result"]["suppress_comment"].as_str().unwrap_or_default();
        assert!(
            reason.len() > 30,
            "{} on {} is skipped without a reason: {reason:?}",
            skipped["check_id"],
            skipped["resource"]
        );
    }
}
