//! What an embed URL opens, read from `EMBED_*` and checked against the model of
//! GenerateEmbedUrlForRegisteredUser before the first login, so a bad value fails the deploy, not
//! every login.

use std::collections::BTreeSet;

use crate::config::{EnvReader, parse};
use crate::validate::FieldError;

/// The experience an embed URL opens (`EMBED_EXPERIENCE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Experience {
    /// `dashboard:<id>`.
    Dashboard { id: String },
    /// `console[:<initial path>]`: the whole console, for authors and admins.
    Console { initial_path: Option<String> },
    /// `q-search-bar[:<topic id>]`.
    QSearchBar { topic: Option<String> },
    /// `generative-qna[:<topic id>]`.
    GenerativeQnA { topic: Option<String> },
}

/// Session lifetimes QuickSight accepts, in minutes; the default is its longest.
pub const SESSION_MINUTES: std::ops::RangeInclusive<u16> = 15..=600;
pub const MAX_ALLOWED_DOMAINS: usize = 3;

/// Every `EMBED_*` setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedding {
    pub experience: Experience,
    /// `EMBED_SESSION_MINUTES` (default 600).
    pub session_minutes: u16,
    /// `EMBED_ALLOWED_DOMAINS`: at most three `https://` origins (or `http://localhost[:port]`);
    /// empty, the console's list.
    pub allowed_domains: Vec<String>,
    /// `EMBED_DASHBOARD_IDS`: the other dashboards a login may ask for by `dashboard_id`.
    pub dashboard_ids: BTreeSet<String>,
}

impl Experience {
    /// Errors name the whole value, not only its bad part.
    pub fn parse(variable: &str, v: &str) -> Result<Self, FieldError> {
        Self::parse_parts(variable, v).map_err(|e| FieldError::new(variable, e.rule, v))
    }

    fn parse_parts(variable: &str, v: &str) -> Result<Self, FieldError> {
        let (kind, arg) = match v.split_once(':') {
            Some((kind, arg)) => (kind, Some(arg)),
            None => (v, None),
        };
        let topic = |arg: Option<&str>| arg.map(|t| resource_id(variable, t, 2048)).transpose();
        Ok(match kind {
            "dashboard" => {
                let id = arg.ok_or_else(|| FieldError::new(variable, "dashboard needs an id: dashboard:<id>", v))?;
                Self::Dashboard {
                    id: dashboard_id(variable, id)?,
                }
            }
            "console" => Self::Console {
                initial_path: arg.map(|p| initial_path(variable, p)).transpose()?,
            },
            "q-search-bar" => Self::QSearchBar { topic: topic(arg)? },
            "generative-qna" => Self::GenerativeQnA { topic: topic(arg)? },
            _ => {
                let rule = "must be dashboard:<id>, console[:<path>], q-search-bar[:<topic id>] or generative-qna[:<topic id>]";
                return Err(FieldError::new(variable, rule, v));
            }
        })
    }

    /// This experience opening `dashboard` instead (a login's `dashboard_id`).
    pub fn with_dashboard(&self, dashboard: Option<&str>) -> Self {
        match dashboard {
            Some(id) => Self::Dashboard { id: id.to_owned() },
            None => self.clone(),
        }
    }
}

/// A dashboard id as the API's `ShortRestrictiveResourceId`: 1 to 512 of `[\w-]`.
pub fn dashboard_id(field: &str, v: &str) -> Result<String, FieldError> {
    resource_id(field, v, 512)
}

fn resource_id(field: &str, v: &str, max: usize) -> Result<String, FieldError> {
    let ok = (1..=max).contains(&v.chars().count()) && v.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if !ok {
        let rule = format!("an id is 1 to {max} letters, digits, '_' or '-'");
        return Err(FieldError::new(field, rule, v));
    }
    Ok(v.to_owned())
}

/// The console's `InitialPath`, one of the entry paths GenerateEmbedUrlForRegisteredUser accepts:
/// `/start`, `/start/analyses`, `/start/dashboards`, `/start/favorites`, `/dashboards/<id>` or
/// `/analyses/<id>` (the API model: "constrained to the following paths").
fn initial_path(field: &str, v: &str) -> Result<String, FieldError> {
    let id = |s: &str| resource_id(field, s, 512).is_ok();
    let ok = match v.strip_prefix('/').map(|p| p.split('/').collect::<Vec<_>>()).as_deref() {
        Some(["start"] | ["start", "analyses" | "dashboards" | "favorites"]) => true,
        Some(["dashboards" | "analyses", resource]) => id(resource),
        _ => false,
    };
    if !ok {
        let rule = "the console's initial path is /start, /start/analyses, /start/dashboards, /start/favorites, /dashboards/<id> or /analyses/<id>";
        return Err(FieldError::new(field, rule, v));
    }
    Ok(v.to_owned())
}

