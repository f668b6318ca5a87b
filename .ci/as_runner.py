"""Runs a Docker container action the way GitHub's runner does, with podman or docker.

Mirrors actions/runner's ContainerActionHandler and DockerCommandManager.DockerRun:

- every input of action.yml becomes INPUT_<NAME> (upper-cased, spaces to `_`, hyphens kept), its
  default applied when the workflow gives none (`${{ github.token }}` is the only expression a
  default may hold here: anything else fails, rather than be passed on unevaluated);
- the environment is the github context's allow-listed keys as GITHUB_*, the runner context as
  RUNNER_*, HOME, ACTIONS_RUNTIME_URL / ACTIONS_RUNTIME_TOKEN / ACTIONS_CACHE_URL, then
  GITHUB_ACTIONS=true and CI=true: passed as `-e NAME` (the value from the client's environment,
  as the runner does), host paths translated to the container's;
- `--workdir /github/workspace`, and the mounts /var/run/docker.sock, /github/home,
  /github/workflow (event.json), /github/file_commands (the GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
  GITHUB_ENV, GITHUB_PATH and GITHUB_STATE files, created empty beforehand) and
  /github/workspace;
- `runs.entrypoint` as `--entrypoint`, `runs.args` after the image, `runs.env` added.

One difference, on purpose: `--network host` (the fake API listens on loopback) where the runner
passes the job's own bridge network. The host's docker socket is not mounted: an empty file
stands in for it, so the mount itself is still made.
"""

import os
import re
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import yaml

# actions/runner src/Runner.Worker/GitHubContext.cs, _contextEnvAllowlist.
GITHUB_CONTEXT_ENV = {
    "action", "action_path", "action_ref", "action_repository", "actor", "actor_id", "api_url",
    "base_ref", "env", "event_name", "event_path", "graphql_url", "head_ref", "job", "output",
    "path", "ref", "ref_name", "ref_protected", "ref_type", "repository", "repository_id",
    "repository_owner", "repository_owner_id", "retention_days", "run_attempt", "run_id",
    "run_number", "server_url", "sha", "state", "step_summary", "triggering_actor", "workflow",
    "workflow_ref", "workflow_sha", "workspace",
}


@dataclass
class Run:
    """What a step run left behind: its exit code, its output, and the file-command files."""

    returncode: int
    stdout: str
    stderr: str
    command: list
    output_file: Path
    summary_file: Path
    workspace: Path


def action_inputs(action, given, token):
    """The INPUT_* variables: each declared input, given or defaulted."""
    env = {}
    for name, spec in (action.get("inputs") or {}).items():
        value = given.get(name)
        if value is None:
            value = str((spec or {}).get("default", ""))
            if value.strip() == "${{ github.token }}":
                value = token
            elif "${{" in value:
                raise SystemExit(f"as_runner: input `{name}`: cannot evaluate {value!r}")
        env["INPUT_" + name.replace(" ", "_").upper()] = value
    unknown = set(given) - set(action.get("inputs") or {})
    if unknown:
        raise SystemExit(f"as_runner: inputs not declared in action.yml: {sorted(unknown)}")
    return env


def run_action(engine, image, action_yml, root, github, runner, inputs, token, event,
               read_only_mounts=()):
    """Runs `image` as the step `uses:` of `action_yml` would, under the runner's layout in `root`.

    `github` and `runner` are the contexts (keys as in workflow expressions); paths in them
    that the runner sets (workspace, event, file commands) are filled in here.
    `read_only_mounts`: (host path, container path) pairs the runner would not add (a check's).
    """
    action = yaml.safe_load(Path(action_yml).read_text())
    runs = action["runs"]
    if runs.get("using") != "docker":
        raise SystemExit(f"as_runner: {action_yml} is not a Docker action")

    temp = root / "_temp"
    home = temp / "_github_home"
    workflow = temp / "_github_workflow"
    file_commands = temp / "_runner_file_commands"
    workspace = root / "work" / "repo"
    for directory in (home, workflow, file_commands, workspace):
        directory.mkdir(parents=True, exist_ok=True)
    (workflow / "event.json").write_text(event)
    files = {key: file_commands / f"{prefix}_{uuid.uuid4()}" for key, prefix in (
        ("output", "set_output"), ("step_summary", "step_summary"), ("env", "set_env"),
        ("path", "add_path"), ("state", "save_state"))}
    for file in files.values():
        file.touch()
    docker_sock = temp / "docker.sock"
    docker_sock.touch()

    mounts = [(docker_sock, "/var/run/docker.sock"), (home, "/github/home"),
              (workflow, "/github/workflow"), (file_commands, "/github/file_commands"),
              (workspace, "/github/workspace")]

    def translate(value):
        for host, container in mounts[1:]:
            host = str(host)
            if value == host or value.startswith(host + "/"):
                return container + value[len(host):]
        return value

    github = dict(github, workspace=str(workspace), event_path=str(workflow / "event.json"),
                  **{key: str(file) for key, file in files.items()})
    env = action_inputs(action, inputs, token)
    env.update({f"GITHUB_{k.upper()}": v for k, v in github.items() if k in GITHUB_CONTEXT_ENV})
    env.update({f"RUNNER_{k.upper()}": v for k, v in runner.items()})
    env["HOME"] = str(home)
    env["ACTIONS_RUNTIME_URL"] = "http://127.0.0.1:9/runtime/"
    env["ACTIONS_RUNTIME_TOKEN"] = "fake-runtime-token-not-for-the-api"
    env["ACTIONS_CACHE_URL"] = "http://127.0.0.1:9/cache/"
    for name, value in (runs.get("env") or {}).items():
        env.setdefault(name, str(value))
    env = {name: translate(value) for name, value in env.items()}

    command = list(engine) + ["run", "--name", f"failure_digest_{uuid.uuid4().hex[:6]}",
                              "--label", "ci-container", "--workdir", "/github/workspace", "--rm"]
    for name in env:
        command += ["-e", name]
    command += ["-e", "GITHUB_ACTIONS=true"]
    if "CI" not in env:
        command += ["-e", "CI=true"]
    if runs.get("entrypoint"):
        command += ["--entrypoint", runs["entrypoint"]]
    command += ["--network", "host"]
    for host, container in mounts:
        command += ["-v", f"{host}:{container}"]
    for host, container in read_only_mounts:
        command += ["-v", f"{host}:{container}:ro"]
    command.append(image)
    args = [str(arg) for arg in runs.get("args") or []]
    if any("${{" in arg for arg in args):
        raise SystemExit(f"as_runner: cannot evaluate the expressions of runs.args: {args}")
    command += args

    # The runner runs `docker` with its own environment plus the container's variables, which
    # `-e NAME` then picks up.
    client_env = {**os.environ, **env}
    done = subprocess.run(command, env=client_env, capture_output=True, text=True, timeout=300)
    return Run(done.returncode, done.stdout, done.stderr, command, files["output"],
               files["step_summary"], workspace)


def parse_outputs(text):
    """$GITHUB_OUTPUT's `name=value` and `name<<DELIM` … `DELIM` entries, as the runner reads."""
    outputs = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        heredoc = re.fullmatch(r"([^=<]+)<<(.+)", line)
        if heredoc:
            name, delimiter = heredoc.groups()
            value = []
            while i < len(lines) and lines[i] != delimiter:
                value.append(lines[i])
                i += 1
            if i == len(lines):
                raise ValueError(f"output {name}: no closing delimiter {delimiter!r}")
            i += 1
            outputs[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        else:
            raise ValueError(f"not an output line: {line!r}")
    return outputs
