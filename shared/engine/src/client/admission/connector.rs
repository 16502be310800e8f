//! The HTTP client under the QuickSight SDK client: every request waits for its send slot, and a
//! 429 is sent again after the next one instead of going back to the SDK, where it would use up
//! one of the change's attempts (`QUICKSIGHT_MAX_ATTEMPTS` counts real failures).

use std::sync::Arc;
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use qs_observe::metrics::record_throttled;
use tokio::time::Instant;

use super::{Admission, CallKind};

/// How long a signed request may be sent again. SigV4 signatures are accepted for five minutes;
/// after this the 429 goes back to the SDK, which signs the retry anew (and counts an attempt).
const RESEND_WINDOW: Duration = Duration::from_secs(240);

/// `inner` (the SDK's own HTTPS client) with every request admitted through `admission`.
#[derive(Debug, Clone)]
pub struct AdmittedHttpClient {
    inner: SharedHttpClient,
    admission: Arc<Admission>,
}

impl AdmittedHttpClient {
    pub fn new(inner: SharedHttpClient, admission: Arc<Admission>) -> Self {
        Self { inner, admission }
    }
}

impl HttpClient for AdmittedHttpClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        SharedHttpConnector::new(AdmittedConnector {
            inner: self.inner.http_connector(settings, components),
            admission: self.admission.clone(),
        })
    }
}

#[derive(Debug)]
struct AdmittedConnector {
    inner: SharedHttpConnector,
    admission: Arc<Admission>,
}

impl HttpConnector for AdmittedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, admission) = (self.inner.clone(), self.admission.clone());
        HttpConnectorFuture::new(async move {
            let kind = CallKind::of(request.method(), request.uri().split('?').next().unwrap_or_default());
            let signed = Instant::now();
            let mut request = request;
            loop {
                let ticket = admission.admit(kind).await;
                // A copy to send again, inside the window and for a body that can be copied (all of
                // QuickSight's); without one this send is the last, as the SDK's would be.
                let again = request.try_clone().filter(|_| signed.elapsed() < RESEND_WINDOW);
                let response = inner.call(request).await?;
                let throttled = response.status().as_u16() == 429;
                if throttled {
                    record_throttled();
                }
                admission.answered(ticket, throttled);
                match again {
                    Some(copy) if throttled => request = copy,
                    _ => return Ok(response),
                }
            }
        })
    }
}
