"""Cold and warm starts as Lambda runs them: each function process in a CPU quota for its memory
size (Lambda gives 1,769 MB one vCPU, and less memory a proportional share), calling
quicksight-local over TLS, interleaved with a Python boto3 peer making the same call."""

import statistics
import uuid
from pathlib import Path

from common import ROOT, Emulator, Function, cognito_event, phase_calls, table

CGROUP_CPU = Path("/sys/fs/cgroup/cpu")  # cgroup v1's cpu controller
PERIOD_US = 100_000
FULL_VCPU_MB = 1769
PEER = ROOT / "bench" / "python-peer"
RUST, PYTHON = "cognito-signup (Rust)", "Python boto3 peer"


class Quota:
    """A cgroup whose processes share `memory`/1769 of one CPU: cpu.cfs_quota_us of a 100 ms period."""

    def __init__(self, memory):
        self.share = memory / FULL_VCPU_MB
        self.path = CGROUP_CPU / f"qs-bench-{memory}mb"
        self.path.mkdir(exist_ok=True)
        (self.path / "cpu.cfs_period_us").write_text(str(PERIOD_US))
        (self.path / "cpu.cfs_quota_us").write_text(str(max(1000, round(PERIOD_US * self.share))))

    def wrap(self, command):
        """`command` started inside the cgroup: the shell joins it, then becomes the command."""
        return ["/bin/sh", "-c", f'echo $$ > {self.path}/cgroup.procs && exec "$@"', "sh", *map(str, command)]

    def close(self):
        self.path.rmdir()


def signup_event():
    """A new user's confirmation with no groups: the one call is RegisterUser."""
    event = cognito_event(0)
    attributes = event["request"]["userAttributes"]
    attributes["sub"] = str(uuid.uuid4())
    attributes["email"] = f"cpu-{attributes['sub'][:8]}@example.com"
    attributes.pop("custom:quicksight_groups")
    event["userName"] = attributes["sub"]
    return event


def measure(fn, warm_runs):
    """Cold first invoke (ms), the process's CPU by then (ms), then warm invokes and CPU per warm invoke."""
    response, cold = fn.invoke(signup_event())
    if "errorMessage" in response:
        raise SystemExit(f"the first invoke failed: {response}")
    cold_cpu = fn.cpu_ms()
    warm = [fn.invoke(signup_event())[1] for _ in range(warm_runs)]
    warm_cpu = (fn.cpu_ms() - cold_cpu) / warm_runs
    return cold, cold_cpu, statistics.median(warm), warm_cpu


def run(target, memories, runs, warm_runs, peer_python, warm_up):
    emulator = Emulator(target, "--tls")
    rust = target / "release" / "cognito-signup"
    peer_env = {"LAMBDA_TASK_ROOT": str(PEER), "PYTHONPATH": str(PEER)}
    # name: (command, environment over the template's)
    implementations = {RUST: ([rust], {}), PYTHON: ([peer_python, "-m", "awslambdaric", "handler.handler"], peer_env)}
    if warm_up:
        implementations[RUST + ", warm-up at init"] = ([rust], {"QUICKSIGHT_WARM_UP": "true"})
    rows, ratios = [], []
    try:
        for memory in memories:
            quota = Quota(memory)
            try:
                samples, calls = {}, {}
                order = list(implementations.items())
                for n in range(runs):
                    # interleaved, the order alternating, so both see the same machine
                    for name, (command, env) in (order if n % 2 == 0 else order[::-1]):
                        before = emulator.stats()
                        fn = Function(target, "cognito-signup", emulator, env, command=quota.wrap(command))
                        try:
                            samples.setdefault(name, []).append(measure(fn, warm_runs))
                        finally:
                            fn.close()
                        made, _ = phase_calls(before, emulator.stats())
                        calls.setdefault(name, set()).add(tuple(sorted(made.items())))
                medians = {}
                for name, measured in samples.items():
                    cold, cold_cpu, warm, warm_cpu = (statistics.median(m[i] for m in measured) for i in range(4))
                    medians[name] = (cold, warm, cold_cpu - warm_cpu)
                    made = calls[name]
                    rows.append([f"{memory} MB", f"{quota.share:.1%}", name, f"{cold:.0f} ms", f"{warm:.1f} ms",
                                 f"{cold_cpu - warm_cpu:.1f} ms", f"{cold_cpu:.1f} ms", f"{warm_cpu:.2f} ms",
                                 " ".join(f"{op} {n}" for op, n in next(iter(made))) if len(made) == 1 else f"DIFFER {made}"])
                ratios.append([f"{memory} MB", *(f"1/{p / r:.0f}" for p, r in zip(medians[PYTHON], medians[RUST]))])
            finally:
                quota.close()
    finally:
        emulator.close()
    table(f"Starts in a CPU quota per memory size, over TLS (medians of {runs} cold starts, {runs * warm_runs} warm); "
          "each process in a cgroup v1 cpu.cfs_quota_us of memory/1769 of a 100 ms period",
          ["memory", "CPU", "function", "cold (1st invoke)", "warm", "start-up CPU", "CPU by the 1st response",
           "CPU per warm invoke", "QuickSight calls (all invokes)"], rows)
    print("  cold: from the invoke request to the response of a new process (RIE starts it at that request):")
    print("  process start, init, the TLS handshake and one RegisterUser. start-up CPU: the CPU the process had")
    print("  used by its first response (/proc/<pid>/task/*/schedstat) minus one warm invoke's.")
    table("Rust over the Python peer (same event, same call, same quota)", ["memory", "cold", "warm", "start-up CPU"], ratios)
