//! The cut: which of the candidates an excerpt shows.
//!
//! Pure: no I/O. [`CandidateSet::select`] gives every line of every block a priority
//! ([`rank`]) from its place in the block and the block's standing, and keeps the best; the
//! excerpt carries the priorities, so the comment's tighter cut of it agrees.

use std::collections::{HashMap, HashSet};

use super::block;
use super::candidates::{Block, Candidate, CandidateSet, Part};
use super::patterns::{self, Strength, Subject};
use super::{noise, rank, ExcerptLine, LineKind};

/// The last blocks of a set that always rank as failures of their own, whatever came before.
const LAST_BLOCKS: usize = 2;

/// What the cut kept, and what it knows of the rest.
#[derive(Debug)]
pub struct Selection {
    /// In log order.
    pub lines: Vec<ExcerptLine>,
    /// Candidates left out.
    pub omitted: u64,
    /// Candidates ranked lower because a passing run printed them too.
    pub seen: u64,
}

impl CandidateSet {
    /// The final cut: at most `max_lines`, most informative first by the priorities of
    /// [`rank`] (which the comment's tighter cut reuses), returned in log order, plus how
    /// many candidates were left out.
    pub fn select(self, max_lines: usize) -> Selection {
        let mut lines: Vec<(u64, ExcerptLine)> = Vec::new();
        let mut stored = self.tail.len() as u64;
        let mut seen = 0;
        let normal = self.normal.clone();
        let printed_before = |text: &str| normal.as_ref().is_some_and(|n| n.contains_text(text));
        let comparing = normal.is_some();
        let views = block_views(&self.blocks);
        // Lines of a report that an earlier report printed too (the same error under the
        // next failed test) are shown once, with a count, where they first appeared.
        let mut reported: HashMap<u64, usize> = HashMap::new();
        for (mut b, view) in self.blocks.into_iter().zip(views) {
            stored += b.lines.len() as u64;
            let folds = is_report(&b);
            b.lines.sort_by_key(|c| c.seq);
            let head_line = b.head().line_number;
            let mut anchors: Vec<u64> = b
                .lines
                .iter()
                .filter(|c| matches!(c.part, Part::Head | Part::Key))
                .map(|c| c.line_number)
                .collect();
            // A label close to them (`Caused by:`, `Error Message:`) introduces what is
            // below it: the line it heads is as close to the failure as the label is.
            let labels: Vec<u64> = b
                .lines
                .iter()
                .filter(|c| c.part == Part::Body && is_label(&c.text))
                .map(|c| c.line_number)
                .filter(|&n| anchors.iter().any(|&a| a.abs_diff(n) <= LABEL_REACH))
                .collect();
            anchors.extend(labels);
            // The lines a reason may follow: the keys, and the head unless it heads a
            // section (whose next line is the section's first, not the head's reason).
            let follows: Vec<u64> = b
                .lines
                .iter()
                .filter(|c| c.part == Part::Key || (c.part == Part::Head && !view.section))
                .map(|c| c.line_number)
                .collect();
            // A code frame is whole once it has pointed at its line: what follows the first
            // pointer (`^^^`, `~~~`, `> 630 |`) is the rest of the file, not the error.
            let frame_end = b
                .lines
                .iter()
                .find(|c| block::is_code_pointer(&c.text))
                .map_or(u64::MAX, |c| c.line_number + 3);
            let mut key_index = 0;
            for c in b.lines {
                if folds && c.part != Part::Head {
                    let print = block::fingerprint(&c.text);
                    match reported.get(&print) {
                        Some(&at) if !view.first_report => {
                            if c.part == Part::Key {
                                lines[at].1.repeats += 1 + c.repeats;
                            }
                            continue;
                        }
                        Some(_) => {}
                        None => {
                            reported.insert(print, lines.len());
                        }
                    }
                }
                let place = match c.part {
                    Part::Head => rank::Place::Head,
                    Part::Key => {
                        key_index += 1;
                        rank::Place::Key(key_index)
                    }
                    Part::Before => rank::Place::Before {
                        distance: head_line.saturating_sub(c.line_number),
                        bare_path: block::is_bare_path(&c.text),
                    },
                    Part::Body | Part::Tail => rank::Place::Body {
                        distance: anchors
                            .iter()
                            .map(|&a| a.abs_diff(c.line_number))
                            .min()
                            .unwrap_or(u64::MAX),
                        offset: if c.line_number > frame_end {
                            u64::MAX
                        } else {
                            c.line_number.saturating_sub(head_line)
                        },
                        follows: follows.contains(&c.line_number.wrapping_sub(1)),
                        frame: if matches!(
                            block::frame_of(&c.text),
                            Some(block::Frame::NewestFirst | block::Frame::Dump)
                        ) {
                            rank::Framing::Stack
                        } else if block::is_empty_code_frame(&c.text) {
                            rank::Framing::EmptyCode
                        } else if block::is_frame(&c.text) {
                            rank::Framing::Code
                        } else {
                            rank::Framing::None
                        },
                    },
                };
                let noise = noise::is_noise(&c.text);
                let mut priority = rank::priority(&view, place, noise);
                let mut in_passing_log = false;
                if comparing {
                    // A block is old by its head; a fact inside it that the passing run never
                    // printed (a new error inside an old block) is new all the same.
                    let old = match c.part {
                        Part::Head => b.seen,
                        Part::Key => printed_before(&c.text),
                        _ => b.seen || printed_before(&c.text),
                    };
                    let novelty = match c.part {
                        _ if old => rank::Novelty::Old,
                        Part::Head => rank::Novelty::NewHead,
                        // A failure's own line, not a summary of failures (`test result:
                        // FAILED` is new beside `test result: ok` and says nothing).
                        Part::Key
                            if b.seen && c.kind != LineKind::Context && is_failure(&c.text) =>
                        {
                            rank::Novelty::NewHitInOldBlock
                        }
                        _ => rank::Novelty::New,
                    };
                    seen += u64::from(old);
                    in_passing_log = old;
                    priority = rank::compared(priority, novelty);
                }
                let repeats = c.repeats + if c.part == Part::Head { b.repeats } else { 0 };
                let seq = c.seq;
                let mut line = excerpt_line(c, priority, repeats);
                line.in_passing_log = in_passing_log;
                lines.push((seq, line));
            }
        }
        let tail_len = self.tail.len() as u64;
        for (i, c) in self.tail.into_iter().enumerate() {
            let noise = noise::is_noise(&c.text);
            let old = printed_before(&c.text);
            seen += u64::from(old);
            let priority = rank::tail_priority(tail_len - i as u64, noise || old);
            let seq = c.seq;
            let mut line = excerpt_line(c, priority, 0);
            line.in_passing_log = old;
            lines.push((seq, line));
        }
        lines.sort_by_key(|(seq, _)| *seq);
        let lines: Vec<ExcerptLine> = lines.into_iter().map(|(_, l)| l).collect();
        let keep = rank::keep_most_informative(&lines, max_lines);
        let omitted = (stored + self.dropped).saturating_sub(keep.len() as u64);
        let mut keep = keep.into_iter().peekable();
        let lines = lines
            .into_iter()
            .enumerate()
            .filter_map(|(i, l)| keep.next_if_eq(&i).map(|_| l))
            .collect();
        Selection {
            lines,
            omitted,
            seen,
        }
    }
}

