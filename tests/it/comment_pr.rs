//! Which PR the comment goes to: the event's, the `workflow_run`'s, or the open PR of the
//! reported commit; none found is an info line, not a warning.

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::comment::*;
use crate::support::*;
use crate::thread::*;

#[tokio::test]
async fn a_push_comments_on_the_open_pr_of_the_commit_not_the_closed_one() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_run(&server, RUN_ID, "failure").await;
    mount_pulls_of_head(&server, &[(1, "closed"), (7, "open")]).await;
    let thread = Thread::new(&server, 7, vec![]);
    thread.mount(&server, CREATE).await;
    let dir = tempfile::tempdir().unwrap();
    let env = env_with_event(
        &server,
        dir.path(),
        "push",
        &event("push.with-new-branch.json"),
    );
    let (outcome, _) = run_with_env(&env).await;
    let url = outcome.unwrap().comment_url.unwrap();
    assert!(url.contains("/pull/7#"), "{url}");
    assert_eq!(thread.with_marker(MARKER).len(), 1);
}

#[tokio::test]
async fn a_push_without_an_open_pr_writes_the_summary_and_no_comment() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_run(&server, RUN_ID, "failure").await;
    mount_pulls_of_head(&server, &[(1, "closed")]).await;
    let dir = tempfile::tempdir().unwrap();
    let env = env_with_event(
        &server,
        dir.path(),
        "push",
        &event("push.with-new-branch.json"),
    );
    let (outcome, stdout) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert!(
        outcome.degraded.is_empty(),
        "not a warning: {:?}",
        outcome.degraded
    );
    assert_eq!(outcome.comment_url, None);
    assert!(stdout.contains("no open pull request"), "{stdout}");
    assert!(dir.path().join("summary.md").exists());
}

/// `workflow_run.completed.with-pull-requests.json`, concluded `failure`, its PR based in this
/// repository (GitHub's example lists a PR of another repository).
fn workflow_run_event() -> Value {
    let mut payload = event("workflow_run.completed.with-pull-requests.json");
    payload["workflow_run"]["conclusion"] = json!("failure");
    let here = payload["repository"]["id"].clone();
    payload["workflow_run"]["pull_requests"][0]["base"]["repo"]["id"] = here;
    payload
}

#[tokio::test]
async fn a_workflow_run_reports_the_triggering_attempt_on_its_pr() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_run(&server, TRIGGERING_RUN, "failure").await;
    let thread = Thread::new(&server, 2, vec![]);
    thread.mount(&server, CREATE).await;
    let dir = tempfile::tempdir().unwrap();
    let env = env_with_event(&server, dir.path(), "workflow_run", &workflow_run_event());
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.digest.run.id, TRIGGERING_RUN);
    assert!(outcome.comment_url.unwrap().contains("/pull/2#"));
}

#[tokio::test]
async fn a_workflow_run_pr_of_another_repository_is_not_commented_on() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_run(&server, TRIGGERING_RUN, "failure").await;
    // Its PR is Codertocat/Hello-World#2: the commit's own PRs are looked up instead.
    mount_pulls_of_head(&server, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut payload = event("workflow_run.completed.with-pull-requests.json");
    payload["workflow_run"]["head_sha"] = json!(HEAD);
    let env = env_with_event(&server, dir.path(), "workflow_run", &payload);
    let (outcome, _) = run_with_env(&env).await;
    assert_eq!(outcome.unwrap().comment_url, None);
}

#[tokio::test]
async fn a_failed_pr_lookup_is_a_warning_not_the_end_of_the_report() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_run(&server, RUN_ID, "failure").await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/commits/{HEAD}/pulls")))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "Resource not accessible by integration"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let env = env_with_event(
        &server,
        dir.path(),
        "push",
        &event("push.with-new-branch.json"),
    );
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.comment_url, None);
    let warning = outcome.degraded.join("\n");
    assert!(
        warning.contains("HTTP 403") && warning.contains("contents: read"),
        "{warning}"
    );
    assert!(dir.path().join("summary.md").exists());
}
