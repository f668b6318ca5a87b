//! Choosing the excerpt: failure blocks, bounded, then the cut.
//!
//! Pure: no I/O. Per step (or segment) a [`Collector`] follows the failure block a hit opens
//! ([`super::block`]), keeps a small ring of the previous lines (context before a hit, kept
//! as the buffer rolls) and the step's last lines (the tail). Blocks go into a
//! [`CandidateSet`] that folds repeated failures (numbers masked) into one block with a
//! count and caps what it stores: blocks (the first and the latest), lines per block, the
//! tail, so memory stays bounded however many errors a log prints.
//! [`CandidateSet::select`] gives every line a priority ([`rank`]) and keeps the best; the
//! comment's tighter cut uses the same priorities, so the two agree.

use std::collections::HashMap;

use super::block::{self, Next, OpenBlock};
use super::patterns::{self, Shape, Strength};
use super::ring::{Line, Ring};
use super::{rank, sanitize::sanitize_line, ExcerptLine, LineKind};

/// How a line reached the collector (the API that rings and the analyzer push through).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
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
struct Candidate {
    seq: u64,
    line_number: u64,
    text: String,
    kind: LineKind,
    part: Part,
    /// Later lines like this one folded into it (heads and keys only).
    repeats: u32,
}

/// Lines kept of one block besides its head: keys and other lines, each capped, so a
/// 100,000-line block costs as much as a short one.
const MAX_KEYS: u32 = 24;
const MAX_BODY: u32 = 24;
/// Lines at a block's start, and on either side of a key, that are stored.
const BODY_FIRST: u32 = 10;
const BODY_AROUND_KEY: u8 = 2;
const MAX_BODY_BYTES: usize = 16 * 1024;
/// The last blocks of a set that always rank as failures of their own, whatever came before.
const LAST_BLOCKS: usize = 2;

/// Context lines kept before a block's head.
const MAX_BEFORE: u32 = 4;

/// One failure report: its head, context before it, its keys and body (unsorted).
#[derive(Debug, Clone)]
pub struct Block {
    id: u64,
    shape: Shape,
    fingerprint: u64,
    /// Opened by an ordinary error line; passing work printed it if a pass follows.
    demotable: bool,
    /// A passing test or suite followed it: it did not fail the job.
    demoted: bool,
    lines: Vec<Candidate>,
    keys: u32,
    body: u32,
    before: u32,
    body_bytes: usize,
    /// The latest lines that are not stored yet: stored if a key follows.
    recent: Vec<Candidate>,
    /// Lines after the last key still to store.
    after_key: u8,
    /// Later blocks that repeated this one (same head, numbers masked).
    repeats: u32,
    /// Lines of the block not stored (over a cap).
    omitted: u64,
}

impl Block {
    fn head(&self) -> &Candidate {
        self.lines
            .iter()
            .find(|c| c.part == Part::Head)
            .unwrap_or(&self.lines[0])
    }

    /// Adds a line of the block; false if a cap refused it. Of the lines that are neither
    /// head nor key, only those that can rank are stored: the first few of the block and the
    /// two on either side of each key (a ring holds the two before until a key comes).
    fn add(&mut self, c: Candidate, hit: bool) -> bool {
        match c.part {
            Part::Key => {
                // A list of one error over and over (numbers aside) is one line with a count.
                let print = block::fingerprint(&c.text);
                let same = self.lines.iter_mut().find(|l| {
                    matches!(l.part, Part::Head | Part::Key) && block::fingerprint(&l.text) == print
                });
                if let Some(earlier) = same {
                    earlier.repeats += 1;
                    return true;
                }
                // Facts that are no hit may take only half the keys' room: hits come first.
                let cap = if hit { MAX_KEYS } else { MAX_KEYS / 2 };
                if self.keys >= cap {
                    self.omitted += 1;
                    return false;
                }
                self.keys += 1;
                for before in std::mem::take(&mut self.recent) {
                    self.store_body(before);
                }
                self.after_key = BODY_AROUND_KEY;
                self.lines.push(c);
                true
            }
            Part::Before => {
                if self.before >= MAX_BEFORE {
                    self.omitted += 1;
                    return false;
                }
                self.before += 1;
                self.lines.push(c);
                true
            }
            _ if self.after_key > 0 || self.body < BODY_FIRST => {
                self.after_key = self.after_key.saturating_sub(1);
                self.store_body(c)
            }
            _ => {
                if self.recent.len() >= BODY_AROUND_KEY as usize {
                    self.recent.remove(0);
                    self.omitted += 1;
                }
                self.recent.push(c);
                true
            }
        }
    }

    fn store_body(&mut self, c: Candidate) -> bool {
        if self.body >= MAX_BODY || self.body_bytes + c.text.len() > MAX_BODY_BYTES {
            self.omitted += 1;
            return false;
        }
        self.body += 1;
        self.body_bytes += c.text.len();
        self.lines.push(c);
        true
    }
}

