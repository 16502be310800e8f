//! The two snapshots a reconcile compares, read page by page: the directory (a Cognito user pool
//! or an export file) and QuickSight (its users and the members of the groups that matter).

mod cognito;
mod export;
mod quicksight;

pub use cognito::{cognito, writable_clients};
pub use export::export;
pub use quicksight::quicksight;

/// Told, as a read goes, what it is reading and how many it has read so far (a progress bar).
pub type Progress<'a> = &'a (dyn Fn(&str, usize) + Sync);
