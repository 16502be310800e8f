//! Where an embed URL points: the shapes the official embedding SDK (`amazon-quicksight-embedding-sdk`
//! v2) accepts, one per experience, and the event target its page reports to. The SDK refuses
//! ("Invalid embedding url") anything else: `https://<host>/(embed|embedding)/<session>/<path>?<query>`,
//! with the experience's own path (its `extractExperienceFromUrl`).

use serde_json::{Value, json};

/// An experience's place in an embed URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// `/embed/<session>/dashboards/<id>`
    Dashboard { dashboard: String },
    /// `/embed/<session>/dashboards/<id>/sheets/<sheet>/visuals/<visual>`
    Visual {
        dashboard: String,
        sheet: String,
        visual: String,
    },
    /// `/embedding/<session><InitialPath>`: `/start`, `/start/(analyses|dashboards|favorites)`,
    /// `/dashboards/<id>` or `/analyses/<id>`.
    Console { path: String },
    /// `/embedding/<session>/q/search`: the Q search bar, or Generative Q&A (the same path; the
    /// session says which).
    QSearch { generative: bool },
}

/// The console's entry paths ("constrained to the following paths", the API model's
/// `RegisteredUserQuickSightConsoleEmbeddingConfiguration.InitialPath`).
pub fn console_path_ok(path: &str) -> bool {
    match path
        .strip_prefix('/')
        .map(|p| p.split('/').collect::<Vec<_>>())
        .as_deref()
    {
        Some(["start"]) => true,
        Some(["start", "analyses" | "dashboards" | "favorites"]) => true,
        Some(["dashboards" | "analyses", id]) => is_id(id),
        _ => false,
    }
}

/// `[\w-]+`, as the SDK's patterns match ids.
fn is_id(v: &str) -> bool {
    !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl Shape {
    /// The shape of an experience the API accepted (`kind`, its configuration).
    pub fn of(kind: &str, experience: &Value) -> Shape {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        match kind {
            "Dashboard" => Shape::Dashboard {
                dashboard: text(&experience["InitialDashboardId"]),
            },
            "DashboardVisual" => {
                let v = &experience["InitialDashboardVisualId"];
                Shape::Visual {
                    dashboard: text(&v["DashboardId"]),
                    sheet: text(&v["SheetId"]),
                    visual: text(&v["VisualId"]),
                }
            }
            "QuickSightConsole" => Shape::Console {
                path: experience["InitialPath"].as_str().unwrap_or("/start").to_owned(),
            },
            _ => Shape::QSearch {
                generative: kind == "GenerativeQnA",
            },
        }
    }

    /// The dashboard a dashboard or visual experience opens.
    pub fn dashboard(&self) -> Option<&str> {
        match self {
            Shape::Dashboard { dashboard } | Shape::Visual { dashboard, .. } => Some(dashboard),
            Shape::Console { .. } | Shape::QSearch { .. } => None,
        }
    }

    /// The URL path for `session`.
    pub fn path(&self, session: &str) -> String {
        match self {
            Shape::Dashboard { dashboard } => format!("/embed/{session}/dashboards/{dashboard}"),
            Shape::Visual {
                dashboard,
                sheet,
                visual,
            } => format!("/embed/{session}/dashboards/{dashboard}/sheets/{sheet}/visuals/{visual}"),
            Shape::Console { path } => format!("/embedding/{session}{path}"),
            Shape::QSearch { .. } => format!("/embedding/{session}/q/search"),
        }
    }

    /// The shape a request path names after `/<prefix>/<session>` (`rest` without its leading
    /// '/'); `None` for a path no experience has.
    pub fn parse(prefix: &str, rest: &str) -> Option<Shape> {
        let parts: Vec<&str> = rest.split('/').collect();
        match (prefix, parts.as_slice()) {
            ("embed", ["dashboards", d]) if is_id(d) => Some(Shape::Dashboard {
                dashboard: d.to_string(),
            }),
            ("embed", ["dashboards", d, "sheets", s, "visuals", v]) if [d, s, v].iter().all(|x| is_id(x)) => {
                Some(Shape::Visual {
                    dashboard: d.to_string(),
                    sheet: s.to_string(),
                    visual: v.to_string(),
                })
            }
            ("embedding", ["q", "search"]) => Some(Shape::QSearch { generative: false }),
            ("embedding", _) if console_path_ok(&format!("/{rest}")) => Some(Shape::Console {
                path: format!("/{rest}"),
            }),
            _ => None,
        }
    }

    /// The SDK's `eventTarget` for this experience, without the page's `contextId` and
    /// `discriminator` (the SDK puts them in the frame's query string).
    pub fn event_target(&self) -> Value {
        match self {
            Shape::Dashboard { dashboard } => json!({ "experienceType": "DASHBOARD", "dashboardId": dashboard }),
            Shape::Visual {
                dashboard,
                sheet,
                visual,
            } => json!({ "experienceType": "VISUAL", "dashboardId": dashboard, "sheetId": sheet, "visualId": visual }),
            Shape::Console { .. } => json!({ "experienceType": "CONSOLE" }),
            // The SDK (2.11) gives Generative Q&A the Q search bar's experience type.
            Shape::QSearch { .. } => json!({ "experienceType": "QSEARCH" }),
        }
    }
}

#[cfg(test)]
mod tests;
