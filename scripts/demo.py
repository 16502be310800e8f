"""Runs the functions end to end against quicksight-local; see scripts/demo."""

import json
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from samcli.yamlhelper import yaml_parse

from local_lambda import invoke, local_environment, rie_command, serve_jwks, start_group, start_listening, stop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.argv[1])
STATE = ROOT / ".local" / "demo-state.json"
ACCOUNT = "123456789012"

# What the template cannot know locally, and a group mapping so the demo shows groups and roles.
OVERRIDES = {
    "QUICKSIGHT_ACCOUNT_ID": ACCOUNT,
    "QUICKSIGHT_FEDERATED_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/QuickSightFederated",
    "GROUP_MAPPING": json.dumps({
        "finance": {"group": "qs-finance", "role": "AUTHOR"},
        "executives": {"group": "qs-executives", "role": "ADMIN"},
    }),
    "DEFAULT_GROUPS": "qs-everyone",
}
RUNS = [
    ("CognitoSignupFunction", "cognito-signup", "events/cognito-post-confirmation.json"),
    ("CognitoSignupFunction", "cognito-signup", "events/cognito-external-provider.json"),
    ("OidcSignupFunction", "oidc-signup", "events/oidc-first-login.json"),
    ("SqsSyncFunction", "sqs-sync", "events/sqs-bulk-batch.json"),
]
# Tenants: a second user pool whose users carry custom:tenant, one namespace per tenant. acme's
# namespace exists already; globex's is created at its first sign-up.
TENANTS = {
    "TENANT_NAMESPACE": "{tenant}",
    "TENANT_CREATE_NAMESPACE": "true",
    # Creating namespaces on demand needs the values that may create one named.
    "TENANT_ALLOWED": "[a-z][a-z0-9-]{1,30}",
    "TENANT_GROUPS": "{tenant}-everyone",
    # quicksight-local takes 2 s to create a namespace: the trigger's longest budget covers it.
    "SIGNUP_BUDGET_MS": "4500",
}
# SCIM: an Okta-shaped push (users, a group mapped to a role, a deactivation), the table in moto's
# DynamoDB. Deployed, the token is a Secrets Manager secret; here it is given directly.
SCIM = {
    "SCIM_TABLE": "qs-provision-scim",
    "SCIM_TOKEN": "demo-scim-token-0123456789abcdef0123456789",
    "SCIM_PROVIDER_URL": "https://example.okta.com",
    "MANAGED_GROUP_PREFIX": "scim-",
    "GROUP_MAPPING": json.dumps({"Analysts": {"group": "scim-Analysts", "role": "AUTHOR"}}),
}
TENANT_SIGNUPS = [("acme", "maria.silva@example.com"), ("globex", "maria.silva@example.com"), ("globex", "tom.ng@example.com")]
# The user pool's directory as an export: pat was in the pool before deployment (adopted), jane has
# left (removed); the others are as their sign-ups left them.
DIRECTORY = "scripts/demo-directory.csv"
POOL_ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab12Cd34E"
# The sample ID token is signed with a test-only key; the demo serves that key as the provider's JWKS.
OIDC_ISSUER = "https://idp.example.test/realms/app"


def scim_user(user_name, given, family, external_id):
    return {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name,
            "name": {"givenName": given, "familyName": family}, "externalId": external_id,
            "emails": [{"value": user_name, "type": "work", "primary": True}], "active": True}


