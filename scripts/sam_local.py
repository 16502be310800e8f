"""`sam build` and `sam local` against quicksight-local, in containers; see scripts/sam-local."""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from demo import ACCOUNT, OIDC_ISSUER, OVERRIDES, serve_jwks, summary, table
from local_lambda import start_group, start_listening, stop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.argv[1])
JSON = "--json" in sys.argv[2:]
ARCH = "arm64" if platform.machine() in ("aarch64", "arm64") else "x86_64"
# What SAM looks for; with this name present it builds its own image on top, offline.
BASE_IMAGE = f"public.ecr.aws/lambda/provided:al2023-{ARCH}"
INVOKES = [
    ("CognitoSignupFunction", "events/cognito-post-confirmation.json"),
    ("CognitoSignupFunction", "events/cognito-external-provider.json"),
    ("OidcSignupFunction", "events/oidc-first-login.json"),
    ("SqsSyncFunction", "events/sqs-bulk-batch.json"),
]
BINARIES = {"CognitoSignupFunction": "cognito-signup", "OidcSignupFunction": "oidc-signup",
            "SqsSyncFunction": "sqs-sync", "ReconcileFunction": "reconcile", "ScimFunction": "scim"}
# The newest glibc the binaries may need: Amazon Linux 2023's (the local image is Debian's 2.36).
MAX_GLIBC = (2, 34)


def say(*lines):
    if not JSON:
        print(*lines, sep="\n", flush=True)


def run(args, **kw):
    return subprocess.run(args, check=True, **kw)


