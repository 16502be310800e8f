//! What the account allows, read once per process: its sign-in method (DescribeAccountSubscription),
//! and the self-upgrade configuration this deployment sets on the namespaces it manages.

use aws_sdk_quicksight::Client;
use aws_sdk_quicksight::types::SelfUpgradeStatus;
use qs_model::account::SignIn;

use super::EngineError;
use super::error::from_sdk;

/// The account's sign-in method (`AccountInfo.AuthenticationType`).
pub async fn account_sign_in(client: &Client, account_id: &str) -> Result<SignIn, EngineError> {
    let out = client
        .describe_account_subscription()
        .aws_account_id(account_id)
        .send()
        .await
        .map_err(|e| from_sdk("DescribeAccountSubscription", e))?;
    let mode = out
        .account_info()
        .and_then(|i| i.authentication_type())
        .unwrap_or_default();
    Ok(SignIn::parse(mode))
}

/// UpdateSelfUpgradeConfiguration to `ADMIN_APPROVAL`: no reader of `namespace` becomes an author
/// (and a paid seat) without a decision. The engine calls it for a tenant's namespace it creates,
/// the reconcile for each managed namespace that auto-approves.
pub async fn require_self_upgrade_approval(
    client: &Client,
    account_id: &str,
    namespace: &str,
) -> Result<(), EngineError> {
    client
        .update_self_upgrade_configuration()
        .aws_account_id(account_id)
        .namespace(namespace)
        .self_upgrade_status(SelfUpgradeStatus::AdminApproval)
        .send()
        .await
        .map_err(|e| from_sdk("UpdateSelfUpgradeConfiguration", e))?;
    tracing::info!(namespace, "self-upgrades now need approval");
    Ok(())
}
