//! Ranking an excerpt's lines: the one order for both cuts, the job's `max-lines`
//! ([`super::candidates::CandidateSet::select`]) and the sticky comment's tighter 12 lines per job.
//!
//! Pure: no I/O. Each line gets a priority when its block is known (lower is kept first);
//! the excerpt carries it, so the comment's cut of an excerpt agrees with the excerpt's own.
//! The tiers, most informative first:
//!
//! 0. the first line of each decisive failure block: a failed test, a compiler error, a crash,
//!    a cancel or timeout (the first eight failed tests of one shape, the first two errors
//!    of a build's; more of the same rank at 6, except the last blocks the step ended on);
//! 1. the first line of each ordinary error block (an exception, `[ERROR] …`);
//! 2. the facts inside those blocks (their first six) — hits, the assertion's sides, the
//!    location, the first stack frame, the project's own — first key of every block before the second; the
//!    lines just before a cancel or timeout (what was running); a file path heading a list;
//! 3. summaries of failures reported above (`test result: FAILED`, `BUILD FAILED`, npm
//!    saying the script it ran failed);
//! 4. other lines of a block within two lines of its head or a key (stack frames aside);
//! 5. the facts inside summaries (npm's `command sh -c jest`);
//! 6. more of the same: heads of blocks past the first of one shape;
//! 7. the rest of blocks, the line before a head, the runner's generic `Process completed
//!    with exit code N.` (it only repeats the job's ❌);
//! 8. the step's tail, last lines first;
//! 9. lines that say nothing: blanks, passing tests, boilerplate, and blocks that passing
//!    work printed (a passing test or suite followed them: an exception logged on purpose).
//!
//! The cut keeps the best lines and returns them in log order. Once a failure is explained
//! (a line of tier 0–4 is kept), tiers 6–8 are only taken while the excerpt is still short
//! and tier 9 not at all: the excerpt stops rather than fill up with lines that explain
//! nothing, or that point at what did not fail.

use super::patterns::{Strength, Subject};
use super::ExcerptLine;

/// Blocks of one shape after which more of the same rank lower: each failed test is a
/// failure of its own, while a build's errors are one failure its first ones explain.
const SAME_SHAPE_FIRST_TESTS: usize = 8;
const SAME_SHAPE_FIRST_BUILD: usize = 2;

/// Blocks of one shape whose code frames are shown whole, and how far below the head.
const CODE_FRAMES_WHOLE: usize = 1;
const CODE_FRAME_LINES: u64 = 10;

/// Key lines of a block that rank as its facts; the rest rank with its other lines.
const KEYS_FIRST: u32 = 6;

/// Facts of the first report that rank with the first lines of all failures, after them.
const FIRST_REPORT_FACTS: u32 = 2;

/// Within tier 0, after every report's first line: the first report's facts and the lines
/// that follow them.
const FIRST_REPORT_FACT: u64 = 1;
/// How far below the first report's head a line that follows a fact still ranks with it.
const FIRST_REPORT_LINES: u64 = 12;
/// Within tier 2, after the first report's facts and before the status lines: the header of
/// a section that report is.
const SECTION_HEADER: u64 = 0x80;
/// Within tier 2, after the facts and before the summaries: the status lines of failures
/// that have a report.
const STATUS_LINE: u64 = 0x100;

/// What ranking needs to know of a line's block.
#[derive(Debug, Clone, Copy)]
pub struct BlockView {
    pub strength: Strength,
    pub subject: Subject,
    pub demoted: bool,
    /// Blocks of the same shape before this one.
    pub nth_of_shape: usize,
    /// A failed test whose reason (its first fact, numbers aside) no earlier block of its
    /// shape gave: a failure of its own, never "more of the same".
    pub new_reason: bool,
    /// One of the last blocks the step ended on: never "more of the same".
    pub ended_step: bool,
    /// Opened by a cancel, a timeout or a kill.
    pub interruption: bool,
    /// Its first line is all there is of it: a status line (`FAIL x`, `x ... FAILED`) that
    /// names what failed, not why.
    pub bare: bool,
    /// Some decisive block of the set reports why something failed (it has facts or lines
    /// below its first): the status lines then follow every report's first line.
    pub reports_exist: bool,
    /// The first such report: its first facts stand with the first lines of every failure.
    pub first_report: bool,
    /// It is a section whose first line is a header (`---- name stdout ----`, `____ test
    /// ____`): the report is below it.
    pub section: bool,
}

/// Where a line stands in its block.
#[derive(Debug, Clone, Copy)]
pub enum Place {
    Head,
    /// The `n`th key line of the block (from 1).
    Key(u32),
    /// `distance` lines before the head.
    Before {
        distance: u64,
        bare_path: bool,
    },
    /// `distance` lines from the nearest head or key, `offset` lines below the head;
    /// `follows`: right below a key, or below a head whose next line is its reason (not a
    /// section's header).
    Body {
        distance: u64,
        offset: u64,
        frame: Framing,
        follows: bool,
    },
}

