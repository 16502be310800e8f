//! The benchmark's baseline: the same runtime with nothing of ours in it, so that what the functions
//! add to a warm invocation can be told apart from what the runtime interface emulator's HTTP hops
//! cost. With `ECHO_EMBED_USER` (a QuickSight user name) and `ECHO_EMBED_DASHBOARD`, each
//! invocation also makes the two calls of a returning login with an embed URL (DescribeUser,
//! GenerateEmbedUrlForRegisteredUser) on the functions' QuickSight client, and nothing else: what
//! oidc-signup adds to those calls is its time minus this one's. With `ECHO_SCIM_TABLE`, it makes
//! scim's calls for the SCIM request it is given ([`scim`]).

mod scim;

use aws_sdk_quicksight::types::{
    RegisteredUserDashboardEmbeddingConfiguration, RegisteredUserEmbeddingExperienceConfiguration,
};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use qs_model::config::{Config, EnvReader};
use serde_json::Value;

struct EmbedCalls {
    client: aws_sdk_quicksight::Client,
    account: String,
    user_name: String,
    experience: RegisteredUserEmbeddingExperienceConfiguration,
}

impl EmbedCalls {
    async fn from_env() -> Result<Option<Self>, Error> {
        let (Ok(user_name), Ok(dashboard)) = (std::env::var("ECHO_EMBED_USER"), std::env::var("ECHO_EMBED_DASHBOARD"))
        else {
            return Ok(None);
        };
        let mut env = EnvReader::from_env();
        let config = Config::read(&mut env);
        let config = env.finish(config)?;
        let sdk = qs_engine::load_sdk_config(&config).await?;
        let dashboard = RegisteredUserDashboardEmbeddingConfiguration::builder()
            .initial_dashboard_id(dashboard)
            .build()?;
        Ok(Some(Self {
            client: qs_engine::build_client(&sdk, &config),
            account: config.account_id.clone(),
            user_name,
            experience: RegisteredUserEmbeddingExperienceConfiguration::builder()
                .dashboard(dashboard)
                .build(),
        }))
    }

    async fn call(&self) -> Result<(), Error> {
        let described = self
            .client
            .describe_user()
            .aws_account_id(&self.account)
            .namespace("default")
            .user_name(&self.user_name)
            .send()
            .await?;
        let arn = described.user().and_then(|u| u.arn()).unwrap_or_default();
        self.client
            .generate_embed_url_for_registered_user()
            .aws_account_id(&self.account)
            .user_arn(arn)
            .session_lifetime_in_minutes(600)
            .experience_configuration(self.experience.clone())
            .send()
            .await?;
        Ok(())
    }
}

// One runtime thread, as the functions run.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let calls = EmbedCalls::from_env().await?;
    let calls = &calls;
    let scim = scim::ScimCalls::from_env().await?;
    let scim = &scim;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        if let Some(calls) = calls {
            calls.call().await?;
        }
        if let Some(scim) = scim {
            scim.call(&event.payload).await?;
        }
        Ok::<Value, Error>(event.payload)
    }))
    .await
}
