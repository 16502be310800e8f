//! The SCIM table (`SCIM_TABLE`): what QuickSight cannot hold. One item per resource (its JSON in
//! `doc`, its version in `v`) and one per unique name, each pointing at its resource's id (the
//! keys: [`crate::keys`]). A resource and its
//! names are written in one transaction, so a name is never held by two resources.

mod dynamo;
#[cfg(test)]
pub mod memory;

use serde_json::Value;

pub use dynamo::DynamoTable;

use crate::keys::{Key, KeyKind};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A conditional write found the key taken (a name) or moved on (a resource's version).
    #[error("{key} is taken or has changed")]
    Conflict { key: Key },
    /// Throttled, or no answer: the request may be repeated.
    #[error("the SCIM table is unavailable: {0}")]
    Unavailable(String),
    #[error("the SCIM table failed: {0}")]
    Failed(String),
}

/// One item: a resource's JSON and its version.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub doc: Value,
    pub version: u64,
}

/// One write of a transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Put `doc` at `key`, which must not exist.
    Create {
        key: Key,
        doc: Value,
    },
    /// Put `doc` at `key` as version `version + 1`, when `key` is at `version`.
    Replace {
        key: Key,
        doc: Value,
        version: u64,
    },
    Delete {
        key: Key,
    },
}

impl Write {
    pub fn key(&self) -> &Key {
        match self {
            Self::Create { key, .. } | Self::Replace { key, .. } | Self::Delete { key } => key,
        }
    }
}

pub enum Table {
    Dynamo(DynamoTable),
    #[cfg(test)]
    Memory(memory::MemoryTable),
}

impl Table {
    pub async fn get(&self, key: &Key) -> Result<Option<Stored>, StoreError> {
        let key = key.to_string();
        match self {
            Self::Dynamo(t) => t.get(&key).await,
            #[cfg(test)]
            Self::Memory(t) => t.get(&key),
        }
    }

    /// All of `writes`, or none.
    pub async fn write(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        match self {
            Self::Dynamo(t) => t.write(writes).await,
            #[cfg(test)]
            Self::Memory(t) => t.write(writes),
        }
    }

    /// Every item of `kind` in `namespace`.
    pub async fn scan(&self, kind: KeyKind, namespace: &str) -> Result<Vec<Stored>, StoreError> {
        let prefix = Key::prefix(kind, namespace);
        match self {
            Self::Dynamo(t) => t.scan(&prefix).await,
            #[cfg(test)]
            Self::Memory(t) => t.scan(&prefix),
        }
    }
}
