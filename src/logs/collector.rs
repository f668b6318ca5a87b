//! Following failure blocks through a step's lines.
//!
//! Pure: no I/O. Per step (or segment) a [`Collector`] follows the failure block a hit opens
//! ([`super::block`]), keeps a small ring of the previous lines (context before a hit, kept
//! as the buffer rolls) and the step's last lines (the tail), demotes the ordinary errors that
//! a passing test or suite then follows, and hands its blocks to a [`CandidateSet`].

use std::sync::Arc;

use super::block::{self, Next, OpenBlock};
use super::candidates::{Candidate, CandidateSet, Class, Part};
use super::patterns::{self, Shape, Strength};
use super::ring::{Line, Ring};
use super::{noise, sanitize::sanitize_line, LineKind, NormalLines};

/// What the analyzer already knows about a line before the collector sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Context/tail material; may be a known error shape.
    Plain,
    /// Context/tail material that is never a hit (a step header, a warning).
    NoHit,
    /// An `##[error]` line.
    Error { generic: bool },
}

/// The block being followed, and whether its lines are stored (not when it repeats one).
#[derive(Debug)]
struct Following {
    block: OpenBlock,
    stored: bool,
    /// It holds a decisive failure report, so what directly follows belongs to a failure.
    firm: bool,
}

/// Collects the candidates of one step or segment.
#[derive(Debug)]
pub struct Collector {
    max_lines: usize,
    context: usize,
    /// Context before a hit: its own ring, unless the tail ring can hold it
    /// (`context <= tail`), in which case it is the newest `before_len`
    /// lines of the tail (one ring push per line instead of two).
    before: Ring,
    before_in_tail: bool,
    before_len: usize,
    tail: Ring,
    /// The tail ring also serves as the whole log's tail (markers-only mode,
    /// where every line reaches the collector): units only soft-clear it.
    keeps_log_tail: bool,
    open: Option<Following>,
    /// Ordinary blocks since the last decisive hit or pass: a pass next demotes them.
    pending: Vec<u64>,
    /// The last block's last line, and whether it could be demoted: an error printed right
    /// after a test's failure report belongs to that failure.
    last_block_end: u64,
    last_block_firm: bool,
    pub set: CandidateSet,
    /// What a passing run of the job printed, for every set this collector starts.
    normal: Option<Arc<NormalLines>>,
    pub has_error: bool,
    pub has_hit: bool,
}

impl Collector {
    /// `keeps_log_tail`: every line of the log will reach [`Collector::line`],
    /// so the tail ring can double as the log's tail ([`Collector::drain_log_tail_into`]).
    pub fn new(max_lines: usize, context: usize, tail: usize, keeps_log_tail: bool) -> Self {
        Collector {
            max_lines,
            context,
            before: Ring::new(if context <= tail { 0 } else { context }),
            before_in_tail: context <= tail,
            before_len: 0,
            tail: Ring::new(tail),
            keeps_log_tail,
            open: None,
            pending: Vec::new(),
            last_block_end: 0,
            last_block_firm: false,
            set: CandidateSet::new(max_lines),
            normal: None,
            has_error: false,
            has_hit: false,
        }
    }

    pub fn retained_bytes(&self) -> usize {
        self.before.retained_bytes() + self.tail.retained_bytes() + self.set.retained_bytes()
    }

    /// `chunk`: the chunk being fed, which `line.at` points into.
    pub fn line(&mut self, line: &Line<'_>, role: Role, chunk: &[u8]) {
        let shape = match role {
            Role::Error { generic: true } => Some(Shape::GENERIC),
            Role::Error { generic: false } => Some(
                patterns::classify(sanitize_line(line.raw).as_bytes())
                    .unwrap_or(Shape::MARKED_ERROR),
            ),
            Role::Plain => hit_shape(line.raw),
            Role::NoHit => None,
        };
        if self.open.is_some() || shape.is_some() {
            let text = line.display.text(line.raw, line.truncated);
            // An `##[error]` line is a report of its own, never part of the one above it.
            let marked = matches!(role, Role::Error { .. });
            if !marked && self.follow(line, shape, &text) {
                self.tail.push(line);
                return;
            }
            if marked {
                self.close_block();
            }
            if let Some(shape) = shape {
                self.open_block(line, shape, role, text, chunk);
                return;
            }
            self.check_pass(line, Some(&text));
        } else {
            self.check_pass(line, None);
        }
        self.tail.push(line);
        self.push_before(line);
    }

