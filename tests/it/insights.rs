//! Insights against a mock GitHub: a retried job on attempt 2, a base-branch run sharing one
//! failure, and a 6-leg matrix where 5 legs fail with one error and 1 with another.

use std::collections::HashMap;

use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

pub const WORKFLOW_ID: u64 = 161335;
pub const BASE_RUN_ID: u64 = 555;

/// A job of attempt `attempt`.
fn job_of(attempt: u32, id: u64, name: &str, conclusion: &str) -> Value {
    let failed = (conclusion == "failure").then_some(4);
    let mut job = job(id, name, conclusion, failed);
    job["run_attempt"] = json!(attempt);
    job
}

fn runs_route(suffix: &str) -> String {
    format!("/repos/{OWNER_REPO}/actions/runs{suffix}")
}

/// Empty logs and no annotations: the insights, not the excerpts, are under test (and an empty
/// excerpt is never grouped).
async fn mount_no_logs(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path_regex(r"/logs$"))
        .respond_with(ResponseTemplate::new(200).set_body_string(""))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"/annotations$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(server)
        .await;
}

async fn mount_jobs(server: &MockServer, attempt: u32, jobs: Vec<Value>) {
    Mock::given(method("GET"))
        .and(path(jobs_route(attempt)))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(jobs)))
        .expect(1)
        .mount(server)
        .await;
}

fn summary(dir: &tempfile::TempDir) -> String {
    std::fs::read_to_string(dir.path().join("summary.md")).unwrap()
}

// --- flaky or real? -------------------------------------------------------------------------

async fn attempt_two(server: &MockServer, every_attempt_calls: u64) {
    fail_on_unexpected(server).await;
    mount_no_logs(server).await;
    let now = vec![
        job_of(2, 21, "build", "success"),
        job_of(2, 22, "test", "failure"),
        job_of(2, 23, "lint", "success"),
    ];
    let mut every = vec![
        job_of(1, 11, "build", "failure"),
        job_of(1, 12, "test", "failure"),
        job_of(1, 13, "lint", "success"),
    ];
    every.extend(now.clone());
    mount_jobs(server, 2, now).await;
    Mock::given(method("GET"))
        .and(path(runs_route(&format!("/{RUN_ID}/jobs"))))
        .and(query_param("filter", "all"))
        .and(query_param("per_page", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(every)))
        .expect(every_attempt_calls)
        .mount(server)
        .await;
}

fn env_attempt_two(server: &MockServer, dir: &tempfile::TempDir) -> HashMap<String, String> {
    let mut env = actions_env(server, dir.path());
    env.insert("GITHUB_RUN_ATTEMPT".into(), "2".into());
    env
}

#[tokio::test]
async fn attempt_two_marks_the_retried_job_flaky_and_the_steady_failure() {
    let server = MockServer::start().await;
    attempt_two(&server, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&env_attempt_two(&server, &dir)).await;
    let digest = outcome.unwrap().digest;

    let flaky: Vec<&str> = digest
        .insights
        .flaky_jobs
        .iter()
        .map(|j| j.name.as_str())
        .collect();
    assert_eq!(flaky, ["build"]);
    let test = &digest.failed_jobs[0];
    let retry = test.marks.retry.as_ref().unwrap();
    assert_eq!((retry.attempts, retry.failed_attempts), (2, 2));
    assert!(digest.jobs[2].marks.retry.is_none(), "lint passed twice");
    // A push has no base branch: not looked up, and no note about it on every push run.
    assert!(
        digest.insights.notes.is_empty(),
        "{:?}",
        digest.insights.notes
    );

    let summary = summary(&dir);
    assert!(
        summary.contains("🔁 Passed on retry (flaky?): [build]("),
        "{summary}"
    );
    assert!(summary.contains("failed in all 2 attempts"), "{summary}");
}

#[tokio::test]
async fn detect_flaky_false_makes_no_extra_call() {
    let server = MockServer::start().await;
    attempt_two(&server, 0).await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = env_attempt_two(&server, &dir);
    env.insert("INPUT_DETECT-FLAKY".into(), "false".into());
    let (outcome, _) = run_with_env(&env).await;
    let digest = outcome.unwrap().digest;
    assert!(digest.insights.flaky_jobs.is_empty());
    assert!(digest.jobs.iter().all(|j| j.marks.retry.is_none()));
    assert!(!summary(&dir).contains("flaky"));
}

