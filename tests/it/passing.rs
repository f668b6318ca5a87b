//! The passing log of each failed job, found through the API: the same job passed on the base
//! branch's latest push run, else on the branch's latest passing run; one extra download per
//! failed job at most, none when the input is off or nothing failed.

use std::collections::HashMap;

use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::insights::{mount_base_runs, BASE_RUN_ID, WORKFLOW_ID};
use crate::support::*;

const BRANCH_RUN_ID: u64 = 777;

/// What every run of these jobs prints (a passing test logs an exception on purpose).
const ALWAYS: &str = "java.lang.IllegalStateException: pool closed on purpose";

fn failed_log(new_error: &str) -> String {
    failed_step_log(&[ALWAYS, new_error])
}

/// The passing job's log: `ALWAYS` in the step that failed in the other run, as its step
/// times place it (the fixture's steps; step 4 ran 17:42:45–17:42:48).
fn passing_log() -> String {
    format!(
        "2020-01-20T17:42:41.0000000Z ##[group]Run actions/checkout@v2\n\
         2020-01-20T17:42:42.0000000Z {CHECKOUT_NOTE}\n\
         2020-01-20T17:42:45.1000000Z ##[group]Run actions/cache@v3\n\
         2020-01-20T17:42:46.0000000Z {ALWAYS}\n\
         2020-01-20T17:42:47.0000000Z BUILD SUCCESS\n"
    )
}

/// What the passing job printed in another step than the one that failed in the other run.
const CHECKOUT_NOTE: &str = "error: unused import `std::fmt`";

fn job_in(run: u64, id: u64, name: &str, conclusion: &str) -> Value {
    let mut job = job(id, name, conclusion, (conclusion == "failure").then_some(4));
    job["run_id"] = json!(run);
    job["html_url"] = json!(format!(
        "https://github.com/{OWNER_REPO}/actions/runs/{run}/job/{id}"
    ));
    job
}

/// A PR run where `lint` and `test` failed; the base's latest push run has `lint` passing and
/// `test` failing, so `test`'s passing log comes from the branch's latest passing run.
async fn pr_run(server: &MockServer, dir: &tempfile::TempDir) -> HashMap<String, String> {
    fail_on_unexpected(server).await;
    mount_jobs_and_logs(
        server,
        vec![
            job_in(RUN_ID, 1, "lint", "failure"),
            job_in(RUN_ID, 2, "test", "failure"),
            job_in(RUN_ID, 3, "docs", "success"),
        ],
        &[
            (1, &failed_log("error: unused import `std::fmt`")),
            (
                2,
                &failed_log("thread 'parser::case_7' panicked at src/parser.rs:41:9:"),
            ),
        ],
    )
    .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/actions/runs/{RUN_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": RUN_ID, "workflow_id": WORKFLOW_ID, "event": "pull_request",
            "head_branch": "feature", "pull_requests": [],
            "head_repository": {"full_name": OWNER_REPO}
        })))
        .expect(1)
        .mount(server)
        .await;
    let mut env = pull_request_env(server, dir.path());
    env.insert("INPUT_PASSING-LOG".into(), "true".into());
    env
}

async fn mount_base(server: &MockServer) {
    mount_base_runs(
        server,
        json!({"total_count": 1, "workflow_runs": [{
            "id": BASE_RUN_ID, "workflow_id": WORKFLOW_ID, "head_branch": "main",
            "event": "push", "conclusion": "failure", "head_sha": "0123456789abcdef",
            "html_url": format!("https://github.com/{OWNER_REPO}/actions/runs/{BASE_RUN_ID}")
        }]}),
    )
    .await;
    mount_latest_jobs(
        server,
        BASE_RUN_ID,
        vec![
            job_in(BASE_RUN_ID, 101, "lint", "success"),
            job_in(BASE_RUN_ID, 102, "test", "failure"),
        ],
    )
    .await;
}

/// The base run's failing `test` job fails at the same step as ours, so its log is read once
/// for its first failure line (issue 25): the same panic as ours, at another line number.
async fn mount_base_test_log(server: &MockServer) {
    let log = failed_log("thread 'parser::case_7' panicked at src/parser.rs:38:9:");
    mount_log(server, 102, &log).await;
}

async fn mount_passing_log(server: &MockServer, id: u64, times: u64) {
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/actions/jobs/{id}/logs")))
        .respond_with(ResponseTemplate::new(200).set_body_string(passing_log()))
        .expect(times)
        .mount(server)
        .await;
}

async fn mount_branch_run(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{OWNER_REPO}/actions/workflows/{WORKFLOW_ID}/runs"
        )))
        .and(query_param("branch", "feature"))
        .and(query_param("status", "success"))
        .and(query_param("per_page", "10"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "total_count": 2, "workflow_runs": [
                // A fork's branch of the same name says nothing about this one.
                {"id": 900, "conclusion": "success", "head_repository": {"full_name": "someone/fork"}},
                {"id": BRANCH_RUN_ID, "conclusion": "success", "head_repository": {"full_name": OWNER_REPO}}
            ]
        })))
        .expect(1)
        .mount(server)
        .await;
    mount_latest_jobs(
        server,
        BRANCH_RUN_ID,
        vec![job_in(BRANCH_RUN_ID, 201, "test", "success")],
    )
    .await;
}

