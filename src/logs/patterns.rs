//! Recognising lines that explain a failure, across ecosystems.
//!
//! Pure: no I/O. One engine and rules grouped by family of shape, each family a module whose
//! doc names the shapes it knows: [`generic`] (conventions no one tool owns, and the runner's
//! and the system's own messages), [`compilers`], [`test_runners`], [`build_tools`] and
//! [`linters`]. [`use_rules`] switches the families off at one seam (`FAILURE_DIGEST_RULES=
//! generic`), so the generic path can be measured on its own: it is how the product reads a
//! log of a tool nobody wrote a rule for.
//!
//! Two stages so the common line costs little: a literal prefilter (one `Regex` made only of
//! plain alternatives, which the regex crate runs as a SIMD multi-literal search) and, only
//! for lines that pass it, a `RegexSet` of the actual shapes, matched against the line's
//! message ([`message`]: without a service prefix, box drawing or colour codes written out
//! as text). Both are compiled once.
//!
//! Invariant (tested): every line a shape matches also passes the prefilter.

use std::borrow::Cow;
use std::sync::{LazyLock, OnceLock};

use regex::bytes::{Regex, RegexSet, RegexSetBuilder};

use super::sanitize;

mod build_tools;
mod compilers;
mod generic;
mod linters;
mod prefilter;
mod runner;
mod test_runners;

use prefilter::PREFILTER;
pub use prefilter::{
    find_candidate, find_common_candidate, find_rare_candidate, is_found_alone, is_numbered_entry,
    may_be_error_shape, RARE_LITERALS,
};
pub use runner::{is_generic_exit_error, is_interruption, is_step_ending_error};

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

/// One shape: the regex a line's message matches, what it says and the block it opens.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    regex: &'static str,
    strength: Strength,
    mode: Mode,
    subject: Subject,
    /// A loose convention (a count of failures, a numbered list entry, a sentence that ends
    /// on `failed`): any other shape the line also has says more, and wins.
    weak: bool,
}

impl Rule {
    const fn new(regex: &'static str, strength: Strength, mode: Mode, subject: Subject) -> Self {
        Rule {
            regex,
            strength,
            mode,
            subject,
            weak: false,
        }
    }

    const fn weak(self) -> Self {
        Rule { weak: true, ..self }
    }
}

/// Which families of shapes are recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rules {
    /// Every family: what the product ships.
    #[default]
    All,
    /// The generic cues alone (`FAILURE_DIGEST_RULES=generic`): for measuring how the
    /// excerpt does on logs of tools nobody wrote a rule for.
    Generic,
}

impl Rules {
    /// The value of `FAILURE_DIGEST_RULES` (unset or empty: all).
    pub fn parse(value: Option<&str>) -> Result<Rules, String> {
        match value.map(str::trim).unwrap_or("") {
            "" | "all" => Ok(Rules::All),
            "generic" => Ok(Rules::Generic),
            other => Err(format!(
                "FAILURE_DIGEST_RULES is `{other}`; it takes `all` (the default) or `generic` \
                 (only the rules no one tool owns, for measuring)"
            )),
        }
    }
}

static ACTIVE_RULES: OnceLock<Rules> = OnceLock::new();

/// Chooses the families once for the process, before any log is read; later calls (and
/// reading a log first) keep the first choice, so one run never mixes two.
pub fn use_rules(rules: Rules) -> Rules {
    *ACTIVE_RULES.get_or_init(|| rules)
}

/// The families in force.
pub fn rules() -> Rules {
    *ACTIVE_RULES.get_or_init(Rules::default)
}

/// The rules of a choice of families, compiled once. Ecosystem families come first: where a
/// line has two shapes of one strength, the tool's own documented shape knows more.
pub(crate) struct Recognizer {
    rules: Vec<Rule>,
    set: RegexSet,
}

