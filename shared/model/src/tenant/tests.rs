use crate::config::{Config, ConfigError};
use crate::message::{Change, UserAction};

const ACCOUNT: (&str, &str) = ("QUICKSIGHT_ACCOUNT_ID", "123456789012");
const ROLE_PER_TENANT: &str = "arn:aws:iam::123456789012:role/qs-{tenant}";

fn read(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Config::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
}

/// Tenants on (`cust-{tenant}`), `extra` taking precedence.
fn tenants(extra: &[(&str, &str)]) -> Config {
    let mut vars = extra.to_vec();
    vars.extend([
        ACCOUNT,
        ("QUICKSIGHT_FEDERATED_ROLE_ARN", ROLE_PER_TENANT),
        ("TENANT_NAMESPACE", "cust-{tenant}"),
    ]);
    read(&vars).unwrap()
}

#[test]
fn a_tenant_gives_its_namespace_and_role_from_the_templates() {
    let config = tenants(&[]);
    let home = config.home(Some("acme")).unwrap();
    assert_eq!(home.namespace, "cust-acme");
    assert_eq!(home.role.arn, "arn:aws:iam::123456789012:role/qs-acme");
    assert_eq!(home.user_name("ana@example.com"), "qs-acme/ana@example.com");
    assert_eq!(home.tenant.as_deref(), Some("acme"));
    let tenancy = config.tenancy().unwrap();
    assert_eq!(
        (
            tenancy.attribute.as_str(),
            tenancy.claim.as_str(),
            tenancy.create_namespace
        ),
        ("custom:tenant", "tenant", false)
    );
}

#[test]
fn hostile_tenant_values_are_refused_before_any_name_is_built() {
    let config = tenants(&[]);
    let long = "a".repeat(65);
    // (value, a word of the rule it breaks)
    let table = [
        ("../default", "start with a letter or digit"),
        ("a/b", "'/' is not allowed"),
        ("%2e%2e", "start with a letter or digit"),
        ("a%2fb", "'%' is not allowed"),
        ("acme corp", "' ' is not allowed"),
        (" acme", "start with a letter or digit"),
        ("acme\n", "'\\n' is not allowed"),
        ("", "1 to 64 characters"),
        (".", "start with a letter or digit"),
        ("..", "start with a letter or digit"),
        (long.as_str(), "1 to 64 characters"),
        ("acmé", "'é' is not allowed"),
    ];
    for (value, rule) in table {
        let error = config.home(Some(value)).unwrap_err();
        assert_eq!(error.field, "tenant", "{value:?}");
        assert_eq!(error.value, value);
        assert!(error.rule.contains(rule), "{value:?}: {}", error.rule);
    }
}

#[test]
fn a_tenant_whose_namespace_would_be_too_long_is_refused_naming_the_namespace() {
    let config = tenants(&[]);
    let error = config.home(Some(&"a".repeat(62))).unwrap_err();
    assert!(error.rule.contains("makes namespace"), "{}", error.rule);
}

#[test]
fn tenant_allowed_is_a_whole_value_match() {
    let config = tenants(&[("TENANT_ALLOWED", "[a-z]+")]);
    assert!(config.home(Some("acme")).is_ok());
    for refused in ["acme1", "1acme"] {
        let error = config.home(Some(refused)).unwrap_err();
        assert!(error.rule.contains("TENANT_ALLOWED"), "{refused}: {}", error.rule);
    }
}

/// What an attacker who can write the tenant attribute tried (issue 38): each refused, under a
/// `TENANT_ALLOWED` that accepts any case, and under the default one.
#[test]
fn a_tenant_may_not_name_the_providers_namespace_nor_a_second_spelling() {
    for allowed in [Some("[A-Za-z0-9-]+"), None] {
        let mut vars = vec![("TENANT_NAMESPACE", "{tenant}"), ("TENANT_CREATE_NAMESPACE", "true")];
        vars.extend(allowed.map(|a| ("TENANT_ALLOWED", a)));
        if allowed.is_none() {
            vars.retain(|(k, _)| *k != "TENANT_CREATE_NAMESPACE");
        }
        let config = tenants(&vars);
        // (value, a word of the rule it breaks)
        let table = [
            ("default", "the provider's own"),
            ("Default", "lower case"),
            ("DEFAULT", "lower case"),
            ("ACME", "lower case"),
        ];
        for (value, rule) in table {
            let error = config.home(Some(value)).unwrap_err();
            assert_eq!((error.field.as_str(), error.value.as_str()), ("tenant", value));
            assert!(error.rule.contains(rule), "{allowed:?} {value:?}: {}", error.rule);
        }
        assert_eq!(config.home(Some("acme")).unwrap().namespace, "acme");
    }
}

