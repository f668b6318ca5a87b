//! The PR's changed files mark the excerpt lines and annotations that point into them: every
//! page of the list, a path under any runner OS's workspace, near a changed hunk only, a
//! renamed file by either name. An unreadable list is a note; a push run asks for none.

use serde_json::json;
use wiremock::matchers::{method, path, path_regex, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

/// `src/lib.rs`, changed at new lines 10–14 (one hunk of 5 lines).
fn lib_rs() -> Value {
    changed_file(
        "src/lib.rs",
        "modified",
        Some("@@ -10,4 +10,5 @@ pub fn parse(input: &str) -> Token {\n     let mut tokens = Vec::new();\n-    let rest = input;\n+    let rest = input.trim();\n+    let depth = 0;\n     tokens"),
        None,
    )
}

/// PR #7 where `test` fails with `lines`, `src/lib.rs` its one changed file: the digest.
async fn pr_failing_with(lines: &[&str]) -> Digest {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let log = failed_step_log(lines);
    let env = pr_run(&server, &dir, vec![failing(1, "test")], &[(1, &log)]).await;
    mount_changed_files(&server, vec![lib_rs()]).await;
    digest_of(&env).await.0
}

#[tokio::test]
async fn a_file_on_the_second_page_of_changes_marks_the_failure_and_lists_its_job_first() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let lint = failed_step_log(&["error: unused import: `std::fmt`", "  --> src/cli.rs:3:5"]);
    let test = failed_step_log(&[
        "running 12 tests",
        "thread 'parser::case_7' panicked at src/parser.rs:41:9:",
        "assertion `left == right` failed",
    ]);
    let env = pr_run(
        &server,
        &dir,
        vec![failing(1, "lint"), failing(2, "test")],
        &[(1, &lint), (2, &test)],
    )
    .await;
    // 101 changed files: 100 on the first page, `src/parser.rs` alone on the second.
    let route = format!("/repos/{OWNER_REPO}/pulls/7/files");
    let first: Vec<Value> = (0..100)
        .map(|i| {
            changed_file(
                &format!("docs/page-{i}.md"),
                "modified",
                Some("@@ -1,3 +1,4 @@"),
                None,
            )
        })
        .collect();
    let second = format!("{}{route}?per_page=100&page=2", server.uri());
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .and(query_param("per_page", "100"))
        .and(query_param_is_missing("page"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header(
                    "link",
                    format!(r#"<{second}>; rel="next", <{second}>; rel="last""#).as_str(),
                )
                .set_body_json(first),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .and(query_param("per_page", "100"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(vec![changed_file(
            "src/parser.rs",
            "modified",
            Some("@@ -38,6 +38,7 @@ fn case_7() {\n     let input = \"(a\";\n+    let depth = 1;\n     assert_eq!(parse(input), Token::Open);"),
            None,
        )]))
        .expect(1)
        .mount(&server)
        .await;

    let (digest, degraded) = digest_of(&env).await;
    assert!(degraded.is_empty(), "{degraded:?}");
    let order: Vec<&str> = digest.failed_jobs.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(order, ["test", "lint"], "the job touching the change first");
    assert_eq!(
        marked(&digest, "test"),
        ["thread 'parser::case_7' panicked at src/parser.rs:41:9:"]
    );
    assert_eq!(
        failed(&digest, "test").change_location.as_deref(),
        Some("src/parser.rs:41")
    );
    assert!(marked(&digest, "lint").is_empty());
    // As later steps read it: `in_change` on every excerpt line of the `json` output.
    let json: Value = serde_json::from_str(&output(&dir, "json")).unwrap();
    let lines = json["failed_jobs"][0]["excerpt"].as_array().unwrap();
    assert!(
        lines.iter().all(|l| l["in_change"].is_boolean()),
        "{lines:?}"
    );
    assert_eq!(lines.iter().filter(|l| l["in_change"] == true).count(), 1);
    assert_eq!(failed(&digest, "lint").change_location, None);
    // Not compared with main, but the verdict says where the failure meets the change.
    let verdict = diagnosis(&digest, "test");
    assert_eq!(verdict.kind, DiagnosisKind::Unknown);
    assert!(
        verdict
            .evidence
            .ends_with("the failure points into this PR's change (src/parser.rs:41)"),
        "{}",
        verdict.evidence
    );
    assert_eq!(
        verdict.next_action.location.as_deref(),
        Some("src/parser.rs:41")
    );
}

/// A PR's files that never end: every page full and linking the next, as far as it is asked.
struct EndlessPages {
    uri: String,
}

impl wiremock::Respond for EndlessPages {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let page: u64 = request
            .url
            .query_pairs()
            .find(|(key, _)| key == "page")
            .map_or(1, |(_, value)| value.parse().unwrap());
        let files: Vec<Value> = (0..100)
            .map(|i| changed_file(&format!("gen/p{page}/f{i}.rs"), "added", None, None))
            .collect();
        let next = format!(
            "{}/repos/{OWNER_REPO}/pulls/7/files?per_page=100&page={}",
            self.uri,
            page + 1
        );
        ResponseTemplate::new(200)
            .insert_header("link", format!(r#"<{next}>; rel="next""#).as_str())
            .set_body_json(files)
    }
}

#[tokio::test]
async fn at_most_3000_changed_files_are_read_in_30_requests() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let log = failed_step_log(&["thread 'parser::case_7' panicked at src/parser.rs:41:9:"]);
    let env = pr_run(&server, &dir, vec![failing(1, "test")], &[(1, &log)]).await;
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/pulls/7/files")))
        .and(query_param("per_page", "100"))
        .respond_with(EndlessPages { uri: server.uri() })
        .expect(30)
        .mount(&server)
        .await;
    let (digest, degraded) = digest_of(&env).await;
    assert!(degraded.is_empty(), "{degraded:?}");
    assert_eq!(failed(&digest, "test").change_location, None);
}

#[tokio::test]
async fn a_path_under_each_runner_workspace_is_in_the_change() {
    for line in [
        "/home/runner/work/octo-repo/octo-repo/src/lib.rs:12:5: error: expected `;`, found `let`",
        "/Users/runner/work/octo-repo/octo-repo/src/lib.rs:12:5: error: expected `;`, found `let`",
        r"D:\a\octo-repo\octo-repo\src\lib.rs(12,5): error E0425: cannot find value `depth` in this scope",
        "/__w/octo-repo/octo-repo/src/lib.rs:12:5: error: expected `;`, found `let`",
    ] {
        let digest = pr_failing_with(&[line]).await;
        assert_eq!(marked(&digest, "test"), [line]);
        let job = failed(&digest, "test");
        assert_eq!(
            job.change_location.as_deref(),
            Some("src/lib.rs:12"),
            "{line}"
        );
        assert_eq!(
            diagnosis(&digest, "test").next_action.location.as_deref(),
            Some("src/lib.rs:12"),
            "{line}"
        );
    }
}

#[tokio::test]
async fn only_lines_within_three_of_a_changed_hunk_are_in_the_change() {
    // The hunk is new lines 10–14: 7 and 17 are near it, 6 and 18 are not.
    for (at, near) in [(7, true), (17, true), (6, false), (18, false)] {
        let line = format!("/home/runner/work/octo-repo/octo-repo/src/lib.rs:{at}:5: error: expected `;`, found `let`");
        let digest = pr_failing_with(&[&line]).await;
        assert_eq!(!marked(&digest, "test").is_empty(), near, "{line}");
        let expected = near.then(|| format!("src/lib.rs:{at}"));
        assert_eq!(failed(&digest, "test").change_location, expected, "{line}");
    }
}

#[tokio::test]
async fn a_renamed_file_is_in_the_change_by_its_new_and_by_its_old_path() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    // The module was renamed; `main.rs` still names the old file.
    let build = failed_step_log(&[
        "error[E0583]: file not found for module `lexer`",
        " --> src/main.rs:3:1",
        "  = help: to create the module `lexer`, create file \"src/lexer.rs\" or \"src/lexer/mod.rs\"",
    ]);
    let test = failed_step_log(&["thread 'tokens::tests::idents' panicked at src/tokens.rs:4:9:"]);
    let env = pr_run(
        &server,
        &dir,
        vec![failing(1, "build"), failing(2, "test")],
        &[(1, &build), (2, &test)],
    )
    .await;
    mount_changed_files(
        &server,
        vec![changed_file(
            "src/tokens.rs",
            "renamed",
            Some("@@ -1,6 +1,6 @@\n use std::fmt;\n-pub struct Lexer;\n+pub struct Tokens;"),
            Some("src/lexer.rs"),
        )],
    )
    .await;
    let (digest, _) = digest_of(&env).await;
    assert_eq!(
        marked(&digest, "test"),
        ["thread 'tokens::tests::idents' panicked at src/tokens.rs:4:9:"]
    );
    assert_eq!(
        failed(&digest, "test").change_location.as_deref(),
        Some("src/tokens.rs:4")
    );
    // The old path counts as a whole file: a line naming it is about the rename.
    let build = marked(&digest, "build");
    assert!(
        build.len() == 1 && build[0].contains("create file \"src/lexer.rs\""),
        "{build:?}"
    );
    assert_eq!(
        failed(&digest, "build").change_location.as_deref(),
        Some("src/lexer.rs")
    );
}

#[tokio::test]
async fn an_annotation_on_a_changed_line_is_in_the_change() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let log = failed_step_log(&["error: could not compile `octo` (lib) due to 1 previous error"]);
    let env = pr_run(&server, &dir, vec![failing(1, "lint")], &[]).await;
    mount_changed_files(&server, vec![lib_rs()]).await;
    let note = |line: u64| {
        let mut note = fixture("openapi-check-annotation-items.json")[0].clone();
        note["path"] = json!("src/lib.rs");
        note["start_line"] = json!(line);
        note["end_line"] = json!(line);
        note["annotation_level"] = json!("failure");
        note["message"] = json!(format!("unused variable: `depth` (line {line})"));
        note
    };
    Mock::given(method("GET"))
        .and(path(format!("/repos/{OWNER_REPO}/actions/jobs/1/logs")))
        .respond_with(ResponseTemplate::new(200).set_body_string(log))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/repos/{OWNER_REPO}/check-runs/1/annotations"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([note(13), note(40)])))
        .mount(&server)
        .await;
    let (digest, _) = digest_of(&env).await;
    let job = failed(&digest, "lint");
    let marks: Vec<(Option<u64>, bool)> = job
        .annotations
        .iter()
        .map(|a| (a.line, a.in_change))
        .collect();
    assert_eq!(marks, [(Some(13), true), (Some(40), false)]);
    assert_eq!(job.change_location.as_deref(), Some("src/lib.rs:13"));
}

/// GitHub refusing the changed files: no permission, no such PR, a primary or a secondary
/// rate limit (an hour away: more than the run may wait). The answer and what the warning says.
fn refusals() -> Vec<(ResponseTemplate, &'static str)> {
    let reset = (chrono::Utc::now().timestamp() + 3600).to_string();
    vec![
        (
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": "Resource not accessible by integration"})),
            "pull-requests: read",
        ),
        (
            ResponseTemplate::new(404).set_body_json(json!({"message": "Not Found"})),
            "pull-requests: read",
        ),
        (
            ResponseTemplate::new(403)
                .insert_header("x-ratelimit-limit", "1000")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", reset.as_str())
                .set_body_json(
                    json!({"message": "API rate limit exceeded for installation ID 1."}),
                ),
            "rate limit",
        ),
        (
            ResponseTemplate::new(429)
                .insert_header("retry-after", "3600")
                .set_body_json(json!({"message": "API rate limit exceeded"})),
            "rate limit",
        ),
    ]
}

#[tokio::test]
async fn changed_files_that_cannot_be_read_are_a_note_and_the_verdict_stands() {
    for (answer, says) in refusals() {
        let server = MockServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        let log = failed_step_log(&["thread 'parser::case_7' panicked at src/parser.rs:41:9:"]);
        let mut env = pr_run(&server, &dir, vec![failing(1, "test")], &[(1, &log)]).await;
        with_main(
            &server,
            &mut env,
            Some(vec![main_job(101, "test", "success", None)]),
        )
        .await;
        Mock::given(method("GET"))
            .and(path(format!("/repos/{OWNER_REPO}/pulls/7/files")))
            .respond_with(answer)
            .expect(1)
            .mount(&server)
            .await;
        let (digest, degraded) = digest_of(&env).await;
        let warning = degraded.join("\n");
        assert!(
            degraded.len() == 1
                && warning.contains("reading the pull request's changed files")
                && warning.contains(says),
            "{warning}"
        );
        if says == "rate limit" {
            assert!(
                !warning.contains("pull-requests: read"),
                "not a permission: {warning}"
            );
        }
        assert!(
            digest
                .insights
                .notes
                .iter()
                .any(|n| n.contains("changed files of PR #7 could not be read")),
            "{:?}",
            digest.insights.notes
        );
        assert!(marked(&digest, "test").is_empty());
        assert_eq!(failed(&digest, "test").change_location, None);
        assert_eq!(kind(&digest, "test"), DiagnosisKind::CausedHere);
        assert_eq!(output(&dir, "diagnosis"), "caused_here");
    }
}

/// Any request for a PR's changed files fails the test.
async fn no_changed_files_asked(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path_regex(r"/pulls/\d+/files$"))
        .respond_with(ResponseTemplate::new(500))
        .with_priority(1)
        .expect(0)
        .named("a pull request's changed files")
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_push_run_and_a_run_where_nothing_failed_ask_for_no_changed_files() {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let log = failed_step_log(&["thread 'parser::case_7' panicked at src/parser.rs:41:9:"]);
    let env = push_run(&server, &dir, vec![failing(1, "test")], &[(1, &log)]).await;
    no_changed_files_asked(&server).await;
    let (digest, _) = digest_of(&env).await;
    assert_eq!(kind(&digest, "test"), DiagnosisKind::Unknown);
    assert!(marked(&digest, "test").is_empty());

    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let jobs = vec![
        job(1, "test", "success", None),
        job(2, "lint", "success", None),
    ];
    let mut env = pr_run(&server, &dir, jobs, &[]).await;
    // With the base comparison on: nothing failed, so nothing is compared either.
    env.remove("INPUT_COMPARE-BASE");
    no_changed_files_asked(&server).await;
    let (digest, _) = digest_of(&env).await;
    assert_eq!(digest.conclusion, "success");
    assert_eq!(digest.diagnosis, "");
    assert_eq!(output(&dir, "diagnosis"), "");
    assert_eq!(output(&dir, "rerun-suggested"), "false");
}
