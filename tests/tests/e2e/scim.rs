//! The scim binary under aws-lambda-rie, its table in moto's DynamoDB, its users in
//! quicksight-local: an Okta-shaped and an Entra-shaped provisioning sequence (create, update,
//! add to a group, deactivate, delete), each leaving QuickSight exactly as the IdP described, and
//! the token read from moto's Secrets Manager.

use qs_provision_tests::Emulator;
use qs_provision_tests::lambda::{Lambda, Moto, base_env, scim_table};
use serde_json::{Value, json};

const TOKEN: &str = "e2e-scim-token-0123456789abcdef0123456789";
const PROVIDER: &str = "https://idp.example.com";
const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

struct Scim {
    lambda: Lambda,
    token: String,
}

impl Scim {
    fn start(emu: &Emulator, moto: &Moto, table: &str, extra: &[(&str, &str)]) -> Scim {
        let mut env = base_env(&emu.url);
        for (k, v) in [
            ("AWS_ENDPOINT_URL_DYNAMODB", moto.url.as_str()),
            ("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto.url.as_str()),
            ("SCIM_TABLE", table),
            ("SCIM_TOKEN", TOKEN),
            ("SCIM_PROVIDER_URL", PROVIDER),
            ("MANAGED_GROUP_PREFIX", "scim-"),
        ]
        .into_iter()
        .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
        .chain(extra.iter().copied())
        {
            env.push((k.to_owned(), v.to_owned()));
        }
        Scim {
            lambda: Lambda::start("scim", &env),
            token: TOKEN.to_owned(),
        }
    }

    /// A function URL request: the status and the body.
    fn call(&self, method: &str, path_and_query: &str, body: Option<Value>) -> (u64, Value) {
        let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
        let mut event = json!({
            "version": "2.0",
            "rawPath": format!("/scim/v2{path}"),
            "rawQueryString": query,
            "headers": { "host": "abc.lambda-url.us-east-1.on.aws", "authorization": format!("Bearer {}", self.token) },
            "requestContext": { "http": { "method": method } },
            "isBase64Encoded": false,
        });
        if let Some(body) = body {
            event["body"] = json!(body.to_string());
        }
        let answer = self.lambda.invoke(&event);
        let status = answer["statusCode"].as_u64().unwrap_or_else(|| panic!("{answer}"));
        let text = answer["body"].as_str().unwrap_or_default();
        (
            status,
            if text.is_empty() {
                Value::Null
            } else {
                serde_json::from_str(text).unwrap()
            },
        )
    }

    fn ok(&self, method: &str, path: &str, body: Option<Value>, expected: u64) -> Value {
        let (status, answer) = self.call(method, path, body);
        assert_eq!(status, expected, "{method} {path}: {answer}");
        answer
    }
}

fn patch(operations: Value) -> Value {
    json!({ "schemas": [PATCH_SCHEMA], "Operations": operations })
}

fn role_of(emu: &Emulator, user: &str) -> Value {
    emu.user(user)["Role"].clone()
}

/// Okta's SCIM 2.0 sequence as its developer documentation shows it: a lookup by userName, a
/// create, a PUT of the whole profile, a group pushed and given the user, a PATCH deactivation,
/// then a delete.
#[tokio::test]
async fn an_okta_shaped_sequence_leaves_quicksight_as_okta_described_it() {
    let emu = Emulator::start(&[]);
    let moto = Moto::start();
    scim_table(&moto.dynamodb(), "scim-okta").await;
    let scim = Scim::start(
        &emu,
        &moto,
        "scim-okta",
        &[(
            "GROUP_MAPPING",
            r#"{"Analysts":{"group":"scim-Analysts","role":"AUTHOR"}}"#,
        )],
    );
    let user_name = "ida.okta@example.com";
    let qs_user = format!("QuickSightFederated/{user_name}");

    let lookup = scim.ok(
        "GET",
        "/Users?filter=userName%20eq%20%22ida.okta%40example.com%22&startIndex=1&count=100",
        None,
        200,
    );
    assert_eq!(lookup["totalResults"], 0);
    let created = scim.ok(
        "POST",
        "/Users",
        Some(json!({
            "schemas": [USER_SCHEMA],
            "userName": user_name,
            "name": { "givenName": "Ida", "familyName": "Okta" },
            "emails": [{ "primary": true, "value": user_name, "type": "work" }],
            "displayName": "Ida Okta",
            "locale": "en-US",
            "externalId": "00u1okta",
            "groups": [],
            "active": true
        })),
        201,
    );
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(emu.user(&qs_user)["ExternalLoginId"], "00u1okta");
    assert_eq!(emu.user(&qs_user)["ExternalLoginFederationProviderUrl"], PROVIDER);
    assert_eq!(role_of(&emu, &qs_user), "READER");

    // A profile change: Okta PUTs the whole user.
    let mut profile = created.clone();
    profile["name"]["familyName"] = json!("Okta-Lee");
    profile["title"] = json!("Analyst");
    let updated = scim.ok("PUT", &format!("/Users/{id}"), Some(profile), 200);
    assert_eq!(updated["name"], json!({ "givenName": "Ida", "familyName": "Okta-Lee" }));
    assert_eq!(updated["title"], "Analyst");

    // Group push: a lookup, a create, the member added by PATCH; the group maps to AUTHOR.
    let found = scim.ok(
        "GET",
        "/Groups?filter=displayName%20eq%20%22Analysts%22&startIndex=1&count=100",
        None,
        200,
    );
    assert_eq!(found["totalResults"], 0);
    let group = scim.ok(
        "POST",
        "/Groups",
        Some(json!({ "schemas": [GROUP_SCHEMA], "displayName": "Analysts", "members": [] })),
        201,
    );
    let group_id = group["id"].as_str().unwrap().to_owned();
    scim.ok(
        "PATCH",
        &format!("/Groups/{group_id}"),
        Some(patch(
            json!([{ "op": "add", "path": "members", "value": [{ "value": id, "display": user_name }] }]),
        )),
        200,
    );
    assert_eq!(emu.groups_of(&qs_user), ["scim-Analysts"]);
    assert_eq!(role_of(&emu, &qs_user), "AUTHOR");
    // Okta renames a pushed group with a replace that repeats the id.
    let renamed = scim.ok(
        "PATCH",
        &format!("/Groups/{group_id}"),
        Some(patch(
            json!([{ "op": "replace", "value": { "id": group_id, "displayName": "Analysts" } }]),
        )),
        200,
    );
    assert_eq!(renamed["members"][0]["value"], id.as_str());

    let read = scim.ok("GET", &format!("/Users/{id}"), None, 200);
    assert_eq!(read["groups"][0]["value"], group_id.as_str());
    for attribute in ["userName", "displayName", "locale", "externalId", "title", "emails"] {
        assert_eq!(read[attribute], updated[attribute], "{attribute} reads back as written");
    }
    // RFC 7644 §3.4.3 and §3.10 through the real binary: a search with a value path and a
    // projection; a PATCH of the enterprise extension whole.
    let search = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "emails[type eq \"work\" and value co \"@example.com\"] and active eq true",
        "attributes": ["userName"],
    });
    let found = scim.ok("POST", "/Users/.search", Some(search), 200);
    assert_eq!(found["totalResults"], 1, "{found}");
    assert_eq!(found["Resources"][0]["userName"], updated["userName"]);
    assert_eq!(found["Resources"][0].get("emails"), None, "projected");
    let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    let extended = scim.ok(
        "PATCH",
        &format!("/Users/{id}"),
        Some(patch(
            json!([{ "op": "add", "path": enterprise, "value": { "department": "Analytics" } }]),
        )),
        200,
    );
    assert_eq!(extended[enterprise], json!({ "department": "Analytics" }));
    assert_eq!(extended["schemas"], json!([USER_SCHEMA, enterprise]));

    // Deactivation (SCIM_DEACTIVATE=delete): QuickSight's user goes, the SCIM user stays inactive.
    let deactivated = scim.ok(
        "PATCH",
        &format!("/Users/{id}"),
        Some(patch(json!([{ "op": "replace", "value": { "active": false } }]))),
        200,
    );
    assert_eq!(deactivated["active"], false);
    assert!(emu.user_names().is_empty(), "{:?}", emu.user_names());
    assert_eq!(scim.ok("GET", &format!("/Users/{id}"), None, 200)["active"], false);

    scim.ok("DELETE", &format!("/Users/{id}"), None, 204);
    scim.ok("GET", &format!("/Users/{id}"), None, 404);
    scim.ok("DELETE", &format!("/Groups/{group_id}"), None, 204);
    scim.ok("GET", &format!("/Groups/{group_id}"), None, 404);
    assert!(!scim.lambda.log_text().contains(TOKEN), "the token is never logged");
    // One metric line per request, counting what each did to the user.
    let lines: Vec<Value> = scim
        .lambda
        .log_lines()
        .into_iter()
        .filter(|l| l.get("_aws").is_some())
        .collect();
    let sum = |name: &str| lines.iter().map(|l| l[name].as_u64().unwrap_or(0)).sum::<u64>();
    assert_eq!(sum("ScimRequests"), lines.len() as u64);
    assert_eq!(
        (sum("UsersRegistered"), sum("UsersDeleted"), sum("MembershipsAdded")),
        (1, 1, 1),
        "{lines:?}"
    );
    // The two reads of what was deleted answered 404; nothing failed.
    assert_eq!((sum("ScimRequestsInvalid"), sum("ScimRequestsFailed")), (2, 0));
}