#[test]
fn the_providers_namespace_is_a_tenants_home_only_when_allowed() {
    let staff = tenants(&[("TENANT_NAMESPACE", "{tenant}"), ("QUICKSIGHT_NAMESPACE", "Staff")]);
    let error = staff.home(Some("staff")).unwrap_err();
    assert!(error.rule.contains("TENANT_ALLOW_DEFAULT"), "{}", error.rule);
    assert!(staff.home(Some("default")).is_err());
    let allowed = tenants(&[("TENANT_NAMESPACE", "{tenant}"), ("TENANT_ALLOW_DEFAULT", "true")]);
    assert_eq!(allowed.home(Some("default")).unwrap().namespace, "default");
    // A template that cannot make `default` is not touched by the rule.
    assert_eq!(tenants(&[]).home(Some("default")).unwrap().namespace, "cust-default");
}

#[test]
fn creating_namespaces_on_demand_needs_tenant_allowed() {
    let error = read(&[
        ACCOUNT,
        ("QUICKSIGHT_FEDERATED_ROLE_ARN", ROLE_PER_TENANT),
        ("TENANT_NAMESPACE", "{tenant}"),
        ("TENANT_CREATE_NAMESPACE", "true"),
    ])
    .unwrap_err();
    assert_eq!(error.0.len(), 1, "{error}");
    assert_eq!(error.0[0].variable, "TENANT_CREATE_NAMESPACE");
    assert!(error.0[0].rule.contains("needs TENANT_ALLOWED"), "{error}");
}

#[test]
fn the_default_tenant_allowed_takes_lower_case_letters_digits_and_dashes() {
    let config = tenants(&[]);
    assert!(config.home(Some("acme-2")).is_ok());
    for refused in ["acme_corp", "acme.corp"] {
        let error = config.home(Some(refused)).unwrap_err();
        assert!(error.rule.contains("TENANT_ALLOWED"), "{refused}: {}", error.rule);
    }
}

#[test]
fn which_app_clients_let_their_users_write_the_tenant_attribute() {
    let list = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    // (WriteAttributes, attribute, writable)
    let table = [
        (list(&[]), "custom:tenant", false),
        (list(&[]), "locale", true),
        (list(&["email", "custom:tenant"]), "custom:tenant", true),
        (list(&["email"]), "custom:tenant", false),
        (list(&["dev:custom:tenant"]), "dev:custom:tenant", false),
    ];
    for (write_attributes, attribute, writable) in table {
        assert_eq!(
            super::client_can_write(&write_attributes, attribute),
            writable,
            "{write_attributes:?} {attribute}"
        );
    }
}

#[test]
fn tenants_on_need_a_tenant_and_tenants_off_refuse_one() {
    let on = tenants(&[]);
    assert_eq!(on.home(None).unwrap_err().field, "tenant");
    let off = read(&[
        ACCOUNT,
        ("QUICKSIGHT_FEDERATED_ROLE_ARN", "arn:aws:iam::123456789012:role/Fed"),
    ])
    .unwrap();
    assert!(off.tenancy().is_none());
    assert_eq!(off.home(Some("acme")).unwrap_err().field, "tenant");
    assert_eq!(off.home(None).unwrap().namespace, "default");
}

#[test]
fn bad_tenant_settings_are_each_reported_by_name() {
    let error = read(&[
        ACCOUNT,
        (
            "QUICKSIGHT_FEDERATED_ROLE_ARN",
            "arn:aws:iam::123456789012:role/qs-{tenant}/x{",
        ),
        ("TENANT_NAMESPACE", "cust"),
        ("TENANT_ALLOWED", "(unclosed"),
        ("TENANT_GROUPS", "{tenant}-\u{2603}"),
    ])
    .unwrap_err();
    let variables: Vec<&str> = error.0.iter().map(|e| e.variable).collect();
    assert_eq!(
        variables,
        [
            "TENANT_NAMESPACE",
            "TENANT_ALLOWED",
            "TENANT_GROUPS",
            "QUICKSIGHT_FEDERATED_ROLE_ARN"
        ],
        "{error}"
    );
    assert!(error.0[0].rule.contains("{tenant}"));

    let off = read(&[
        ACCOUNT,
        ("QUICKSIGHT_FEDERATED_ROLE_ARN", ROLE_PER_TENANT),
        ("TENANT_GROUPS", "{tenant}-everyone"),
    ])
    .unwrap_err();
    let variables: Vec<&str> = off.0.iter().map(|e| e.variable).collect();
    assert_eq!(variables, ["TENANT_GROUPS", "QUICKSIGHT_FEDERATED_ROLE_ARN"], "{off}");
}

