//! Each cause outside the code, on a line written as the runner or the tool prints it, is an
//! `infrastructure` verdict with a re-run; the same words as a test's own subject, or a network
//! error of the code under test, are not. Push runs: no base branch, so whatever is not
//! infrastructure is `unknown`.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

/// What one failed job's log shows, and the verdict's evidence: `cause` starts it, `quoted`
/// is in the quote of the line.
struct Case {
    lines: &'static [&'static str],
    exit_code: u32,
    cause: &'static str,
    quoted: &'static str,
}

const DOWNLOAD: &str = "A download failed on the network (a registry, a mirror or a host)";

const CAUSES: &[Case] = &[
    Case {
        lines: &["##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled."],
        exit_code: 143,
        cause: "The runner received a shutdown signal",
        quoted: "The runner has received a shutdown signal",
    },
    Case {
        lines: &[
            "running 412 tests",
            "##[error]The hosted runner: GitHub Actions 8 lost communication with the server. Anything in your workflow that terminates the runner process, starves it for CPU/Memory, or blocks its network access can cause this error.",
        ],
        exit_code: 1,
        cause: "The runner lost communication with GitHub",
        quoted: "lost communication with the server",
    },
    Case {
        lines: &["##[error]The job running on runner GitHub Actions 5 has exceeded the maximum execution time of 30 minutes."],
        exit_code: 1,
        cause: "The job exceeded its maximum execution time",
        quoted: "has exceeded the maximum execution time of 30 minutes",
    },
    Case {
        lines: &["   Compiling octo v0.1.0 (/home/runner/work/octo-repo/octo-repo)"],
        exit_code: 137,
        cause: "The process was killed (exit code 137: out of memory or a hard limit)",
        quoted: "Process completed with exit code 137.",
    },
    Case {
        lines: &[
            "  CC       src/parser.o",
            "/home/runner/work/_temp/5b8e0c1d-2f3a-4b5c-8d9e-0a1b2c3d4e5f.sh: line 4:  2811 Killed                  make -j4 all",
        ],
        exit_code: 137,
        cause: "The process was killed (out of memory or a hard limit)",
        quoted: "2811 Killed",
    },
    Case {
        lines: &[
            "<--- Last few GCs --->",
            "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
        ],
        exit_code: 134,
        cause: "The process ran out of memory",
        quoted: "JavaScript heap out of memory",
    },
    Case {
        lines: &["error: failed to write /home/runner/work/octo-repo/octo-repo/target/debug/deps/libocto-4f2a9c1e.rlib: No space left on device (os error 28)"],
        exit_code: 101,
        cause: "The machine ran out of disk space",
        quoted: "No space left on device (os error 28)",
    },
    // DNS.
    Case {
        lines: &["fatal: unable to access 'https://github.com/octo-org/vendored.git/': Could not resolve host: github.com"],
        exit_code: 128,
        cause: DOWNLOAD,
        quoted: "Could not resolve host: github.com",
    },
    // TLS.
    Case {
        lines: &["fatal: unable to access 'https://github.com/octo-org/vendored.git/': gnutls_handshake() failed: The TLS connection was non-properly terminated."],
        exit_code: 128,
        cause: DOWNLOAD,
        quoted: "gnutls_handshake() failed",
    },
    // A connection reset.
    Case {
        lines: &[
            "npm error code ECONNRESET",
            "npm error network aborted",
            "npm error network This is a problem related to network connectivity.",
        ],
        exit_code: 1,
        cause: DOWNLOAD,
        quoted: "npm error code ECONNRESET",
    },
    // A connection timed out, on the line after the failure it causes.
    Case {
        lines: &[
            "  × Failed to download `numpy==2.1.0`",
            "  ╰─▶ error sending request for url (https://files.pythonhosted.org/packages/numpy-2.1.0.whl): operation timed out",
        ],
        exit_code: 2,
        cause: DOWNLOAD,
        quoted: "operation timed out",
    },
    // HTTP 429 and 5xx from a registry.
    Case {
        lines: &[
            "npm error code E429",
            "npm error 429 Too Many Requests - GET https://registry.npmjs.org/react",
        ],
        exit_code: 1,
        cause: DOWNLOAD,
        quoted: "429 Too Many Requests",
    },
    Case {
        lines: &["[ERROR] Failed to execute goal on project octo: Could not resolve dependencies for project org.octo:octo:jar:1.0: Could not transfer artifact org.slf4j:slf4j-api:pom:2.0.13 from/to central (https://repo.maven.apache.org/maven2): status code: 502, reason phrase: Bad Gateway (502)"],
        exit_code: 1,
        cause: DOWNLOAD,
        quoted: "status code: 502",
    },
    Case {
        lines: &["HTTP 403: API rate limit exceeded for user ID 5829431. (https://api.github.com/repos/octo-org/octo-repo/releases/latest)"],
        exit_code: 1,
        cause: "The GitHub API rate limit was hit",
        quoted: "API rate limit exceeded for user ID 5829431",
    },
    Case {
        lines: &[
            "unhealthy",
            "##[error]Failed to initialize container postgres:16",
            "##[error]One or more containers failed to start.",
        ],
        exit_code: 1,
        cause: "A service container never became healthy",
        quoted: "Failed to initialize container postgres:16",
    },
];

