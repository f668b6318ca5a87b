//! "Is it the code at all?": the causes outside the code that a log names by its own line —
//! the runner going away, a limit the job hit, a machine out of memory or disk, a network that
//! failed a download, a rate limit, a service container that never came up.
//!
//! Two strengths of evidence. A **runner-level** cause (a shutdown, lost communication, the
//! maximum execution time, a process killed, a full disk, the API rate limit, containers that
//! failed to start) ends the job whatever else the log says: found on any line of the excerpt
//! or in an annotation, it decides. A **network** failure is only a cause when it is the
//! failure itself: on the excerpt's first failure line or the few lines that follow it as its
//! cause (a test that checks how the code handles a reset connection prints the same words
//! further down), and only with a sign of a download on the same
//! line (a URL, a host, a registry, a package manager's tag) — the product of a request the
//! code under test made is not the infrastructure's fault.
//!
//! Pure; every shape is named by what prints it, and tested on a line written in that shape.

use std::sync::LazyLock;

// Bytes and ASCII rules: the release build has no Unicode case tables (the `regex` features
// are trimmed), and every shape here is ASCII.
use regex::bytes::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

/// A cause outside the code, and the line that shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfrastructureCause {
    /// In words, for the verdict: `the runner received a shutdown signal`.
    pub cause: &'static str,
    /// The log line or annotation that shows it (raw, untrusted).
    pub line: String,
    /// Where in `line` the words that show it are (byte offsets), to quote around them.
    pub at: std::ops::Range<usize>,
    pub nature: Nature,
}

/// How sure a cause is to be outside the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nature {
    /// Nothing the code did: a runner shut down, a service container, a registry's network.
    Outside,
    /// A limit the job hit (time, memory, disk, a runner starved until it stopped answering):
    /// the machine's, or the code's when this PR made it need more. The base branch decides.
    Limit,
    /// A rate limit: outside the code, and a re-run helps only once it resets.
    RateLimit,
}

/// Runner-level shapes, each with its cause in words, in the order they are tried.
const RUNNER_LEVEL: &[(&str, &str, Nature)] = &[
    // The runner, on a hosted or self-hosted machine that is stopped or preempted.
    (
        r"(?i)\bThe runner has received a shutdown signal",
        "the runner received a shutdown signal",
        Nature::Outside,
    ),
    // The runner, when the machine stops answering (often starved of CPU or memory).
    (
        r"(?i)\blost communication with the server\b",
        "the runner lost communication with GitHub",
        Nature::Limit,
    ),
    // The runner's job timeout, in the log (`The job running on runner … has exceeded …`) and
    // in the annotation (`The job has exceeded the maximum execution time of 1h0m0s`).
    (
        r"(?i)\bhas exceeded the maximum execution time\b",
        "the job exceeded its maximum execution time",
        Nature::Limit,
    ),
    // Any program's ENOSPC: `No space left on device` (`os error 28`, `[Errno 28]`).
    (
        r"(?i)\bno space left on device\b",
        "the machine ran out of disk space",
        Nature::Limit,
    ),
    // The runner's step result when the process died of SIGKILL (128 + 9): the kernel's OOM
    // killer or a hard limit.
    (
        r"(?i)\bProcess completed with exit code 137\b",
        "the process was killed (exit code 137: out of memory or a hard limit)",
        Nature::Limit,
    ),
    // A shell's report of a child killed by SIGKILL (`Killed`, `line 3: 1234 Killed  cmd`), the
    // kernel's OOM message, Go's `signal: killed`, a compiler driver's `Killed signal
    // terminated program`, rustc's `(signal: 9, SIGKILL: kill)`, make's `*** [target] Killed`
    // and `*** [target] Error 137`.
    (
        r"^\s*Killed\s*$|: line \d+:\s+\d+ Killed\b|\*\*\* \[[^\]]*\] (?:Killed\b|Error 137\b)|(?i)\bout of memory: kill(?:ed)? process\b|\bsignal: killed\b|\bkilled signal terminated program\b|\bSIGKILL: kill\b",
        "the process was killed (out of memory or a hard limit)",
        Nature::Limit,
    ),
    // Allocation failures reported as such: `fatal error: out of memory`, `Cannot allocate
    // memory`, `JavaScript heap out of memory`, `OutOfMemoryError`, `MemoryError`.
    (
        r"(?i)\bout of memory\b|\bcannot allocate memory\b|\bOutOfMemoryError\b|^\s*MemoryError\b",
        "the process ran out of memory",
        Nature::Limit,
    ),
    // GitHub's REST and GraphQL limits, as the API words them.
    (
        r"(?i)\bAPI rate limit exceeded\b|\bexceeded a secondary rate limit\b|\bAPI rate limit (?:already )?exceeded\b",
        "the GitHub API rate limit was hit",
        Nature::RateLimit,
    ),
    // The runner, when a service container never started or never became healthy.
    (
        r"(?i)\bOne or more containers failed to start\b|\bFailed to initialize container\b|\bservice container \S+ failed\b",
        "a service container never became healthy",
        Nature::Outside,
    ),
];

