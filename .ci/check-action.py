#!/usr/bin/env python3
"""Runs the image as GitHub's runner runs the README's quick start (`uses:` with no `with:`, in a
`report` job of a `pull_request` run) against the fake GitHub of .ci/fake-github.py, and checks
what a user would see: the step summary, the step's outputs, the PR comment, and that the token
went to the API host only.

Usage: check-action.py --image IMAGE [--engine 'podman --runtime /usr/sbin/runc'] [--root DIR]
Needs PyYAML (for action.yml); .ci/container runs it from its venv.
"""

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the clone
sys.path.insert(0, str(Path(__file__).resolve().parent))
from as_runner import parse_outputs, run_action  # noqa: E402

# The bundled replay's run (examples/rust-ci-failure/jobs.json) and GitHub's example payload of
# an opened PR (tests/data/events/pull_request.opened.json): Codertocat/Hello-World#2.
RUN_ID = "11873310452"
REPO = "Codertocat/Hello-World"
PR = 2
TOKEN = "ghs_fakeTokenForTheContainerCheck0123456789"
# tests/data/openapi-issue-comment.json: what the fake answers to the comment's POST.
COMMENT_URL = "https://github.com/octocat/Hello-World/issues/1347#issuecomment-1"
# What the replay's failed jobs print (logs/31012.log, logs/31013.log).
EVIDENCE = ["2 of 5 jobs failed", "clippy", "test (ubuntu-latest, stable)"]


class Checks:
    def __init__(self):
        self.failed = []

    def expect(self, ok, what, detail=""):
        print(f"container: {'ok' if ok else 'FAILED'}: {what}")
        if not ok:
            self.failed.append(what)
            if detail:
                print("    " + str(detail).replace("\n", "\n    ")[:4000])


def start_fake(root, workdir):
    record = workdir / "requests.jsonl"
    ports = workdir / "ports"
    fake = subprocess.Popen([
        sys.executable, str(root / ".ci" / "fake-github.py"), "--root", str(root), "--repo", REPO,
        "--pr", str(PR), "--run-id", RUN_ID, "--record", str(record), "--ports", str(ports)])
    for _ in range(100):
        if ports.exists():
            api, blob = ports.read_text().split()
            return fake, record, int(api), int(blob)
        if fake.poll() is not None:
            raise SystemExit("container: the fake GitHub did not start")
        time.sleep(0.1)
    fake.kill()
    raise SystemExit("container: the fake GitHub did not start within 10 s")


def contexts(api_port):
    api = f"http://127.0.0.1:{api_port}"
    github = {
        "action": "__failure-digest_failure-digest", "action_ref": "v1",
        "action_repository": "failure-digest/failure-digest", "actor": "Codertocat",
        "actor_id": "21031067", "api_url": api, "base_ref": "master",
        "event_name": "pull_request", "graphql_url": f"{api}/graphql", "head_ref": "changes",
        "job": "report", "ref": f"refs/pull/{PR}/merge", "ref_name": f"{PR}/merge",
        "ref_protected": "false", "ref_type": "branch", "repository": REPO,
        "repository_id": "186853002", "repository_owner": "Codertocat",
        "repository_owner_id": "21031067", "retention_days": "90", "run_attempt": "1",
        "run_id": RUN_ID, "run_number": "7", "server_url": "https://github.com",
        "sha": "9f3c2e17b5d04a6e8c1f2b3a4d5e6f708192a3b4", "triggering_actor": "Codertocat",
        "workflow": "CI", "workflow_ref": f"{REPO}/.github/workflows/ci.yml@refs/pull/{PR}/merge",
        "workflow_sha": "9f3c2e17b5d04a6e8c1f2b3a4d5e6f708192a3b4",
    }
    runner = {"arch": "X64", "environment": "github-hosted", "name": "GitHub Actions 2",
              "os": "Linux", "temp": "/home/runner/work/_temp",
              "tool_cache": "/opt/hostedtoolcache"}
    return github, runner


