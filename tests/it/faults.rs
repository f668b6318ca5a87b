//! Faults where they happen: a body that breaks off, a log host that drips, an API that never
//! answers, a storage host that refuses its link, a permission missing for annotations. Each
//! ends in a report that says what happened, in bounded time.

use std::time::{Duration, Instant};

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::raw_http::{Answer, RawHttp};
use crate::support::*;

fn passing_jobs() -> String {
    jobs_page(vec![job(1, "build", "success", None)]).to_string()
}

#[tokio::test]
async fn a_reset_in_the_middle_of_the_jobs_listing_is_retried() {
    let body = passing_jobs();
    let api = RawHttp::start(vec![
        Answer::BreakOff {
            body: body.clone(),
            sent: body.len() / 2,
        },
        Answer::Full(body),
    ])
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env_at(&api.uri, dir.path())).await;
    assert_eq!(outcome.unwrap().digest.conclusion, "success");
    assert_eq!(api.requests(), 2);
}

#[tokio::test]
async fn an_api_that_never_answers_is_given_up_at_the_run_deadline() {
    let api = RawHttp::start(vec![Answer::Silent, Answer::Silent]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env_at(&api.uri, dir.path());
    env.insert("INPUT_TIMEOUT-SECONDS".into(), "2".into());
    let started = Instant::now();
    let (outcome, _) = run_with_env(&env).await;
    let error = format!("{:#}", outcome.unwrap_err());
    assert!(started.elapsed() < Duration::from_secs(5), "{error}");
    assert!(
        error.contains("listing the run's jobs") && error.contains("`timeout-seconds`"),
        "{error}"
    );
}

/// The API with one failed job (7) whose log is redirected to `log_url`, and no annotations.
pub async fn api_with_a_failed_job(log_url: &str, log_requests: u64) -> MockServer {
    let api = MockServer::start().await;
    fail_on_unexpected(&api).await;
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(vec![job(
            7,
            "test",
            "failure",
            Some(4),
        )])))
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/actions/jobs/7/logs")))
        .respond_with(ResponseTemplate::new(302).insert_header("location", log_url))
        .expect(log_requests)
        .mount(&api)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{OWNER_REPO}/check-runs/7/annotations"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&api)
        .await;
    api
}

#[tokio::test]
async fn a_log_download_that_breaks_off_is_downloaded_again_without_repeating_lines() {
    let lines: Vec<String> = (0..40)
        .map(|i| format!("warning: line {i} of the build"))
        .chain(["error: linking with `cc` failed: exit status: 1".to_owned()])
        .collect();
    let log = failed_step_log(&lines.iter().map(String::as_str).collect::<Vec<_>>());
    let blob = RawHttp::start(vec![
        Answer::BreakOff {
            body: log.clone(),
            sent: log.len() / 2 + 7,
        },
        Answer::Full(log),
    ])
    .await;
    let api = api_with_a_failed_job(&format!("{}/blob/job-7.txt?sig=abc", blob.uri), 2).await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&api, dir.path())).await;
    let outcome = outcome.unwrap();
    assert!(outcome.degraded.is_empty(), "{:?}", outcome.degraded);
    let excerpt = &outcome.digest.failed_jobs[0].excerpt_text;
    assert!(excerpt.contains("linking with `cc` failed"), "{excerpt}");
    let numbers: Vec<u64> = outcome.digest.failed_jobs[0]
        .excerpt
        .iter()
        .map(|line| line.line_number)
        .collect();
    assert!(
        numbers.windows(2).all(|pair| pair[0] < pair[1]),
        "lines repeat or go back after the second download: {numbers:?}"
    );
    assert_eq!(blob.requests(), 2);
}

#[tokio::test]
async fn a_log_host_that_drips_is_cut_at_the_log_deadline_and_the_report_is_written() {
    let blob = RawHttp::start(vec![Answer::Drip {
        line: "2020-01-20T17:42:46.0000000Z still compiling\n".into(),
        every: Duration::from_millis(200),
    }])
    .await;
    let api = api_with_a_failed_job(&format!("{}/blob/job-7.txt", blob.uri), 1).await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env(&api, dir.path());
    env.insert("INPUT_TIMEOUT-SECONDS".into(), "2".into());
    let started = Instant::now();
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert!(started.elapsed() < Duration::from_secs(4));
    let warning = outcome.degraded.join("\n");
    assert!(
        warning.contains("did not finish within 1s") && warning.contains("`timeout-seconds` (2s)"),
        "{warning}"
    );
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("did not finish within 1s"), "{summary}");
    assert_eq!(outcome.digest.totals.failed, 1);
}

#[tokio::test]
async fn a_storage_host_refusing_its_link_gets_one_fresh_link_then_a_true_note() {
    let blob = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/blob/job-7.txt"))
        .respond_with(ResponseTemplate::new(403).set_body_string(
            "<?xml version=\"1.0\"?><Error><Code>AuthenticationFailed</Code>\
             <Message>Signed expiry time has passed</Message></Error>",
        ))
        .expect(2)
        .mount(&blob)
        .await;
    let api = api_with_a_failed_job(&format!("{}/blob/job-7.txt?sig=old", blob.uri()), 2).await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&api, dir.path())).await;
    let warning = outcome.unwrap().degraded.join("\n");
    assert!(
        warning.contains("storage host 127.0.0.1 answered HTTP 403")
            && warning.contains("signature may have expired")
            && warning.contains("not a permission"),
        "{warning}"
    );
    assert!(!warning.contains("actions: read"), "{warning}");
    assert!(
        !warning.contains("sig=old"),
        "the signed URL is a secret: {warning}"
    );
}

#[tokio::test]
async fn forbidden_annotations_are_one_warning_naming_the_permission() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let jobs = vec![
        job(1, "linux", "failure", Some(4)),
        job(2, "macos", "failure", Some(4)),
    ];
    let log = failed_step_log(&["error: boom"]);
    mount_jobs_and_logs(&server, jobs, &[(1, &log), (2, &log)]).await;
    for id in [1, 2] {
        Mock::given(method("GET"))
            .and(path(format!(
                "/repos/{OWNER_REPO}/check-runs/{id}/annotations"
            )))
            .respond_with(
                ResponseTemplate::new(403)
                    .set_body_json(json!({"message": "Resource not accessible by integration"})),
            )
            .with_priority(1)
            .mount(&server)
            .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    let degraded = outcome.unwrap().degraded;
    assert_eq!(degraded.len(), 1, "{degraded:?}");
    assert!(
        degraded[0].contains("and 1 other job:") && degraded[0].contains("checks: read"),
        "{degraded:?}"
    );
}
