//! The FIFO ids every sender gives a change (qs-enqueue, the sign-up retry). The message group is
//! the tenant and user, so SQS never hands one user's changes to two invocations at once and keeps
//! their order; the deduplication id is one submission of one tenant's change, so a deliberate
//! repeat is never dropped.

use super::{Change, GroupsChange, Upsert, UserRef};
use crate::hash::sha256_hex;
use crate::validate::derive_session_name;

impl Change {
    /// The FIFO `MessageGroupId` and `MessageDeduplicationId`. `submission` names this one sending
    /// of the change (qs-enqueue: the file's hash and the line; a sign-up: the user pool and user),
    /// so sending the same submission twice within SQS's five-minute window adds nothing, while the
    /// same change submitted again (add X, remove X, add X) is kept.
    pub fn fifo_ids(&self, submission: &str) -> (String, String) {
        let deduplication = match self.tenant() {
            Some(tenant) => sha256_hex(format!("{tenant}\n{submission}").as_bytes()),
            None => sha256_hex(submission.as_bytes()),
        };
        (self.user_key(), deduplication)
    }

    /// The tenant and user the change is about, the same whichever way the message names the
    /// user: `tenant/session name` (the session name alone without a tenant; `user_name` is
    /// `RoleName/SessionName`; an e-mail derives the session name), lowercased.
    pub fn user_key(&self) -> String {
        match self.tenant() {
            Some(tenant) => format!("{tenant}/{}", self.session_key()).to_lowercase(),
            None => self.session_key().to_lowercase(),
        }
    }

    fn session_key(&self) -> String {
        let (user_name, session_name, email) = match self {
            Change::Upsert(Upsert {
                session_name, email, ..
            }) => (None, session_name.as_deref(), Some(email.as_str())),
            Change::AddGroups(GroupsChange {
                user_name,
                session_name,
                email,
                ..
            })
            | Change::RemoveGroups(GroupsChange {
                user_name,
                session_name,
                email,
                ..
            })
            | Change::Delete(UserRef {
                user_name,
                session_name,
                email,
                principal_id: None,
                ..
            }) => (user_name.as_deref(), session_name.as_deref(), email.as_deref()),
            Change::Delete(UserRef {
                principal_id: Some(principal_id),
                ..
            }) => (None, Some(principal_id.as_str()), None),
        };
        match (user_name, session_name, email) {
            (Some(name), _, _) => name.split_once('/').map_or(name, |(_, session)| session).to_owned(),
            (None, Some(session), _) => session.to_owned(),
            // An invalid e-mail is refused by sqs-sync; any group does for it.
            (None, None, Some(email)) => derive_session_name("email", email).unwrap_or_else(|_| email.to_owned()),
            (None, None, None) => String::new(),
        }
    }
}
