//! GenerateEmbedUrlForRegisteredUser, and the embed URLs it returns: in the official embedding
//! SDK's shapes ([`shape`]), each redeemable once, within `--embed-url-valid-seconds` (QuickSight's
//! 5 minutes). A browser gets the experience's page ([`pages`]); any other client the session as
//! JSON (200) or 401.

mod open;
mod pages;
mod shape;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::{AccountPath, parse_body};
use crate::assets::{self, AssetKind};
use crate::wire::{ApiError, ApiResult, ok};
use crate::{Emulator, model};
pub use open::{open_embed, open_embedding};
use shape::Shape;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct GenerateBody {
    user_arn: Option<String>,
    session_lifetime_in_minutes: Option<i64>,
    experience_configuration: Option<serde_json::Map<String, Value>>,
    allowed_domains: Option<Vec<String>>,
}

/// An issued URL, until it expires (redeemed or not).
#[derive(Debug, Clone)]
pub struct Issued {
    user: Value,
    experience: Value,
    shape: Shape,
    /// The one-time code in the URL's query (`code=`).
    code: String,
    session_lifetime_minutes: i64,
    allowed_domains: Vec<String>,
    valid_until: Instant,
    redeemed: bool,
}

/// What a request for a session finds.
enum Opened {
    /// Its first use: the grant.
    Fresh(Issued),
    /// Used before, expired, or asked for at another path or with another code: the shape issued
    /// and the domains it may be framed by.
    Spent(Shape, Vec<String>),
    /// Never issued (or long gone).
    Unknown,
}

/// The URLs issued, by session, until they expire.
#[derive(Debug, Default)]
pub struct Embeds(std::sync::Mutex<HashMap<String, Issued>>);

/// `words` times 16 random hex digits.
fn random_hex(words: usize) -> String {
    (0..words).map(|_| format!("{:016x}", fastrand::u64(..))).collect()
}

impl Embeds {
    fn issue(&self, issued: Issued) -> String {
        let session = random_hex(2);
        let mut issued_urls = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        issued_urls.retain(|_, i| i.valid_until > now);
        issued_urls.insert(session.clone(), issued);
        session
    }