def ensure_packages():
    missing = [p for p, tool in (("docker.io", "dockerd"), ("debootstrap", "debootstrap")) if not shutil.which(tool)]
    if not missing:
        return
    say(f"installing {' '.join(missing)} (once)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    quiet = {"stdout": subprocess.DEVNULL, "env": env}
    if subprocess.run(["apt-get", "install", "-y", "-q", *missing], **quiet).returncode != 0:
        run(["apt-get", "update", "-q"], **quiet)
        run(["apt-get", "install", "-y", "-q", *missing], **quiet)


def engine_running():
    return subprocess.run(["docker", "info"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def start_engine(log):
    """dockerd in the background (no systemd here), or None when one already runs."""
    if engine_running():
        return None
    dockerd = start_group(["dockerd"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while not engine_running():
        if dockerd.poll() is not None or time.time() > deadline:
            log.seek(0)
            sys.exit("the container engine did not start:\n" + log.read()[-3000:])
        time.sleep(0.5)
    return dockerd


def apt_mirror():
    """The Debian mirror apt already uses."""
    for source in [Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")]:
        if source.exists():
            text = source.read_text()
            found = re.search(r"^URIs:\s*(\S+)", text, re.M) or re.search(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+bookworm", text, re.M)
            if found:
                return found.group(1)
    return "http://deb.debian.org/debian"


def base_image():
    """Debian bookworm (minbase, with ca-certificates) imported with the Lambda base image's
    environment, under the name SAM looks for; built once."""
    if subprocess.run(["docker", "image", "inspect", BASE_IMAGE], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode == 0:
        return
    say(f"building the stand-in for {BASE_IMAGE} (once)")
    with tempfile.TemporaryDirectory() as rootfs:
        run(["debootstrap", "--variant=minbase", "--include=ca-certificates", "bookworm", rootfs, apt_mirror()],
            stdout=subprocess.DEVNULL)
        changes = ["ENV LAMBDA_TASK_ROOT=/var/task", "ENV LAMBDA_RUNTIME_DIR=/var/runtime",
                   "ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin:/bin:/opt/bin", "ENV TZ=:/etc/localtime",
                   "ENV LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
                   "WORKDIR /var/task"]
        tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        run(["docker", "import", *[a for c in changes for a in ("--change", c)], "-", BASE_IMAGE],
            stdin=tar.stdout, stdout=subprocess.DEVNULL)
        tar.wait()


def bridge_address():
    """Where a container reaches this machine: the default bridge's gateway."""
    out = subprocess.run(["docker", "network", "inspect", "bridge", "--format", "{{(index .IPAM.Config 0).Gateway}}"],
                         check=True, capture_output=True, text=True).stdout.strip()
    return out or "172.17.0.1"


def newest_glibc(binary):
    """The newest GLIBC_2.x symbol version the binary asks for, as (2, x, patch)."""
    found = re.findall(rb"GLIBC_2\.(\d+)(?:\.(\d+))?", binary.read_bytes())
    return max(((2, int(minor), int(patch or 0)) for minor, patch in found), default=(2, 0, 0))


def main():
    sam = [str(Path(sys.prefix) / "bin" / "sam")]
    env = dict(os.environ, PATH=f"{Path(sys.prefix) / 'bin'}:{os.environ.get('PATH', '')}",
               AWS_ACCESS_KEY_ID="AKIDLOCAL", AWS_SECRET_ACCESS_KEY="local-secret", AWS_DEFAULT_REGION="us-east-1",
               AWS_REGION="us-east-1", SAM_BUILD_MODE=os.environ.get("SAM_BUILD_MODE", "debug"))
    ensure_packages()
    engine_log = tempfile.TemporaryFile(mode="w+")
    dockerd = emulator = lambda_api = jwks = None
    try:
        dockerd = start_engine(engine_log)
        base_image()
        host = bridge_address()
        emulator = start_group([BIN / "quicksight-local", "--host", host, "--port", "0"], stdout=subprocess.PIPE, text=True)
        url = emulator.stdout.readline().split()[-1]
        jwks = serve_jwks(host)
        say(f"quicksight-local at {url}, reachable from the containers")

        build_dir = Path(tempfile.mkdtemp(prefix="qs-provision-sam-local-"))
        say(f"sam build --parameter-overrides Architecture={ARCH}")
        run([*sam, "build", "--build-dir", str(build_dir), "--parameter-overrides", f"Architecture={ARCH}"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT if JSON else None)
        needed = {fn: newest_glibc(build_dir / fn / "bootstrap") for fn in BINARIES}
        glibc = {fn: ".".join(map(str, v[:2] if v[2] == 0 else v)) for fn, v in needed.items()}
        too_new = {fn: glibc[fn] for fn, v in needed.items() if v[:2] > MAX_GLIBC}
        if too_new:
            sys.exit(f"these bootstraps need a glibc newer than Amazon Linux 2023's 2.34: {too_new}")

        parameters = {
            "Architecture": ARCH, "QuickSightEndpointUrl": url, "QuickSightAccountId": ACCOUNT,
            "FederatedRoleArn": OVERRIDES["QUICKSIGHT_FEDERATED_ROLE_ARN"], "OidcIssuer": OIDC_ISSUER,
            "OidcAudience": "qs-app", "OidcJwksUrl": f"http://{host}:{jwks.server_address[1]}/jwks",
        }
        overrides = ["--parameter-overrides", " ".join(f"{k}={v}" for k, v in parameters.items())]
        # --env-vars sets only what the template declares: the demo's group mapping, and the endpoint,
        # which sam local leaves empty where the template declares it with !If.
        env_vars = build_dir / "env.json"
        declared = {k: v for k, v in OVERRIDES.items() if k in ("GROUP_MAPPING", "DEFAULT_GROUPS")}
        env_vars.write_text(json.dumps({"Parameters": {**declared, "AWS_ENDPOINT_URL_QUICKSIGHT": url}}))
        common = ["--template", str(build_dir / "template.yaml"), "--skip-pull-image", "--env-vars", str(env_vars), *overrides]

        results = []
        for function, event_file in INVOKES:
            out = subprocess.run([*sam, "local", "invoke", function, "-e", event_file, *common],
                                 cwd=ROOT, env=env, capture_output=True, text=True)
            lines = [line for line in out.stdout.splitlines() if line.strip()]
            if out.returncode != 0 or not lines:
                sys.exit(f"sam local invoke {function} failed:\n{out.stdout}\n{out.stderr[-3000:]}")
            response = json.loads(lines[-1])
            results.append({"function": function, "event": event_file, "response": response})
            say(f"\nsam local invoke {function} -e {event_file}",
                summary(BINARIES[function], json.loads((ROOT / event_file).read_text()), response))

        # The same bulk batch through the Lambda API that `sam local start-lambda` serves.
        lambda_api, port = start_listening(lambda port: [*sam, "local", "start-lambda", "--port", str(port), *common],
                                           "sam local start-lambda", cwd=ROOT, env=env,
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import boto3  # aws-sam-cli's own dependency

        client = boto3.client("lambda", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                              aws_access_key_id="AKIDLOCAL", aws_secret_access_key="local-secret")
        batch = (ROOT / "events/sqs-bulk-batch.json").read_text()
        invoked = client.invoke(FunctionName="SqsSyncFunction", Payload=batch.encode())
        start_lambda = json.loads(invoked["Payload"].read())
        say("\nsam local start-lambda, then the SDK's Invoke of SqsSyncFunction with events/sqs-bulk-batch.json",
            summary("sqs-sync", json.loads(batch), start_lambda))

        with urllib.request.urlopen(f"{url}/_emulator/state") as response:
            state = json.loads(response.read())
        if JSON:
            print(json.dumps({"results": results, "start_lambda": start_lambda, "glibc": glibc,
                              "users": state["spaces"].get(f"{ACCOUNT}/default", {}).get("Users", {})}))
        else:
            print("\nQuickSight users now:\n")
            print(table(state))
            print(f"\nnewest glibc each bootstrap needs: {glibc} (Amazon Linux 2023 has 2.34)")
        shutil.rmtree(build_dir, ignore_errors=True)
    finally:
        stop(lambda_api)
        if jwks:
            jwks.shutdown()
        stop(emulator)
        # SAM's containers end with their invocations; the engine goes only if this script started it.
        stop(dockerd)


if __name__ == "__main__":
    main()
