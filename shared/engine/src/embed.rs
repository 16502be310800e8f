//! Embed URLs (GenerateEmbedUrlForRegisteredUser) for a provisioned user. The URL is a bearer
//! credential: it is held in [`EmbedUrl`], whose `Debug` shows nothing of it, and never logged.

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_sdk_quicksight::types::{
    RegisteredUserDashboardEmbeddingConfiguration, RegisteredUserEmbeddingExperienceConfiguration as Configuration,
    RegisteredUserGenerativeQnAEmbeddingConfiguration, RegisteredUserQSearchBarEmbeddingConfiguration,
    RegisteredUserQuickSightConsoleEmbeddingConfiguration,
};
use qs_model::embed::{Embedding, Experience};
use qs_model::tenant::Home;
use tokio::time::{Instant, sleep};

use super::error::{code_of, from_sdk};
use super::{Engine, EngineError, FIRST_VISIBILITY_BACKOFF, MAX_VISIBILITY_BACKOFF, Outcome, UserChange, within};

/// How long QuickSight keeps an embed URL redeemable.
pub const EMBED_URL_VALIDITY: Duration = Duration::from_secs(5 * 60);

/// QuickSight's answer for a user ARN it does not know (yet).
const USER_NOT_FOUND: &str = "QuickSightUserNotFoundException";

/// An embed URL: shown only through [`EmbedUrl::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct EmbedUrl(String);

impl EmbedUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for EmbedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmbedUrl(<redacted>)")
    }
}

/// A URL and until when it can be redeemed (counted from before the request, so never late).
#[derive(Debug, Clone)]
pub struct Embed {
    pub url: EmbedUrl,
    pub expires_at: SystemTime,
}

impl Embed {
    /// `expires_at` as RFC 3339 (`2026-12-02T14:40:00Z`).
    pub fn expires_at_rfc3339(&self) -> String {
        // Whole seconds, rounded down: a client never waits past the real end.
        let at = aws_smithy_types::DateTime::from_secs(aws_smithy_types::DateTime::from(self.expires_at).secs());
        at.fmt(aws_smithy_types::date_time::Format::DateTime)
            .unwrap_or_default()
    }
}

fn configuration(experience: &Experience) -> Configuration {
    let builder = Configuration::builder();
    match experience {
        Experience::Dashboard { id } => builder.dashboard(
            RegisteredUserDashboardEmbeddingConfiguration::builder()
                .initial_dashboard_id(id)
                .build()
                .expect("the dashboard id is set"),
        ),
        Experience::Console { initial_path } => builder.quick_sight_console(
            RegisteredUserQuickSightConsoleEmbeddingConfiguration::builder()
                .set_initial_path(initial_path.clone())
                .build(),
        ),
        Experience::QSearchBar { topic } => builder.q_search_bar(
            RegisteredUserQSearchBarEmbeddingConfiguration::builder()
                .set_initial_topic_id(topic.clone())
                .build(),
        ),
        Experience::GenerativeQnA { topic } => builder.generative_qn_a(
            RegisteredUserGenerativeQnAEmbeddingConfiguration::builder()
                .set_initial_topic_id(topic.clone())
                .build(),
        ),
    }
    .build()
}

impl Engine {
    /// An embed URL opening `experience` for the user `outcome` reports in `home`. A user
    /// registered moments ago may not be visible to the call yet: QuickSight's not-found is then
    /// retried with backoff within the visibility wait, as membership calls are.
    pub async fn embed_url(
        &self,
        home: &Home,
        outcome: &Outcome,
        experience: &Experience,
        embedding: &Embedding,
        deadline: Instant,
    ) -> Result<Embed, EngineError> {
        self.in_identity_region(|| {
        within(deadline, "embed_url", async {
            let at = self.at(home, deadline).await?;
            let arn = match &outcome.arn {
                Some(arn) => arn.clone(),
                None => at
                    .describe_user(&outcome.user_name)
                    .await?
                    .and_then(|user| user.arn)
                    .ok_or_else(|| EngineError::NotYetVisible {
                        user: outcome.user_name.clone(),
                        operation: "DescribeUser",
                        waited: Duration::ZERO,
                    })?,
            };
            let new = outcome.user == UserChange::Registered || at.registered_recently(&outcome.user_name);
            let configuration = configuration(experience);
            let domains = (!embedding.allowed_domains.is_empty()).then(|| embedding.allowed_domains.clone());
            let mut backoff = FIRST_VISIBILITY_BACKOFF;
            let started = Instant::now();
            loop {
                let expires_at = SystemTime::now() + EMBED_URL_VALIDITY;
                let answer = self
                    .client()
                    .generate_embed_url_for_registered_user()
                    .aws_account_id(&self.account_id)
                    .user_arn(&arn)
                    .session_lifetime_in_minutes(i64::from(embedding.session_minutes))
                    .experience_configuration(configuration.clone())
                    .set_allowed_domains(domains.clone())
                    .send()
                    .await;
                let error = match answer {
                    Ok(out) => {
                        let url = EmbedUrl(out.embed_url);
                        return Ok(Embed { url, expires_at });
                    }
                    Err(e) => e,
                };
                let waited = started.elapsed();
                if code_of(&error) != Some(USER_NOT_FOUND) || !new {
                    return Err(from_sdk("GenerateEmbedUrlForRegisteredUser", error));
                }
                if waited + backoff > self.consistency_window {
                    return Err(EngineError::NotYetVisible {
                        user: outcome.user_name.clone(),
                        operation: "GenerateEmbedUrlForRegisteredUser",
                        waited,
                    });
                }
                tracing::debug!(user_name = %outcome.user_name, ?backoff, "user not visible to the embed call yet; retrying");
                sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_VISIBILITY_BACKOFF);
            }
        })
        })
        .await
    }
}
