//! Every experience's URL against the official embedding SDK's own checks, copied from its source
//! (amazon-quicksight-embedding-sdk 2.11.3: `embedding-context.ts` `getControlUrlInfo`, and each
//! experience's `extractExperienceFromUrl`), so a shape the SDK refuses fails here, without a browser.

use regex_lite::Regex;
use serde_json::json;

use super::{Shape, console_path_ok};

/// `EmbeddingContext.getControlUrlInfo`: every experience's URL.
const CONTEXT: &str = r"(?i)^(https://[^/]+)/(embedding|embed)/([^/]+)/[^?]+\?(.*)";
const DASHBOARD: &str = r"(?i)^https://[^/]+/embed/[^/]+/dashboards/([\w-]+)(\?|$)";
const VISUAL: &str = r"(?i)^https://[^/]+/embed/[^/]+/dashboards/([\w-]+)/sheets/([\w-]+)/visuals/([\w-]+)(\?|$)";
const CONSOLE: &str = r"(?i)^https://[^/]+/embedding/[^/]+/(start(/(favorites|dashboards|analyses))?|dashboards/[\w-]+(/views/[\w-]+)?|analyses/[\w-]+)(\?|$)";
const Q_SEARCH: &str = r"(?i)^https://[^/]+/embedding/[^/]+/q/search(/|\?|$)";

const SESSION: &str = "4f1c2b9e";

fn url(shape: &Shape) -> String {
    let path = shape.path(SESSION);
    format!("https://127.0.0.1:4600{path}?code=c0de&identityprovider=quicksight&isauthcode=true")
}

#[test]
fn each_experience_url_passes_the_sdks_checks_and_names_its_session() {
    let experiences = [
        ("Dashboard", json!({ "InitialDashboardId": "sales-2026" }), DASHBOARD),
        (
            "DashboardVisual",
            json!({ "InitialDashboardVisualId": { "DashboardId": "sales", "SheetId": "s_1", "VisualId": "v-2" } }),
            VISUAL,
        ),
        ("QuickSightConsole", json!({}), CONSOLE),
        (
            "QuickSightConsole",
            json!({ "InitialPath": "/start/favorites" }),
            CONSOLE,
        ),
        (
            "QuickSightConsole",
            json!({ "InitialPath": "/dashboards/sales" }),
            CONSOLE,
        ),
        ("QuickSightConsole", json!({ "InitialPath": "/analyses/a-1" }), CONSOLE),
        ("QSearchBar", json!({ "InitialTopicId": "t1" }), Q_SEARCH),
        ("GenerativeQnA", json!({}), Q_SEARCH),
    ];
    let context = Regex::new(CONTEXT).unwrap();
    for (kind, experience, pattern) in experiences {
        let shape = Shape::of(kind, &experience);
        let url = url(&shape);
        let control = context
            .captures(&url)
            .unwrap_or_else(|| panic!("{kind}: the SDK says Invalid embedding url: {url}"));
        assert_eq!(&control[3], SESSION, "{kind}: the control frame's session");
        assert_eq!(&control[1], "https://127.0.0.1:4600");
        assert!(Regex::new(pattern).unwrap().is_match(&url), "{kind}: {url}");
        // The page reads the experience back from its own path.
        let path = shape.path(SESSION);
        let (prefix, rest) = path[1..].split_once('/').unwrap();
        let rest = rest.strip_prefix(SESSION).unwrap().trim_start_matches('/');
        let parsed = Shape::parse(prefix, rest).unwrap_or_else(|| panic!("{kind}: {rest}"));
        assert_eq!(parsed.path(SESSION), shape.path(SESSION), "{kind}");
    }
}

#[test]
fn the_sdks_event_targets_name_each_experience() {
    let target = |kind, experience| Shape::of(kind, &experience).event_target();
    assert_eq!(
        target("Dashboard", json!({ "InitialDashboardId": "d" })),
        json!({ "experienceType": "DASHBOARD", "dashboardId": "d" })
    );
    assert_eq!(target("GenerativeQnA", json!({}))["experienceType"], "QSEARCH");
    assert_eq!(target("QSearchBar", json!({}))["experienceType"], "QSEARCH");
    assert_eq!(target("QuickSightConsole", json!({}))["experienceType"], "CONSOLE");
}

#[test]
fn the_console_opens_only_its_documented_entry_paths() {
    for ok in [
        "/start",
        "/start/analyses",
        "/start/dashboards",
        "/start/favorites",
        "/dashboards/d-1",
        "/analyses/a_1",
    ] {
        assert!(console_path_ok(ok), "{ok}");
    }
    for bad in [
        "start",
        "/",
        "/start/other",
        "/dashboards",
        "/dashboards/a/b",
        "/dashboards/a b",
        "/admin",
    ] {
        assert!(!console_path_ok(bad), "{bad}");
    }
}