def scim_sequence(call):
    """An IdP's provisioning, as Okta sends it; `call(method, path, body)` answers (status, body)."""
    patch = lambda ops: {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops}
    call("GET", '/Users?filter=userName eq "ada.king@example.com"', None)
    ada = call("POST", "/Users", scim_user("ada.king@example.com", "Ada", "King", "00u1ada"))[1]["id"]
    lin = call("POST", "/Users", scim_user("lin.wu@example.com", "Lin", "Wu", "00u1lin"))[1]["id"]
    group = call("POST", "/Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                     "displayName": "Analysts", "members": []})[1]["id"]
    call("PATCH", f"/Groups/{group}", patch([{"op": "add", "path": "members", "value": [{"value": ada}, {"value": lin}]}]))
    call("PATCH", f"/Users/{ada}", patch([{"op": "replace", "path": "name.familyName", "value": "Lovelace"}]))
    call("PATCH", f"/Users/{lin}", patch([{"op": "replace", "value": {"active": False}}]))
    call("GET", f"/Users/{ada}", None)
    call("GET", "/Users?startIndex=1&count=10", None)


def summary(binary, event, response):
    if binary == "sqs-sync":
        failed = [f["itemIdentifier"] for f in response.get("batchItemFailures", [])]
        lines = []
        for r in response.get("results", []):
            if r["status"] == "applied":
                lines.append(f"    {r['message_id'][:8]}  applied  {r['op']} {r['outcome']['user_name']}: {r['outcome']['user']['status']}")
            else:
                errors = r["failure"].get("errors", [])
                why = "; ".join(f"{e['field']}: {e['rule']}" for e in errors) or r["failure"]["reason"]
                lines.append(f"    {r['message_id'][:8]}  FAILED   back to the queue: {why[:110]}")
        return "\n".join(lines + [f"    batchItemFailures: {failed}"])
    if binary == "oidc-signup":
        body = json.loads(response.get("body", "{}"))
        if response.get("statusCode") == 200:
            return f"    HTTP 200: {body['user_name']}: {body['user']['status']}, groups added {body['memberships_added']}"
        return f"    HTTP {response.get('statusCode')}: {json.dumps(body)[:200]}"
    unchanged = "returned the event unchanged" if response == event else f"answered {json.dumps(response)[:200]}"
    return f"    Cognito trigger {unchanged}"


def sqs_client(endpoint):
    import boto3  # aws-sam-cli's own dependency, in the same virtualenv

    return boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="AKIDLOCAL", aws_secret_access_key="local-secret")


