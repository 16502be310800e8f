//! The table in memory, for the handler's in-process tests; `fail_next` makes the next writes fail
//! as an unavailable table would.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{StoreError, Stored, Write};

#[derive(Default)]
pub struct MemoryTable {
    items: Mutex<BTreeMap<String, Stored>>,
    failing_writes: AtomicUsize,
}

impl MemoryTable {
    pub fn fail_next(&self, writes: usize) {
        self.failing_writes.store(writes, Ordering::SeqCst);
    }

    pub fn get(&self, key: &str) -> Result<Option<Stored>, StoreError> {
        Ok(self.items.lock().unwrap().get(key).cloned())
    }

    pub fn keys(&self) -> Vec<String> {
        self.items.lock().unwrap().keys().cloned().collect()
    }

    pub fn write(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        if self
            .failing_writes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(StoreError::Unavailable("injected failure".into()));
        }
        let mut items = self.items.lock().unwrap();
        for w in &writes {
            let ok = match w {
                Write::Create { key, .. } => !items.contains_key(&key.to_string()),
                Write::Replace { key, version, .. } => {
                    items.get(&key.to_string()).is_some_and(|s| s.version == *version)
                }
                Write::Delete { .. } => true,
            };
            if !ok {
                return Err(StoreError::Conflict { key: w.key().clone() });
            }
        }
        for w in writes {
            match w {
                Write::Create { key, doc } => {
                    items.insert(key.to_string(), Stored { doc, version: 1 });
                }
                Write::Replace { key, doc, version } => {
                    items.insert(
                        key.to_string(),
                        Stored {
                            doc,
                            version: version + 1,
                        },
                    );
                }
                Write::Delete { key } => {
                    items.remove(&key.to_string());
                }
            }
        }
        Ok(())
    }

    pub fn scan(&self, prefix: &str) -> Result<Vec<Stored>, StoreError> {
        let items = self.items.lock().unwrap();
        Ok(items
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(_, v)| v.clone())
            .collect())
    }
}
