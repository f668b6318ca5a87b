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

mod stamp;

use stamp::StampCache;
#[cfg(test)]
use stamp::{parse_fraction_and_end, runner_fraction, RUNNER_PREFIX};
pub use stamp::{parse_timestamp_prefix, LogTime};

const BOM: &[u8] = b"\xEF\xBB\xBF";
/// Longest prefix we look at for BOM + timestamp: 3 + `2024-05-01T12:00:00.` (20)
/// + up to 9 fraction digits + `Z ` = 34, rounded up.
const PREFIX_ROOM: usize = 40;
/// The smallest per-line cap accepted, so a prefix can always be recognised.
const MIN_LINE_BYTES: usize = 64;

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

#[cfg(test)]
mod tests;
