//! A "user not found" is final only after QuickSight's consistency window: a user another process
//! registered moments ago is not there to DescribeUser yet, and a delete that trusted that 404
//! would be acknowledged without having happened.

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::operation::delete_user::DeleteUserOutput;
use aws_smithy_mocks::{Rule, mock};
use tokio::time::{Duration, Instant};

use qs_testing::{self as testing, quicksight_error};

use super::{USER, deadline, describe_existing, engine, no_assets};
use crate::{EngineError, UserChange};

/// The engine's window in these tests (see `engine_with`).
const WINDOW: Duration = Duration::from_secs(2);

/// DescribeUser answering 404 `times` times (`usize::MAX`: always).
pub(super) fn not_found(times: usize) -> Rule {
    mock!(Client::describe_user)
        .match_requests(|r| r.user_name() == Some(USER))
        .sequence()
        .http_response(|| quicksight_error(404, "ResourceNotFoundException"))
        .times(times)
        .build()
}

fn deleted() -> Rule {
    mock!(Client::delete_user).then_output(|| DeleteUserOutput::builder().build())
}

#[tokio::test(start_paused = true)]
async fn a_user_registered_elsewhere_moments_ago_is_deleted_not_reported_gone() {
    // Another process registered the user; QuickSight shows it on the third read.
    let (hidden, visible, delete) = (
        not_found(2),
        describe_existing(aws_sdk_quicksight::types::UserRole::Reader),
        deleted(),
    );
    let [a, b, c, d, e] = no_assets();
    let engine = engine(&[&hidden, &visible, &a, &b, &c, &d, &e, &delete], false);

    let outcome = engine.delete_user(&testing::home(), USER, deadline()).await.unwrap();

    assert_eq!(outcome.user, UserChange::Deleted);
    assert_eq!(delete.num_calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_user_already_gone_is_success_once_the_window_has_passed() {
    let absent = not_found(usize::MAX);
    let engine = engine(&[&absent], false);
    let started = Instant::now();

    let outcome = engine.delete_user(&testing::home(), USER, deadline()).await.unwrap();

    assert_eq!(outcome.user, UserChange::NotFound);
    assert!(
        started.elapsed() >= WINDOW,
        "trusted a 404 after {:?}",
        started.elapsed()
    );
    // Backoff from 100 ms, doubling, the last read at the window's end: 0, .1, .3, .7, 1.5, 2 s.
    assert_eq!(absent.num_calls(), 6);
}

#[tokio::test(start_paused = true)]
async fn a_window_the_deadline_cannot_wait_out_returns_the_change_to_the_queue() {
    let absent = not_found(usize::MAX);
    let engine = engine(&[&absent], false);

    let error = engine
        .delete_user(&testing::home(), USER, Instant::now() + Duration::from_secs(1))
        .await
        .unwrap_err();

    assert!(
        matches!(
            error,
            EngineError::NotYetVisible {
                operation: "DescribeUser",
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_transient());
}
