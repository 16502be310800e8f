use super::*;

const ROLE: &str = "arn:aws:iam::123456789012:role/QuickSightFederated";

fn read(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_lookup(|name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string()))
}

fn minimal() -> Vec<(&'static str, &'static str)> {
    vec![
        ("QUICKSIGHT_ACCOUNT_ID", "123456789012"),
        ("QUICKSIGHT_FEDERATED_ROLE_ARN", ROLE),
    ]
}

#[test]
fn defaults_apply_when_only_required_variables_are_set() {
    let c = read(&minimal()).unwrap();
    let home = c.home(None).unwrap();
    assert_eq!(home.namespace, "default");
    assert_eq!(c.default_role, UserRole::Reader);
    assert_eq!(c.external_login_provider, ProviderKind::None);
    assert_eq!(c.max_attempts, DEFAULT_MAX_ATTEMPTS);
    assert_eq!(c.retry_mode, RetryMode::Standard);
    assert_eq!(home.role.name, "QuickSightFederated");
    assert_eq!(home.user_name("ana@example.com"), "QuickSightFederated/ana@example.com");
    assert!(!c.dry_run);
}

#[test]
fn every_bad_variable_is_reported_by_name_with_its_rule() {
    let err = read(&[
        ("QUICKSIGHT_ACCOUNT_ID", "1234"),
        ("QUICKSIGHT_DEFAULT_ROLE", "RESTRICTED_READER"),
        ("GROUP_MAPPING", "{not json"),
        ("DRY_RUN", "maybe"),
        ("QUICKSIGHT_RETRY_MODE", "legacy"),
    ])
    .unwrap_err();
    let vars: Vec<&str> = err.0.iter().map(|e| e.variable).collect();
    assert_eq!(
        vars,
        [
            "QUICKSIGHT_ACCOUNT_ID",
            "QUICKSIGHT_FEDERATED_ROLE_ARN",
            "QUICKSIGHT_DEFAULT_ROLE",
            "GROUP_MAPPING",
            "DRY_RUN",
            "QUICKSIGHT_RETRY_MODE"
        ]
    );
    let text = err.to_string();
    assert!(
        text.contains("QUICKSIGHT_ACCOUNT_ID: must be exactly 12 digits (got \"1234\")"),
        "{text}"
    );
    assert!(text.contains("QUICKSIGHT_FEDERATED_ROLE_ARN: is required"), "{text}");
    assert!(text.contains("RESTRICTED_* roles are not offered"), "{text}");
    assert!(
        text.contains("QUICKSIGHT_RETRY_MODE: must be adaptive or standard (got \"legacy\")"),
        "{text}"
    );
}

#[test]
fn provider_url_goes_with_custom_oidc_only() {
    let mut vars = minimal();
    vars.push(("EXTERNAL_LOGIN_PROVIDER", "COGNITO"));
    vars.push(("CUSTOM_FEDERATION_PROVIDER_URL", "https://idp.example.com"));
    let err = read(&vars).unwrap_err();
    assert_eq!(err.0[0].variable, "CUSTOM_FEDERATION_PROVIDER_URL");

    let mut vars = minimal();
    vars.push(("EXTERNAL_LOGIN_PROVIDER", "CUSTOM_OIDC"));
    vars.push(("CUSTOM_FEDERATION_PROVIDER_URL", "http://idp.example.com"));
    assert!(read(&vars).unwrap_err().to_string().contains("https://"));
}

#[test]
fn group_mapping_gives_the_highest_role_and_the_mapped_plus_default_groups() {
    let mut vars = minimal();
    vars.push((
        "GROUP_MAPPING",
        r#"{"finance":{"group":"qs-finance","role":"AUTHOR"},"execs":{"group":"qs-execs","role":"ADMIN"},"all":{"group":"qs-all"}}"#,
    ));
    vars.push(("DEFAULT_GROUPS", "qs-everyone, qs-all"));
    let c = read(&vars).unwrap();

    let (role, groups) = c.resolve_groups(["finance", "execs", "unmapped"]);
    assert_eq!(role, UserRole::Admin);
    assert_eq!(groups, ["qs-all", "qs-everyone", "qs-execs", "qs-finance"]);

    let (role, groups) = c.resolve_groups(["all"]);
    assert_eq!(role, UserRole::Reader, "no mapped role: the default role");
    assert_eq!(groups, ["qs-all", "qs-everyone"]);
}

