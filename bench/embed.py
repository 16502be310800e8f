"""A returning user's login with an embed URL (ID token in, URL out): oidc-signup against a Python
boto3 peer making the calls of AWS's embedding sample, both against the same quicksight-local over
TLS, each process in the CPU share of its memory size, runs interleaved. Beside them, what the
two QuickSight calls cost on their own and what the bare runtime costs, so that what oidc-signup
adds to the calls is measured, not assumed."""

import http.client
import json
import statistics
import time
import urllib.parse

from common import ACCOUNT, AUTHORIZATION, ROOT, Emulator, Function, phase_calls, table
from cpu_share import PEER, Quota
from local_lambda import serve_jwks

RUST, PYTHON, ECHO = "oidc-signup (Rust)", "Python boto3 peer", "lambda-echo (bare runtime)"
DASHBOARD = "sales"
ISSUER = "https://idp.example.test/realms/app"


def login_event():
    """The sample function URL request: sam.taylor's long-lived test token (signed with rsa-a)."""
    return json.loads((ROOT / "events" / "oidc-first-login.json").read_text())


def environment(jwks_port):
    # No managed groups: the function then makes exactly the sample's two calls for a returning user.
    return {"OIDC_ISSUER": ISSUER, "OIDC_AUDIENCE": "qs-app", "OIDC_JWKS_URL": f"http://127.0.0.1:{jwks_port}/jwks",
            "EMBED_EXPERIENCE": f"dashboard:{DASHBOARD}", "EMBED_SESSION_MINUTES": "600",
            "GROUP_MAPPING": "{}", "DEFAULT_GROUPS": "", "MANAGED_GROUP_PREFIX": ""}


def percentile(samples, p):
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


class DirectCalls:
    """DescribeUser and GenerateEmbedUrlForRegisteredUser from this process over one kept-alive TLS
    connection: the two calls' own cost, with no function around them."""

    def __init__(self, emulator, user_name):
        url = urllib.parse.urlparse(emulator.url)
        self.connection = http.client.HTTPSConnection(url.hostname, url.port, context=emulator.tls)
        self.describe = f"/accounts/{ACCOUNT}/namespaces/default/users/{urllib.parse.quote(user_name, safe='')}"
        self.headers = {"authorization": AUTHORIZATION, "content-type": "application/json"}

    def call(self, method, path, body=None):
        self.connection.request(method, path, body=body, headers=self.headers)
        response = self.connection.getresponse()
        answer = json.loads(response.read())
        if response.status != 200:
            raise SystemExit(f"{method} {path}: {response.status} {answer}")
        return answer

    def login(self):
        start = time.perf_counter()
        arn = self.call("GET", self.describe)["User"]["Arn"]
        body = json.dumps({"UserArn": arn, "SessionLifetimeInMinutes": 600,
                           "ExperienceConfiguration": {"Dashboard": {"InitialDashboardId": DASHBOARD}}})
        self.call("POST", f"/accounts/{ACCOUNT}/embed-url/registered-user", body)
        return (time.perf_counter() - start) * 1000


def run(target, memory, cold_memories, runs, warm_runs, peer_python):
    emulator = Emulator(target, "--tls")
    jwks = serve_jwks()
    env = environment(jwks.server_port)
    peer_env = {**env, "LAMBDA_TASK_ROOT": str(PEER), "PYTHONPATH": str(PEER)}
    implementations = {
        RUST: (None, env),
        PYTHON: ([peer_python, "-m", "awslambdaric", "embed_handler.handler"], peer_env),
    }
    event = login_event()
    try:
        emulator.post("/_emulator/assets", {"kind": "dashboard", "id": DASHBOARD, "name": "Sales",
                                            "AwsAccountId": ACCOUNT, "Region": "us-east-1"})
        # The first login registers the user: every measured one is a returning login.
        first = Function(target, "oidc-signup", emulator, env)
        response, _ = first.invoke(event)
        first.close()
        body = json.loads(response.get("body", "{}"))
        if response.get("statusCode") != 200 or "embed_url" not in body:
            raise SystemExit(f"the first login failed: {response}")
        direct = DirectCalls(emulator, body["user_name"])

        warm, cold, calls = {}, {}, {}
        for quota_memory in sorted({memory, *cold_memories}):
            quota = Quota(quota_memory)
            try:
                order = list(implementations.items())
                for n in range(runs):
                    for name, (command, fn_env) in (order if n % 2 == 0 else order[::-1]):
                        before = emulator.stats()
                        fn = Function(target, "oidc-signup", emulator, fn_env,
                                      command=quota.wrap(command or [target / "release" / "oidc-signup"]))
                        try:
                            response, ms = fn.invoke(event)
                            if response.get("statusCode") != 200:
                                raise SystemExit(f"{name}: {response}")
                            cold.setdefault((quota_memory, name), []).append(ms)
                            if quota_memory == memory:
                                warm.setdefault(name, []).extend(fn.invoke(event)[1] for _ in range(warm_runs))
                        finally:
                            fn.close()
                        made, _ = phase_calls(before, emulator.stats())
                        calls.setdefault(name, set()).add(tuple(sorted(made.items())))
                    if quota_memory == memory:
                        # the bare runtime in the same quota, and the two calls alone, in the same rounds
                        echo = Function(target, "lambda-echo", emulator, command=quota.wrap([target / "release" / "lambda-echo"]))
                        try:
                            echo.invoke(event)
                            warm.setdefault(ECHO, []).extend(echo.invoke(event)[1] for _ in range(warm_runs))
                        finally:
                            echo.close()
                        warm.setdefault("the two calls alone", []).extend(direct.login() for _ in range(warm_runs))
            finally:
                quota.close()
    finally:
        jwks.shutdown()
        emulator.close()

    def p(name, q):
        return percentile(warm[name], q)

    rows = [[name, f"{p(name, 50):.2f} ms", f"{p(name, 99):.2f} ms",
             " ".join(f"{op} {k}" for op, k in next(iter(calls[name]))) if len(calls.get(name, ())) == 1 else
             ("-" if name not in calls else f"DIFFER {calls[name]}")] for name in warm]
    added = [p(RUST, q) - p(ECHO, q) - p("the two calls alone", q) for q in (50, 99)]
    rows.append(["oidc-signup beyond the runtime and the calls", f"{added[0]:.2f} ms", f"{added[1]:.2f} ms", ""])
    share = f"{memory / 1769:.1%}"
    table(f"A returning login, warm, at oidc-signup's {memory} MB ({share} of a CPU), over TLS "
          f"({runs} processes x {warm_runs} logins each)", ["", "p50", "p99", "QuickSight calls (all invokes)"], rows)
    print(f"  warm p99, Rust over the peer: 1/{p(PYTHON, 99) / p(RUST, 99):.1f}; p50: 1/{p(PYTHON, 50) / p(RUST, 50):.1f}")
    print("  'beyond' is Rust minus the bare runtime minus the two calls made alone, percentile by percentile")
    rows = [[f"{m} MB", f"{m / 1769:.1%}", name, f"{statistics.median(samples):.0f} ms"]
            for (m, name), samples in sorted(cold.items())]
    table(f"The first login of a new process (cold), medians of {runs}", ["memory", "CPU", "function", "cold"], rows)

