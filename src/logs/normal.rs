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

use super::decode::LineDecoder;
use super::marker::Marker;
use super::ring::Display;
use super::ExcerptOptions;

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
    /// Lines read from the passing log.
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

    /// Lines the passing log had.
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
        }
    }

    pub fn feed(&mut self, chunk: &[u8]) {
        let normal = &mut self.normal;
        self.decoder.feed(chunk, &mut |line| {
            learn(normal, line.raw, line.truncated_bytes)
        });
    }

    pub fn finish(mut self) -> NormalLines {
        let normal = &mut self.normal;
        self.decoder
            .finish(&mut |line| learn(normal, line.raw, line.truncated_bytes));
        self.normal
    }

    /// Heap bytes held (for tests of boundedness).
    pub fn retained_bytes(&self) -> usize {
        self.decoder.retained_bytes() + self.normal.retained_bytes()
    }
}

/// Learns one raw line as the failed log's excerpt would display it: the text after the
/// runner's marker, sanitized, with `warning: ` before a warning.
fn learn(normal: &mut NormalLines, raw: &[u8], cut: u64) {
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

/// The fingerprint of a line as displayed, with what varies between runs masked (module doc):
/// each word (ASCII letters, digits, `_`) that holds a digit counts as one `#`, a run of spaces
/// as one space (none at either end), and the rest of a path after `tmp/` or `Temp\` as `~`.
///
/// What [`super::sanitize_line`] removes — escape sequences, control characters — is skipped
/// without breaking a word, and so is every byte outside ASCII, so the print of a raw line and
/// of its sanitized text agree, and the passing log is learned without a copy of any line.
/// Words are hashed eight bytes at a time: this runs on every line of the passing log.
pub fn line_print(text: &[u8]) -> u64 {
    let mut p = Printer::default();
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        match CLASS[usize::from(b)] {
            Class::Letter | Class::Digit => {
                let start = i;
                let mut digits = false;
                // Eight bytes at a time while they are all word bytes, then byte by byte.
                while let Some(chunk) = text.get(i..i + 8) {
                    let (word, digit) =
                        word_bytes(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
                    let run = word.trailing_ones() / 8;
                    let first_run = u64::MAX.checked_shr(64 - 8 * run).unwrap_or(0);
                    digits |= digit & first_run != 0;
                    i += run as usize;
                    if run < 8 {
                        break;
                    }
                }
                while let Some(&c) = text.get(i) {
                    match CLASS[usize::from(c)] {
                        Class::Letter => {}
                        Class::Digit => digits = true,
                        _ => break,
                    }
                    i += 1;
                }
                p.word_part(&text[start..i], digits);
                continue;
            }
            Class::Space => p.space(),
            Class::Escape => {
                i = super::sanitize::escape_end(text, i);
                continue;
            }
            Class::Skipped => {}
            Class::Punct => {
                let temp = p.ends_temp_dir();
                p.punct(b);
                if temp && (b == b'/' || b == b'\\') {
                    // `/tmp/pytest-of-runner/abc/x.py`: the rest of the path differs every run.
                    p.punct(b'~');
                    while i < text.len() && !matches!(text[i], b' ' | b'\t' | b'"' | b'\'' | b':') {
                        i = match text[i] {
                            0x1b => super::sanitize::escape_end(text, i),
                            _ => i + 1,
                        };
                    }
                    continue;
                }
            }
        }
        i += 1;
    }
    p.finish()
}

/// Which of the eight bytes of `w` are word bytes (letters, digits, `_`), and which digits:
/// all bits of such a byte set. SWAR range checks on ASCII; a byte with its high bit is neither.
fn word_bytes(w: u64) -> (u64, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let ascii = !w & HIGH;
    let x = w & !HIGH;
    // High bit of each byte set when lo <= byte <= hi (no carry or borrow crosses a byte).
    let within = |lo: u8, hi: u8| {
        let ge = x + ONES * u64::from(0x80 - lo);
        let le = ONES * (0x80 + u64::from(hi)) - x;
        ge & le & ascii
    };
    let digit = within(b'0', b'9');
    let word = digit | within(b'A', b'Z') | within(b'a', b'z') | within(b'_', b'_');
    // Spread each byte's high bit to the whole byte.
    let spread = |m: u64| (m >> 7) * 0xff;
    (spread(word & HIGH), spread(digit & HIGH))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Letter,
    Digit,
    Space,
    Punct,
    Escape,
    /// Control characters, DEL and every non-ASCII byte: not part of the print.
    Skipped,
}

static CLASS: [Class; 256] = {
    let mut table = [Class::Skipped; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = match b as u8 {
            b'0'..=b'9' => Class::Digit,
            b'a'..=b'z' | b'A'..=b'Z' | b'_' => Class::Letter,
            b' ' | b'\t' => Class::Space,
            0x1b => Class::Escape,
            0x21..=0x7e => Class::Punct,
            _ => Class::Skipped,
        };
        b += 1;
    }
    table
};

const SEED: u64 = 0xcbf2_9ce4_8422_2325;
const DIGIT_WORD: u64 = 0x2323_2323_2323_2323;

fn mix(hash: u64, value: u64) -> u64 {
    (hash.rotate_left(23) ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The running print of one line.
#[derive(Debug)]
struct Printer {
    line: u64,
    /// Tokens so far (a space is only printed between two).
    tokens: u32,
    space_pending: bool,
    in_word: bool,
    word: u64,
    /// The word's bytes not yet mixed in, and how many (up to 8).
    pending: u64,
    pending_len: u32,
    word_len: u32,
    word_has_digit: bool,
    /// The last token was the word `tmp` or `temp` (any case).
    last_was_temp: bool,
}

impl Default for Printer {
    fn default() -> Self {
        Printer {
            line: SEED,
            tokens: 0,
            space_pending: false,
            in_word: false,
            word: SEED,
            pending: 0,
            pending_len: 0,
            word_len: 0,
            word_has_digit: false,
            last_was_temp: false,
        }
    }
}

impl Printer {
    fn token(&mut self, value: u64) {
        if self.space_pending && self.tokens > 0 {
            self.line = mix(self.line, u64::from(b' '));
        }
        self.space_pending = false;
        self.tokens += 1;
        self.line = mix(self.line, value);
    }

    /// Adds bytes of the current word (a word may come in parts, split by what the print
    /// skips); the result does not depend on where it was split.
    fn word_part(&mut self, mut bytes: &[u8], digits: bool) {
        if !self.in_word {
            self.in_word = true;
            self.word = SEED;
            self.pending = 0;
            self.pending_len = 0;
            self.word_len = 0;
            self.word_has_digit = false;
        }
        self.word_has_digit |= digits;
        self.word_len += bytes.len() as u32;
        while self.pending_len > 0 && !bytes.is_empty() {
            self.push_byte(bytes[0]);
            bytes = &bytes[1..];
        }
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.word = mix(self.word, u64::from_be_bytes(word));
        }
        for &b in chunks.remainder() {
            self.push_byte(b);
        }
    }

    fn push_byte(&mut self, b: u8) {
        self.pending = self.pending << 8 | u64::from(b);
        self.pending_len += 1;
        if self.pending_len == 8 {
            self.word = mix(self.word, self.pending);
            self.pending = 0;
            self.pending_len = 0;
        }
    }

    fn end_word(&mut self) {
        if !self.in_word {
            return;
        }
        self.in_word = false;
        // Short words are still whole in `pending`: `tmp` and `temp`, in any case.
        self.last_was_temp = !self.word_has_digit
            && match self.word_len {
                3 => self.pending | 0x20_2020 == 0x74_6d70,
                4 => self.pending | 0x2020_2020 == 0x7465_6d70,
                _ => false,
            };
        let value = if self.word_has_digit {
            DIGIT_WORD
        } else {
            mix(mix(self.word, self.pending), u64::from(self.word_len))
        };
        self.token(value);
    }

    fn space(&mut self) {
        self.end_word();
        self.space_pending = true;
    }

    /// Whether the token just ended is `tmp`/`temp` with nothing between it and what follows.
    fn ends_temp_dir(&mut self) -> bool {
        self.end_word();
        self.last_was_temp && !self.space_pending
    }

    fn punct(&mut self, b: u8) {
        self.end_word();
        self.last_was_temp = false;
        self.token(u64::from(b) | 1 << 63);
    }

    fn finish(mut self) -> u64 {
        self.end_word();
        mix(self.line, u64::from(self.tokens))
    }
}

#[cfg(test)]
mod tests;
