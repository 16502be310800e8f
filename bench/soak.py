"""No change lost (issue 37): the end-to-end test of two sqs-sync instances on one FIFO queue, run
again and again (`--soak-runs`), its summary line per run; then what a delete costs where the user
exists and where it is already gone, under the default consistency window."""

import re
import statistics
import subprocess
from pathlib import Path

from common import Emulator, Function, phase_calls, sqs_event, table, upsert

ROOT = Path(__file__).resolve().parent.parent
TEST = "two_instances::two_instances_on_one_fifo_queue_lose_no_change"
LINE = re.compile(r"soak-run: changes (\d+) lost (\d+) false-successes (\d+) dead-lettered (\d+) redelivered (\d+) wall ([\d.]+) s")


def soak(runs):
    """The e2e test's scenario, `runs` times in a row (debug build, as the tests run it)."""
    command = ["cargo", "test", "-q", "-p", "qs-provision-tests", "--test", "e2e", TEST, "--", "--exact", "--nocapture"]
    rows, totals = [], [0, 0, 0]
    for run in range(1, runs + 1):
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        found = LINE.search(done.stdout)
        if not found:
            rows.append((str(run), "-", "-", "-", "-", "-", "-", f"no summary (exit {done.returncode})"))
            continue
        changes, lost, false, dead, redelivered, wall = found.groups()
        for i, n in enumerate((lost, false, dead)):
            totals[i] += int(n)
        rows.append((str(run), changes, lost, false, dead, redelivered, f"{float(wall):.1f} s",
                     "pass" if done.returncode == 0 else "FAIL"))
    table(f"Two sqs-sync instances, one FIFO queue, 25 users x 4 changes ({runs} runs; quicksight-local "
          "--rate-limit 5 --fail-rate 0.1 --consistency-delay-ms 500 --latency-ms 20)",
          ["run", "changes", "lost", "false successes", "dead-lettered", "redelivered", "wall", "test"], rows)
    print(f"  total: {totals[0]} lost, {totals[1]} false successes, {totals[2]} valid messages dead-lettered")


def delete_cost(target, runs):
    """One delete per invocation, sqs-sync's defaults (QUICKSIGHT_CONSISTENCY_SECONDS=10): of a user
    that exists, and of one that is already gone (a redelivery, or a name that never existed). Before
this fix, both were one DescribeUser (the gone one acknowledged at once, which was the defect)."""
    emulator = Emulator(target)
    # The debug build the soak built: what is measured is the window and the calls, not CPU.
    sync = Function(target, "sqs-sync", emulator, command=[target / "debug" / "sqs-sync"])
    rows = []
    try:
        for case in ("exists", "already gone"):
            times, calls = [], {}
            for run in range(runs):
                user = run + (0 if case == "exists" else 1000)
                if case == "exists":
                    sync.invoke(sqs_event([upsert(user, groups=())], user * 10))
                before = emulator.stats()
                change = {"op": "delete", "version": 1, "email": f"bench{user}@example.com"}
                response, ms = sync.invoke(sqs_event([change], user * 10 + 1))
                status = response["results"][0]["outcome"]["user"]["status"]
                assert status == ("deleted" if case == "exists" else "not_found"), response
                times.append(ms)
                calls, _ = phase_calls(before, emulator.stats())
            rows.append((case, f"{statistics.median(times) / 1000:.2f} s", str(calls.get("DescribeUser", 0)),
                         str(sum(calls.values()))))
    finally:
        sync.close()
        emulator.close()
    table(f"A delete with the default consistency window (10 s), one per invocation, median of {runs}",
          ["the user", "invocation", "DescribeUser", "QuickSight calls"], rows)


def run(target, runs, cost_runs):
    soak(runs)
    delete_cost(target, cost_runs)
