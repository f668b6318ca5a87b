//! Splitting a job-log byte stream into lines, push-style, with bounded memory.
//!
//! Pure: no I/O. The caller hands in bytes in any chunking; the decoder calls a
//! sink once per line with borrowed bytes. Lines wholly inside a chunk are
//! handed out in place; only an unfinished line is copied into a carry buffer,
//! and that buffer never grows beyond `max_line_bytes` plus room for the
//! prefix (ripgrep's `line_buffer` idea: an over-long line is a decision —
//! keep the head, count the rest — never a surprise allocation).
//!
//! Per line it strips the UTF-8 BOM (stream start only), parses and strips the
//! runner's `YYYY-MM-DDTHH:MM:SS.fffffffZ ` prefix, and understands `\n`,
//! `\r\n` and a lone `\r`. Line numbers count raw lines as GitHub shows them;
//! a lone `\r` (progress bars) splits a raw line into several segments that
//! share its number and timestamp (empty segments after a `\r` are dropped).
//! A log file from elsewhere is numbered as editors number it instead
//! ([`LineDecoder::numbering_lone_cr_as_lines`]): there a lone `\r` ends a line.
//! Escape sequences and control characters are *not* removed here — call
//! [`DecodedLine::text`] (or [`super::sanitize_line`]) on the lines you keep,
//! so the common line costs no allocation.

use memchr::memchr2;

use super::sanitize::sanitize_line;

const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Longest prefix we look at for BOM + timestamp: 3 + `2024-05-01T12:00:00.` (20)
/// + up to 9 fraction digits + `Z ` = 34, rounded up.
const PREFIX_ROOM: usize = 40;
/// The smallest per-line cap accepted, so a prefix can always be recognised.
const MIN_LINE_BYTES: usize = 64;

/// A log timestamp: whole seconds since the Unix epoch plus nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogTime {
    pub secs: i64,
    pub nanos: u32,
}

/// One decoded line (or `\r`-separated segment of one), borrowed from the decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodedLine<'a> {
    /// 1-based number of the raw line in the log.
    pub line_number: u64,
    /// The runner's timestamp; segments after a lone `\r` inherit their line's.
    pub time: Option<LogTime>,
    /// The bytes after BOM and timestamp, without the terminator, at most
    /// `max_line_bytes` long. Not yet sanitized.
    pub raw: &'a [u8],
    /// How many bytes of this line were cut off by the cap.
    pub truncated_bytes: u64,
    /// Where `raw` starts in the chunk of the current [`LineDecoder::feed`]
    /// call (`chunk[o..o + raw.len()] == raw`), so a search run once over
    /// the whole chunk can be mapped back to lines; `None` when the line was
    /// assembled in the carry buffer (it crossed a chunk boundary).
    pub chunk_offset: Option<usize>,
}

impl DecodedLine<'_> {
    /// The sanitized text, with a note when the line was cut.
    pub fn text(&self) -> String {
        let mut text = sanitize_line(self.raw);
        if self.truncated_bytes > 0 {
            text.push_str(&format!(" … [{} more bytes]", self.truncated_bytes));
        }
        text
    }
}

/// Push-style line decoder. Memory: one carry buffer of at most
/// `max_line_bytes + 40` bytes, whatever the input.
#[derive(Debug)]
pub struct LineDecoder {
    max_line_bytes: usize,
    carry: Vec<u8>,
    /// Bytes of the current segment that did not fit in `carry`.
    dropped: u64,
    /// The last byte seen was `\r`; a following `\n` completes a CRLF.
    pending_cr: bool,
    line_number: u64,
    /// The current segment is the first of its raw line (not after a lone `\r`).
    first_segment: bool,
    line_time: Option<LogTime>,
    stamps: StampCache,
    /// A lone `\r` ends a line (universal newlines) instead of a segment.
    lone_cr_ends_line: bool,
}

impl LineDecoder {
    pub fn new(max_line_bytes: usize) -> Self {
        let max_line_bytes = max_line_bytes.max(MIN_LINE_BYTES);
        LineDecoder {
            max_line_bytes,
            carry: Vec::new(),
            dropped: 0,
            pending_cr: false,
            line_number: 1,
            first_segment: true,
            line_time: None,
            stamps: StampCache::default(),
            lone_cr_ends_line: false,
        }
    }

    /// Numbers lines as editors and Python's universal newlines do: a lone `\r` ends a
    /// line too. For a log file from any CI (`--log FILE`), whose readers count that way;
    /// GitHub's log viewer does not, so downloaded job logs keep the default.
    pub fn numbering_lone_cr_as_lines(mut self) -> Self {
        self.lone_cr_ends_line = true;
        self
    }

    /// After a lone `\r`: a new segment of the same line, or a new line.
    fn lone_cr(&mut self) {
        if self.lone_cr_ends_line {
            self.end_line();
        } else {
            self.first_segment = false;
        }
    }

