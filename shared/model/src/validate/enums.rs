use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::FieldError;

/// The QuickSight roles this product grants. `RESTRICTED_*` exist in the model but are refused:
/// QuickSight does not offer them to customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum UserRole {
    // Declared from least to most privileged, so `max` picks the highest.
    Reader,
    ReaderPro,
    Author,
    AuthorPro,
    Admin,
    AdminPro,
}

impl UserRole {
    pub const ALL: [UserRole; 6] = [
        Self::Reader,
        Self::ReaderPro,
        Self::Author,
        Self::AuthorPro,
        Self::Admin,
        Self::AdminPro,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reader => "READER",
            Self::ReaderPro => "READER_PRO",
            Self::Author => "AUTHOR",
            Self::AuthorPro => "AUTHOR_PRO",
            Self::Admin => "ADMIN",
            Self::AdminPro => "ADMIN_PRO",
        }
    }

    /// A reader's role, which QuickSight's UpdateUser refuses to give an author or an admin.
    pub fn is_reader(self) -> bool {
        matches!(self, Self::Reader | Self::ReaderPro)
    }

    /// Parses a role as QuickSight spells it, naming `field` in the error.
    pub fn parse(field: &str, v: &str) -> Result<Self, FieldError> {
        if let Some(role) = Self::ALL.into_iter().find(|r| r.as_str() == v) {
            return Ok(role);
        }
        let rule = if v.starts_with("RESTRICTED_") {
            "RESTRICTED_* roles are not offered by QuickSight; use READER, AUTHOR or ADMIN (or their _PRO forms)"
        } else {
            "must be one of ADMIN, AUTHOR, READER, ADMIN_PRO, AUTHOR_PRO, READER_PRO"
        };
        Err(FieldError::new(field, rule, v))
    }
}

impl fmt::Display for UserRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UserRole {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse("UserRole", s)
    }
}

impl TryFrom<String> for UserRole {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<UserRole> for &'static str {
    fn from(r: UserRole) -> Self {
        r.as_str()
    }
}

/// Which external login QuickSight ties a federated user to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProviderKind {
    Cognito,
    CustomOidc,
    #[default]
    None,
}

impl ProviderKind {
    pub fn parse(field: &str, v: &str) -> Result<Self, FieldError> {
        match v {
            "COGNITO" => Ok(Self::Cognito),
            "CUSTOM_OIDC" => Ok(Self::CustomOidc),
            "NONE" => Ok(Self::None),
            _ => Err(FieldError::new(field, "must be COGNITO, CUSTOM_OIDC or NONE", v)),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cognito => "COGNITO",
            Self::CustomOidc => "CUSTOM_OIDC",
            Self::None => "NONE",
        }
    }
}