fn excerpt_of(digest: &failure_digest::digest::Digest, name: &str) -> String {
    let job = digest.failed_jobs.iter().find(|j| j.name == name).unwrap();
    job.excerpt_text.clone()
}

#[tokio::test]
async fn each_failed_log_is_ranked_against_the_same_job_passing() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env = pr_run(&server, &dir).await;
    mount_base(&server).await;
    mount_branch_run(&server).await;
    mount_passing_log(&server, 101, 1).await;
    mount_passing_log(&server, 201, 1).await;
    mount_base_test_log(&server).await;

    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert!(outcome.degraded.is_empty(), "{:?}", outcome.degraded);
    let digest = &outcome.digest;
    // The verdicts (issue 25): main passes lint, and fails test at the same line.
    let kinds: Vec<&str> = digest
        .failed_jobs
        .iter()
        .map(|j| j.diagnosis.as_ref().unwrap().kind.as_str())
        .collect();
    assert_eq!(kinds, ["caused_here", "already_failing"]);
    let compared: Vec<(String, Option<String>)> = digest
        .failed_jobs
        .iter()
        .map(|j| {
            let c = j.compared_with.as_ref().expect("compared");
            // `ALWAYS` only: what the passing job printed in another step (lint's new error,
            // in its checkout) is not learned for the step that failed.
            assert_eq!(c.ranked_lower, 1, "{}: {c:?}", j.name);
            (c.label.clone(), c.url.clone())
        })
        .collect();
    assert_eq!(
        compared,
        [
            (
                "the passing job on main".to_owned(),
                Some(format!(
                    "https://github.com/{OWNER_REPO}/actions/runs/{BASE_RUN_ID}/job/101"
                ))
            ),
            (
                "the last passing job on feature".to_owned(),
                Some(format!(
                    "https://github.com/{OWNER_REPO}/actions/runs/{BRANCH_RUN_ID}/job/201"
                ))
            ),
        ]
    );
    for (name, new) in [
        ("lint", "unused import"),
        ("test", "panicked at src/parser.rs"),
    ] {
        let text = excerpt_of(digest, name);
        assert!(text.contains(new), "{text}");
        assert!(!text.contains(ALWAYS), "{name}: {text}");
    }
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(
        summary.contains(&format!(
            "*Compared with [the passing job on main](https://github.com/{OWNER_REPO}/actions/runs/{BASE_RUN_ID}/job/101)"
        )),
        "{summary}"
    );
}

#[tokio::test]
async fn with_the_input_off_no_passing_log_is_looked_up_or_downloaded() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = pr_run(&server, &dir).await;
    env.insert("INPUT_PASSING-LOG".into(), "false".into());
    // The base comparison still reads the base run; no passing log of it is downloaded (the
    // failing one is, for the verdict).
    mount_base(&server).await;
    mount_passing_log(&server, 101, 0).await;
    mount_base_test_log(&server).await;

    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert!(outcome.degraded.is_empty(), "{:?}", outcome.degraded);
    assert!(outcome
        .digest
        .failed_jobs
        .iter()
        .all(|j| j.compared_with.is_none()));
    assert!(excerpt_of(&outcome.digest, "lint").contains(ALWAYS));
    assert!(outcome.digest.insights.base.is_some());
}

#[tokio::test]
async fn a_passing_log_that_cannot_be_read_leaves_the_excerpt_as_it_was() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = pr_run(&server, &dir).await;
    env.insert("INPUT_COMPARE-BASE".into(), "false".into());
    mount_base(&server).await;
    mount_branch_run(&server).await;
    // Expired logs: 410 Gone, as GitHub answers after the retention period.
    for id in [101, 201] {
        Mock::given(method("GET"))
            .and(path(format!("/repos/{OWNER_REPO}/actions/jobs/{id}/logs")))
            .respond_with(ResponseTemplate::new(410).set_body_json(json!({"message": "Gone"})))
            .mount(&server)
            .await;
    }
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert!(outcome.degraded.is_empty(), "{:?}", outcome.degraded);
    for job in &outcome.digest.failed_jobs {
        assert!(job.compared_with.is_none(), "{}", job.name);
        assert!(job.excerpt_text.contains(ALWAYS), "{}", job.excerpt_text);
    }
    assert!(
        outcome.digest.insights.base.is_none(),
        "compare-base is off"
    );
}

#[tokio::test]
async fn nothing_failed_means_no_lookup_at_all() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_jobs_and_logs(
        &server,
        vec![
            job_in(RUN_ID, 1, "lint", "success"),
            job_in(RUN_ID, 2, "test", "success"),
        ],
        &[],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env(&server, dir.path());
    env.insert("INPUT_PASSING-LOG".into(), "true".into());
    let (outcome, _) = run_with_env(&env).await;
    assert_eq!(outcome.unwrap().digest.conclusion, "success");
}
