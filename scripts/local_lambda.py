"""Running a function binary locally: aws-lambda-rie (from aws-sam-cli) on free loopback ports,
with the environment taken from template.yaml's defaults. Used by scripts/demo and bench/run."""

import glob
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def template_environment(template, resource):
    """The function's environment with every !Ref resolved to the parameter's default."""
    params = {name: p.get("Default") for name, p in template["Parameters"].items()}
    env = dict(template["Globals"]["Function"]["Environment"]["Variables"])
    env.update(template["Resources"][resource]["Properties"].get("Environment", {}).get("Variables", {}))
    resolved = {}
    for key, value in env.items():
        if isinstance(value, dict) and "Ref" in value and value["Ref"] in params:
            value = params[value["Ref"]]
        if isinstance(value, (str, int)) and value is not None:
            resolved[key] = str(value)
    return resolved


def local_environment(template, resource, quicksight_url):
    """`resource`'s environment as scripts/demo and scripts/embed-web run it here: template.yaml's
    defaults, throwaway credentials, `quicksight_url` as QuickSight, the template's timeout."""
    env = template_environment(template, resource)
    env.update({
        "PATH": os.environ.get("PATH", ""),
        "AWS_ACCESS_KEY_ID": "AKIDLOCAL", "AWS_SECRET_ACCESS_KEY": "local-secret",
        "AWS_REGION": env.get("QUICKSIGHT_IDENTITY_REGION", "us-east-1"), "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ENDPOINT_URL_QUICKSIGHT": quicksight_url,
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(template["Resources"][resource]["Properties"].get("Timeout", 30)),
        "RUST_LOG": "warn",
    })
    return env


def start_listening(command_for, what, attempts=5, timeout=60, **popen):
    """Starts `command_for(port)` on a free port and waits until it listens there: (process, port).
    A free port can be taken by another process before the new one binds it; the new one then
    exits (or never answers), and it starts again on another port."""
    for _ in range(attempts):
        port = free_port()
        proc = start_group(command_for(port), **popen)
        deadline = time.time() + timeout
        while proc.poll() is None and time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            except OSError:
                time.sleep(0.02)
                continue
            time.sleep(0.05)  # the answer may have come from the port's other owner: ours then exits
            if proc.poll() is None:
                return proc, port
            break
        stop(proc)
    sys.exit(f"{what} did not start on {attempts} free ports")


def rie_command(binary_command, runtime_port=None):
    """`aws-lambda-rie` serving `binary_command` (a list) on the port given to the returned function."""
    def command(port):
        api = runtime_port or free_port()
        return [rie(), "--runtime-interface-emulator-address", f"127.0.0.1:{port}",
                "--runtime-api-address", f"127.0.0.1:{api}", *map(str, binary_command)]
    return command


def rie():
    arch = "arm64" if os.uname().machine in ("aarch64", "arm64") else "x86_64"
    found = glob.glob(f"{sys.prefix}/lib/python*/site-packages/samcli/local/rapid/aws-lambda-rie-{arch}")
    if not found:
        sys.exit("aws-lambda-rie not found in the virtualenv's aws-sam-cli")
    return found[0]


def start_group(args, **kw):
    return subprocess.Popen(args, start_new_session=True, **kw)


def stop(proc):
    if proc and proc.poll() is None:
        try:
            os.killpg(proc.pid, 15)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


def invoke(port, payload):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/2015-03-31/functions/function/invocations", data=payload.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def serve_jwks(host="127.0.0.1", tls=None):
    """The test-only key rsa-a as an OpenID provider's JWKS, on a free port (server.server_port);
    over HTTPS with `tls` (an ssl.SSLContext holding the server's certificate)."""
    keys = json.loads((Path(__file__).resolve().parent.parent / "shared" / "testing" / "fixtures" / "oidc-test-keys.json").read_text())["keys"]
    body = json.dumps({"keys": [keys["rsa-a"]["jwk"]]}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        # The head and the body are two writes: with Nagle's algorithm the body would wait for the
        # client's delayed ACK (40 ms).
        disable_nagle_algorithm = True

        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    if tls:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
