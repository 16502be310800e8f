//! qs-provision: provision Amazon QuickSight federated users (IAM role + session name, with an
//! external login) from sign-ups and queued bulk changes.
//!
//! - [`validate`]: every value checked against the QuickSight API model's rules.
//! - [`config`]: the typed configuration read once from the environment.
//! - [`engine`]: register-or-update, group sync and delete on `aws-sdk-quicksight`.
//! - [`message`]: the queued-change format; [`batch`]: applying a batch of them.

pub mod batch;
pub mod config;
pub mod engine;
pub mod message;
pub mod runtime;
pub mod signup;
pub mod validate;

pub use config::Config;
pub use engine::{Engine, EngineError, Outcome};
pub use validate::{UserSpec, ValidationErrors};
