//! Each verdict from the evidence that decides it, the run-level outputs, and the summary.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

/// A test that fails in this PR: the panic names `src/parser.rs:41`.
fn panic_log() -> String {
    failed_step_log(&[
        "running 12 tests",
        "thread 'parser::case_7' panicked at src/parser.rs:41:9:",
        "assertion `left == right` failed",
        "test result: FAILED. 11 passed; 1 failed; 0 ignored; finished in 0.03s",
    ])
}

/// A dependency's panic, whose path and line number change with the dependency's version:
/// the same failure on main and in the PR, numbers and paths aside.
fn tokio_panic_log(version: &str, line: u32) -> String {
    failed_step_log(&[
        "running 3 tests",
        &format!(
            "thread 'store::tests::roundtrip' panicked at /home/runner/.cargo/registry/src/index.crates.io-6f17d22bba15001f/tokio-{version}/src/runtime/blocking/shutdown.rs:{line}:21:"
        ),
        "Cannot drop a runtime in a context where blocking is not allowed.",
    ])
}

/// Main's job `test` (101) log, read once: the only base log a verdict needs.
async fn mount_main_log(server: &MockServer, log: &str) {
    mount_log(server, 101, log).await;
}

/// PR #7 where `test` fails with `log`, compared with main whose `test` is `main_test`.
async fn test_fails_in_the_pr(
    server: &MockServer,
    dir: &tempfile::TempDir,
    log: &str,
    main_test: serde_json::Value,
) -> Env {
    let mut env = pr_run(server, dir, vec![failing(1, "test")], &[(1, log)]).await;
    with_main(
        server,
        &mut env,
        Some(vec![main_test, main_job(102, "docs", "success", None)]),
    )
    .await;
    env
}

#[tokio::test]
async fn a_job_main_passes_is_caused_here_and_the_summary_says_so_before_the_excerpt() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env = test_fails_in_the_pr(
        &server,
        &dir,
        &panic_log(),
        main_job(101, "test", "success", None),
    )
    .await;
    let (digest, degraded) = digest_of(&env).await;
    assert!(degraded.is_empty(), "{degraded:?}");

    let verdict = diagnosis(&digest, "test");
    assert_eq!(verdict.kind, DiagnosisKind::CausedHere);
    assert_eq!(verdict.label, "caused by this PR");
    assert_eq!(
        verdict.evidence,
        "run #812 on main at 0123456 passes “test”"
    );
    assert_eq!(verdict.next_action.kind, ActionKind::Fix);
    assert_eq!(
        verdict.next_action.location.as_deref(),
        Some("src/parser.rs:41")
    );
    assert_eq!(
        verdict.next_action.text,
        "Fix it in this PR, starting at src/parser.rs:41"
    );
    assert_no_rerun(verdict);
    assert_eq!(
        digest.jobs[0].diagnosis_label.as_deref(),
        Some("caused by this PR")
    );
    assert_eq!(wire_verdict(&dir), ("caused_here".into(), "fix".into()));

    // The verdict and what to do come first; the excerpt backs them up.
    let summary = summary(&dir);
    let verdict_at = summary.find("**caused by this PR**: run ").expect(&summary);
    let action_at = summary
        .find("→ Fix it in this PR, starting at src/parser.rs:41")
        .expect(&summary);
    let excerpt_at = summary
        .find("panicked at src/parser.rs:41:9")
        .expect(&summary);
    assert!(
        verdict_at < action_at && action_at < excerpt_at,
        "{summary}"
    );
}

#[tokio::test]
async fn a_job_main_fails_at_a_later_step_is_caused_here_without_reading_mains_log() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    // Main's log is not mounted: `fail_on_unexpected` fails the test if it is asked for.
    let env = test_fails_in_the_pr(
        &server,
        &dir,
        &panic_log(),
        main_job(101, "test", "failure", Some(7)),
    )
    .await;
    let (digest, _) = digest_of(&env).await;
    let verdict = diagnosis(&digest, "test");
    assert_eq!(verdict.kind, DiagnosisKind::CausedHere);
    assert_eq!(
        verdict.evidence,
        format!("run #812 on main at 0123456 fails “test” at step “Run Tests”, and passes “{FAILING_STEP}”")
    );
    assert_eq!(verdict.next_action.kind, ActionKind::Fix);
}

