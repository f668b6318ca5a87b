//! Failure blocks: where the report a tool prints about one failure ends, and which of its
//! lines say the most.
//!
//! Pure: no I/O. A failure is rarely one line: a libtest panic comes with its message and
//! `left`/`right`, a rustc error with its `-->` location and code frame, a jest `●` block with
//! Expected/Received and the first `at file:line`. A line with a known shape
//! ([`super::patterns`]) opens a block; [`OpenBlock::next`] decides, line by line, whether the
//! next line still belongs to it, by the rule of the shape's [`Mode`]. Every rule looks at one
//! line and a few counters, so a block costs nothing to track however long it runs, and what
//! is stored of it is capped elsewhere ([`super::candidates`]).

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::patterns::{Mode, Shape, Strength};

/// Lines a block is followed for at most; past that the next line starts afresh.
const MAX_BLOCK_LINES: u32 = 2_000;

/// Lines at the start of a block that are checked for detail shapes ([`is_detail`]).
pub const DETAIL_SCAN_LINES: u32 = 400;

/// The block being followed, as the collector sees it.
#[derive(Debug, Clone)]
pub struct OpenBlock {
    pub id: u64,
    pub shape: Shape,
    indent: usize,
    tag: Tag,
    /// Blank lines in a row just seen.
    blanks: u32,
    /// After a sub-header: lines at any indentation continue the block up to a blank.
    in_paragraph: bool,
    pub lines: u32,
    /// Stack frames seen in the block's current section (see [`is_detail`]).
    pub frames: FramesSeen,
}

/// What the next line is to the open block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Belongs to it.
    Inside,
    /// Belongs to it and ends it (a traceback's exception line).
    Last,
    /// A blank line: belongs to it if a later line does; never worth showing.
    Blank,
    /// The block ended before this line.
    Ended,
}

impl OpenBlock {
    /// A block opened by `text`, a line of `shape`.
    pub fn new(id: u64, shape: Shape, text: &str) -> Self {
        let (tag, rest) = split_tag(text);
        OpenBlock {
            id,
            shape,
            indent: indent_of(rest),
            tag,
            blanks: 0,
            in_paragraph: false,
            lines: 1,
            frames: FramesSeen::default(),
        }
    }

    /// Does `text` (sanitized; `hit`: its shape, if any) continue the block?
    pub fn next(&mut self, text: &str, hit: Option<Shape>) -> Next {
        if self.lines >= MAX_BLOCK_LINES {
            return Next::Ended;
        }
        if text.trim().is_empty() {
            self.blanks += 1;
            let allowed = match self.shape.mode {
                Mode::Section => 3,
                Mode::Indented | Mode::Traceback => 2,
                Mode::Paragraph | Mode::Tagged | Mode::Line => 0,
            };
            return if self.blanks > allowed {
                Next::Ended
            } else {
                self.lines += 1;
                Next::Blank
            };
        }
        let after_blank = std::mem::take(&mut self.blanks) > 0;
        if hit.is_none() && super::noise::is_pass(text) {
            // A passing test: whatever the report was, the run has moved on.
            return Next::Ended;
        }
        let (tag, rest) = split_tag(text);
        let indent = indent_of(rest);
        // `[ERROR] x.java:[42,46] cannot access …` goes on in indented lines without the tag.
        let deeper = (tag == self.tag || tag == Tag::None) && indent > self.indent;
        let verdict = match self.shape.mode {
            Mode::Line => Next::Ended,
            Mode::Tagged => {
                if tag == self.tag && tag != Tag::None {
                    Next::Inside
                } else {
                    Next::Ended
                }
            }
            Mode::Paragraph => {
                if !after_blank || deeper {
                    Next::Inside
                } else {
                    Next::Ended
                }
            }
            Mode::Section => {
                let new_section = hit.is_some_and(|h| {
                    matches!(h.mode, Mode::Section)
                        || matches!(h.strength, Strength::Summary | Strength::Generic)
                }) || rest.starts_with("=====");
                if new_section {
                    Next::Ended
                } else {
                    Next::Inside
                }
            }
            Mode::Traceback => {
                if indent > 0 || is_frame(rest) {
                    Next::Inside
                } else {
                    Next::Last
                }
            }
            Mode::Indented => {
                let same_list = hit.is_some_and(|h| h.id == self.shape.id)
                    && !after_blank
                    && tag == self.tag
                    && indent == self.indent;
                // A sub-header's paragraph runs to a blank line, through its indented lines
                // and back at the margin (`Error Message:`, the message, `Expected: …`), but
                // not over the next failure at the block's own indentation.
                let next_failure = hit.is_some() && indent <= self.indent;
                let in_paragraph =
                    std::mem::take(&mut self.in_paragraph) && !after_blank && !next_failure;
                if deeper || (tag == self.tag && is_frame(rest)) || same_list || in_paragraph {
                    self.in_paragraph = in_paragraph;
                    Next::Inside
                } else if hit.is_none() && rest.trim_end().ends_with(':') {
                    // A sub-header (`Current thread 0x… (most recent call first):`, `Caused
                    // by:`): it and the lines it introduces, up to a blank, belong here too.
                    self.in_paragraph = true;
                    self.frames = FramesSeen::section(rest);
                    Next::Inside
                } else {
                    Next::Ended
                }
            }
        };
        if verdict != Next::Ended {
            self.lines += 1;
        }
        verdict
    }
}

