//! How a QuickSight account's users sign in (`DescribeAccountSubscription`'s
//! `AccountInfo.AuthenticationType`), and what that leaves this product to do: IAM-federated
//! registration works only where QuickSight itself or IAM holds the identities.

use std::fmt;

/// The account's sign-in method, as QuickSight names it (AWS's cid-cmd branches on the same four).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    IamAndQuickSight,
    IamOnly,
    IamIdentityCenter,
    ActiveDirectory,
    /// A value this version does not know: taken as IAM-capable, so a new name never stops work.
    Other(String),
}

impl SignIn {
    pub fn parse(v: &str) -> Self {
        match v {
            "IAM_AND_QUICKSIGHT" => Self::IamAndQuickSight,
            "IAM_ONLY" => Self::IamOnly,
            "IAM_IDENTITY_CENTER" => Self::IamIdentityCenter,
            "ACTIVE_DIRECTORY" => Self::ActiveDirectory,
            other => Self::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::IamAndQuickSight => "IAM_AND_QUICKSIGHT",
            Self::IamOnly => "IAM_ONLY",
            Self::IamIdentityCenter => "IAM_IDENTITY_CENTER",
            Self::ActiveDirectory => "ACTIVE_DIRECTORY",
            Self::Other(v) => v,
        }
    }

    /// The directory that holds the account's users and groups, when one does: there QuickSight
    /// refuses IAM-federated registration and group writes.
    pub fn directory(&self) -> Option<&'static str> {
        match self {
            Self::IamIdentityCenter => Some("IAM Identity Center"),
            Self::ActiveDirectory => Some("Active Directory"),
            Self::IamAndQuickSight | Self::IamOnly | Self::Other(_) => None,
        }
    }
}

impl fmt::Display for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a function that registers IAM-federated users cannot work in an account whose identities
/// come from a directory: one message naming the mode and what to use instead.
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "QuickSight account {account} signs in through {directory} (AuthenticationType {mode}): its users and groups come from {directory}, and QuickSight refuses IAM-federated users and group changes there, so this function changes nothing. Give {directory} groups their QuickSight roles with ROLE_MEMBERSHIPS on the reconcile function (docs/identity-center.md), or deploy against an account that signs in with IAM (IAM_AND_QUICKSIGHT or IAM_ONLY)"
)]
pub struct DirectoryAccount {
    pub account: String,
    pub mode: String,
    pub directory: &'static str,
}

/// Short: a binary's `main` prints its error's `Debug` after the message was logged.
impl fmt::Debug for DirectoryAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "stopped: the account signs in through {}", self.directory)
    }
}

impl DirectoryAccount {
    /// `Some` when `sign_in` leaves IAM federation no way in.
    pub fn of(account: &str, sign_in: &SignIn) -> Option<Self> {
        sign_in.directory().map(|directory| Self {
            account: account.to_owned(),
            mode: sign_in.as_str().to_owned(),
            directory,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{DirectoryAccount, SignIn};

    #[test]
    fn each_sign_in_method_and_whether_federation_works() {
        let cases = [
            ("IAM_AND_QUICKSIGHT", None),
            ("IAM_ONLY", None),
            ("IAM_IDENTITY_CENTER", Some("IAM Identity Center")),
            ("ACTIVE_DIRECTORY", Some("Active Directory")),
            ("SOMETHING_NEW", None),
        ];
        for (mode, directory) in cases {
            let sign_in = SignIn::parse(mode);
            assert_eq!(sign_in.as_str(), mode);
            assert_eq!(sign_in.directory(), directory, "{mode}");
            let stop = DirectoryAccount::of("111122223333", &sign_in);
            assert_eq!(stop.is_some(), directory.is_some(), "{mode}");
            if let Some(stop) = stop {
                let message = stop.to_string();
                for part in ["111122223333", mode, "ROLE_MEMBERSHIPS", "IAM_AND_QUICKSIGHT"] {
                    assert!(message.contains(part), "{message} names {part}");
                }
            }
        }
    }
}
