//! A mock GitHub and helpers to run the program against it.

use std::collections::HashMap;
use std::time::Duration;

use failure_digest::app::{self, Outcome};
use failure_digest::cli::Cli;
use failure_digest::config::Config;
use failure_digest::github::RetryPolicy;
use serde_json::{json, Value};
use wiremock::matchers::{any, method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const OWNER_REPO: &str = "octo-org/octo-repo";
pub const RUN_ID: u64 = 29679449;

/// Loads a JSON fixture from `tests/data/`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .unwrap()
}

/// A job in GitHub's exact shape (the OpenAPI example), renamed and re-concluded.
/// `failed_step`: the step number that failed, others succeed.
pub fn job(id: u64, name: &str, conclusion: &str, failed_step: Option<u64>) -> Value {
    let mut job = fixture("openapi-job-paginated.json")["jobs"][0].clone();
    job["id"] = json!(id);
    job["name"] = json!(name);
    job["conclusion"] = json!(conclusion);
    job["html_url"] = json!(format!(
        "https://github.com/{OWNER_REPO}/actions/runs/{RUN_ID}/job/{id}"
    ));
    job["check_run_url"] = json!(format!(
        "https://api.github.com/repos/{OWNER_REPO}/check-runs/{id}"
    ));
    if let Some(failed) = failed_step {
        for step in job["steps"].as_array_mut().unwrap() {
            let n = step["number"].as_u64().unwrap();
            step["conclusion"] = json!(match n.cmp(&failed) {
                std::cmp::Ordering::Less => "success",
                std::cmp::Ordering::Equal => "failure",
                std::cmp::Ordering::Greater => "skipped",
            });
        }
    }
    job
}

pub fn jobs_page(jobs: Vec<Value>) -> Value {
    json!({ "total_count": jobs.len(), "jobs": jobs })
}

pub fn jobs_route(attempt: u32) -> String {
    format!("/repos/{OWNER_REPO}/actions/runs/{RUN_ID}/attempts/{attempt}/jobs")
}

