"""What a deletion costs now that a leaver's assets are handed over first: sqs-sync deleting a user
who owns 0 or 200 assets (40 of each kind), with ASSET_HANDOVER_PRINCIPAL set to a group."""

import json
import statistics
import urllib.request

from common import ACCOUNT, Emulator, Function, phase_calls, sqs_event, table, upsert

KINDS = ["dashboard", "analysis", "dataset", "datasource", "folder"]
GROUP = "qs-bench-handover"


def post(emulator, path, body):
    request = urllib.request.Request(emulator.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, context=emulator.tls) as r:
        return json.loads(r.read())


def run(target, asset_counts, runs):
    emulator = Emulator(target)
    group_arn = f"arn:aws:quicksight:us-east-1:{ACCOUNT}:group/default/{GROUP}"
    sync = Function(target, "sqs-sync", emulator, {"ASSET_HANDOVER_PRINCIPAL": group_arn})
    rows = []
    try:
        user = 0
        for assets in asset_counts:
            times, calls = [], None
            for _ in range(runs):
                user += 1
                # The user (an author), and the group that receives the assets, created on first use.
                sync.invoke(sqs_event([upsert(user, groups=(GROUP,))], user * 10))
                name = f"QuickSightFederated/bench{user}@example.com"
                arn = emulator.get("/_emulator/state")["spaces"][f"{ACCOUNT}/default"]["Users"][name]["Arn"]
                owner = []
                for i in range(assets):
                    kind = KINDS[i % len(KINDS)]
                    post(emulator, "/_emulator/assets", {
                        "kind": kind, "id": f"u{user}-{kind}-{i}", "name": f"{kind} {i}",
                        "permissions": [{"Principal": arn, "Actions": actions(kind)}]})
                    owner.append(kind)
                before = emulator.stats()
                response, ms = sync.invoke(sqs_event([{"op": "delete", "version": 1, "user_name": name}], user * 10 + 1))
                outcome = response["results"][0]["outcome"]
                assert outcome["user"]["status"] == "deleted", response
                assert len(outcome.get("assets_handed_over", [])) == assets, response
                times.append(ms)
                calls, _ = phase_calls(before, emulator.stats())
            searches = sum(n for op, n in calls.items() if op.startswith("Search"))
            grants = sum(n for op, n in calls.items() if op.startswith("Update"))
            checks = sum(n for op, n in calls.items() if op.startswith("Describe") and op != "DescribeUser")
            rows.append((str(assets), f"{statistics.median(times):.1f} ms", str(sum(calls.values())),
                         str(searches), str(grants), str(checks)))
    finally:
        sync.close()
        emulator.close()
    table(f"A deletion with ASSET_HANDOVER_PRINCIPAL set (sqs-sync, one delete per invocation, median of {runs})",
          ["assets owned", "invocation", "QuickSight calls", "searches", "grants", "checks"], rows)


def actions(kind):
    """The owner actions quicksight-local counts as owning (its Update*Permissions action among them)."""
    name = {"dashboard": "Dashboard", "analysis": "Analysis", "dataset": "DataSet",
            "datasource": "DataSource", "folder": "Folder"}[kind]
    return [f"quicksight:Update{name}Permissions", f"quicksight:Describe{name}Permissions"]
