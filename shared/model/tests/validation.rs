//! Validators against the API model's own patterns and lengths, by example and by property.

use std::collections::HashSet;
use std::sync::LazyLock;

use proptest::prelude::*;
use qs_model::validate::{self, ExternalLogin, Profile, UserRole, UserSpec, fields};
use regex::Regex;

/// The model's patterns, anchored (Smithy patterns are not implicitly anchored, our values must
/// match as a whole).
fn model(pattern: &str) -> Regex {
    Regex::new(&format!("^(?:{pattern})$")).unwrap()
}

// Compiled once: proptest runs each property thousands of times.
static NAMESPACE: LazyLock<Regex> = LazyLock::new(|| model("[a-zA-Z0-9._-]*"));
static LATIN1: LazyLock<Regex> = LazyLock::new(|| model("[\\u0020-\\u00FF]+"));
static SESSION: LazyLock<Regex> = LazyLock::new(|| model("[\\w+=.@-]*"));
static ROLE_NAME: LazyLock<Regex> = LazyLock::new(|| model("[a-zA-Z0-9+=,.@_-]+"));
static ACCOUNT: LazyLock<Regex> = LazyLock::new(|| model("[0-9]{12}"));
static PLAIN_EMAIL: LazyLock<Regex> =
    LazyLock::new(|| model("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+"));

#[test]
fn examples_are_accepted_and_refused_with_field_and_rule() {
    assert!(fields::aws_account_id("AwsAccountId", "123456789012").is_ok());
    let e = fields::aws_account_id("AwsAccountId", "12345678901x").unwrap_err();
    assert_eq!(
        (e.field.as_str(), e.rule.as_str()),
        ("AwsAccountId", "must be exactly 12 digits")
    );

    assert!(fields::email("Email", "ana.maria+qs@mail.example.com").is_ok());
    for bad in [
        "a@b",
        "ana@@example.com",
        "ana example@x.com",
        "ana@example",
        "@example.com",
        "ana@.com",
        "ana@exa_mple.com",
    ] {
        let e = fields::email("Email", bad).unwrap_err();
        assert_eq!(e.field, "Email", "{bad}");
        assert_eq!(e.value, bad);
    }

    assert_eq!(
        fields::role_arn("IamArn", "arn:aws:iam::123456789012:role/QuickSightFederated"),
        Ok("QuickSightFederated")
    );
    assert_eq!(
        fields::role_arn("IamArn", "arn:aws-cn:iam::123456789012:role/path/to/Fed+=,.@_-"),
        Ok("Fed+=,.@_-")
    );
    for bad in [
        "arn:aws:iam::123456789012:user/bob",
        "arn:aws:iam::12345678901:role/R",
        "arn:aws:s3::123456789012:role/R",
        "arn:aws:iam:us-east-1:123456789012:role/R",
        "arn:aws:iam::123456789012:role/",
        "role/R",
    ] {
        assert_eq!(fields::role_arn("IamArn", bad).unwrap_err().field, "IamArn", "{bad}");
    }

    assert_eq!(UserRole::parse("UserRole", "AUTHOR_PRO"), Ok(UserRole::AuthorPro));
    let e = UserRole::parse("UserRole", "RESTRICTED_AUTHOR").unwrap_err();
    assert!(e.rule.contains("not offered"), "{}", e.rule);

    assert!(fields::provider_url("CustomFederationProviderUrl", "https://idp.example.com/realms/x").is_ok());
    assert!(fields::provider_url("CustomFederationProviderUrl", "http://idp.example.com").is_err());
    assert!(fields::provider_url("CustomFederationProviderUrl", "https://").is_err());
}

#[test]
fn long_offending_values_are_cut_short_in_errors() {
    let long = "x".repeat(500);
    let e = fields::custom_permissions_name("CustomPermissionsName", &long).unwrap_err();
    assert!(e.value.len() < 120, "{}", e.value);
    assert!(e.value.contains("500 characters"));
    assert!(
        e.to_string()
            .starts_with("CustomPermissionsName: must be 1 to 64 characters long, is 500")
    );
}