def check(run, requests, blob_port, checks):
    checks.expect(run.returncode == 0, "the step exits 0",
                  f"exit {run.returncode}\nstderr:\n{run.stderr}\nstdout:\n{run.stdout[-2000:]}")
    problems = [line for line in (run.stdout + run.stderr).splitlines()
                if line.startswith(("::warning", "::error"))]
    checks.expect(not problems, "no warning or error from the step", "\n".join(problems))
    summary = run.summary_file.read_text()
    checks.expect(all(e in summary for e in EVIDENCE),
                  "the step summary names the failed jobs", summary[:3000])

    try:
        outputs = parse_outputs(run.output_file.read_text())
    except ValueError as error:
        outputs = {}
        checks.expect(False, "GITHUB_OUTPUT parses", error)
    checks.expect(outputs.get("failed-jobs") == "2", "output failed-jobs is 2", outputs)
    checks.expect(outputs.get("conclusion") == "failure", "output conclusion is failure", outputs)
    checks.expect(outputs.get("comment-url") == COMMENT_URL,
                  "output comment-url is the created comment's", outputs.get("comment-url"))
    try:
        model = json.loads(outputs.get("json", ""))
    except ValueError:
        model = None
    checks.expect(isinstance(model, dict), "output json is the digest model",
                  outputs.get("json", "")[:500])

    posts = [r for r in requests
             if r["method"] == "POST" and r["path"] == f"/repos/{REPO}/issues/{PR}/comments"]
    body = json.loads(posts[0]["body"])["body"] if len(posts) == 1 else ""
    checks.expect(len(posts) == 1 and body.startswith("<!-- failure-digest:CI -->")
                  and all(e in body for e in EVIDENCE[1:]),
                  f"one comment posted to PR #{PR}, with the marker and the failed jobs",
                  json.dumps(posts)[:3000])

    unexpected = [f"{r['host']} {r['method']} {r['path']}" for r in requests if r.get("unexpected")]
    checks.expect(not unexpected, "no request the fake does not serve", "\n".join(unexpected))
    api = [r for r in requests if r["host"] == "api"]
    blob = [r for r in requests if r["host"] == "blob"]
    checks.expect(len(blob) == 2, "both failed jobs' logs came from the blob host",
                  json.dumps(requests, indent=1)[:3000])
    checks.expect(api and all(r["authorization"] in (f"token {TOKEN}", f"Bearer {TOKEN}")
                              for r in api),
                  "every API request carries the github-token input",
                  [r["authorization"] for r in api])
    leaked = [r for r in blob if r["authorization"] is not None or TOKEN in json.dumps(r)]
    checks.expect(not leaked, f"the token never reaches the blob host (port {blob_port})", leaked)
    checks.expect(all("fake-runtime-token" not in json.dumps(r) for r in requests),
                  "ACTIONS_RUNTIME_TOKEN is sent nowhere")
    checks.expect(TOKEN not in run.stdout + run.stderr, "the token is not printed")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--image", required=True)
    parser.add_argument("--engine", default="docker", help="the engine command, e.g. 'podman …'")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    root = args.root.resolve()
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="fd-container-") as tmp:
        workdir = Path(tmp)
        fake, record, api_port, blob_port = start_fake(root, workdir)
        try:
            github, runner = contexts(api_port)
            event = (root / "tests" / "data" / "events" / "pull_request.opened.json").read_text()
            run = run_action(shlex.split(args.engine), args.image, root / "action.yml",
                             workdir / "runner", github, runner, {}, TOKEN, event)
        finally:
            fake.terminate()
            fake.wait(timeout=10)
        print("container: " + shlex.join(run.command))
        requests = [json.loads(line) for line in record.read_text().splitlines()] \
            if record.exists() else []
        check(run, requests, blob_port, checks)
    if checks.failed:
        print(f"container: {len(checks.failed)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
