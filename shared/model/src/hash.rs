//! The one digest this crate makes: SHA-256 as lowercase hex (session-name suffixes, FIFO
//! deduplication ids, qs-enqueue's file ids).

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
