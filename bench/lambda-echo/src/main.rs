//! The benchmark's baseline: the same runtime with nothing of ours in it, so that what the functions
//! add to a warm invocation can be told apart from what the runtime interface emulator's HTTP hops cost.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        Ok::<Value, Error>(event.payload)
    }))
    .await
}
