//! The digest tells the truth in the situations real workflows produce: used inside the failing
//! job, jobs still running, skipped jobs, fail-fast cancellations, a run that was only
//! cancelled, an invalid workflow file, a timeout. Each through the library's entry point
//! against a mock GitHub with the API's response shapes.

use std::collections::HashMap;

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::comment::{event, pull_request_run, CREATE};
use crate::support::*;
use crate::thread::*;

fn summary(dir: &tempfile::TempDir) -> String {
    std::fs::read_to_string(dir.path().join("summary.md")).unwrap()
}

fn outputs(dir: &tempfile::TempDir) -> String {
    std::fs::read_to_string(dir.path().join("output.txt")).unwrap()
}

/// The most natural setup: `- uses: failure-digest` with `if: failure()` as the last step of
/// `test`. The jobs API shows `test` running, its step 4 failed; its log cannot be had yet.
#[tokio::test]
async fn used_as_a_step_of_the_failing_job_it_reports_that_job_as_failed() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let mut own = running_job(2, "test", Some(4));
    own["runner_name"] = json!("GitHub Actions 7");
    mount_jobs_and_logs(&server, vec![job(1, "build", "success", None), own], &[]).await;
    // Its annotations can be read while it runs; its log is not asked for (404 until it ends).
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{OWNER_REPO}/check-runs/2/annotations"
        )))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("openapi-check-annotation-items.json")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env(&server, dir.path());
    env.insert("RUNNER_NAME".into(), "GitHub Actions 7".into());
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.digest.conclusion, "failure");
    let summary = summary(&dir);
    assert!(summary.contains("1 of 2 jobs failed"), "{summary}");
    assert!(
        summary.contains("The job is failing (still running) at step **Run actions/cache"),
        "{summary}"
    );
    assert!(
        summary.contains("README.md:2"),
        "annotations shown: {summary}"
    );
    assert!(
        summary.contains("GitHub serves its log only once it ends")
            && summary.contains("In the failing job itself"),
        "{summary}"
    );
    let outputs = outputs(&dir);
    assert!(
        outputs.contains("conclusion=failure") && outputs.contains("failed-jobs=1"),
        "{outputs}"
    );
}

#[tokio::test]
async fn a_job_still_running_is_never_a_pass_and_never_resolves_the_comment() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let jobs = vec![
        job(1, "build", "success", None),
        job(2, "lint", "success", None),
        running_job(3, "test", None),
    ];
    mount_jobs_and_logs(&server, jobs, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let payload = event("pull_request.opened.json");
    let env = crate::comment::env_with_event(&server, dir.path(), "pull_request", &payload);
    // An earlier red digest stays as it is: no listing, no PATCH.
    let thread = Thread::new(
        &server,
        2,
        vec![comment(5, 2, BOT, &format!("{MARKER}\nred"))],
    );
    thread.mount(&server, Calls::default()).await;
    let (outcome, printed) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.digest.conclusion, "in_progress");
    assert!(
        printed.contains("still running and none has failed"),
        "{printed}"
    );
    let summary = summary(&dir);
    assert!(
        summary.contains("1 of 3 jobs still running, none failed so far"),
        "{summary}"
    );
    assert!(!summary.contains("passed\n"), "{summary}");
    assert!(outputs(&dir).contains("conclusion=in_progress"));
    assert_eq!(
        thread.comments()[0]["body"],
        json!(format!("{MARKER}\nred"))
    );
}

#[tokio::test]
async fn skipped_jobs_are_not_counted_as_passed() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let jobs = vec![
        job(1, "build", "success", None),
        job(2, "deploy", "skipped", None),
        job(3, "docs", "skipped", None),
    ];
    mount_jobs_and_logs(&server, jobs, &[]).await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    assert_eq!(outcome.unwrap().digest.conclusion, "success");
    let summary = summary(&dir);
    assert!(
        summary.contains("1 of 3 jobs passed, 2 skipped"),
        "{summary}"
    );
    assert!(!summary.contains("all 3 jobs passed"), "{summary}");
}

