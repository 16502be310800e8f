//! The claims of a verified ID token that provisioning reads.

use qs_provision::signup::SignupUser;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub sub: Option<String>,
    pub email: Option<String>,
    /// `email_verified` is present and says no.
    pub email_unverified: bool,
    /// The groups claim: a JSON array of names, or a comma-separated string.
    pub groups: Vec<String>,
}

impl Claims {
    /// Reads the verified claims; `groups_claim` names the claim with the user's groups.
    pub fn read(claims: &Value, groups_claim: &str) -> Self {
        let groups = match &claims[groups_claim] {
            Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            Value::String(s) => s
                .split(',')
                .map(|g| g.trim().to_owned())
                .filter(|g| !g.is_empty())
                .collect(),
            _ => Vec::new(),
        };
        let verified = &claims["email_verified"];
        Self {
            sub: claims["sub"].as_str().map(str::to_owned),
            email: claims["email"].as_str().map(str::to_owned),
            email_unverified: *verified == Value::Bool(false) || *verified == "false",
            groups,
        }
    }

    /// The signing-up user, the token's issuer as its provider.
    pub fn signup_user(self, issuer: &str) -> SignupUser {
        SignupUser {
            email: self.email,
            sub: self.sub,
            external_login_id: None,
            idp_groups: self.groups,
            provider_url: Some(issuer.to_owned()),
        }
    }
}