/// How near a head or a fact a label must be for the line it introduces to rank with them.
const LABEL_REACH: u64 = 2;

/// A short line that only introduces the lines below it (`Caused by:`, `Error Message:`,
/// `Stack Trace:`): a few words, then a colon and nothing after it.
fn is_label(text: &str) -> bool {
    let label = text.trim();
    label.len() <= 32
        && label.strip_suffix(':').is_some_and(|words| {
            !words.is_empty() && !words.contains(':') && words.split_whitespace().count() <= 4
        })
}

/// A block that is not passing work's and says something failed.
fn explaining(b: &Block) -> bool {
    !b.demoted && !b.seen && matches!(b.shape.strength, Strength::Decisive | Strength::Ordinary)
}

/// A report says why something failed (it has lines below its first); a bare block is a
/// status line that only names what failed.
fn is_report(b: &Block) -> bool {
    explaining(b) && b.keys + b.body > 0
}

/// How ranking sees each block of the set, in order: its standing among the blocks of its
/// shape, whether the step ended on it, whether it is a status line, and which block is the
/// first report whose first line ranks first (its facts then come with the first lines).
fn block_views(blocks: &[Block]) -> Vec<rank::BlockView> {
    // The failures the step ended on are never "more of the same".
    let last: Vec<u64> = blocks
        .iter()
        .rev()
        .filter(|b| explaining(b))
        .take(LAST_BLOCKS)
        .map(|b| b.id)
        .collect();
    let mut of_shape: HashMap<u16, usize> = HashMap::new();
    let mut reasons: HashSet<(u16, u64)> = HashSet::new();
    let mut views: Vec<rank::BlockView> = blocks
        .iter()
        .map(|b| {
            let nth = of_shape.entry(b.shape.id).or_default();
            let view = rank::BlockView {
                strength: b.shape.strength,
                subject: b.shape.subject,
                demoted: b.demoted,
                nth_of_shape: *nth,
                new_reason: b.shape.subject == Subject::Test
                    && !b.seen
                    && reason(b).is_some_and(|print| reasons.insert((b.shape.id, print))),
                ended_step: last.contains(&b.id),
                interruption: patterns::is_interruption(b.head().text.as_bytes()),
                bare: b.keys + b.body == 0,
                reports_exist: false,
                first_report: false,
                section: b.shape.mode == patterns::Mode::Section,
            };
            // Errors a passing run printed too are not "the first of their shape".
            if !b.seen {
                *nth += 1;
            }
            view
        })
        .collect();
    let first = blocks.iter().zip(&views).position(|(b, v)| {
        is_report(b) && rank::tier(rank::priority(v, rank::Place::Head, false)) == 0
    });
    if let Some(i) = first {
        for v in &mut views {
            v.reports_exist = true;
        }
        views[i].first_report = true;
    }
    views
}

/// A block's reason: its first fact, numbers and ids masked.
fn reason(b: &Block) -> Option<u64> {
    b.lines
        .iter()
        .filter(|c| c.part == Part::Key)
        .min_by_key(|c| c.seq)
        .map(|c| block::fingerprint(&c.text))
}

fn is_failure(text: &str) -> bool {
    patterns::classify(text.as_bytes())
        .is_some_and(|shape| matches!(shape.strength, Strength::Decisive | Strength::Ordinary))
}

fn excerpt_line(c: Candidate, priority: u32, repeats: u32) -> ExcerptLine {
    ExcerptLine {
        line_number: c.line_number,
        text: c.text,
        kind: c.kind,
        priority,
        repeats,
        in_passing_log: false,
        in_change: false,
    }
}
