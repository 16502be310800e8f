use std::time::Duration;

use aws_sdk_quicksight::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use qs_model::user::Refusal;
use qs_model::validate::ValidationErrors;

/// Why an engine operation did not finish.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("invalid input: {0}")]
    Invalid(#[from] ValidationErrors),
    #[error("QuickSight {operation} failed: {}: {message}", code.as_deref().unwrap_or("no answer"))]
    QuickSight {
        operation: &'static str,
        /// QuickSight's error code; `None` when it never answered (time-out, connection).
        code: Option<String>,
        message: String,
    },
    #[error("deadline reached before {operation} finished")]
    DeadlineExceeded { operation: &'static str },
    /// A change this deployment must not apply (a role downgrade under ROLE_DOWNGRADE=fail, a
    /// login another identity holds): it fails for good, alone.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// A grant of a leaver's asset did not show in its permissions: the user stays, and the
    /// change is tried again (grants are idempotent).
    #[error("the {kind} {id} was granted to {to}, but its permissions do not show it yet; the user is not deleted")]
    HandoverNotConfirmed {
        kind: qs_model::assets::AssetKind,
        id: String,
        to: String,
    },
    /// A tenant's namespace is still being created: the change finishes later.
    #[error("namespace {namespace} is not ready yet ({status}); the change is retried later")]
    NamespaceNotReady { namespace: String, status: String },
    /// QuickSight answers user management only in its identity region, and was called elsewhere
    /// (followed once per process when QUICKSIGHT_IDENTITY_REGION is unset).
    #[error(
        "QuickSight's identity region is {identity}, but it was called in {called}: set QUICKSIGHT_IDENTITY_REGION={identity}"
    )]
    IdentityRegion { called: String, identity: String },
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
            Self::Invalid(_) | Self::Refused(_) | Self::IdentityRegion { .. } => false,
            Self::QuickSight { code: None, .. } => true,
            Self::QuickSight { code: Some(code), .. } => TRANSIENT_CODES.contains(&code.as_str()),
            Self::DeadlineExceeded { .. }
            | Self::NotYetVisible { .. }
            | Self::NamespaceNotReady { .. }
            | Self::HandoverNotConfirmed { .. } => true,
        }
    }

    /// A change this deployment must not apply: it fails for good, alone.
    pub fn is_refusal(&self) -> bool {
        matches!(self, Self::Refused(_))
    }

    /// The error in this project's words: QuickSight's own message (SDK text, which may change or
    /// echo values) left out, its code kept. For answers and error lines; the full text is for debug.
    pub fn summary(&self) -> String {
        match self {
            Self::QuickSight { operation, code, .. } => {
                format!(
                    "QuickSight {operation} failed: {}",
                    code.as_deref().unwrap_or("no answer")
                )
            }
            other => other.to_string(),
        }
    }

    /// The QuickSight error code, if QuickSight answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::QuickSight { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// The error code of an SDK error; `None` when QuickSight never answered (time-out, connection).
pub(crate) fn code_of<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    match err {
        SdkError::ServiceError(e) => e.err().code(),
        _ => None,
    }
}

/// An SDK error as the engine reports it, naming the operation.
pub fn from_sdk<E, R>(operation: &'static str, err: SdkError<E, R>) -> EngineError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = code_of(&err).map(str::to_owned);
    let message = match &err {
        SdkError::ServiceError(e) => e.err().message().unwrap_or_default().to_owned(),
        other => DisplayErrorContext(other).to_string(),
    };
    if code.as_deref() == Some("AccessDeniedException")
        && let Some((called, identity)) = crate::client::identity_region_hint(&message)
    {
        return EngineError::IdentityRegion { called, identity };
    }
    EngineError::QuickSight {
        operation,
        code,
        message,
    }
}
