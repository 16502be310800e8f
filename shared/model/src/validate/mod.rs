//! Every value this product sends to QuickSight, checked against the API model's own rules before
//! any call is made.

mod enums;
mod error;
pub mod fields;
mod profile;
mod session_name;
mod user;

pub use enums::{ProviderKind, UserRole};
pub use error::{FieldError, ValidationErrors};
pub use profile::{Profile, ProfileChange};
pub use session_name::derive_session_name;
pub use user::{ExternalLogin, UserSpec};
