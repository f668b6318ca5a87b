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

/// Literals at least one of which occurs in every line any shape matches, with
/// [`RARE_LITERAL`]. The set is searched over whole chunks (SIMD, Teddy), whose speed depends
/// on which literals are in it, not only how many: measured, adding `✖` or `✘` to it more than
/// doubles the search time on ordinary logs, so `✘` relies on the `ERROR` that esbuild prints
/// after it, and `✖` is found by its own search.
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
    "What went wrong",
    "___ ",
    "---- ",
];

/// tsd's and eslint's `✖`, searched apart from the other literals (see there).
pub const RARE_LITERAL: &str = "✖";

static RARE_FINDER: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(RARE_LITERAL.as_bytes()));

/// How much a line that opens a failure block says about the failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    /// A tool's own failure report: a failed test, a compiler error, a crash, a cancel.
    Decisive,
    /// An error-looking line that passing work prints too (an exception, `[ERROR]`, `fatal`).
    Ordinary,
    /// A line that sums up failures reported above it (`test result: FAILED`, `BUILD FAILED`).
    Summary,
    /// Only repeats that the job failed: the runner's `Process completed with exit code N.`,
    /// a build tool's `BUILD FAILED`, `> Task :test FAILED`.
    Generic,
}

/// Where a failure block that a shape opens ends (see [`super::block`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Lines indented deeper than the opener, code frames and stack frames continue it.
    Indented,
    /// Every line continues it up to the first blank line (`* What went wrong:`).
    Paragraph,
    /// Everything continues it, blanks included, up to the next section (`____ test ____`).
    Section,
    /// A Python traceback: frames, then the exception line at the margin, which ends it.
    Traceback,
    /// Lines with the same tag (`npm ERR!`) continue it.
    Tagged,
    /// The line alone (`FAIL src/x.test.js`, `The operation was canceled.`).
    Line,
}

/// What failed, as far as ranking cares: a test, each a failure of its own, or a build step,
/// whose errors (a compiler's hundreds) are one failure that its first ones explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Test,
    Build,
}

use Mode::*;
use Strength::*;
use Subject::*;

