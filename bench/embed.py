"""A returning user's login with an embed URL (ID token in, URL out): oidc-signup against a Python
boto3 peer making the calls of AWS's embedding sample, both against the same quicksight-local over
TLS, each process in the CPU share of its memory size, runs interleaved. Beside them, the same two
QuickSight calls made by the bare runtime on the functions' client (bench/lambda-echo), so that what
oidc-signup adds to the calls is measured, not assumed."""

import datetime
import ipaddress
import json
import ssl
import statistics
import tempfile
import time
from pathlib import Path

from common import ACCOUNT, ROOT, Emulator, Function, phase_calls, table
from cpu_share import PEER, Quota
from local_lambda import serve_jwks

RUST, PYTHON, CALLS = "oidc-signup (Rust)", "Python boto3 peer", "the two calls alone (bare runtime, same client)"
DASHBOARD = "sales"
ISSUER = "https://idp.example.test/realms/app"


def login_event():
    """The sample function URL request: sam.taylor's long-lived test token (signed with rsa-a)."""
    return json.loads((ROOT / "events" / "oidc-first-login.json").read_text())


def https_issuer(emulator, folder):
    """A stand-in provider serving its keys over HTTPS, its certificate for 127.0.0.1 signed by a
    CA of its own, and one bundle trusting that CA and the emulator's (AWS_CA_BUNDLE)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject, key, issuer, issuer_key, ca):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            names = [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "stand-in issuer CA")])
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "stand-in issuer")])
    ca = certificate(ca_name, ca_key, ca_name, ca_key, True).public_bytes(serialization.Encoding.PEM)
    leaf = certificate(name, key, ca_name, ca_key, False).public_bytes(serialization.Encoding.PEM)
    (folder / "issuer.pem").write_bytes(leaf + ca)
    (folder / "issuer.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()))
    bundle = folder / "bundle.pem"
    bundle.write_bytes(Path(emulator.ca_file).read_bytes() + ca)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(folder / "issuer.pem", folder / "issuer.key")
    return serve_jwks(tls=tls), bundle


def environment(jwks_port, bundle):
    # No managed groups: the function then makes exactly the sample's two calls for a returning user.
    return {"OIDC_ISSUER": ISSUER, "OIDC_AUDIENCE": "qs-app", "OIDC_JWKS_URL": f"https://127.0.0.1:{jwks_port}/jwks",
            "AWS_CA_BUNDLE": str(bundle),
            "EMBED_EXPERIENCE": f"dashboard:{DASHBOARD}", "EMBED_SESSION_MINUTES": "600",
            "GROUP_MAPPING": "{}", "DEFAULT_GROUPS": "", "MANAGED_GROUP_PREFIX": ""}


# Logins arrive one at a time, a user's click apart: paced, so the measured process is not starved
# by its CPU quota for work it was never asked to do back to back (20 logins a second per instance).
PACE_S = 0.05


def paced(login, n):
    """`n` runs of `login` (which returns ms), one every PACE_S, after the quota refilled."""
    time.sleep(0.3)
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        samples.append(login())
        time.sleep(max(0.0, PACE_S - (time.perf_counter() - started)))
    return samples


def percentile(samples, p):
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def run(target, memory, cold_memories, runs, warm_runs, peer_python):
    emulator = Emulator(target, "--tls")
    folder = Path(tempfile.mkdtemp(prefix="qs-bench-issuer-"))
    jwks, bundle = https_issuer(emulator, folder)
    env = environment(jwks.server_port, bundle)
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
        calls_env = {"ECHO_EMBED_USER": body["user_name"], "ECHO_EMBED_DASHBOARD": DASHBOARD}

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
                                warm.setdefault(name, []).extend(paced(lambda: fn.invoke(event)[1], warm_runs))
                        finally:
                            fn.close()
                        if quota_memory == memory:
                            made, _ = phase_calls(before, emulator.stats())
                            calls.setdefault(name, set()).add(tuple(sorted(made.items())))
                    if quota_memory == memory:
                        # the same two calls from the bare runtime, in the same quota and rounds
                        echo = Function(target, "lambda-echo", emulator, calls_env,
                                        command=quota.wrap([target / "release" / "lambda-echo"]))
                        try:
                            echo.invoke(event)
                            warm.setdefault(CALLS, []).extend(paced(lambda: echo.invoke(event)[1], warm_runs))
                        finally:
                            echo.close()
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
    added = [p(RUST, q) - p(CALLS, q) for q in (50, 99)]
    rows.append(["added by oidc-signup to the two calls", f"{added[0]:.2f} ms", f"{added[1]:.2f} ms", ""])
    share = f"{memory / 1769:.1%}"
    table(f"A returning login, warm, at oidc-signup's {memory} MB ({share} of a CPU), over TLS "
          f"({runs} processes x {warm_runs} logins each, one every {PACE_S * 1000:.0f} ms)", ["", "p50", "p99", "QuickSight calls (all invokes)"], rows)
    print(f"  warm p99, Rust over the peer: 1/{p(PYTHON, 99) / p(RUST, 99):.1f}; p50: 1/{p(PYTHON, 50) / p(RUST, 50):.1f}")
    print("  added: oidc-signup minus the two calls alone, percentile by percentile (token verified, user compared, answer built)")
    rows = [[f"{m} MB", f"{m / 1769:.1%}", name, f"{statistics.median(samples):.0f} ms"]
            for (m, name), samples in sorted(cold.items())]
    table(f"A returning user's first login in a new process (cold), medians of {runs}: oidc-signup fetches the "
          "stand-in issuer's keys over HTTPS (the peer verifies nothing)", ["memory", "CPU", "function", "cold"], rows)

