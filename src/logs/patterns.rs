//! Recognising lines that explain a failure, across ecosystems.
//!
//! Pure: no I/O. Two stages so the common line costs little: a literal
//! prefilter (one `Regex` made only of plain alternatives, which the regex
//! crate runs as a SIMD multi-literal search) and, only for lines that pass
//! it, a `RegexSet` of the actual shapes. Both are compiled once.
//!
//! Invariant (tested): every line a shape matches also passes the prefilter.

use std::sync::LazyLock;

use regex::bytes::{Regex, RegexSet};

/// Literals at least one of which occurs in every line any shape matches.
const PREFILTER_LITERALS: &[&str] = &[
    "error",
    "Error",
    "ERROR",
    "ERR!",
    "FAIL",
    "fail",
    "panic",
    "Traceback",
    "Exception",
    "●",
    "undefined",
    "Segmentation",
    "SIGSEGV",
    "core dumped",
    "Killed",
    "137",
    "of memory",
    "timed out",
    "maximum execution",
    "canceled",
    "cancelled",
    "shutdown signal",
    "fatal",
    "FATAL",
    "Fatal",
    "No such file",
    "not found",
    "Permission denied",
];

/// Shapes of informative lines, matched against sanitized text (markers stripped).
const SHAPES: &[&str] = &[
    // rustc / cargo / linkers / many CLIs: `error: …`, `error[E0425]: …`, `rust-lld: error: …`
    r"(?:^|[\s\]:>])(?:error|Error|ERROR)(?:\[E\d{4,5}\])?: ",
    r"panicked at",
    r"\bFAILED\b",
    r"^failures:\s*$",
    r"undefined (?:hidden )?(?:symbol|reference to)",
    // pytest
    r"^E {3}",
    r"^Traceback \(most recent call last\)",
    r"^\s*[A-Za-z_][\w.]*(?:Error|Exception)(?::|$)",
    r"={3,} FAILURES ={3,}",
    // npm / jest
    r"^npm (?:ERR!|error) ",
    r"^\s*● ",
    r"^FAIL\s",
    // go test
    r"^\s*--- FAIL: ",
    r"^FAIL$",
    r"^panic: ",
    // tsc, eslint
    r"\berror TS\d+: ",
    r"^\s+\d+:\d+\s+error\s",
    // maven / gradle
    r"^\[ERROR\]",
    r"FAILURE: Build failed",
    // docker build
    r"failed to (?:solve|build)",
    // crashes, OOM kills
    r"Segmentation fault|SIGSEGV|core dumped",
    r"(?:^|\s)Killed(?:\s|$)|OOMKilled",
    r"exit code 137|[Oo]ut of memory",
    // timeouts and cancellations
    r"has timed out|exceeded the maximum execution time|timed out after",
    r"[Tt]he operation was cancell?ed|shutdown signal",
    // git and friends
    r"^fatal: |\bFATAL\b|^Fatal error",
    // shells
    r"No such file or directory|: command not found|Permission denied",
];

static PREFILTER: LazyLock<Regex> = LazyLock::new(|| {
    let alternation: Vec<String> = PREFILTER_LITERALS
        .iter()
        .map(|l| regex::escape(l))
        .collect();
    Regex::new(&alternation.join("|")).expect("prefilter literals are valid")
});

/// The prefilter's literals plus `E   `, for one search over a whole buffer of
/// lines: a line in which no match starts can be neither an error shape nor
/// pass [`may_be_error_shape`], so it needs no per-line check at all.
static BUFFER_PREFILTER: LazyLock<Regex> = LazyLock::new(|| {
    let alternation: Vec<String> = PREFILTER_LITERALS
        .iter()
        .chain(&["E   "])
        .map(|l| regex::escape(l))
        .collect();
    Regex::new(&alternation.join("|")).expect("prefilter literals are valid")
});

static SHAPE_SET: LazyLock<RegexSet> =
    LazyLock::new(|| RegexSet::new(SHAPES).expect("error shapes are valid regexes"));

/// Does this line (sanitized, or at least free of escape sequences) look like
/// it explains a failure?
pub fn is_error_shape(text: &[u8]) -> bool {
    if !(text.starts_with(b"E   ") || PREFILTER.is_match(text)) {
        return false;
    }
    SHAPE_SET.is_match(text)
}

/// The prefilter alone, on raw bytes that may still hold escape sequences
/// (`E   ` may follow a colour code, so it is searched anywhere).
pub fn may_be_error_shape(raw: &[u8]) -> bool {
    PREFILTER.is_match(raw) || memchr::memmem::find(raw, b"E   ").is_some()
}

/// Where the next prefilter literal (or `E   `) starts in `buf`, at or after
/// `from`. Literals hold no line terminator, so a match lies within one line.
pub fn find_candidate(buf: &[u8], from: usize) -> Option<usize> {
    BUFFER_PREFILTER.find_at(buf, from).map(|m| m.start())
}

/// `Process completed with exit code N.` — the runner's generic, least
/// informative error.
pub fn is_generic_exit_error(text: &[u8]) -> bool {
    text.starts_with(b"Process completed with exit code")
}

