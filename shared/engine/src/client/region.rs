//! QuickSight's user management answers only in the account's identity region; elsewhere it says
//! "Operation is being called from endpoint X, but your identity region is Y. Please use the Y
//! endpoint." (AccessDeniedException, 401). Without `QUICKSIGHT_IDENTITY_REGION`, a client built
//! by [`RegionalClient::following`] follows that message once per process: it is built again for
//! Y, the caller repeats its work, and one warning tells the operator to set the variable.

use std::sync::{Mutex, RwLock};

use aws_config::SdkConfig;
use aws_sdk_quicksight::Client;
use qs_model::config::Config;

use super::build_client;
use crate::EngineError;

/// QuickSight's message, as reported (some reports lack the comma).
const CALLED_FROM: &str = "Operation is being called from endpoint ";
const IDENTITY_IS: &str = "but your identity region is ";

/// The two regions of QuickSight's identity-region message: where it was called, and where it
/// answers. `None` for any other message: an IAM or SCP denial is never a region hint.
pub fn identity_region_hint(message: &str) -> Option<(String, String)> {
    let rest = message.strip_prefix(CALLED_FROM)?;
    let (called, rest) = rest.split_once(' ')?;
    let called = called.strip_suffix(',').unwrap_or(called);
    let identity = rest.strip_prefix(IDENTITY_IS)?.split([' ', '.']).next()?;
    (is_region(called) && is_region(identity)).then(|| (called.to_owned(), identity.to_owned()))
}

/// A name shaped like an AWS region: `eu-west-1`, `us-gov-west-1`, `ap-southeast-2`.
pub fn is_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    let lower = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase());
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1].iter().all(lower)
        && parts[parts.len() - 1].len() <= 2
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// How to build the client again for another region.
struct Rebuild {
    sdk: SdkConfig,
    config: Config,
}

/// The process's QuickSight client, and the region it followed, if any.
pub struct RegionalClient {
    current: RwLock<Client>,
    /// `None`: the client stays where it is (QUICKSIGHT_IDENTITY_REGION set, or a test's client).
    rebuild: Option<Rebuild>,
    followed: Mutex<Option<String>>,
}

impl RegionalClient {
    /// A client that stays in its region.
    pub fn fixed(client: Client) -> Self {
        Self {
            current: RwLock::new(client),
            rebuild: None,
            followed: Mutex::new(None),
        }
    }

    /// [`build_client`]'s client, which follows QuickSight's identity region when
    /// `QUICKSIGHT_IDENTITY_REGION` is not set.
    pub fn following(sdk: &SdkConfig, config: &Config) -> Self {
        let rebuild = config.identity_region.is_none().then(|| Rebuild {
            sdk: sdk.clone(),
            config: config.clone(),
        });
        Self {
            current: RwLock::new(build_client(sdk, config)),
            rebuild,
            followed: Mutex::new(None),
        }
    }

    /// The client to call with now (a cheap handle).
    pub fn get(&self) -> Client {
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Whether `error` is QuickSight naming its identity region, and this client now calls it there,
    /// so the caller may repeat its work once. Follows one region per process: a second, different
    /// region is not followed (the error stands).
    pub fn follow(&self, error: &EngineError) -> bool {
        let (EngineError::IdentityRegion { identity, .. }, Some(rebuild)) = (error, &self.rebuild) else {
            return false;
        };
        let mut followed = self.followed.lock().unwrap_or_else(|p| p.into_inner());
        match followed.as_deref() {
            // Another call of this process followed it meanwhile.
            Some(region) => region == identity,
            None => {
                let config = Config {
                    identity_region: Some(identity.clone()),
                    ..rebuild.config.clone()
                };
                *self.current.write().unwrap_or_else(|p| p.into_inner()) = build_client(&rebuild.sdk, &config);
                *followed = Some(identity.clone());
                tracing::warn!(
                    identity_region = %identity,
                    "QuickSight's identity region is {identity}: this process now calls it there. Set QUICKSIGHT_IDENTITY_REGION={identity} (template parameter QuickSightIdentityRegion) to call it there from the start"
                );
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{identity_region_hint, is_region};

    #[test]
    fn only_quicksights_own_message_is_a_region_hint() {
        let hint = |m: &str| identity_region_hint(m);
        let both = Some(("eu-west-2".to_owned(), "eu-west-1".to_owned()));
        let cases = [
            (
                "Operation is being called from endpoint eu-west-2, but your identity region is eu-west-1. Please use the eu-west-1 endpoint.",
                both.clone(),
            ),
            (
                "Operation is being called from endpoint eu-west-2 but your identity region is eu-west-1. Please use the eu-west-1 endpoint.",
                both,
            ),
            (
                "User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: quicksight:RegisterUser",
                None,
            ),
            (
                "Operation is being called from endpoint eu-west-2, but your identity region is ../evil. Please use it.",
                None,
            ),
            (
                "Operation is being called from endpoint here, but your identity region is eu-west-1.",
                None,
            ),
            ("Explicit deny in a service control policy", None),
        ];
        for (message, expected) in cases {
            assert_eq!(hint(message), expected, "{message}");
        }
        for good in ["us-east-1", "us-gov-west-1", "ap-southeast-2", "cn-north-1"] {
            assert!(is_region(good), "{good}");
        }
        for bad in [
            "",
            "east-1",
            "us-east",
            "US-EAST-1",
            "us-east-100",
            "us--1",
            "us-east-1/x",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }
}
