//! The one HTTPS stack of a process: the client its AWS clients share (one connection pool), and
//! [`HttpsGet`] for what is not an AWS API (an OpenID provider's keys), on the same TLS settings
//! and trust store, read and parsed once.
//!
//! Two choices here cut a cold start's CPU, which Lambda rations by memory size (see the
//! benchmark): rustls runs on `ring`, whose random numbers come straight from the kernel (aws-lc,
//! the SDK's default, first seeds its generator from CPU jitter measurements: most of the CPU of a
//! cold start); and the system's certificates come from its one bundle file (the certificate
//! directory beside it holds the same certificates again, one file each).

use std::sync::OnceLock;
use std::time::Duration;

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use aws_smithy_http_client::{Builder, Connector, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::{HttpConnector, SharedHttpClient};
use aws_smithy_runtime_api::http::Request;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use aws_smithy_types::error::display::DisplayErrorContext;
use qs_model::config::{CaBundle, ConfigError, VarError};

/// Where Linux distributions keep the system's CA bundle (as OpenSSL's probe lists them).
const SYSTEM_BUNDLES: [&str; 6] = [
    "/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Arch
    "/etc/pki/tls/certs/ca-bundle.crt",                  // Amazon Linux (Lambda's provided.al2023), Fedora, RHEL
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // the same, where only this one exists
    "/etc/ssl/ca-bundle.pem",                            // openSUSE
    "/etc/pki/tls/cacert.pem",                           // OpenELEC
    "/etc/ssl/cert.pem",                                 // Alpine
];

/// The SDK's default HTTPS client (hyper, rustls, proxies from the environment) on `ring`,
/// trusting the system's certificates and `extra`'s (PEM, `AWS_CA_BUNDLE`).
pub fn https_client(extra: Option<&CaBundle>) -> SharedHttpClient {
    let tls = tls_context(extra);
    Builder::new().build_with_connector_fn(move |settings, components| {
        let mut connector = ConnectorBuilder::default()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .tls_context(tls.clone());
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// The process's trust store: the system's certificates and `extra`'s, read once for every client
/// given the same `extra` (a process reads its configuration, and so `AWS_CA_BUNDLE`, once).
fn tls_context(extra: Option<&CaBundle>) -> TlsContext {
    static FIRST: OnceLock<(Option<String>, TlsContext)> = OnceLock::new();
    let path = extra.map(|b| b.path.clone());
    let build = || {
        let mut trust = system_trust();
        if let Some(bundle) = extra {
            trust.add_pem_certificate(bundle.pem.as_slice());
        }
        TlsContext::builder()
            .with_trust_store(trust)
            .build()
            .expect("a TLS context is only a trust store")
    };
    let (first_path, first) = FIRST.get_or_init(|| (path.clone(), build()));
    if *first_path == path { first.clone() } else { build() }
}

/// GET requests on the process's HTTPS stack and trust store (`http://` too, for local stand-ins),
/// for documents that are not AWS APIs.
pub struct HttpsGet {
    connector: Connector,
    timeout: Duration,
}

impl HttpsGet {
    /// Every request fails after `timeout`, connection included.
    pub fn new(extra: Option<&CaBundle>, timeout: Duration) -> Self {
        let connector = ConnectorBuilder::default()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .tls_context(tls_context(extra))
            .build();
        Self { connector, timeout }
    }

    /// The body of a 2xx answer; any other answer or failure in words, without the URL.
    pub async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let mut request = Request::new(SdkBody::empty());
        request.set_uri(url).map_err(|_| "not a valid URL".to_owned())?;
        let exchange = async {
            let response = self.connector.call(request).await;
            let response = response.map_err(|e| DisplayErrorContext(&e).to_string())?;
            let status = response.status().as_u16();
            if !(200..300).contains(&status) {
                return Err(format!("HTTP status {status}"));
            }
            let body = ByteStream::new(response.into_body()).collect().await;
            body.map(|b| b.to_vec()).map_err(|e| e.to_string())
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| format!("no answer within {:?}", self.timeout))?
    }
}

/// The system's bundle file, or (with `SSL_CERT_FILE` or `SSL_CERT_DIR` set, or no known bundle)
/// whatever rustls-native-certs finds, as the SDK's default does.
fn system_trust() -> TrustStore {
    let chosen = std::env::var_os("SSL_CERT_FILE").is_some() || std::env::var_os("SSL_CERT_DIR").is_some();
    let bundle = (!chosen)
        .then(|| SYSTEM_BUNDLES.iter().find_map(|path| std::fs::read(path).ok()))
        .flatten();
    // A distribution's bundle is well-formed PEM of X.509 roots, which the TLS client requires of
    // files it is given (`AWS_CA_BUNDLE`'s are checked by `check_ca_bundle` first).
    match bundle {
        Some(pem) => TrustStore::empty().with_pem_certificate(pem),
        None => TrustStore::default(),
    }
}

/// Every certificate of `AWS_CA_BUNDLE` one a TLS client can trust: the HTTPS client would refuse
/// the whole file at its first connection otherwise. (The configuration decoded its PEM.)
pub fn check_ca_bundle(bundle: &CaBundle) -> Result<(), ConfigError> {
    for (n, certificate) in bundle.certificates.iter().enumerate() {
        webpki::anchor_from_trusted_cert(certificate).map_err(|e| {
            let rule = format!(
                "must hold X.509 certificates (certificate {}: {e}) (got {:?})",
                n + 1,
                bundle.path
            );
            ConfigError(vec![VarError {
                variable: "AWS_CA_BUNDLE",
                rule,
            }])
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use qs_model::config::CaBundle;
    use rustls_pki_types::CertificateDer;

    use super::check_ca_bundle;

    #[test]
    fn a_pem_block_that_is_no_certificate_names_the_variable_and_the_file() {
        let bundle = CaBundle {
            path: "/etc/odd.pem".into(),
            pem: b"-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n".to_vec(),
            certificates: vec![CertificateDer::from(b"hello".to_vec())],
        };
        let text = check_ca_bundle(&bundle).unwrap_err().to_string();
        assert!(
            text.contains("AWS_CA_BUNDLE: must hold X.509 certificates (certificate 1"),
            "{text}"
        );
        assert!(text.contains("/etc/odd.pem"), "{text}");
    }
}
