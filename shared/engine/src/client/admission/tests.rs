//! The pace alone, then instances sharing one simulated QuickSight limit (a token bucket that
//! starts full and answers 429 when empty, as QuickSight and `quicksight-local` do), in tokio's
//! paused time so minutes of traffic run in milliseconds and every run is the same.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use super::*;

/// One call through `admission`, answered 429 when `throttled`.
async fn call(admission: &Admission, kind: CallKind, throttled: bool) {
    let ticket = admission.admit(kind).await;
    admission.answered(ticket, throttled);
}

#[tokio::test(start_paused = true)]
async fn nothing_waits_until_the_first_429() {
    let admission = Admission::default();
    let start = Instant::now();
    for _ in 0..100 {
        call(&admission, CallKind::Write, false).await;
    }
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(admission.rate(CallKind::Write), None);
}

#[tokio::test(start_paused = true)]
async fn the_first_429_sets_the_pace_to_what_was_admitted_in_the_last_second() {
    let admission = Admission::default();
    for _ in 0..20 {
        call(&admission, CallKind::Write, false).await;
        tokio::time::advance(Duration::from_millis(100)).await;
    }
    call(&admission, CallKind::Write, true).await;

    assert_eq!(admission.rate(CallKind::Write), Some(10.0));
    assert_eq!(admission.rate(CallKind::Read), None, "reads have their own pace");
    // Ten a second: the next calls are spaced 100 ms apart.
    let start = Instant::now();
    for _ in 0..3 {
        admission.admit(CallKind::Write).await;
    }
    assert_eq!(start.elapsed(), Duration::from_millis(300));
}

#[tokio::test(start_paused = true)]
async fn calls_sent_before_a_decrease_do_not_decrease_it_again() {
    let admission = Admission::default();
    let tickets = [
        admission.admit(CallKind::Write).await,
        admission.admit(CallKind::Write).await,
    ];
    admission.answered(tickets[0], true);
    let first = admission.rate(CallKind::Write).unwrap();
    admission.answered(tickets[1], true);
    assert_eq!(admission.rate(CallKind::Write), Some(first));

    assert_eq!(first, FIRST_RATE_FLOOR, "nothing admitted before the first 429");
    call(&admission, CallKind::Write, true).await;
    assert_eq!(admission.rate(CallKind::Write), Some(first * DECREASE));
}

#[tokio::test(start_paused = true)]
async fn the_pace_grows_while_calls_are_admitted() {
    let admission = Admission::default();
    for _ in 0..5 {
        call(&admission, CallKind::Read, false).await;
    }
    call(&admission, CallKind::Read, true).await;
    assert_eq!(admission.rate(CallKind::Read), Some(5.0));
    for _ in 0..10 {
        call(&admission, CallKind::Read, false).await;
    }
    // Ten calls at 5/s and growing: about two seconds, so about two more a second.
    let rate = admission.rate(CallKind::Read).unwrap();
    assert!((6.5..7.5).contains(&rate), "{rate}");
}

/// A QuickSight limit: `rate` calls a second, a bucket of one second's worth that starts full.
struct Limit {
    rate: f64,
    bucket: Mutex<(f64, Instant)>,
    admitted: [AtomicU64; 2],
    throttled: AtomicU64,
}

impl Limit {
    fn new(rate: f64) -> Self {
        Self {
            rate,
            bucket: Mutex::new((rate, Instant::now())),
            admitted: Default::default(),
            throttled: AtomicU64::new(0),
        }
    }

    fn call(&self, instance: usize) -> bool {
        let mut bucket = self.bucket.lock().unwrap();
        let (tokens, last) = &mut *bucket;
        let now = Instant::now();
        *tokens = (*tokens + (now - *last).as_secs_f64() * self.rate).min(self.rate);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            self.admitted[instance].fetch_add(1, Ordering::Relaxed);
            true
        } else {
            self.throttled.fetch_add(1, Ordering::Relaxed);
            false
        }
    }
}

/// Two instances of four workers each, the second starting `stagger` after the first, calling
/// until `end`; what each instance got admitted in the second half.
async fn share(rate: f64, stagger: Duration, end: Duration) -> (Arc<Limit>, [u64; 2]) {
    let limit = Arc::new(Limit::new(rate));
    let start = Instant::now();
    let mut workers = Vec::new();
    let mut halfway = Vec::new();
    for instance in 0..2 {
        let admission = Arc::new(Admission::default());
        for _ in 0..4 {
            let (limit, admission) = (limit.clone(), admission.clone());
            let begin = start + stagger * instance as u32;
            workers.push(tokio::spawn(async move {
                tokio::time::sleep_until(begin).await;
                while start.elapsed() < end {
                    let ticket = admission.admit(CallKind::Write).await;
                    tokio::time::sleep(Duration::from_millis(1)).await; // the network, both ways
                    let admitted = limit.call(instance);
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    admission.answered(ticket, !admitted);
                }
            }));
        }
    }
    let snapshot = limit.clone();
    halfway.push(tokio::spawn(async move {
        tokio::time::sleep_until(start + end / 2).await;
        [0, 1].map(|i| snapshot.admitted[i].load(Ordering::Relaxed))
    }));
    for worker in workers {
        worker.await.unwrap();
    }
    let half = halfway.pop().unwrap().await.unwrap();
    let second_half = [0, 1].map(|i| limit.admitted[i].load(Ordering::Relaxed) - half[i]);
    (limit, second_half)
}