/// One matrix leg fails and fail-fast cancels the others: they are named once, not explained,
/// and their logs are not downloaded.
#[tokio::test]
async fn fail_fast_cancellations_are_named_once_after_the_real_failure() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let mut jobs = vec![job(1, "test (linux)", "failure", Some(4))];
    jobs.extend((2..7).map(|id| job(id, &format!("test (leg {id})"), "cancelled", Some(4))));
    let log = failed_step_log(&["error[E0308]: mismatched types"]);
    mount_jobs_and_logs(&server, jobs, &[(1, &log)]).await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    let digest = outcome.unwrap().digest;
    assert_eq!(digest.failed_jobs.len(), 1);
    assert_eq!(digest.cancelled_after_failure.len(), 5);
    let summary = summary(&dir);
    assert!(
        summary.contains("🚫 Cancelled after the failure, so not explained: [test (leg 2)]"),
        "{summary}"
    );
    assert!(!summary.contains("The operation was canceled"), "{summary}");
    assert!(!summary.contains("×5"), "{summary}");
    let outputs = outputs(&dir);
    assert!(outputs.contains("failed-jobs=1"), "{outputs}");
}

#[tokio::test]
async fn a_run_that_was_only_cancelled_opens_no_comment() {
    let (server, dir, env) = pull_request_run("cancelled").await;
    let log = "2024-05-01T12:00:00.0000000Z ##[error]The operation was canceled.\n";
    mount_log(&server, 2, log).await;
    let thread = Thread::new(&server, 2, vec![]);
    thread.mount(&server, Calls::default()).await;
    let (outcome, printed) = run_with_env(&env).await;
    assert_eq!(outcome.unwrap().comment_url, None);
    assert!(
        printed.contains("a cancellation explains nothing"),
        "{printed}"
    );
    assert!(thread.comments().is_empty());
    assert!(summary(&dir).contains("was cancelled"));
}

#[tokio::test]
async fn an_invalid_workflow_file_says_so_with_the_runs_link() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    mount_jobs_and_logs(&server, vec![], &[]).await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/actions/runs/{RUN_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": RUN_ID, "name": "CI", "status": "completed", "conclusion": "startup_failure",
            "event": "push", "head_branch": "main", "workflow_id": 159038,
        })))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (outcome, _) = run_with_env(&actions_env(&server, dir.path())).await;
    assert_eq!(outcome.unwrap().digest.conclusion, "startup_failure");
    let summary = summary(&dir);
    assert!(
        summary.contains("CI: the workflow could not start")
            && summary.contains("workflow file is invalid")
            && summary.contains(&format!("/actions/runs/{RUN_ID}")),
        "{summary}"
    );
    assert!(!summary.contains("passed"), "{summary}");
}

#[tokio::test]
async fn a_timeout_is_said_in_words_in_both_outputs() {
    let (server, dir, env) = pull_request_run("timed_out").await;
    let log = "2024-05-01T12:00:00.0000000Z ##[error]The job running on runner GitHub Actions 3 \
               has exceeded the maximum execution time of 10 minutes.\n";
    let mut jobs_env: HashMap<String, String> = env;
    jobs_env.insert("INPUT_COMMENT".into(), "always".into());
    mount_log(&server, 2, log).await;
    let thread = Thread::new(&server, 2, vec![]);
    thread.mount(&server, CREATE).await;
    let (outcome, _) = run_with_env(&jobs_env).await;
    outcome.unwrap();
    assert!(
        summary(&dir).contains("The job timed out"),
        "{}",
        summary(&dir)
    );
    let body = thread.with_marker(MARKER)[0]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(body.contains("** timed out"), "{body}");
}

#[tokio::test]
async fn a_comment_deleted_before_its_update_is_written_again() {
    let (server, _dir, env) = pull_request_run("failure").await;
    let old = comment(5, 2, BOT, &format!("{MARKER}\nolder digest"));
    let thread = Thread::new(&server, 2, vec![old]).deleted_before_patch();
    thread
        .mount(
            &server,
            Calls {
                lists: 2,
                posts: 1,
                patches: 1,
                deletes: 0,
            },
        )
        .await;
    let (outcome, _) = run_with_env(&env).await;
    assert!(outcome.unwrap().comment_url.is_some());
    let ours = thread.with_marker(MARKER);
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert!(ours[0]["body"]
        .as_str()
        .unwrap()
        .contains("1 of 2 jobs failed"));
}

