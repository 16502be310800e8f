use super::{Attr, Clause, Filter};
use crate::error::{ScimError, ScimType};
use crate::protocol::ResourceKind::{Group, User};

fn clause(attr: Attr, value: &str) -> Clause {
    Clause {
        attr,
        value: value.into(),
    }
}

#[test]
fn the_filters_identity_providers_send_parse() {
    let table = [
        (
            User,
            r#"userName eq "bjensen""#,
            vec![clause(Attr::UserName, "bjensen")],
        ),
        (User, r#"USERNAME EQ "b j""#, vec![clause(Attr::UserName, "b j")]),
        (User, r#"externalId eq "a\"b""#, vec![clause(Attr::ExternalId, "a\"b")]),
        (
            User,
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x""#,
            vec![clause(Attr::UserName, "x")],
        ),
        (
            Group,
            r#"displayName eq "Tours""#,
            vec![clause(Attr::DisplayName, "Tours")],
        ),
        (
            Group,
            r#"members[value eq "u-1"]"#,
            vec![clause(Attr::MemberValue, "u-1")],
        ),
        (
            Group,
            r#"members.value eq "u-1""#,
            vec![clause(Attr::MemberValue, "u-1")],
        ),
        (
            Group,
            r#"id eq "g" and members[value eq "u"]"#,
            vec![clause(Attr::Id, "g"), clause(Attr::MemberValue, "u")],
        ),
    ];
    for (kind, raw, expected) in table {
        assert_eq!(Filter::parse(kind, raw).unwrap(), Filter(expected), "{raw}");
    }
}

#[test]
fn anything_else_is_invalid_filter_naming_what() {
    let table = [
        (User, r#"userName co "b""#, "the operator co"),
        (User, r#"userName sw "b""#, "the operator sw"),
        (User, r#"displayName eq "b""#, "the attribute displayName"),
        (Group, r#"userName eq "b""#, "the attribute userName"),
        (User, r#"userName eq "a" or userName eq "b""#, "only `and`"),
        (User, r#"not (userName eq "a")"#, "parentheses"),
        (User, r#"userName eq b"#, "quoted string"),
        (User, r#"userName pr"#, "the clause's shape"),
        (User, r#"userName eq "open"#, "not closed"),
        (User, r#"userName eq "a" and"#, "only `and`"),
        (User, "", "the clause's shape"),
    ];
    for (kind, raw, why) in table {
        match Filter::parse(kind, raw) {
            Err(ScimError::BadRequest {
                scim_type: ScimType::InvalidFilter,
                detail,
            }) => assert!(detail.contains(why), "{raw}: {detail}"),
            other => panic!("{raw}: {other:?}"),
        }
    }
}

#[test]
fn user_name_and_display_name_compare_without_case_ids_exactly() {
    assert!(clause(Attr::UserName, "BJensen").matches("bjensen"));
    assert!(clause(Attr::DisplayName, "ÉQUIPE").matches("équipe"));
    assert!(!clause(Attr::ExternalId, "AB").matches("ab"));
    assert!(!clause(Attr::Id, "AB").matches("ab"));
}
