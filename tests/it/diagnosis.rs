//! Issue 25 end to end: a verdict per failed job (`caused_here`, `already_failing`, `flaky`,
//! `infrastructure`, `unknown`) with its evidence and next action, the pull request's change
//! marked on the excerpts, and the `diagnosis` and `rerun-suggested` outputs — each through the
//! library's entry point against a mock GitHub answering in the API's own shapes.
//!
//! - [`verdicts`]: each kind from the evidence that decides it (main's latest run, another
//!   attempt, a cancelled job), the outputs, and how the summary shows a verdict;
//! - [`infrastructure`]: each cause outside the code, as the runner or the tool prints it, and
//!   the same words in a test's own output, which are not one;
//! - [`change`]: the PR's changed files (paginated, per runner OS workspace, hunks, renames),
//!   and what happens when they cannot be read or there is no PR.

mod change;
mod infrastructure;
mod verdicts;

use std::collections::HashMap;

use failure_digest::diagnose::{ActionKind, Diagnosis, DiagnosisKind};
use failure_digest::digest::{Digest, FailedJob};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::insights::{mount_base_runs, mount_pull_request_run, BASE_RUN_ID, WORKFLOW_ID};
use crate::support::*;

type Env = HashMap<String, String>;

/// The step `job(.., Some(4))` fails at, as verdicts name it.
const FAILING_STEP: &str = "Run actions/cache@v3";

/// The re-run command a `flaky` or `infrastructure` verdict gives for the reported run.
fn rerun_command() -> String {
    format!("gh run rerun {RUN_ID} --failed --repo {OWNER_REPO}")
}

/// [`failed_step_log`] ending with the runner's exit line for `code` (137 means SIGKILL).
fn step_log(lines: &[&str], code: u32) -> String {
    failed_step_log(lines).replace("exit code 101.", &format!("exit code {code}."))
}

/// `name` failing at step 4 of the OpenAPI job.
fn failing(id: u64, name: &str) -> Value {
    job(id, name, "failure", Some(4))
}

/// A push run of `jobs`, each `(id, log)` downloaded once: no PR, so neither main's run nor the
/// changed files are asked for.
async fn push_run(
    server: &MockServer,
    dir: &tempfile::TempDir,
    jobs: Vec<Value>,
    logs: &[(u64, &str)],
) -> Env {
    fail_on_unexpected(server).await;
    mount_jobs_and_logs(server, jobs, logs).await;
    actions_env(server, dir.path())
}

/// PR #7's run of `jobs`, each `(id, log)` downloaded once. `compare-base` is off, so the run
/// itself is not read: the change is under test ([`with_main`] turns the comparison on).
async fn pr_run(
    server: &MockServer,
    dir: &tempfile::TempDir,
    jobs: Vec<Value>,
    logs: &[(u64, &str)],
) -> Env {
    fail_on_unexpected(server).await;
    mount_jobs_and_logs(server, jobs, logs).await;
    let mut env = pull_request_env(server, dir.path());
    env.insert("INPUT_COMPARE-BASE".into(), "false".into());
    env
}

/// Compares `env`'s PR run with main: the run is read once for its workflow, main's latest
/// completed push run is #812 ([`BASE_RUN_ID`]) and `main_jobs` are its jobs (`None`: main
/// has no completed run of the workflow yet).
async fn with_main(server: &MockServer, env: &mut Env, main_jobs: Option<Vec<Value>>) {
    env.remove("INPUT_COMPARE-BASE");
    mount_pull_request_run(server).await;
    let Some(jobs) = main_jobs else {
        mount_base_runs(server, json!({"total_count": 0, "workflow_runs": []})).await;
        return;
    };
    mount_base_runs(
        server,
        json!({"total_count": 1, "workflow_runs": [{
            "id": BASE_RUN_ID, "run_number": 812, "workflow_id": WORKFLOW_ID,
            "head_branch": "main", "event": "push", "conclusion": "failure",
            "head_sha": "0123456789abcdef0123456789abcdef01234567",
            "html_url": format!("https://github.com/{OWNER_REPO}/actions/runs/{BASE_RUN_ID}")
        }]}),
    )
    .await;
    mount_latest_jobs(server, BASE_RUN_ID, jobs).await;
}

/// A job of main's run #812.
fn main_job(id: u64, name: &str, conclusion: &str, failed_step: Option<u64>) -> Value {
    let mut job = job(id, name, conclusion, failed_step);
    job["run_id"] = json!(BASE_RUN_ID);
    job["html_url"] = json!(format!(
        "https://github.com/{OWNER_REPO}/actions/runs/{BASE_RUN_ID}/job/{id}"
    ));
    job
}

