//! DescribeAccountSubscription: the account's edition and sign-in method (`AuthenticationType`,
//! `--authentication-type`), which AWS's cid-cmd reads before it creates any group.

use std::sync::Arc;

use axum::extract::{Path, State};
use serde_json::json;

use super::AccountPath;
use crate::wire::{ApiResult, ok};
use crate::{Emulator, model};

pub async fn describe_subscription(
    State(emu): State<Arc<Emulator>>,
    Path(AccountPath { account }): Path<AccountPath>,
) -> ApiResult {
    model::account_id(&account)?;
    let identity_center =
        (emu.authentication_type == "IAM_IDENTITY_CENTER").then(|| format!("arn:aws:sso:::instance/ssoins-{account}"));
    Ok(ok(
        200,
        json!({
            "Status": 200,
            "AccountInfo": {
                "AccountName": format!("quicksight-local-{account}"),
                "Edition": "ENTERPRISE",
                "NotificationEmail": "quicksight-admin@example.com",
                "AuthenticationType": emu.authentication_type,
                "AccountSubscriptionStatus": "ACCOUNT_CREATED",
                "IAMIdentityCenterInstanceArn": identity_center,
            }
        }),
    ))
}