/// The verdict of job `build` failing with `lines` then the runner's exit line for `code`.
async fn verdict_of(lines: &[&str], code: u32) -> Diagnosis {
    let server = MockServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let log = step_log(lines, code);
    let env = push_run(&server, &dir, vec![failing(1, "build")], &[(1, &log)]).await;
    let (digest, _) = digest_of(&env).await;
    diagnosis(&digest, "build").clone()
}

#[tokio::test]
async fn each_cause_outside_the_code_is_infrastructure_with_a_rerun() {
    for case in CAUSES {
        let verdict = verdict_of(case.lines, case.exit_code).await;
        let evidence = &verdict.evidence;
        assert_eq!(
            verdict.kind,
            DiagnosisKind::Infrastructure,
            "{:?}: {evidence}",
            case.lines
        );
        assert_eq!(verdict.label, "infrastructure");
        assert!(
            evidence.starts_with(&format!("{}: “", case.cause)) && evidence.contains(case.quoted),
            "{:?}: {evidence}",
            case.lines
        );
        assert_rerun(&verdict);
        // A rate limit is waited out; the rest are re-run now.
        let text = match case.cause.contains("rate limit") {
            true => "Re-run the failed jobs once the rate limit resets",
            false => "Re-run the failed jobs: the log names a cause outside the code",
        };
        assert_eq!(verdict.next_action.text, text);
    }
}

/// A job that hit `timeout-minutes`: the runner says so in an annotation only, and the log
/// just stops. GitHub reports such a job as cancelled; `timed_out` is checked too.
#[tokio::test]
async fn a_timeout_named_only_in_an_annotation_is_infrastructure() {
    for conclusion in ["cancelled", "timed_out"] {
        let server = MockServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        let mut job = job(1, "test", conclusion, Some(4));
        job["steps"][3]["conclusion"] = json!("cancelled");
        let log = "2020-01-20T17:42:45.1000000Z ##[group]Run actions/cache@v3\n\
                   2020-01-20T17:42:46.0000000Z test integration::slow_sync has been running for over 60 seconds\n\
                   2020-01-20T17:42:47.0000000Z ##[error]The operation was canceled.\n";
        let env = push_run(&server, &dir, vec![job], &[]).await;
        let mut note = fixture("openapi-check-annotation-items.json")[0].clone();
        note["path"] = json!(".github");
        note["annotation_level"] = json!("failure");
        note["title"] = json!("");
        note["message"] = json!("The job running on runner GitHub Actions 5 has exceeded the maximum execution time of 30 minutes.");
        Mock::given(method("GET"))
            .and(path(format!("/repos/{OWNER_REPO}/actions/jobs/1/logs")))
            .respond_with(ResponseTemplate::new(200).set_body_string(log))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path(format!(
                "/repos/{OWNER_REPO}/check-runs/1/annotations"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([note])))
            .mount(&server)
            .await;
        let (digest, _) = digest_of(&env).await;
        let verdict = diagnosis(&digest, "test");
        assert_eq!(
            verdict.kind,
            DiagnosisKind::Infrastructure,
            "{conclusion}: {verdict:?}"
        );
        assert!(
            verdict.evidence.starts_with(
                "The job exceeded its maximum execution time: “The job running on runner"
            ),
            "{conclusion}: {}",
            verdict.evidence
        );
        assert_rerun(verdict);
    }
}

