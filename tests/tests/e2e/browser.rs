//! The embed flow in a real browser: the sample page (examples/embed-web) signs in, oidc-signup
//! behind a local function URL answers an embed URL from quicksight-local over HTTPS, and the
//! official embedding SDK shows it in Debian's Chromium (scripts/embed_web.py --smoke, which
//! drives it with playwright-core). scripts/test installs Chromium and the npm packages.

use std::process::Command;

use qs_provision_tests::{bin, venv};
use serde_json::Value;

#[test]
fn a_login_shows_the_dashboard_once_then_forbidden_and_another_origin_is_refused_by_cors() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned();
    let sdk = root.join("examples/embed-web/node_modules/amazon-quicksight-embedding-sdk");
    assert!(
        sdk.is_dir(),
        "the sample's npm packages are missing: run scripts/test (scripts/web-tools installs them)"
    );
    let bin_dir = bin("quicksight-local").parent().unwrap().to_owned();
    let output = Command::new(venv().join("bin/python"))
        .arg(root.join("scripts/embed_web.py"))
        .arg(&bin_dir)
        .arg("--smoke")
        .current_dir(&root)
        .output()
        .expect("run scripts/embed_web.py (scripts/test installs its tools)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let verdict: Value = stdout
        .find("{\n")
        .and_then(|at| serde_json::from_str(&stdout[at..]).ok())
        .unwrap_or_else(|| panic!("no verdict from the smoke run:\n{stdout}\n{stderr}"));
    let steps = verdict["results"].as_array().unwrap();
    assert_eq!(steps.len(), 3, "{verdict:#}");
    assert!(
        output.status.success() && verdict["ok"] == true,
        "{verdict:#}\n{stderr}"
    );
    let events: Vec<&str> = steps[0]["detail"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(events.contains(&"event EXPERIENCE_INITIALIZED {}"), "{events:?}");
    assert!(steps[1]["detail"]["error"].as_str().unwrap().contains("Forbidden"));
    assert!(steps[2]["detail"]["error"].as_str().unwrap().contains("CORS"));
}
