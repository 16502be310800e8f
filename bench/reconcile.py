"""qs-reconcile's plan over large directories, against a rate-limited quicksight-local."""

import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from common import ACCOUNT, Emulator, phase_calls, table

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


def run(target, sizes, drift, rate):
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
