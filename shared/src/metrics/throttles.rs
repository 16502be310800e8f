//! QuickSight calls answered 429, counted as the SDK sees them (its retries included), for the
//! `ThrottledCalls` metric. One count per process: a Lambda instance runs one invocation at a time.

use std::sync::atomic::{AtomicU64, Ordering};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

static THROTTLED: AtomicU64 = AtomicU64::new(0);

/// The calls throttled since the last call to this.
pub fn take_throttled() -> u64 {
    THROTTLED.swap(0, Ordering::Relaxed)
}

/// Counts every attempt QuickSight answers 429.
#[derive(Debug, Default)]
pub struct ThrottleCounter;

impl Intercept for ThrottleCounter {
    fn name(&self) -> &'static str {
        "ThrottleCounter"
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if context.response().status().as_u16() == 429 {
            THROTTLED.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}
