"""A warm SCIM create (POST /Users) and a warm lookup (GET /Users?filter=userName eq ...): scim
against the same QuickSight and DynamoDB calls made by the bare runtime on the same clients
(bench/lambda-echo with ECHO_SCIM_TABLE), in the same CPU quota, over TLS to quicksight-local, the
table in moto's DynamoDB. What scim adds is the difference, percentile by percentile."""

import json
import statistics
import subprocess
import sys
from pathlib import Path

from common import Emulator, Function, phase_calls, table
from cpu_share import Quota
from embed import paced, percentile
from local_lambda import start_listening, stop

TOKEN = "bench-scim-token-0123456789abcdef0123456789"
TABLE = "qs-bench-scim"
SCIM, CALLS = "scim", "its calls alone (bare runtime, same clients)"


def request(method, path, query="", body=None):
    event = {"version": "2.0", "rawPath": f"/scim/v2{path}", "rawQueryString": query,
             "requestContext": {"http": {"method": method}},
             "headers": {"host": "scim.example.com", "authorization": f"Bearer {TOKEN}"}}
    if body is not None:
        event["body"] = json.dumps(body)
    return event


def create(user_name):
    return request("POST", "/Users", body={
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name, "externalId": user_name,
        "name": {"givenName": "Bench", "familyName": user_name.split("@")[0]},
        "emails": [{"value": user_name, "type": "work", "primary": True}]})


def lookup(user_name):
    return request("GET", "/Users", query=f"filter=userName%20eq%20%22{user_name.replace('@', '%40')}%22")


def run(target, memory, runs, requests):
    emulator = Emulator(target, "--tls")
    moto, port = start_listening(lambda p: [Path(sys.prefix) / "bin" / "moto_server", "-H", "127.0.0.1", "-p", str(p)],
                                 "moto_server", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    moto_url = f"http://127.0.0.1:{port}"
    import boto3  # moto's own dependency

    boto3.client("dynamodb", endpoint_url=moto_url, region_name="us-east-1", aws_access_key_id="AKIDLOCAL",
                 aws_secret_access_key="local-secret").create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    common = {"AWS_ENDPOINT_URL_DYNAMODB": moto_url, "SCIM_PROVIDER_URL": "https://idp.example.com",
              "GROUP_MAPPING": "{}", "DEFAULT_GROUPS": "", "MANAGED_GROUP_PREFIX": "scim-"}
    env = {**common, "SCIM_TABLE": TABLE, "SCIM_TOKEN": TOKEN}
    echo_env = {**common, "ECHO_SCIM_TABLE": TABLE}
    warm, calls, cpu = {}, {}, {}
    quota = Quota(memory)
    try:
        for n in range(runs):
            for name, binary, fn_env in ((SCIM, "scim", env), (CALLS, "lambda-echo", echo_env))[:: 1 if n % 2 == 0 else -1]:
                fn = Function(target, binary, emulator, fn_env, command=quota.wrap([target / "release" / binary]))
                try:
                    users = [f"{binary}-{n}-{i}@example.com" for i in range(requests + 1)]
                    first, _ = fn.invoke(create(users[0]))  # the cold start, not measured
                    if binary == "scim" and first.get("statusCode") != 201:
                        raise SystemExit(f"scim's first create failed: {first}")
                    for kind, event_for in (("create", create), ("lookup", lookup)):
                        before, cpu_before = emulator.stats(), fn.cpu_ms()
                        queue = iter(users[1:])
                        samples = paced(lambda: check(fn.invoke(event_for(next(queue))), binary, kind), requests)
                        warm.setdefault((kind, name), []).extend(samples)
                        cpu.setdefault((kind, name), []).append((fn.cpu_ms() - cpu_before) / requests)
                        made, _ = phase_calls(before, emulator.stats())
                        calls.setdefault((kind, name), set()).add(tuple(sorted((op, k / requests) for op, k in made.items())))
                finally:
                    fn.close()
    finally:
        quota.close()
        stop(moto)
        emulator.close()

    rows = []
    for kind in ("create", "lookup"):
        for name in (SCIM, CALLS):
            samples = warm[(kind, name)]
            made = calls[(kind, name)]
            shown = " ".join(f"{op} {k:g}" for op, k in next(iter(made))) if len(made) == 1 else f"DIFFER {made}"
            rows.append([f"{kind}: {name}", f"{percentile(samples, 50):.2f} ms", f"{percentile(samples, 99):.2f} ms",
                         f"{statistics.median(cpu[(kind, name)]):.2f} ms", shown])
        added = [percentile(warm[(kind, SCIM)], q) - percentile(warm[(kind, CALLS)], q) for q in (50, 99)]
        added_cpu = statistics.median(cpu[(kind, SCIM)]) - statistics.median(cpu[(kind, CALLS)])
        rows.append([f"{kind}: added by scim", f"{added[0]:.2f} ms", f"{added[1]:.2f} ms", f"{added_cpu:.2f} ms", ""])
    table(f"SCIM requests, warm, at scim's {memory} MB ({memory / 1769:.1%} of a CPU), QuickSight over TLS, the table in "
          f"moto ({runs} processes x {requests} requests of each kind)",
          ["", "p50", "p99", "CPU per request", "QuickSight calls per request"], rows)
    print("  added: scim minus the same QuickSight and DynamoDB calls made alone, percentile by percentile "
          "(token checked, request parsed and planned, answer built); CPU: the process's own CPU time per request "
          "(median of the processes), which moto's and the emulator's latency does not blur")


def check(answer, binary, kind):
    response, ms = answer
    expected = {"create": 201, "lookup": 200}[kind]
    if binary == "scim" and response.get("statusCode") != expected:
        raise SystemExit(f"scim {kind}: {response}")
    return ms