#[tokio::test]
async fn a_job_main_fails_before_reaching_our_step_is_unknown() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env = test_fails_in_the_pr(
        &server,
        &dir,
        &panic_log(),
        main_job(101, "test", "failure", Some(3)),
    )
    .await;
    let (digest, _) = digest_of(&env).await;
    let verdict = diagnosis(&digest, "test");
    assert_eq!(verdict.kind, DiagnosisKind::Unknown, "{verdict:?}");
    assert_eq!(
        verdict.evidence,
        format!("run #812 on main at 0123456 fails “test” at step “Set up Ruby”; “{FAILING_STEP}” did not pass there")
    );
}

#[tokio::test]
async fn a_job_main_fails_at_the_same_step_with_another_first_error_is_caused_here() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env = test_fails_in_the_pr(
        &server,
        &dir,
        &panic_log(),
        main_job(101, "test", "failure", Some(4)),
    )
    .await;
    mount_main_log(&server, &tokio_panic_log("1.36.0", 48)).await;
    let (digest, _) = digest_of(&env).await;
    let verdict = diagnosis(&digest, "test");
    assert_eq!(verdict.kind, DiagnosisKind::CausedHere, "{verdict:?}");
    assert!(
        verdict.evidence.starts_with(
            "run #812 on main at 0123456 fails “test” at the same step, but with another first error there: “thread 'store::tests::roundtrip' panicked"
        ),
        "{}",
        verdict.evidence
    );
    assert_eq!(
        verdict.next_action.location.as_deref(),
        Some("src/parser.rs:41")
    );
}

#[tokio::test]
async fn a_job_main_fails_the_same_way_numbers_and_paths_aside_is_already_failing() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let ours = tokio_panic_log("1.37.0", 51);
    let env = test_fails_in_the_pr(
        &server,
        &dir,
        &ours,
        main_job(101, "test", "failure", Some(4)),
    )
    .await;
    mount_main_log(&server, &tokio_panic_log("1.36.0", 48)).await;
    let (digest, degraded) = digest_of(&env).await;
    assert!(degraded.is_empty(), "{degraded:?}");
    let verdict = diagnosis(&digest, "test");
    assert_eq!(verdict.kind, DiagnosisKind::AlreadyFailing, "{verdict:?}");
    assert_eq!(verdict.label, "already failing on main");
    assert!(
        verdict.evidence.starts_with(
            "run #812 on main at 0123456 fails “test” at the same step with the same first error: “thread 'store::tests::roundtrip' panicked at /home/runner/.cargo/"
        ),
        "{}",
        verdict.evidence
    );
    assert_eq!(verdict.next_action.kind, ActionKind::Nothing);
    assert_eq!(
        verdict.next_action.text,
        "Nothing to do in this PR: it fails the same way on main"
    );
    assert_no_rerun(verdict);
    assert_eq!(output(&dir, "diagnosis"), "already_failing");
    assert_eq!(
        wire_verdict(&dir),
        ("already_failing".into(), "nothing".into())
    );
}

/// PR #7 where main fails `test` at the same step, and main's log answers `answer`.
async fn mains_log_answers(answer: ResponseTemplate) -> (Digest, Vec<String>) {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env = test_fails_in_the_pr(
        &server,
        &dir,
        &panic_log(),
        main_job(101, "test", "failure", Some(4)),
    )
    .await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/actions/jobs/101/logs")))
        .respond_with(answer)
        .expect(1)
        .mount(&server)
        .await;
    digest_of(&env).await
}

fn mains_log_refused() -> ResponseTemplate {
    ResponseTemplate::new(403)
        .set_body_json(json!({"message": "Resource not accessible by integration"}))
}