    /// Gives the line to the open block, if it continues it; true if it did.
    fn follow(&mut self, line: &Line<'_>, shape: Option<Shape>, text: &str) -> bool {
        let Some(f) = &mut self.open else {
            return false;
        };
        let verdict = f.block.next(text, shape);
        match verdict {
            Next::Blank => return true,
            Next::Ended => {
                self.close_block();
                return false;
            }
            Next::Inside | Next::Last => {}
        }
        let (id, stored) = (f.block.id, f.stored);
        let key = shape.is_some()
            || (f.block.lines <= block::DETAIL_SCAN_LINES
                && block::is_detail(text, &mut f.block.frames));
        self.last_block_end = line.seq;
        if stored {
            let decisive = shape.is_some_and(|s| s.strength == Strength::Decisive);
            if decisive {
                // A failure report inside the block: whatever opened it belongs to a failure.
                f.firm = true;
                self.pending.retain(|&p| p != id);
                if let Some(b) = self.set.block_mut(id) {
                    b.demotable = false;
                }
            }
            let kind = match shape {
                Some(_) if line.display == super::ring::Display::Plain => LineKind::Match,
                _ => LineKind::Context,
            };
            let part = if key { Part::Key } else { Part::Body };
            self.set.add_to(
                id,
                Candidate {
                    seq: line.seq,
                    line_number: line.line_number,
                    text: text.to_owned(),
                    kind,
                    part,
                    repeats: 0,
                },
                shape.is_some(),
            );
        }
        if verdict == Next::Last {
            self.close_block();
        }
        true
    }

    fn close_block(&mut self) {
        if let Some(f) = self.open.take() {
            self.last_block_firm = f.firm;
        }
    }

    fn open_block(
        &mut self,
        line: &Line<'_>,
        shape: Shape,
        role: Role,
        text: String,
        chunk: &[u8],
    ) {
        let seq = line.seq;
        self.has_error |= matches!(role, Role::Error { .. });
        self.has_hit = true;
        if shape.strength == Strength::Decisive {
            self.pending.clear();
        }
        let right_after_firm = self.last_block_firm && seq == self.last_block_end + 1;
        let demotable = shape.strength == Strength::Ordinary && !right_after_firm;
        let block = OpenBlock::new(seq, shape, &text);
        let kind = if matches!(role, Role::Error { .. }) {
            LineKind::Error
        } else {
            LineKind::Match
        };
        let head = Candidate {
            seq,
            line_number: line.line_number,
            text,
            kind,
            part: Part::Head,
            repeats: 0,
        };
        let stored = self.set.open(head, shape, demotable);
        if stored {
            self.drain_before(seq, chunk);
            if demotable {
                self.pending.push(seq);
            }
        } else {
            self.clear_before();
        }
        self.tail.push(line);
        self.last_block_end = seq;
        self.open = Some(Following {
            block,
            stored,
            firm: shape.strength == Strength::Decisive,
        });
    }

    /// A passing test or suite demotes the ordinary blocks printed since the last one.
    fn check_pass(&mut self, line: &Line<'_>, text: Option<&str>) {
        if self.pending.is_empty() || !noise::may_be_pass(line.raw) {
            return;
        }
        let is_pass = match text {
            Some(t) => noise::is_pass(t),
            None => noise::is_pass(&sanitize_line(line.raw)),
        };
        if is_pass {
            let pending = std::mem::take(&mut self.pending);
            self.set.demote(&pending);
        }
    }