/// An `https://` origin (no path), the host optionally `*.` for every subdomain; or
/// `http://localhost`, with or without a port, which QuickSight allows for testing on one's own
/// machine (AWS Big Data Blog, "Scale Amazon QuickSight embedded analytics with new API-based domain
/// allow listing").
pub fn allowed_domain(field: &str, v: &str) -> Result<String, FieldError> {
    let local = match v.strip_prefix("http://localhost") {
        Some("") => true,
        Some(port) => port.strip_prefix(':').is_some_and(|p| p.parse::<u16>().is_ok()),
        None => false,
    };
    if local {
        return Ok(v.to_owned());
    }
    let host = v.strip_prefix("https://").unwrap_or_default();
    let host = host.strip_prefix("*.").unwrap_or(host);
    let (name, port) = host.split_once(':').unwrap_or((host, "443"));
    let name_ok = !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty() && !label.starts_with('-') && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if !name_ok || port.parse::<u16>().is_err() {
        let rule = "an allowed domain is an https:// origin without a path (https://app.example.com, https://*.example.com), or http://localhost[:port]";
        return Err(FieldError::new(field, rule, v));
    }
    Ok(v.to_owned())
}

impl Embedding {
    /// The `EMBED_*` variables; `None` when `EMBED_EXPERIENCE` is unset (no URL, and the other
    /// variables are refused, since they would do nothing).
    pub fn read(env: &mut EnvReader) -> Option<Self> {
        let experience = env.optional("EMBED_EXPERIENCE", Experience::parse);
        let session_minutes = env.optional("EMBED_SESSION_MINUTES", parse::number_in(SESSION_MINUTES));
        let allowed_domains = env.optional("EMBED_ALLOWED_DOMAINS", |variable, v| {
            let domains = parse::list(variable, v)?;
            if domains.len() > MAX_ALLOWED_DOMAINS {
                return Err(FieldError::new(variable, "at most 3 domains", v));
            }
            domains.iter().map(|d| allowed_domain(variable, d)).collect()
        });
        let dashboard_ids = env.optional("EMBED_DASHBOARD_IDS", |variable, v| {
            parse::list(variable, v)?
                .iter()
                .map(|id| dashboard_id(variable, id))
                .collect::<Result<BTreeSet<_>, _>>()
        });
        if env.raw("EMBED_EXPERIENCE").is_none() {
            for variable in ["EMBED_SESSION_MINUTES", "EMBED_ALLOWED_DOMAINS", "EMBED_DASHBOARD_IDS"] {
                if env.raw(variable).is_some() {
                    env.fail(variable, "needs EMBED_EXPERIENCE, which is unset");
                }
            }
        }
        Some(Self {
            experience: experience?,
            session_minutes: session_minutes.unwrap_or(*SESSION_MINUTES.end()),
            allowed_domains: allowed_domains.unwrap_or_default(),
            dashboard_ids: dashboard_ids.unwrap_or_default(),
        })
    }