// --- new or already broken? ----------------------------------------------------------------

/// A `pull_request` event into `main`, with the run's jobs: `lint` and `test` failed.
async fn pull_request_run(server: &MockServer, dir: &tempfile::TempDir) -> HashMap<String, String> {
    fail_on_unexpected(server).await;
    mount_no_logs(server).await;
    mount_jobs(
        server,
        1,
        vec![
            job_of(1, 1, "lint", "failure"),
            job_of(1, 2, "test (linux)", "failure"),
            job_of(1, 3, "docs", "success"),
        ],
    )
    .await;
    mount_pull_request_run(server).await;
    pull_request_env(server, dir.path())
}

/// The reported run as `GET …/runs/{id}` answers it, read once: a `pull_request` run of
/// [`WORKFLOW_ID`] on `feature`, whose PR the payload does not list.
pub async fn mount_pull_request_run(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(runs_route(&format!("/{RUN_ID}"))))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": RUN_ID, "workflow_id": WORKFLOW_ID, "event": "pull_request",
            "head_branch": "feature", "pull_requests": []
        })))
        .expect(1)
        .mount(server)
        .await;
}

pub async fn mount_base_runs(server: &MockServer, runs: Value) {
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{OWNER_REPO}/actions/workflows/{WORKFLOW_ID}/runs"
        )))
        .and(query_param("branch", "main"))
        .and(query_param("event", "push"))
        .and(query_param("status", "completed"))
        .and(query_param("per_page", "10"))
        .respond_with(ResponseTemplate::new(200).set_body_json(runs))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_failure_shared_with_the_base_branch_is_not_new() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env = pull_request_run(&server, &dir).await;
    mount_base_runs(
        &server,
        json!({"total_count": 1, "workflow_runs": [{
            "id": BASE_RUN_ID, "workflow_id": WORKFLOW_ID, "head_branch": "main",
            "conclusion": "failure", "head_sha": "0123456789abcdef",
            "html_url": format!("https://github.com/{OWNER_REPO}/actions/runs/{BASE_RUN_ID}")
        }]}),
    )
    .await;
    mount_latest_jobs(
        &server,
        BASE_RUN_ID,
        vec![
            job_of(1, 101, "lint", "failure"),
            job_of(1, 102, "test (linux)", "success"),
            job_of(1, 103, "docs", "success"),
        ],
    )
    .await;

    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert!(outcome.degraded.is_empty(), "{:?}", outcome.degraded);
    let digest = outcome.digest;
    let base = digest.insights.base.as_ref().unwrap();
    assert_eq!((base.branch.as_str(), base.id), ("main", BASE_RUN_ID));
    assert_eq!((base.also_failing, base.new), (1, 1));
    let labels: Vec<&str> = digest
        .failed_jobs
        .iter()
        .map(|j| j.marks.on_base.as_ref().unwrap().label.as_str())
        .collect();
    assert_eq!(labels, ["also failing on main", "new in this PR"]);

    let summary = summary(&dir);
    assert!(summary.contains("also failing on main"), "{summary}");
    // The job main passes is the verdict's: caused by this PR (issue 25).
    assert!(summary.contains("caused by this PR"), "{summary}");
    assert!(
        summary.contains("1 failed job also failing there, 1 not failing there"),
        "{summary}"
    );
}

#[tokio::test]
async fn no_base_run_is_a_note_and_a_failed_lookup_is_degraded() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env = pull_request_run(&server, &dir).await;
    mount_base_runs(&server, json!({"total_count": 0, "workflow_runs": []})).await;
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert!(outcome.degraded.is_empty(), "{:?}", outcome.degraded);
    assert!(outcome.digest.insights.base.is_none());
    assert_eq!(
        outcome.digest.insights.notes,
        ["Not compared with main: this workflow has no completed run there yet."]
    );
    assert!(summary(&dir).contains("this workflow has no completed run there yet"));

    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env = pull_request_run(&server, &dir).await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{OWNER_REPO}/actions/workflows/{WORKFLOW_ID}/runs"
        )))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "Resource not accessible by integration"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.degraded.len(), 1, "{:?}", outcome.degraded);
    assert!(
        outcome.degraded[0].contains("actions: read"),
        "{:?}",
        outcome.degraded
    );
    assert_eq!(outcome.digest.totals.failed, 2);
}

