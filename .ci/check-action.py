#!/usr/bin/env python3
"""Runs the image as GitHub's runner runs the README's quick start (`uses:` with no `with:`, in a
`report` job of a `pull_request` run) against the fake GitHub of .ci/fake-github.py, and checks
what a user would see: the step summary, the step's outputs, the PR comment, and that the token
went to the API host only. Then once more over https://, to see the binary's TLS client work.

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
# Where rustls-native-certs looks first on Linux, and the image keeps its bundle.
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
# What a digest of the replay names: its headline and the three failed jobs (clippy, two test
# legs).
EVIDENCE = ["3 of 5 jobs failed", "clippy", "test (ubuntu-latest, stable)",
            "test (macos-latest, stable)"]


class Checks:
    def __init__(self):
        self.failed = []

    def expect(self, ok, what, detail=""):
        print(f"container: {'ok' if ok else 'FAILED'}: {what}")
        if not ok:
            self.failed.append(what)
            if detail:
                print("    " + str(detail).replace("\n", "\n    ")[:4000])


class FakeGitHub:
    """.ci/fake-github.py in the background, for one scenario (its own record of requests)."""

    def __init__(self, root, workdir, tls=None):
        workdir.mkdir(parents=True, exist_ok=True)
        self.record = workdir / "requests.jsonl"
        ports = workdir / "ports"
        command = [sys.executable, str(root / ".ci" / "fake-github.py"), "--root", str(root),
                   "--repo", REPO, "--pr", str(PR), "--run-id", RUN_ID,
                   "--record", str(self.record), "--ports", str(ports)]
        self.process = subprocess.Popen(command + (["--tls", *map(str, tls)] if tls else []))
        for _ in range(100):
            if ports.exists():
                self.ports = [int(port) for port in ports.read_text().split()]
                return
            if self.process.poll() is not None:
                raise SystemExit("container: the fake GitHub did not start")
            time.sleep(0.1)
        self.process.kill()
        raise SystemExit("container: the fake GitHub did not start within 10 s")

    def __enter__(self):
        return self

    def __exit__(self, *_):
        self.process.terminate()
        self.process.wait(timeout=10)

    def requests(self):
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines()]


def contexts(api):
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
    checks.expect(outputs.get("failed-jobs") == "3", "output failed-jobs is 3", outputs)
    # The fake has no base-branch run: the macOS leg's failed download is infrastructure, the
    # others cannot be compared.
    checks.expect(outputs.get("diagnosis") == "mixed" and outputs.get("rerun-suggested") == "false",
                  "outputs diagnosis is mixed and rerun-suggested false", outputs)
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
    checks.expect(len(blob) == 3, "the failed jobs' logs came from the blob host",
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


def tls_material(directory):
    """A throwaway CA and a certificate it signs for 127.0.0.1 (openssl CLI): (ca, cert, key)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = directory / "ca.pem", directory / "ca.key"
    cert, key, extensions = directory / "server.pem", directory / "server.key", directory / "ext"
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    quiet = {"check": True, "capture_output": True}
    subprocess.run(["openssl", "req", "-x509", *ec, "-keyout", ca_key, "-out", ca, "-days", "1",
                    "-subj", "/CN=failure-digest CI throwaway CA",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign"], **quiet)
    extensions.write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                          "extendedKeyUsage=serverAuth\n")
    csr = subprocess.run(["openssl", "req", "-new", *ec, "-keyout", key, "-subj", "/CN=127.0.0.1"],
                         **quiet).stdout
    subprocess.run(["openssl", "x509", "-req", "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
                    "-days", "1", "-extfile", extensions, "-out", cert], input=csr, **quiet)
    return ca, cert, key


def image_bundle(engine, image, destination):
    """Copies the image's CA bundle out (fails when it has none)."""
    container = subprocess.run(engine + ["create", image], check=True, capture_output=True,
                               text=True).stdout.strip()
    try:
        subprocess.run(engine + ["cp", f"{container}:{CA_BUNDLE}", str(destination)], check=True,
                       capture_output=True)
    finally:
        subprocess.run(engine + ["rm", container], check=True, capture_output=True)


def pull_request_run(engine, image, root, workdir, checks):
    """The README's quick start on a pull_request run, over plain HTTP (as a GHES test might)."""
    with FakeGitHub(root, workdir / "pr") as fake:
        github, runner = contexts(f"http://127.0.0.1:{fake.ports[0]}")
        run = run_action(engine, image, root / "action.yml", workdir / "pr" / "runner", github,
                         runner, {}, TOKEN, event(root))
    print("container: " + shlex.join(run.command))
    check(run, fake.requests(), fake.ports[1], checks)


def tls_run(engine, image, root, workdir, checks):
    """The same step against an https:// API whose certificate a throwaway CA signed: the image's
    CA bundle with that CA appended is mounted where the image keeps its bundle. So the static
    binary's TLS client (rustls, ring) completes a handshake, with roots read from that path.
    GitHub's real roots cannot be tried offline: that part rests on the bundle's own checks."""
    ca, cert, key = tls_material(workdir / "tls")
    bundle = workdir / "tls" / "bundle.pem"
    try:
        image_bundle(engine, image, bundle)
    except subprocess.CalledProcessError:
        checks.expect(False, f"over https://: the image has a CA bundle at {CA_BUNDLE} to extend")
        return
    bundle.write_text(bundle.read_text().rstrip("\n") + "\n" + ca.read_text())
    with FakeGitHub(root, workdir / "tls", tls=(cert, key)) as fake:
        github, runner = contexts(f"https://127.0.0.1:{fake.ports[2]}")
        run = run_action(engine, image, root / "action.yml", workdir / "tls" / "runner", github,
                         runner, {}, TOKEN, event(root), read_only_mounts=[(bundle, CA_BUNDLE)])
    listed = [r for r in fake.requests() if r["host"] == "api-tls"
              and r["path"].startswith(f"/repos/{REPO}/actions/runs/{RUN_ID}/attempts/1/jobs")]
    checks.expect(bool(listed), "over https://, the image's TLS client lists the jobs",
                  f"exit {run.returncode}\n{run.stderr}")
    checks.expect(run.returncode == 0, "over https://, the step exits 0", run.stderr)


def event(root):
    return (root / "tests" / "data" / "events" / "pull_request.opened.json").read_text()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--image", required=True)
    parser.add_argument("--engine", default="docker", help="the engine command, e.g. 'podman …'")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    root = args.root.resolve()
    checks = Checks()
    engine = shlex.split(args.engine)
    with tempfile.TemporaryDirectory(prefix="fd-container-") as tmp:
        pull_request_run(engine, args.image, root, Path(tmp), checks)
        tls_run(engine, args.image, root, Path(tmp), checks)
    if checks.failed:
        print(f"container: {len(checks.failed)} check(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
