"""The benchmark behind bench/run: sizes, cold and warm starts, memory, and bulk throughput against
a rate-limited quicksight-local. Prints one table per part; medians over repeated runs."""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

from samcli.yamlhelper import yaml_parse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from local_lambda import free_port, invoke, rie, start_group, stop, template_environment, wait_for  # noqa: E402

ACCOUNT = "123456789012"
FUNCTIONS = {"cognito-signup": "CognitoSignupFunction", "sqs-sync": "SqsSyncFunction", "oidc-signup": "OidcSignupFunction"}
# The size ladder: one profile change at a time, from Rust's default release profile to ours.
LADDER = [
    ("Rust's default release (opt 3, 16 CGUs, no LTO)", "bench-default", False),
    ("+ strip symbols", "bench-default", True),
    ("+ fat LTO, 1 codegen unit", "bench-lto", False),
    ("+ opt-level \"s\"  (= our release profile)", "release", False),
    ("+ panic = \"abort\"  (not adopted)", "bench-abort", False),
]
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


def zipped_size(binary):
    """The deployment zip: the binary as `bootstrap`, deflated, as cargo-lambda and SAM package it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bootstrap.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            z.write(binary, "bootstrap")
        return path.stat().st_size


def sizes(target):
    rows = []
    base = None
    for label, profile, strip in LADDER:
        binary = target / profile / "sqs-sync"
        if strip:
            stripped = Path(tempfile.mkdtemp()) / "sqs-sync"
            shutil.copy(binary, stripped)
            subprocess.run(["strip", str(stripped)], check=True)
            binary = stripped
        size = binary.stat().st_size
        base = base or size
        rows.append([label, mib(size), mib(zipped_size(binary)), f"{size / base:.2f}"])
    table("Size of sqs-sync's bootstrap, one release-profile change at a time (x86_64)",
          ["step", "binary", "zip", "vs default"], rows)
    rows = [[name, mib((target / "release" / name).stat().st_size), mib(zipped_size(target / "release" / name))]
            for name in FUNCTIONS]
    table("Every function, release profile", ["function", "binary", "zip"], rows)


class Emulator:
    def __init__(self, target, *args):
        self.proc = start_group([target / "debug" / "quicksight-local", "--port", "0", *args], stdout=subprocess.PIPE, text=True)
        self.url = self.proc.stdout.readline().split()[-1]

    def get(self, path):
        with urllib.request.urlopen(self.url + path) as r:
            return json.loads(r.read())

    def stats(self):
        return self.get("/_emulator/stats")["operations"]

    def close(self):
        stop(self.proc)


EXTRA_ENV = {}  # --env overrides of the template's defaults


class Function:
    """One function binary under aws-lambda-rie, its environment from template.yaml's defaults."""

    def __init__(self, target, name, emulator):
        template = yaml_parse((ROOT / "template.yaml").read_text())
        env = template_environment(template, FUNCTIONS[name]) if name in FUNCTIONS else {}  # lambda-echo: none
        env.update({
            "PATH": os.environ.get("PATH", ""), "QUICKSIGHT_ACCOUNT_ID": ACCOUNT,
            "QUICKSIGHT_FEDERATED_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/QuickSightFederated",
            "AWS_ACCESS_KEY_ID": "AKIDLOCAL", "AWS_SECRET_ACCESS_KEY": "local-secret", "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_QUICKSIGHT": emulator.url,
            "AWS_LAMBDA_FUNCTION_TIMEOUT": "60", "RUST_LOG": "error",
        })
        env.pop("RETRY_QUEUE_URL", None)
        env.update(EXTRA_ENV)
        self.port = free_port()
        self.started = time.perf_counter()
        self.proc = start_group([rie(), "--runtime-interface-emulator-address", f"127.0.0.1:{self.port}",
                                 "--runtime-api-address", f"127.0.0.1:{free_port()}", target / "release" / name],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.port, "aws-lambda-rie")

    def invoke(self, event):
        start = time.perf_counter()
        response = invoke(self.port, json.dumps(event))
        return response, (time.perf_counter() - start) * 1000

    def bootstrap_status(self):
        """VmRSS and VmHWM (peak) of the function process, in KiB (RIE starts it at the first invoke)."""
        children = [pid for task in Path(f"/proc/{self.proc.pid}/task").iterdir() for pid in (task / "children").read_text().split()]
        for pid in children:
            fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
            if fields["Name"].strip() != "aws-lambda-rie":
                return {k: int(fields[k].split()[0]) for k in ("VmRSS", "VmHWM")}
        raise RuntimeError("the function process is not running")

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


