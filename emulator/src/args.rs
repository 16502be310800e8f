use std::path::PathBuf;

use clap::Parser;

/// A local emulator of Amazon QuickSight's user and group management API (REST-JSON), for
/// running qs-provision and its tests without an AWS account.
#[derive(Debug, Clone, Parser)]
#[command(name = "quicksight-local", version)]
pub struct Args {
    /// Port to listen on (0: any free port; the chosen one is printed).
    #[arg(long, env = "QUICKSIGHT_LOCAL_PORT", default_value_t = 4600)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, env = "QUICKSIGHT_LOCAL_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Requests per second allowed for mutating calls, and separately for reads; past it, 429.
    #[arg(long, env = "QUICKSIGHT_LOCAL_RATE_LIMIT")]
    pub rate_limit: Option<f64>,
    /// How long a just-registered user stays invisible to describe and membership calls (404).
    #[arg(long, env = "QUICKSIGHT_LOCAL_CONSISTENCY_DELAY_MS", default_value_t = 0)]
    pub consistency_delay_ms: u64,
    /// Fraction of requests (0 to 1) answered 500 InternalFailureException or 503.
    #[arg(long, env = "QUICKSIGHT_LOCAL_FAIL_RATE", default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Every QuickSight request waits this long before it is answered.
    #[arg(long, env = "QUICKSIGHT_LOCAL_LATENCY_MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Serve HTTPS with a certificate made at start, signed by a new CA whose certificate is
    /// written to --tls-ca-file (clients trust it with AWS_CA_BUNDLE).
    #[arg(long, env = "QUICKSIGHT_LOCAL_TLS")]
    pub tls: bool,
    /// Where --tls writes the CA certificate (PEM); default: a file in the temporary directory.
    #[arg(long, env = "QUICKSIGHT_LOCAL_TLS_CA_FILE")]
    pub tls_ca_file: Option<PathBuf>,
    /// How long CreateNamespace keeps a namespace CREATING (and DeleteNamespace DELETING).
    #[arg(long, env = "QUICKSIGHT_LOCAL_NAMESPACE_CREATE_DELAY_MS", default_value_t = 2000)]
    pub namespace_create_delay_ms: u64,
    /// Namespaces per account, `default` included (QuickSight's documented default: 100).
    #[arg(long, env = "QUICKSIGHT_LOCAL_NAMESPACE_LIMIT", default_value_t = 100)]
    pub namespace_limit: usize,
    /// How long an embed URL stays redeemable (QuickSight: 5 minutes).
    #[arg(long, env = "QUICKSIGHT_LOCAL_EMBED_URL_VALID_SECONDS", default_value_t = 300)]
    pub embed_url_valid_seconds: u64,
    /// The account's identity region: user, group, namespace and embed calls signed for any other
    /// region answer AccessDeniedException, as QuickSight does. Unset, every region is served.
    #[arg(long, env = "QUICKSIGHT_LOCAL_IDENTITY_REGION")]
    pub identity_region: Option<String>,
    /// The account's sign-in method, as DescribeAccountSubscription reports it
    /// (`AuthenticationType`): IAM_AND_QUICKSIGHT, IAM_ONLY, ACTIVE_DIRECTORY or
    /// IAM_IDENTITY_CENTER. Under the last two the directory manages identities, and the user and
    /// group writes QuickSight disables there answer AccessDeniedException.
    #[arg(
        long,
        env = "QUICKSIGHT_LOCAL_AUTHENTICATION_TYPE",
        default_value = "IAM_AND_QUICKSIGHT"
    )]
    pub authentication_type: String,
    /// Load state from this JSON file at start and keep it saved there.
    #[arg(long, env = "QUICKSIGHT_LOCAL_STATE")]
    pub state: Option<PathBuf>,
}

/// The sign-in methods an account can have (CreateAccountSubscription's `AuthenticationMethod`).
pub const AUTHENTICATION_TYPES: [&str; 4] = [
    "IAM_AND_QUICKSIGHT",
    "IAM_ONLY",
    "ACTIVE_DIRECTORY",
    "IAM_IDENTITY_CENTER",
];

impl Args {
    pub fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.fail_rate) {
            return Err(format!("--fail-rate must be between 0 and 1, got {}", self.fail_rate));
        }
        // NaN is refused too: it is not greater than 0.
        if self.rate_limit.is_some_and(|r| r.is_nan() || r <= 0.0) {
            return Err("--rate-limit must be greater than 0".into());
        }
        if !AUTHENTICATION_TYPES.contains(&self.authentication_type.as_str()) {
            return Err(format!(
                "--authentication-type must be one of {}, got {}",
                AUTHENTICATION_TYPES.join(", "),
                self.authentication_type
            ));
        }
        if self.tls_ca_file.is_some() && !self.tls {
            return Err("--tls-ca-file needs --tls".into());
        }
        Ok(())
    }
}
