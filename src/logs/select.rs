//! Choosing the excerpt: candidate lines around failures, bounded, then the cut.
//!
//! Pure: no I/O. Per step (or segment) a [`Collector`] keeps a small ring of
//! the previous lines (context before a hit, kept as the buffer rolls), counts
//! down context after a hit, and keeps the step's last lines (the tail). Its
//! candidates go into a [`CandidateSet`] that de-duplicates by text and caps
//! every class, so memory stays bounded however many errors a log prints.
//! [`CandidateSet::select`] then keeps the most informative lines by the one
//! ranking in [`rank`] (the comment's tighter cut uses it too, so the two
//! agree), and returns them in log order. The classes' order below only
//! decides which class a line de-duplicated from two places keeps, and
//! which candidates the per-class caps admit.

use std::collections::HashMap;

use super::ring::{Line, Ring};
use super::{patterns, rank, sanitize::sanitize_line, ExcerptLine, LineKind};

/// Candidate classes, most informative first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    Error = 0,
    Match = 1,
    GenericError = 2,
    Context = 3,
    Tail = 4,
}

impl Class {
    fn kind(self) -> LineKind {
        match self {
            Class::Error | Class::GenericError => LineKind::Error,
            Class::Match => LineKind::Match,
            Class::Context => LineKind::Context,
            Class::Tail => LineKind::Tail,
        }
    }
}

#[derive(Debug, Clone)]
struct Candidate {
    seq: u64,
    line_number: u64,
    text: String,
    class: Class,
    /// For context: the hit it belongs to (by `seq`).
    anchor: u64,
}

/// A de-duplicated, per-class capped set of candidate lines.
#[derive(Debug)]
pub struct CandidateSet {
    items: Vec<Candidate>,
    by_text: HashMap<String, usize>,
    counts: [usize; 5],
    caps: [usize; 5],
    /// Candidates refused by a cap (reported as omitted).
    pub dropped: u64,
}

