//! A Cognito user pool's user, as its attributes give it: the PostConfirmation trigger reads them
//! from the event, the reconciler from ListUsers, and both turn them into a [`SignupUser`] here,
//! so a reconciled user is exactly the user a sign-up would have made.

use std::collections::HashMap;

use super::{SessionNameSource, SignupUser};
use crate::config::{EnvReader, parse};

/// Which attributes say who the user is and which groups they are in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoAttributes {
    /// `SESSION_NAME_SOURCE`: derive the session name from the e-mail (default) or from `sub`.
    pub session_name_source: SessionNameSource,
    /// `EXTERNAL_LOGIN_ID_ATTRIBUTE`: the user attribute holding the ExternalLoginId (default `sub`).
    pub external_login_id_attribute: String,
    /// `GROUPS_ATTRIBUTE`: a comma-separated attribute of identity-provider groups.
    pub groups_attribute: Option<String>,
}

impl CognitoAttributes {
    pub fn read(env: &mut EnvReader) -> Self {
        Self {
            session_name_source: env
                .optional("SESSION_NAME_SOURCE", SessionNameSource::parse)
                .unwrap_or(SessionNameSource::Email),
            external_login_id_attribute: env
                .optional("EXTERNAL_LOGIN_ID_ATTRIBUTE", parse::string)
                .unwrap_or_else(|| "sub".into()),
            groups_attribute: env.optional("GROUPS_ATTRIBUTE", parse::string),
        }
    }

    /// The pool's user from its attributes; `pool_groups` are the user's groups in the pool
    /// itself, when the groups come from there rather than from `GROUPS_ATTRIBUTE`;
    /// `tenant_attribute` is `TENANT_ATTRIBUTE` when tenants are on.
    pub fn user(
        &self,
        pool_id: &str,
        attributes: &HashMap<String, String>,
        pool_groups: Vec<String>,
        tenant_attribute: Option<&str>,
    ) -> SignupUser {
        let mut idp_groups: Vec<String> = self
            .groups_attribute
            .as_ref()
            .and_then(|name| attributes.get(name))
            .map(|v| {
                v.split(',')
                    .map(|g| g.trim().to_owned())
                    .filter(|g| !g.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        idp_groups.extend(pool_groups);
        SignupUser {
            email: attributes.get("email").cloned(),
            sub: attributes.get("sub").cloned(),
            external_login_id: attributes.get(&self.external_login_id_attribute).cloned(),
            idp_groups,
            provider_url: Some(pool_issuer(pool_id)),
            tenant: tenant_attribute.and_then(|name| attributes.get(name)).cloned(),
        }
    }
}

/// A user pool is an OIDC provider: its issuer is the provider URL. A pool id starts with its
/// region (`eu-west-1_Ab12Cd34E`).
pub fn pool_issuer(pool_id: &str) -> String {
    let region = pool_id.split_once('_').map_or(pool_id, |(region, _)| region);
    format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::{CognitoAttributes, SessionNameSource, pool_issuer};

    #[test]
    fn groups_come_from_the_attribute_and_the_pool_alike() {
        let attributes = CognitoAttributes {
            session_name_source: SessionNameSource::Email,
            external_login_id_attribute: "sub".into(),
            groups_attribute: Some("custom:groups".into()),
        };
        let map = HashMap::from([
            ("sub".to_owned(), "s-1".to_owned()),
            ("email".to_owned(), "ana@example.com".to_owned()),
            ("custom:groups".to_owned(), "finance, ,sales".to_owned()),
        ]);
        let user = attributes.user("eu-west-1_Ab12Cd34E", &map, vec!["admins".into()], None);
        assert_eq!(user.idp_groups, ["finance", "sales", "admins"]);
        assert_eq!(user.external_login_id.as_deref(), Some("s-1"));
        assert_eq!(
            user.provider_url.as_deref(),
            Some("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E")
        );
        assert_eq!(
            pool_issuer("us-east-1_x"),
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x"
        );
    }
}
