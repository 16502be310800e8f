"""The benchmark behind bench/run: sizes, cold and warm starts, memory, and bulk throughput against
a rate-limited quicksight-local. Prints one table per part; medians over repeated runs."""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import cpu_share
import embed
import handover
import reconcile
import scim
import soak
import throughput
import tls
from common import EXTRA_ENV, FUNCTIONS, Emulator, Function, cognito_event, mib, sqs_event, table, upsert

# The size ladder: one profile change at a time, from Rust's default release profile to ours.
LADDER = [
    ("Rust's default release (opt 3, 16 CGUs, no LTO)", "bench-default", False),
    ("+ strip symbols", "bench-default", True),
    ("+ fat LTO, 1 codegen unit", "bench-lto", False),
    ("+ opt-level \"s\"  (= our release profile)", "release", False),
    ("+ panic = \"abort\"  (not adopted)", "bench-abort", False),
]


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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("target", type=Path, help="the cargo target directory (bench/run passes it)")
    parser.add_argument("--runs", type=int, default=5, help="cold starts per function")
    parser.add_argument("--invocations", type=int, default=1000, help="sqs-sync invocations for the memory part")
    parser.add_argument("--changes", type=int, default=2000, help="upserts per rate: half new, a quarter changed, a quarter unchanged")
    parser.add_argument("--rates", default="5,20,100", help="quicksight-local --rate-limit values, comma-separated")
    parser.add_argument("--instances", type=int, default=2, help="concurrent sqs-sync instances (QueueMaxConcurrency)")
    parser.add_argument("--only", default="sizes,starts,memory,tls,cpu,embed,scim,throughput,reconcile,handover",
                        help="the parts to run, comma-separated")
    parser.add_argument("--memory", default="128,512,1769",
                        help="the cpu part's Lambda memory sizes in MB (CPU share: memory/1769), comma-separated")
    parser.add_argument("--warm-runs", type=int, default=20, help="warm invokes after each cold one in the cpu part")
    parser.add_argument("--peer-python", help="the Python with boto3 and awslambdaric for the cpu part (bench/run makes it)")
    parser.add_argument("--warm-up", action="store_true", help="the cpu part also runs cognito-signup with QUICKSIGHT_WARM_UP")
    parser.add_argument("--embed-memory", type=int, default=256, help="the embed part's warm memory size (oidc-signup's)")
    parser.add_argument("--embed-cold-memory", default="128,256", help="the embed part's cold-start memory sizes")
    parser.add_argument("--embed-logins", type=int, default=40, help="warm logins per process in the embed part")
    parser.add_argument("--soak-runs", type=int, default=20, help="runs of the two-instance queue test in the soak part")
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
    if "tls" in parts:
        tls.run(args.target, max(args.runs, 9))
    if "cpu" in parts:
        cpu_share.run(args.target, [int(m) for m in args.memory.split(",")], args.runs, args.warm_runs,
                      args.peer_python, args.warm_up)
    # The cpu part's second table is oidc-signup's (a returning login with an embed URL).
    if "embed" in parts or "cpu" in parts:
        embed.run(args.target, args.embed_memory, [int(m) for m in args.embed_cold_memory.split(",")], args.runs,
                  args.embed_logins, args.peer_python)
    if "scim" in parts:
        scim.run(args.target, args.embed_memory, args.runs, args.embed_logins)
    if "throughput" in parts:
        throughput.run(args.target, [float(r) if "." in r else int(r) for r in args.rates.split(",")], args.changes, args.instances)
    if "reconcile" in parts:
        reconcile.run(args.target, [int(n) for n in args.reconcile_users.split(",")], 0.01, 20)
    if "handover" in parts:
        handover.run(args.target, [0, 200], args.runs)
    if "soak" in parts:
        soak.run(args.target, args.soak_runs, 3)


if __name__ == "__main__":
    main()
