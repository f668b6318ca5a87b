//! Listing the jobs of a run attempt: pagination, retries, rate limits, and errors that name the fix.

use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

async fn mount_no_logs(server: &MockServer) {
    // Failed jobs' logs and annotations are not what these tests are about.
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(r"/(logs|annotations)$"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})))
        .mount(server)
        .await;
}

#[tokio::test]
async fn every_page_is_read_with_per_page_100() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_no_logs(&server).await;
    let next = |page: u32| {
        format!(
            "<{}{}?per_page=100&page={page}>; rel=\"next\"",
            server.uri(),
            jobs_route(1)
        )
    };
    for (page, ids) in [(1u32, 1..=100u64), (2, 101..=200), (3, 201..=230)] {
        let jobs = ids
            .map(|id| {
                job(
                    id,
                    &format!("shard {id}"),
                    if id == 150 { "failure" } else { "success" },
                    None,
                )
            })
            .collect();
        let mut response = ResponseTemplate::new(200).set_body_json(jobs_page(jobs));
        if page < 3 {
            response = response.insert_header("link", next(page + 1).as_str());
        }
        let mut mock = Mock::given(method("GET"))
            .and(path(jobs_route(1)))
            .and(query_param("per_page", "100"));
        mock = if page == 1 {
            mock.and(wiremock::matchers::query_param_is_missing("page"))
        } else {
            mock.and(query_param("page", page.to_string()))
        };
        // Every request names the REST version the models were written against.
        // Every request names the REST version the models were written against.
        mock.and(header("authorization", "Bearer ghs_secret"))
            .and(|request: &wiremock::Request| {
                request
                    .headers
                    .get("x-github-api-version")
                    .is_some_and(|v| v == "2022-11-28")
            })
            .respond_with(response)
            .expect(1)
            .mount(&server)
            .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.digest.totals.jobs, 230);
    assert_eq!(outcome.digest.totals.failed, 1);
    assert_eq!(outcome.digest.failed_jobs[0].name, "shard 150");
}

#[tokio::test]
async fn a_server_that_ignores_page_cannot_multiply_the_jobs() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_no_logs(&server).await;
    let jobs = vec![
        job(1, "build", "failure", None),
        job(2, "test", "failure", None),
    ];
    let next = format!(
        "<{}{}?per_page=100&page=2>; rel=\"next\"",
        server.uri(),
        jobs_route(1)
    );
    // Every page is the first one, and every page links a next.
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(jobs_page(jobs))
                .insert_header("link", next.as_str()),
        )
        .expect(2)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.digest.totals.jobs, 2);
    assert_eq!(outcome.digest.totals.failed, 2);
}

/// The jobs listing answers `first` once, then a page with one passing job.
pub async fn mount_jobs_answering_first(server: &MockServer, first: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(jobs_page(vec![job(1, "build", "success", None)])),
        )
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_502_is_retried_with_backoff() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_jobs_answering_first(
        &server,
        ResponseTemplate::new(502).set_body_string("<html>Bad gateway</html>"),
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    assert_eq!(outcome.unwrap().digest.conclusion, "success");
}

async fn error_for(status: u16, body: serde_json::Value) -> String {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("x-github-request-id", "C0DE:1234")
                .set_body_json(body),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    assert!(
        !dir.path().join("summary.md").exists(),
        "no summary on a fatal error"
    );
    format!("{:#}", outcome.unwrap_err())
}

#[tokio::test]
async fn errors_name_the_fix() {
    let error = error_for(
        401,
        json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}),
    )
    .await;
    assert!(
        error.contains("HTTP 401")
            && error.contains("Bad credentials")
            && error.contains("`github-token`"),
        "{error}"
    );
    assert!(error.contains("request id C0DE:1234"), "{error}");
    assert!(
        !error.contains("ghs_secret"),
        "the token must never be printed: {error}"
    );

    let error = error_for(
        403,
        json!({"message": "Resource not accessible by integration"}),
    )
    .await;
    assert!(
        error.contains("HTTP 403") && error.contains("permissions: actions: read"),
        "{error}"
    );

    let error = error_for(404, json!({"message": "Not Found"})).await;
    assert!(
        error.contains("HTTP 404") && error.contains("run-id") && error.contains(OWNER_REPO),
        "{error}"
    );
}

#[tokio::test]
async fn the_reporters_own_running_job_and_excluded_jobs_are_left_out() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let mut own = job(3, "report", "success", None);
    own["status"] = json!("in_progress");
    own["conclusion"] = json!(null);
    own["completed_at"] = json!(null);
    own["runner_name"] = json!("GitHub Actions 7");
    let jobs = vec![
        job(1, "build", "success", None),
        job(2, "lint (docs)", "failure", Some(4)),
        own,
    ];
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(jobs)))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env(&server, dir.path());
    env.insert("RUNNER_NAME".into(), "GitHub Actions 7".into());
    env.insert("INPUT_EXCLUDE-JOBS".into(), "lint*".into());
    let (outcome, _) = run_with_env(&env).await;
    let digest = outcome.unwrap().digest;
    assert_eq!(
        digest
            .jobs
            .iter()
            .map(|j| j.name.as_str())
            .collect::<Vec<_>>(),
        ["build"]
    );
    assert_eq!(digest.conclusion, "success");
}

/// A job's page pasted from the browser digests that one job (`GET …/actions/jobs/{id}`).
#[tokio::test]
async fn a_pasted_job_url_digests_that_job_and_checks_its_run() {
    use failure_digest::cli::Cli;
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let mut one = job(7, "test (linux)", "failure", Some(4));
    one["run_id"] = json!(RUN_ID);
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/actions/jobs/7")))
        .respond_with(ResponseTemplate::new(200).set_body_json(one))
        .expect(2)
        .mount(&server)
        .await;
    mount_log(&server, 7, &failed_step_log(&["error: boom"])).await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env(&server, dir.path());
    env.remove("GITHUB_REPOSITORY");
    env.remove("GITHUB_RUN_ID");
    let url = format!("https://github.com/{OWNER_REPO}/actions/runs/{RUN_ID}/job/7");
    let cli = Cli {
        url: Some(url),
        ..Cli::default()
    };
    let (outcome, _) = run_with_cli(&cli, &env).await;
    let digest = outcome.unwrap().digest;
    assert_eq!((digest.totals.jobs, digest.run.id), (1, RUN_ID));
    assert!(digest.failed_jobs[0].excerpt_text.contains("error: boom"));

    let other_run = Cli {
        url: Some(format!(
            "https://github.com/{OWNER_REPO}/actions/runs/1/job/7"
        )),
        ..Cli::default()
    };
    let (outcome, _) = run_with_cli(&other_run, &env).await;
    let error = format!("{:#}", outcome.unwrap_err());
    assert!(
        error.contains(&format!("job 7 belongs to run {RUN_ID}, not to run 1")),
        "{error}"
    );
}
