use aws_sdk_quicksight::config::{Credentials, Region};

use super::*;
use crate::config::Config;
use crate::engine::Engine;
use crate::validate::{ExternalLogin, UserRole};

fn config(provider: &str) -> Config {
    let vars = [
        ("QUICKSIGHT_ACCOUNT_ID", "123456789012"),
        ("QUICKSIGHT_FEDERATED_ROLE_ARN", "arn:aws:iam::123456789012:role/Fed"),
        ("EXTERNAL_LOGIN_PROVIDER", provider),
        ("USER_TAGS", r#"{"source":"qs-provision"}"#),
    ];
    Config::from_lookup(|n| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string())).unwrap()
}

/// An engine whose client is never called: planning only needs the role name.
fn engine(config: &Config) -> Engine {
    let conf = aws_sdk_quicksight::Config::builder()
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("a", "b", None, None, "t"))
        .build();
    Engine::new(aws_sdk_quicksight::Client::from_conf(conf), config)
}

#[test]
fn an_upsert_plans_to_a_validated_user_with_derived_session_and_merged_tags() {
    let c = config("COGNITO");
    let change = Change::parse(r#"{"op":"upsert","version":1,"email":"o'hara@example.com","external_login_id":"eu-west-1:abc","role":"AUTHOR","tags":{"team":"bi"},"groups":["qs-b","qs-a"]}"#).unwrap();
    let Planned::Upsert { spec, groups } = change.plan(&c, &engine(&c)).unwrap() else {
        panic!("an upsert")
    };
    assert!(spec.session_name.starts_with("o-hara@example.com-"));
    assert_eq!(spec.role, UserRole::Author);
    assert_eq!(
        spec.external_login,
        ExternalLogin::Cognito {
            id: "eu-west-1:abc".into()
        }
    );
    assert_eq!(spec.tags.len(), 2);
    assert_eq!(groups.unwrap().into_iter().collect::<Vec<_>>(), ["qs-a", "qs-b"]);
}

#[test]
fn unknown_fields_and_other_versions_are_refused() {
    let typo = Change::parse(r#"{"op":"upsert","version":1,"emial":"a@example.com"}"#).unwrap_err();
    assert_eq!(typo.0[0].field, "message");
    assert!(typo.0[0].rule.contains("unknown field `emial`"), "{}", typo.0[0].rule);
    assert!(Change::parse(r#"{"op":"rename","version":1}"#).is_err());

    let c = config("NONE");
    let v2 = Change::parse(r#"{"op":"delete","version":2,"email":"a@example.com"}"#).unwrap();
    assert_eq!(v2.plan(&c, &engine(&c)).unwrap_err().0[0].field, "version");
}

#[test]
fn every_problem_of_a_message_is_reported() {
    let c = config("CUSTOM_OIDC");
    let change =
        Change::parse(r#"{"op":"upsert","version":1,"email":"bad","role":"RESTRICTED_READER","groups":[""]}"#).unwrap();
    let errors = change.plan(&c, &engine(&c)).unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["role", "external_login_id", "Email", "groups"]);
}

#[test]
fn group_changes_and_deletes_name_exactly_one_user() {
    let c = config("NONE");
    let e = engine(&c);
    let add = Change::parse(r#"{"op":"add_groups","version":1,"email":"ana@example.com","groups":["qs-a"]}"#).unwrap();
    assert_eq!(
        add.plan(&c, &e).unwrap(),
        Planned::AddGroups {
            user_name: "Fed/ana@example.com".into(),
            groups: ["qs-a".to_string()].into()
        }
    );
    let both = Change::parse(r#"{"op":"delete","version":1,"email":"ana@example.com","session_name":"ana"}"#).unwrap();
    assert!(both.plan(&c, &e).unwrap_err().0[0].rule.contains("exactly one"));
    let round_trip = Change::parse(&add.to_json()).unwrap();
    assert_eq!(round_trip, add);
}