/// Whether a line of a block is part of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    None,
    /// A line of a code frame (`131 |     if x {`): worth it right next to its location.
    Code,
    /// A code frame's line with no code in it (`   |`, `  ╵  ~~~~`).
    EmptyCode,
    /// A stack frame that is no key (the throw site and the project's own frames are keys;
    /// the rest are the machinery in between).
    Stack,
}

fn tiered(tier: u32, sub: u64) -> u32 {
    tier << 24 | sub.min(0x00FF_FFFF) as u32
}

/// The tier of a priority.
pub fn tier(priority: u32) -> u32 {
    priority >> 24
}

/// The priority of a line of a block (see the module's tiers).
pub fn priority(block: &BlockView, place: Place, noise: bool) -> u32 {
    let same_shape_first = match block.subject {
        Subject::Test => SAME_SHAPE_FIRST_TESTS,
        Subject::Build => SAME_SHAPE_FIRST_BUILD,
    };
    // A diagnostic's code frame is its report; a test's frame only around the pointed line.
    let whole_frame = block.subject == Subject::Build && block.nth_of_shape < CODE_FRAMES_WHOLE;
    let head_tier = match block.strength {
        _ if block.demoted => 9,
        Strength::Decisive | Strength::Ordinary
            if block.nth_of_shape >= same_shape_first && !block.ended_step && !block.new_reason =>
        {
            6
        }
        Strength::Decisive => 0,
        Strength::Ordinary => 1,
        Strength::Summary => 3,
        // `Process completed with exit code 1.` only repeats the ❌: once a report says why,
        // it says nothing.
        Strength::Generic if block.reports_exist => 9,
        Strength::Generic => 7,
    };
    let strong = head_tier <= 1;
    let summary = head_tier == 3;
    match place {
        _ if noise => tiered(9, 0),
        // A status line follows the reports' first lines and the first report's facts; a
        // cancel or a kill never does.
        Place::Head
            if head_tier == 0 && block.bare && block.reports_exist && !block.interruption =>
        {
            tiered(2, STATUS_LINE)
        }
        // A section's header names the failure; its message, location and the assertion's
        // sides say it. With room for a few lines, those come first.
        Place::Head if head_tier == 0 && block.section && block.first_report => {
            tiered(2, SECTION_HEADER)
        }
        Place::Head => tiered(head_tier, 0),
        _ if block.demoted => tiered(9, 0),
        // The message and location of the first report belong with the first lines of all
        // failures (a diagnostic's message line goes with its location, whatever is cut).
        Place::Key(n) if head_tier == 0 && block.first_report && n <= FIRST_REPORT_FACTS => {
            tiered(0, FIRST_REPORT_FACT)
        }
        // … and so does the line right after its first line or a fact: the reason a failure
        // head or a fact's label is followed by (`… FAILED`, then why; `Error:`, then what).
        Place::Body {
            offset,
            frame: Framing::None,
            follows: true,
            ..
        } if head_tier == 0 && block.first_report && offset <= FIRST_REPORT_LINES => {
            tiered(0, FIRST_REPORT_FACT)
        }
        Place::Key(n) if strong && n <= KEYS_FIRST => tiered(2, n.into()),
        Place::Key(n) if summary && n <= KEYS_FIRST => tiered(5, n.into()),
        Place::Key(n) => tiered(7, n.into()),
        Place::Before { distance, .. } if block.interruption && distance <= 3 => {
            tiered(2, distance)
        }
        Place::Before {
            distance: 1,
            bare_path: true,
        } if strong => tiered(2, 0),
        // The file a list of errors is headed by goes with the errors shown under it, so an
        // error is never read as the previous file's.
        Place::Before {
            distance: 1,
            bare_path: true,
        } if head_tier == 6 => tiered(6, 0),
        Place::Before { distance: 1, .. } => tiered(7, 1),
        Place::Before { .. } => tiered(9, 0),
        Place::Body {
            distance,
            frame: Framing::None,
            ..
        } if strong && distance <= 2 => tiered(4, distance),
        // A diagnostic's code frame is shown whole for the first blocks of a shape, and
        // its line next to the location for the others.
        Place::Body {
            distance,
            offset,
            frame: Framing::Code | Framing::EmptyCode,
            ..
        } if strong && whole_frame && offset <= CODE_FRAME_LINES => tiered(4, distance),
        Place::Body {
            distance: 1,
            frame: Framing::Code,
            ..
        } if strong => tiered(4, 1),
        Place::Body {
            frame: Framing::EmptyCode,
            ..
        } => tiered(9, 0),
        // Deep in a stack trace, the frames between the throw site and the project's own
        // code are machinery: they never fill an excerpt.
        Place::Body {
            distance,
            frame: Framing::Stack,
            ..
        } if distance > MACHINERY_FROM => tiered(9, MACHINERY),
        Place::Body { distance, .. } => tiered(7, distance),
    }
}