#[tokio::test]
async fn when_mains_log_cannot_be_read_the_verdict_says_so_and_stays_open() {
    let (digest, _) = mains_log_answers(mains_log_refused()).await;
    let verdict = diagnosis(&digest, "test");
    assert_eq!(verdict.kind, DiagnosisKind::Unknown, "{verdict:?}");
    assert!(
        verdict.evidence.starts_with(
            "run #812 on main at 0123456 fails “test” at the same step; its log could not be read ("
        ) && verdict.evidence.contains("HTTP 403"),
        "{}",
        verdict.evidence
    );
}

/// Issue 25: "changed-files lookup and base comparison degrade to a note on 403/404/rate
/// limits"; the changed files do (change.rs), main's log does not.
#[tokio::test]
async fn when_mains_log_cannot_be_read_a_note_says_so() {
    let (digest, degraded) = mains_log_answers(mains_log_refused()).await;
    assert!(!digest.insights.notes.is_empty(), "no note");
    assert!(!degraded.is_empty(), "no warning");
}

#[tokio::test]
async fn a_job_that_passed_in_an_earlier_attempt_is_flaky_whatever_its_log_says() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env = attempt_two(
        &server,
        &dir,
        vec![failing(22, "test"), job(21, "build", "success", None)],
        vec![
            job(12, "test", "success", None),
            job(11, "build", "success", None),
        ],
        &[(22, &panic_log())],
    )
    .await;
    let (digest, _) = digest_of(&env).await;
    let verdict = diagnosis(&digest, "test");
    assert_eq!(verdict.kind, DiagnosisKind::Flaky);
    assert_eq!(
        verdict.evidence,
        "test passed in another attempt of this run, on the same commit"
    );
    assert_eq!(
        verdict.next_action.text,
        "Re-run the failed jobs: the same commit passed before"
    );
    assert_rerun(verdict);
    assert_eq!(output(&dir, "diagnosis"), "flaky");
    assert_eq!(wire_verdict(&dir), ("flaky".into(), "rerun".into()));
    assert_eq!(output(&dir, "rerun-suggested"), "true");
}

#[tokio::test]
async fn a_compile_error_with_no_run_on_main_to_compare_is_unknown() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let log = failed_step_log(&[
        "   Compiling octo v0.1.0 (/home/runner/work/octo-repo/octo-repo)",
        "error[E0308]: mismatched types",
        "  --> src/parser.rs:41:9",
        "error: could not compile `octo` (lib) due to 1 previous error",
    ]);
    let mut env = pr_run(&server, &dir, vec![failing(1, "test")], &[(1, &log)]).await;
    with_main(&server, &mut env, None).await;
    let (digest, _) = digest_of(&env).await;
    let verdict = diagnosis(&digest, "test");
    assert_eq!(verdict.kind, DiagnosisKind::Unknown, "{verdict:?}");
    assert_eq!(verdict.label, "cause unknown");
    assert!(
        verdict
            .evidence
            .contains("this workflow has no completed run there yet"),
        "{}",
        verdict.evidence
    );
    assert_eq!(verdict.next_action.kind, ActionKind::Investigate);
    assert_eq!(wire_verdict(&dir), ("unknown".into(), "investigate".into()));
    assert_no_rerun(verdict);
    assert_eq!(output(&dir, "rerun-suggested"), "false");
}

/// A job cancelled at step 4, its log ending with `last` and the runner's cancellation.
fn cancelled_run_log(last: &[&str]) -> (serde_json::Value, String) {
    let mut job = job(1, "test", "cancelled", Some(4));
    job["steps"][3]["conclusion"] = json!("cancelled");
    let mut log = String::from("2020-01-20T17:42:45.1000000Z ##[group]Run actions/cache@v3\n");
    log.push_str("2020-01-20T17:42:46.0000000Z running 412 tests\n");
    for line in last {
        log.push_str(&format!("2020-01-20T17:42:47.0000000Z {line}\n"));
    }
    log.push_str("2020-01-20T17:42:47.5000000Z ##[error]The operation was canceled.\n");
    (job, log)
}

