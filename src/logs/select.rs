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

/// One line as the collector and the rings see it.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    pub seq: u64,
    pub line_number: u64,
    /// Not yet sanitized, at most `max_line_bytes`.
    pub raw: &'a [u8],
    /// Where `raw` starts in the chunk being fed, if it lies in it.
    pub at: Option<usize>,
    pub truncated: u64,
    pub display: Display,
}

/// A raw line kept in a ring until we know whether it is needed.
#[derive(Debug, Default, Clone)]
struct Slot {
    seq: u64,
    line_number: u64,
    /// The line's bytes while they lie in the current chunk…
    in_chunk: Option<std::ops::Range<usize>>,
    /// …or a copy, once the chunk is gone (or if the line never was in it).
    raw: Vec<u8>,
    truncated: u64,
    display: Display,
}

impl Slot {
    fn bytes<'a>(&'a self, chunk: &'a [u8]) -> &'a [u8] {
        match &self.in_chunk {
            Some(range) => &chunk[range.clone()],
            None => &self.raw,
        }
    }
}

/// Fixed-size ring of raw lines. A line that lies in the chunk being fed is
/// kept as a byte range of it; only the lines still in the ring when the
/// chunk ends are copied ([`Ring::end_chunk`]), into slot buffers that are
/// reused, so the common line costs neither a copy nor an allocation.
#[derive(Debug)]
pub struct Ring {
    slots: Vec<Slot>,
    next: usize,
    len: usize,
    /// The newest `unit_len` lines (`<= len`) belong to the current unit;
    /// older ones are only kept as the whole log's tail (see
    /// [`Ring::drain_unit_into`]). Equal to `len` unless that is used.
    unit_len: usize,
}

impl Ring {
    pub fn new(capacity: usize) -> Self {
        Ring {
            slots: vec![Slot::default(); capacity],
            next: 0,
            len: 0,
            unit_len: 0,
        }
    }

    #[inline]
    pub fn push(&mut self, line: &Line<'_>) {
        if self.slots.is_empty() {
            return;
        }
        let slot = &mut self.slots[self.next];
        slot.seq = line.seq;
        slot.line_number = line.line_number;
        match line.at {
            Some(at) => slot.in_chunk = Some(at..at + line.raw.len()),
            None => {
                slot.in_chunk = None;
                slot.raw.clear();
                slot.raw.extend_from_slice(line.raw);
            }
        }
        slot.truncated = line.truncated;
        slot.display = line.display;
        // Called for nearly every line: wrap with a compare, not a division.
        self.next += 1;
        if self.next == self.slots.len() {
            self.next = 0;
        }
        if self.len < self.slots.len() {
            self.len += 1;
        }
        if self.unit_len < self.slots.len() {
            self.unit_len += 1;
        }
    }

    /// The chunk the ring's ranges point into is about to go: copy them.
    pub fn end_chunk(&mut self, chunk: &[u8]) {
        let cap = self.slots.len();
        for i in 0..self.len {
            let slot = &mut self.slots[(self.next + cap - self.len + i) % cap];
            if let Some(range) = slot.in_chunk.take() {
                slot.raw.clear();
                slot.raw.extend_from_slice(&chunk[range]);
            }
        }
    }

    pub fn clear(&mut self) {
        self.len = 0;
        self.unit_len = 0;
    }

    /// The current unit's lines, oldest first.
    fn iter_oldest_first(&self) -> impl Iterator<Item = &Slot> {
        let (cap, n) = (self.slots.len(), self.unit_len);
        (0..n).map(move |i| &self.slots[(self.next + cap - n + i) % cap])
    }

    pub fn retained_bytes(&self) -> usize {
        self.slots.iter().map(|s| s.raw.capacity() + 48).sum()
    }

    /// Moves the ring's lines into `set` as `class` (oldest first) and empties it.
    /// `chunk`: the chunk being fed (empty once feeding is over).
    pub fn drain_into(&mut self, set: &mut CandidateSet, class: Class, anchor: u64, chunk: &[u8]) {
        for s in self.iter_oldest_first() {
            if class == Class::Tail && set.contains_seq(s.seq) {
                continue;
            }
            set.push(
                s.seq,
                s.line_number,
                s.display.text(s.bytes(chunk), s.truncated),
                class,
                anchor,
            );
        }
        self.clear();
    }

    /// [`Ring::drain_into`] for the current unit's lines only; the ring keeps
    /// them (and older ones) as the log's tail, for [`Ring::drain_all_into`].
    pub fn drain_unit_into(&mut self, set: &mut CandidateSet, class: Class, chunk: &[u8]) {
        let len = self.len;
        self.drain_into(set, class, 0, chunk);
        self.len = len;
    }

    /// [`Ring::drain_into`] of every line held, whichever unit it belongs to.
    pub fn drain_all_into(&mut self, set: &mut CandidateSet, class: Class, chunk: &[u8]) {
        self.unit_len = self.len;
        self.drain_into(set, class, 0, chunk);
    }
}

/// How a line is shown in the excerpt (markers become plain text).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Display {
    #[default]
    Plain,
    Warning,
}

impl Display {
    pub fn text(self, raw: &[u8], truncated: u64) -> String {
        let mut text = sanitize_line(raw);
        if self == Display::Warning {
            text.insert_str(0, "warning: ");
        }
        if truncated > 0 {
            text.push_str(&format!(" … [{truncated} more bytes]"));
        }
        text
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
    before: Ring,
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
            before: Ring::new(context),
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
        self.tail.push(line);
        match class {
            Some(class) => {
                self.has_error |= matches!(role, Role::Error { .. });
                self.has_hit = true;
                self.before
                    .drain_into(&mut self.set, Class::Context, seq, chunk);
                let text = line.display.text(line.raw, line.truncated);
                self.set.push(seq, line_number, text, class, seq);
                self.after_left = self.context;
                self.after_anchor = seq;
            }
            None if self.after_left > 0 => {
                self.after_left -= 1;
                let text = line.display.text(line.raw, line.truncated);
                self.set
                    .push(seq, line_number, text, Class::Context, self.after_anchor);
            }
            None => self.before.push(line),
        }
    }

    /// A line of a unit not (yet) known to matter: only remembered in the
    /// rings, so that context and tail exist if an error later rescues it.
    pub fn passive(&mut self, line: &Line<'_>) {
        self.tail.push(line);
        self.before.push(line);
    }

    /// The chunk being fed is about to go (see [`Ring::end_chunk`]).
    pub fn end_chunk(&mut self, chunk: &[u8]) {
        self.tail.end_chunk(chunk);
        self.before.end_chunk(chunk);
    }

    /// Forgets the unit without producing candidates.
    pub fn discard(&mut self) {
        self.tail.clear();
        self.before.clear();
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
        self.before.clear();
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