#[test]
fn tenant_groups_join_every_upsert_and_are_in_the_managed_scope() {
    let config = tenants(&[("TENANT_GROUPS", "{tenant}-everyone")]);
    let with_groups =
        Change::parse(r#"{"op":"upsert","version":1,"tenant":"acme","email":"ana@example.com","groups":["qs-a"]}"#)
            .unwrap();
    let planned = with_groups.plan(&config).unwrap();
    let UserAction::Upsert { groups: Some(sync), .. } = &planned.action else {
        panic!("{planned:?}")
    };
    assert_eq!(sync.desired.iter().collect::<Vec<_>>(), ["acme-everyone", "qs-a"]);
    assert!(sync.scope.is_managed("acme-everyone"));

    // Without groups, memberships are left alone: the tenant's groups are joined, none removed.
    let without = Change::parse(r#"{"op":"upsert","version":1,"tenant":"acme","email":"ana@example.com"}"#).unwrap();
    let UserAction::Upsert { groups: Some(sync), .. } = without.plan(&config).unwrap().action else {
        panic!("the tenant's groups")
    };
    assert_eq!(sync.desired.iter().collect::<Vec<_>>(), ["acme-everyone"]);
    assert!(!sync.scope.is_managed("qs-a"));
}

#[test]
fn a_message_is_planned_in_its_tenants_home_and_a_user_name_of_another_role_is_refused() {
    let config = tenants(&[]);
    let delete =
        Change::parse(r#"{"op":"delete","version":1,"tenant":"acme","user_name":"qs-acme/ana@example.com"}"#).unwrap();
    let planned = delete.plan(&config).unwrap();
    assert_eq!(planned.home, config.home(Some("acme")).unwrap());
    let other = Change::parse(r#"{"op":"delete","version":1,"tenant":"globex","user_name":"qs-acme/ana@example.com"}"#)
        .unwrap();
    let errors = other.plan(&config).unwrap_err();
    assert_eq!(errors.0[0].field, "user_name");
    assert!(errors.0[0].rule.contains("only users of role qs-globex"));

    let hostile =
        Change::parse(r#"{"op":"upsert","version":1,"tenant":"../default","email":"ana@example.com"}"#).unwrap();
    let errors = hostile.plan(&config).unwrap_err();
    assert_eq!(errors.0.len(), 1, "one error, and no name built: {errors}");
    assert_eq!(errors.0[0].field, "tenant");
    assert_eq!(
        hostile.check().unwrap_err().0[0].field,
        "tenant",
        "checked without a configuration too"
    );
}

#[test]
fn fifo_ids_keep_one_users_changes_in_two_tenants_apart() {
    let change = |tenant: &str| {
        Change::parse(&format!(
            r#"{{"op":"upsert","version":1,"tenant":"{tenant}","email":"Ana@example.com"}}"#
        ))
        .unwrap()
    };
    let (acme_group, acme_dedup) = change("acme").fifo_ids("file:2");
    let (globex_group, globex_dedup) = change("globex").fifo_ids("file:2");
    assert_eq!(acme_group, "acme/ana@example.com");
    assert_ne!(acme_group, globex_group);
    assert_ne!(acme_dedup, globex_dedup);
}

#[test]
fn tenant_role_permissions_name_each_role_once_with_a_valid_profile() {
    use crate::validate::UserRole;
    let config = tenants(&[("TENANT_ROLE_PERMISSIONS", "READER:no-export, AUTHOR:author-basic")]);
    let roles = &config.tenancy().unwrap().role_permissions;
    assert_eq!(roles.get(&UserRole::Reader).map(String::as_str), Some("no-export"));
    assert_eq!(roles.get(&UserRole::Author).map(String::as_str), Some("author-basic"));
    let rows = [
        ("READER", "must be ROLE:profile pairs"),
        ("VIEWER:no-export", "TENANT_ROLE_PERMISSIONS"),
        ("READER:no export", "only letters, digits"),
        ("READER:a,READER:b", "names a role twice"),
    ];
    for (value, rule) in rows {
        let mut vars = vec![("TENANT_ROLE_PERMISSIONS", value)];
        vars.extend([
            ACCOUNT,
            ("QUICKSIGHT_FEDERATED_ROLE_ARN", ROLE_PER_TENANT),
            ("TENANT_NAMESPACE", "cust-{tenant}"),
        ]);
        let text = read(&vars).unwrap_err().to_string();
        assert!(
            text.contains("TENANT_ROLE_PERMISSIONS") && text.contains(rule),
            "{value}: {text}"
        );
    }
    let off = read(&[
        ACCOUNT,
        ("QUICKSIGHT_FEDERATED_ROLE_ARN", "arn:aws:iam::123456789012:role/Fed"),
        ("TENANT_ROLE_PERMISSIONS", "READER:no-export"),
    ])
    .unwrap_err()
    .to_string();
    assert!(
        off.contains("TENANT_ROLE_PERMISSIONS: is only used when TENANT_NAMESPACE is set"),
        "{off}"
    );
}