/// Shapes of informative lines, matched against sanitized text (markers stripped), each with
/// what it says and the block it opens. A line matching several takes the strongest
/// (`Generic` beats `Summary` beats `Decisive` beats `Ordinary`: a summary is specific about
/// being one).
const SHAPES: &[(&str, Strength, Mode, Subject)] = &[
    // rustc / cargo / gcc / clang / linkers: `error[E0425]: …`, `x.c:1:2: error: …`
    (
        r"^(?:error|ERROR)(?:\[E\d{4,5}\])?: ",
        Decisive,
        Indented,
        Build,
    ),
    (
        r"\S: (?:fatal )?error(?:\[E\d+\])?: |^fatal error: ",
        Decisive,
        Indented,
        Build,
    ),
    // tsc, MSVC, C#, the linker: `error TS2322:`, `error C2065:`, `error LNK2019:`
    (r"\berror [A-Z]{1,4}\d{2,6}\s*:", Decisive, Indented, Build),
    (
        r"(?:^|[\s\]:>])(?:error|Error|ERROR)(?:\[E\d{4,5}\])?: ",
        Ordinary,
        Indented,
        Build,
    ),
    (
        r"^error: (?:could not compile|aborting due to)",
        Summary,
        Line,
        Build,
    ),
    (
        r"^error: (?:test failed|build failed|recipe)",
        Generic,
        Line,
        Build,
    ),
    // libtest prints the panic's message at the margin, up to a blank line.
    (r"panicked at", Decisive, Paragraph, Test),
    (r"\bFAILED\b", Decisive, Indented, Test),
    (r"^test result: FAILED|^FAILED \(", Summary, Line, Build),
    (r"\bBUILD FAILED\b|\bBUILD FAILURE\b", Generic, Line, Build),
    (r"^failures:\s*$", Generic, Line, Build),
    (r"^---- .+ std(?:out|err) ----$", Decisive, Section, Test),
    (
        r"undefined (?:hidden )?(?:symbol|reference to)",
        Decisive,
        Indented,
        Build,
    ),
    // pytest
    (r"^E {3}", Decisive, Indented, Test),
    (
        r"^Traceback \(most recent call last\)",
        Decisive,
        Traceback,
        Test,
    ),
    (
        r"^\s*[A-Za-z_][\w.]*(?:Error|Exception)(?::|$)",
        Ordinary,
        Indented,
        Build,
    ),
    (r"^_{3,} .+ _{3,}$", Decisive, Section, Test),
    (r"={3,} (?:FAILURES|ERRORS) ={3,}", Generic, Line, Build),
    (
        r"Interrupted: \d+ errors?|^=+ .*\b\d+ (?:failed|errors?)\b.*=+$",
        Summary,
        Line,
        Build,
    ),
    (r"^ERROR \S", Ordinary, Line, Build),
    // npm / jest / vitest
    (r"^npm (?:ERR!|error) ", Ordinary, Tagged, Build),
    (
        r"^npm (?:ERR!|error) (?:code E|Missing script|404|ERESOLVE)",
        Decisive,
        Tagged,
        Build,
    ),
    // npm saying that the script it ran failed: the script's own output said why.
    (
        r"^npm (?:ERR!|error) (?:code (?:ELIFECYCLE|\d)|errno |Exit status |Failed at |Lifecycle script |command failed|Test failed)",
        Summary,
        Tagged,
        Build,
    ),
    (r"^\s*● ", Decisive, Indented, Test),
    (r"^FAIL\s", Decisive, Line, Test),
    // go test
    (r"^\s*--- FAIL: ", Decisive, Indented, Test),
    (r"^FAIL$", Generic, Line, Build),
    (r"^panic: ", Decisive, Section, Test),
    // tsc, eslint, tsd, esbuild
    (r"^\s+\d+:\d+\s+error\s", Decisive, Line, Build),
    (r"^\s*✖\s", Decisive, Line, Build),
    (r"^\s*✖ \d+ problems? \(", Summary, Line, Build),
    (r"^> Task \S+ FAILED$", Generic, Line, Build),
    (r"^\s*✘ ", Decisive, Indented, Build),
    // maven / surefire / gradle
    (r"^\[ERROR\] +\S", Ordinary, Indented, Build),
    (r"<<< (?:FAILURE|ERROR)!", Decisive, Indented, Test),
    (
        r"Tests run: \d+, Failures: (?:[1-9]|\d+, Errors: [1-9])|^\d+ tests? completed, \d+ failed",
        Summary,
        Line,
        Build,
    ),
    // A section header only: the lines under it are the report.
    (
        r"^\[ERROR\] (?:Failures|Errors|Tests in error): ?$",
        Generic,
        Indented,
        Build,
    ),
    (r"^\[ERROR\] .*:\[\d+,\d+\] ", Decisive, Indented, Build),
    (r"^\* What went wrong:", Decisive, Paragraph, Build),
    (r"Execution failed for task", Decisive, Indented, Build),
    (r"FAILURE: Build failed", Generic, Line, Build),
    // docker build
    (r"failed to (?:solve|build)", Decisive, Indented, Build),
    // crashes, OOM kills
    (
        r"Segmentation fault|SIGSEGV|core dumped",
        Decisive,
        Indented,
        Test,
    ),
    (r"(?:^|\s)Killed(?:\s|$)|OOMKilled", Decisive, Line, Build),
    (
        r"exit code 13[79]\b|[Oo]ut of memory",
        Decisive,
        Line,
        Build,
    ),
    // timeouts and cancellations
    (
        r"has timed out|exceeded the maximum execution time|timed out after",
        Decisive,
        Line,
        Build,
    ),
    (
        r"[Tt]he operation was cancell?ed|shutdown signal",
        Decisive,
        Line,
        Build,
    ),
    // git and friends
    (
        r"^fatal: |\bFATAL\b|^Fatal error",
        Ordinary,
        Indented,
        Build,
    ),
    // shells
    (
        r"No such file or directory|: command not found|Permission denied|^\S*sh: .*: not found$",
        Ordinary,
        Line,
        Build,
    ),
    // `Application bundle generation failed. [22.0 seconds]`, `npm error command failed`
    (
        r"\bfailed[.!]?(?:\s+\[[^\]]*\])?\s*$",
        Ordinary,
        Line,
        Build,
    ),
    (r"Exception in thread ", Ordinary, Indented, Build),
];

/// What a matching line is: its strength, the block it opens, and which shape it was (lines
/// of one shape at one indentation in a row are one list, see [`super::block`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub strength: Strength,
    pub mode: Mode,
    pub subject: Subject,
    pub id: u16,
}

impl Shape {
    /// The runner's generic exit-code error.
    pub const GENERIC: Shape = Shape {
        strength: Generic,
        mode: Line,
        subject: Build,
        id: u16::MAX,
    };

    /// An `##[error]` line whose text has no known shape: someone meant it as an error, but
    /// passing tests print such lines too (an exception logged on purpose).
    pub const MARKED_ERROR: Shape = Shape {
        strength: Ordinary,
        mode: Indented,
        subject: Build,
        id: u16::MAX - 1,
    };
}

static PREFILTER: LazyLock<Regex> = LazyLock::new(|| {
    let alternation: Vec<String> = PREFILTER_LITERALS
        .iter()
        .chain(&[RARE_LITERAL])
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

static SHAPE_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(SHAPES.iter().map(|s| s.0)).expect("error shapes are valid regexes")
});

/// Does this line (sanitized, or at least free of escape sequences) look like
/// it explains a failure?
pub fn is_error_shape(text: &[u8]) -> bool {
    if !(text.starts_with(b"E   ") || PREFILTER.is_match(text)) {
        return false;
    }
    SHAPE_SET.is_match(text) && !is_console_header(text)
}