#[tokio::test]
async fn the_same_words_in_a_tests_own_output_are_not_infrastructure() {
    let not_infrastructure: &[&[&str]] = &[
        // A test about a full disk.
        &[
            "    def test_write_reports_a_full_disk(tmp_path):",
            ">       assert \"No space left on device\" in str(excinfo.value)",
            "E       AssertionError: assert 'No space left on device' in 'disk full'",
            "FAILED tests/test_store.py::test_write_reports_a_full_disk - AssertionError",
        ],
        // Tests named for timeouts.
        &[
            "test scheduler::tests::a_job_past_its_maximum_execution_time_is_cancelled ... FAILED",
            "thread 'scheduler::tests::a_job_past_its_maximum_execution_time_is_cancelled' panicked at src/scheduler.rs:88:9:",
            "assertion `left == right` failed",
        ],
        &[
            "--- FAIL: TestWorkerTimeout (30.01s)",
            "    worker_test.go:41: job did not stop after its maximum execution time",
        ],
        // The code under test's own connection, with nothing downloaded.
        &[
            "Traceback (most recent call last):",
            "  File \"/home/runner/work/octo-repo/octo-repo/app/client.py\", line 57, in send",
            "    self.sock.sendall(payload)",
            "ConnectionResetError: [Errno 104] Connection reset by peer",
        ],
        &[
            "Error: read ECONNRESET",
            "    at TLSWrap.onStreamRead (node:internal/stream_base_commons:217:20)",
        ],
        &["AssertionError: expected connection reset by peer to be retried"],
        // A count of killed workers.
        &["E       assert killed_count == 2"],
    ];
    for lines in not_infrastructure {
        let verdict = verdict_of(lines, 1).await;
        assert_eq!(
            verdict.kind,
            DiagnosisKind::Unknown,
            "{lines:?}: {verdict:?}"
        );
        assert_no_rerun(&verdict);
    }
}

/// Found by these tests (see the report): a network line the excerpt ranks as context is
/// never checked for a download, however plainly it is one.
#[tokio::test]
async fn a_failed_download_the_excerpt_ranks_as_context_is_infrastructure() {
    let mut missed = Vec::new();
    for line in [
        "curl: (6) Could not resolve host: releases.hashicorp.com",
        "error An unexpected error occurred: \"https://registry.yarnpkg.com/react: getaddrinfo ENOTFOUND registry.yarnpkg.com\".",
        "go: golang.org/x/sys@v0.20.0: Get \"https://proxy.golang.org/golang.org/x/sys/@v/v0.20.0.zip\": read tcp 10.1.0.4:51234->142.250.72.17:443: read: connection reset by peer",
        "Error response from daemon: Head \"https://registry-1.docker.io/v2/library/postgres/manifests/16\": toomanyrequests: You have reached your pull rate limit.",
    ] {
        let verdict = verdict_of(&[line], 1).await;
        if verdict.kind != DiagnosisKind::Infrastructure {
            missed.push(format!("{line} → {}", verdict.kind.as_str()));
        }
    }
    assert!(missed.is_empty(), "{missed:#?}");
}

/// Found by these tests (see the report): a test whose title quotes the runner's timeout
/// message reads as the runner's own line.
#[tokio::test]
async fn a_test_titled_with_the_runners_timeout_message_is_not_infrastructure() {
    let verdict = verdict_of(
        &[
            "FAIL src/runner.test.ts",
            "  ✕ reports a job that has exceeded the maximum execution time (12 ms)",
            "Tests:       1 failed, 40 passed, 41 total",
        ],
        1,
    )
    .await;
    assert_eq!(verdict.kind, DiagnosisKind::Unknown, "{verdict:?}");
}