/// A prefix some tools put on every line of a message, under which indentation is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    None,
    Error,
    Info,
    Warning,
    Npm,
}

/// Splits `[ERROR] `, `[INFO] `, `npm ERR! ` and the like off a line, after a service prefix
/// (`app-1  | `, docker compose's), under which a container's own indentation is measured.
pub fn split_tag(text: &str) -> (Tag, &str) {
    let text = &text[super::sanitize::service_prefix_len(text.as_bytes())..];
    const TAGS: &[(&str, Tag)] = &[
        ("[ERROR]", Tag::Error),
        ("[INFO]", Tag::Info),
        ("[WARNING]", Tag::Warning),
        ("[WARN]", Tag::Warning),
        ("npm ERR!", Tag::Npm),
        ("npm error", Tag::Npm),
    ];
    // npm's own tags are its format; bracketed log levels are everyone's.
    let tools = super::patterns::rules() == super::patterns::Rules::All;
    for (prefix, tag) in TAGS {
        if *tag == Tag::Npm && !tools {
            continue;
        }
        if let Some(rest) = text.strip_prefix(prefix) {
            if rest.is_empty() || rest.starts_with(' ') {
                return (*tag, rest.strip_prefix(' ').unwrap_or(rest));
            }
        }
    }
    (Tag::None, text)
}

/// Columns of leading whitespace (a tab counts as 4).
pub fn indent_of(text: &str) -> usize {
    text.bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .map(|b| if b == b'\t' { 4 } else { 1 })
        .sum()
}

/// A stack frame or a code frame: part of the report of the line above it.
pub fn is_frame(text: &str) -> bool {
    let t = text.trim_start();
    let Some(first) = t.chars().next() else {
        return false;
    };
    match first {
        '|' | '│' | '╵' | '╷' | '^' | '~' | '>' | '=' | '+' | '-' => true,
        'a' => t.starts_with("at "),
        'E' => t.starts_with("E  "),
        'F' => t.starts_with("File \""),
        '/' => frame_of(text).is_some(),
        '0'..='9' => {
            // `131 |           if cell.is_empty() {`: a rustc / jest code frame line.
            let digits = t.bytes().take_while(u8::is_ascii_digit).count();
            let after = t[digits..].trim_start();
            after.starts_with('|') || after.starts_with('│')
        }
        _ => false,
    }
}

/// A code frame's line with no code or label in it (`   |`, `  ╵  ~~~~`, `   ^^^`): the
/// pointer of a frame whose code line is left out points at nothing.
pub fn is_empty_code_frame(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || "|│╵╷^~-_+".contains(c))
        && t.chars().any(|c| "|│╵╷^~".contains(c))
}

/// A code frame's pointer at the failing code: a caret line (`   |     ^^^`, `  ╵  ~~~`) or
/// the marked line of a jest / babel frame (`> 630 | let x = …`).
pub fn is_code_pointer(text: &str) -> bool {
    let t = text.trim_start();
    (is_empty_code_frame(text) && (t.contains('^') || t.contains('~')))
        || (t.starts_with('>') && is_frame(&t[1..]))
}

/// Lines inside a block that carry its facts: the assertion's two sides, the location, the
/// diff, the first stack frame, a frame in the project's own code.
static DETAILS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"^\s*(?:Expected|Received|expected|received|Actual|actual|left|right|Difference|- Expected|\+ Received)\b[^:]{0,40}:",
        r"^\s*--> \S",
        // A sentence that states the problem (`Could not resolve dependency:`, `Conflicting
        // peer dependency: x@7`, `Cannot find module 'y'`, `Unable to locate package z`).
        r"^\s*(?:[A-Z]\w* ){0,2}(?:[Cc]onflicting|[Cc]ould not|[Cc]annot|[Cc]an't|[Uu]nable to|[Mm]issing|[Ii]nvalid|[Uu]nexpected|[Uu]nresolved)\b",
        // jest / babel point at the failing line of a code frame: `> 101 |   expect(x)`
        r"^\s*>\s*\d+\s*[|│]",
        r"^\s*(?:assert|Assert|assertion)\b",
        // `x_test.go:31: got 1`, `x.py:629: ValueError`, `x.ts:1:33:`; not pytest's bare
        // `x.py:216: ` that closes each frame of a long traceback.
        r"^\s*(?:[#*-] +)?[\w./\\+@~-]+\.\w{1,5}:\d+(?::\d+)?(?::\s*\S|:$| - |$)",
        r"^\s*[-+] {3,}\S",
        r"^\s*> Process .* finished with non-zero exit value",
        r"\bgot\b.*\bwant\b|\bwant\b.*\bgot\b",
    ])
    .expect("detail shapes are valid regexes")
});