impl Recognizer {
    fn of(families: &[&[Rule]]) -> Self {
        let rules: Vec<Rule> = families.iter().flat_map(|f| f.iter().copied()).collect();
        // ASCII word boundaries and classes: Unicode ones keep the set off its fast DFA (every
        // line then costs a PikeVM run), and logs' words and spaces are ASCII. Literals such as
        // `●` still match their UTF-8 bytes.
        let set = RegexSetBuilder::new(rules.iter().map(|r| r.regex))
            .unicode(false)
            .build()
            .expect("shapes are valid regexes");
        Recognizer { rules, set }
    }

    pub(crate) fn for_rules(rules: Rules) -> &'static Recognizer {
        static ALL: LazyLock<Recognizer> = LazyLock::new(|| {
            Recognizer::of(&[
                compilers::RULES,
                test_runners::RULES,
                build_tools::RULES,
                linters::RULES,
                generic::RULES,
            ])
        });
        static GENERIC: LazyLock<Recognizer> = LazyLock::new(|| Recognizer::of(&[generic::RULES]));
        match rules {
            Rules::All => &ALL,
            Rules::Generic => &GENERIC,
        }
    }

    /// The shape of a line's message, if it has one: the strongest of its matches
    /// (`Generic` beats `Summary` beats `Decisive` beats `Ordinary`: a summary is specific
    /// about being one), a weak rule only where nothing else matches.
    fn classify(&self, message: &[u8]) -> Option<Shape> {
        let strength_rank = |s: Strength| match s {
            Generic => 0,
            Summary => 1,
            Decisive => 2,
            Ordinary => 3,
        };
        self.set
            .matches(message)
            .into_iter()
            .min_by_key(|&i| (self.rules[i].weak, strength_rank(self.rules[i].strength), i))
            .map(|i| Shape {
                strength: self.rules[i].strength,
                mode: self.rules[i].mode,
                subject: self.rules[i].subject,
                id: i as u16,
            })
    }
}

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

/// Does this line (sanitized, or at least free of escape sequences) look like
/// it explains a failure?
pub fn is_error_shape(text: &[u8]) -> bool {
    classify(text).is_some()
}

/// The shape of a line (sanitized text), if it has one.
pub fn classify(text: &[u8]) -> Option<Shape> {
    if !(text.starts_with(b"E   ") || is_found_alone(text) || PREFILTER.is_match(text)) {
        return None;
    }
    let message = message(text);
    if is_console_header(&message) {
        return None;
    }
    Recognizer::for_rules(rules()).classify(&message)
}

/// What a shape is matched against: the line without what tools wrap around their own
/// output — a service prefix (`app-1  | `, as docker compose prints each container's lines),
/// box drawing at the margin (`├ `, `│ `, `┴`), and colour codes whose ESC byte was lost or
/// written out as text (`[33m`, `^[[31m`). A line with none of them is borrowed as it is.
pub fn message(text: &[u8]) -> Cow<'_, [u8]> {
    let mut out = sanitize::strip_textual_colour(text);
    let prefix = sanitize::service_prefix_len(&out);
    if prefix > 0 {
        out = Cow::Owned(out[prefix..].to_vec());
    }
    // Box drawing (U+2500–U+257F) is E2 94 xx / E2 95 xx in UTF-8.
    let t = out.trim_ascii_start();
    if t.starts_with(&[0xe2, 0x94]) || t.starts_with(&[0xe2, 0x95]) {
        if let Some(m) = BOX_MARGIN.find(&out) {
            out = Cow::Owned(out[m.end()..].to_vec());
        }
    }
    out
}

/// Box drawing and spaces at the margin (`   ├ `, `│ `).
static BOX_MARGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\s|[\x{2500}-\x{257F}])+").expect("the box margin regex is valid")
});

/// Jest's `● Console`: the header of a suite's console output, not a failure.
fn is_console_header(text: &[u8]) -> bool {
    let t = text.trim_ascii_start();
    t.starts_with("● Console".as_bytes())
}

#[cfg(test)]
mod tests;
