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
mod tests;
