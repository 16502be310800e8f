"""Running a function binary locally: aws-lambda-rie (from aws-sam-cli) on free loopback ports,
with the environment taken from template.yaml's defaults. Used by scripts/demo and bench/run."""

import glob
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, what):
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"{what} did not start on port {port}")


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
