//! One check per value QuickSight accepts, each following the API model's pattern and length.
//! Lengths count characters (Unicode scalar values), as Smithy's `length` trait does. Each check
//! takes the name its caller knows the value by (a message field, a variable, an API member), so
//! the error names the field as whoever reads it wrote it.

use super::FieldError;

fn len(v: &str) -> usize {
    v.chars().count()
}

fn length(field: &str, v: &str, min: usize, max: usize) -> Result<(), FieldError> {
    let n = len(v);
    if n < min || n > max {
        return Err(FieldError::new(
            field,
            format!("must be {min} to {max} characters long, is {n}"),
            v,
        ));
    }
    Ok(())
}

fn all_chars(field: &str, v: &str, rule: &str, ok: impl Fn(char) -> bool) -> Result<(), FieldError> {
    match v.chars().find(|c| !ok(*c)) {
        Some(bad) => Err(FieldError::new(field, format!("{rule}; {bad:?} is not allowed"), v)),
        None => Ok(()),
    }
}

/// `AwsAccountId`: exactly 12 digits.
pub fn aws_account_id(field: &str, v: &str) -> Result<(), FieldError> {
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(FieldError::new(field, "must be exactly 12 digits", v))
    }
}

/// `Namespace`: `^[a-zA-Z0-9._-]*$`, at most 64.
pub fn namespace(field: &str, v: &str) -> Result<(), FieldError> {
    length(field, v, 0, 64)?;
    all_chars(field, v, "only letters, digits, '.', '_' and '-'", |c| {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
    })
}

/// A tenant: 1 to 64 letters, digits, '.', '_' and '-', starting with a letter or digit. It
/// becomes part of a namespace and so of request paths: '/', '%', whitespace and a leading dot
/// ('.', '..') never pass.
pub fn tenant(field: &str, v: &str) -> Result<(), FieldError> {
    length(field, v, 1, 64)?;
    if !v.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(FieldError::new(field, "must start with a letter or digit", v));
    }
    all_chars(field, v, "only letters, digits, '.', '_' and '-'", |c| {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
    })
}

fn latin1(c: char) -> bool {
    ('\u{20}'..='\u{FF}').contains(&c)
}

fn latin1_name(field: &str, v: &str, max: usize) -> Result<(), FieldError> {
    length(field, v, 1, max)?;
    all_chars(field, v, "only characters U+0020 to U+00FF", latin1)
}

/// `UserName`: `[\u0020-\u00FF]+`.
pub fn user_name(field: &str, v: &str) -> Result<(), FieldError> {
    latin1_name(field, v, usize::MAX)
}

/// `GroupName`: `[\u0020-\u00FF]+`.
pub fn group_name(field: &str, v: &str) -> Result<(), FieldError> {
    latin1_name(field, v, usize::MAX)
}

/// Characters of an STS role session name, `[\w+=.@-]` with `\w` in its ASCII sense.
pub fn is_session_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '+' | '=' | '.' | '@' | '-')
}

/// `SessionName`: an STS role session name, 2 to 64 of `[\w+=.@-]`.
pub fn session_name(field: &str, v: &str) -> Result<(), FieldError> {
    length(field, v, 2, 64)?;
    all_chars(field, v, "only letters, digits and '_+=.@-'", is_session_name_char)
}

/// An IAM role ARN, `arn:<partition>:iam::<12 digits>:role/<path>name`. Returns the role name.
pub fn role_arn<'a>(field: &str, v: &'a str) -> Result<&'a str, FieldError> {
    let rule = "must be arn:<partition>:iam::<12-digit account>:role/<path>name";
    let bad = || FieldError::new(field, rule, v);
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts[..] else {
        return Err(bad());
    };
    let partition_ok = partition.starts_with("aws")
        && partition
            .split('-')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()));
    if arn != "arn" || !partition_ok || service != "iam" || !region.is_empty() {
        return Err(bad());
    }
    if aws_account_id(field, account).is_err() {
        return Err(FieldError::new(field, "the account must be exactly 12 digits", v));
    }
    let Some(path_and_name) = resource.strip_prefix("role/") else {
        return Err(bad());
    };
    let (path, name) = match path_and_name.rfind('/') {
        Some(i) => (&path_and_name[..=i], &path_and_name[i + 1..]),
        None => ("", path_and_name),
    };
    if len(path) > 511 || !path.chars().all(|c| ('\u{21}'..='\u{7E}').contains(&c)) {
        return Err(FieldError::new(
            field,
            "the role path must be printable ASCII, at most 512 characters",
            v,
        ));
    }
    if role_name(field, name).is_err() {
        return Err(FieldError::new(
            field,
            "the role name must be 1 to 64 of letters, digits and '+=,.@_-'",
            v,
        ));
    }
    Ok(name)
}

/// An IAM role name: 1 to 64 of letters, digits and `+=,.@_-`.
pub fn role_name(field: &str, v: &str) -> Result<(), FieldError> {
    length(field, v, 1, 64)?;
    all_chars(field, v, "only letters, digits and '+=,.@_-'", |c| {
        c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
    })
}

/// `Email`: a plain address, 4 to 320 characters, one `@`, a dotted domain.
pub fn email(field: &str, v: &str) -> Result<(), FieldError> {
    length(field, v, 4, 320)?;
    let Some((local, domain)) = v.split_once('@') else {
        return Err(FieldError::new(field, "must contain one '@'", v));
    };
    if domain.contains('@') {
        return Err(FieldError::new(field, "must contain exactly one '@'", v));
    }
    let local_ok = (1..=64).contains(&local.len())
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    if !local_ok {
        return Err(FieldError::new(
            field,
            "the part before '@' must be 1 to 64 plain characters, no spaces or quotes",
            v,
        ));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(FieldError::new(
            field,
            "the domain must be dotted labels of letters, digits and '-'",
            v,
        ));
    }
    Ok(())
}

/// `CustomPermissionsName`: `^[a-zA-Z0-9+=,.@_-]+$`, 1 to 64.
pub fn custom_permissions_name(field: &str, v: &str) -> Result<(), FieldError> {
    length(field, v, 1, 64)?;
    all_chars(field, v, "only letters, digits and '+=,.@_-'", |c| {
        c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
    })
}

/// `ExternalLoginId`: non-empty.
pub fn external_login_id(field: &str, v: &str) -> Result<(), FieldError> {
    if v.trim().is_empty() {
        return Err(FieldError::new(field, "must not be empty", v));
    }
    Ok(())
}

/// `CustomFederationProviderUrl`: an https URL with a host.
pub fn provider_url(field: &str, v: &str) -> Result<(), FieldError> {
    let host = v
        .strip_prefix("https://")
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    match host {
        Some(h) if !h.is_empty() && !v.chars().any(char::is_whitespace) => Ok(()),
        _ => Err(FieldError::new(field, "must be an https:// URL with a host", v)),
    }
}

/// `Tags`: 1 to 200 tags (none at all means none are sent); key 1 to 128, value 1 to 256.
pub fn tags<'a>(field: &str, tags: impl ExactSizeIterator<Item = (&'a str, &'a str)>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if tags.len() > 200 {
        errors.push(FieldError::new(
            field,
            "at most 200 tags",
            &format!("{} tags", tags.len()),
        ));
    }
    for (key, value) in tags {
        if let Err(e) = length(&format!("{field} key"), key, 1, 128) {
            errors.push(e);
        }
        if let Err(e) = length(&format!("{field}[{key}]"), value, 1, 256) {
            errors.push(e);
        }
    }
    errors
}