def starts(target, runs):
    """Cold: a new process's first invocation; warm: the same work again in the same process. Both
    provision a user who already exists unchanged, so the QuickSight calls are the same."""
    rows = []
    cases = {
        "cognito-signup": lambda i: cognito_event(i),
        "sqs-sync": lambda i: sqs_event([upsert(i)]),
    }
    emulator = Emulator(target)
    refused = sqs_event([{"op": "upsert", "version": 1}])  # refused by validation: no QuickSight call at all
    bare = []  # the baseline: the same runtime and RIE hops with nothing of ours (bench/lambda-echo)
    try:
        for name, event_for in cases.items():
            cold, warm, noop = [], [], []
            for run in range(runs):
                event = event_for(run)
                setup = Function(target, name, emulator)
                response, _ = setup.invoke(event)  # provision once: the measured runs find the user unchanged
                if response.get("batchItemFailures") or "errorMessage" in response:
                    sys.exit(f"{name} failed: {response}")
                setup.close()
                fn = Function(target, name, emulator)
                cold.append(fn.invoke(event)[1])
                for _ in range(20):
                    warm.append(fn.invoke(event)[1])
                if name == "sqs-sync":  # interleaved with the baseline, so both see the same machine
                    echo = Function(target, "lambda-echo", emulator)
                    echo.invoke(refused)
                    for _ in range(20):
                        noop.append(fn.invoke(refused)[1])
                        bare.append(echo.invoke(refused)[1])
                    echo.close()
                fn.close()
            c, w = statistics.median(cold), statistics.median(warm)
            n = statistics.median(noop) if noop else None
            rows.append([name, f"{c:.1f} ms", f"{w:.2f} ms", f"{c - w:.1f} ms",
                         f"{n:.2f} ms" if noop else "-", f"{n - statistics.median(bare):.2f} ms" if noop else "-"])
        rows.append(["lambda-echo (bare runtime)", "-", "-", "-", f"{statistics.median(bare):.2f} ms", "-"])
    finally:
        emulator.close()
    table(f"Cold and warm invocations under aws-lambda-rie (medians of {runs} cold starts, {runs * 20} warm)",
          ["function", "cold (1st invoke)", "warm", "cold beyond the QuickSight calls", "warm, no QuickSight call",
           "warm beyond the bare runtime"], rows)


def memory(target, invocations):
    emulator = Emulator(target)
    fn = Function(target, "sqs-sync", emulator)
    try:
        samples = {}
        for n in range(1, invocations + 1):
            base = (n % 50) * 10
            fn.invoke(sqs_event([upsert(base + k, role="AUTHOR" if n % 2 else "ADMIN") for k in range(10)], n * 10))
            if n in (100, 250, 500, 1000, 2000, 5000, invocations):
                samples[n] = fn.bootstrap_status()
        rows = [[f"after {n} invocations", f"{s['VmRSS'] / 1024:.1f} MiB", f"{s['VmHWM'] / 1024:.1f} MiB"] for n, s in samples.items()]
    finally:
        fn.close()
        emulator.close()
    table("sqs-sync memory (batches of 10 upserts that alternate each user's role)", ["", "RSS", "peak RSS"], rows)


