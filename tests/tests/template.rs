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
        for function in ["CognitoSignupFunction", "OidcSignupFunction", "SqsSyncFunction"] {
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
