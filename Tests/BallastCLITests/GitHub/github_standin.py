#!/usr/bin/env python3
"""A loopback stand-in for the part of GitHub's REST API ballast uses (issue and
pull-request comments, issues), which checks every request it gets and every
response it gives against GitHub's published OpenAPI description of those
operations (github-issues-openapi.json, from github/rest-api-description, MIT)
with openapi-core. GitHub itself cannot be reached from the test machines.

Usage: github_standin.py TOKEN [PORT]   (prints the port it listens on, then serves)
Control (no token): GET /_standin/state, GET /_standin/checks, POST /_standin/seed
{"comments": {N: [body or {"body", "author"}...]}, "issues": [{"title","body","labels","state","author"}]},
POST /_standin/fail {"status", "headers", "body" or "raw", "times", "path"} (the next requests, to `path`
when given, fail).

The token's identity: a `ghs_` token is an installation token, as GitHub Actions' GITHUB_TOKEN
is. For it `GET /user` answers 403 "Resource not accessible by integration" (as GitHub does) and
GraphQL's `viewer` is `github-actions[bot]`, the login GitHub's REST API shows on what it wrote.
Any other token is the user `octo-ops`. Comments and issues are written as the token's identity;
seeded ones may name another author.
"""
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

HERE = os.path.dirname(os.path.abspath(__file__))
API = OpenAPI.from_file_path(os.path.join(HERE, "github-issues-openapi.json"))
TOKEN = sys.argv[1]
lock = threading.Lock()
state = {"comments": {}, "issues": [], "next_id": 1000, "requests": []}
checks = {"requests": 0, "responses": 0, "violations": []}
failures = []


BOT = "github-actions[bot]"


def identity():
    return BOT if TOKEN.startswith("ghs_") else "octo-ops"


def user(host, login=BOT):
    base = f"{host}/users/{login}"
    urls = {k: f"{base}/{k.replace('_url', '')}" for k in [
        "events_url", "followers_url", "following_url", "gists_url", "organizations_url",
        "received_events_url", "repos_url", "starred_url", "subscriptions_url"]}
    return dict(urls, login=login, id=41898282, node_id="MDM6Qm90NDE4OTgyODI=", avatar_url=f"{host}/avatars/1",
                gravatar_id="", url=base, html_url=f"{host}/apps/github-actions", type="Bot" if login.endswith("[bot]") else "User", site_admin=False)


def comment(host, repo, number, comment_id, body, stamp, author=BOT):
    return {"id": comment_id, "node_id": f"IC_{comment_id}", "body": body, "user": user(host, author),
            "url": f"{host}/repos/{repo}/issues/comments/{comment_id}",
            "html_url": f"https://github.example/{repo}/pull/{number}#issuecomment-{comment_id}",
            "issue_url": f"{host}/repos/{repo}/issues/{number}", "author_association": "NONE",
            "created_at": stamp, "updated_at": stamp}


def milestone(host, repo, stamp):
    """The 2020 description has `milestone` required and not nullable (GitHub sends null): one is given."""
    return {"id": 1, "node_id": "MI_1", "number": 1, "title": "operations", "description": None, "state": "open",
            "creator": user(host), "open_issues": 1, "closed_issues": 0, "due_on": None, "closed_at": None,
            "url": f"{host}/repos/{repo}/milestones/1", "html_url": f"https://github.example/{repo}/milestone/1",
            "labels_url": f"{host}/repos/{repo}/milestones/1/labels", "created_at": stamp, "updated_at": stamp}


