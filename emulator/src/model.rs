//! The model's constraints on each field, as QuickSight enforces them (400 with the field named).

use crate::wire::ApiError;

type Check = Result<(), ApiError>;

fn len(v: &str) -> usize {
    v.chars().count()
}

fn bad(field: &str, rule: &str, v: &str) -> ApiError {
    ApiError::invalid(format!(
        "1 validation error detected: Value '{v}' at '{field}' failed to satisfy constraint: {rule}"
    ))
}

pub fn account_id(v: &str) -> Check {
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(bad(
            "awsAccountId",
            "Member must satisfy regular expression pattern: ^[0-9]{12}$",
            v,
        ))
    }
}

pub fn namespace(v: &str) -> Check {
    let ok = len(v) <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(bad(
            "namespace",
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9._-]*$ and have length at most 64",
            v,
        ))
    }
}

fn latin1(field: &str, v: &str, max: usize) -> Check {
    let ok = (1..=max).contains(&len(v)) && v.chars().all(|c| ('\u{20}'..='\u{FF}').contains(&c));
    if ok {
        Ok(())
    } else {
        Err(bad(
            field,
            &format!(
                "Member must satisfy regular expression pattern: [\\u0020-\\u00FF]+ and have length between 1 and {max}"
            ),
            v,
        ))
    }
}

pub fn user_name(v: &str) -> Check {
    latin1("userName", v, usize::MAX)
}
pub fn group_name(v: &str) -> Check {
    latin1("groupName", v, usize::MAX)
}
pub fn member_name(v: &str) -> Check {
    latin1("memberName", v, 256)
}

pub fn description(v: &str) -> Check {
    if (1..=512).contains(&len(v)) {
        Ok(())
    } else {
        Err(bad("description", "Member must have length between 1 and 512", v))
    }
}

pub fn session_name(v: &str) -> Check {
    let ok = (2..=64).contains(&len(v)) && v.chars().all(|c| c.is_ascii_alphanumeric() || "_+=.@-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(bad(
            "sessionName",
            "Member must satisfy regular expression pattern: [\\w+=.@-]* and have length between 2 and 64",
            v,
        ))
    }
}

pub fn custom_permissions_name(v: &str) -> Check {
    let ok = (1..=64).contains(&len(v)) && v.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(bad(
            "customPermissionsName",
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9+=,.@_-]+$ and have length between 1 and 64",
            v,
        ))
    }
}

pub fn email(v: &str) -> Check {
    let ok = match v.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.contains('@')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    };
    if ok && !v.chars().any(char::is_whitespace) {
        Ok(())
    } else {
        Err(ApiError::invalid(format!("The email address '{v}' is not valid.")))
    }
}

pub const ROLES: [&str; 6] = ["ADMIN", "AUTHOR", "READER", "ADMIN_PRO", "AUTHOR_PRO", "READER_PRO"];

pub fn user_role(field: &str, v: &str) -> Check {
    if ROLES.contains(&v) {
        return Ok(());
    }
    if v == "RESTRICTED_AUTHOR" || v == "RESTRICTED_READER" {
        return Err(ApiError::invalid(format!(
            "{field} {v} is not currently available for use."
        )));
    }
    Err(bad(
        field,
        "Member must satisfy enum value set: [ADMIN, AUTHOR, READER, ADMIN_PRO, AUTHOR_PRO, READER_PRO, RESTRICTED_AUTHOR, RESTRICTED_READER]",
        v,
    ))
}

/// An IAM role ARN; returns the role name (the last path segment).
pub fn role_arn(v: &str) -> Result<&str, ApiError> {
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    let name = match parts[..] {
        ["arn", partition, "iam", "", account, resource]
            if partition.starts_with("aws") && account_id(account).is_ok() =>
        {
            resource.strip_prefix("role/").and_then(|r| r.rsplit('/').next())
        }
        _ => None,
    };
    match name {
        Some(n)
            if (1..=64).contains(&len(n)) && n.chars().all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)) =>
        {
            Ok(n)
        }
        _ => Err(ApiError::invalid(format!("IamArn '{v}' is not a valid IAM role ARN."))),
    }
}

pub fn tags(tags: &[crate::api::Tag]) -> Check {
    if tags.is_empty() || tags.len() > 200 {
        return Err(bad(
            "tags",
            "Member must have length between 1 and 200",
            &format!("{} tags", tags.len()),
        ));
    }
    for t in tags {
        if !(1..=128).contains(&len(&t.key)) {
            return Err(bad(
                "tags.member.key",
                "Member must have length between 1 and 128",
                &t.key,
            ));
        }
        if !(1..=256).contains(&len(&t.value)) {
            return Err(bad(
                "tags.member.value",
                "Member must have length between 1 and 256",
                &t.value,
            ));
        }
    }
    Ok(())
}

pub fn max_results(v: Option<&str>) -> Result<usize, ApiError> {
    match v {
        None => Ok(100),
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err(bad("maxResults", "Member must have value between 1 and 100", raw)),
        },
    }
}

/// A capability's `CapabilityState` in a custom permissions profile.
pub fn capability_state(capability: &str, v: &str) -> Check {
    if v == "ALLOW" || v == "DENY" {
        Ok(())
    } else {
        Err(bad(
            &format!("capabilities.{capability}"),
            "Member must satisfy enum value set: [DENY, ALLOW]",
            v,
        ))
    }
}

/// A role a custom permissions profile can be applied to (`Role`: no restricted roles).
pub fn profile_role(v: &str) -> Check {
    if ROLES.contains(&v) {
        Ok(())
    } else {
        Err(bad(
            "role",
            "Member must satisfy enum value set: [ADMIN, AUTHOR, READER, ADMIN_PRO, AUTHOR_PRO, READER_PRO]",
            v,
        ))
    }
}
