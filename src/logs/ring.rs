//! The rings of recent raw lines the collector keeps (context before a hit, a step's tail).
//!
//! Pure: no I/O. A line that lies in the chunk being fed is kept as a byte range of it; only the
//! lines still held when the chunk ends are copied, into reused buffers, so the common line costs
//! neither a copy nor an allocation and memory is bounded by the rings' capacities.

use super::candidates::{CandidateSet, Class};
use super::sanitize::sanitize_line;

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
    /// Hands the line to `set` as a candidate of `class`, sanitized for display.
    fn push_into(&self, set: &mut CandidateSet, class: Class, anchor: u64, chunk: &[u8]) {
        set.push(
            self.seq,
            self.line_number,
            self.display.text(self.bytes(chunk), self.truncated),
            class,
            anchor,
        );
    }

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
            s.push_into(set, class, anchor, chunk);
        }
        self.clear();
    }

    /// The newest `k` lines (`k <= len`), oldest first, into `set` as `class`;
    /// the ring keeps them. Lets a tail ring double as the context-before ring.
    pub fn copy_newest_into(
        &self,
        k: usize,
        set: &mut CandidateSet,
        class: Class,
        anchor: u64,
        chunk: &[u8],
    ) {
        debug_assert!(k <= self.len);
        let cap = self.slots.len();
        for i in 0..k {
            let s = &self.slots[(self.next + cap - k + i) % cap];
            s.push_into(set, class, anchor, chunk);
        }
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

/// Trailing blanks past which a line's end is padding, not text.
const PADDING: usize = 8;

impl Display {
    pub fn text(self, raw: &[u8], truncated: u64) -> String {
        let mut text = super::sanitize::without_textual_colour(sanitize_line(raw));
        // Padding a tool put after its message would push a repeat count out of view (a
        // single trailing space stays: pytest's `x.py:216: ` closing a frame is told by it).
        let end = text.trim_end().len();
        if text.len() - end > PADDING {
            text.truncate(end);
        }
        if self == Display::Warning {
            text.insert_str(0, "warning: ");
        }
        if truncated > 0 {
            text.push_str(&format!(" … [{truncated} more bytes]"));
        }
        text
    }
}
