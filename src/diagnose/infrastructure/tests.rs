use super::*;

fn cause(line: &str) -> Option<&'static str> {
    runner_level(line).map(|c| c.cause)
}

#[test]
fn the_runner_names_its_own_end() {
    let shutdown = "##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.";
    assert_eq!(
        cause(shutdown),
        Some("the runner received a shutdown signal")
    );
    let lost = "The hosted runner: GitHub Actions 12 lost communication with the server. Anything in your workflow that terminates the runner process, starves it for CPU/Memory, or blocks its network access can cause this error.";
    assert_eq!(
        cause(lost),
        Some("the runner lost communication with GitHub")
    );
    let timeout = "##[error]The job running on runner GitHub Actions 3 has exceeded the maximum execution time of 360 minutes.";
    assert_eq!(
        cause(timeout),
        Some("the job exceeded its maximum execution time")
    );
    assert_eq!(
        cause("The job has exceeded the maximum execution time of 1h0m0s"),
        Some("the job exceeded its maximum execution time")
    );
}

#[test]
fn a_killed_process_and_a_full_disk_are_named() {
    let killed = "the process was killed (exit code 137: out of memory or a hard limit)";
    assert_eq!(
        cause("##[error]Process completed with exit code 137."),
        Some(killed)
    );
    assert_eq!(cause("##[error]Process completed with exit code 1."), None);
    let sigkill = "the process was killed (out of memory or a hard limit)";
    assert_eq!(cause("Killed"), Some(sigkill));
    assert_eq!(
        cause("/home/runner/work/_temp/abc.sh: line 2:  4242 Killed   make -j8"),
        Some(sigkill)
    );
    assert_eq!(cause("make: *** [Makefile:5: build] Killed"), Some(sigkill));
    assert_eq!(cause("make[1]: *** [all] Error 137"), Some(sigkill));
    assert_eq!(
        cause("c++: fatal error: Killed signal terminated program cc1plus"),
        Some(sigkill)
    );
    assert_eq!(
        cause("error: could not compile `big` (lib); (signal: 9, SIGKILL: kill)"),
        Some(sigkill)
    );
    assert_eq!(cause("2 processes Killed by the test harness"), None);
    assert_eq!(
        cause("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"),
        Some("the process ran out of memory")
    );
    assert_eq!(
        cause("error: failed to write /tmp/x.o: No space left on device (os error 28)"),
        Some("the machine ran out of disk space")
    );
}

#[test]
fn rate_limits_and_service_containers_are_named() {
    assert_eq!(
        cause("HttpError: API rate limit exceeded for installation ID 1234."),
        Some("the GitHub API rate limit was hit")
    );
    assert_eq!(
        cause("You have exceeded a secondary rate limit. Please wait a few minutes before you try again."),
        Some("the GitHub API rate limit was hit")
    );
    assert_eq!(
        cause("##[error]One or more containers failed to start."),
        Some("a service container never became healthy")
    );
}

#[test]
fn a_tests_own_subject_is_not_what_happened_to_the_machine() {
    for line in [
        ">       assert \"No space left on device\" in str(err)",
        "Expected java.lang.OutOfMemoryError to be thrown, but nothing was thrown",
        "    raise OSError(28, \"No space left on device\")",
        "  12 | it('retries on ECONNRESET from the registry', async () => {",
        "AssertionError: the download should fail with ECONNRESET",
        "  ✕ reports a job that has exceeded the maximum execution time (12 ms)",
        "not ok 4 - retries a download after ECONNRESET from the registry",
        "--- FAIL: TestRunnerLostCommunicationWithTheServer (0.01s)",
    ] {
        assert_eq!(cause(line), None, "{line}");
        assert_eq!(failed_download(line), None, "{line}");
    }
    // What the machine did, quoted in an error message, is still found.
    let found = runner_level("OSError: [Errno 28] No space left on device: '/tmp/x'").unwrap();
    assert_eq!(&found.line[found.at.clone()], "No space left on device");
}

#[test]
fn code_failures_are_not_infrastructure() {
    for line in [
        "error[E0308]: mismatched types",
        "FAILED tests/test_api.py::test_timeout - AssertionError",
        "assert killed_count == 2",
        "Error: Process completed with exit code 1.",
    ] {
        assert_eq!(cause(line), None, "{line}");
        assert_eq!(failed_download(line), None, "{line}");
    }
}

#[test]
fn a_network_failure_counts_only_with_a_download_on_its_line() {
    let shapes = [
        "npm ERR! code ECONNRESET",
        "curl: (6) Could not resolve host: downloads.example.com",
        "  [6] Couldn't resolve host name (Could not resolve host: index.crates.io)",
        "ERROR: Could not install packages due to an OSError: HTTPSConnectionPool(host='files.pythonhosted.org', port=443): Max retries exceeded with url: /packages/x.whl",
        "go: example.org/mod@v1.2.3: Get \"https://proxy.golang.org/example.org/mod/@v/v1.2.3.mod\": dial tcp: lookup proxy.golang.org: i/o timeout",
        "Error response from daemon: toomanyrequests: You have reached your pull rate limit.",
        "curl: (22) The requested URL returned error: 503",
        "Could not GET 'https://repo.maven.apache.org/maven2/x.pom'. Received status code 502 from server: Bad Gateway",
    ];
    for line in shapes {
        assert!(failed_download(line).is_some(), "{line}");
    }
    // A package manager names the download, then the cause some lines below.
    let chain = [
        "error: failed to get `serde` as a dependency of package `app v0.1.0 (/work/app)`",
        "Caused by:",
        "  download of config.json failed",
        "Caused by:",
        "  [28] Timeout was reached (Connection timed out after 30000 milliseconds)",
    ];
    let found = failed_download_in(&chain).unwrap();
    assert!(found.line.contains("[28] Timeout"), "{found:?}");
    let test_result = [
        "FAILED tests/test_fetch.py::test_download_resumes - AssertionError",
        "E   ConnectionResetError: [Errno 104] Connection reset by peer",
    ];
    assert_eq!(failed_download_in(&test_result), None);
    // The code's own requests fail the same way, with nothing downloaded.
    for line in [
        "AssertionError: expected connection reset by peer to be retried",
        "    client_test.go:42: Get \"http://127.0.0.1:38123/api/items\": read tcp 127.0.0.1:50312->127.0.0.1:38123: read: connection reset by peer",
        "    raise ReadTimeout: Read timed out",
        "test_client_handles_503 ... FAILED",
    ] {
        assert_eq!(failed_download(line), None, "{line}");
    }
}
