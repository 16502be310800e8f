//! The table in DynamoDB: strongly consistent reads, every write a transaction.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use serde_json::Value;

use super::{StoreError, Stored, Write};

const KEY: &str = "pk";
const DOC: &str = "doc";
const VERSION: &str = "v";

/// DynamoDB's codes for "try again".
const TRANSIENT: [&str; 6] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "TransactionConflictException",
    "TransactionInProgressException",
    "InternalServerError",
];

pub struct DynamoTable {
    client: Client,
    name: String,
}

impl DynamoTable {
    pub fn new(client: Client, name: String) -> Self {
        Self { client, name }
    }

    pub async fn get(&self, key: &str) -> Result<Option<Stored>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.name)
            .key(KEY, AttributeValue::S(key.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| failure("GetItem", e))?;
        out.item().map(stored).transpose()
    }

    pub async fn write(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let keys: Vec<_> = writes.iter().map(|w| w.key().clone()).collect();
        let items = writes
            .into_iter()
            .map(|w| self.item(w))
            .collect::<Result<Vec<_>, _>>()?;
        let written = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let error = match written {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) = error.as_service_error() else {
            return Err(failure("TransactWriteItems", error));
        };
        let failed = cancelled
            .cancellation_reasons()
            .iter()
            .position(|r| r.code() == Some("ConditionalCheckFailed"));
        match failed {
            Some(i) if i < keys.len() => Err(StoreError::Conflict { key: keys[i].clone() }),
            Some(_) => Err(StoreError::Failed(
                "a cancellation names no write of the transaction".into(),
            )),
            None => Err(StoreError::Unavailable(format!(
                "TransactWriteItems cancelled: {}",
                cancelled.message().unwrap_or_default()
            ))),
        }
    }

    fn item(&self, write: Write) -> Result<TransactWriteItem, StoreError> {
        let built = match write {
            Write::Create { key, doc } => TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name(&self.name)
                        .item(KEY, AttributeValue::S(key.to_string()))
                        .item(DOC, AttributeValue::S(doc.to_string()))
                        .item(VERSION, AttributeValue::N("1".into()))
                        .condition_expression("attribute_not_exists(pk)")
                        .build()
                        .map_err(|e| StoreError::Failed(e.to_string()))?,
                )
                .build(),
            Write::Replace { key, doc, version } => TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name(&self.name)
                        .item(KEY, AttributeValue::S(key.to_string()))
                        .item(DOC, AttributeValue::S(doc.to_string()))
                        .item(VERSION, AttributeValue::N((version + 1).to_string()))
                        .condition_expression("v = :v")
                        .expression_attribute_values(":v", AttributeValue::N(version.to_string()))
                        .build()
                        .map_err(|e| StoreError::Failed(e.to_string()))?,
                )
                .build(),
            Write::Delete { key } => TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name(&self.name)
                        .key(KEY, AttributeValue::S(key.to_string()))
                        .build()
                        .map_err(|e| StoreError::Failed(e.to_string()))?,
                )
                .build(),
        };
        Ok(built)
    }

    pub async fn scan(&self, prefix: &str) -> Result<Vec<Stored>, StoreError> {
        let mut pages = self
            .client
            .scan()
            .table_name(&self.name)
            .filter_expression("begins_with(pk, :p)")
            .expression_attribute_values(":p", AttributeValue::S(prefix.to_owned()))
            .consistent_read(true)
            .into_paginator()
            .items()
            .send();
        let mut found = Vec::new();
        while let Some(item) = pages.next().await {
            found.push(stored(&item.map_err(|e| failure("Scan", e))?)?);
        }
        Ok(found)
    }
}

fn stored(item: &std::collections::HashMap<String, AttributeValue>) -> Result<Stored, StoreError> {
    let doc = item
        .get(DOC)
        .and_then(|v| v.as_s().ok())
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .ok_or_else(|| StoreError::Failed("an item has no JSON doc".into()))?;
    let version = item
        .get(VERSION)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    Ok(Stored { doc, version })
}

fn failure<E: ProvideErrorMetadata, R>(operation: &str, e: SdkError<E, R>) -> StoreError {
    match &e {
        SdkError::ServiceError(s) => {
            let code = s.err().code().unwrap_or("unknown");
            if TRANSIENT.contains(&code) {
                StoreError::Unavailable(format!("{operation}: {code}"))
            } else {
                StoreError::Failed(format!("{operation}: {code}"))
            }
        }
        _ => StoreError::Unavailable(format!("{operation}: no answer")),
    }
}