/// The shape of a line (sanitized text), if it has one.
pub fn classify(text: &[u8]) -> Option<Shape> {
    if !(text.starts_with(b"E   ") || PREFILTER.is_match(text)) || is_console_header(text) {
        return None;
    }
    let strength_rank = |s: Strength| match s {
        Generic => 0,
        Summary => 1,
        Decisive => 2,
        Ordinary => 3,
    };
    SHAPE_SET
        .matches(text)
        .into_iter()
        .min_by_key(|&i| (strength_rank(SHAPES[i].1), i))
        .map(|i| Shape {
            strength: SHAPES[i].1,
            mode: SHAPES[i].2,
            subject: SHAPES[i].3,
            id: i as u16,
        })
}

/// Jest's `● Console`: the header of a suite's console output, not a failure.
fn is_console_header(text: &[u8]) -> bool {
    let t = text.trim_ascii_start();
    t.starts_with("● Console".as_bytes())
}

/// The prefilter alone, on raw bytes that may still hold escape sequences
/// (`E   ` may follow a colour code, so it is searched anywhere).
pub fn may_be_error_shape(raw: &[u8]) -> bool {
    PREFILTER.is_match(raw) || memchr::memmem::find(raw, b"E   ").is_some()
}

/// Where the next prefilter literal (or `E   `) starts in `buf`, at or after
/// `from`. Literals hold no line terminator, so a match lies within one line.
pub fn find_candidate(buf: &[u8], from: usize) -> Option<usize> {
    match (
        find_common_candidate(buf, from),
        find_rare_candidate(buf, from),
    ) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// [`find_candidate`] for the literals searched together.
pub fn find_common_candidate(buf: &[u8], from: usize) -> Option<usize> {
    BUFFER_PREFILTER.find_at(buf, from).map(|m| m.start())
}

/// [`find_candidate`] for [`RARE_LITERAL`].
pub fn find_rare_candidate(buf: &[u8], from: usize) -> Option<usize> {
    RARE_FINDER.find(buf.get(from..)?).map(|at| from + at)
}

/// `Process completed with exit code N.` — the runner's generic, least
/// informative error.
pub fn is_generic_exit_error(text: &[u8]) -> bool {
    // 137 and 139 are a kill (often the OOM killer) and a segfault: they say what happened.
    let signal = |code: &[u8]| memchr::memmem::find(text, code).is_some();
    (text.starts_with(b"Process completed with exit code")
        && !signal(b"code 137")
        && !signal(b"code 139"))
        || (text.starts_with(b"The process '")
            && memchr::memmem::find(text, b"' failed with exit code ").is_some())
}

/// The job was stopped from outside rather than failing by itself: cancelled, timed out,
/// killed. What was running just before it is the best clue to why.
pub fn is_interruption(text: &[u8]) -> bool {
    const WORDS: &[&[u8]] = &[
        b"he operation was cancel",
        b"shutdown signal",
        b"has timed out",
        b"exceeded the maximum execution time",
        b"timed out after",
        b"Killed",
        b"exit code 137",
    ];
    WORDS
        .iter()
        .any(|w| memchr::memmem::find(text, w).is_some())
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
        "npm ERR! code ERESOLVE",
        "✖ 2 problems (2 errors, 0 warnings)",
        "> Task :app:test FAILED",
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
        "[ERROR] Tests run: 1, Failures: 0, Errors: 1, Skipped: 0, Time elapsed: 0.1 s <<< FAILURE! - in a.BTest",
        "[ERROR] Tests run: 25, Failures: 0, Errors: 1, Skipped: 0",
        "[ERROR] Errors: ",
        "27 tests completed, 1 failed",
        "error: test failed, to rerun pass `--lib`",
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
        "sh: 1: husky: not found",
        "---- parser::tests::escapes stdout ----",
        "_____________________ TestSetOps.test_isin _____________________",
        "!!!!!!!!!!!!!!!!!!! Interrupted: 3 errors during collection !!!!!!!!!!!!!!!!!!!!",
        "ERROR tests/unit/test_models.py",
        "  ✖  19:0   Parameter type any is not identical to argument type Option.",
        "✘ [ERROR] Could not resolve \"@swimlane/ngx-charts\"",
        "* What went wrong:",
        "Execution failed for task ':app:test'.",
        "[ERROR] /home/runner/work/a/a/B.java:[42,46] cannot access X",
        "Application bundle generation failed. [22.024 seconds]",
        "Exception in thread \"main\" java.lang.IllegalStateException: boom",
        "src/main.c:1:2: error: expected ';' before '}' token",
        "src/A.cs(3,5): error CS0103: The name 'x' does not exist in the current context",
        "error: aborting due to 2 previous errors",
        "npm error Lifecycle script `test` failed with error:",
        "[ERROR] Tests run: 3, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 1 s <<< FAILURE! - in a.B",
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
                "shape without an example: {shape:?}"
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
        // A kill or a segfault is news, not a repeat of the ❌.
        assert!(!is_generic_exit_error(
            b"Process completed with exit code 137."
        ));
        assert!(is_generic_exit_error(
            b"The process '/usr/bin/xvfb-run' failed with exit code 1"
        ));
        assert!(is_step_ending_error(
            b"The action 'Test' has timed out after 360 minutes."
        ));
    }
}
