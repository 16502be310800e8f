use aws_sdk_sqs::Client;
use aws_sdk_sqs::operation::send_message_batch::SendMessageBatchOutput;
use aws_sdk_sqs::types::{BatchResultErrorEntry, SendMessageBatchResultEntry};
use aws_smithy_mocks::{RuleMode, mock};
use qs_model::message::Change;
use qs_testing::mocked_sqs;

use super::{NotSent, Outgoing, send_all};

fn delete(email: &str) -> Change {
    Change::parse(&format!(r#"{{"op":"delete","version":1,"email":"{email}"}}"#)).unwrap()
}

/// Rows after an invalid one: a row SQS refuses is reported by its line in the file, not by its
/// position among the valid rows.
#[tokio::test(start_paused = true)]
async fn a_row_sqs_refuses_is_reported_by_its_line_in_the_file() {
    // The first call: the first entry taken, the second refused; then the second refused for good.
    let refused = || {
        BatchResultErrorEntry::builder()
            .id("1")
            .code("InvalidParameterValue")
            .sender_fault(true)
            .message("refused")
            .build()
            .unwrap()
    };
    let first_call = mock!(Client::send_message_batch)
        .match_requests(|r| r.entries().len() == 2)
        .then_output(move || {
            let taken = SendMessageBatchResultEntry::builder()
                .id("0")
                .message_id("m")
                .md5_of_message_body("x");
            SendMessageBatchOutput::builder()
                .successful(taken.build().unwrap())
                .failed(refused())
                .build()
                .unwrap()
        });
    let retries = mock!(Client::send_message_batch)
        .match_requests(|r| r.entries().len() == 1 && r.entries()[0].id() == "1")
        .sequence()
        .output(move || {
            SendMessageBatchOutput::builder()
                .set_successful(Some(Vec::new()))
                .failed(refused())
                .build()
                .unwrap()
        })
        .repeatedly()
        .build();
    let (a, b) = (delete("ana@example.com"), delete("bo@example.com"));
    // Lines 1 (header) and 2 (an invalid row) are not sent.
    let rows = [
        Outgoing {
            line: 3,
            change: &a,
            submission: "f:3".into(),
        },
        Outgoing {
            line: 4,
            change: &b,
            submission: "f:4".into(),
        },
    ];

    let sent = send_all(
        &mocked_sqs(&[&first_call, &retries], RuleMode::MatchAny),
        "https://queue",
        &rows,
        &|_| {},
    )
    .await;

    assert_eq!(
        sent.failed,
        [NotSent {
            line: 4,
            error: "refused".into()
        }]
    );
    assert_eq!(sent.sent, 1);
    assert_eq!(retries.num_calls(), 4, "the refused row was tried five times in all");
}
