//! Lines that say nothing about a failure: passing work and the boilerplate tools print
//! around their real message.
//!
//! Pure: no I/O. Used to rank such lines last ([`super::rank`]) and to learn that a step moved
//! on after an error (a passing test follows it).

use std::sync::LazyLock;

use regex::Regex;

use super::block::{split_tag, Tag};
use super::patterns::{self, Rules};

/// Says nothing about a failure: blank, a passing test, or a tool's boilerplate around its
/// real message.
pub fn is_noise(text: &str) -> bool {
    let text = text.trim();
    let (tag, rest) = split_tag(text);
    let rest = rest.trim();
    let tools = patterns::rules() == Rules::All;
    text.is_empty()
        || is_drawing(text)
        || is_pass(text)
        || (tag != Tag::None && rest.is_empty())
        || is_advice(rest)
        || (tools && BOILERPLATE.iter().any(|b| rest.starts_with(b)))
        || rest.bytes().all(|b| b"-=*_~# ".contains(&b))
        || (tag == Tag::Npm && (rest.contains("/_logs/") || is_npm_location(rest)))
        || (rest.starts_with('✖') && rest.contains(" problems (0 errors"))
        || text.starts_with("npm warn ")
        || text.starts_with("npm WARN ")
        // faulthandler's header of a thread that did not crash (`Current thread` did)
        || (text.starts_with("Thread 0x") && text.ends_with("(most recent call first):"))
}

/// Nothing but box drawing behind a margin (`app-1  |    ┐`, `  │`, `┴`): the frame of a
/// report, whose lines say what it holds.
fn is_drawing(text: &str) -> bool {
    let starts_with_box = |t: &str| {
        t.chars()
            .next()
            .is_some_and(|c| ('\u{2500}'..='\u{257f}').contains(&c))
    };
    (starts_with_box(text) || text.contains(" | "))
        && patterns::message(text.as_bytes()).trim_ascii().is_empty()
}

/// npm's `path`, `workspace` and `location` lines (where the package is, which the job's
/// checkout already says) and its exit status.
fn is_npm_location(rest: &str) -> bool {
    ["path ", "workspace ", "location "]
        .iter()
        .any(|p| rest.starts_with(p))
        || is_npm_exit(rest)
}

/// npm repeating that its script exited non-zero (`code 1`, `errno 1`, `Exit status 1`,
/// `command failed`, `Lifecycle script `test` failed with error:`): the job's ❌ says as much;
/// the command it ran is what tells.
fn is_npm_exit(rest: &str) -> bool {
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    rest == "command failed"
        || (rest.starts_with("Lifecycle script ") && rest.ends_with("failed with error:"))
        || ["code ", "errno ", "Exit status "]
            .iter()
            .any(|p| rest.strip_prefix(p).is_some_and(number))
}

/// Lines one tool prints around every failure that tell the reader nothing new.
const BOILERPLATE: &[&str] = &[
    "This is probably not a problem with npm",
    "Failed at the ",
    "After correcting the problems, you can resume the build",
    "Run in verbose mode to see all warnings",
    "Test failed.  See above for more details.",
    "mvn <args> -rf ",
];

/// How advice begins: how to learn more or to run again, after a failure it does not describe.
const ADVICE: &[&str] = &[
    "run with ",
    "re-run ",
    "rerun ",
    "try:",
    "get more help",
    "for more information",
    "for more details",
    "for a full report",
    "see above for",
    "a complete log of",
    "to see the full",
    "please refer to ",
    "[help 1]",
];

/// Advice a tool prints after a failure (`> Run with --stacktrace option …`, `Re-run Maven
/// using the -X switch …`, `For more information …`, `* Try:`, `A complete log of this run
/// can be found in:`, `note: run with RUST_BACKTRACE=1 …`): it says nothing of what failed.
/// The phrasing is a convention of English, not of one tool; a list marker, an arrow and a
/// `note:`/`hint:` label before it are looked through.
fn is_advice(rest: &str) -> bool {
    let words = rest.trim_start_matches(['>', '*', '-', ' ']);
    let words = ["note: ", "hint: ", "help: "]
        .iter()
        .find_map(|label| words.strip_prefix(label))
        .unwrap_or(words);
    ADVICE.iter().any(|advice| {
        words
            .get(..advice.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(advice))
    })
}