impl CandidateSet {
    pub fn new(max_lines: usize, context: usize) -> Self {
        let hits = max_lines.max(1);
        CandidateSet {
            items: Vec::new(),
            by_text: HashMap::new(),
            counts: [0; 5],
            // Context: enough for every hit that can still be selected.
            caps: [hits, hits, hits, hits * 2 * context.max(1), hits],
            dropped: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn contains_seq(&self, seq: u64) -> bool {
        self.items.iter().rev().any(|c| c.seq == seq)
    }

    /// Approximate heap bytes held.
    pub fn retained_bytes(&self) -> usize {
        self.items.iter().map(|c| 2 * c.text.capacity() + 64).sum()
    }

    /// Adds a candidate; returns false if a cap refused it.
    fn insert(&mut self, c: Candidate) -> bool {
        if let Some(&i) = self.by_text.get(&c.text) {
            let old = &mut self.items[i];
            if c.class < old.class {
                self.counts[old.class as usize] -= 1;
                self.counts[c.class as usize] += 1;
                old.class = c.class;
                old.seq = c.seq;
                old.line_number = c.line_number;
                old.anchor = c.anchor;
            }
            return true;
        }
        let class = c.class as usize;
        if self.counts[class] >= self.caps[class] {
            self.dropped += 1;
            return false;
        }
        self.counts[class] += 1;
        self.by_text.insert(c.text.clone(), self.items.len());
        self.items.push(c);
        true
    }

    /// Moves everything from `other` into `self` (caps and de-duplication apply).
    pub fn absorb(&mut self, other: CandidateSet) {
        self.dropped += other.dropped;
        let mut items = other.items;
        items.sort_by_key(|c| (c.class, c.seq));
        for c in items {
            self.insert(c);
        }
    }

    pub fn push(
        &mut self,
        seq: u64,
        line_number: u64,
        text: String,
        class: Class,
        anchor: u64,
    ) -> bool {
        self.insert(Candidate {
            seq,
            line_number,
            text,
            class,
            anchor,
        })
    }

    /// The final cut: at most `max_lines`, most informative first by the
    /// same ranking as the comment's tighter cut ([`rank`]), returned in log
    /// order, plus how many candidates were left out.
    pub fn select(self, max_lines: usize) -> (Vec<ExcerptLine>, u64) {
        let total = self.items.len() as u64 + self.dropped;
        let mut items = self.items;
        items.sort_by_key(|c| c.seq);
        let lines: Vec<ExcerptLine> = items
            .into_iter()
            .map(|c| ExcerptLine {
                line_number: c.line_number,
                text: c.text,
                kind: c.class.kind(),
            })
            .collect();
        // Indices of the kept lines, ascending.
        let mut keep = rank::keep_most_informative(&lines, max_lines)
            .into_iter()
            .peekable();
        let omitted = total - keep.len() as u64;
        let lines = lines
            .into_iter()
            .enumerate()
            .filter_map(|(i, l)| keep.next_if_eq(&i).map(|_| l))
            .collect();
        (lines, omitted)
    }
}

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
    after_left: usize,
    after_anchor: u64,
    pub set: CandidateSet,
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
            after_left: 0,
            after_anchor: 0,
            set: CandidateSet::new(max_lines, context),
            has_error: false,
            has_hit: false,
        }
    }

    pub fn retained_bytes(&self) -> usize {
        self.before.retained_bytes() + self.tail.retained_bytes() + self.set.retained_bytes()
    }

    /// `chunk`: the chunk being fed, which `line.at` points into.
    pub fn line(&mut self, line: &Line<'_>, role: Role, chunk: &[u8]) {
        let (seq, line_number) = (line.seq, line.line_number);
        let class = match role {
            Role::Error { generic: false } => Some(Class::Error),
            Role::Error { generic: true } => Some(Class::GenericError),
            Role::Plain if is_hit(line.raw) => Some(Class::Match),
            _ => None,
        };
        match class {
            Some(class) => {
                self.has_error |= matches!(role, Role::Error { .. });
                self.has_hit = true;
                self.drain_before(seq, chunk);
                self.tail.push(line);
                let text = line.display.text(line.raw, line.truncated);
                self.set.push(seq, line_number, text, class, seq);
                self.after_left = self.context;
                self.after_anchor = seq;
            }
            None if self.after_left > 0 => {
                self.tail.push(line);
                self.after_left -= 1;
                let text = line.display.text(line.raw, line.truncated);
                self.set
                    .push(seq, line_number, text, Class::Context, self.after_anchor);
            }
            None => {
                self.tail.push(line);
                self.push_before(line);
            }
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

    /// The context before a hit into the set, then forgotten.
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

    /// Forgets the unit without producing candidates.
    pub fn discard(&mut self) {
        self.tail.clear();
        self.clear_before();
        self.after_left = 0;
        self.has_error = false;
        self.has_hit = false;
        if !self.set.is_empty() {
            self.set = CandidateSet::new(self.max_lines, self.context);
        }
    }

    /// Ends the unit: adds the tail and hands back its candidates, ready for the next unit.
    pub fn take(&mut self, chunk: &[u8]) -> (CandidateSet, bool, bool) {
        if self.keeps_log_tail {
            self.tail.drain_unit_into(&mut self.set, Class::Tail, chunk);
        } else {
            self.tail.drain_into(&mut self.set, Class::Tail, 0, chunk);
        }
        self.clear_before();
        self.after_left = 0;
        let set = std::mem::replace(
            &mut self.set,
            CandidateSet::new(self.max_lines, self.context),
        );
        let flags = (
            std::mem::take(&mut self.has_error),
            std::mem::take(&mut self.has_hit),
        );
        (set, flags.0, flags.1)
    }
}

impl Collector {
    /// The log's last lines, whatever unit they belonged to (only with
    /// `keeps_log_tail`, after the last [`Collector::take`]).
    pub fn drain_log_tail_into(&mut self, set: &mut CandidateSet, chunk: &[u8]) {
        debug_assert!(self.keeps_log_tail);
        self.tail.drain_all_into(set, Class::Tail, chunk);
    }
}

/// Known error shape? ESC-free lines are checked as they are; others after
/// sanitizing, so colour codes cannot hide a shape (pytest paints `E   ` red).
fn is_hit(raw: &[u8]) -> bool {
    if memchr::memchr(0x1b, raw).is_some() {
        // Cheap raw check first: sanitizing only removes bytes, so a keyword
        // absent from the raw line (escape codes inside a keyword aside) is
        // absent after sanitizing too.
        if !patterns::may_be_error_shape(raw) {
            return false;
        }
        patterns::is_error_shape(sanitize_line(raw).as_bytes())
    } else {
        patterns::is_error_shape(raw)
    }
}