    /// The session's grant, once, for its own path and code: opening it marks it used.
    fn open(&self, session: &str, asked: &Shape, code: Option<&str>) -> Opened {
        let mut issued_urls = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let Some(issued) = issued_urls.get_mut(session) else {
            return Opened::Unknown;
        };
        let usable = !issued.redeemed
            && Instant::now() < issued.valid_until
            // The Q search bar and Generative Q&A share a path.
            && issued.shape.path(session) == asked.path(session)
            && code == Some(issued.code.as_str());
        if !usable {
            return Opened::Spent(issued.shape.clone(), issued.allowed_domains.clone());
        }
        issued.redeemed = true;
        Opened::Fresh(issued.clone())
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// The experiences of `RegisteredUserEmbeddingExperienceConfiguration`.
const EXPERIENCES: [&str; 5] = [
    "Dashboard",
    "DashboardVisual",
    "QuickSightConsole",
    "QSearchBar",
    "GenerativeQnA",
];

pub async fn generate_for_registered_user(
    State(emu): State<Arc<Emulator>>,
    Path(AccountPath { account }): Path<AccountPath>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult {
    model::account_id(&account)?;
    let b: GenerateBody = parse_body(&body)?;
    let arn = b
        .user_arn
        .ok_or_else(|| ApiError::invalid("1 validation error detected: UserArn is required."))?;
    let experience_config = b
        .experience_configuration
        .ok_or_else(|| ApiError::invalid("1 validation error detected: ExperienceConfiguration is required."))?;
    let minutes = b.session_lifetime_in_minutes.unwrap_or(600);
    if !(15..=600).contains(&minutes) {
        return Err(ApiError::session_lifetime(format!(
            "SessionLifetimeInMinutes must be 15 to 600 minutes, got {minutes}."
        )));
    }
    let allowed_domains = b.allowed_domains.unwrap_or_default();
    allowed(&allowed_domains)?;
    let (kind, experience) = experience(&experience_config)?;
    let shape = Shape::of(kind, experience);
    let mut store = emu.store();
    let user = registered_user(&mut store, &account, &arn)?;
    if let Some(dashboard) = shape.dashboard()
        && !store.assets.contains_key(&assets::key(AssetKind::Dashboard, dashboard))
    {
        return Err(ApiError::not_found(
            "DASHBOARD",
            format!("Dashboard {dashboard} is not found."),
        ));
    }
    drop(store);
    let code = random_hex(2);
    let session = emu.embeds.issue(Issued {
        user,
        experience: json!({ kind: experience }),
        shape: shape.clone(),
        code: code.clone(),
        session_lifetime_minutes: minutes,
        allowed_domains,
        valid_until: Instant::now() + emu.embed_url_validity,
        redeemed: false,
    });
    // The host the client called, port included: HTTP/2 (what the SDK speaks over TLS) carries it
    // in the URI's authority, HTTP/1.1 in the Host header.
    let authority = uri.authority().map(|a| a.as_str().to_owned());
    let host = authority
        .as_deref()
        .or_else(|| headers.get(header::HOST).and_then(|h| h.to_str().ok()))
        .unwrap_or("127.0.0.1");
    let scheme = if emu.tls { "https" } else { "http" };
    let path = shape.path(&session);
    let url = format!("{scheme}://{host}{path}?code={code}&identityprovider=quicksight&isauthcode=true");
    Ok(ok(200, json!({ "EmbedUrl": url, "Status": 200 })))
}

/// The user the ARN names, as the redeemed URL reports it; QuickSightUserNotFoundException (404)
/// for one that does not exist or is not visible yet.
fn registered_user(store: &mut crate::Store, account: &str, arn: &str) -> Result<Value, ApiError> {
    let not_found = || ApiError::user_not_found(format!("The user with ARN {arn} does not exist."));
    // arn:aws:quicksight:<region>:<account>:user/<namespace>/<user name, which may hold a '/'>
    let resource = arn
        .splitn(6, ':')
        .nth(5)
        .ok_or_else(|| ApiError::invalid(format!("UserArn {arn} is not a QuickSight user ARN.")))?;
    let (namespace, name) = resource
        .strip_prefix("user/")
        .and_then(|rest| rest.split_once('/'))
        .ok_or_else(|| ApiError::invalid(format!("UserArn {arn} is not a QuickSight user ARN.")))?;
    if arn.split(':').nth(4) != Some(account) {
        return Err(not_found());
    }
    let space = store.namespace(account, namespace)?;
    let user = space
        .users
        .get(name)
        .filter(|u| u.arn == arn && u.is_visible())
        .ok_or_else(not_found)?;
    Ok(json!({ "Arn": user.arn, "UserName": user.user_name, "Namespace": namespace, "Role": user.role }))
}

/// At most three `https://` origins; a leading `*.` in the host allows every subdomain.
/// `http://localhost` (with or without a port) is allowed too, for testing on one's own machine
/// (AWS Big Data Blog, "Scale Amazon QuickSight embedded analytics with new API-based domain allow
/// listing").
fn allowed(domains: &[String]) -> Result<(), ApiError> {
    if domains.len() > 3 {
        return Err(ApiError::invalid(format!(
            "AllowedDomains lists {} domains; at most 3 are allowed.",
            domains.len()
        )));
    }
    for domain in domains.iter().filter(|d| !is_local(d)) {
        let host = domain.strip_prefix("https://").unwrap_or_default();
        let host = host.strip_prefix("*.").unwrap_or(host);
        let (name, port) = host.split_once(':').unwrap_or((host, "0"));
        let name_ok = !name.is_empty()
            && name
                .split('.')
                .all(|label| !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if !name_ok || port.parse::<u16>().is_err() {
            return Err(ApiError::invalid(format!(
                "AllowedDomains: {domain} is not an https:// origin (https://host, https://*.host) or http://localhost."
            )));
        }
    }
    Ok(())
}

/// `http://localhost`, or with a port.
fn is_local(domain: &str) -> bool {
    match domain.strip_prefix("http://localhost") {
        Some("") => true,
        Some(port) => port.strip_prefix(':').is_some_and(|p| p.parse::<u16>().is_ok()),
        None => false,
    }
}

/// The one experience the configuration names, checked as the model defines it.
fn experience(config: &serde_json::Map<String, Value>) -> Result<(&'static str, &Value), ApiError> {
    let named: Vec<&'static str> = EXPERIENCES
        .into_iter()
        .filter(|e| config.get(*e).is_some_and(|v| !v.is_null()))
        .collect();
    let (kind, value) = match (
        named.as_slice(),
        config.keys().find(|k| !EXPERIENCES.contains(&k.as_str())),
    ) {
        ([kind], None) => (*kind, &config[*kind]),
        (_, Some(unknown)) => {
            return Err(ApiError::invalid(format!(
                "ExperienceConfiguration has no experience {unknown}."
            )));
        }
        _ => {
            return Err(ApiError::invalid(format!(
                "ExperienceConfiguration must name exactly one experience, got {}.",
                named.len()
            )));
        }
    };
    if !value.is_object() {
        return Err(ApiError::invalid(format!(
            "ExperienceConfiguration.{kind} must be a structure."
        )));
    }
    let id = |field: &str, max: usize, required: bool| -> Result<(), ApiError> {
        match value.get(field) {
            None | Some(Value::Null) if !required => Ok(()),
            Some(Value::String(s))
                if (1..=max).contains(&s.chars().count())
                    && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-') =>
            {
                Ok(())
            }
            other => Err(ApiError::invalid(format!(
                "ExperienceConfiguration.{kind}.{field} must be 1 to {max} of [\\w-], got {}.",
                other.map_or("nothing".into(), Value::to_string)
            ))),
        }
    };
    match kind {
        "Dashboard" => id("InitialDashboardId", 512, true)?,
        "DashboardVisual" => {
            let visual = &value["InitialDashboardVisualId"];
            for field in ["DashboardId", "SheetId", "VisualId"] {
                if !visual[field].as_str().is_some_and(|s| !s.is_empty() && s.len() <= 512) {
                    return Err(ApiError::invalid(format!(
                        "ExperienceConfiguration.DashboardVisual.InitialDashboardVisualId.{field} is required."
                    )));
                }
            }
        }
        "QuickSightConsole" => {
            if let Some(path) = value.get("InitialPath").filter(|p| !p.is_null())
                && !path.as_str().is_some_and(shape::console_path_ok)
            {
                return Err(ApiError::invalid(format!(
                    "ExperienceConfiguration.QuickSightConsole.InitialPath must be /start, /start/analyses, /start/dashboards, /start/favorites, /dashboards/<id> or /analyses/<id>, got {path}."
                )));
            }
        }
        _ => id("InitialTopicId", 2048, false)?,
    }
    Ok((kind, value))
}
