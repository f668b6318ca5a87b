//! A log download that stops sending bytes is noticed after `log_stall` (30 s in production,
//! a fraction of a second here), resumed once from the byte it stopped at with a `Range`
//! request, and then given up for that job only: the report goes on, whatever time
//! `timeout-seconds` would still allow.

use std::time::{Duration, Instant};

use failure_digest::cli::Cli;
use failure_digest::github::{RetryPolicy, LOG_STALL_TIMEOUT};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::faults::api_with_a_failed_job;
use crate::raw_http::{Answer, RawHttp};
use crate::support::*;

const STALL: Duration = Duration::from_millis(300);

fn stalling_policy() -> RetryPolicy {
    RetryPolicy {
        log_stall: STALL,
        ..fast_retry()
    }
}

fn the_log() -> String {
    let lines: Vec<String> = (0..40)
        .map(|i| format!("warning: line {i} of the build"))
        .chain(["error: linking with `cc` failed: exit status: 1".to_owned()])
        .collect();
    failed_step_log(&lines.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn the_production_stall_time_is_thirty_seconds() {
    assert_eq!(LOG_STALL_TIMEOUT, Duration::from_secs(30));
    assert_eq!(RetryPolicy::default().log_stall, LOG_STALL_TIMEOUT);
}

#[tokio::test]
async fn a_stalled_download_resumes_with_a_range_request_from_where_it_stopped() {
    let log = the_log();
    let sent = log.len() / 2 + 3;
    let blob = RawHttp::start(vec![
        Answer::Stall {
            body: log.clone(),
            sent,
        },
        Answer::Ranged(log),
    ])
    .await;
    let api = api_with_a_failed_job(&format!("{}/blob/job-7.txt?sig=abc", blob.uri), 2).await;
    let dir = tempfile::tempdir().unwrap();
    let env = actions_env(&api, dir.path());
    let (outcome, _) = run_with_policy(&Cli::default(), &env, stalling_policy()).await;
    let outcome = outcome.unwrap();
    assert!(outcome.degraded.is_empty(), "{:?}", outcome.degraded);
    let job = &outcome.digest.failed_jobs[0];
    assert!(
        job.excerpt_text.contains("linking with `cc` failed"),
        "{}",
        job.excerpt_text
    );
    let numbers: Vec<u64> = job.excerpt.iter().map(|l| l.line_number).collect();
    assert!(
        numbers.windows(2).all(|pair| pair[0] < pair[1]),
        "lines repeat after resuming: {numbers:?}"
    );
    let heads = blob.heads();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(!heads[0].contains("range:"), "{}", heads[0]);
    assert!(
        heads[1].contains(&format!("range: bytes={sent}-")),
        "{}",
        heads[1]
    );
    assert!(!heads[1].contains("authorization"), "{}", heads[1]);
}

#[tokio::test]
async fn a_download_that_stalls_again_is_noted_and_the_report_goes_on_at_once() {
    let log = the_log();
    let blob = RawHttp::start(vec![
        Answer::Stall {
            body: log.clone(),
            sent: 100,
        },
        Answer::Stall { body: log, sent: 0 },
    ])
    .await;
    let api = api_with_a_failed_job(&format!("{}/blob/job-7.txt", blob.uri), 2).await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env(&api, dir.path());
    // The run's budget would allow minutes: the stall, not the budget, ends the download.
    env.insert("INPUT_TIMEOUT-SECONDS".into(), "300".into());
    let started = Instant::now();
    let (outcome, _) = run_with_policy(&Cli::default(), &env, stalling_policy()).await;
    let outcome = outcome.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let warning = outcome.degraded.join("\n");
    assert!(
        warning.contains("job `test`") && warning.contains("stalled twice"),
        "{warning}"
    );
    assert_eq!(blob.requests(), 2);
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("Log excerpt unavailable"), "{summary}");
    assert!(summary.contains("1 of 1 job failed"), "{summary}");
}

#[tokio::test]
async fn a_storage_host_that_does_not_answer_at_all_is_asked_once_more() {
    let blob = MockServer::start().await;
    let log = the_log();
    Mock::given(method("GET"))
        .and(path("/blob/job-7.txt"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(log.clone())
                .set_delay(Duration::from_secs(3)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&blob)
        .await;
    Mock::given(method("GET"))
        .and(path("/blob/job-7.txt"))
        .respond_with(ResponseTemplate::new(200).set_body_string(log))
        .expect(1)
        .mount(&blob)
        .await;
    let api = api_with_a_failed_job(&format!("{}/blob/job-7.txt", blob.uri()), 2).await;
    let dir = tempfile::tempdir().unwrap();
    let env = actions_env(&api, dir.path());
    let started = Instant::now();
    let (outcome, _) = run_with_policy(&Cli::default(), &env, stalling_policy()).await;
    let outcome = outcome.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(outcome.degraded.is_empty(), "{:?}", outcome.degraded);
    let excerpt = &outcome.digest.failed_jobs[0].excerpt_text;
    assert!(excerpt.contains("linking with `cc` failed"), "{excerpt}");
}
