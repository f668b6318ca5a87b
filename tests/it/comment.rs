//! The sticky PR comment against a mock GitHub: which PR, which comment, and what the PR ends up
//! showing. Every call is counted (`Calls`), and any other request fails the test.

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;
use crate::thread::*;

/// The head commit of `push.with-new-branch.json`, used as the jobs' head too.
pub const HEAD: &str = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
/// The triggering run of `workflow_run.completed*.json`.
pub const TRIGGERING_RUN: u64 = 289782451;

pub fn event(name: &str) -> Value {
    fixture(&format!("events/{name}"))
}

/// The Actions env with an event payload and `comment: on-failure` (the default), without the
/// base-branch comparison.
pub fn env_with_event(
    server: &MockServer,
    dir: &Path,
    event_name: &str,
    payload: &Value,
) -> HashMap<String, String> {
    let mut env = actions_env(server, dir);
    let event_path = dir.join("event.json");
    std::fs::write(&event_path, payload.to_string()).unwrap();
    env.insert("GITHUB_EVENT_NAME".into(), event_name.into());
    env.insert("GITHUB_EVENT_PATH".into(), event_path.display().to_string());
    env.remove("INPUT_COMMENT");
    // These tests are about the comment; the base-branch comparison has its own (insights.rs).
    env.insert("INPUT_COMPARE-BASE".into(), "false".into());
    env
}

