//! Downloading failed jobs' logs: the redirect, the token, unavailable logs.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::faults::api_with_a_failed_job;
use crate::support::*;

#[tokio::test]
async fn the_log_redirect_never_carries_the_token_to_the_blob_host() {
    let blob = MockServer::start().await;
    let api = api_with_a_failed_job(&format!("{}/blob/job-7.txt?sig=abc", blob.uri()), 1).await;
    Mock::given(method("GET"))
        .and(path("/blob/job-7.txt"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(failed_step_log(&["test parser::it_works ... FAILED"])),
        )
        .expect(1)
        .mount(&blob)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&api, dir.path())).await;
    let digest = outcome.unwrap().digest;
    assert!(
        digest.failed_jobs[0]
            .excerpt_text
            .contains("it_works ... FAILED"),
        "{:?}",
        digest.failed_jobs[0]
    );
    for request in blob.received_requests().await.unwrap() {
        assert!(
            request.headers.get("authorization").is_none(),
            "the token reached the blob host"
        );
    }
}

#[tokio::test]
async fn expired_and_missing_logs_are_noted_not_fatal() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let jobs = vec![
        job(1, "old", "failure", Some(4)),
        job(2, "running", "failure", Some(4)),
    ];
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(jobs)))
        .mount(&server)
        .await;
    for (id, status) in [(1, 410), (2, 404)] {
        Mock::given(method("GET"))
            .and(path(format!("/repos/{OWNER_REPO}/actions/jobs/{id}/logs")))
            .respond_with(ResponseTemplate::new(status).set_body_json(json!({"message": "Gone"})))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!(
                "/repos/{OWNER_REPO}/check-runs/{id}/annotations"
            )))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(fixture("openapi-check-annotation-items.json")),
            )
            .mount(&server)
            .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.degraded.len(), 2, "{:?}", outcome.degraded);
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("the log has expired"), "{summary}");
    assert!(summary.contains("not available yet"), "{summary}");
    assert!(
        summary.contains("README.md:2"),
        "annotations still shown: {summary}"
    );
}

/// Records when each log request arrived; answers slowly, like a distant blob host.
struct SlowLogHost {
    arrivals: std::sync::Arc<std::sync::Mutex<Vec<std::time::Instant>>>,
}

impl wiremock::Respond for SlowLogHost {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        self.arrivals
            .lock()
            .unwrap()
            .push(std::time::Instant::now());
        ResponseTemplate::new(200)
            .set_body_string("2024-05-01T12:00:00.0000000Z ##[error]boom\n")
            .set_delay(std::time::Duration::from_millis(400))
    }
}

#[tokio::test]
async fn logs_download_in_parallel_with_a_bound() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let jobs = (1..=18)
        .map(|id| job(id, &format!("shard {id}"), "failure", Some(4)))
        .collect();
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(jobs)))
        .mount(&server)
        .await;
    let arrivals = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(r"/actions/jobs/\d+/logs$"))
        .respond_with(SlowLogHost {
            arrivals: arrivals.clone(),
        })
        .expect(18)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            r"/check-runs/\d+/annotations$",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    assert_eq!(outcome.unwrap().digest.failed_jobs.len(), 18);

    // Requests that arrived within 200 ms of each other were in flight together (each takes 400).
    let mut times = arrivals.lock().unwrap().clone();
    times.sort();
    let most_together = (0..times.len())
        .map(|i| {
            times[i..]
                .iter()
                .take_while(|t| t.duration_since(times[i]).as_millis() < 200)
                .count()
        })
        .max()
        .unwrap();
    let bound = failure_digest::app::LOG_DOWNLOADS_IN_PARALLEL;
    assert!(most_together > 1, "logs were downloaded one at a time");
    assert!(
        most_together <= bound,
        "{most_together} downloads at once, bound is {bound}"
    );
}

/// GitHub's whole-second step times may be rounded up: the post step "starts" at :49 while its
/// first line is at :48.6, the second the failed step "ended". Its lines stay out of the
/// failed step's excerpt.
#[tokio::test]
async fn a_post_step_with_a_rounded_start_is_not_part_of_the_failed_step() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let mut failed = job(7, "test", "failure", Some(4));
    for step in failed["steps"].as_array_mut().unwrap() {
        if step["number"].as_u64().unwrap() > 8 {
            step["conclusion"] = json!("success");
            step["started_at"] = json!("2020-01-20T09:42:49.000-08:00");
            step["completed_at"] = json!("2020-01-20T09:42:49.000-08:00");
        }
    }
    let log = failed_step_log(&["error: could not restore the cache key"])
        + "2020-01-20T17:42:48.6000000Z Post job cleanup.\n\
           2020-01-20T17:42:48.7000000Z ##[warning]Failed to save: the post step's own warning\n\
           2020-01-20T17:42:48.9000000Z Cleaning up orphan processes\n";
    mount_jobs_and_logs(&server, vec![failed], &[(7, &log)]).await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    let job = &outcome.unwrap().digest.failed_jobs[0];
    assert!(job.excerpt_text.contains("could not restore"), "{job:?}");
    assert!(
        !job.excerpt_text.contains("Post job cleanup")
            && !job.excerpt_text.contains("post step's own"),
        "{}",
        job.excerpt_text
    );
}