/// A `run:` line can name a workflow; the comment's heading stays short, and a run whose jobs
/// carry no head commit does not render an empty `On ``.
#[tokio::test]
async fn a_long_workflow_name_gives_a_short_heading_and_no_empty_commit() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let mut failed = job(2, "test", "failure", Some(4));
    failed["head_sha"] = serde_json::Value::Null;
    failed["workflow_name"] = json!("w".repeat(600));
    let log = failed_step_log(&["error: boom"]);
    mount_jobs_and_logs(&server, vec![failed], &[(2, &log)]).await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env(&server, dir.path());
    env.insert("GITHUB_WORKFLOW".into(), "w".repeat(600));
    env.insert("INPUT_PR-NUMBER".into(), "2".into());
    env.remove("INPUT_COMMENT");
    let key = "w".repeat(600);
    let marker = failure_digest::render::marker(&key);
    let thread = Thread::new(&server, 2, vec![]);
    thread.mount(&server, CREATE).await;
    let (outcome, _) = run_with_env(&env).await;
    outcome.unwrap();
    let body = thread.with_marker(&marker)[0]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let heading = body.lines().find(|l| l.starts_with("### ")).unwrap();
    assert!(heading.chars().count() < 120, "{heading}");
    assert!(!body.contains("On ``"), "{body}");
    assert!(
        summary(&dir).contains(&"w".repeat(600)),
        "the summary keeps the full name"
    );
}

#[tokio::test]
async fn workflows_whose_names_differ_only_in_punctuation_keep_their_own_comments() {
    let (server, _dir, mut env) = pull_request_run("failure").await;
    env.insert("GITHUB_WORKFLOW".into(), "pre-commit".into());
    let other = comment(
        5,
        2,
        BOT,
        "<!-- failure-digest:precommit -->\nprecommit's digest",
    );
    let thread = Thread::new(&server, 2, vec![other]);
    thread.mount(&server, CREATE).await;
    let (outcome, _) = run_with_env(&env).await;
    outcome.unwrap();
    let comments = thread.comments();
    assert_eq!(comments.len(), 2, "{comments:?}");
    assert_eq!(
        comments[0]["body"],
        json!("<!-- failure-digest:precommit -->\nprecommit's digest")
    );
    assert!(comments[1]["body"]
        .as_str()
        .unwrap()
        .starts_with("<!-- failure-digest:pre%2Dcommit -->"));
}

/// A `run:` step is named after its whole script: a 600-character job or step name is cut to
/// 120 characters in every heading, table cell and comment line, and kept whole in the link's
/// title and the JSON.
#[tokio::test]
async fn names_of_any_length_are_capped_where_shown_and_kept_whole_in_the_data() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let long_job = format!("test {}", "j".repeat(600));
    let long_step = format!("Run {}", "s".repeat(600));
    let mut failed = job(2, &long_job, "failure", Some(4));
    failed["steps"][3]["name"] = json!(long_step);
    let log = failed_step_log(&["error: boom"]);
    mount_jobs_and_logs(
        &server,
        vec![job(1, "build", "success", None), failed],
        &[(2, &log)],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let mut env = actions_env(&server, dir.path());
    env.insert("INPUT_PR-NUMBER".into(), "2".into());
    env.remove("INPUT_COMMENT");
    let thread = Thread::new(&server, 2, vec![]);
    thread.mount(&server, CREATE).await;
    let (outcome, _) = run_with_env(&env).await;
    let outcome = outcome.unwrap();
    assert_eq!(
        outcome.digest.failed_jobs[0].name, long_job,
        "the data keeps it"
    );
    assert_eq!(
        outcome.digest.failed_jobs[0].failing_step.as_deref(),
        Some(&*long_step)
    );
    let comment = thread.with_marker(MARKER)[0]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let summary = summary(&dir);
    for text in [&summary, &comment] {
        // Shown text, not the link's title: a line holds at most the cut names.
        for line in text.lines() {
            let shown = line.split(" \"").next().unwrap_or(line);
            assert!(!shown.contains(&"j".repeat(120)), "{line}");
            assert!(!line.contains(&"s".repeat(120)), "{line}");
        }
        assert!(
            text.contains(&format!("test {}…", "j".repeat(114))),
            "{text}"
        );
        assert!(
            text.contains(&format!("{long_job}\")")),
            "the full name in the title: {text}"
        );
    }
    assert!(
        summary.contains(&format!("**Run {}…**", "s".repeat(115))),
        "{summary}"
    );
    assert!(
        comment.contains(&format!("*Run {}…*", "s".repeat(115))),
        "{comment}"
    );
}
