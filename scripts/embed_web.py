"""The embed flow on one machine: quicksight-local over HTTPS with a dashboard, oidc-signup behind a
local function URL (scripts/function_url.py, the template's CORS settings), and the sample page
(examples/embed-web, with its stand-in OpenID Connect provider). Prints the page's address and
runs until interrupted; with --smoke, drives Debian's Chromium through the page instead
(examples/embed-web/smoke.mjs) and exits with its verdict.

    python scripts/embed_web.py BIN_DIR [--port 8080] [--smoke]
"""

import argparse
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
import webbrowser
from pathlib import Path

from samcli.yamlhelper import yaml_parse

from local_lambda import free_port, local_environment, start_group, stop

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "embed-web"
ACCOUNT = "123456789012"
DASHBOARD = "sales"
ISSUER = "https://login.embed-sample.localhost"
AUDIENCE = "qs-embed-sample"


def first_line(proc, what, prefix):
    """The first stdout line of `proc` that starts with `prefix`, or exit naming `what`."""
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                sys.exit(f"{what} exited before it started (status {proc.returncode})")
            continue
        if line.startswith(prefix):
            return line.strip()
    sys.exit(f"{what} did not start within 60 s")


def start_emulator(bin_dir, tmp):
    ca = Path(tmp) / "quicksight-local-ca.pem"
    emulator = start_group([bin_dir / "quicksight-local", "--port", "0", "--tls", "--tls-ca-file", ca],
                           stdout=subprocess.PIPE, text=True)
    url = first_line(emulator, "quicksight-local", "quicksight-local listening on").split()[-1]
    first_line(emulator, "quicksight-local", "quicksight-local CA certificate")
    trust = ssl.create_default_context(cafile=str(ca))
    seed = {"kind": "dashboard", "id": DASHBOARD, "name": "Sales", "AwsAccountId": ACCOUNT, "Region": "us-east-1"}
    request = urllib.request.Request(f"{url}/_emulator/assets", data=json.dumps(seed).encode(), method="POST",
                                     headers={"content-type": "application/json"})
    urllib.request.urlopen(request, context=trust).close()
    return emulator, url, ca


def start_function_url(bin_dir, emulator_url, ca, page_origin, page_port):
    template = yaml_parse((ROOT / "template.yaml").read_text())
    env = local_environment(template, "OidcSignupFunction", emulator_url)
    env.update({
        "AWS_CA_BUNDLE": str(ca),
        "QUICKSIGHT_ACCOUNT_ID": ACCOUNT,
        "QUICKSIGHT_FEDERATED_ROLE_ARN": f"arn:aws:iam::{ACCOUNT}:role/QuickSightEmbedSample",
        "OIDC_ISSUER": ISSUER, "OIDC_AUDIENCE": AUDIENCE,
        "OIDC_JWKS_URL": f"http://localhost:{page_port}/jwks",
        "EMBED_EXPERIENCE": f"dashboard:{DASHBOARD}", "EMBED_SESSION_MINUTES": "60",
        "EMBED_ALLOWED_DOMAINS": page_origin,
    })
    # The template's FunctionUrlConfig.Cors for oidc-signup: EmbedAllowedDomains, POST,
    # authorization and content-type, 10 minutes.
    command = [sys.executable, ROOT / "scripts" / "function_url.py", bin_dir / "oidc-signup", "--port", "0",
               "--allow-origin", page_origin, "--allow-method", "POST",
               "--allow-header", "authorization", "--allow-header", "content-type", "--max-age", "600"]
    proc = start_group(command, env=env, stdout=subprocess.PIPE, text=True)
    return proc, first_line(proc, "the function URL", "function URL at").split()[-1]


def start_page(port, function_url):
    command = ["node", SAMPLE / "server.mjs", "--port", str(port), "--function-url", function_url,
               "--issuer", ISSUER, "--audience", AUDIENCE]
    proc = start_group(command, stdout=subprocess.PIPE, text=True)
    return proc, first_line(proc, "the sample page's server", "sample page at").split()[-1]


def main():
    # Stopped with SIGTERM (a test's time-out): the finally below still stops everything.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bin_dir", type=Path)
    parser.add_argument("--port", type=int, default=0, help="the sample page's port (default: a free one)")
    parser.add_argument("--smoke", action="store_true", help="drive Chromium through the page and exit")
    args = parser.parse_args()
    if not (SAMPLE / "node_modules" / "amazon-quicksight-embedding-sdk").is_dir():
        sys.exit(f"the sample's npm packages are missing: run `npm ci` in {SAMPLE} (scripts/web-tools does)")
    port = args.port or free_port()
    origin = f"http://localhost:{port}"
    procs = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            emulator, emulator_url, ca = start_emulator(args.bin_dir, tmp)
            procs.append(emulator)
            function, function_url = start_function_url(args.bin_dir, emulator_url, ca, origin, port)
            procs.append(function)
            page, page_url = start_page(port, function_url)
            procs.append(page)
            print(f"quicksight-local at {emulator_url} (its CA: {ca})")
            print(f"oidc-signup's function URL at {function_url} (CORS: {origin})")
            if args.smoke:
                other = f"http://127.0.0.1:{port}"
                smoke = subprocess.run(["node", SAMPLE / "smoke.mjs", "--page", page_url, "--other", other])
                return smoke.returncode
            print(f"\nthe sample page: {page_url}\n"
                  f"Your browser must accept quicksight-local's certificate for the dashboard to show: open "
                  f"{emulator_url}/_emulator/stats once and accept it (or trust {ca}). Ctrl-C stops everything.")
            if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or sys.platform == "darwin":
                webbrowser.open(page_url)
            while all(p.poll() is None for p in procs):
                time.sleep(1)
            return 1
        except KeyboardInterrupt:
            return 0
        finally:
            for proc in reversed(procs):
                stop(proc)


if __name__ == "__main__":
    sys.exit(main())
