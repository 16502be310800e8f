//! Session names derived from an e-mail address or an identity-provider subject.

use super::{FieldError, fields::is_session_name_char};
use crate::hash::sha256_hex;

const MAX: usize = 64;
/// Hex digits of SHA-256 kept as the suffix: 48 bits, so collisions need ~16 million users per name.
const HASH_HEX: usize = 12;

/// Derives a valid STS session name from `source`, deterministically.
///
/// A source that already is a valid session name is used as it is. Otherwise every character outside
/// `[\w+=.@-]` becomes `-`, the result is cut to leave room, and `-` plus a hash of the *whole original*
/// source is appended, so two different sources that sanitise or truncate alike still differ.
pub fn derive_session_name(field: &str, source: &str) -> Result<String, FieldError> {
    if source.trim().is_empty() {
        return Err(FieldError::new(
            field,
            "a session name cannot be derived from an empty value",
            source,
        ));
    }
    let n = source.chars().count();
    if (2..=MAX).contains(&n) && source.chars().all(is_session_name_char) {
        return Ok(source.to_owned());
    }
    let hash = &sha256_hex(source.as_bytes())[..HASH_HEX];
    let keep = MAX - HASH_HEX - 1;
    let mut name: String = source
        .chars()
        .map(|c| if is_session_name_char(c) { c } else { '-' })
        .take(keep)
        .collect();
    name.push('-');
    name.push_str(hash);
    Ok(name)
}
