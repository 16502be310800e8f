//! A user's tags kept in step with the change: the change's tags set where they differ, the
//! deployment's managed keys the change no longer gives removed, every other key left alone.
//! RegisterUser sets a new user's tags; these calls are for users that exist.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_quicksight::types::Tag;

use super::error::from_sdk;
use super::{Engine, EngineError, TagChanges};

impl Engine {
    /// No call at all when neither the change nor the deployment has tags.
    pub(super) async fn sync_tags(
        &self,
        arn: Option<&str>,
        desired: &BTreeMap<String, String>,
    ) -> Result<TagChanges, EngineError> {
        let Some(arn) = arn.filter(|_| !desired.is_empty() || !self.managed_tag_keys.is_empty()) else {
            return Ok(TagChanges::default());
        };
        let listed = self.client().list_tags_for_resource().resource_arn(arn).send().await;
        let current: BTreeMap<String, String> = listed
            .map_err(|e| from_sdk("ListTagsForResource", e))?
            .tags()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect();
        let set: BTreeMap<&String, &String> = desired.iter().filter(|(k, v)| current.get(*k) != Some(*v)).collect();
        let remove: BTreeSet<&String> = current
            .keys()
            .filter(|k| self.managed_tag_keys.contains(*k) && !desired.contains_key(*k))
            .collect();
        let changes = TagChanges {
            tags_set: set.keys().map(|k| k.to_string()).collect(),
            tags_removed: remove.iter().map(|k| k.to_string()).collect(),
        };
        if self.dry_run {
            return Ok(changes);
        }
        if !set.is_empty() {
            let tags = set
                .iter()
                .map(|(k, v)| Tag::builder().key(*k).value(*v).build().expect("key and value are set"));
            let request = self
                .client()
                .tag_resource()
                .resource_arn(arn)
                .set_tags(Some(tags.collect()));
            request.send().await.map_err(|e| from_sdk("TagResource", e))?;
        }
        if !remove.is_empty() {
            let keys = remove.iter().map(|k| k.to_string()).collect();
            let request = self
                .client()
                .untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(keys));
            request.send().await.map_err(|e| from_sdk("UntagResource", e))?;
        }
        Ok(changes)
    }
}
