//! Every way a SCIM request fails, as RFC 7644 §3.12 answers it (`status`, `scimType`, `detail`),
//! mapped from the engine's and the table's errors in one place.

use qs_engine::EngineError;
use qs_model::user::Refusal;
use qs_model::validate::ValidationErrors;
use serde_json::{Value, json};

use crate::protocol::ERROR_SCHEMA;

/// RFC 7644 §3.12's `scimType` values this service answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScimType {
    InvalidFilter,
    Uniqueness,
    Mutability,
    InvalidSyntax,
    InvalidPath,
    NoTarget,
    InvalidValue,
}

impl ScimType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidFilter => "invalidFilter",
            Self::Uniqueness => "uniqueness",
            Self::Mutability => "mutability",
            Self::InvalidSyntax => "invalidSyntax",
            Self::InvalidPath => "invalidPath",
            Self::NoTarget => "noTarget",
            Self::InvalidValue => "invalidValue",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScimError {
    /// 400 with a `scimType`.
    #[error("{detail}")]
    BadRequest { scim_type: ScimType, detail: String },
    /// No bearer token, or not this deployment's: 401, and nothing else is said.
    #[error("unauthorized")]
    Unauthorized,
    #[error("{0}")]
    NotFound(String),
    /// 409 `uniqueness`.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    /// QuickSight or the table throttled, was not ready, or did not answer: 429 or 503 with
    /// `Retry-After`; the client repeats the request (every write is idempotent).
    #[error("{detail}")]
    Unavailable { status: u16, detail: String },
    /// A refusal for good that is no client mistake (an asset owner under ASSET_HANDOVER=refuse): 409.
    #[error("{0}")]
    Refused(String),
    /// Configuration or a bug: 500, the detail in the log only.
    #[error("{0}")]
    Internal(String),
}

/// Seconds a client waits before repeating a request QuickSight or the table could not serve.
pub const RETRY_AFTER_SECONDS: u32 = 2;

impl ScimError {
    pub fn bad(scim_type: ScimType, detail: impl Into<String>) -> Self {
        Self::BadRequest {
            scim_type,
            detail: detail.into(),
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest { .. } => 400,
            Self::Unauthorized => 401,
            Self::NotFound(_) => 404,
            Self::MethodNotAllowed(_) => 405,
            Self::Conflict(_) | Self::Refused(_) => 409,
            Self::Unavailable { status, .. } => *status,
            Self::Internal(_) => 500,
        }
    }

    fn scim_type(&self) -> Option<&'static str> {
        match self {
            Self::BadRequest { scim_type, .. } => Some(scim_type.as_str()),
            Self::Conflict(_) => Some(ScimType::Uniqueness.as_str()),
            _ => None,
        }
    }

    /// The error resource of RFC 7644 §3.12. A 401 says nothing (RFC 6750 §3.1 leaves the body
    /// empty); a 500 says only that it failed (the log has why).
    pub fn body(&self) -> Option<Value> {
        let detail = match self {
            Self::Unauthorized => return None,
            Self::Internal(_) => "the request failed inside the service; its log has the reason".to_owned(),
            other => other.to_string(),
        };
        let mut body = json!({ "schemas": [ERROR_SCHEMA], "status": self.status().to_string(), "detail": detail });
        if let Some(scim_type) = self.scim_type() {
            body["scimType"] = json!(scim_type);
        }
        Some(body)
    }

    pub fn retry_after(&self) -> Option<u32> {
        matches!(self, Self::Unavailable { .. }).then_some(RETRY_AFTER_SECONDS)
    }
}

impl From<ValidationErrors> for ScimError {
    fn from(errors: ValidationErrors) -> Self {
        Self::bad(ScimType::InvalidValue, errors.to_string())
    }
}

impl From<EngineError> for ScimError {
    fn from(error: EngineError) -> Self {
        match &error {
            EngineError::Invalid(errors) => Self::bad(ScimType::InvalidValue, errors.to_string()),
            EngineError::Refused(refusal @ Refusal::LoginConflict { .. }) => Self::Conflict(refusal.to_string()),
            EngineError::Refused(Refusal::UnknownTenant { .. } | Refusal::NamespaceUnusable { .. }) => {
                Self::bad(ScimType::InvalidValue, error.to_string())
            }
            EngineError::Refused(refusal) => Self::Refused(refusal.to_string()),
            EngineError::QuickSight { code: Some(code), .. } if code == "ThrottlingException" => Self::Unavailable {
                status: 429,
                detail: error.summary(),
            },
            EngineError::QuickSight { code: Some(code), .. } if code == "ResourceExistsException" => {
                Self::Conflict(error.summary())
            }
            EngineError::QuickSight { code: Some(code), .. }
                if matches!(
                    code.as_str(),
                    "InvalidParameterValueException" | "PreconditionNotMetException"
                ) =>
            {
                Self::bad(ScimType::InvalidValue, error.summary())
            }
            _ if error.is_transient() => Self::Unavailable {
                status: 503,
                detail: error.summary(),
            },
            _ => Self::Internal(error.summary()),
        }
    }
}

#[cfg(test)]
mod tests {
    use qs_engine::EngineError;
    use qs_model::user::Refusal;

    use super::ScimError;

    fn quicksight(code: Option<&str>) -> EngineError {
        EngineError::QuickSight {
            operation: "RegisterUser",
            code: code.map(str::to_owned),
            message: "QuickSight's own words".into(),
        }
    }

    #[test]
    fn quicksight_answers_map_to_scim_statuses() {
        let table = [
            (quicksight(Some("ThrottlingException")), 429, None, Some(2)),
            (quicksight(Some("InternalFailureException")), 503, None, Some(2)),
            (quicksight(None), 503, None, Some(2)),
            (
                quicksight(Some("ResourceExistsException")),
                409,
                Some("uniqueness"),
                None,
            ),
            (
                quicksight(Some("InvalidParameterValueException")),
                400,
                Some("invalidValue"),
                None,
            ),
            (quicksight(Some("AccessDeniedException")), 500, None, None),
            (
                EngineError::Refused(Refusal::LoginConflict { user: "u".into() }),
                409,
                Some("uniqueness"),
                None,
            ),
            (
                EngineError::Refused(Refusal::OwnsAssets {
                    user: "u".into(),
                    assets: [(qs_model::assets::AssetKind::Dashboard, 1)].into(),
                }),
                409,
                None,
                None,
            ),
            (
                EngineError::DeadlineExceeded { operation: "provision" },
                503,
                None,
                Some(2),
            ),
        ];
        for (engine, status, scim_type, retry_after) in table {
            let what = engine.to_string();
            let error = ScimError::from(engine);
            assert_eq!(error.status(), status, "{what}");
            let body = error.body().unwrap();
            assert_eq!(body["scimType"].as_str(), scim_type, "{what}");
            assert_eq!(body["status"], status.to_string(), "{what}");
            assert_eq!(error.retry_after(), retry_after, "{what}");
            assert!(
                !body["detail"].as_str().unwrap().contains("own words"),
                "no SDK text: {body}"
            );
        }
    }
}
