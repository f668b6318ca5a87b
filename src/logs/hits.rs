//! Which lines of a chunk can hold a failure shape, from one prefilter search per chunk.

use super::patterns;

/// Maps one prefilter search over a whole chunk back to its lines
/// (ripgrep-style): lines in which no literal starts need no per-line check.
/// Searches lazily, from the first line that asks, so chunks nobody asks
/// about (steps that did not fail) are never searched. Two searches (the
/// literal set and the rare literal apart, see [`patterns::RARE_LITERALS`]),
/// each moving on only once a line passes the candidate it found.
#[derive(Debug)]
pub(super) struct HitCursor {
    /// The searches were made from here (`usize::MAX`: not yet, in this chunk).
    from: usize,
    /// The next candidate of each search, or `usize::MAX` for none up to the chunk's end.
    common: usize,
    rare: usize,
}

impl HitCursor {
    pub(super) fn new() -> Self {
        HitCursor {
            from: usize::MAX,
            common: usize::MAX,
            rare: usize::MAX,
        }
    }

    /// Does a candidate start in `chunk[start..end]`? Lines must be asked
    /// about in order.
    pub(super) fn any_in(&mut self, chunk: &[u8], start: usize, end: usize) -> bool {
        let fresh = start < self.from;
        if fresh || self.common < start {
            self.common = patterns::find_common_candidate(chunk, start).unwrap_or(usize::MAX);
        }
        if fresh || self.rare < start {
            self.rare = patterns::find_rare_candidate(chunk, start).unwrap_or(usize::MAX);
        }
        self.from = start;
        self.common.min(self.rare) < end
    }
}
