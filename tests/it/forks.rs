//! Pull requests from forks, reported from a `workflow_run` workflow (the README's fork setup):
//! the payload lists no PR for them and GitHub finds none by commit, so the PR is found by the
//! fork's `owner:branch`, its head commit checked; the base-branch comparison works for them and
//! compares only with a finished `push` run of this repository.

use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::comment::{env_with_event, event, mount_run, CREATE, HEAD, TRIGGERING_RUN};
use crate::insights::{mount_base_runs, BASE_RUN_ID, WORKFLOW_ID};
use crate::support::*;
use crate::thread::*;

/// GitHub's `workflow_run` example as a fork's PR run: `forker/octo-repo`'s `fix-typo`, failed.
fn fork_run_event() -> Value {
    let mut payload = event("workflow_run.completed.json");
    let run = &mut payload["workflow_run"];
    run["event"] = json!("pull_request");
    run["conclusion"] = json!("failure");
    run["head_branch"] = json!("fix-typo");
    run["head_sha"] = json!(HEAD);
    run["pull_requests"] = json!([]);
    run["head_repository"]["id"] = json!(999_001);
    run["head_repository"]["owner"]["login"] = json!("forker");
    run["head_repository"]["full_name"] = json!("forker/octo-repo");
    payload
}

fn pull(number: u64, head_sha: &str) -> Value {
    json!({
        "number": number, "state": "open",
        "html_url": format!("https://github.com/{OWNER_REPO}/pull/{number}"),
        "head": {"sha": head_sha, "ref": "fix-typo", "label": "forker:fix-typo"},
        "base": {"sha": "0000000000000000000000000000000000000001", "ref": "main"}
    })
}

/// `GET /pulls?head=forker:fix-typo&state=open`: an older PR of a reused branch name, and ours.
async fn mount_fork_pulls(server: &MockServer, pulls: Value) {
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/pulls")))
        .and(query_param("head", "forker:fix-typo"))
        .and(query_param("state", "open"))
        .and(query_param("per_page", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(pulls))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_forks_pr_is_found_by_its_branch_and_head_commit() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_run(&server, TRIGGERING_RUN, "failure").await;
    mount_fork_pulls(&server, json!([pull(3, &"b".repeat(40)), pull(2, HEAD)])).await;
    let thread = Thread::new(&server, 2, vec![]);
    thread.mount(&server, CREATE).await;
    let dir = tempfile::tempdir().unwrap();
    let env = env_with_event(&server, dir.path(), "workflow_run", &fork_run_event());
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert!(outcome.degraded.is_empty(), "{:?}", outcome.degraded);
    assert!(outcome.comment_url.unwrap().contains("/pull/2#"));
}

#[tokio::test]
async fn no_open_pr_for_a_pull_request_run_is_a_warning_not_silence() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_run(&server, TRIGGERING_RUN, "failure").await;
    // The branch was pushed again: its PR's head is no longer the reported commit.
    mount_fork_pulls(&server, json!([pull(2, &"b".repeat(40))])).await;
    mount_pulls_of_commit(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let env = env_with_event(&server, dir.path(), "workflow_run", &fork_run_event());
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.comment_url, None);
    let warning = outcome.degraded.join("\n");
    assert!(
        warning.contains("no open pull request of `forker:fix-typo` has its head commit"),
        "{warning}"
    );
    assert!(dir.path().join("summary.md").exists());
}

async fn mount_pulls_of_commit(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/commits/{HEAD}/pulls")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(server)
        .await;
}

/// The run as `GET /actions/runs/{id}` answers for a fork's PR: no `pull_requests`.
async fn mount_triggering_run(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{OWNER_REPO}/actions/runs/{TRIGGERING_RUN}"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": TRIGGERING_RUN, "workflow_id": WORKFLOW_ID, "event": "pull_request",
            "head_branch": "fix-typo", "pull_requests": []
        })))
        .expect(1)
        .mount(server)
        .await;
}

async fn mount_base_jobs(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{OWNER_REPO}/actions/runs/{BASE_RUN_ID}/jobs"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(vec![
            job(101, "build", "success", None),
            job(102, "test", "success", None),
        ])))
        .expect(1)
        .mount(server)
        .await;
}

fn base_run(id: u64, event: &str, conclusion: &str, repository: &str) -> Value {
    json!({
        "id": id, "workflow_id": WORKFLOW_ID, "head_branch": "main", "event": event,
        "conclusion": conclusion, "head_sha": "0123456789abcdef",
        "head_repository": {"full_name": repository},
        "html_url": format!("https://github.com/{OWNER_REPO}/actions/runs/{id}")
    })
}

/// The fork PR's base comes from the PR found by its branch; of the base branch's runs, a
/// cancelled one and a fork's run from its own `main` are passed over.
#[tokio::test]
async fn a_forks_run_is_compared_with_the_latest_finished_push_run_of_the_base() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_run(&server, TRIGGERING_RUN, "failure").await;
    mount_fork_pulls(&server, json!([pull(2, HEAD)])).await;
    mount_triggering_run(&server).await;
    let runs = json!({"total_count": 3, "workflow_runs": [
        base_run(901, "push", "cancelled", OWNER_REPO),
        base_run(902, "push", "success", "forker/octo-repo"),
        base_run(BASE_RUN_ID, "push", "success", OWNER_REPO),
    ]});
    mount_base_runs(&server, runs).await;
    mount_base_jobs(&server).await;
    let thread = Thread::new(&server, 2, vec![]);
    thread.mount(&server, CREATE).await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = env_with_event(&server, dir.path(), "workflow_run", &fork_run_event());
    env.insert("INPUT_COMPARE-BASE".into(), "true".into());
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert!(outcome.degraded.is_empty(), "{:?}", outcome.degraded);
    let base = outcome
        .digest
        .insights
        .base
        .expect("compared with the base");
    assert_eq!((base.branch.as_str(), base.id), ("main", BASE_RUN_ID));
}
