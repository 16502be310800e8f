use std::time::Duration;

use aws_sdk_quicksight::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::validate::ValidationErrors;

/// Why an engine operation did not finish.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error("QuickSight {operation} failed: {code}: {message}")]
    QuickSight {
        operation: &'static str,
        code: String,
        message: String,
    },
    #[error("deadline reached before {operation} finished")]
    DeadlineExceeded { operation: &'static str },
    /// A change this deployment must not apply (a role downgrade under ROLE_DOWNGRADE=fail): it
    /// fails for good, alone.
    #[error("refused: {reason}")]
    Refused { reason: String },
    /// The user is tied to another external login, and this change may not move it (no relink):
    /// another identity presenting the same e-mail must not take the user over.
    #[error(
        "user {user} is tied to a different external login; moving it needs relink (EXTERNAL_LOGIN_RELINK=allow, or \"relink\": true in a bulk upsert)"
    )]
    LoginConflict { user: String },
    #[error("user {user} still not visible to {operation} after {waited:?} (QuickSight eventual consistency)")]
    NotYetVisible {
        user: String,
        operation: &'static str,
        waited: Duration,
    },
}

/// The codes the engine treats as answers rather than failures.
pub(crate) const NOT_FOUND: &str = "ResourceNotFoundException";
pub(crate) const EXISTS: &str = "ResourceExistsException";

/// QuickSight error codes that mean "try again later", not "this change is wrong".
const TRANSIENT_CODES: [&str; 3] = [
    "ThrottlingException",
    "InternalFailureException",
    "ResourceUnavailableException",
];

impl EngineError {
    /// Whether the same change may succeed later (and so belongs back on a queue), as opposed to
    /// a change QuickSight refuses for good.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Invalid(_) | Self::Refused { .. } | Self::LoginConflict { .. } => false,
            Self::QuickSight { code, .. } => code.is_empty() || TRANSIENT_CODES.contains(&code.as_str()),
            Self::DeadlineExceeded { .. } | Self::NotYetVisible { .. } => true,
        }
    }

    /// A change this deployment must not apply: it fails for good, alone.
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::Refused { .. } | Self::LoginConflict { .. })
    }

    /// The QuickSight error code, if QuickSight answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::QuickSight { code, .. } if !code.is_empty() => Some(code),
            _ => None,
        }
    }
}

/// The error code of an SDK error; empty when QuickSight never answered (time-out, connection).
pub(crate) fn code_of<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> &str {
    match err {
        SdkError::ServiceError(e) => e.err().code().unwrap_or_default(),
        _ => "",
    }
}

pub(crate) fn from_sdk<E, R>(operation: &'static str, err: SdkError<E, R>) -> EngineError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = code_of(&err).to_owned();
    let message = match &err {
        SdkError::ServiceError(e) => e.err().message().unwrap_or_default().to_owned(),
        other => DisplayErrorContext(other).to_string(),
    };
    EngineError::QuickSight {
        operation,
        code,
        message,
    }
}
