//! Whether a sign-up's tenant could have been written by the user: Cognito lets the users of an app
//! client write every attribute in the client's `WriteAttributes`, so through such a client anyone
//! signing up names any tenant. The client's attributes are asked for once per client and process
//! (DescribeUserPoolClient); a sign-up with no app client (an administrator's) is trusted.

use std::collections::HashMap;
use std::sync::Mutex;

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use qs_model::tenant::client_can_write;

/// Cognito's `callerContext.clientId` when no app client is involved (AdminConfirmSignUp).
const NO_CLIENT: &str = "CLIENT_ID_NOT_APPLICABLE";

pub struct TenantGuard {
    cognito: Client,
    /// Per app client: whether its users can write the tenant attribute.
    writable: Mutex<HashMap<String, bool>>,
}

/// Why a sign-up's tenant is not trusted.
#[derive(Debug, thiserror::Error)]
pub enum Untrusted {
    #[error(
        "app client {client_id} lets its users write {attribute}, so the tenant may be the user's own choice; nothing was written (make the attribute read-only in the client, or TENANT_ATTRIBUTE_WRITABLE=allow)"
    )]
    Writable { client_id: String, attribute: String },
    /// Cognito's error code: the tenant cannot be checked now, so nothing is written; the
    /// reconcile, which checks the pool's clients itself, provisions the user later.
    #[error("DescribeUserPoolClient of app client {client_id} failed ({code}); the tenant is not trusted unchecked")]
    Unchecked { client_id: String, code: String },
}

impl TenantGuard {
    pub fn new(cognito: Client) -> Self {
        Self {
            cognito,
            writable: Mutex::default(),
        }
    }

    /// `Ok` when the tenant in `attribute` came through no app client, or one whose users cannot write it.
    pub async fn check(&self, pool_id: &str, client_id: Option<&str>, attribute: &str) -> Result<(), Untrusted> {
        let Some(client_id) = client_id.filter(|id| !id.is_empty() && *id != NO_CLIENT) else {
            return Ok(());
        };
        let known = self.lock().get(client_id).copied();
        let writable = match known {
            Some(writable) => writable,
            None => {
                let described = self
                    .cognito
                    .describe_user_pool_client()
                    .user_pool_id(pool_id)
                    .client_id(client_id)
                    .send()
                    .await
                    .map_err(|e| Untrusted::Unchecked {
                        client_id: client_id.to_owned(),
                        code: e.code().unwrap_or("no answer").to_owned(),
                    })?;
                let attributes = described
                    .user_pool_client()
                    .map(|c| c.write_attributes())
                    .unwrap_or_default();
                let writable = client_can_write(attributes, attribute);
                self.lock().insert(client_id.to_owned(), writable);
                writable
            }
        };
        match writable {
            true => Err(Untrusted::Writable {
                client_id: client_id.to_owned(),
                attribute: attribute.to_owned(),
            }),
            false => Ok(()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, bool>> {
        self.writable.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
