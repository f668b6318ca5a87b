#!/usr/bin/env python3
"""A fake GitHub on loopback for .ci/container: the REST routes one report on a pull request
uses, answered with the shapes the end-to-end tests serve, and a second host for the log blobs.

- The run is the bundled replay, examples/rust-ci-failure (jobs.json, logs/, annotations/), as
  the API serves it: `GET …/attempts/1/jobs`, and per job `…/check-runs/{id}/annotations`.
- `GET …/actions/jobs/{id}/logs` answers 302 to the blob host (another port: another authority,
  as GitHub's storage host is), which serves the log. The token must never arrive there.
- The run itself (`GET …/actions/runs/{id}`) is the OpenAPI example `workflow-run` of
  tests/data/github-openapi-subset.json, as a `pull_request` run of branch `changes`; its
  workflow has no run on the base branch yet, nor a passing one on the branch (empty listings).
- The PR's comments are tests/data/openapi-issue-comment-items.json (none is ours); a POST
  creates the comment and answers tests/data/openapi-issue-comment.json with the posted body.
  GraphQL's `viewer` (whose comments are ours) answers `github-actions`.
- Anything else answers 404 in GitHub's shape and is recorded as unexpected.

With --tls CERT KEY the API also listens with TLS on a third port (the same routes; requests
recorded as host api-tls), for the check that the image's TLS client works.

Every request is appended to --record as one JSON object per line: host (api|blob), method,
path, the Authorization header (or null) and, for a POST, the body. .ci/container reads it.
Standard library only; it serves until it is terminated.
"""

import argparse
import json
import re
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def load(path):
    return json.loads(Path(path).read_text())


class Fake:
    def __init__(self, root, repo, pr, record, run_id):
        self.replay = root / "examples" / "rust-ci-failure"
        self.data = root / "tests" / "data"
        self.repo = repo
        self.pr = pr
        self.run_id = run_id
        self.record_path = record
        self.lock = threading.Lock()
        self.blob_port = None

    def record(self, entry):
        with self.lock, open(self.record_path, "a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")

    def api(self, method, path, body):
        """(status, headers, body bytes) for a request to the API host."""
        repo = re.escape(self.repo)
        if method == "GET":
            if path == f"/repos/{self.repo}/actions/runs/{self.run_id}/attempts/1/jobs":
                return json_answer(200, load(self.replay / "jobs.json"))
            if path == f"/repos/{self.repo}/actions/runs/{self.run_id}":
                return json_answer(200, self.workflow_run())
            if re.fullmatch(rf"/repos/{repo}/actions/workflows/\d+/runs", path):
                return json_answer(200, {"total_count": 0, "workflow_runs": []})
            m = re.fullmatch(rf"/repos/{repo}/actions/jobs/(\d+)/logs", path)
            if m and (self.replay / "logs" / f"{m[1]}.log").is_file():
                # GitHub's storage links carry a signature in the query; so does this one.
                location = f"http://127.0.0.1:{self.blob_port}/logs/{m[1]}.log?sig=fake"
                return 302, {"Location": location}, b""
            m = re.fullmatch(rf"/repos/{repo}/check-runs/(\d+)/annotations", path)
            if m:
                file = self.replay / "annotations" / f"{m[1]}.json"
                return json_answer(200, load(file) if file.is_file() else [])
            if path == f"/repos/{self.repo}/issues/{self.pr}/comments":
                return json_answer(200, load(self.data / "openapi-issue-comment-items.json"))
            if path == f"/repos/{self.repo}/pulls/{self.pr}/files":
                file = self.replay / "pull-files.json"
                return json_answer(200, load(file) if file.is_file() else [])
        if method == "POST" and path == "/graphql" and "viewer" in json.loads(body)["query"]:
            return json_answer(200, {"data": {"viewer": {"login": "github-actions"}}})
        if method == "POST" and path == f"/repos/{self.repo}/issues/{self.pr}/comments":
            created = load(self.data / "openapi-issue-comment.json")
            created["body"] = json.loads(body)["body"]
            return json_answer(201, created)
        return None

    def workflow_run(self):
        spec = load(self.data / "github-openapi-subset.json")
        run = spec["components"]["examples"]["workflow-run"]["value"]
        run.update(id=self.run_id, event="pull_request", head_branch="changes",
                   status="in_progress", conclusion=None)
        return run

    def blob(self, method, path):
        m = re.fullmatch(r"/logs/(\d+)\.log", path)
        if method == "GET" and m:
            text = (self.replay / "logs" / f"{m[1]}.log").read_bytes()
            return 200, {"Content-Type": "text/plain"}, text
        return None


def json_answer(status, value):
    return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(value).encode()


def handler(fake, host):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, method):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else None
            path = self.path.split("?", 1)[0]
            entry = {
                "host": host,
                "method": method,
                "path": self.path,
                "authorization": self.headers.get("Authorization"),
            }
            if body is not None:
                entry["body"] = body
            answer = fake.blob(method, path) if host == "blob" else fake.api(method, path, body)
            if answer is None:
                entry["unexpected"] = True
                answer = json_answer(404, {"message": "Not Found",
                                           "documentation_url": "https://docs.github.com/rest"})
            fake.record(entry)
            status, headers, payload = answer
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):
            self.answer("GET")

        def do_POST(self):
            self.answer("POST")

        def do_PATCH(self):
            self.answer("PATCH")

        def log_message(self, *args):
            pass

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="the repository's root")
    parser.add_argument("--repo", required=True, help="OWNER/NAME the API serves")
    parser.add_argument("--pr", type=int, required=True, help="the pull request's number")
    parser.add_argument("--run-id", type=int, required=True, help="the reported run's id")
    parser.add_argument("--record", type=Path, required=True, help="where requests are logged")
    parser.add_argument("--ports", type=Path, required=True,
                        help="gets 'API_PORT BLOB_PORT' (and TLS_PORT with --tls)")
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"), help="also serve TLS")
    args = parser.parse_args()
    fake = Fake(args.root, args.repo, args.pr, args.record, args.run_id)
    api = ThreadingHTTPServer(("127.0.0.1", 0), handler(fake, "api"))
    blob = ThreadingHTTPServer(("127.0.0.1", 0), handler(fake, "blob"))
    fake.blob_port = blob.server_address[1]
    threading.Thread(target=blob.serve_forever, daemon=True).start()
    ports = [api.server_address[1], fake.blob_port]
    if args.tls:
        tls = ThreadingHTTPServer(("127.0.0.1", 0), handler(fake, "api-tls"))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*args.tls)
        tls.socket = context.wrap_socket(tls.socket, server_side=True)
        threading.Thread(target=tls.serve_forever, daemon=True).start()
        ports.append(tls.server_address[1])
    tmp = args.ports.with_suffix(".tmp")
    tmp.write_text(" ".join(map(str, ports)) + "\n")
    tmp.rename(args.ports)
    api.serve_forever()


if __name__ == "__main__":
    main()
