"""A local Lambda function URL: each HTTP request becomes the function URL event (payload format
2.0), the function (its binary under aws-lambda-rie) is invoked with it, and its answer is mapped
back as Lambda maps it. CORS is applied as Lambda applies a function URL's `Cors` settings: the
preflight is answered without invoking the function, and an allowed origin gets
`Access-Control-Allow-Origin` on the answer.

    python scripts/function_url.py BINARY [--port N] [--allow-origin O]... [--allow-method M]...
        [--allow-header H]... [--max-age S]

The function's environment is this process's. The first line on stdout is the URL it serves.
Used by scripts/embed-web (oidc-signup behind the sample page); any function URL function works
(scim too)."""

import argparse
import base64
import http.server
import json
import signal
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

from local_lambda import rie_command, start_listening, stop

TEXT_TYPES = ("text/", "application/json", "application/x-www-form-urlencoded", "application/xml",
              "application/javascript", "application/scim+json")


def event(method, target, headers, body, source_ip):
    """The function URL event (payload format 2.0) for one request."""
    path, _, query = target.partition("?")
    lowered = {}
    for name, value in headers.items():
        lowered[name.lower()] = f"{lowered[name.lower()]},{value}" if name.lower() in lowered else value
    event = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": urllib.parse.unquote(path),
        "rawQueryString": query,
        "headers": {k: v for k, v in lowered.items() if k != "cookie"},
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "local",
            "domainName": lowered.get("host", "localhost"),
            "domainPrefix": lowered.get("host", "localhost").split(".")[0],
            "http": {"method": method, "path": urllib.parse.unquote(path), "protocol": "HTTP/1.1",
                     "sourceIp": source_ip, "userAgent": lowered.get("user-agent", "")},
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "timeEpoch": int(time.time() * 1000),
        },
        "isBase64Encoded": False,
    }
    if "cookie" in lowered:
        event["cookies"] = [c.strip() for c in lowered["cookie"].split(";")]
    if query:
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        event["queryStringParameters"] = {k: ",".join(v) for k, v in params.items()}
    if body:
        content_type = lowered.get("content-type", "")
        if content_type.startswith(TEXT_TYPES):
            event["body"] = body.decode("utf-8", errors="replace")
        else:
            event["body"] = base64.b64encode(body).decode()
            event["isBase64Encoded"] = True
    return event


def answer(result):
    """(status, headers, body bytes) for the function's result, as a function URL maps it: a
    result with `statusCode` is the response; any other JSON is a 200 JSON body."""
    if isinstance(result, dict) and "statusCode" in result:
        headers = dict(result.get("headers") or {})
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        cookies = result.get("cookies") or []
        return int(result["statusCode"]), headers, cookies, data
    return 200, {"content-type": "application/json"}, [], json.dumps(result).encode()


def serve(binary, port, cors):
    lam, rie_port = start_listening(rie_command([binary]), "aws-lambda-rie", stdout=sys.stderr, stderr=sys.stderr)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def cors_headers(self, preflight):
            origin = self.headers.get("origin")
            origins = cors["origins"]
            if not origin or not (origin in origins or "*" in origins):
                return {}
            headers = {"access-control-allow-origin": "*" if "*" in origins else origin, "vary": "origin"}
            if preflight:
                headers["access-control-allow-methods"] = ",".join(cors["methods"])
                headers["access-control-allow-headers"] = ",".join(cors["headers"])
                headers["access-control-max-age"] = str(cors["max_age"])
            return headers

        def send(self, status, headers, cookies, data):
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            for cookie in cookies:
                self.send_header("set-cookie", cookie)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def handle_any(self):
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            preflight = self.command == "OPTIONS" and "access-control-request-method" in self.headers
            if preflight and cors["origins"]:
                # Lambda answers the preflight itself; the function never sees it.
                self.send(200, self.cors_headers(True), [], b"")
                return
            payload = json.dumps(event(self.command, self.path, self.headers, body, self.client_address[0]))
            request = urllib.request.Request(
                f"http://127.0.0.1:{rie_port}/2015-03-31/functions/function/invocations",
                data=payload.encode(), method="POST")
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    result = json.loads(response.read() or b"null")
                    failed = response.headers.get("x-amz-function-error") is not None or (
                        isinstance(result, dict) and "errorType" in result and "statusCode" not in result)
            except (urllib.error.URLError, ValueError) as e:
                print(f"function URL: the function failed: {e}", file=sys.stderr)
                result, failed = None, True
            if failed:
                status, headers, cookies, data = 502, {"content-type": "application/json"}, [], b'{"Message":"Internal Server Error"}'
            else:
                status, headers, cookies, data = answer(result)
            headers.update(self.cors_headers(False))
            self.send(status, headers, cookies, data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = handle_any

        def log_message(self, fmt, *args):
            print(f"function URL: {self.command} {self.path.split('?')[0]} {args[1] if len(args) > 1 else ''}",
                  file=sys.stderr)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"function URL at http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        stop(lam)


def main():
    # Stopped by its parent with SIGTERM: the finally below still stops the function.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--allow-origin", action="append", default=[],
                        help="Cors.AllowOrigins (repeatable; '*' for any); none: no CORS headers at all")
    parser.add_argument("--allow-method", action="append", default=None, help="Cors.AllowMethods (default POST)")
    parser.add_argument("--allow-header", action="append", default=None,
                        help="Cors.AllowHeaders (default authorization, content-type)")
    parser.add_argument("--max-age", type=int, default=600)
    args = parser.parse_args()
    cors = {
        "origins": args.allow_origin,
        "methods": args.allow_method or ["POST"],
        "headers": args.allow_header or ["authorization", "content-type"],
        "max_age": args.max_age,
    }
    try:
        serve(args.binary, args.port, cors)
    except (KeyboardInterrupt, SystemExit):
        pass


if __name__ == "__main__":
    main()
