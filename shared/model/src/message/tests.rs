use super::*;
use crate::config::Config;
use crate::validate::{ExternalLogin, UserRole};

fn config(provider: &str) -> Config {
    config_with(provider, &[])
}

/// A deployment of role `Fed` with `provider` and `extra` variables. (`qs-testing` depends on this
/// crate, so its helpers are not used here.)
fn config_with(provider: &str, extra: &[(&str, &str)]) -> Config {
    let mut vars = vec![
        ("QUICKSIGHT_ACCOUNT_ID", "123456789012"),
        ("QUICKSIGHT_FEDERATED_ROLE_ARN", "arn:aws:iam::123456789012:role/Fed"),
        ("EXTERNAL_LOGIN_PROVIDER", provider),
        ("USER_TAGS", r#"{"source":"qs-provision"}"#),
    ];
    vars.extend_from_slice(extra);
    Config::from_lookup(|n| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string())).unwrap()
}

#[test]
fn an_upsert_plans_to_a_validated_user_with_derived_session_and_merged_tags() {
    let c = config("COGNITO");
    let change = Change::parse(r#"{"op":"upsert","version":1,"email":"o'hara@example.com","external_login_id":"eu-west-1:abc","role":"AUTHOR","tags":{"team":"bi"},"groups":["qs-b","qs-a"]}"#).unwrap();
    let UserAction::Upsert { spec, groups } = change.plan(&c).unwrap().action else {
        panic!("an upsert")
    };
    assert!(spec.session_name.starts_with("o-hara@example.com-"));
    assert_eq!(spec.user_name, format!("Fed/{}", spec.session_name));
    assert_eq!(spec.role, UserRole::Author);
    assert_eq!(
        spec.external_login,
        ExternalLogin::Cognito {
            id: "eu-west-1:abc".into()
        }
    );
    assert_eq!(spec.tags.len(), 2);
    assert_eq!(
        groups.unwrap().desired.into_iter().collect::<Vec<_>>(),
        ["qs-a", "qs-b"]
    );
}

#[test]
fn unknown_fields_and_other_versions_are_refused() {
    let typo = Change::parse(r#"{"op":"upsert","version":1,"emial":"a@example.com"}"#).unwrap_err();
    assert_eq!(typo.0[0].field, "message");
    assert!(typo.0[0].rule.contains("unknown field `emial`"), "{}", typo.0[0].rule);
    assert!(Change::parse(r#"{"op":"rename","version":1}"#).is_err());

    let c = config("NONE");
    let v2 = Change::parse(r#"{"op":"delete","version":2,"email":"a@example.com"}"#).unwrap();
    assert_eq!(v2.plan(&c).unwrap_err().0[0].field, "version");
}

#[test]
fn every_problem_of_a_message_is_reported() {
    let c = config("CUSTOM_OIDC");
    let change =
        Change::parse(r#"{"op":"upsert","version":1,"email":"bad","role":"RESTRICTED_READER","groups":[""]}"#).unwrap();
    let errors = change.plan(&c).unwrap_err();
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["email", "role", "groups", "external_login_id"]);
}

#[test]
fn group_changes_and_deletes_name_exactly_one_user() {
    let c = config("NONE");
    let add = Change::parse(r#"{"op":"add_groups","version":1,"email":"ana@example.com","groups":["qs-a"]}"#).unwrap();
    assert_eq!(
        add.plan(&c).unwrap().action,
        UserAction::AddGroups {
            user_name: "Fed/ana@example.com".into(),
            groups: ["qs-a".to_string()].into()
        }
    );
    let both = Change::parse(r#"{"op":"delete","version":1,"email":"ana@example.com","session_name":"ana"}"#).unwrap();
    assert!(both.plan(&c).unwrap_err().0[0].rule.contains("exactly one"));
    let round_trip = Change::parse(&add.to_json()).unwrap();
    assert_eq!(round_trip, add);
}

#[test]
fn check_and_plan_name_the_same_fields_and_plan_adds_only_the_configuration_rules() {
    let c = config("CUSTOM_OIDC");
    let bad_ref = Change::parse(r#"{"op":"add_groups","version":3,"session_name":"a b","groups":[]}"#).unwrap();
    let checked: Vec<String> = bad_ref.check().unwrap_err().0.iter().map(|e| e.field.clone()).collect();
    let planned: Vec<String> = bad_ref
        .plan(&c)
        .unwrap_err()
        .0
        .iter()
        .map(|e| e.field.clone())
        .collect();
    assert_eq!(checked, ["version", "session_name", "groups"]);
    assert_eq!(planned, checked, "no rule of a group change needs the configuration");

    // A missing login id is fine on its own, and wrong only for a deployment that needs one.
    let upsert = Change::parse(r#"{"op":"upsert","version":1,"email":"ana@example.com"}"#).unwrap();
    assert!(upsert.check().is_ok());
    let errors = upsert.plan(&c).unwrap_err();
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.0[0].field, "external_login_id");
    assert!(upsert.plan(&config("NONE")).is_ok());
}

#[test]
fn each_problem_is_reported_once() {
    let c = config("NONE");
    let bad_email = Change::parse(r#"{"op":"upsert","version":1,"email":"  "}"#).unwrap();
    let errors = bad_email.plan(&c).unwrap_err();
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert_eq!(errors.0[0].field, "email");
}

#[test]
fn custom_oidc_uses_the_configured_provider_url_else_the_message_one() {
    let derived = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc";
    let change = Change::parse(&format!(
        r#"{{"op":"upsert","version":1,"email":"ana@example.com","external_login_id":"sub-1","provider_url":"{derived}"}}"#
    ))
    .unwrap();
    let UserAction::Upsert { spec, .. } = change.plan(&config("CUSTOM_OIDC")).unwrap().action else {
        panic!("an upsert")
    };
    assert_eq!(
        spec.external_login,
        ExternalLogin::CustomOidc {
            provider_url: derived.into(),
            id: "sub-1".into()
        }
    );

    let configured = config_with(
        "CUSTOM_OIDC",
        &[("CUSTOM_FEDERATION_PROVIDER_URL", "https://idp.example.com")],
    );
    let UserAction::Upsert { spec, .. } = change.plan(&configured).unwrap().action else {
        panic!("an upsert")
    };
    assert_eq!(
        spec.external_login.provider_url_to_send(),
        Some("https://idp.example.com")
    );

    let without =
        Change::parse(r#"{"op":"upsert","version":1,"email":"ana@example.com","external_login_id":"s"}"#).unwrap();
    assert_eq!(
        without.plan(&config("CUSTOM_OIDC")).unwrap_err().0[0].field,
        "provider_url"
    );
}

#[test]
fn a_signup_carries_its_derived_provider_url_only_where_it_is_used() {
    use crate::signup::{SessionNameSource, SignupUser};
    let user = SignupUser {
        email: Some("ana@example.com".into()),
        sub: Some("sub-1".into()),
        provider_url: Some("http://127.0.0.1:8080".into()),
        ..Default::default()
    };
    let configured = config_with(
        "CUSTOM_OIDC",
        &[("CUSTOM_FEDERATION_PROVIDER_URL", "https://idp.example.com")],
    );
    let change = user.to_change(&configured, SessionNameSource::Email).unwrap();
    assert!(!change.to_json().contains("provider_url"), "{}", change.to_json());
    assert!(change.plan(&configured).is_ok(), "the configured URL is the one used");

    let derived = user
        .to_change(&config("CUSTOM_OIDC"), SessionNameSource::Email)
        .unwrap();
    assert!(derived.to_json().contains(r#""provider_url":"http://127.0.0.1:8080""#));
}

#[test]
fn a_user_name_must_be_one_of_this_deployments_users() {
    let c = config("NONE");
    let delete = |name: &str| Change::parse(&format!(r#"{{"op":"delete","version":1,"user_name":"{name}"}}"#)).unwrap();

    // Without the role part it names no federated user: refused, not "applied: not found".
    let bare = delete("ana@example.com");
    for errors in [bare.check().unwrap_err(), bare.plan(&c).unwrap_err()] {
        assert_eq!(errors.0[0].field, "user_name");
        assert!(errors.0[0].rule.contains("/<session name>"), "{}", errors.0[0].rule);
    }
    let other_role = delete("OtherRole/ana@example.com");
    assert!(
        other_role.check().is_ok(),
        "the shape is right; only the deployment knows its role"
    );
    let errors = other_role.plan(&c).unwrap_err();
    assert!(
        errors.0[0].rule.contains("only users of role Fed"),
        "{}",
        errors.0[0].rule
    );

    assert_eq!(
        delete("Fed/ana@example.com").plan(&c).unwrap().action,
        UserAction::Delete {
            user_name: "Fed/ana@example.com".into()
        }
    );
}

#[test]
fn a_users_fifo_group_is_the_same_however_the_message_names_them() {
    let by = |field: &str, value: &str| {
        Change::parse(&format!(r#"{{"op":"delete","version":1,"{field}":"{value}"}}"#))
            .unwrap()
            .fifo_ids("s")
            .0
    };
    let group = by("email", "Ana@Example.com");
    assert_eq!(group, "ana@example.com");
    assert_eq!(by("session_name", "ana@example.com"), group);
    assert_eq!(by("user_name", "QuickSightFederated/ana@example.com"), group);
    let upsert = Change::parse(r#"{"op":"upsert","version":1,"email":"ana@example.com"}"#).unwrap();
    assert_eq!(upsert.fifo_ids("s").0, group);
    // An e-mail that is no session name as it is: the session name derived from it.
    assert!(by("email", "o'hara@example.com").starts_with("o-hara@example.com-"));
    // One submission, one deduplication id; another submission of the same body, another.
    assert_ne!(upsert.fifo_ids("file:2").1, upsert.fifo_ids("file:4").1);
}

#[test]
fn relink_is_an_administrators_choice_or_the_deployments() {
    let change = |relink: &str| {
        Change::parse(&format!(
            r#"{{"op":"upsert","version":1,"email":"ana@example.com","external_login_id":"s"{relink}}}"#
        ))
        .unwrap()
    };
    let relink_of = |change: Change, config: &Config| match change.plan(config).unwrap().action {
        UserAction::Upsert { spec, .. } => spec.relink,
        other => panic!("{other:?}"),
    };
    let never = config("COGNITO");
    assert!(!relink_of(change(""), &never));
    assert!(relink_of(change(r#","relink":true"#), &never));
    let allow = config_with("COGNITO", &[("EXTERNAL_LOGIN_RELINK", "allow")]);
    assert!(relink_of(change(""), &allow));
}

#[test]
fn a_delete_may_name_an_orphaned_user_by_principal_id_alone() {
    let c = config("NONE");
    let by_id = Change::parse(r#"{"op":"delete","version":1,"principal_id":"federated/iam/AROA1:ana"}"#).unwrap();
    assert_eq!(
        by_id.plan(&c).unwrap().action,
        UserAction::DeleteByPrincipalId {
            principal_id: "federated/iam/AROA1:ana".into()
        }
    );
    let both = Change::parse(r#"{"op":"delete","version":1,"principal_id":"p","email":"ana@example.com"}"#).unwrap();
    assert_eq!(both.check().unwrap_err().0[0].field, "principal_id");
    let on_upsert = Change::parse(r#"{"op":"add_groups","version":1,"principal_id":"p","groups":["g"]}"#);
    assert!(on_upsert.is_err(), "only a delete takes a principal id");
}
