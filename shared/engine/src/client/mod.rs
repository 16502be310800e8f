//! The one QuickSight client a function builds at cold start, with the SDK's own retries.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_quicksight::config::Builder;
use aws_smithy_runtime::client::retries::{RetryPartition, TokenBucket};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction, RetryClassifierPriority};
use aws_smithy_types::retry::RetryConfig;

mod admission;
mod https;
mod region;

use admission::AdmittedHttpClient;
pub use https::HttpsGet;
use https::{check_ca_bundle, https_client};
use qs_model::config::{Config, ConfigError, RetryMode as Mode};
pub use region::{RegionalClient, identity_region_hint};

/// The SDK's own configuration chain, loaded once per process for all of its clients, which share
/// one [`https_client`]. Fails when `AWS_CA_BUNDLE` holds a certificate TLS cannot trust.
pub async fn load_sdk_config(config: &Config) -> Result<SdkConfig, ConfigError> {
    if let Some(bundle) = &config.ca_bundle {
        check_ca_bundle(bundle)?;
    }
    Ok(aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client(config.ca_bundle.as_ref()))
        .load()
        .await)
}

/// Builds the client from `sdk` (so `AWS_ENDPOINT_URL_QUICKSIGHT` or `AWS_ENDPOINT_URL` points it
/// at a local emulator with no code of ours), in `QUICKSIGHT_IDENTITY_REGION` when it is set. Its
/// requests go through one [`Admission`](super::admission::Admission) for the process.
pub fn build_client(sdk: &SdkConfig, config: &Config) -> aws_sdk_quicksight::Client {
    let mut builder = Builder::from(sdk);
    if let Some(region) = &config.identity_region {
        builder = builder.region(Region::new(region.clone()));
    }
    let https = sdk
        .http_client()
        .unwrap_or_else(|| https_client(config.ca_bundle.as_ref()));
    let builder = with_retries(builder, config.max_attempts, config.retry_mode)
        .http_client(AdmittedHttpClient::new(https, Default::default()));
    aws_sdk_quicksight::Client::from_conf(builder.build())
}

/// The SDK's retries in `mode` with `max_attempts`, and a classifier that keeps QuickSight's quota
/// error from being retried as if it were throttling. Under [`build_client`] the SDK sees no 429
/// (the admission layer sends those again); these settings are for a 429 that reaches it anyway.
pub fn with_retries(builder: Builder, max_attempts: u32, mode: Mode) -> Builder {
    let retry = match mode {
        Mode::Adaptive => RetryConfig::adaptive(),
        Mode::Standard => RetryConfig::standard(),
    };
    // The SDK's retry quota (500 tokens, 5 per retry) is a circuit breaker for outages. Bulk work
    // against a rate limit retries 429s by the thousand: it drained the quota and every later
    // throttled call failed at once (most changes dead-lettered at 5 requests/s in the benchmark).
    // Throttling retries are free here, bounded by max_attempts and paced by backoff; other retries
    // still pay.
    let quota = TokenBucket::builder().throttling_retry_cost(0).build();
    builder
        .retry_config(retry.with_max_attempts(max_attempts))
        .retry_partition(
            RetryPartition::custom("qs-provision-quicksight")
                .token_bucket(quota)
                .build(),
        )
        .retry_classifier(QuotaIsNotThrottling)
}

/// The SDK classifies `LimitExceededException` as throttling; QuickSight uses it for quotas (too
/// many users or groups), which no amount of retrying fixes.
#[derive(Debug)]
struct QuotaIsNotThrottling;

impl ClassifyRetry for QuotaIsNotThrottling {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let failed = matches!(ctx.output_or_error(), Some(Err(_)));
        match ctx.response() {
            Some(response) if failed && error_code(response).as_deref() == Some("LimitExceededException") => {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "QuickSightQuotaIsNotThrottling"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// The error code of a REST-JSON error response: the `x-amzn-ErrorType` header, else the body's
/// `__type` or `code`, without any namespace or trailing URL.
fn error_code(response: &aws_smithy_runtime_api::http::Response) -> Option<String> {
    let raw = response
        .headers()
        .get("x-amzn-errortype")
        .map(str::to_owned)
        .or_else(|| {
            let body: serde_json::Value = serde_json::from_slice(response.body().bytes()?).ok()?;
            body.get("__type")
                .or_else(|| body.get("code"))?
                .as_str()
                .map(str::to_owned)
        })?;
    let code = raw.split(':').next().unwrap_or_default();
    Some(code.rsplit('#').next().unwrap_or(code).to_owned())
}