/// Any request nobody expected fails the test loudly when the server is dropped.
///
/// One answer is given by default: a pull request's changed files (issue 25) are an empty list,
/// as GitHub answers for a PR whose commits cancel out, so the tests about something else need
/// not mount them. Tests of the change mount their own (any priority above `u8::MAX - 1` wins).
pub async fn fail_on_unexpected(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path_regex(r"^/repos/[^/]+/[^/]+/pulls/\d+/files$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .with_priority(u8::MAX - 1)
        .named("a pull request's changed files: none")
        .mount(server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(599).set_body_string("unexpected request"))
        .with_priority(u8::MAX)
        .expect(0)
        .named("unexpected request")
        .mount(server)
        .await;
}

/// The Actions environment of a reporter job in `octo-org/octo-repo`, talking to `server`.
pub fn actions_env(server: &MockServer, dir: &std::path::Path) -> HashMap<String, String> {
    actions_env_at(&server.uri(), dir)
}

/// [`actions_env`] for an API at `api_url` (a stub that is not wiremock).
pub fn actions_env_at(api_url: &str, dir: &std::path::Path) -> HashMap<String, String> {
    [
        ("GITHUB_ACTIONS", "true".to_owned()),
        ("GITHUB_API_URL", api_url.to_owned()),
        ("GITHUB_SERVER_URL", "https://github.com".into()),
        ("GITHUB_REPOSITORY", OWNER_REPO.into()),
        ("GITHUB_RUN_ID", RUN_ID.to_string()),
        ("GITHUB_RUN_ATTEMPT", "1".into()),
        ("GITHUB_WORKFLOW", "CI".into()),
        ("GITHUB_EVENT_NAME", "push".into()),
        ("INPUT_GITHUB-TOKEN", "ghs_secret".into()),
        ("INPUT_COMMENT", "never".into()),
        // The passing-log lookup has its own tests (passing.rs); here it would only add calls.
        ("INPUT_PASSING-LOG", "false".into()),
        (
            "GITHUB_STEP_SUMMARY",
            dir.join("summary.md").display().to_string(),
        ),
        (
            "GITHUB_OUTPUT",
            dir.join("output.txt").display().to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// Retries fast enough for tests, with the same shape as the real policy.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_backoff: Duration::from_millis(10),
        max_total_wait: Duration::from_secs(5),
        unannounced_limit_wait: Duration::from_millis(20),
        log_stall: Duration::from_secs(5),
    }
}

/// Runs the library entry point with `env`; returns the outcome and what was printed.
pub async fn run_with_env(env: &HashMap<String, String>) -> (anyhow::Result<Outcome>, String) {
    run_with_cli(&Cli::default(), env).await
}

/// [`run_with_env`] with flags, as a terminal user gives them.
pub async fn run_with_cli(
    cli: &Cli,
    env: &HashMap<String, String>,
) -> (anyhow::Result<Outcome>, String) {
    run_with_policy(cli, env, fast_retry()).await
}

/// [`run_with_cli`] under `retry` (a short `log_stall`, say).
pub async fn run_with_policy(
    cli: &Cli,
    env: &HashMap<String, String>,
    retry: RetryPolicy,
) -> (anyhow::Result<Outcome>, String) {
    let config = match Config::load(cli, &|name: &str| env.get(name).cloned()) {
        Ok(config) => config,
        Err(error) => return (Err(error), String::new()),
    };
    let mut stdout = Vec::new();
    let result = app::run(&config, retry, &mut stdout).await;
    (result, String::from_utf8(stdout).unwrap())
}

/// A raw job log whose lines fall inside the failed step of [`job`] with `failed_step = 4`
/// (`Run actions/cache@v3`, 17:42:45Z to 17:42:48Z on 2020-01-20), as a real log's would: the
/// analyzer attributes lines to steps by these times. Ends with the runner's exit-code error.
pub fn failed_step_log(lines: &[&str]) -> String {
    let mut log = String::from(
        "2020-01-20T17:42:45.1000000Z ##[group]Run actions/cache@v3\n\
         2020-01-20T17:42:45.2000000Z ##[endgroup]\n",
    );
    for (i, line) in lines.iter().enumerate() {
        log.push_str(&format!("2020-01-20T17:42:46.{:07}Z {line}\n", i * 1000));
    }
    log.push_str("2020-01-20T17:42:47.9000000Z ##[error]Process completed with exit code 101.\n");
    log
}

/// [`job`] as the jobs API shows it while it runs: no conclusion yet, the steps after
/// `failed_step` (or all, without one) not finished.
pub fn running_job(id: u64, name: &str, failed_step: Option<u64>) -> Value {
    let mut job = job(id, name, "success", failed_step);
    job["status"] = json!("in_progress");
    job["conclusion"] = Value::Null;
    job["completed_at"] = Value::Null;
    for step in job["steps"].as_array_mut().unwrap() {
        let n = step["number"].as_u64().unwrap();
        if failed_step.is_none_or(|failed| n > failed) {
            step["status"] = json!("in_progress");
            step["conclusion"] = Value::Null;
        }
    }
    job
}

/// Mounts `jobs` as the run's listing and, for each `(id, log)`, its log and empty annotations.
pub async fn mount_jobs_and_logs(server: &MockServer, jobs: Vec<Value>, logs: &[(u64, &str)]) {
    use wiremock::matchers::path;
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(jobs)))
        .mount(server)
        .await;
    for (id, log) in logs {
        mount_log(server, *id, log).await;
    }
}

/// Run `run`'s jobs as `GET …/runs/{run}/jobs?filter=latest` lists them, asked for once (the
/// base branch's or another run's jobs, read by the insights).
pub async fn mount_latest_jobs(server: &MockServer, run: u64, jobs: Vec<Value>) {
    use wiremock::matchers::{path, query_param};
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/actions/runs/{run}/jobs")))
        .and(query_param("filter", "latest"))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(jobs)))
        .expect(1)
        .mount(server)
        .await;
}

/// Job `id`'s log (downloaded once) and its check run without annotations.
pub async fn mount_log(server: &MockServer, id: u64, log: &str) {
    mount_slow_log(server, id, log, Duration::ZERO, 1).await;
}

/// [`mount_log`], the log answered after `delay` and downloaded `times` times.
pub async fn mount_slow_log(server: &MockServer, id: u64, log: &str, delay: Duration, times: u64) {
    use wiremock::matchers::path;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/actions/jobs/{id}/logs")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(log)
                .set_delay(delay),
        )
        .expect(times)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{OWNER_REPO}/check-runs/{id}/annotations"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(server)
        .await;
}

/// [`actions_env`] of a `pull_request` run: PR #7 at `abc1234`, based on `main`.
pub fn pull_request_env(server: &MockServer, dir: &std::path::Path) -> HashMap<String, String> {
    let event = dir.join("event.json");
    std::fs::write(
        &event,
        json!({"pull_request": {"number": 7, "head": {"sha": "abc1234"}, "base": {"ref": "main"}}})
            .to_string(),
    )
    .unwrap();
    let mut env = actions_env(server, dir);
    env.insert("GITHUB_EVENT_NAME".into(), "pull_request".into());
    env.insert("GITHUB_EVENT_PATH".into(), event.display().to_string());
    env
}
