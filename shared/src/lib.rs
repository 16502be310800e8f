//! qs-provision: provision Amazon QuickSight federated users (IAM role + session name, with an
//! external login) from sign-ups and queued bulk changes.
//!
//! Without the QuickSight SDK (always built):
//! - [`validate`]: every value checked against the QuickSight API model's rules.
//! - [`config`]: the typed configuration read once from the environment.
//! - [`message`]: the queued-change format, checked and planned.
//! - [`signup`]: a signing-up user turned into that format.
//!
//! With the `engine` feature (the functions):
//! - [`engine`]: register-or-update, group sync and delete on `aws-sdk-quicksight`.
//! - [`batch`]: applying a batch of queued changes; [`logging`] and [`runtime`]: Lambda start-up.

pub mod config;
pub mod existing;
pub mod hash;
pub mod message;
pub mod reconcile;
pub mod signup;
pub mod validate;

#[cfg(feature = "engine")]
pub mod batch;
#[cfg(feature = "engine")]
pub mod engine;
#[cfg(feature = "engine")]
pub mod logging;
#[cfg(feature = "engine")]
pub mod metrics;
#[cfg(feature = "queue")]
pub mod queue;
#[cfg(feature = "engine")]
pub mod runtime;
#[cfg(feature = "queue")]
mod sdk_error;
#[cfg(any(all(test, feature = "engine"), feature = "testing"))]
pub mod testing;

pub use config::Config;
#[cfg(feature = "engine")]
pub use engine::{Engine, EngineError, Outcome};
pub use validate::{UserSpec, ValidationErrors};