/// A changed file as `GET /pulls/{n}/files` lists it: the OpenAPI example's entry with another
/// name, status and patch (`None`: GitHub gives none, for a binary or huge diff).
fn changed_file(
    filename: &str,
    status: &str,
    patch: Option<&str>,
    previous: Option<&str>,
) -> Value {
    static EXAMPLE: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
        let examples = &fixture("github-openapi-subset.json")["components"]["examples"];
        examples["diff-entry-items"]["value"][0].clone()
    });
    let mut entry = EXAMPLE.clone();
    entry["filename"] = json!(filename);
    entry["status"] = json!(status);
    match patch {
        Some(patch) => entry["patch"] = json!(patch),
        None => {
            entry.as_object_mut().unwrap().remove("patch");
        }
    }
    if let Some(previous) = previous {
        entry["previous_filename"] = json!(previous);
    }
    entry
}

/// PR #7's changed files, one page, read once.
async fn mount_changed_files(server: &MockServer, files: Vec<Value>) {
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/pulls/7/files")))
        .and(query_param("per_page", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(files))
        .expect(1)
        .mount(server)
        .await;
}

/// Runs the program on `env`; the run must succeed.
async fn digest_of(env: &Env) -> (Digest, Vec<String>) {
    let (outcome, _) = run_with_env(env).await;
    let outcome = outcome.unwrap();
    (outcome.digest, outcome.degraded)
}

fn failed<'a>(digest: &'a Digest, name: &str) -> &'a FailedJob {
    digest
        .failed_jobs
        .iter()
        .find(|j| j.name == name)
        .unwrap_or_else(|| panic!("no failed job {name}"))
}

fn diagnosis<'a>(digest: &'a Digest, name: &str) -> &'a Diagnosis {
    let job = failed(digest, name);
    job.diagnosis
        .as_ref()
        .unwrap_or_else(|| panic!("{name} has no diagnosis"))
}

/// The excerpt lines of `name` marked as in the change.
fn marked<'a>(digest: &'a Digest, name: &str) -> Vec<&'a str> {
    let job = failed(digest, name);
    job.excerpt
        .iter()
        .filter(|l| l.in_change)
        .map(|l| l.text.as_str())
        .collect()
}

/// Step output `name`, as the runner reads `$GITHUB_OUTPUT`.
fn output(dir: &tempfile::TempDir, name: &str) -> String {
    let outputs = std::fs::read_to_string(dir.path().join("output.txt")).unwrap();
    let prefix = format!("{name}=");
    outputs
        .lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no output {name}: {outputs}"))
        .to_owned()
}

/// The `json` output's `failed_jobs[0].diagnosis`: its kind and next action's kind, as
/// later steps read them.
fn wire_verdict(dir: &tempfile::TempDir) -> (String, String) {
    let digest: Value = serde_json::from_str(&output(dir, "json")).unwrap();
    let verdict = &digest["failed_jobs"][0]["diagnosis"];
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    (
        text(&verdict["kind"]),
        text(&verdict["next_action"]["kind"]),
    )
}

fn summary(dir: &tempfile::TempDir) -> String {
    std::fs::read_to_string(dir.path().join("summary.md")).unwrap()
}

/// Asserts a re-run verdict: kind `rerun` with the command for the reported run.
fn assert_rerun(verdict: &Diagnosis) {
    assert_eq!(verdict.next_action.kind, ActionKind::Rerun, "{verdict:?}");
    assert_eq!(
        verdict.next_action.command,
        Some(rerun_command()),
        "{verdict:?}"
    );
}

/// Asserts a verdict that is not a re-run: no command.
fn assert_no_rerun(verdict: &Diagnosis) {
    assert_ne!(verdict.next_action.kind, ActionKind::Rerun, "{verdict:?}");
    assert_eq!(verdict.next_action.command, None, "{verdict:?}");
    assert!(!verdict.kind.rerun_helps(), "{verdict:?}");
}

fn kind(digest: &Digest, name: &str) -> DiagnosisKind {
    diagnosis(digest, name).kind
}

/// Attempt 2 of a push run: `now` are its jobs, `earlier` attempt 1's (both listed by
/// `filter=all`, once); each `(id, log)` downloaded once.
async fn attempt_two(
    server: &MockServer,
    dir: &tempfile::TempDir,
    now: Vec<Value>,
    earlier: Vec<Value>,
    logs: &[(u64, &str)],
) -> Env {
    fail_on_unexpected(server).await;
    let in_attempt = |attempt: u32, jobs: Vec<Value>| -> Vec<Value> {
        jobs.into_iter()
            .map(|mut job| {
                job["run_attempt"] = json!(attempt);
                job
            })
            .collect()
    };
    let now = in_attempt(2, now);
    let mut every = in_attempt(1, earlier);
    every.extend(now.clone());
    Mock::given(method("GET"))
        .and(path(jobs_route(2)))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(now)))
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{OWNER_REPO}/actions/runs/{RUN_ID}/jobs"
        )))
        .and(query_param("filter", "all"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(every)))
        .expect(1)
        .mount(server)
        .await;
    for (id, log) in logs {
        mount_log(server, *id, log).await;
    }
    let mut env = actions_env(server, dir.path());
    env.insert("GITHUB_RUN_ATTEMPT".into(), "2".into());
    env
}