def phase_calls(before, after):
    """Calls QuickSight answered (429s apart), per operation, and the 429s."""
    def delta(op, field):
        return after[op][field] - before.get(op, {}).get(field, 0)
    ops = {op: delta(op, "requests") - delta(op, "throttled") for op in after}
    throttled = sum(delta(op, "throttled") for op in after)
    return {op: n for op, n in ops.items() if n}, throttled


def run_queue(functions, messages, max_receives=5):
    """SQS as Lambda's event source mapping uses it: batches of 10 to each function instance
    concurrently; reported failures go back to the queue; after max_receives a message is dead."""
    pending = list(messages.items())
    receives, dead, lock = {}, [], threading.Lock()

    def worker(fn):
        while True:
            with lock:
                batch, pending[:] = pending[:10], pending[10:]
            if not batch:
                return
            for mid, _ in batch:
                receives[mid] = receives.get(mid, 0) + 1
            event = sqs_event([body for _, body in batch])
            for record, (mid, _) in zip(event["Records"], batch):
                record["messageId"] = mid
            response, _ = fn.invoke(event)
            failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
            with lock:
                for mid, body in batch:
                    if mid in failed and receives[mid] >= max_receives:
                        dead.append(mid)
                    elif mid in failed:
                        pending.append((mid, body))

    threads = [threading.Thread(target=worker, args=(fn,)) for fn in functions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(receives.values()) - len(messages), dead


def throughput(target, rates, changes, instances):
    new, changed = changes // 2, changes // 4
    unchanged = changes - new - changed
    phases = [
        ("new", {f"n{i}": upsert(i) for i in range(new)}, 3, 0),
        # a new role and one group swapped: UpdateUser, one membership added, one removed
        ("changed", {f"c{i}": upsert(i, role="ADMIN", groups=("qs-bench-a", "qs-bench-c")) for i in range(changed)}, 3, 2),
        ("unchanged", {f"u{i}": upsert(i, role="ADMIN", groups=("qs-bench-a", "qs-bench-c")) for i in range(unchanged)}, 0, 2),
    ]
    rows = []
    for rate in rates:
        emulator = Emulator(target, "--rate-limit", str(rate))
        fns = [Function(target, "sqs-sync", emulator) for _ in range(instances)]
        try:
            # the groups exist already, as they would in a running account
            for group in ("qs-bench-a", "qs-bench-b", "qs-bench-c"):
                body = json.dumps({"GroupName": group}).encode()
                request = urllib.request.Request(f"{emulator.url}/accounts/{ACCOUNT}/namespaces/default/groups", data=body,
                                                 method="POST", headers={"content-type": "application/json", "authorization": AUTHORIZATION})
                urllib.request.urlopen(request).read()
            for phase, messages, min_mut, min_read in phases:
                time.sleep(1.5)  # the rate limiter's bucket full again: one second's worth, credited below
                before = emulator.stats()
                start = time.perf_counter()
                redelivered, dead = run_queue(fns, messages)
                elapsed = time.perf_counter() - start
                calls, throttled = phase_calls(before, emulator.stats())
                mut = sum(n for op, n in calls.items() if op in MUTATING)
                read = sum(n for op, n in calls.items() if op not in MUTATING)
                n = len(messages)
                # two buckets of `rate` requests/s each: the busier one sets the ceiling; each starts
                # full, so the fastest run the limit allows takes (calls - one second's worth) / rate
                ceiling = rate / max(min_mut, min_read)
                fastest = max(n * max(min_mut, min_read) - rate, 0) / rate
                rows.append([f"{rate}/s", phase, n, f"{n / elapsed:.1f}", f"{ceiling:.1f}", f"{fastest / elapsed:.0%}",
                             f"{mut / n:.2f} / {read / n:.2f}",
                             f"{min_mut} / {min_read}", throttled, redelivered, len(dead)])
            state = emulator.get("/_emulator/state")["spaces"][f"{ACCOUNT}/default"]
            admins = sum(u["Role"] == "ADMIN" for u in state["Users"].values())
            if (len(state["Users"]), admins) != (new, changed):
                rows.append([f"{rate}/s", "FINAL STATE WRONG", f"{len(state['Users'])} users, {admins} admins"] + [""] * 8)
        finally:
            for fn in fns:
                fn.close()
            emulator.close()
    table(f"Bulk upserts through sqs-sync ({instances} instances, batches of 10, MAX_CONCURRENCY from the template) against "
          "quicksight-local --rate-limit R (R mutating + R read requests/s)",
          ["R", "users", "changes", "changes/s", "ceiling/s", "of ceiling", "calls/change mut / read",
           "minimum", "429s", "redelivered", "dead"], rows)
    print("  of ceiling: the fastest time the rate limit allows (each bucket starts full) / the time taken.")
    print("  calls/change: calls QuickSight answered (429s counted apart), redelivered messages' calls included.")
    print("  minimum: what the change needs; a new user also costs the DescribeUser (404) that finds it is new.")


ISSUER = "https://login.example.com"
ROLE_NAME = "QuickSightFederated"


def reconcile_state(users):
    """A quicksight-local state file: `users` users of this directory, all in qs-rec-all, every
    tenth in qs-rec-finance (seeded directly, not through the rate limit)."""
    def arn(kind, name):
        return f"arn:aws:quicksight:us-east-1:{ACCOUNT}:{kind}/default/{name}"

    state_users, all_members, finance = {}, [], []
    for i in range(users):
        name = f"{ROLE_NAME}/u{i}@example.com"
        state_users[name] = {
            "Arn": arn("user", name), "UserName": name, "Email": f"u{i}@example.com",
            "Role": "AUTHOR" if i % 10 == 0 else "READER", "IdentityType": "IAM", "Active": True,
            "PrincipalId": f"federated/iam/AROA:{i}", "ExternalLoginFederationProviderType": "CUSTOM_OIDC",
            "ExternalLoginFederationProviderUrl": ISSUER, "ExternalLoginId": f"sub-{i}"}
        all_members.append(name)
        if i % 10 == 0:
            finance.append(name)
    groups = {g: {"Arn": arn("group", g), "GroupName": g, "PrincipalId": f"group/{g}"} for g in ("qs-rec-all", "qs-rec-finance")}
    return {"spaces": {f"{ACCOUNT}/default": {"Users": state_users, "Groups": groups,
                                               "Memberships": {"qs-rec-all": all_members, "qs-rec-finance": finance}}},
            "next_id": users + 10}


def reconcile_directory(users, drift):
    """The directory as an export, `drift` of it changed: a quarter leavers (left out), a quarter new,
    a quarter with a new role, a quarter moved into or out of qs-rec-finance."""
    quarter = max(int(users * drift) // 4, 1)
    rows = ["email,external_login_id,role,groups"]
    for i in range(quarter, users):
        finance = i % 10 == 0
        role = "AUTHOR" if finance else "READER"
        groups = "qs-rec-all;qs-rec-finance" if finance else "qs-rec-all"
        if i < 2 * quarter:
            role = "ADMIN"
        elif i < 3 * quarter:
            groups = "qs-rec-all" if finance else "qs-rec-all;qs-rec-finance"
        rows.append(f"u{i}@example.com,sub-{i},{role},{groups}")
    for i in range(users, users + quarter):
        rows.append(f"u{i}@example.com,sub-{i},READER,qs-rec-all")
    return "\n".join(rows) + "\n", quarter


def reconcile(target, sizes, drift, rate):
    rows = []
    for users in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            state, directory = Path(tmp) / "state.json", Path(tmp) / "directory.csv"
            state.write_text(json.dumps(reconcile_state(users)))
            text, quarter = reconcile_directory(users, drift)
            directory.write_text(text)
            emulator = Emulator(target, "--rate-limit", str(rate), "--state", str(state))
            try:
                env = {"PATH": os.environ.get("PATH", ""), "AWS_ACCESS_KEY_ID": "AKIDLOCAL",
                       "AWS_SECRET_ACCESS_KEY": "local-secret", "AWS_REGION": "us-east-1",
                       "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_QUICKSIGHT": emulator.url,
                       "QUICKSIGHT_ACCOUNT_ID": ACCOUNT,
                       "QUICKSIGHT_FEDERATED_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/{ROLE_NAME}",
                       "EXTERNAL_LOGIN_PROVIDER": "CUSTOM_OIDC", "CUSTOM_FEDERATION_PROVIDER_URL": ISSUER,
                       "MANAGED_GROUP_PREFIX": "qs-rec-"}
                before = emulator.stats()
                start = time.perf_counter()
                proc = subprocess.Popen([target / "release" / "qs-reconcile", "--directory", directory, "--json",
                                         "--max-deletes", str(users)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                out = proc.stdout.read()
                _, status, usage = os.wait4(proc.pid, 0)
                elapsed = time.perf_counter() - start
                calls, throttled = phase_calls(before, emulator.stats())
                plan = json.loads(out)["summary"]
                got = (status, plan["register"], plan["delete"], plan["update"])
                check = "ok" if got == (0, quarter, quarter, 2 * quarter) else f"WRONG {got}"
                peak_mib = usage.ru_maxrss / 1024
                if not rows:
                    base = (users, usage.ru_maxrss)
                growth = (usage.ru_maxrss - base[1]) * 1024 / max(users - base[0], 1)
                rows.append([users, f"{drift:.0%}", f"{elapsed:.1f} s", ", ".join(f"{op} {n}" for op, n in sorted(calls.items())),
                             throttled, f"{peak_mib:.1f} MiB", f"{growth:.0f} B" if users != base[0] else "-", check])
            finally:
                emulator.close()
    table(f"Reconcile plan: qs-reconcile --directory (an export), release, against quicksight-local --rate-limit {rate}",
          ["users", "drift", "time", "QuickSight calls", "429s", "peak RSS", "RSS per added user", "plan"], rows)
    print("  drift: a quarter each leavers, new users, role changes and membership changes.")
    print("  RSS per added user: the peak's growth from the smallest size, per user added (the snapshots).")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("target", type=Path, help="the cargo target directory (bench/run passes it)")
    parser.add_argument("--runs", type=int, default=5, help="cold starts per function")
    parser.add_argument("--invocations", type=int, default=1000, help="sqs-sync invocations for the memory part")
    parser.add_argument("--changes", type=int, default=2000, help="upserts per rate: half new, a quarter changed, a quarter unchanged")
    parser.add_argument("--rates", default="5,20,100", help="quicksight-local --rate-limit values, comma-separated")
    parser.add_argument("--instances", type=int, default=2, help="concurrent sqs-sync instances (QueueMaxConcurrency)")
    parser.add_argument("--only", default="sizes,starts,memory,throughput,reconcile",
                        help="the parts to run, comma-separated")
    parser.add_argument("--reconcile-users", default="1000,10000", help="directory sizes for the reconcile part")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="override a function variable, e.g. QUICKSIGHT_RETRY_MODE=standard (repeatable)")
    args = parser.parse_args()
    EXTRA_ENV.update(item.split("=", 1) for item in args.env)
    parts = args.only.split(",")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}")
    if EXTRA_ENV:
        print("function environment overrides: " + ", ".join(f"{k}={v}" for k, v in EXTRA_ENV.items()))
    if "sizes" in parts:
        sizes(args.target)
    if "starts" in parts:
        starts(args.target, args.runs)
    if "memory" in parts:
        memory(args.target, args.invocations)
    if "throughput" in parts:
        throughput(args.target, [float(r) if "." in r else int(r) for r in args.rates.split(",")], args.changes, args.instances)
    if "reconcile" in parts:
        reconcile(args.target, [int(n) for n in args.reconcile_users.split(",")], 0.01, 20)


if __name__ == "__main__":
    main()