def receive_all(endpoint, queue_url):
    """Every message on the queue, as sqs-sync's event records (deleted from the queue)."""
    sqs = sqs_client(endpoint)
    records = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return records
        for m in messages:
            records.append({"messageId": m["MessageId"], "body": m["Body"], "eventSource": "aws:sqs",
                            "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {}})
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def count_metrics(output, totals):
    """Adds the counts of every EMF line (one JSON line with `_aws`) in a function's output."""
    for line in output.splitlines():
        try:
            document = json.loads(line)
        except ValueError:
            continue
        if not isinstance(document, dict) or "_aws" not in document:
            continue
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for metric in directive["Metrics"]:
                totals[metric["Name"]] = totals.get(metric["Name"], 0) + document[metric["Name"]]


def table(state):
    rows = [("NAMESPACE", "USER NAME", "ROLE", "EXTERNAL LOGIN", "LOGIN ID", "GROUPS")]
    for key, space in state["spaces"].items():
        account, namespace = key.split("/", 1)
        if account != ACCOUNT:
            continue
        memberships = space.get("Memberships", {})
        for name, user in space.get("Users", {}).items():
            groups = sorted(g for g, members in memberships.items() if name in members)
            login = user.get("ExternalLoginFederationProviderType", "-")
            if login == "CUSTOM_OIDC":
                login += " " + user.get("ExternalLoginFederationProviderUrl", "")
            rows.append((namespace, name, user["Role"], login, user.get("ExternalLoginId", "-"), ", ".join(groups) or "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def main():
    template = yaml_parse((ROOT / "template.yaml").read_text())
    STATE.parent.mkdir(exist_ok=True)
    emulator = moto = None
    try:
        emulator = start_group([BIN / "quicksight-local", "--port", "0", "--state", STATE], stdout=subprocess.PIPE, text=True)
        url = emulator.stdout.readline().split()[-1]
        print(f"quicksight-local at {url} (state kept in {STATE.relative_to(ROOT)})")
        moto, moto_port = start_listening(
            lambda port: [Path(sys.prefix) / "bin" / "moto_server", "-H", "127.0.0.1", "-p", str(port)], "moto_server",
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        queue_url = sqs_client(f"http://127.0.0.1:{moto_port}").create_queue(QueueName="qs-provision-bulk")["QueueUrl"]

        jwks = serve_jwks()

        def environment(resource):
            env = local_environment(template, resource, url)
            env.update(OVERRIDES)
            env["AWS_ENDPOINT_URL_SQS"] = f"http://127.0.0.1:{moto_port}"
            return env

        def run(resource, binary, event, extra=None):
            env = environment(resource)
            env.update(extra or {})
            if binary == "oidc-signup":
                env.update({"OIDC_ISSUER": OIDC_ISSUER, "OIDC_AUDIENCE": "qs-app",
                            "OIDC_JWKS_URL": f"http://127.0.0.1:{jwks.server_address[1]}/jwks"})
            if "RETRY_QUEUE_URL" in template["Resources"][resource]["Properties"].get("Environment", {}).get("Variables", {}):
                env["RETRY_QUEUE_URL"] = queue_url
            log = tempfile.TemporaryFile(mode="w+")
            lam, port = start_listening(rie_command([BIN / binary]), "aws-lambda-rie",
                                        env=env, stdout=log, stderr=subprocess.DEVNULL)
            try:
                print(summary(binary, event, invoke(port, json.dumps(event))))
            finally:
                stop(lam)
                log.seek(0)
                count_metrics(log.read(), metrics)

        metrics = {}
        for resource, binary, event_file in RUNS:
            print(f"\n{binary} <- {event_file}")
            run(resource, binary, json.loads((ROOT / event_file).read_text()))

        # A reconcile: the plan from the directory, sent to the bulk queue, applied by sqs-sync.
        print(f"\nqs-reconcile --directory {DIRECTORY} --apply")
        reconcile = subprocess.run(
            [BIN / "qs-reconcile", "--directory", ROOT / DIRECTORY, "--provider-url", POOL_ISSUER,
             "--apply", "--queue-url", queue_url],
            env=environment("ReconcileFunction"), capture_output=True, text=True)
        for line in (reconcile.stdout + reconcile.stderr).splitlines():
            print(f"    {line}")
        records = receive_all(f"http://127.0.0.1:{moto_port}", queue_url)
        print(f"\nsqs-sync <- the {len(records)} queued change(s)")
        run("SqsSyncFunction", "sqs-sync", {"Records": records})

        # Tenants: acme is an existing customer (its namespace seeded), globex a new one.
        seed = urllib.request.Request(f"{url}/_emulator/namespaces", method="POST",
                                      data=json.dumps({"AwsAccountId": ACCOUNT, "Namespace": "acme"}).encode(),
                                      headers={"content-type": "application/json"})
        urllib.request.urlopen(seed).close()
        signup = json.loads((ROOT / "events/cognito-post-confirmation.json").read_text())
        for tenant, email in TENANT_SIGNUPS:
            event = json.loads(json.dumps(signup))
            attributes = event["request"]["userAttributes"]
            attributes.update({"custom:tenant": tenant, "email": email, "sub": f"{tenant}-{email}"})
            # Confirmed by the SaaS backend (AdminConfirmSignUp), which set the tenant: no app client
            # is involved, so none could have let the user write it.
            event["callerContext"]["clientId"] = "CLIENT_ID_NOT_APPLICABLE"
            print(f"\ncognito-signup <- {email}, custom:tenant={tenant} (TENANT_NAMESPACE={{tenant}})")
            run("CognitoSignupFunction", "cognito-signup", event, TENANTS)

        # SCIM: the function under RIE once, a sequence of requests as an IdP pushes them.
        import boto3  # moto's own dependency
        dynamodb = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{moto_port}", region_name="us-east-1",
                                aws_access_key_id="AKIDLOCAL", aws_secret_access_key="local-secret")
        dynamodb.create_table(TableName=SCIM["SCIM_TABLE"], BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        env = environment("ScimFunction")
        env.pop("SCIM_TOKEN_SECRET", None)
        env.update(SCIM)
        env["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://127.0.0.1:{moto_port}"
        log = tempfile.TemporaryFile(mode="w+")
        scim, port = start_listening(rie_command([BIN / "scim"]), "aws-lambda-rie", env=env, stdout=log,
                                     stderr=subprocess.DEVNULL)
        print("\nscim <- an Okta-shaped SCIM sequence (SCIM_DEACTIVATE=delete; the group Analysts maps to AUTHOR)")

        def call(method, path, body):
            path, _, query = path.partition("?")
            event = {"version": "2.0", "rawPath": f"/scim/v2{path}", "rawQueryString": query.replace(" ", "%20"),
                     "requestContext": {"http": {"method": method}},
                     "headers": {"host": "scim.example.com", "authorization": f"Bearer {SCIM['SCIM_TOKEN']}"}}
            if body is not None:
                event["body"] = json.dumps(body)
            answer = invoke(port, json.dumps(event))
            status, text = answer["statusCode"], answer.get("body") or ""
            body = json.loads(text) if text else {}
            shown = body.get("detail") or ", ".join(
                f"{k}={json.dumps(body[k])}" for k in ("id", "userName", "displayName", "active", "totalResults") if k in body)
            print(f"    {method:6} {path + ('?' + query if query else ''):48} {status}  {shown[:110]}")
            return status, body

        try:
            scim_sequence(call)
        finally:
            stop(scim)
            log.seek(0)
            count_metrics(log.read(), metrics)

        with urllib.request.urlopen(f"{url}/_emulator/state") as response:
            state = json.loads(response.read())
        print("\nQuickSight users now:\n")
        print(table(state))
        print("\nmetrics (the functions' EMF lines, summed): "
              + ", ".join(f"{name} {n}" for name, n in sorted(metrics.items()) if n))
    finally:
        stop(moto)
        stop(emulator)


if __name__ == "__main__":
    main()