// --- same error, many legs -----------------------------------------------------------------

fn panic_log(root: &str, sep: &str, millis: u32) -> String {
    failed_step_log(&[
        "running 12 tests",
        &format!("thread 'parser::it_works' panicked at {root}{sep}src{sep}parser.rs:42:9:"),
        &format!("assertion failed: token 0x7ffd{millis:04x}beef is not closed"),
        &format!("test result: FAILED. 11 passed; 1 failed; finished in 0.{millis}s"),
    ])
}

fn linker_log() -> String {
    failed_step_log(&["error: linker `cc` not found"])
}

#[tokio::test]
async fn one_error_in_five_legs_is_shown_once_and_the_sixth_on_its_own() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let legs = [
        (31, "linux", panic_log("/home/runner/work/app/app", "/", 52)),
        (
            32,
            "macos",
            panic_log("/Users/runner/work/app/app", "/", 817),
        ),
        (33, "freebsd", linker_log()),
        (34, "windows", panic_log(r"D:\a\app\app", r"\", 1203)),
        (35, "arm64", panic_log("/home/runner/work/app/app", "/", 77)),
        (36, "musl", panic_log("/__w/app/app", "/", 340)),
    ];
    let jobs = legs
        .iter()
        .map(|(id, os, _)| job_of(1, *id, &format!("test ({os})"), "failure"))
        .collect();
    mount_jobs(&server, 1, jobs).await;
    for (id, _, log) in &legs {
        Mock::given(method("GET"))
            .and(path(format!("/repos/{OWNER_REPO}/actions/jobs/{id}/logs")))
            .respond_with(ResponseTemplate::new(200).set_body_string(log.clone()))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!(
                "/repos/{OWNER_REPO}/check-runs/{id}/annotations"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&server)
            .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    let digest = outcome.unwrap().digest;

    let groups = &digest.insights.error_groups;
    assert_eq!(groups.len(), 1, "{groups:#?}");
    assert_eq!(groups[0].count, 5);
    assert_eq!(groups[0].legs_text, "linux, macos, windows, arm64, musl");
    assert!(digest.failed_jobs[2].marks.group.is_none(), "freebsd alone");
    assert!(digest.failed_jobs[0].marks.group.as_ref().unwrap().first);

    let summary = summary(&dir);
    if std::env::var_os("SHOW_SUMMARY").is_some() {
        eprintln!("{summary}");
    }
    assert!(
        summary.contains("### ❌ test (linux) — ×5: linux, macos, windows, arm64, musl"),
        "{summary}"
    );
    assert_eq!(
        summary.matches("parser::it_works' panicked").count(),
        1,
        "{summary}"
    );
    assert_eq!(summary.matches("the same error as").count(), 4, "{summary}");
    assert_eq!(
        summary.matches("linker `cc` not found").count(),
        1,
        "{summary}"
    );
}

#[tokio::test]
async fn group_errors_false_shows_every_leg() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    // The same log for both legs: grouped, were grouping on.
    Mock::given(method("GET"))
        .and(path_regex(r"/logs$"))
        .respond_with(ResponseTemplate::new(200).set_body_string(linker_log()))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"/annotations$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    mount_jobs(
        &server,
        1,
        vec![
            job_of(1, 1, "test (a)", "failure"),
            job_of(1, 2, "test (b)", "failure"),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env(&server, dir.path());
    env.insert("INPUT_GROUP-ERRORS".into(), "false".into());
    env.insert("INPUT_COMPARE-BASE".into(), "false".into());
    let (outcome, _) = run_with_env(&env).await;
    let digest = outcome.unwrap().digest;
    assert!(digest.insights.error_groups.is_empty());
    assert!(digest.failed_jobs.iter().all(|j| j.marks.group.is_none()));
    assert_eq!(summary(&dir).matches("linker `cc` not found").count(), 2);
    assert!(
        digest.insights.notes.is_empty(),
        "compare-base off: no note"
    );
}