/// A network failure, as HTTP clients, resolvers and package managers word it.
const NETWORK: &str = concat!(
    r"(?i)",
    // DNS.
    r"\bcould not resolve host\b|\bcouldn't resolve host\b|\bgetaddrinfo\b.*\b(?:ENOTFOUND|EAI_AGAIN)\b",
    r"|\btemporary failure in name resolution\b|\bname or service not known\b|\bno such host\b",
    // Connections.
    r"|\bECONNRESET\b|\bETIMEDOUT\b|\bESOCKETTIMEDOUT\b|\bconnection reset by peer\b",
    r"|\bconnection (?:timed out|was reset)\b|\bread timed out\b|\bi/o timeout\b",
    r"|\boperation timed out\b|\bnetwork is unreachable\b|\bsocket hang up\b",
    r"|\bmax retries exceeded with url\b",
    // TLS.
    r"|\bTLS handshake timeout\b|\bSSL_ERROR_SYSCALL\b|\bgnutls_handshake\(\) failed\b",
    // HTTP: too many requests, and the server errors a registry returns when it is down.
    r"|\b429 Too Many Requests\b|\btoomanyrequests\b",
    r"|\b50[0234]\s+(?:Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)\b",
    r"|\b(?:returned error|status code|HTTP (?:status|error|code)|Received HTTP code|response code)\W{0,3}(?:429|5\d\d)\b",
);

/// A download on the same line: a URL or host, a registry, or a package manager's own tag.
const DOWNLOAD: &str = concat!(
    r"(?i)",
    r"https?://|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|io|net|dev)\b|\bregistry\b|\bdownload",
    r"|\bfetch|\bpull(?:ing)?\b|\binstall|\bnpm ERR!|^npm error\b|\byarn\b|\bpnpm\b|\bpip\b|\bcargo\b",
    r"|\bgo: |\bgradle\b|\bmaven\b|\bnuget\b|\bcurl\b|\bwget\b|\bdocker\b|\bapt\b|\bgem\b|\bcomposer\b",
    r"|\bcheckout\b|\bclone\b|\bfailed to get\b|\bas a dependency\b",
);

/// A test's own words about a failure it expects or checks: an assertion, an expectation, the
/// source line pytest and others print with `>` before the error. The same words that name a
/// cause outside the code are then the test's subject (`assert "No space left on device" in
/// err`, `Expected OutOfMemoryError to be thrown`), not what happened to the machine.
const TEST_EXPECTATION: &str = concat!(
    r"(?i)\bassert|\bexpect(?:ed|s|ation)?\b|\bshould\b|\bto (?:be )?(?:throw|raise)n?\b",
    r"|\braises\(|\bassertRaises\b|^\s*>\s|^\s*\d+\s*(?:\||│)\s",
    // A test's title in its runner's result line: Jest's and Mocha's `✕ title (12 ms)`, TAP's
    // `not ok 3 - title`, Go's `--- FAIL: TestName`, a `test name ... FAILED` row.
    r"|^\s*(?:✕|✗|✘|×|✓|√|●)\s|\(\d+(?:\.\d+)?\s?m?s\)\s*$|^\s*not ok\b|^\s*--- FAIL\b",
    r"|^\s*test\s+\S+\s+\.\.\.",
);

