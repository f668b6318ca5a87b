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

use super::lines::without_error_tag;

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
    let line = without_error_tag(line);
    line.strip_prefix("Error: ").unwrap_or(line)
}

#[cfg(test)]
mod tests;
