//! The print of one line: what varies between two runs masked, read from raw bytes without a
//! copy. The hot loop of learning a passing log (every byte of every line goes through it).

/// The fingerprint of a line as displayed, with what varies between runs masked (module doc):
/// each word (ASCII letters, digits, `_`) that holds a digit counts as one `#`, a run of spaces
/// as one space (none at either end), and the rest of a path after `tmp/` or `Temp\` as `~`.
///
/// What [`crate::logs::sanitize_line`] removes — escape sequences, control characters — is skipped
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
                i = crate::logs::sanitize::escape_end(text, i);
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
                            0x1b => crate::logs::sanitize::escape_end(text, i),
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
pub(super) fn word_bytes(w: u64) -> (u64, u64) {
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
pub(super) enum Class {
    Letter,
    Digit,
    Space,
    Punct,
    Escape,
    /// Control characters, DEL and every non-ASCII byte: not part of the print.
    Skipped,
}

pub(super) static CLASS: [Class; 256] = {
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
