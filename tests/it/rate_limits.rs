//! GitHub's rate limits are waited out when the run's budget allows, and otherwise named as
//! what they are: never as a missing permission.

use std::time::Instant;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::comment::{pull_request_run, LIST_ONLY};
use crate::jobs::mount_jobs_answering_first;
use crate::support::*;
use crate::thread::*;

const SECONDARY: &str =
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.";

/// An exhausted primary limit that resets in an hour, as GitHub sends it.
fn primary_limit_for_an_hour() -> ResponseTemplate {
    let reset = chrono::Utc::now().timestamp() + 3600;
    ResponseTemplate::new(403)
        .insert_header("x-ratelimit-limit", "1000")
        .insert_header("x-ratelimit-remaining", "0")
        .insert_header("x-ratelimit-reset", reset.to_string().as_str())
        .set_body_json(json!({
            "message": "API rate limit exceeded for installation ID 1.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
        }))
}

#[tokio::test]
async fn a_secondary_limit_with_retry_after_waits_that_long() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_jobs_answering_first(
        &server,
        ResponseTemplate::new(403)
            .insert_header("retry-after", "1")
            .set_body_json(json!({ "message": SECONDARY })),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    assert!(outcome.is_ok());
    assert!(
        started.elapsed().as_millis() >= 1000,
        "Retry-After: 1 was not honoured"
    );
}

/// GitHub may send a secondary limit with no header at all: only the message names it. It is
/// retried after the unannounced wait (a minute for real, 20 ms in `fast_retry`).
#[tokio::test]
async fn a_secondary_limit_named_only_in_its_message_is_waited_out() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_jobs_answering_first(
        &server,
        ResponseTemplate::new(403).set_body_json(json!({ "message": SECONDARY })),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    assert_eq!(outcome.unwrap().digest.conclusion, "success");
}

/// The jobs listing answers `answer` once and only once: the run's error, and how long it took.
async fn listing_error(answer: ResponseTemplate) -> (String, std::time::Duration) {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(answer)
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    (format!("{:#}", outcome.unwrap_err()), started.elapsed())
}

#[tokio::test]
async fn a_primary_limit_an_hour_away_says_it_is_the_limit_and_when_it_resets() {
    let (error, took) = listing_error(primary_limit_for_an_hour()).await;
    assert!(took.as_secs() < 5, "it waited for the reset");
    assert!(
        error.contains("HTTP 403")
            && error.contains("rate limit, not a permission problem")
            && error.contains("resets at")
            && error.contains("UTC (in 6"),
        "{error}"
    );
    assert!(!error.contains("actions: read"), "{error}");
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_budget_is_an_error_not_a_hang() {
    let (error, _) = listing_error(
        ResponseTemplate::new(429)
            .insert_header("retry-after", "3600")
            .set_body_json(json!({"message": "API rate limit exceeded"})),
    )
    .await;
    assert!(
        error.contains("HTTP 429") && error.contains("secondary rate limit"),
        "{error}"
    );
}

#[tokio::test]
async fn a_rate_limited_comment_is_not_blamed_on_the_pull_requests_permission() {
    let (server, dir, env) = pull_request_run("failure").await;
    let thread = Thread::new(&server, 2, vec![]);
    thread.mount(&server, LIST_ONLY).await;
    Mock::given(method("POST"))
        .and(path(format!("/repos/{OWNER_REPO}/issues/2/comments")))
        .respond_with(primary_limit_for_an_hour())
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.comment_url, None);
    let warning = outcome.degraded.join("\n");
    assert!(
        warning.contains("could not comment on PR #2") && warning.contains("rate limit"),
        "{warning}"
    );
    assert!(!warning.contains("pull-requests: write"), "{warning}");
    assert!(dir.path().join("summary.md").exists());
}

/// A server picks the wait; the largest one it can write is refused, not added up (overflow).
#[tokio::test]
async fn a_retry_after_no_clock_can_hold_is_an_error_not_a_panic() {
    let (error, _) = listing_error(
        ResponseTemplate::new(403)
            .insert_header("retry-after", u64::MAX.to_string().as_str())
            .set_body_json(json!({ "message": SECONDARY })),
    )
    .await;
    assert!(error.contains("secondary rate limit"), "{error}");
}