    /// Remembers a line as context before a later hit (after it went into the tail ring).
    #[inline]
    fn push_before(&mut self, line: &Line<'_>) {
        if self.before_in_tail {
            self.before_len = (self.before_len + 1).min(self.context);
        } else {
            self.before.push(line);
        }
    }

    /// The context before a hit into its block, then forgotten.
    fn drain_before(&mut self, anchor: u64, chunk: &[u8]) {
        if self.before_in_tail {
            self.tail.copy_newest_into(
                self.before_len,
                &mut self.set,
                Class::Context,
                anchor,
                chunk,
            );
            self.before_len = 0;
        } else {
            self.before
                .drain_into(&mut self.set, Class::Context, anchor, chunk);
        }
    }

    fn clear_before(&mut self) {
        self.before.clear();
        self.before_len = 0;
    }

    /// A line of a unit not (yet) known to matter: only remembered in the
    /// rings, so that context and tail exist if an error later rescues it.
    pub fn passive(&mut self, line: &Line<'_>) {
        self.tail.push(line);
        self.push_before(line);
    }

    /// The chunk being fed is about to go (see [`Ring::end_chunk`]).
    pub fn end_chunk(&mut self, chunk: &[u8]) {
        self.tail.end_chunk(chunk);
        self.before.end_chunk(chunk);
    }

    fn reset_unit(&mut self) {
        self.clear_before();
        self.open = None;
        self.pending.clear();
        self.last_block_firm = false;
    }

    /// Ranks what a passing run of the job also printed below what is new.
    pub fn comparing_with(&mut self, normal: &Arc<NormalLines>) {
        self.normal = Some(Arc::clone(normal));
        self.set.compare_with(normal);
    }

    fn fresh_set(&self) -> CandidateSet {
        let mut set = CandidateSet::new(self.max_lines);
        if let Some(normal) = &self.normal {
            set.compare_with(normal);
        }
        set
    }

    /// Forgets the unit without producing candidates.
    pub fn discard(&mut self) {
        self.tail.clear();
        self.reset_unit();
        self.has_error = false;
        self.has_hit = false;
        if !self.set.is_empty() {
            self.set = self.fresh_set();
        }
    }

    /// Ends the unit: adds the tail and hands back its candidates, ready for the next unit.
    pub fn take(&mut self, chunk: &[u8]) -> (CandidateSet, bool, bool) {
        if self.keeps_log_tail {
            self.tail.drain_unit_into(&mut self.set, Class::Tail, chunk);
        } else {
            self.tail.drain_into(&mut self.set, Class::Tail, 0, chunk);
        }
        self.reset_unit();
        let fresh = self.fresh_set();
        let set = std::mem::replace(&mut self.set, fresh);
        let flags = (
            std::mem::take(&mut self.has_error),
            std::mem::take(&mut self.has_hit),
        );
        (set, flags.0, flags.1)
    }

    /// The log's last lines, whatever unit they belonged to (only with
    /// `keeps_log_tail`, after the last [`Collector::take`]).
    pub fn drain_log_tail_into(&mut self, set: &mut CandidateSet, chunk: &[u8]) {
        debug_assert!(self.keeps_log_tail);
        self.tail.drain_all_into(set, Class::Tail, chunk);
    }
}

/// The shape of a line, if it has one. ESC-free lines are checked as they are; others after
/// sanitizing, so colour codes cannot hide a shape (pytest paints `E   ` red).
fn hit_shape(raw: &[u8]) -> Option<Shape> {
    if memchr::memchr(0x1b, raw).is_some() {
        // Cheap raw check first: sanitizing only removes bytes, so a keyword
        // absent from the raw line (escape codes inside a keyword aside) is
        // absent after sanitizing too.
        if !patterns::may_be_error_shape(raw) {
            return None;
        }
        patterns::classify(sanitize_line(raw).as_bytes())
    } else {
        patterns::classify(raw)
    }
}