/// Error lines after which the runner ends the step (used for attribution).
pub fn is_step_ending_error(text: &[u8]) -> bool {
    is_generic_exit_error(text)
        || memchr::memmem::find(text, b"has timed out after").is_some()
        || text.starts_with(b"The operation was canceled")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOULD_MATCH: &[&str] = &[
        "error[E0425]: cannot find value `x` in this scope",
        "error: could not compile `foo` (lib) due to 2 previous errors",
        "[test:docs] error: linking with `cc` failed: exit status: 1",
        "          rust-lld: error: undefined hidden symbol: core::panicking",
        "thread 'main' panicked at src/main.rs:2:5:",
        "test tests::it_works ... FAILED",
        "failures:",
        "test result: FAILED. 1 passed; 1 failed",
        "FAILED tests/test_x.py::test_y - AssertionError: assert 1 == 2",
        "E       assert 1 == 2",
        "Traceback (most recent call last):",
        "AssertionError",
        "RuntimeError: Process 0 terminated or timed out after 310.0 seconds",
        "=================================== FAILURES ===================================",
        "npm ERR! code ELIFECYCLE",
        "npm error Missing script: \"test\"",
        "  ● Sum › adds 1 + 2 to equal 3",
        "FAIL src/sum.test.js",
        "--- FAIL: TestAdd (0.00s)",
        "FAIL\tgithub.com/x/y\t0.003s",
        "FAIL",
        "panic: runtime error: index out of range [3] with length 3",
        "src/index.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.",
        "  12:5  error  'x' is assigned a value but never used  no-unused-vars",
        "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin",
        "BUILD FAILED in 3s",
        "FAILURE: Build failed with an exception.",
        "ERROR: failed to solve: process \"/bin/sh -c make\" did not complete successfully",
        "failed to build: exit status 2",
        "Segmentation fault (core dumped)",
        "Fatal Python error: Segmentation fault",
        "received signal SIGSEGV",
        "Killed",
        "Error: Process completed with exit code 137.",
        "fatal error: runtime: out of memory",
        "The action 'Test' has timed out after 360 minutes.",
        "The job has exceeded the maximum execution time of 45m0s",
        "The operation was canceled.",
        "The runner has received a shutdown signal.",
        "fatal: repository 'https://x/' not found",
        "mv: cannot stat 'td_results.json': No such file or directory",
        "bash: line 1: cargo-nextest: command not found",
        "/bin/sh: 1: ./run.sh: Permission denied",
    ];

    const SHOULD_NOT_MATCH: &[&str] = &[
        "   Compiling error-chain v0.12.4",
        "    Checking error-handling v0.1.0 (https://github.com/x/error-handling-rs#f26e)",
        "Download https://deno.land/x/zod@v3.23.8/errors.ts",
        "warning: unused variable: `x`",
        "test tests::it_works ... ok",
        "test result: ok. 3 passed; 0 failed; 0 ignored",
        "Finished `dev` profile [unoptimized + debuginfo] target(s) in 53.77s",
        "Everything is fine",
        "  GIT_DEFAULT_BRANCH: main",
        "collected 1 item",
        "FAILURES are reported below", // no `===` frame
    ];

    #[test]
    fn known_shapes_match() {
        for line in SHOULD_MATCH {
            assert!(is_error_shape(line.as_bytes()), "should match: {line:?}");
        }
    }

    #[test]
    fn ordinary_lines_do_not_match() {
        for line in SHOULD_NOT_MATCH {
            assert!(
                !is_error_shape(line.as_bytes()),
                "should not match: {line:?}"
            );
        }
    }

    #[test]
    fn prefilter_never_hides_a_shape() {
        // Every example a shape matches must pass the prefilter on its own.
        for line in SHOULD_MATCH {
            if SHAPE_SET.is_match(line.as_bytes()) {
                assert!(
                    line.starts_with("E   ") || PREFILTER.is_match(line.as_bytes()),
                    "{line:?}"
                );
            }
        }
        // And each shape has at least one example.
        for (i, shape) in SHAPES.iter().enumerate() {
            assert!(
                SHOULD_MATCH
                    .iter()
                    .any(|l| SHAPE_SET.matches(l.as_bytes()).matched(i)),
                "shape without an example: {shape}"
            );
        }
    }

    #[test]
    fn buffer_prefilter_finds_every_line_that_could_be_a_hit() {
        let tricky = [
            "\x1b[31mE   assert 1 == 2\x1b[0m",
            "E   x",
            "plain line",
            "\x1b[1mnothing here\x1b[0m",
        ];
        for line in SHOULD_MATCH.iter().chain(SHOULD_NOT_MATCH).chain(&tricky) {
            let raw = line.as_bytes();
            let could_hit = may_be_error_shape(raw) || is_error_shape(raw);
            // Inside a buffer: the search from the line's start stays in it.
            let buf = [b"noise\n", raw, b"\nmore"].concat();
            let found = find_candidate(&buf, 6).is_some_and(|at| at < 6 + raw.len());
            assert!(found || !could_hit, "{line:?}");
        }
    }

    #[test]
    fn generic_exit_error() {
        assert!(is_generic_exit_error(
            b"Process completed with exit code 1."
        ));
        assert!(!is_generic_exit_error(
            b"The action 'Test' has timed out after 360 minutes."
        ));
        assert!(is_step_ending_error(
            b"The action 'Test' has timed out after 360 minutes."
        ));
    }
}