static RUNNER_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSetBuilder::new(RUNNER_LEVEL.iter().map(|(shape, _, _)| *shape))
        .unicode(false)
        .build()
        .expect("valid runner shapes")
});
static RUNNER_RES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    RUNNER_LEVEL
        .iter()
        .map(|(shape, _, _)| ascii(shape))
        .collect()
});
static NETWORK_RE: LazyLock<Regex> = LazyLock::new(|| ascii(NETWORK));
static DOWNLOAD_RE: LazyLock<Regex> = LazyLock::new(|| ascii(DOWNLOAD));
static LOOPBACK_RE: LazyLock<Regex> =
    LazyLock::new(|| ascii(r"(?i)\blocalhost\b|\b127\.\d+\.\d+\.\d+\b|\b0\.0\.0\.0\b|\[::1?\]"));
static TEST_EXPECTATION_RE: LazyLock<Regex> = LazyLock::new(|| ascii(TEST_EXPECTATION));

fn ascii(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .expect("valid shapes")
}

/// The runner-level cause `line` shows, if any.
pub fn runner_level(line: &str) -> Option<InfrastructureCause> {
    let line = without_runner_tag(line);
    let bytes = line.as_bytes();
    let index = RUNNER_SET.matches(bytes).into_iter().next()?;
    let found = RUNNER_RES[index].find(bytes)?;
    if is_the_tests_subject(bytes) || in_a_string_literal(bytes, found.start()) {
        return None;
    }
    Some(InfrastructureCause {
        cause: RUNNER_LEVEL[index].1,
        line: line.to_owned(),
        at: found.range(),
        nature: RUNNER_LEVEL[index].2,
    })
}

/// The network cause `line` shows, when it is a failed download.
pub fn failed_download(line: &str) -> Option<InfrastructureCause> {
    failed_download_in(&[line])
}

/// The network cause the lines of one failure show, when it is a failed download: network
/// words on a line, and a sign of a download on that line or on the failure's first line (a
/// package manager's `failed to get` a dependency, then `Caused by:` … `Connection timed out`).
pub fn failed_download_in(failure: &[&str]) -> Option<InfrastructureCause> {
    let head = failure.first().map(|line| without_runner_tag(line))?;
    // The first line names the download for the lines below it only when it is not a test's
    // own result (`FAILED tests/test_fetch.py::test_download`, a test title).
    let head_downloads = DOWNLOAD_RE.is_match(head.as_bytes())
        && !TEST_EXPECTATION_RE.is_match(head.as_bytes())
        && !head.contains("::");
    failure.iter().enumerate().find_map(|(index, line)| {
        let line = without_runner_tag(line);
        let bytes = line.as_bytes();
        let network = NETWORK_RE.find(bytes)?;
        // Not [`in_a_string_literal`]: clients quote the URL and the reason together (yarn's
        // `error An unexpected error occurred: "https://…: getaddrinfo ENOTFOUND …"`).
        if is_the_tests_subject(bytes) {
            return None;
        }
        // A request to this machine is the code under test talking to itself.
        if LOOPBACK_RE.is_match(bytes) {
            return None;
        }
        // The download sign is looked for outside the network words themselves (a
        // `connection reset` is not a download).
        let outside = [&bytes[..network.start()], &bytes[network.end()..]];
        let downloading =
            outside.iter().any(|part| DOWNLOAD_RE.is_match(part)) || (index > 0 && head_downloads);
        downloading.then(|| InfrastructureCause {
            cause: "a download failed on the network (a registry, a mirror or a host)",
            line: line.to_owned(),
            at: network.range(),
            nature: Nature::Outside,
        })
    })
}

/// Whether the line is what a test checks rather than what happened: an assertion, a test's
/// title in its result line, a printed source line.
fn is_the_tests_subject(line: &[u8]) -> bool {
    TEST_EXPECTATION_RE.is_match(line)
}

/// Whether the words at `at` sit inside a string literal (`raise OSError(28, "No space left on
/// device")` in a printed source line): an odd number of quotes or backticks before them.
fn in_a_string_literal(line: &[u8], at: usize) -> bool {
    let before = &line[..at];
    let open = |quote: u8| before.iter().filter(|&&b| b == quote).count() % 2 == 1;
    open(b'"') || open(b'`')
}

/// The line as its program printed it: without the runner's `##[error]` and `Error: ` tags.
fn without_runner_tag(line: &str) -> &str {
    let line = line.trim();
    let line = line.strip_prefix("##[error]").unwrap_or(line);
    line.strip_prefix("Error: ").unwrap_or(line)
}

#[cfg(test)]
mod tests {
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
            cause(
                "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"
            ),
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
}