    /// Number of raw lines completed so far (plus the unfinished one after `finish`).
    pub fn lines_completed(&self) -> u64 {
        self.line_number - 1
    }

    /// Nothing of a line is pending: the next byte fed starts a line.
    pub fn at_line_start(&self) -> bool {
        self.carry.is_empty() && self.dropped == 0 && !self.pending_cr && self.first_segment
    }

    /// `lines` whole lines, ended by `\n` alone or CRLF, were passed over unread (see
    /// [`super::skim`]): they count as lines read. Only [`Self::at_line_start`].
    pub fn pass_over(&mut self, lines: u64) {
        debug_assert!(self.at_line_start());
        self.line_number += lines;
        self.line_time = None;
    }

    /// Bytes currently retained (the carry buffer's capacity).
    pub fn retained_bytes(&self) -> usize {
        self.carry.capacity()
    }

    /// Feeds the next chunk; calls `sink` for every line it completes.
    pub fn feed<F: FnMut(DecodedLine<'_>)>(&mut self, chunk: &[u8], sink: &mut F) {
        // `rest` is always `chunk[pos..]`.
        let mut pos = 0;
        let mut rest = chunk;
        if self.pending_cr && !rest.is_empty() {
            self.pending_cr = false;
            if rest[0] == b'\n' {
                rest = &rest[1..];
                pos = 1;
                self.end_line();
            } else {
                self.lone_cr();
            }
        }
        while let Some(i) = memchr2(b'\n', b'\r', rest) {
            if self.carry.is_empty() && self.dropped == 0 {
                self.emit_segment(&rest[..i], 0, Some(pos), sink);
            } else {
                self.append_carry(&rest[..i]);
                let carry = std::mem::take(&mut self.carry);
                let dropped = std::mem::take(&mut self.dropped);
                self.emit_segment(&carry, dropped, None, sink);
                self.carry = carry;
                self.carry.clear();
            }
            let skip = if rest[i] == b'\n' {
                self.end_line();
                i + 1
            } else if i + 1 == rest.len() {
                self.pending_cr = true;
                i + 1
            } else if rest[i + 1] == b'\n' {
                self.end_line();
                i + 2
            } else {
                self.lone_cr();
                i + 1
            };
            rest = &rest[skip..];
            pos += skip;
        }
        self.append_carry(rest);
    }

    /// Flushes an unterminated last line. Returns the number of raw lines.
    pub fn finish<F: FnMut(DecodedLine<'_>)>(&mut self, sink: &mut F) -> u64 {
        if !self.carry.is_empty() || self.dropped > 0 {
            let carry = std::mem::take(&mut self.carry);
            let dropped = std::mem::take(&mut self.dropped);
            self.emit_segment(&carry, dropped, None, sink);
            self.end_line();
        } else if self.pending_cr || !self.first_segment {
            // The log ended in a `\r`-split line: it still counts.
            self.end_line();
        }
        self.pending_cr = false;
        self.lines_completed()
    }

    fn end_line(&mut self) {
        self.line_number += 1;
        self.first_segment = true;
        self.line_time = None;
    }

    fn append_carry(&mut self, bytes: &[u8]) {
        let limit = self.max_line_bytes + PREFIX_ROOM;
        if self.carry.capacity() < limit && !bytes.is_empty() {
            // One exact allocation, so the buffer never doubles past the limit.
            self.carry.reserve_exact(limit - self.carry.len());
        }
        let room = limit.saturating_sub(self.carry.len());
        let take = room.min(bytes.len());
        self.carry.extend_from_slice(&bytes[..take]);
        self.dropped += (bytes.len() - take) as u64;
    }