#[test]
fn managed_scope_is_the_prefix_and_the_mapping_targets() {
    let mut vars = minimal();
    vars.push(("GROUP_MAPPING", r#"{"finance":{"group":"Finance"}}"#));
    vars.push(("MANAGED_GROUP_PREFIX", "qs-"));
    let config = read(&vars).unwrap();
    let scope = config.group_scope(&config.home(None).unwrap());
    assert!(scope.is_managed("qs-anything"));
    assert!(scope.is_managed("Finance"));
    assert!(!scope.is_managed("Admins"));
}

#[test]
fn user_tags_are_checked_against_the_tag_rules() {
    let mut vars = minimal();
    vars.push(("USER_TAGS", r#"{"team":""}"#));
    let err = read(&vars).unwrap_err();
    assert_eq!(err.0[0].variable, "USER_TAGS");
    assert!(err.0[0].rule.contains("1 to 256"), "{}", err.0[0].rule);
}

#[test]
fn aws_ca_bundle_must_name_a_file_of_pem_certificates() {
    let dir = std::env::temp_dir().join(format!("qs-ca-bundle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let not_pem = dir.join("not-pem.txt");
    std::fs::write(&not_pem, "hello").unwrap();
    let missing = dir.join("missing.pem");
    // A real certificate's PEM (quicksight-local's CA from one --tls run).
    let pem = dir.join("ca.pem");
    std::fs::write(&pem, TEST_CA).unwrap();

    for bad in [&not_pem, &missing] {
        let mut vars = minimal();
        vars.push(("AWS_CA_BUNDLE", bad.to_str().unwrap()));
        let text = read(&vars).unwrap_err().to_string();
        assert!(text.contains("AWS_CA_BUNDLE: must "), "{text}");
        assert!(text.contains(bad.to_str().unwrap()), "names the file: {text}");
    }
    let mut vars = minimal();
    vars.push(("AWS_CA_BUNDLE", pem.to_str().unwrap()));
    let bundle = read(&vars).unwrap().ca_bundle.unwrap();
    assert_eq!(
        (bundle.path.as_str(), bundle.pem.as_slice()),
        (pem.to_str().unwrap(), TEST_CA.as_bytes())
    );
    assert_eq!(read(&minimal()).unwrap().ca_bundle, None);
    std::fs::remove_dir_all(dir).unwrap();
}

const TEST_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBgjCCASigAwIBAgIUUmPwvJW96Z0h01ZQRkIJgw6uto0wCgYIKoZIzj0EAwIw
HjEcMBoGA1UEAwwTcXVpY2tzaWdodC1sb2NhbCBDQTAgFw03NTAxMDEwMDAwMDBa
GA80MDk2MDEwMTAwMDAwMFowHjEcMBoGA1UEAwwTcXVpY2tzaWdodC1sb2NhbCBD
QTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABP1CFsrkErrGskiwS6JYhcEE53RA
M/nZ3JpVz4sIML1nCaAsvhNmFYb77axBNQHrh2UUbbl65jK0BIDkJQ+eS2qjQjBA
MA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUZRjxJGdIUAcujwj0Kh7ZC7vnncQw
DwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiBXJV8LXxNOgw/9+kN4
/sT8chWbx+walyJ5iBy9SNam6AIhAPuZfIC9JrLIV9mZ4jpljoYZC8iL1VMEIMWr
gmHbDVz4
-----END CERTIFICATE-----
";

const PROFILE_MAPPING: &str = r#"{
    "contractors": {"group": "qs-contractors", "custom_permissions": "no-export"},
    "authors": {"group": "qs-authors", "role": "AUTHOR", "custom_permissions": "author-basic"},
    "finance": {"group": "qs-finance"}
}"#;

fn with(extra: &[(&'static str, &'static str)]) -> Result<Config, ConfigError> {
    let mut vars = minimal();
    vars.extend_from_slice(extra);
    read(&vars)
}

#[test]
fn profiles_follow_groups_in_the_written_precedence_then_the_default() {
    let c = with(&[
        ("GROUP_MAPPING", PROFILE_MAPPING),
        ("CUSTOM_PERMISSIONS_PRECEDENCE", "no-export,author-basic"),
        ("DEFAULT_CUSTOM_PERMISSIONS", "reader-basic"),
    ])
    .unwrap();
    let rows: [(&[&str], Option<&str>); 5] = [
        (&["contractors"], Some("no-export")),
        (&["authors"], Some("author-basic")),
        // Both: the first in CUSTOM_PERMISSIONS_PRECEDENCE wins.
        (&["authors", "contractors"], Some("no-export")),
        // A mapped group without a profile, or no mapped group: the default.
        (&["finance"], Some("reader-basic")),
        (&[], Some("reader-basic")),
    ];
    for (groups, expected) in rows {
        let resolved = c.resolve_custom_permissions(groups.iter().copied());
        assert_eq!(resolved, Some(expected.map(str::to_owned)), "{groups:?}");
    }
}

#[test]
fn profiles_are_unmanaged_unless_a_setting_names_one() {
    let c = with(&[("GROUP_MAPPING", r#"{"finance": {"group": "qs-finance"}}"#)]).unwrap();
    assert_eq!(c.resolve_custom_permissions(["finance"]), None);
    // Managed without a default: a user of no profiled group is to have none of ours.
    let c = with(&[(
        "GROUP_MAPPING",
        r#"{"contractors": {"group": "qs-contractors", "custom_permissions": "no-export"}}"#,
    )])
    .unwrap();
    assert_eq!(c.resolve_custom_permissions(["finance"]), Some(None));
    assert_eq!(
        c.resolve_custom_permissions(["contractors"]),
        Some(Some("no-export".into()))
    );
}

#[test]
fn two_mapped_profiles_need_a_precedence_that_lists_each_once() {
    let rows: [(&str, &str); 4] = [
        ("", "must list every profile GROUP_MAPPING names"),
        ("no-export", "(missing: author-basic)"),
        (
            "no-export,author-basic,typo",
            "names a profile no GROUP_MAPPING entry names (got \"typo\")",
        ),
        ("no-export,no-export,author-basic", "lists a profile twice"),
    ];
    for (precedence, message) in rows {
        let mut extra = vec![("GROUP_MAPPING", PROFILE_MAPPING)];
        if !precedence.is_empty() {
            extra.push(("CUSTOM_PERMISSIONS_PRECEDENCE", precedence));
        }
        let text = with(&extra).unwrap_err().to_string();
        assert!(text.contains("CUSTOM_PERMISSIONS_PRECEDENCE"), "{precedence}: {text}");
        assert!(text.contains(message), "{precedence}: {text}");
    }
    let bad = with(&[
        (
            "GROUP_MAPPING",
            r#"{"c": {"group": "g", "custom_permissions": "no export"}}"#,
        ),
        ("DEFAULT_CUSTOM_PERMISSIONS", "x/y"),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        bad.contains("GROUP_MAPPING") && bad.contains("custom_permissions"),
        "{bad}"
    );
    assert!(bad.contains("DEFAULT_CUSTOM_PERMISSIONS"), "{bad}");
}
