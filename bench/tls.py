"""What TLS adds to a cold start: cognito-signup's first invoke against quicksight-local over plain
HTTP and over HTTPS (its CA through AWS_CA_BUNDLE), unthrottled, runs interleaved; and, under
strace, the certificate files the process opens before its first response."""

import shutil
import statistics
import tempfile
from pathlib import Path

from common import Emulator, Function, table
from cpu_share import signup_event

TRUST_DIRS = ("/etc/ssl", "/etc/pki", "/usr/lib/ssl", "/usr/share/ca-certificates")


def cold(target, emulator, command=None):
    fn = Function(target, "cognito-signup", emulator, command=command)
    try:
        response, ms = fn.invoke(signup_event())
        if "errorMessage" in response:
            raise SystemExit(f"cognito-signup failed: {response}")
        return ms
    finally:
        fn.close()


def certificate_files(target, emulator):
    """The files under the system's certificate directories the process opened (strace)."""
    if not shutil.which("strace"):
        return None
    trace = Path(tempfile.mkdtemp(prefix="qs-bench-strace-")) / "openat.log"
    binary = target / "release" / "cognito-signup"
    cold(target, emulator, command=["strace", "-f", "-qq", "-e", "trace=openat", "-o", trace, binary])
    opened = [line for line in trace.read_text().splitlines() if "ENOENT" not in line]
    return sorted({path for line in opened for path in line.split('"')[1::2] if path.startswith(TRUST_DIRS)})


def run(target, runs):
    plain, tls = Emulator(target), Emulator(target, "--tls")
    samples = {"plain HTTP": [], "HTTPS (AWS_CA_BUNDLE)": []}
    try:
        for n in range(runs):
            order = [("plain HTTP", plain), ("HTTPS (AWS_CA_BUNDLE)", tls)]
            for name, emulator in (order if n % 2 == 0 else order[::-1]):
                samples[name].append(cold(target, emulator))
        files = certificate_files(target, tls)
    finally:
        plain.close()
        tls.close()
    medians = {name: statistics.median(s) for name, s in samples.items()}
    rows = [[name, f"{m:.1f} ms"] for name, m in medians.items()]
    rows.append(["TLS adds", f"{medians['HTTPS (AWS_CA_BUNDLE)'] - medians['plain HTTP']:.1f} ms"])
    table(f"cognito-signup's first invoke, unthrottled, medians of {runs} (one RegisterUser)", ["quicksight-local", "cold"], rows)
    if files is not None:
        print(f"  certificate files opened before the first response: {len(files)} ({', '.join(files) or 'none'})")
