//! What a passing run of the same job prints: the lines that are normal, so that the failed
//! log's excerpt can rank what is new above what the job always says.
//!
//! Pure: no I/O. A [`NormalLinesLearner`] streams a passing log (any chunking, bounded memory)
//! into [`NormalLines`], a fixed-size set of line fingerprints ([`line_print`]) taken after
//! masking what varies between two runs of one job: numbers of any kind (times, durations,
//! counts, ports, line numbers), words holding a digit (hex ids, `Thread-17`, `tmp3x9a`),
//! temporary paths, and runs of spaces. The set never grows past [`MAX_SLOTS`]; once full it
//! stops learning, so the lines it never saw count as new — the safe side, since a new line
//! can only rank higher.
//!
//! Keywords cannot tell an error that broke the build from one the build always prints (an
//! exception a passing test logs on purpose, a deprecation warning, a retry that recovers);
//! rust-lang's failure bot and the CiDiff paper (ISSTA 2025) both learn that from passing logs.

use super::decode::{DecodedLine, LineDecoder};
use super::marker::Marker;
use super::ring::Display;
use super::ExcerptOptions;

mod print;
mod window;

pub use print::line_print;
pub use window::LearningWindows;

/// Slots of the fingerprint table at most: 2 MiB of `u64`, room for ~230,000 distinct lines
/// (a passing 400 MiB log of a test suite masks down to far fewer).
pub const MAX_SLOTS: usize = 1 << 18;
const FIRST_SLOTS: usize = 1 << 10;

/// Fingerprints of the lines a passing log printed (masked; see the module doc).
#[derive(Debug, Clone)]
pub struct NormalLines {
    /// Open addressing, linear probing; 0 marks an empty slot (a print of 0 is stored as 1).
    slots: Vec<u64>,
    len: usize,
    /// Lines of the passing log learned (inside its windows, if it had any).
    lines: u64,
    /// Distinct lines not learned because the table was full.
    unlearned: u64,
}

impl Default for NormalLines {
    fn default() -> Self {
        NormalLines {
            slots: vec![0; FIRST_SLOTS],
            len: 0,
            lines: 0,
            unlearned: 0,
        }
    }
}

impl NormalLines {
    /// Did the passing log print a line like `text` (a displayed excerpt line)?
    pub fn contains_text(&self, text: &str) -> bool {
        self.contains(line_print(text.as_bytes()))
    }

    fn contains(&self, print: u64) -> bool {
        let print = print.max(1);
        let mask = self.slots.len() - 1;
        let mut i = (print as usize) & mask;
        loop {
            match self.slots[i] {
                0 => return false,
                p if p == print => return true,
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn insert(&mut self, print: u64) {
        let print = print.max(1);
        if (self.len + 1) * 8 > self.slots.len() * 7 {
            if self.slots.len() >= MAX_SLOTS {
                if !self.contains(print) {
                    self.unlearned += 1;
                }
                return;
            }
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = (print as usize) & mask;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = print;
                    self.len += 1;
                    return;
                }
                p if p == print => return,
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let doubled = vec![0; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        self.len = 0;
        for print in old.into_iter().filter(|&p| p != 0) {
            self.insert(print);
        }
    }

    /// Lines of the passing log learned.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Distinct (masked) lines learned.
    pub fn distinct(&self) -> usize {
        self.len
    }

    /// Distinct lines the full table could not take (they count as new).
    pub fn unlearned(&self) -> u64 {
        self.unlearned
    }

    /// Heap bytes held (for tests of boundedness).
    pub fn retained_bytes(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<u64>()
    }
}

/// Streams a passing log into [`NormalLines`].
#[derive(Debug)]
pub struct NormalLinesLearner {
    decoder: LineDecoder,
    normal: NormalLines,
    /// Learn only the lines stamped inside these (see [`LearningWindows`]); all when `None`.
    windows: Option<LearningWindows>,
}

impl NormalLinesLearner {
    /// `options`: the failed log's, so that both logs' lines are cut and split alike.
    pub fn new(options: &ExcerptOptions) -> Self {
        let decoder = LineDecoder::new(options.max_line_bytes);
        NormalLinesLearner {
            decoder: match options.lone_cr_ends_line {
                true => decoder.numbering_lone_cr_as_lines(),
                false => decoder,
            },
            normal: NormalLines::default(),
            windows: None,
        }
    }

    /// Learns only the lines stamped inside `windows` (lines without a stamp are learned).
    pub fn within(mut self, windows: LearningWindows) -> Self {
        self.windows = Some(windows);
        self
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        let (normal, windows) = (&mut self.normal, self.windows.as_ref());
        let sink = &mut |line: DecodedLine<'_>| learn(normal, windows, &line);
        match windows.and_then(|w| w.skippable(chunk)) {
            // Both parts end or begin at a line's start, so the decoder never sees the gap
            // (its line numbers fall behind, which nothing here reads).
            Some((a, b)) => {
                self.decoder.feed(&chunk[..a], sink);
                self.decoder.feed(&chunk[b..], sink);
            }
            None => self.decoder.feed(chunk, sink),
        }
    }

    pub fn finish(mut self) -> NormalLines {
        let (normal, windows) = (&mut self.normal, self.windows.as_ref());
        self.decoder
            .finish(&mut |line| learn(normal, windows, &line));
        self.normal
    }

    /// Heap bytes held (for tests of boundedness).
    pub fn retained_bytes(&self) -> usize {
        self.decoder.retained_bytes() + self.normal.retained_bytes()
    }
}

/// Learns one raw line as the failed log's excerpt would display it: the text after the
/// runner's marker, sanitized, with `warning: ` before a warning.
fn learn(normal: &mut NormalLines, windows: Option<&LearningWindows>, line: &DecodedLine<'_>) {
    if let (Some(windows), Some(time)) = (windows, line.time) {
        if !windows.contains(time.secs) {
            return;
        }
    }
    let (raw, cut) = (line.raw, line.truncated_bytes);
    normal.lines += 1;
    let (body, display) = match Marker::parse(raw) {
        Marker::EndGroup => return,
        Marker::RunHeader(rest) | Marker::Error { rest, .. } | Marker::Other(rest) => {
            (rest, Display::Plain)
        }
        Marker::Warning(rest) => (rest, Display::Warning),
        Marker::Text(_) => (raw, Display::Plain),
    };
    // The common line needs no copy: the print skips what sanitizing removes.
    let print = if cut == 0 && display == Display::Plain {
        line_print(body)
    } else {
        line_print(display.text(body, cut).as_bytes())
    };
    normal.insert(print);
}

#[cfg(test)]
mod tests;