/// A line that reports passing work: a passing test or suite. The status words and check
/// marks are generic; libtest's, go test's and Surefire's own lines are their formats.
pub fn is_pass(text: &str) -> bool {
    let t = text.trim();
    t.ends_with(" PASSED")
        || t.starts_with("PASSED ")
        || (t.contains(" PASSED ") && t.ends_with(']'))
        || t.starts_with("PASS ")
        || t.starts_with('✓')
        || t.starts_with('✔')
        || counts_no_failure(t)
        || (patterns::rules() == Rules::All && is_tool_pass(t))
}

/// Totals that count failures and find none (`Tests run: 3, Failures: 0, Errors: 0`,
/// `12 passed, 0 failed`): the suite above it passed.
fn counts_no_failure(t: &str) -> bool {
    static ZERO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:Failures|Errors|Failed|failures|errors|failed)\s*[:=]\s*0\b|\b0 (?:failures|failed|errors)\b")
            .expect("the zero-failure regex is valid")
    });
    static SOME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b[1-9]\d* (?:failed|failures?|errors?)\b|\b(?:Failures|Errors|Failed)\s*[:=]\s*[1-9]")
            .expect("the failure-count regex is valid")
    });
    ZERO.is_match(t) && !SOME.is_match(t)
}

/// libtest's `test x ... ok`, go test's `--- PASS:` and `ok  pkg`.
fn is_tool_pass(t: &str) -> bool {
    (t.starts_with("test ") && t.ends_with(" ... ok"))
        || t.starts_with("--- PASS:")
        || (t.starts_with("ok ") && t.contains('\t'))
}

/// A quick test on the raw bytes for [`is_pass`], so a line that cannot be one costs a few
/// comparisons: only asked while some block could still be shown to be a passing test's.
pub fn may_be_pass(raw: &[u8]) -> bool {
    let t = raw.trim_ascii_start();
    t.starts_with(b"\x1b")
        || t.starts_with(b"test ")
        || t.starts_with(b"PASS")
        || t.starts_with(b"ok ")
        || t.starts_with(b"--- PASS")
        || t.starts_with("✓".as_bytes())
        || t.starts_with("✔".as_bytes())
        || t.ends_with(b"PASSED")
        || memchr::memmem::find(raw, b"PASSED [").is_some()
        || memchr::memmem::find(raw, b": 0").is_some()
        || memchr::memmem::find(raw, b" 0 f").is_some()
        || memchr::memmem::find(raw, b" 0 e").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_passing_work_and_boilerplate() {
        for line in [
            "",
            "test a::b ... ok",
            "PASS src/a.test.js",
            "[INFO] Tests run: 3, Failures: 0, Errors: 0, Skipped: 0",
            "npm ERR! A complete log of this run can be found in:",
            "npm ERR!     /home/runner/.npm/_logs/2022-01-01-debug.log",
            "[ERROR] ",
            "[ERROR] -> [Help 1]",
            "npm error code 1",
            "npm ERR! errno 127",
            "npm error command failed",
            "npm warn deprecated eslint@8.56.0: This version is no longer supported.",
            "Thread 0x00007f90b4639700 (most recent call first):",
            "npm error Lifecycle script `test` failed with error:",
            "> Run with --stacktrace option to get the stack trace.",
            "[ERROR] Re-run the build using the -X switch to enable full debug logging.",
            "For more information about the errors, see the report above.",
            "hint: run with --verbose for the full trace",
            "* Try:",
            "web-1  |    ┐",
            "  │",
            "┴",
        ] {
            assert!(is_noise(line), "{line:?}");
        }
        for line in [
            "> husky",
            "Running with 4 workers",
            "error: for more than 3 retries the server gave up",
            "web-1  |    │ /app/tests/ConfigTest.php:18",
            "a | b",
            "npm ERR! code ELIFECYCLE",
            "npm error command sh -c jest",
            "Current thread 0x00007f2c (most recent call first):",
            "FAIL src/a.test.js",
            "  |     ^ not found in this scope",
            "131 |           if cell.is_empty() {",
        ] {
            assert!(!is_noise(line), "{line:?}");
        }
    }
}
