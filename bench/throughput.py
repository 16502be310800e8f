"""Bulk upserts through sqs-sync instances against a rate-limited quicksight-local."""

import json
import math
import statistics
import tempfile
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

from common import ACCOUNT, AUTHORIZATION, MUTATING, Emulator, Function, phase_calls, sqs_event, table, upsert


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


def applied_times(logs, messages):
    """When each message was applied: the time of sqs-sync's `message applied` line (logged as the
    message is done), by message id."""
    applied = {}
    for log in logs:
        for line in Path(log).read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("message") == "message applied" and entry.get("message_id") in messages:
                applied[entry["message_id"]] = datetime.fromisoformat(entry["timestamp"].replace("Z", "+00:00")).timestamp()
    return applied


def latency_columns(messages, applied, enqueued, rate, calls):
    """p50, p99 and max from enqueue to applied; the earliest the limit allows the p99 position (its
    calls and all before it at `rate`, the bucket's first second free); p99 over that."""
    waits = sorted(applied[m] - enqueued for m in messages if m in applied)
    if len(waits) < len(messages):
        return ["-"] * 5
    position = math.ceil(0.99 * len(messages))  # 1-based: the change the p99 is about
    at_ceiling = max(position * calls - rate, 0) / rate
    p99 = waits[position - 1]
    return [f"{statistics.median(waits):.1f} s", f"{p99:.1f} s", f"{waits[-1]:.1f} s", f"{at_ceiling:.1f} s",
            f"{p99 / at_ceiling:.2f}" if at_ceiling else "-"]


def run(target, rates, changes, instances):
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
        logs = [tempfile.NamedTemporaryFile("w", prefix="sqs-sync-", suffix=".log") for _ in range(instances)]
        # Each message's `message applied` line is its time applied; nothing else is logged.
        quiet = {"RUST_LOG": "error,qs_engine::batch=info"}
        fns = [Function(target, "sqs-sync", emulator, quiet, log) for log in logs]
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
                start, enqueued = time.perf_counter(), time.time()
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
                latency = latency_columns(messages, applied_times([log.name for log in logs], messages), enqueued, rate,
                                          max(min_mut, min_read))
                rows.append([f"{rate}/s", phase, n, f"{n / elapsed:.1f}", f"{ceiling:.1f}", f"{fastest / elapsed:.0%}",
                             *latency, f"{mut / n:.2f} / {read / n:.2f}", f"{min_mut} / {min_read}", throttled,
                             redelivered, len(dead)])
            state = emulator.get("/_emulator/state")["spaces"][f"{ACCOUNT}/default"]
            admins = sum(u["Role"] == "ADMIN" for u in state["Users"].values())
            if (len(state["Users"]), admins) != (new, changed):
                rows.append([f"{rate}/s", "FINAL STATE WRONG", f"{len(state['Users'])} users, {admins} admins"] + [""] * 13)
        finally:
            for fn in fns:
                fn.close()
            for log in logs:
                log.close()
            emulator.close()
    table(f"Bulk upserts through sqs-sync ({instances} instances, batches of 10, MAX_CONCURRENCY from the template) against "
          "quicksight-local --rate-limit R (R mutating + R read requests/s)",
          ["R", "users", "changes", "changes/s", "ceiling/s", "of ceiling", "latency p50", "p99", "max",
           "p99 at ceiling", "p99 / ceiling", "calls/change mut / read", "minimum", "429s", "redelivered", "dead"], rows)
    print("  of ceiling: the fastest time the rate limit allows (each bucket starts full) / the time taken.")
    print("  calls/change: calls QuickSight answered (429s counted apart), redelivered messages' calls included.")
    print("  minimum: what the change needs; a new user also costs the DescribeUser (404) that finds it is new.")
    print("  latency: from enqueue (every change of the kind at once) to the change applied; p99 at ceiling: the")
    print("  earliest the limit lets the p99 change be applied (it and every change before it at R, the first second")
    print("  free). A redelivered change goes straight back here; in SQS it would wait the visibility timeout.")
