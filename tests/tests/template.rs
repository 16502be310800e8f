//! The SAM template passes `sam validate --lint` (aws-sam-cli, from the project's virtualenv).

use std::process::Command;

use qs_provision_tests::venv;

#[test]
fn the_sam_template_validates_with_lint() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let output = Command::new(venv().join("bin/sam"))
        .args(["validate", "--lint", "--template", "template.yaml"])
        .current_dir(root)
        .env("SAM_CLI_TELEMETRY", "0")
        .output()
        .expect("run sam (scripts/test installs aws-sam-cli)");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && text.contains("is a valid SAM Template"), "{text}");
}