static SPACED_LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*[\w./\\+@~-]+\.\w{1,5} \d+:\d+(?:\s|$)")
        .expect("the spaced location regex is valid")
});

/// Which way a stack trace runs, read off one of its frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frame {
    /// The throw site first: `at f (file:1:2)`, `\tat a.B.c(B.java:4)`, a Go frame's
    /// `\t/x/y.go:12 +0x1d`.
    NewestFirst,
    /// Python's faulthandler dump, `File "x.py", line 3 in f`: newest first too, but its
    /// first frame is the interpreter's, so only the project's own frames tell.
    Dump,
    /// The throw site last, right above the exception line: `File "x.py", line 3, in f`,
    /// pytest's `x.py:3: in f`.
    NewestLast,
}

/// The stack frame this line is, if it is one.
pub fn frame_of(text: &str) -> Option<Frame> {
    let t = text.trim_start();
    if t.starts_with("at ") && t.contains(':') {
        return Some(Frame::NewestFirst);
    }
    if let Some(rest) = t.strip_prefix("File \"") {
        return Some(if rest.contains("\", line ") && rest.contains(", in ") {
            Frame::NewestLast
        } else {
            Frame::Dump
        });
    }
    if t.contains(": in ")
        && t.split(": in ").next().is_some_and(|p| {
            p.rsplit(':')
                .next()
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
    {
        return Some(Frame::NewestLast);
    }
    if text.starts_with('\t') && t.starts_with('/') && t.contains(".go:") {
        return Some(Frame::NewestFirst);
    }
    None
}

/// The project's own files, as the runners lay out the workspace, not a dependency's.
pub fn is_workspace_path(text: &str) -> bool {
    const WORKSPACES: &[&str] = &[
        "/home/runner/work/",
        "/Users/runner/work/",
        "/__w/",
        "/github/workspace/",
        ":\\a\\",
    ];
    const DEPENDENCIES: &[&str] = &[
        "node_modules",
        "site-packages",
        "dist-packages",
        "/vendor/",
        ".cargo/registry",
        "/.venv/",
        "hostedtoolcache",
    ];
    WORKSPACES.iter().any(|w| text.contains(w)) && !DEPENDENCIES.iter().any(|d| text.contains(d))
}

/// Does this line of a block (not a hit) carry one of its facts: an assertion's sides, a
/// location, a diff line, or of a stack trace that starts at the throw site, its first frame
/// and its first frame in the project's own code? (A trace that ends at the throw site needs
/// no pick: its last frames stand next to the exception line.) Frames are counted per
/// section of the block, so each thread of a crash dump, each `Caused by:`, has its own.
pub fn is_detail(text: &str, frames: &mut FramesSeen) -> bool {
    // A location with its line and column after a space, as stylesheet and template
    // compilers print it below a code frame (`src/app/x.scss 7:1  root stylesheet`), then the
    // files that imported it: the first is where the error is.
    if SPACED_LOCATION.is_match(text) {
        let first = !frames.any;
        frames.any = true;
        return first;
    }
    match frame_of(text) {
        Some(_) if frames.muted => false,
        Some(kind @ (Frame::NewestFirst | Frame::Dump)) => {
            let first = !frames.any && kind == Frame::NewestFirst;
            frames.any = true;
            let own = !frames.own && is_workspace_path(text);
            frames.own |= own;
            first || own
        }
        Some(Frame::NewestLast) => false,
        None => DETAILS.is_match(split_tag(text).1),
    }
}

/// Frames seen in the current section of a block.
#[derive(Debug, Clone, Copy, Default)]
pub struct FramesSeen {
    any: bool,
    own: bool,
    /// A section whose frames are not the failure's: a crash dump's other threads
    /// (faulthandler prints `Thread 0x…` for those, `Current thread 0x…` for the crashed one).
    muted: bool,
}

impl FramesSeen {
    /// The frames of a new section, headed by `header`.
    fn section(header: &str) -> Self {
        FramesSeen {
            muted: header.trim_start().starts_with("Thread 0x"),
            ..FramesSeen::default()
        }
    }
}

/// A line that is only a file path (`src/x.ts`, `typings/index.test-d.ts:19:0`): the
/// heading of a list of errors in that file (eslint, tsd).
pub fn is_bare_path(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && !t.contains(' ')
        && t.contains('.')
        && (t.contains('/') || t.contains('\\') || t.contains(':'))
        && t.len() < 300
}

/// Fingerprint of a line with what varies between repeats masked (digits, hex ids), so
/// `Exception in thread "Thread-403"` and `… "Thread-404"` fold into one line.
pub fn fingerprint(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    let mut in_number = false;
    for c in text.trim().chars() {
        // A number, and the hex digits after a digit (`0x7fca48`, `$1755796107`).
        if c.is_ascii_digit() || (in_number && c.is_ascii_hexdigit()) {
            if !in_number {
                '#'.hash(&mut h);
            }
            in_number = true;
        } else {
            in_number = false;
            c.hash(&mut h);
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests;
