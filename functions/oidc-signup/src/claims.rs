//! The claims of a verified ID token that provisioning reads.

use qs_model::signup::SignupUser;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub sub: Option<String>,
    pub email: Option<String>,
    /// `email_verified` is present and is not true.
    pub email_unverified: bool,
    /// The groups claim: a JSON array of names, or a comma-separated string.
    pub groups: Vec<String>,
    /// The tenant claim (`TENANT_CLAIM`), read only when tenants are on.
    pub tenant: Option<String>,
}

impl Claims {
    /// Reads the verified claims; `groups_claim` names the claim with the user's groups,
    /// `tenant_claim` the one with the tenant (tenants on).
    pub fn read(claims: &Value, groups_claim: &str, tenant_claim: Option<&str>) -> Self {
        let groups = match &claims[groups_claim] {
            Value::Array(items) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            Value::String(s) => s
                .split(',')
                .map(|g| g.trim().to_owned())
                .filter(|g| !g.is_empty())
                .collect(),
            _ => Vec::new(),
        };
        // Verified is JSON true or, as Cognito sends it, the string "true"; anything else that is
        // present ("False", 0, "yes") is not.
        let email_unverified = match claims.get("email_verified") {
            None => false,
            Some(v) => *v != Value::Bool(true) && *v != "true",
        };
        Self {
            sub: claims["sub"].as_str().map(str::to_owned),
            email: claims["email"].as_str().map(str::to_owned),
            email_unverified,
            groups,
            tenant: tenant_claim.and_then(|name| claims[name].as_str()).map(str::to_owned),
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
            tenant: self.tenant,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Claims;

    #[test]
    fn only_true_or_the_string_true_is_a_verified_email() {
        let unverified = |v| Claims::read(&json!({ "email_verified": v }), "groups", None).email_unverified;
        for verified in [json!(true), json!("true")] {
            assert!(!unverified(verified.clone()), "{verified}");
        }
        for not in [
            json!(false),
            json!("false"),
            json!("False"),
            json!("FALSE"),
            json!(0),
            json!(1),
            json!(null),
        ] {
            assert!(unverified(not.clone()), "{not}");
        }
        assert!(
            !Claims::read(&json!({}), "groups", None).email_unverified,
            "absent: the provider does not say"
        );
    }

    #[test]
    fn groups_come_as_an_array_or_a_comma_separated_string() {
        assert_eq!(Claims::read(&json!({ "g": ["a", "b"] }), "g", None).groups, ["a", "b"]);
        assert_eq!(Claims::read(&json!({ "g": "a, b," }), "g", None).groups, ["a", "b"]);
    }
}
