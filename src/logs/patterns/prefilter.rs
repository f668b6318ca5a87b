//! Which lines can hold a failure shape, found fast: literals one of which occurs in every
//! line a shape matches, searched over whole chunks, and the few shapes checked line by line.

use std::sync::LazyLock;

use regex::bytes::Regex;

/// Literals at least one of which occurs in every line any shape matches, with
/// [`RARE_LITERALS`]. The set is searched over whole chunks (SIMD, Teddy), whose speed depends
/// on which literals are in it, not only how many: measured, adding `✖` or `✘` to it more than
/// doubles the search time on ordinary logs, so the crosses are found by a search of their own.
const PREFILTER_LITERALS: &[&str] = &[
    "error",
    "Error",
    "ERROR",
    "ERR!",
    "FAIL",
    "fail",
    "Fail",
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
    "cancel",
    "shutdown signal",
    "atal",
    "FATAL",
    "No such file",
    "not found",
    "Permission denied",
    "What went wrong",
    "___ ",
    "---- ",
];

/// The crosses that mark a failed check (`✕` U+2715, `✖` U+2716, `✗` U+2717, `✘` U+2718),
/// searched apart from the other literals (see there) by the two bytes they share in UTF-8,
/// then their third.
pub const RARE_LITERALS: [&str; 4] = ["✕", "✖", "✗", "✘"];
const RARE_PREFIX: &[u8] = b"\xe2\x9c";

static RARE_FINDER: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(RARE_PREFIX));

/// Is this where one of [`RARE_LITERALS`] starts?
fn is_rare_literal_at(buf: &[u8], at: usize) -> bool {
    matches!(buf.get(at + 2), Some(0x95..=0x98)) && buf[at..].starts_with(RARE_PREFIX)
}

pub(super) static PREFILTER: LazyLock<Regex> = LazyLock::new(|| {
    let alternation: Vec<String> = PREFILTER_LITERALS
        .iter()
        .chain(&RARE_LITERALS)
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

/// Shapes no prefilter literal finds, checked line by line at a few bytes' cost: a numbered
/// entry and a one-letter level (as literals, `) ` and `e: ` would slow the search of every
/// chunk).
pub fn is_found_alone(text: &[u8]) -> bool {
    is_numbered_entry(text) || is_level_letter(text)
}

/// A one-letter error level at the margin (`e: file.kt:3:5 message`, `E: Unable to …`).
fn is_level_letter(text: &[u8]) -> bool {
    text.starts_with(b"e: ") || text.starts_with(b"E: ")
}

/// A numbered entry (`  1) name`), see [`is_found_alone`].
pub fn is_numbered_entry(text: &[u8]) -> bool {
    let t = text.trim_ascii_start();
    let digits = t.iter().take_while(|b| b.is_ascii_digit()).count();
    text.len() - t.len() <= 6
        && (1..=4).contains(&digits)
        && t[0] != b'0'
        && t[digits..].starts_with(b") ")
}

/// The prefilter alone, on raw bytes that may still hold escape sequences
/// (`E   ` may follow a colour code, so it is searched anywhere).
pub fn may_be_error_shape(raw: &[u8]) -> bool {
    PREFILTER.is_match(raw) || memchr::memmem::find(raw, b"E   ").is_some() || is_found_alone(raw)
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

/// [`find_candidate`] for [`RARE_LITERALS`]: other dingbats (a passing check's `✓`) share
/// their first two bytes and are passed over.
pub fn find_rare_candidate(buf: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        at += RARE_FINDER.find(buf.get(at..)?)?;
        if is_rare_literal_at(buf, at) {
            return Some(at);
        }
        at += 1;
    }
}