/// Run `run_id` attempt 1: `build` passed and `test` concluded `test_conclusion`.
pub async fn mount_run(server: &MockServer, run_id: u64, test_conclusion: &str) {
    let jobs: Vec<Value> = [
        job(1, "build", "success", None),
        job(
            2,
            "test",
            test_conclusion,
            (test_conclusion == "failure").then_some(4),
        ),
    ]
    .into_iter()
    .map(|mut job| {
        job["head_sha"] = json!(HEAD);
        job
    })
    .collect();
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{OWNER_REPO}/actions/runs/{run_id}/attempts/1/jobs"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(jobs)))
        .expect(1)
        .mount(server)
        .await;
    if test_conclusion == "failure" {
        Mock::given(method("GET"))
            .and(path(format!("/repos/{OWNER_REPO}/actions/jobs/2/logs")))
            .respond_with(ResponseTemplate::new(200).set_body_string(
                "2024-05-01T12:00:00.0000000Z ##[error]Process completed with exit code 101.\n",
            ))
            .expect(1)
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!(
                "/repos/{OWNER_REPO}/check-runs/2/annotations"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .expect(1)
            .mount(server)
            .await;
    }
}

/// `GET …/commits/{HEAD}/pulls` answering `(number, state)` pairs in GitHub's shape.
pub async fn mount_pulls_of_head(server: &MockServer, pulls: &[(u64, &str)]) {
    let example = fixture("openapi-pull-request-simple-items.json")[0].clone();
    let pulls: Vec<Value> = pulls
        .iter()
        .map(|(number, state)| {
            let mut pr = example.clone();
            pr["number"] = json!(number);
            pr["state"] = json!(state);
            pr["head"]["sha"] = json!(HEAD);
            pr
        })
        .collect();
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/commits/{HEAD}/pulls")))
        .respond_with(ResponseTemplate::new(200).set_body_json(pulls))
        .expect(1)
        .mount(server)
        .await;
}

/// A pull_request run (PR 2 of `pull_request.opened.json`) whose `test` job concluded as given.
pub async fn pull_request_run(
    test_conclusion: &str,
) -> (MockServer, tempfile::TempDir, HashMap<String, String>) {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_run(&server, RUN_ID, test_conclusion).await;
    let dir = tempfile::tempdir().unwrap();
    let env = env_with_event(
        &server,
        dir.path(),
        "pull_request",
        &event("pull_request.opened.json"),
    );
    (server, dir, env)
}

pub const CREATE: Calls = Calls {
    lists: 2,
    posts: 1,
    patches: 0,
    deletes: 0,
};
/// Only the listing: the comment is found and left as it is (or no write happens).
pub const LIST_ONLY: Calls = Calls {
    lists: 1,
    posts: 0,
    patches: 0,
    deletes: 0,
};
pub const UPDATE: Calls = Calls {
    lists: 1,
    posts: 0,
    patches: 1,
    deletes: 0,
};

#[tokio::test]
async fn a_pull_request_run_creates_the_comment_and_outputs_its_url() {
    let (server, dir, env) = pull_request_run("failure").await;
    let thread = Thread::new(&server, 2, vec![]);
    thread.mount(&server, CREATE).await;
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert!(outcome.degraded.is_empty(), "{:?}", outcome.degraded);
    let ours = thread.with_marker(MARKER);
    assert_eq!(ours.len(), 1);
    let body = ours[0]["body"].as_str().unwrap();
    assert!(
        body.contains("1 of 2 jobs failed") && body.contains("test"),
        "{body}"
    );
    let url = format!("https://github.com/{OWNER_REPO}/pull/2#issuecomment-1001");
    assert_eq!(outcome.comment_url.as_deref(), Some(url.as_str()));
    let outputs = std::fs::read_to_string(dir.path().join("output.txt")).unwrap();
    assert!(outputs.contains(&url), "{outputs}");
}

#[tokio::test]
async fn the_marker_on_the_second_page_is_updated_in_place() {
    let (server, _dir, env) = pull_request_run("failure").await;
    let mut comments: Vec<Value> = (1..=150)
        .map(|id| comment(id, 2, "octocat", &format!("comment {id}")))
        .collect();
    comments[119] = comment(120, 2, BOT, &format!("{MARKER}\nan old digest"));
    let thread = Thread::new(&server, 2, comments);
    let two_pages = Calls { lists: 2, ..UPDATE };
    thread.mount(&server, two_pages).await;
    let (outcome, _) = run_with_env(&env).await;
    let url = outcome.unwrap().comment_url.unwrap();
    assert!(url.ends_with("#issuecomment-120"), "{url}");
    let ours = thread.with_marker(MARKER);
    assert_eq!(ours.len(), 1);
    assert!(ours[0]["body"]
        .as_str()
        .unwrap()
        .contains("1 of 2 jobs failed"));
    assert_eq!(thread.comments().len(), 150);
}

#[tokio::test]
async fn a_marker_written_by_someone_else_is_ignored() {
    let (server, _dir, env) = pull_request_run("failure").await;
    let pasted = format!("{MARKER}\nquoting the bot");
    let thread = Thread::new(&server, 2, vec![comment(5, 2, "octocat", &pasted)]);
    thread.mount(&server, CREATE).await;
    let (outcome, _) = run_with_env(&env).await;
    assert!(outcome
        .unwrap()
        .comment_url
        .unwrap()
        .ends_with("#issuecomment-6"));
    assert_eq!(
        thread.comments()[0]["body"],
        json!(pasted),
        "left as written"
    );
}

#[tokio::test]
async fn another_workflows_digest_is_left_alone() {
    let (server, _dir, env) = pull_request_run("failure").await;
    let nightly = "<!-- failure-digest:Nightly -->\nNightly's digest";
    let thread = Thread::new(&server, 2, vec![comment(5, 2, BOT, nightly)]);
    thread.mount(&server, CREATE).await;
    let (outcome, _) = run_with_env(&env).await;
    assert!(outcome.unwrap().comment_url.is_some());
    assert_eq!(thread.comments()[0]["body"], json!(nightly));
    assert_eq!(thread.with_marker(MARKER).len(), 1);
}

#[tokio::test]
async fn a_green_run_turns_the_digest_into_the_resolved_note() {
    let (server, _dir, env) = pull_request_run("success").await;
    let old = comment(
        9,
        2,
        BOT,
        &format!("{MARKER}\n### ❌ CI: 1 of 2 jobs failed"),
    );
    let thread = Thread::new(&server, 2, vec![old]);
    thread.mount(&server, UPDATE).await;
    let (outcome, _) = run_with_env(&env).await;
    assert!(outcome.unwrap().comment_url.is_some());
    let body = thread.with_marker(MARKER)[0]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        body.contains("all 2 jobs passed") && !body.contains("failed"),
        "{body}"
    );
}

#[tokio::test]
async fn a_green_run_without_a_digest_posts_nothing() {
    let (server, _dir, env) = pull_request_run("success").await;
    let thread = Thread::new(&server, 2, vec![]);
    thread.mount(&server, LIST_ONLY).await;
    let (outcome, stdout) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert_eq!((outcome.comment_url, outcome.degraded.len()), (None, 0));
    assert!(stdout.contains("no digest to resolve"), "{stdout}");
}

#[tokio::test]
async fn always_creates_a_comment_for_a_green_run() {
    let (server, _dir, mut env) = pull_request_run("success").await;
    env.insert("INPUT_COMMENT".into(), "always".into());
    let thread = Thread::new(&server, 2, vec![]);
    thread.mount(&server, CREATE).await;
    let (outcome, _) = run_with_env(&env).await;
    assert!(outcome.unwrap().comment_url.is_some());
}