def issue(host, repo, number, fields, stamp):
    labels = [{"id": i + 1, "node_id": f"L_{i}", "url": f"{host}/repos/{repo}/labels/{name}", "name": name,
               "description": None, "color": "d93f0b", "default": False}
              for i, name in enumerate(fields.get("labels", []))]
    return {"id": 5000 + number, "node_id": f"I_{number}", "number": number, "title": fields["title"],
            "body": fields.get("body"), "state": fields.get("state", "open"), "locked": False,
            "labels": labels, "assignee": None, "assignees": [], "milestone": milestone(host, repo, stamp), "comments": 0,
            "closed_at": stamp if fields.get("state") == "closed" else None,
            "user": user(host, fields.get("author", BOT)),
            "url": f"{host}/repos/{repo}/issues/{number}", "repository_url": f"{host}/repos/{repo}",
            "labels_url": f"{host}/repos/{repo}/issues/{number}/labels{{/name}}",
            "comments_url": f"{host}/repos/{repo}/issues/{number}/comments",
            "events_url": f"{host}/repos/{repo}/issues/{number}/events",
            "html_url": f"https://github.example/{repo}/issues/{number}", "author_association": "NONE",
            "created_at": stamp, "updated_at": stamp}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def host(self):
        return f"http://{self.headers.get('Host')}"

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send(self, status, payload, headers=None, check=None):
        data = b"" if payload is None else json.dumps(payload).encode()
        if check is not None:
            self.check_response(check, status, data, headers or {})
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def send_raw(self, status, data):
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def check_response(self, request, status, data, headers):
        with lock:
            checks["responses"] += 1
        try:
            API.validate_response(request, MockResponse(data, status_code=status, headers=headers))
        except Exception as error:  # noqa: BLE001 — any failure is a violation to report
            self.violation(f"response {status} to {request.method.upper()} {request.path}: {self.explain(error)}")

    @staticmethod
    def explain(error):
        """The schema errors under openapi-core's wrapper exceptions, one line each."""
        details, seen = [], error
        while seen is not None:
            for schema_error in getattr(seen, "schema_errors", []) or []:
                details.append(f"{list(schema_error.absolute_path)}: {schema_error.message}"[:300])
            seen = seen.__cause__ or seen.__context__
        return f"{error!r}" + ("; " + "; ".join(details) if details else "")

    def violation(self, text):
        with lock:
            checks["violations"].append(text)

    def handle_any(self, method):
        url = urlsplit(self.path)
        raw = self.body()
        if url.path.startswith("/_standin/"):
            return self.control(method, url.path, raw)
        if url.path == "/graphql":
            return self.graphql(method, raw)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        headers = {k: v for k, v in self.headers.items()}
        # Checked as a request to GitHub itself (the description names api.github.com as its server).
        request = MockRequest("https://api.github.com", method.lower(), url.path, args=query, headers=headers,
                              data=raw.decode() if raw else None,
                              content_type=self.headers.get("Content-Type", "application/json").split(";")[0])
        with lock:
            checks["requests"] += 1
            state["requests"].append(f"{method} {self.path}")
        try:
            API.validate_request(request)
        except Exception as error:  # noqa: BLE001
            self.violation(f"request {method} {self.path}: {self.explain(error)}")
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.send(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        with lock:
            failure = failures[0] if failures and failures[0].get("path", url.path) == url.path else None
            if failure:
                failure["times"] -= 1
                if failure["times"] <= 0:
                    failures.pop(0)
        if failure and "raw" in failure:
            return self.send_raw(failure["status"], failure["raw"].encode())
        if failure:
            return self.send(failure["status"], failure.get("body", {"message": "failed"}), failure.get("headers"))
        return self.route(method, url.path, query, raw, request)

    def graphql(self, method, raw):
        """GitHub's GraphQL endpoint, for the one query ballast sends: who the token is."""
        with lock:
            checks["requests"] += 1
            state["requests"].append(f"{method} /graphql")
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        if method != "POST" or not isinstance(payload, dict) or set(payload) - {"query", "variables"} \
                or not isinstance(payload.get("query"), str):
            self.violation(f"request {method} /graphql: not a GraphQL request body: {raw[:200]!r}")
            return self.send(400, {"message": "Problems parsing JSON"})
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.send(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/graphql"})
        if " ".join(payload["query"].split()) not in ("query { viewer { login } }", "{ viewer { login } }"):
            self.violation(f"request POST /graphql: a query the stand-in does not know: {payload['query'][:200]}")
            return self.send(200, {"errors": [{"message": "unknown query"}]})
        return self.send(200, {"data": {"viewer": {"login": identity()}}})

    def route(self, method, path, query, raw, request):
        payload = json.loads(raw) if raw else {}
        if path == "/user" and method == "GET":
            if TOKEN.startswith("ghs_"):
                return self.send(403, {"message": "Resource not accessible by integration",
                                       "documentation_url": "https://docs.github.com/rest/users/users"}, check=request)
            return self.send(200, user(self.host(), identity()), check=request)
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)/comments", path)
        stamp = "2026-11-30T12:00:00Z"
        if match and method == "GET":
            repo, number = match.group(1), int(match.group(2))
            items = [comment(self.host(), repo, number, entry[0], entry[1], stamp, entry[2])
                     for entry in state["comments"].get(number, [])]
            return self.page(items, path, query, request)
        if match and method == "POST":
            repo, number = match.group(1), int(match.group(2))
            with lock:
                state["next_id"] += 1
                cid = state["next_id"]
                state["comments"].setdefault(number, []).append([cid, payload.get("body", ""), identity()])
            return self.send(201, comment(self.host(), repo, number, cid, payload.get("body", ""), stamp, identity()),
                             check=request)
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/comments/(\d+)", path)
        if match and method == "PATCH":
            cid = int(match.group(2))
            for number, entries in state["comments"].items():
                for entry in entries:
                    if entry[0] == cid:  # a token that may write issues may edit anyone's comment, as on GitHub
                        entry[1] = payload.get("body", "")
                        return self.send(200, comment(self.host(), match.group(1), number, cid, entry[1], stamp,
                                                      entry[2]), check=request)
            return self.send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues", path)
        if match and method == "GET":
            wanted = set(filter(None, query.get("labels", "").split(",")))
            status = query.get("state", "open")
            items = [issue(self.host(), match.group(1), i + 1, fields, stamp) for i, fields in enumerate(state["issues"])
                     if wanted <= set(fields.get("labels", [])) and status in ("all", fields.get("state", "open"))]
            return self.page(items, path, query, request)
        if match and method == "POST":
            with lock:
                state["issues"].append({"title": payload.get("title", ""), "body": payload.get("body"),
                                        "labels": payload.get("labels", []), "state": "open", "comments": [],
                                        "author": identity()})
                number = len(state["issues"])
            return self.send(201, issue(self.host(), match.group(1), number, state["issues"][-1], stamp), check=request)
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)/issues/(\d+)", path)
        if match and method == "PATCH":
            number = int(match.group(2))
            if not 1 <= number <= len(state["issues"]):
                return self.send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
            fields = state["issues"][number - 1]
            fields.update({k: v for k, v in payload.items() if k in ("title", "body", "state", "labels")})
            return self.send(200, issue(self.host(), match.group(1), number, fields, stamp), check=request)
        return self.send(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})

    def page(self, items, path, query, request):
        size = int(query.get("per_page", 30))
        number = int(query.get("page", 1))
        chunk = items[(number - 1) * size: number * size]
        headers = {}
        if number * size < len(items):
            headers["Link"] = f'<{self.host()}{path}?per_page={size}&page={number + 1}>; rel="next"'
        return self.send(200, chunk, headers, check=request)

    def control(self, method, path, raw):
        if path == "/_standin/state":
            return self.send(200, {"comments": {str(k): v for k, v in state["comments"].items()},
                                   "issues": state["issues"], "requests": state["requests"]})
        if path == "/_standin/checks":
            return self.send(200, checks)
        payload = json.loads(raw) if raw else {}
        if path == "/_standin/seed":
            with lock:
                for number, bodies in payload.get("comments", {}).items():
                    for body in bodies:
                        state["next_id"] += 1
                        seeded = body if isinstance(body, dict) else {"body": body, "author": identity()}
                        state["comments"].setdefault(int(number), []).append(
                            [state["next_id"], seeded["body"], seeded.get("author", identity())])
                state["issues"] += [dict({"author": identity()}, **fields) for fields in payload.get("issues", [])]
            return self.send(200, {})
        if path == "/_standin/fail":
            with lock:
                failures.append(dict(payload, times=payload.get("times", 1)))
            return self.send(200, {})
        return self.send(404, {"message": "no such control"})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")


server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[2]) if len(sys.argv) > 2 else 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