#[tokio::test(start_paused = true)]
async fn instances_sharing_a_limit_use_all_of_it_in_equal_shares() {
    for rate in [5.0, 20.0, 100.0] {
        for stagger in [Duration::ZERO, Duration::from_secs(20)] {
            let end = Duration::from_secs(240);
            let (limit, second_half) = share(rate, stagger, end).await;
            let admitted: u64 = limit.admitted.iter().map(|a| a.load(Ordering::Relaxed)).sum();
            let ceiling = rate * (end.as_secs_f64() + 1.0);
            let used = admitted as f64 / ceiling;
            let first_share = second_half[0] as f64 / second_half.iter().sum::<u64>() as f64;
            let throttled = limit.throttled.load(Ordering::Relaxed);
            let context = format!(
                "{rate}/s, second instance {stagger:?} later: {used:.3} of the ceiling, first instance's share {first_share:.2}, {throttled} throttled"
            );
            assert!(used >= 0.95, "{context}");
            assert!((0.4..=0.6).contains(&first_share), "{context}");
            // Probing costs some 429s, far fewer than the calls admitted (each is one cheap answer).
            assert!(throttled < admitted, "{context}");
        }
    }
}

/// QuickSight answering 429 `throttles` times, then 200; counts the requests it saw.
#[derive(Debug, Clone, Default)]
struct ThrottlingThenOk {
    throttles: u64,
    seen: Arc<AtomicU64>,
}

impl aws_smithy_runtime_api::client::http::HttpConnector for ThrottlingThenOk {
    fn call(
        &self,
        _request: aws_smithy_runtime_api::client::orchestrator::HttpRequest,
    ) -> aws_smithy_runtime_api::client::http::HttpConnectorFuture {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        let (status, body) = if n < self.throttles {
            (429, r#"{"Message":"Rate exceeded"}"#)
        } else {
            (200, r#"{"Status":201,"RequestId":"r"}"#)
        };
        let mut response = aws_smithy_runtime_api::http::Response::new(status.try_into().unwrap(), body.into());
        if status == 429 {
            response.headers_mut().insert("x-amzn-ErrorType", "ThrottlingException");
        }
        aws_smithy_runtime_api::client::http::HttpConnectorFuture::ready(Ok(response))
    }
}

#[tokio::test(start_paused = true)]
async fn a_throttled_call_is_sent_again_after_its_slot_without_using_an_attempt() {
    use aws_sdk_quicksight::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_quicksight::types::{IdentityType, UserRole};

    let quicksight = ThrottlingThenOk {
        throttles: 5,
        ..Default::default()
    };
    let admission = Arc::new(Admission::default());
    let https = aws_smithy_runtime_api::client::http::SharedHttpConnector::new(quicksight.clone());
    let inner = aws_smithy_runtime_api::client::http::http_client_fn(move |_, _| https.clone());
    let config = aws_sdk_quicksight::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "test"))
        .http_client(AdmittedHttpClient::new(inner, admission.clone()));
    // One attempt: any 429 reaching the SDK would fail the call.
    let config = crate::with_retries(config, 1, qs_model::config::RetryMode::Standard).build();
    let client = aws_sdk_quicksight::Client::from_conf(config);

    let registered = client
        .register_user()
        .aws_account_id("123456789012")
        .namespace("default")
        .identity_type(IdentityType::Quicksight)
        .email("a@example.com")
        .user_name("a")
        .user_role(UserRole::Reader)
        .send()
        .await;

    assert!(registered.is_ok(), "{registered:?}");
    assert_eq!(quicksight.seen.load(Ordering::SeqCst), 6);
    assert!(admission.rate(CallKind::Write).is_some(), "the 429s set the pace");
}

#[test]
fn searches_are_reads_though_they_are_posts() {
    let rows = [
        ("GET", "/accounts/1/namespaces/default/users/a", CallKind::Read),
        ("POST", "/accounts/1/search/dashboards", CallKind::Read),
        ("POST", "/accounts/1/namespaces/default/groups-search", CallKind::Read),
        ("POST", "/accounts/1/namespaces/default/users", CallKind::Write),
        (
            "PUT",
            "/accounts/1/namespaces/default/groups/search/members/a",
            CallKind::Write,
        ),
        ("DELETE", "/accounts/1/namespaces/default/users/a", CallKind::Write),
    ];
    for (method, path, kind) in rows {
        assert_eq!(CallKind::of(method, path), kind, "{method} {path}");
    }
}
