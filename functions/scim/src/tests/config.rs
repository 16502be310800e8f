//! The function's variables, every bad one reported at once, naming the variable, never a token.

use qs_testing as testing;

use crate::read_env;

fn errors(vars: &[(&str, &str)]) -> String {
    match read_env(testing::lookup(&testing::vars(vars))) {
        Ok(_) => panic!("{vars:?} should be refused"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_missing_or_bad_variable_is_reported_at_once() {
    let message = errors(&[("SCIM_SESSION_NAME", "sub"), ("SCIM_DEACTIVATE", "archive")]);
    for named in [
        "SCIM_TABLE",
        "SCIM_TOKEN_SECRET",
        "MANAGED_GROUP_PREFIX",
        "SCIM_PROVIDER_URL",
        "SCIM_SESSION_NAME",
        "SCIM_DEACTIVATE",
    ] {
        assert!(message.contains(named), "{named} in {message}");
    }
}

#[test]
fn a_short_token_or_two_sources_are_refused_without_echoing_the_token() {
    let base = [
        ("SCIM_TABLE", "t"),
        ("MANAGED_GROUP_PREFIX", "scim-"),
        ("SCIM_PROVIDER_URL", "https://idp.example.com"),
    ];
    let short = errors(&[base.as_slice(), &[("SCIM_TOKEN", "hunter2-short")]].concat());
    assert!(short.contains("shorter than 32"), "{short}");
    assert!(!short.contains("hunter2"), "{short}");
    let both = errors(&[base.as_slice(), &[("SCIM_TOKEN", "x"), ("SCIM_TOKEN_SECRET", "s")]].concat());
    assert!(both.contains("one source of the token"), "{both}");
    let tenant = errors(
        &[
            base.as_slice(),
            &[
                ("TENANT_NAMESPACE", "t-{tenant}"),
                ("SCIM_TOKEN", r#"{"../default":"0123456789abcdef0123456789abcdef"}"#),
            ],
        ]
        .concat(),
    );
    assert!(tenant.contains("names a tenant the tenant rules refuse"), "{tenant}");
    assert!(!tenant.contains("0123456789abcdef"), "{tenant}");
}