#[tokio::test]
async fn two_runs_posting_at_once_end_with_the_oldest_comment() {
    let (server, _dir, env) = pull_request_run("failure").await;
    // A concurrent run posts its digest between our listing and our POST.
    let thread =
        Thread::new(&server, 2, vec![]).rival(&format!("{MARKER}\nthe other run's digest"));
    let calls = Calls {
        lists: 2,
        posts: 1,
        patches: 1,
        deletes: 1,
    };
    thread.mount(&server, calls).await;
    let (outcome, _) = run_with_env(&env).await;
    let url = outcome.unwrap().comment_url.unwrap();
    assert!(
        url.ends_with("#issuecomment-1001"),
        "the older one is kept: {url}"
    );
    let ours = thread.with_marker(MARKER);
    assert_eq!(ours.len(), 1);
    assert!(ours[0]["body"]
        .as_str()
        .unwrap()
        .contains("1 of 2 jobs failed"));
}

#[tokio::test]
async fn a_5xx_on_post_is_not_repeated_when_the_comment_landed() {
    let (server, _dir, env) = pull_request_run("failure").await;
    let thread = Thread::new(&server, 2, vec![]).post_status(502);
    thread.mount(&server, CREATE).await;
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert!(outcome.degraded.is_empty(), "{:?}", outcome.degraded);
    assert!(outcome.comment_url.unwrap().ends_with("#issuecomment-1001"));
    assert_eq!(thread.with_marker(MARKER).len(), 1);
}

#[tokio::test]
async fn a_403_on_post_is_a_warning_naming_the_permission() {
    let (server, dir, env) = pull_request_run("failure").await;
    let thread = Thread::new(&server, 2, vec![]).post_status(403);
    thread
        .mount(
            &server,
            Calls {
                lists: 1,
                posts: 1,
                ..Calls::default()
            },
        )
        .await;
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.comment_url, None);
    let warning = outcome.degraded.join("\n");
    assert!(
        warning.contains("permissions: pull-requests: write") && warning.contains("workflow_run"),
        "{warning}"
    );
    assert!(dir.path().join("summary.md").exists());
}

#[tokio::test]
async fn with_a_personal_token_its_own_login_is_recognised() {
    let (server, _dir, mut env) = pull_request_run("failure").await;
    env.insert("INPUT_GITHUB-TOKEN".into(), "github_pat_local".into());
    let mine = comment(5, 2, "octocat", &format!("{MARKER}\nold"));
    let thread = Thread::new(&server, 2, vec![mine]).viewer("octocat");
    thread.mount(&server, UPDATE).await;
    let (outcome, _) = run_with_env(&env).await;
    assert!(outcome
        .unwrap()
        .comment_url
        .unwrap()
        .ends_with("#issuecomment-5"));
}

/// A GitHub App's installation token writes as `my-app[bot]`: its digest is found and resolved
/// in place, not posted again and folded (two notifications) or left red.
#[tokio::test]
async fn with_a_github_app_token_its_digest_is_found_and_resolved_in_place() {
    let (server, _dir, mut env) = pull_request_run("success").await;
    env.insert("INPUT_GITHUB-TOKEN".into(), "ghs_app_installation".into());
    let red = comment(
        5,
        2,
        "my-app[bot]",
        &format!("{MARKER}\n### ❌ CI: 1 of 2 jobs failed"),
    );
    let thread = Thread::new(&server, 2, vec![red]).viewer("my-app");
    thread.mount(&server, UPDATE).await;
    let (outcome, _) = run_with_env(&env).await;
    assert!(outcome.unwrap().comment_url.is_some());
    let ours = thread.with_marker(MARKER);
    assert_eq!(ours.len(), 1);
    assert!(
        ours[0]["body"]
            .as_str()
            .unwrap()
            .contains("all 2 jobs passed"),
        "{ours:?}"
    );
}

/// The binary's exit status when the token may not comment: 0, unless `fail-on-error`.
async fn exit_status_on_a_403(fail_on_error: bool) -> (bool, String) {
    let (server, _dir, mut env) = pull_request_run("failure").await;
    if fail_on_error {
        env.insert("INPUT_FAIL-ON-ERROR".into(), "true".into());
    }
    let thread = Thread::new(&server, 2, vec![]).post_status(403);
    let calls = Calls {
        lists: 1,
        posts: 1,
        ..Calls::default()
    };
    thread.mount(&server, calls).await;
    let output =
        tokio::task::spawn_blocking(move || crate::binary::binary().envs(env).output().unwrap())
            .await
            .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.success(), stderr)
}

#[tokio::test]
async fn a_403_exits_0_with_a_warning_unless_fail_on_error() {
    let (success, stderr) = exit_status_on_a_403(false).await;
    assert!(success, "{stderr}");
    assert!(
        stderr.contains("::warning::could not comment on PR #2"),
        "{stderr}"
    );
    let (success, stderr) = exit_status_on_a_403(true).await;
    assert!(!success, "fail-on-error: true must fail the step: {stderr}");
    assert!(stderr.contains("::error::"), "{stderr}");
}
