//! Two runs reporting on one PR (`on: [push, pull_request]` gives every commit two; a re-run of
//! an old commit can finish last): the rule in `render::stamp` decides which digest stands,
//! the same whichever run finishes first, so the comment never flip-flops.

use crate::comment::*;
use crate::support::*;
use crate::thread::*;

/// A digest comment written by `event`'s run `run` of commit `sha`.
fn digest_of(id: u64, event: &str, sha: &str, run: u64, text: &str) -> serde_json::Value {
    let stamp = format!("<!-- failure-digest-run:{event}:{sha}:{run} -->");
    comment(id, 2, BOT, &format!("{MARKER}\n{stamp}\n{text}"))
}

/// The `push` run of a commit whose `pull_request` run already reported.
#[tokio::test]
async fn a_push_run_leaves_the_pull_request_runs_digest_of_its_commit() {
    let server = wiremock::MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_run(&server, RUN_ID, "failure").await;
    mount_pulls_of_head(&server, &[(2, "open")]).await;
    let thread = Thread::new(
        &server,
        2,
        vec![digest_of(5, "pull_request", HEAD, RUN_ID - 1, "pr")],
    );
    thread.mount(&server, LIST_ONLY).await;
    let dir = tempfile::tempdir().unwrap();
    let env = env_with_event(
        &server,
        dir.path(),
        "push",
        &event("push.with-new-branch.json"),
    );
    let (outcome, printed) = run_with_env(&env).await;
    assert_eq!(outcome.unwrap().comment_url, None);
    assert!(
        printed.contains("`pull_request` run's digest of this commit"),
        "{printed}"
    );
    assert!(thread.comments()[0]["body"]
        .as_str()
        .unwrap()
        .ends_with("\npr"));
}

/// The other order: the `push` run reported first; the `pull_request` run replaces it, even
/// with a lower run id.
#[tokio::test]
async fn a_pull_request_run_replaces_the_push_runs_digest_of_its_commit() {
    let (server, _dir, env) = pull_request_run("failure").await;
    let thread = Thread::new(
        &server,
        2,
        vec![digest_of(5, "push", HEAD, RUN_ID + 1, "push")],
    );
    thread.mount(&server, UPDATE).await;
    let (outcome, _) = run_with_env(&env).await;
    assert!(outcome.unwrap().comment_url.is_some());
    let body = thread.comments()[0]["body"].as_str().unwrap().to_owned();
    assert!(
        body.contains(&format!(":pull_request:{HEAD}:{RUN_ID} -->")),
        "{body}"
    );
    assert!(body.contains("1 of 2 jobs failed"), "{body}");
}

/// An old commit's run that finishes after a newer commit's run leaves the newer digest.
#[tokio::test]
async fn an_older_run_finishing_last_leaves_the_newer_runs_digest() {
    let (server, _dir, env) = pull_request_run("failure").await;
    let newer = "c".repeat(40);
    let thread = Thread::new(
        &server,
        2,
        vec![digest_of(5, "pull_request", &newer, RUN_ID + 9, "newer")],
    );
    thread.mount(&server, LIST_ONLY).await;
    let (outcome, printed) = run_with_env(&env).await;
    assert_eq!(outcome.unwrap().comment_url, None);
    assert!(printed.contains("digest of a newer run"), "{printed}");
    assert!(thread.comments()[0]["body"]
        .as_str()
        .unwrap()
        .ends_with("\nnewer"));
}