    /// The experience of one login: the configured one, or the dashboard it asks for, which must be
    /// `EMBED_DASHBOARD_IDS`'s (or the configured dashboard).
    pub fn experience_for(&self, dashboard: Option<&str>) -> Result<Experience, FieldError> {
        let Some(id) = dashboard else {
            return Ok(self.experience.clone());
        };
        let configured = matches!(&self.experience, Experience::Dashboard { id: d } if d == id);
        if !configured && !self.dashboard_ids.contains(id) {
            return Err(FieldError::new(
                "dashboard_id",
                "must be one of the dashboards EMBED_DASHBOARD_IDS allows",
                id,
            ));
        }
        Ok(self.experience.with_dashboard(Some(id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<Option<Embedding>, Vec<String>> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut env = EnvReader::new(move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()));
        let embedding = Embedding::read(&mut env);
        env.finish(embedding)
            .map_err(|e| e.0.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn each_experience_is_parsed_and_each_bad_one_named() {
        let cases: [(&str, Result<Experience, &str>); 13] = [
            (
                "dashboard:sales-2024",
                Ok(Experience::Dashboard {
                    id: "sales-2024".into(),
                }),
            ),
            ("console", Ok(Experience::Console { initial_path: None })),
            (
                "console:/start/analyses",
                Ok(Experience::Console {
                    initial_path: Some("/start/analyses".into()),
                }),
            ),
            ("q-search-bar", Ok(Experience::QSearchBar { topic: None })),
            (
                "q-search-bar:topic_1",
                Ok(Experience::QSearchBar {
                    topic: Some("topic_1".into()),
                }),
            ),
            (
                "generative-qna:t-2",
                Ok(Experience::GenerativeQnA {
                    topic: Some("t-2".into()),
                }),
            ),
            ("dashboard", Err("needs an id")),
            ("dashboard:../admin", Err("letters, digits")),
            ("console:start", Err("/start, /start/analyses")),
            ("console:/admin", Err("/start, /start/analyses")),
            ("console:/dashboards/a/b", Err("/dashboards/<id>")),
            ("q-search-bar:a b", Err("letters, digits")),
            ("anonymous", Err("must be dashboard:<id>")),
        ];
        for (value, expected) in cases {
            let got = Experience::parse("EMBED_EXPERIENCE", value);
            match (expected, got) {
                (Ok(e), Ok(g)) => assert_eq!(g, e, "{value}"),
                (Err(rule), Err(e)) => {
                    assert!(e.rule.contains(rule), "{value}: {e}");
                    assert_eq!((e.field.as_str(), e.value.as_str()), ("EMBED_EXPERIENCE", value));
                }
                (e, g) => panic!("{value}: expected {e:?}, got {g:?}"),
            }
        }
    }

    #[test]
    fn unset_means_no_url_and_every_bad_variable_is_reported() {
        assert_eq!(read(&[]), Ok(None));
        let errors = read(&[
            ("EMBED_EXPERIENCE", "dashboard:sales"),
            ("EMBED_SESSION_MINUTES", "601"),
            (
                "EMBED_ALLOWED_DOMAINS",
                "https://a.com,https://b.com,https://c.com,https://d.com",
            ),
            ("EMBED_DASHBOARD_IDS", "ok, not/ok"),
        ])
        .unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].starts_with("EMBED_SESSION_MINUTES: must be a whole number from 15 to 600"));
        assert!(errors[1].starts_with("EMBED_ALLOWED_DOMAINS: at most 3 domains"));
        assert!(
            errors[2].contains("EMBED_DASHBOARD_IDS") && errors[2].contains("not/ok"),
            "{errors:?}"
        );
        let errors = read(&[("EMBED_ALLOWED_DOMAINS", "https://app.example.com")]).unwrap_err();
        assert_eq!(
            errors,
            ["EMBED_ALLOWED_DOMAINS: needs EMBED_EXPERIENCE, which is unset"]
        );
    }

    #[test]
    fn allowed_domains_are_https_origins_with_an_optional_wildcard_or_localhost() {
        for good in [
            "https://app.example.com",
            "https://*.example.com",
            "https://localhost:8443",
            "http://localhost",
            "http://localhost:8080",
        ] {
            assert!(allowed_domain("d", good).is_ok(), "{good}");
        }
        for bad in [
            "http://app.example.com",
            "http://localhost.example.com",
            "http://localhost:80a",
            "http://127.0.0.1:8080",
            "https://app.example.com/path",
            "https://",
            "app.example.com",
            "https://a..b",
            "https://a.com:99999",
        ] {
            assert!(allowed_domain("d", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_login_may_open_only_the_allowed_dashboards() {
        let embedding = read(&[
            ("EMBED_EXPERIENCE", "dashboard:sales"),
            ("EMBED_DASHBOARD_IDS", "ops, finance"),
            ("EMBED_SESSION_MINUTES", "60"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(embedding.session_minutes, 60);
        let dashboard = |id: &str| Experience::Dashboard { id: id.into() };
        assert_eq!(embedding.experience_for(None), Ok(dashboard("sales")));
        assert_eq!(embedding.experience_for(Some("sales")), Ok(dashboard("sales")));
        assert_eq!(embedding.experience_for(Some("finance")), Ok(dashboard("finance")));
        let refused = embedding.experience_for(Some("payroll")).unwrap_err();
        assert_eq!(
            (refused.field.as_str(), refused.value.as_str()),
            ("dashboard_id", "payroll")
        );
    }
}