#[tokio::test]
async fn a_job_cancelled_by_the_runners_shutdown_is_infrastructure() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (job, log) = cancelled_run_log(&[
        "##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.",
    ]);
    let env = push_run(&server, &dir, vec![job], &[(1, &log)]).await;
    let (digest, _) = digest_of(&env).await;
    let verdict = diagnosis(&digest, "test");
    assert_eq!(verdict.kind, DiagnosisKind::Infrastructure);
    assert!(
        verdict
            .evidence
            .starts_with("The runner received a shutdown signal: “The runner has received"),
        "{}",
        verdict.evidence
    );
    assert_rerun(verdict);
    assert_eq!(output(&dir, "diagnosis"), "infrastructure");
    assert_eq!(output(&dir, "rerun-suggested"), "true");
}

#[tokio::test]
async fn a_job_someone_cancelled_has_no_diagnosis() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (job, log) = cancelled_run_log(&[]);
    let env = push_run(&server, &dir, vec![job], &[(1, &log)]).await;
    let (digest, _) = digest_of(&env).await;
    assert_eq!(digest.failed_jobs.len(), 1, "shown, as nothing else failed");
    assert!(digest.failed_jobs[0].diagnosis.is_none());
    assert_eq!(digest.diagnosis, "");
    assert_eq!(output(&dir, "diagnosis"), "");
    assert_eq!(output(&dir, "rerun-suggested"), "false");
}

// --- the run-level outputs ----------------------------------------------------------------------

fn full_disk_log() -> String {
    failed_step_log(&[
        "error: failed to write /home/runner/work/octo-repo/octo-repo/target/debug/deps/libocto-4f2a9c1e.rlib: No space left on device (os error 28)",
    ])
}

#[tokio::test]
async fn failures_of_one_kind_name_it_and_a_rerun_is_suggested_when_it_helps() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (disk, killed) = (
        full_disk_log(),
        step_log(&["   Compiling octo v0.1.0"], 137),
    );
    let env = push_run(
        &server,
        &dir,
        vec![failing(1, "build"), failing(2, "test")],
        &[(1, &disk), (2, &killed)],
    )
    .await;
    let (digest, _) = digest_of(&env).await;
    assert_eq!(digest.diagnosis, "infrastructure");
    assert!(digest.rerun_suggested);
    assert_eq!(output(&dir, "diagnosis"), "infrastructure");
    assert_eq!(output(&dir, "rerun-suggested"), "true");
}

#[tokio::test]
async fn failures_of_different_kinds_are_mixed_and_a_rerun_is_suggested_only_if_all_need_one() {
    // An infrastructure failure and a compile error (unknown on a push): no re-run.
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let compile = failed_step_log(&["error[E0308]: mismatched types", "  --> src/parser.rs:41:9"]);
    let disk = full_disk_log();
    let env = push_run(
        &server,
        &dir,
        vec![failing(1, "build"), failing(2, "test")],
        &[(1, &disk), (2, &compile)],
    )
    .await;
    let (digest, _) = digest_of(&env).await;
    assert_eq!(kind(&digest, "build"), DiagnosisKind::Infrastructure);
    assert_eq!(kind(&digest, "test"), DiagnosisKind::Unknown);
    assert!(diagnosis(&digest, "test")
        .evidence
        .contains("this run is not for a pull request"));
    assert_eq!(output(&dir, "diagnosis"), "mixed");
    assert_eq!(output(&dir, "rerun-suggested"), "false");

    // A flaky job and an infrastructure failure: mixed, but a re-run fixes both.
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env = attempt_two(
        &server,
        &dir,
        vec![failing(21, "build"), failing(22, "test")],
        vec![failing(11, "build"), job(12, "test", "success", None)],
        &[(21, &disk), (22, &compile)],
    )
    .await;
    let (digest, _) = digest_of(&env).await;
    assert_eq!(kind(&digest, "build"), DiagnosisKind::Infrastructure);
    assert_eq!(kind(&digest, "test"), DiagnosisKind::Flaky);
    assert_eq!(output(&dir, "diagnosis"), "mixed");
    assert_eq!(output(&dir, "rerun-suggested"), "true");
}
