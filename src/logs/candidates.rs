//! The candidate lines of an excerpt: failure blocks and tail lines, folded and capped.
//!
//! Pure: no I/O. A [`CandidateSet`] holds the blocks the collector ([`super::collector`]) found
//! in a step, a segment or the whole job. It folds a block that repeats an earlier one
//! (numbers masked) into it with a count, and caps what it stores (blocks: the first and the
//! latest; lines per block; the tail), so memory stays bounded however many errors a log
//! prints. The cut ([`super::select`]) ranks what it holds.

use std::collections::HashMap;
use std::sync::Arc;

use super::block;
use super::patterns::{self, Shape, Strength};
use super::{LineKind, NormalLines};

mod report;

pub use report::Block;

/// How a line reached the collector (the API that rings and the analyzer push through).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// An `##[error]` line: opens a block of its own.
    Error = 0,
    /// A known error shape: opens a block of its own.
    Match = 1,
    /// The runner's generic exit-code error: a block of its own, worth little.
    GenericError = 2,
    /// Context of the block whose head has `anchor` as its `seq`.
    Context = 3,
    /// The step's last lines.
    Tail = 4,
}

/// What a line is to the block it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Context before the block's first line.
    Before,
    /// The line that opened the block.
    Head,
    /// A hit inside the block or one of its facts ([`block::is_detail`]).
    Key,
    /// Any other line of the block.
    Body,
    /// One of a step's last lines, in no block.
    Tail,
}

#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) seq: u64,
    pub(super) line_number: u64,
    pub(super) text: String,
    pub(super) kind: LineKind,
    pub(super) part: Part,
    /// Later lines like this one folded into it (heads and keys only).
    pub(super) repeats: u32,
}

/// The blocks and tail lines of a step, a segment or the whole job, capped.
#[derive(Debug)]
pub struct CandidateSet {
    /// Log order. The first `max_blocks / 2` stay; later ones slide (the latest are kept),
    /// so a build with hundreds of errors shows its first ones and the ones it ended on.
    pub(super) blocks: Vec<Block>,
    pub(super) max_blocks: usize,
    pub(super) tail: Vec<Candidate>,
    max_tail: usize,
    /// Head fingerprint → block id, to fold repeats.
    heads: HashMap<u64, u64>,
    /// What a passing run of the job printed (`None`: no passing log to compare with).
    pub(super) normal: Option<Arc<NormalLines>>,
    /// Candidates refused by a cap (reported as omitted).
    pub dropped: u64,
}

impl CandidateSet {
    pub fn new(max_lines: usize) -> Self {
        CandidateSet {
            blocks: Vec::new(),
            max_blocks: max_lines.max(8),
            tail: Vec::new(),
            max_tail: max_lines.max(1),
            heads: HashMap::new(),
            normal: None,
            dropped: 0,
        }
    }

    /// Blocks whose head a passing run printed too are marked as seen, and give way first.
    pub fn compare_with(&mut self, normal: &Arc<NormalLines>) {
        self.normal = Some(Arc::clone(normal));
    }

    /// Did the passing run print this line too?
    pub(super) fn seen(&self, text: &str) -> bool {
        self.normal.as_ref().is_some_and(|n| n.contains_text(text))
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty() && self.tail.is_empty()
    }

    pub fn contains_seq(&self, seq: u64) -> bool {
        self.tail.iter().any(|c| c.seq == seq)
            || self
                .blocks
                .iter()
                .rev()
                .any(|b| b.lines.iter().any(|c| c.seq == seq))
    }

    /// Approximate heap bytes held.
    pub fn retained_bytes(&self) -> usize {
        let lines = |v: &[Candidate]| v.iter().map(|c| c.text.capacity() + 64).sum::<usize>();
        self.blocks
            .iter()
            .map(|b| lines(&b.lines) + 96)
            .sum::<usize>()
            + lines(&self.tail)
    }

    pub(super) fn block_mut(&mut self, id: u64) -> Option<&mut Block> {
        self.blocks.iter_mut().rev().find(|b| b.id == id)
    }

    /// Adds a block, or counts it as a repeat of an earlier one; false if it was folded.
    /// `finished`: the block's verdict (demoted or not) is final, as when sets are merged;
    /// a repeat that was also printed away from passing work is not theirs.
    fn add_block(&mut self, block: Block, finished: bool) -> bool {
        if let Some(&id) = self.heads.get(&block.fingerprint) {
            let repeats = 1 + block.repeats;
            if let Some(earlier) = self.block_mut(id) {
                earlier.repeats += repeats;
                if finished {
                    earlier.demoted &= block.demoted;
                }
                self.dropped += block.omitted;
                return false;
            }
        }
        if self.blocks.len() >= self.max_blocks {
            // What a passing run printed too gives way first, so a new failure is never
            // crowded out by old noise: the oldest such block, else the newcomer itself.
            let at = match self.blocks.iter().position(|b| b.seen) {
                Some(at) => at,
                None if block.seen => {
                    self.dropped += block.lines.len() as u64 + block.omitted;
                    return false;
                }
                None => self.max_blocks / 2,
            };
            let evicted = self.blocks.remove(at);
            self.dropped += evicted.lines.len() as u64 + evicted.omitted;
            if self.heads.get(&evicted.fingerprint) == Some(&evicted.id) {
                self.heads.remove(&evicted.fingerprint);
            }
        }
        self.heads.insert(block.fingerprint, block.id);
        self.blocks.push(block);
        true
    }

