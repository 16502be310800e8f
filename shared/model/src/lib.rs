//! qs-model: what every qs-provision binary shares, with no AWS SDK (qs-enqueue builds on this
//! crate alone, so it cannot pull QuickSight in).
//!
//! - [`account`]: how the account's users sign in, and whether IAM federation can work there.
//! - [`assets`]: a leaver's assets and what happens to them before a deletion.
//! - [`embed`]: what an embed URL opens (`EMBED_*`).
//! - [`validate`]: every value checked against the QuickSight API model's rules.
//! - [`config`]: the typed configuration read once from the environment.
//! - [`message`]: the queued-change format, checked and planned.
//! - [`signup`]: a signing-up user turned into that format.
//! - [`tenant`]: tenants, and the namespace and role ([`tenant::Home`]) each change's user lives in.
//! - [`user`]: a QuickSight user as read, and [`user::decide`], the one decision of what a change
//!   does to it (the engine and the reconcile planner both ask it).
//! - [`outcome`]: what an operation did to a user, as logged and counted.

pub mod account;
pub mod assets;
pub mod config;
pub mod embed;
pub mod hash;
pub mod message;
pub mod outcome;
pub mod signup;
pub mod tenant;
pub mod user;
pub mod validate;

pub use config::Config;
pub use validate::{UserSpec, ValidationErrors};