#[test]
fn a_whole_user_reports_every_problem_at_once() {
    let spec = UserSpec {
        user_name: "Role/x".into(),
        email: "nope".into(),
        session_name: "x".into(),
        role: UserRole::Reader,
        custom_permissions: Profile::Named {
            name: "bad name".into(),
        },
        external_login: ExternalLogin::CustomOidc {
            provider_url: "http://idp".into(),
            id: " ".into(),
        },
        tags: [("".to_string(), "v".to_string())].into(),
        relink: false,
    };
    let errors = spec.validate().unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "Email",
            "SessionName",
            "CustomPermissionsName",
            "ExternalLoginId",
            "CustomFederationProviderUrl",
            "Tags key"
        ]
    );
}

#[test]
fn session_names_are_derived_deterministically() {
    assert_eq!(
        validate::derive_session_name("Email", "ana@example.com").unwrap(),
        "ana@example.com"
    );
    let odd = validate::derive_session_name("Email", "o'brien@example.com").unwrap();
    assert!(odd.starts_with("o-brien@example.com-"), "{odd}");
    assert_eq!(
        odd,
        validate::derive_session_name("Email", "o'brien@example.com").unwrap()
    );
    assert_ne!(
        odd,
        validate::derive_session_name("Email", "o`brien@example.com").unwrap()
    );
    let long = format!("{}@example.com", "a".repeat(80));
    assert_eq!(validate::derive_session_name("Email", &long).unwrap().len(), 64);
    assert!(validate::derive_session_name("Email", "").is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn accepted_namespaces_match_the_model(v in "\\PC{0,70}|[a-zA-Z0-9._-]{0,70}") {
        if fields::namespace("Namespace", &v).is_ok() {
            prop_assert!(NAMESPACE.is_match(&v) && v.chars().count() <= 64);
        }
    }

    #[test]
    fn accepted_names_match_the_model(v in "\\PC{0,300}|[ -ÿ]{0,300}") {
        let latin1 = &*LATIN1;
        if fields::user_name("UserName", &v).is_ok() || fields::group_name("GroupName", &v).is_ok() {
            prop_assert!(latin1.is_match(&v));
        }
    }

    #[test]
    fn accepted_session_names_match_the_model(v in "\\PC{0,70}|[\\w+=.@-]{0,70}") {
        if fields::session_name("SessionName", &v).is_ok() {
            let n = v.chars().count();
            prop_assert!(SESSION.is_match(&v) && (2..=64).contains(&n));
        }
    }

    #[test]
    fn accepted_custom_permissions_names_match_the_model(v in "\\PC{0,70}|[a-zA-Z0-9+=,.@_-]{0,70}") {
        if fields::custom_permissions_name("CustomPermissionsName", &v).is_ok() {
            let n = v.chars().count();
            prop_assert!(ROLE_NAME.is_match(&v) && (1..=64).contains(&n));
        }
    }

    #[test]
    fn accepted_account_ids_match_the_model(v in "\\PC{0,14}|[0-9]{10,14}") {
        if fields::aws_account_id("AwsAccountId", &v).is_ok() {
            let ok = ACCOUNT.is_match(&v);
            prop_assert!(ok);
        }
    }

    #[test]
    fn accepted_emails_have_the_plain_shape(v in "\\PC{0,40}|[a-z.]{1,20}@[a-z-]{1,10}(\\.[a-z]{1,5}){0,3}") {
        if fields::email("Email", &v).is_ok() {
            let n = v.chars().count();
            prop_assert!((4..=320).contains(&n));
            prop_assert!(PLAIN_EMAIL.is_match(&v));
        }
    }

    #[test]
    fn derived_session_names_are_always_valid(source in "\\PC{1,120}") {
        prop_assume!(!source.trim().is_empty());
        let name = validate::derive_session_name("Email", &source).unwrap();
        prop_assert!(fields::session_name("SessionName", &name).is_ok(), "{name:?} from {source:?}");
    }
}

#[test]
fn derived_session_names_never_collide_on_a_large_random_set() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    // Sources that sanitise and truncate alike are the hard case: long, with characters replaced.
    let strategy = "[a-z' ]{60,90}@(ex ample|exa'mple)\\.com|\\PC{1,80}";
    let mut sources = HashSet::new();
    while sources.len() < 100_000 {
        sources.insert(strategy.new_tree(&mut runner).unwrap().current());
    }
    let names: HashSet<String> = sources
        .iter()
        .filter_map(|s| validate::derive_session_name("Email", s).ok())
        .collect();
    let derivable = sources.iter().filter(|s| !s.trim().is_empty()).count();
    assert_eq!(
        names.len(),
        derivable,
        "two different sources gave the same session name"
    );
}
