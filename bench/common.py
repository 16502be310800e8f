"""What the benchmark's parts share: the emulator and function processes, events, tables."""

import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from samcli.yamlhelper import yaml_parse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from local_lambda import invoke, rie_command, start_group, start_listening, stop, template_environment  # noqa: E402

ACCOUNT = "123456789012"
FUNCTIONS = {"cognito-signup": "CognitoSignupFunction", "sqs-sync": "SqsSyncFunction", "oidc-signup": "OidcSignupFunction",
             "scim": "ScimFunction"}
# quicksight-local checks that a request is signed for a region, not the signature.
AUTHORIZATION = "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20261122/us-east-1/quicksight/aws4_request, SignedHeaders=host, Signature=0"
MUTATING = {"RegisterUser", "UpdateUser", "DeleteUser", "DeleteUserByPrincipalId", "CreateGroup", "CreateGroupMembership",
            "DeleteGroupMembership", "DeleteGroup", "UpdateGroup"}


def table(title, header, rows):
    rows = [[str(c) for c in r] for r in [header] + rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    print(f"\n{title}\n")
    for n, r in enumerate(rows):
        print("  " + "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip())
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))


def mib(n):
    return f"{n / 1048576:.1f} MiB"


class Emulator:
    def __init__(self, target, *args):
        self.proc = start_group([target / "release" / "quicksight-local", "--port", "0", *args], stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().split()[-1]
        # --tls: the second line names the CA certificate to trust
        self.ca_file = self.proc.stdout.readline().split()[-1] if self.url.startswith("https") else None
        self.tls = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else None

    def get(self, path):
        with urllib.request.urlopen(self.url + path, context=self.tls) as r:
            return json.loads(r.read())

    def post(self, path, body):
        request = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, context=self.tls) as r:
            return json.loads(r.read())

    def stats(self):
        return self.get("/_emulator/stats")["operations"]

    def close(self):
        stop(self.proc)


EXTRA_ENV = {}  # --env overrides of the template's defaults


class Function:
    """One function binary under aws-lambda-rie, its environment from template.yaml's defaults."""

    def __init__(self, target, name, emulator, env_overrides=None, log=None, command=None):
        """`env_overrides` override the template's variables; `log` gets the function's output (else
        dropped); `command` runs instead of the release binary (under the same environment)."""
        template = yaml_parse((ROOT / "template.yaml").read_text())
        env = template_environment(template, FUNCTIONS[name]) if name in FUNCTIONS else {}  # lambda-echo: none
        env.update({
            "PATH": os.environ.get("PATH", ""), "QUICKSIGHT_ACCOUNT_ID": ACCOUNT,
            "QUICKSIGHT_FEDERATED_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/QuickSightFederated",
            "AWS_ACCESS_KEY_ID": "AKIDLOCAL", "AWS_SECRET_ACCESS_KEY": "local-secret", "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_QUICKSIGHT": emulator.url,
            "AWS_LAMBDA_FUNCTION_TIMEOUT": "60", "RUST_LOG": "error",
        })
        if emulator.ca_file:
            env["AWS_CA_BUNDLE"] = emulator.ca_file
        env.pop("RETRY_QUEUE_URL", None)
        env.update(env_overrides or {})
        env.update(EXTRA_ENV)
        self.started = time.perf_counter()
        self.proc, self.port = start_listening(rie_command(command or [target / "release" / name]), "aws-lambda-rie",
                                               env=env, stdout=log or subprocess.DEVNULL,
                                               stderr=subprocess.STDOUT if log else subprocess.DEVNULL)

    def invoke(self, event):
        start = time.perf_counter()
        response = invoke(self.port, json.dumps(event))
        return response, (time.perf_counter() - start) * 1000

    def bootstrap_pid(self):
        """The function process (RIE starts it at the first invoke)."""
        children = [pid for task in Path(f"/proc/{self.proc.pid}/task").iterdir() for pid in (task / "children").read_text().split()]
        for pid in children:
            if Path(f"/proc/{pid}/comm").read_text().strip() != "aws-lambda-rie":
                return pid
        raise RuntimeError("the function process is not running")

    def bootstrap_status(self):
        """VmRSS and VmHWM (peak) of the function process, in KiB."""
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{self.bootstrap_pid()}/status").read_text().splitlines())
        return {k: int(fields[k].split()[0]) for k in ("VmRSS", "VmHWM")}

    def cpu_ms(self):
        """CPU time the function process has had, in ms: the sum over its threads of
        /proc/<pid>/task/<tid>/schedstat's first field (ns on a CPU)."""
        tasks = Path(f"/proc/{self.bootstrap_pid()}/task")
        return sum(int((t / "schedstat").read_text().split()[0]) for t in tasks.iterdir()) / 1e6

    def close(self):
        stop(self.proc)


def upsert(i, role="AUTHOR", groups=("qs-bench-a", "qs-bench-b")):
    return {"op": "upsert", "version": 1, "email": f"bench{i}@example.com", "external_login_id": f"id-{i}",
            "provider_url": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench1234", "role": role,
            "groups": list(groups)}


def sqs_event(changes, first_id=0):
    return {"Records": [{
        "messageId": f"m-{first_id + n}", "receiptHandle": f"r-{first_id + n}", "body": json.dumps(c),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1763812800000"}, "messageAttributes": {},
        "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": f"arn:aws:sqs:us-east-1:{ACCOUNT}:qs-provision-bulk",
        "awsRegion": "us-east-1"} for n, c in enumerate(changes)]}


def cognito_event(i):
    event = json.loads((ROOT / "events" / "cognito-post-confirmation.json").read_text())
    attrs = event["request"]["userAttributes"]
    attrs["email"], attrs["sub"] = f"cold{i}@example.com", f"0b3c1f6e-0000-4000-8000-{i:012d}"
    event["userName"] = attrs["sub"]
    return event


def phase_calls(before, after):
    """Calls QuickSight answered (429s apart), per operation, and the 429s."""
    def delta(op, field):
        return after[op][field] - before.get(op, {}).get(field, 0)
    ops = {op: delta(op, "requests") - delta(op, "throttled") for op in after}
    throttled = sum(delta(op, "throttled") for op in after)
    return {op: n for op, n in ops.items() if n}, throttled