/// Stack frames farther than this from the block's head or a fact are machinery.
const MACHINERY_FROM: u64 = 2;
/// Within tier 9: machinery, which even an excerpt that nothing explains leaves out.
const MACHINERY: u64 = 1;

/// What a passing run of the job says of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Novelty {
    /// It printed the line (or the head of the line's block) too.
    Old,
    /// The head of a block it never printed.
    NewHead,
    /// An error shape inside a block it printed (a new error in a list of old ones).
    NewHitInOldBlock,
    /// Any other line it never printed.
    New,
}

/// A line's priority once a passing run of the job is known: what it printed too ranks below
/// anything new — a decisive failure's head (a failed test, a compiler error) at 6, with more
/// of the same, the rest at 7 — and a new block's head, or a new error inside an old block,
/// ranks as a failure of its own. A failure only ever moves up for being new and down for
/// being old, never out: an old failure's head still follows what is new (within the room
/// tier 6 gets), and when nothing new explains the job the old lines fill the excerpt.
pub fn compared(priority: u32, novelty: Novelty) -> u32 {
    let (t, sub) = (tier(priority), u64::from(priority & 0x00FF_FFFF));
    match novelty {
        // An old status line is an old failure's first line too.
        Novelty::Old if t == 0 || priority == tiered(2, STATUS_LINE) => {
            tiered(OLD_FAILURE_TIER, sub)
        }
        Novelty::Old if t < 7 => tiered(7, sub),
        Novelty::NewHead if t == 1 => tiered(0, sub),
        Novelty::NewHitInOldBlock if t > 1 => tiered(1, sub),
        _ => priority,
    }
}

/// Where summaries of failures reported above rank (`test result: FAILED`, `6 failures`).
const SUMMARY_TIER: u32 = 3;

/// Where the head of a decisive failure that a passing run printed too ranks.
const OLD_FAILURE_TIER: u32 = 6;

/// The priority of a tail line, `from_end` lines from the step's end (1 = last).
pub fn tail_priority(from_end: u64, noise: bool) -> u32 {
    if noise {
        tiered(9, 0)
    } else {
        tiered(8, from_end)
    }
}

/// Indices of the `max` best lines, in log order (see the module doc for the stop).
pub fn keep_most_informative(lines: &[ExcerptLine], max: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by_key(|&i| (lines[i].priority, i));
    // Only a recognised failure (a decisive block's first line: a failed test, a compiler
    // error, a crash) explains the job: an error-looking line, a summary or the facts of an
    // ordinary block do not, and then the excerpt uses its room rather than stop short.
    let explained = lines.iter().any(|l| tier(l.priority) == 0);
    // Old lines stand aside only for a new failure (a block's head), not for a new summary
    // (`test result: FAILED`) that says nothing of what failed.
    let new_failure = lines
        .iter()
        .any(|l| tier(l.priority) <= 1 && !l.in_passing_log);
    let floor = if explained { (max / 8).max(3) } else { max };
    let mut kept = Vec::with_capacity(max.min(lines.len()));
    for i in order {
        let t = tier(lines[i].priority);
        let machinery = lines[i].priority == tiered(9, MACHINERY);
        if kept.len() >= max
            || (t >= 6 && kept.len() >= floor)
            || (t == 9 && (explained || machinery))
        {
            break;
        }
        // A blank line says nothing on its own: blocks keep none, and the tail's are dropped.
        if lines[i].text.trim().is_empty() {
            continue;
        }
        // What a passing run printed too only stands in when nothing new explains the job;
        // an old failure's own head still follows what is new.
        if lines[i].in_passing_log && new_failure && t != OLD_FAILURE_TIER {
            continue;
        }
        kept.push(i);
    }
    keep_a_summary(lines, max, &mut kept);
    kept.sort_unstable();
    kept
}

/// A cut this long or longer that is full keeps a summary of the failures.
const SUMMARY_ROOM: usize = 8;

/// A full cut keeps the summary of the failures (`254 examples, 6 failures`, `Tests: 16,
/// Errors: 16.`) over its least fact, unless all it holds are failures' first lines: the
/// count says how much more failed than the cut shows. `kept` is in priority order.
fn keep_a_summary(lines: &[ExcerptLine], max: usize, kept: &mut [usize]) {
    let is_summary = |i: usize| tier(lines[i].priority) == SUMMARY_TIER;
    if kept.len() < max.max(SUMMARY_ROOM) || kept.iter().any(|&i| is_summary(i)) {
        return;
    }
    let Some(&least) = kept.last() else { return };
    let summary = (0..lines.len())
        .filter(|&i| is_summary(i) && !lines[i].in_passing_log)
        .min_by_key(|&i| (lines[i].priority, i));
    if let Some(summary) = summary.filter(|_| tier(lines[least].priority) > 0) {
        *kept.last_mut().expect("a full cut") = summary;
    }
}

#[cfg(test)]
mod tests;
