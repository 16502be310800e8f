//! The FIFO ids every sender gives a change (qs-enqueue, the sign-up retry), so one user's changes
//! share one message group whoever sent them.

use sha2::{Digest, Sha256};

use super::{Change, GroupsChange, Upsert, UserRef};

impl Change {
    /// The FIFO `MessageGroupId` (the user, so one user's changes keep their order) and
    /// `MessageDeduplicationId` (the body's SHA-256, so sending the same change twice adds nothing).
    pub fn fifo_ids(&self) -> (String, String) {
        let digest = Sha256::digest(self.to_json().as_bytes());
        (self.user_key(), digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The user the change is about, as the message names it (FIFO queues group by it).
    pub fn user_key(&self) -> String {
        let key = match self {
            Change::Upsert(Upsert {
                session_name: Some(s), ..
            }) => s,
            Change::Upsert(Upsert { email, .. }) => email,
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
                ..
            }) => user_name
                .as_ref()
                .or(session_name.as_ref())
                .or(email.as_ref())
                .map_or("", |s| s),
        };
        key.to_lowercase()
    }
}
