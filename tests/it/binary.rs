//! The real binary, run with the Actions environment against a mock GitHub.

use std::process::Command;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

pub fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_failure-digest"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command
}

#[tokio::test]
async fn in_actions_it_writes_the_summary_and_the_outputs() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let jobs = vec![
        job(1, "build", "success", None),
        job(2, "test | unit", "failure", Some(4)),
    ];
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(ResponseTemplate::new(200).set_body_json(jobs_page(jobs)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/actions/jobs/2/logs")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("2024-05-01T12:00:00.0000000Z ##[error]boom\n"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{OWNER_REPO}/check-runs/2/annotations"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let output = binary_in_actions(&server, dir.path()).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("1 of 2 jobs failed"), "{summary}");
    assert!(summary.contains("The job failed at step **"), "{summary}");
    assert!(
        !summary.contains("| test | unit |"),
        "a `|` in a job name must not split the table: {summary}"
    );
    let outputs = std::fs::read_to_string(dir.path().join("output.txt")).unwrap();
    assert!(
        outputs.contains("failed-jobs") && outputs.contains("\n1\n")
            || outputs.contains("failed-jobs=1"),
        "{outputs}"
    );
    assert!(outputs.contains("failure"), "{outputs}");
}

#[tokio::test]
async fn in_actions_a_retry_is_a_notice_and_nothing_is_ansi_coloured() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad gateway</html>"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(jobs_page(vec![job(1, "build", "success", None)])),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let output = binary_in_actions(&server, dir.path()).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("::notice::") && l.contains("retrying")),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b'), "{stderr}");
}

/// The real binary in the Actions environment of [`actions_env`], against `server`.
async fn binary_in_actions(server: &MockServer, dir: &std::path::Path) -> std::process::Output {
    let env = actions_env(server, dir);
    tokio::task::spawn_blocking(move || binary().envs(env).output().unwrap())
        .await
        .unwrap()
}

/// The binary with just enough of the Actions environment to get past configuration.
fn minimal_actions_binary() -> Command {
    let mut command = binary();
    command
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "o/r")
        .env("GITHUB_RUN_ID", "1")
        .env("INPUT_GITHUB-TOKEN", "x");
    command
}

/// Runs the binary with `envs` over [`minimal_actions_binary`]'s, the API on a port where
/// nothing listens (a request would fail differently), and expects a refusal: exit 1. Its stderr.
fn refused(envs: &[(&str, &str)]) -> String {
    let output = minimal_actions_binary()
        .env("GITHUB_API_URL", "http://127.0.0.1:9")
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    stderr
}

#[test]
fn bad_configuration_exits_non_zero_with_an_error_line() {
    let output = minimal_actions_binary()
        .env("INPUT_MAX-LINES", "many")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("::error::input `max-lines` must be a whole number"),
        "{stderr}"
    );
}

#[test]
fn a_token_no_header_can_carry_is_an_error_line_not_a_crash() {
    let stderr = refused(&[("INPUT_GITHUB-TOKEN", "ghp_abc\ndef\n")]);
    assert!(
        stderr.starts_with("::error::the GitHub token holds characters no token has"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("ghp_abc"),
        "the token is never echoed: {stderr}"
    );
}

#[test]
fn an_api_url_without_a_scheme_is_an_error_line_not_a_crash() {
    let stderr = refused(&[("GITHUB_API_URL", "127.0.0.1:9")]);
    assert!(
        stderr
            .starts_with("::error::GITHUB_API_URL `127.0.0.1:9` is not an http:// or https:// URL"),
        "{stderr}"
    );
}

#[test]
fn run_attempt_zero_exits_with_an_error_before_any_request() {
    let stderr = refused(&[("GITHUB_RUN_ATTEMPT", "0")]);
    assert!(
        stderr.starts_with("::error::GITHUB_RUN_ATTEMPT must be a number from 1, got `0`"),
        "{stderr}"
    );
}

#[test]
fn a_template_syntax_error_names_file_line_and_column_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.hbs"), "ok\n{{#each jobs}}\n{{name}\n").unwrap();
    let output = minimal_actions_binary()
        .env("GITHUB_API_URL", "http://127.0.0.1:9") // nothing listens: a request would fail differently
        .env("GITHUB_WORKSPACE", dir.path())
        .env("INPUT_SUMMARY-TEMPLATE", "t.hbs")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("t.hbs has a template error at line 3"),
        "{stderr}"
    );
}

#[test]
fn a_reader_that_stops_early_is_no_error() {
    // `failure-digest … | head`: the pipe closes before the digest is written.
    let mut child = binary()
        .args([
            "--replay",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rust-ci-failure"),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn partials_that_include_each_other_are_refused_before_any_request() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.hbs"),
        "{{#*inline \"a\"}}{{> b}}{{/inline}}{{#*inline \"b\"}}{{> a}}{{/inline}}{{> a}}\n",
    )
    .unwrap();
    // Exit 1, not an abort from a stack overflow.
    let stderr = refused(&[
        ("GITHUB_WORKSPACE", dir.path().to_str().unwrap()),
        ("INPUT_SUMMARY-TEMPLATE", "t.hbs"),
    ]);
    assert!(
        stderr.contains("partials include each other without end (a → b → a)"),
        "{stderr}"
    );
}

#[test]
fn the_bundled_replay_runs_offline() {
    let output = binary()
        .args([
            "--replay",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rust-ci-failure"),
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("3 of 5 jobs failed"), "{stdout}");
    // A verdict of three kinds (issue 25).
    for verdict in [
        "caused by this PR",
        "already failing on main",
        "infrastructure",
    ] {
        assert!(
            stdout.contains(&format!("**{verdict}**: ")),
            "{verdict}: {stdout}"
        );
    }
    assert!(stdout.contains("<!-- failure-digest:CI -->"), "{stdout}");
}

#[test]
fn help_reads_well() {
    let output = binary().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--repo",
        "--run-id",
        "--attempt",
        "--dry-run",
        "--replay",
        "--format",
    ] {
        assert!(help.contains(flag), "{help}");
    }
}

#[test]
fn json_printed_inside_actions_is_fenced_against_workflow_commands() {
    let dir = tempfile::tempdir().unwrap();
    let recording = dir.path().join("rec");
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rust-ci-failure");
    std::fs::create_dir_all(recording.join("logs")).unwrap();
    std::fs::copy(format!("{source}/jobs.json"), recording.join("jobs.json")).unwrap();
    std::fs::copy(format!("{source}/run.json"), recording.join("run.json")).unwrap();
    std::fs::write(
        recording.join("logs/31013.log"),
        "2026-11-20T14:03:30.0000000Z ##[group]Run cargo test --locked --all-targets\n\
         2026-11-20T14:03:30.1000000Z ##[endgroup]\n\
         2026-11-20T14:03:31.0000000Z ::add-mask::oops\n\
         2026-11-20T14:03:32.0000000Z ::error::injected\n\
         2026-11-20T14:03:33.0000000Z ##[error]Process completed with exit code 101.\n",
    )
    .unwrap();
    let output = binary()
        .env("GITHUB_ACTIONS", "true")
        .args([
            "--replay".as_ref(),
            recording.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let first = stdout.lines().next().unwrap();
    let token = first
        .strip_prefix("::stop-commands::")
        .expect("fenced from the first line");
    assert!(token.len() >= 32, "an unguessable token: {token}");
    assert!(
        stdout.trim_end().ends_with(&format!("::{token}::")),
        "{stdout}"
    );
    assert!(
        stdout.contains("add-mask"),
        "the hostile line is still reported, inside the fence"
    );
}