/// The blocks and tail lines of a step, a segment or the whole job, capped.
#[derive(Debug)]
pub struct CandidateSet {
    /// Log order. The first `max_blocks / 2` stay; later ones slide (the latest are kept),
    /// so a build with hundreds of errors shows its first ones and the ones it ended on.
    blocks: Vec<Block>,
    max_blocks: usize,
    tail: Vec<Candidate>,
    max_tail: usize,
    /// Head fingerprint → block id, to fold repeats.
    heads: HashMap<u64, u64>,
    /// Candidates refused by a cap (reported as omitted).
    pub dropped: u64,
}

impl CandidateSet {
    pub fn new(max_lines: usize, _context: usize) -> Self {
        CandidateSet {
            blocks: Vec::new(),
            max_blocks: max_lines.max(8),
            tail: Vec::new(),
            max_tail: max_lines.max(1),
            heads: HashMap::new(),
            dropped: 0,
        }
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

    fn block_mut(&mut self, id: u64) -> Option<&mut Block> {
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
            let evicted = self.blocks.remove(self.max_blocks / 2);
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
    fn open(&mut self, head: Candidate, shape: Shape, demotable: bool) -> bool {
        // `Traceback (most recent call last):` heads every Python traceback alike; what
        // tells them apart (the exception) comes last, so tracebacks are never folded.
        let fingerprint = if shape.mode == patterns::Mode::Traceback {
            head.seq
        } else {
            block::fingerprint(&head.text)
        };
        let block = Block {
            id: head.seq,
            shape,
            fingerprint,
            demotable,
            demoted: false,
            lines: vec![head],
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

    fn add_to(&mut self, id: u64, c: Candidate, hit: bool) {
        let added = self.block_mut(id).map(|b| b.add(c, hit));
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
                    b.lines.iter().any(|l| {
                        matches!(l.part, Part::Head | Part::Key)
                            && (l.repeats > 0 || b.repeats > 0)
                            && block::fingerprint(&l.text) == print
                    })
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
    fn demote(&mut self, ids: &[u64]) {
        for b in self.blocks.iter_mut().rev().take(self.max_blocks) {
            if b.demotable && ids.contains(&b.id) {
                b.demoted = true;
            }
        }
    }

    /// The final cut: at most `max_lines`, most informative first by the priorities of
    /// [`rank`] (which the comment's tighter cut reuses), returned in log order, plus how
    /// many candidates were left out.
    pub fn select(self, max_lines: usize) -> (Vec<ExcerptLine>, u64) {
        let mut lines: Vec<(u64, ExcerptLine)> = Vec::new();
        let mut of_shape: HashMap<u16, usize> = HashMap::new();
        let mut stored = self.tail.len() as u64;
        // The failures the step ended on are never "more of the same".
        let explaining = |b: &Block| {
            !b.demoted && matches!(b.shape.strength, Strength::Decisive | Strength::Ordinary)
        };
        let last: Vec<u64> = self
            .blocks
            .iter()
            .rev()
            .filter(|b| explaining(b))
            .take(LAST_BLOCKS)
            .map(|b| b.id)
            .collect();
        for mut b in self.blocks {
            stored += b.lines.len() as u64;
            let nth = of_shape.entry(b.shape.id).or_default();
            let view = rank::BlockView {
                strength: b.shape.strength,
                subject: b.shape.subject,
                demoted: b.demoted,
                nth_of_shape: *nth,
                ended_step: last.contains(&b.id),
                interruption: patterns::is_interruption(b.head().text.as_bytes()),
            };
            *nth += 1;
            b.lines.sort_by_key(|c| c.seq);
            let head_line = b.head().line_number;
            let anchors: Vec<u64> = b
                .lines
                .iter()
                .filter(|c| matches!(c.part, Part::Head | Part::Key))
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
                let noise = block::is_noise(&c.text);
                let priority = rank::priority(&view, place, noise);
                let repeats = c.repeats + if c.part == Part::Head { b.repeats } else { 0 };
                lines.push((c.seq, excerpt_line(c, priority, repeats)));
            }
        }
        let tail_len = self.tail.len() as u64;
        for (i, c) in self.tail.into_iter().enumerate() {
            let noise = block::is_noise(&c.text);
            let priority = rank::tail_priority(tail_len - i as u64, noise);
            lines.push((c.seq, excerpt_line(c, priority, 0)));
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
        (lines, omitted)
    }
}

fn excerpt_line(c: Candidate, priority: u32, repeats: u32) -> ExcerptLine {
    ExcerptLine {
        line_number: c.line_number,
        text: c.text,
        kind: c.kind,
        priority,
        repeats,
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
        if self.pending.is_empty() || !block::may_be_pass(line.raw) {
            return;
        }
        let is_pass = match text {
            Some(t) => block::is_pass(t),
            None => block::is_pass(&sanitize_line(line.raw)),
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

    /// Forgets the unit without producing candidates.
    pub fn discard(&mut self) {
        self.tail.clear();
        self.reset_unit();
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
        self.reset_unit();
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
