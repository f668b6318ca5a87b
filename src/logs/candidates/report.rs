//! One failure report as the candidate set stores it: its head, context before it, its keys
//! and body, each capped so that a 100,000-line block costs as much as a short one.

use super::{block, Candidate, Part};
use crate::logs::patterns::Shape;
use crate::logs::NormalLines;

/// Lines kept of one block besides its head: keys and other lines, each capped, so a
/// 100,000-line block costs as much as a short one.
const MAX_KEYS: u32 = 24;
const MAX_BODY: u32 = 24;
/// Lines at a block's start, and on either side of a key, that are stored.
const BODY_FIRST: u32 = 10;
const BODY_AROUND_KEY: u8 = 2;
const MAX_BODY_BYTES: usize = 16 * 1024;
/// Context lines kept before a block's head.
const MAX_BEFORE: u32 = 4;

/// One failure report: its head, context before it, its keys and body (unsorted).
#[derive(Debug, Clone)]
pub struct Block {
    pub(in crate::logs) id: u64,
    pub(in crate::logs) shape: Shape,
    pub(in crate::logs) fingerprint: u64,
    /// Opened by an ordinary error line; passing work printed it if a pass follows.
    pub(in crate::logs) demotable: bool,
    /// A passing test or suite followed it: it did not fail the job.
    pub(in crate::logs) demoted: bool,
    /// A passing run of the job printed its head too: it is not what is new.
    pub(in crate::logs) seen: bool,
    pub(in crate::logs) lines: Vec<Candidate>,
    /// Fingerprint and index in `lines` of the head and each key, so folding a repeat
    /// hashes only the new line.
    pub(in crate::logs) prints: Vec<(u64, usize)>,
    pub(in crate::logs) keys: u32,
    pub(in crate::logs) body: u32,
    pub(in crate::logs) before: u32,
    pub(in crate::logs) body_bytes: usize,
    /// The latest lines that are not stored yet: stored if a key follows.
    pub(in crate::logs) recent: Vec<Candidate>,
    /// Lines after the last key still to store.
    pub(in crate::logs) after_key: u8,
    /// Later blocks that repeated this one (same head, numbers masked).
    pub(in crate::logs) repeats: u32,
    /// Lines of the block not stored (over a cap).
    pub(in crate::logs) omitted: u64,
}

impl Block {
    pub(in crate::logs) fn head(&self) -> &Candidate {
        self.lines
            .iter()
            .find(|c| c.part == Part::Head)
            .unwrap_or(&self.lines[0])
    }

    /// Adds a line of the block; false if a cap refused it. Of the lines that are neither
    /// head nor key, only those that can rank are stored: the first few of the block and the
    /// two on either side of each key (a ring holds the two before until a key comes).
    /// `normal`: what a passing run printed, whose facts give way to new ones at the cap.
    pub(super) fn add(&mut self, c: Candidate, hit: bool, normal: Option<&NormalLines>) -> bool {
        match c.part {
            Part::Key => {
                // A list of one error over and over (numbers aside) is one line with a count.
                let print = block::fingerprint(&c.text);
                if let Some(&(_, i)) = self.prints.iter().find(|(p, _)| *p == print) {
                    self.lines[i].repeats += 1;
                    return true;
                }
                // Facts that are no hit may take only half the keys' room: hits come first.
                let cap = if hit { MAX_KEYS } else { MAX_KEYS / 2 };
                if self.keys >= cap {
                    self.omitted += 1;
                    return self.replace_old_key(c, print, normal);
                }
                self.keys += 1;
                for before in std::mem::take(&mut self.recent) {
                    self.store_body(before);
                }
                self.after_key = BODY_AROUND_KEY;
                self.prints.push((print, self.lines.len()));
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

    /// A new fact in a full block takes the place of the first one a passing run printed too,
    /// so that a new error in a long list of old ones is kept.
    fn replace_old_key(&mut self, c: Candidate, print: u64, normal: Option<&NormalLines>) -> bool {
        let Some(normal) = normal.filter(|n| !n.contains_text(&c.text)) else {
            return false;
        };
        let old = self
            .lines
            .iter()
            .position(|l| l.part == Part::Key && normal.contains_text(&l.text));
        let Some(i) = old else {
            return false;
        };
        self.lines[i] = c;
        if let Some(entry) = self.prints.iter_mut().find(|(_, at)| *at == i) {
            entry.0 = print;
        }
        true
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