    /// `base`: where `seg` starts in the current chunk, if it lies in it.
    fn emit_segment<F: FnMut(DecodedLine<'_>)>(
        &mut self,
        seg: &[u8],
        dropped: u64,
        base: Option<usize>,
        sink: &mut F,
    ) {
        if seg.is_empty() && dropped == 0 && !self.first_segment {
            return;
        }
        let mut s = seg;
        if self.line_number == 1 && self.first_segment && s.starts_with(BOM) {
            s = &s[BOM.len()..];
        }
        let mut time = None;
        if let Some((t, len)) = self.stamps.parse(s) {
            time = Some(t);
            s = &s[len..];
        }
        if self.first_segment {
            self.line_time = time;
        } else if time.is_none() {
            time = self.line_time;
        }
        let rest_len = s.len();
        let mut truncated_bytes = dropped;
        if s.len() > self.max_line_bytes {
            truncated_bytes += (s.len() - self.max_line_bytes) as u64;
            s = &s[..self.max_line_bytes];
        }
        sink(DecodedLine {
            line_number: self.line_number,
            time,
            raw: s,
            truncated_bytes,
            chunk_offset: base.map(|b| b + (seg.len() - rest_len)),
        });
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` followed by a space or the end of the
/// line. Returns the time and the prefix length (including the space).
pub fn parse_timestamp_prefix(s: &[u8]) -> Option<(LogTime, usize)> {
    if s.len() < 20 {
        return None;
    }
    let secs = parse_seconds(&s[..SECONDS_PREFIX])?;
    let (nanos, len) = parse_fraction_and_end(s)?;
    Some((LogTime { secs, nanos }, len))
}

/// Length of `YYYY-MM-DDTHH:MM:SS`, the part that names the second.
const SECONDS_PREFIX: usize = 19;

/// The whole seconds of `YYYY-MM-DDTHH:MM:SS` (exactly 19 bytes).
fn parse_seconds(s: &[u8]) -> Option<i64> {
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let mut v = 0i64;
        for &b in &s[range] {
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(b - b'0');
        }
        Some(v)
    };
    if s[4] != b'-' || s[7] != b'-' || s[10] != b'T' || s[13] != b':' || s[16] != b':' {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + hour * 3600 + min * 60 + sec)
}

/// After the 19 bytes of seconds (`s.len() >= 20`): `[.f{1,9}]Z` and a space or
/// the end. Returns the nanoseconds and the whole prefix's length.
fn parse_fraction_and_end(s: &[u8]) -> Option<(u32, usize)> {
    let mut i = SECONDS_PREFIX;
    let mut nanos = 0u32;
    if s[i] == b'.' {
        i += 1;
        let start = i;
        while i < s.len() && s[i].is_ascii_digit() && i - start < 9 {
            nanos = nanos * 10 + u32::from(s[i] - b'0');
            i += 1;
        }
        let digits = i - start;
        if digits == 0 {
            return None;
        }
        nanos *= 10u32.pow(9 - digits as u32);
    }
    if s.get(i) != Some(&b'Z') {
        return None;
    }
    i += 1;
    match s.get(i) {
        Some(b' ') => i += 1,
        None => {}
        Some(_) => return None,
    }
    Some((nanos, i))
}

/// [`parse_timestamp_prefix`] with a one-entry cache of the seconds: runner
/// lines share their second with the previous line far more often than not,
/// so the date arithmetic runs once per second of log, not once per line.
#[derive(Debug, Default)]
struct StampCache {
    prefix: [u8; SECONDS_PREFIX],
    secs: Option<i64>,
}

impl StampCache {
    fn parse(&mut self, s: &[u8]) -> Option<(LogTime, usize)> {
        if s.len() < 20 {
            return None;
        }
        let head = &s[..SECONDS_PREFIX];
        let secs = match self.secs {
            Some(secs) if head == self.prefix => secs,
            _ => {
                let secs = parse_seconds(head)?;
                self.prefix.copy_from_slice(head);
                self.secs = Some(secs);
                secs
            }
        };
        if let Some(nanos) = runner_fraction(s) {
            return Some((LogTime { secs, nanos }, RUNNER_PREFIX));
        }
        let (nanos, len) = parse_fraction_and_end(s)?;
        Some((LogTime { secs, nanos }, len))
    }
}

/// Length of the runner's own prefix, `YYYY-MM-DDTHH:MM:SS.fffffffZ `.
const RUNNER_PREFIX: usize = 29;

/// The fast path for what the runner writes on every line: `.`, exactly 7
/// digits, `Z`, a space. Reads the 8 bytes `fffffffZ` as one word and checks
/// and converts the digits together (SWAR); anything else (other fraction
/// lengths, end of line) is left to [`parse_fraction_and_end`], which agrees
/// with this wherever this answers.
fn runner_fraction(s: &[u8]) -> Option<u32> {
    let tail: &[u8; RUNNER_PREFIX - SECONDS_PREFIX] =
        s.get(SECONDS_PREFIX..RUNNER_PREFIX)?.try_into().ok()?;
    if tail[0] != b'.' || tail[9] != b' ' {
        return None;
    }
    let word = u64::from_le_bytes(tail[1..9].try_into().ok()?);
    // Little-endian: byte k of `fffffffZ` is bits 8k..8k+8; put a `0` where the
    // `Z` is so all 8 bytes can be checked as digits.
    if word >> 56 != u64::from(b'Z') {
        return None;
    }
    let digits = (word & 0x00FF_FFFF_FFFF_FFFF) | (u64::from(b'0') << 56);
    let v = digits.wrapping_sub(0x3030_3030_3030_3030);
    // Every byte was 0x30..=0x39: no borrow out of a byte, and adding 6 keeps it below 0x10.
    if (digits & 0xF0F0_F0F0_F0F0_F0F0) != 0x3030_3030_3030_3030
        || (v.wrapping_add(0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) != 0
    {
        return None;
    }
    // Pairwise combine: bytes → 2-digit → 4-digit → 8-digit numbers (first digit most significant).
    let v = (v.wrapping_mul(10) + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    let v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    let v = (v.wrapping_mul(10_000) + (v >> 32)) & 0xFFFF_FFFF;
    // `fffffff0` is ten times the 7-digit fraction, i.e. its nanoseconds.
    Some(v as u32 * 10)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests;