/// Entra ID's sequence as Microsoft's SCIM endpoint tutorial and its known-issues page show it:
/// capitalised ops, a work e-mail set through a filtered path, `"False"` for a boolean, members
/// added and removed with values, `excludedAttributes=members` lookups.
#[tokio::test]
async fn an_entra_shaped_sequence_leaves_quicksight_as_entra_described_it() {
    let emu = Emulator::start(&[]);
    let moto = Moto::start();
    scim_table(&moto.dynamodb(), "scim-entra").await;
    let scim = Scim::start(&emu, &moto, "scim-entra", &[]);
    let user_name = "Test_User_dfeef4c5@contoso.com";
    let qs_user = format!("QuickSightFederated/{user_name}");

    let lookup = scim.ok(
        "GET",
        &format!("/Users?filter=userName+eq+%22{user_name}%22"),
        None,
        200,
    );
    assert_eq!(lookup["totalResults"], 0);
    let created = scim.ok(
        "POST",
        "/Users",
        Some(json!({
            "schemas": [USER_SCHEMA, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
            "userName": user_name,
            "active": true,
            "emails": [{ "primary": true, "type": "work", "value": "Test_User_11bb6097@contoso.com" }],
            "meta": { "resourceType": "User" },
            "name": { "formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName" },
            "roles": [],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "Sales" }
        })),
        201,
    );
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(emu.user(&qs_user)["Email"], "Test_User_11bb6097@contoso.com");
    assert_eq!(
        emu.user(&qs_user)["ExternalLoginId"],
        "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    );

    let updated = scim.ok(
        "PATCH",
        &format!("/Users/{id}"),
        Some(patch(json!([
            { "op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@contoso.com" },
            { "op": "Replace", "path": "name.familyName", "value": "updatedFamilyName" },
            { "op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Marketing" }
        ]))),
        200,
    );
    assert_eq!(emu.user(&qs_user)["Email"], "updatedEmail@contoso.com");
    assert_eq!(updated["name"]["familyName"], "updatedFamilyName");
    assert_eq!(
        updated["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"],
        "Marketing"
    );

    let group = scim.ok(
        "POST",
        "/Groups",
        Some(json!({ "schemas": [GROUP_SCHEMA], "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "displayName", "meta": { "resourceType": "Group" } })),
        201,
    );
    let group_id = group["id"].as_str().unwrap().to_owned();
    let found = scim.ok(
        "GET",
        "/Groups?excludedAttributes=members&filter=displayName+eq+%22displayName%22",
        None,
        200,
    );
    assert_eq!(found["Resources"][0]["id"], group_id.as_str());
    assert!(found["Resources"][0].get("members").is_none());
    scim.ok(
        "PATCH",
        &format!("/Groups/{group_id}"),
        Some(patch(
            json!([{ "op": "Add", "path": "members", "value": [{ "value": id }] }]),
        )),
        200,
    );
    assert_eq!(emu.groups_of(&qs_user), ["scim-displayName"]);
    let member = scim.ok(
        "GET",
        &format!("/Groups?filter=id+eq+%22{group_id}%22+and+members[value+eq+%22{id}%22]&excludedAttributes=members"),
        None,
        200,
    );
    assert_eq!(member["totalResults"], 1);
    scim.ok(
        "PATCH",
        &format!("/Groups/{group_id}"),
        Some(patch(
            json!([{ "op": "Remove", "path": "members", "value": [{ "value": id }] }]),
        )),
        200,
    );
    assert!(emu.groups_of(&qs_user).is_empty());
    scim.ok(
        "PATCH",
        &format!("/Groups/{group_id}"),
        Some(patch(
            json!([{ "op": "Add", "path": "members", "value": [{ "value": id }] }]),
        )),
        200,
    );

    // Disable, as Entra sends it.
    let disabled = scim.ok(
        "PATCH",
        &format!("/Users/{id}"),
        Some(patch(json!([{ "op": "Replace", "path": "active", "value": "False" }]))),
        200,
    );
    assert_eq!(disabled["active"], false);
    assert!(emu.user_names().is_empty());
    scim.ok("DELETE", &format!("/Users/{id}"), None, 204);
    scim.ok("GET", &format!("/Users/{id}"), None, 404);
    scim.ok("DELETE", &format!("/Groups/{group_id}"), None, 204);
    scim.ok("GET", &format!("/Groups/{group_id}"), None, 404);
}

/// Deployed, the token is a Secrets Manager secret: read once and cached, compared with what the
/// IdP presents; the function's output never holds it.
#[tokio::test]
async fn the_token_comes_from_secrets_manager_and_is_never_logged() {
    let emu = Emulator::start(&[]);
    let moto = Moto::start();
    scim_table(&moto.dynamodb(), "scim-secret").await;
    let secret = "qs-provision/scim-token";
    let token = "secret-scim-token-abcdefghijklmnopqrstuvwxyz0123";
    moto.secrets()
        .create_secret()
        .name(secret)
        .secret_string(token)
        .send()
        .await
        .unwrap();
    let mut scim = Scim::start(
        &emu,
        &moto,
        "scim-secret",
        &[("SCIM_TOKEN", ""), ("SCIM_TOKEN_SECRET", secret)],
    );
    scim.token = token.to_owned();
    scim.ok("GET", "/ServiceProviderConfig", None, 200);
    scim.token = TOKEN.to_owned();
    let (status, body) = scim.call("GET", "/Users", None);
    assert_eq!((status, body), (401, Value::Null));
    assert!(!scim.lambda.log_text().contains(token));
}
