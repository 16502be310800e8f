//! The one HTTPS client of a process, shared by all its AWS clients: one connection pool, and the
//! trust store read and parsed once.
//!
//! Two choices here cut a cold start's CPU, which Lambda rations by memory size (see the
//! benchmark): rustls runs on `ring`, whose random numbers come straight from the kernel (aws-lc,
//! the SDK's default, first seeds its generator from CPU jitter measurements: most of the CPU of a
//! cold start); and the system's certificates come from its one bundle file (the certificate
//! directory beside it holds the same certificates again, one file each).

use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
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
    let mut trust = system_trust();
    if let Some(bundle) = extra {
        trust.add_pem_certificate(bundle.pem.as_slice());
    }
    let tls = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("a TLS context is only a trust store");
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