    /// Opens a block headed by this line; false if it repeats an earlier one (then it is
    /// counted there and nothing of it is stored).
    pub(super) fn open(&mut self, head: Candidate, shape: Shape, demotable: bool) -> bool {
        // `Traceback (most recent call last):` heads every Python traceback alike; what
        // tells them apart (the exception) comes last, so tracebacks are never folded. Nor
        // are failed tests: two suites may hold a test of one name (`✘ parses json`), each
        // failing for its own reason below it.
        let fingerprint = if shape.mode == patterns::Mode::Traceback
            || shape.subject == patterns::Subject::Test
        {
            head.seq
        } else {
            block::fingerprint(&head.text)
        };
        let head_print = block::fingerprint(&head.text);
        let block = Block {
            id: head.seq,
            shape,
            fingerprint,
            demotable,
            demoted: false,
            seen: self.seen(&head.text),
            lines: vec![head],
            prints: vec![(head_print, 0)],
            keys: 0,
            body: 0,
            before: 0,
            body_bytes: 0,
            recent: Vec::new(),
            after_key: 0,
            repeats: 0,
            omitted: 0,
        };
        self.add_block(block, false)
    }

    /// Opens a one-line block for `head`, just before the block `anchor` heads.
    fn open_before(&mut self, anchor: u64, head: Candidate, shape: Shape) -> bool {
        let demotable = shape.strength == Strength::Ordinary;
        if !self.open(head, shape, demotable) {
            return false;
        }
        let n = self.blocks.len();
        if n >= 2 && self.blocks[n - 2].id == anchor {
            self.blocks.swap(n - 2, n - 1);
        }
        true
    }

    pub(super) fn add_to(&mut self, id: u64, c: Candidate, hit: bool) {
        let normal = self.normal.clone();
        let added = self.block_mut(id).map(|b| b.add(c, hit, normal.as_deref()));
        if added != Some(true) {
            self.dropped += 1;
        }
    }

    fn add_tail(&mut self, c: Candidate) {
        if self.tail.len() >= self.max_tail {
            self.tail.remove(0);
            self.dropped += 1;
        }
        self.tail.push(c);
    }

    /// Moves everything from `other` into `self` (caps and folding apply).
    pub fn absorb(&mut self, other: CandidateSet) {
        self.dropped += other.dropped;
        for b in other.blocks {
            self.add_block(b, true);
        }
        for c in other.tail {
            self.add_tail(c);
        }
    }

    /// Adds a line as the rings and the analyzer hand it over: `Error`, `Match` and
    /// `GenericError` open a one-line block, `Context` joins the block `anchor` heads,
    /// `Tail` is one of a step's last lines. Returns false if a cap refused it.
    pub fn push(
        &mut self,
        seq: u64,
        line_number: u64,
        text: String,
        class: Class,
        anchor: u64,
    ) -> bool {
        let mut c = Candidate {
            seq,
            line_number,
            text,
            kind: LineKind::Context,
            part: Part::Body,
            repeats: 0,
        };
        match class {
            Class::Tail => {
                // A tail line folded into a block as a repeat is shown there, with its count.
                let print = block::fingerprint(&c.text);
                let folded = self.blocks.iter().any(|b| {
                    b.prints
                        .iter()
                        .any(|&(p, i)| p == print && (b.lines[i].repeats > 0 || b.repeats > 0))
                });
                if folded {
                    return true;
                }
                c.kind = LineKind::Tail;
                c.part = Part::Tail;
                self.add_tail(c);
                true
            }
            Class::Context => {
                c.part = if seq < anchor {
                    Part::Before
                } else {
                    Part::Body
                };
                if c.part == Part::Before {
                    // Lines of a step only remembered until an error showed the step failed
                    // (a same-second step boundary) were never classified: one with an
                    // error shape is a failure of its own, not context.
                    if let Some(shape) = patterns::classify(c.text.as_bytes()) {
                        c.part = Part::Head;
                        c.kind = LineKind::Match;
                        return self.open_before(anchor, c, shape);
                    }
                }
                let before = self.dropped;
                self.add_to(anchor, c, false);
                self.dropped == before
            }
            Class::Error | Class::Match | Class::GenericError => {
                let shape = match class {
                    Class::GenericError => Shape::GENERIC,
                    _ => patterns::classify(c.text.as_bytes()).unwrap_or(Shape::MARKED_ERROR),
                };
                c.kind = if class == Class::Match {
                    LineKind::Match
                } else {
                    LineKind::Error
                };
                c.part = Part::Head;
                let demotable = shape.strength == Strength::Ordinary;
                self.open(c, shape, demotable)
            }
        }
    }

    /// Marks these blocks as printed by passing work.
    pub(super) fn demote(&mut self, ids: &[u64]) {
        for b in self.blocks.iter_mut().rev().take(self.max_blocks) {
            if b.demotable && ids.contains(&b.id) {
                b.demoted = true;
            }
        }
    }
}
