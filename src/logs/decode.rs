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
        }
    }

    /// Number of raw lines completed so far (plus the unfinished one after `finish`).
    pub fn lines_completed(&self) -> u64 {
        self.line_number - 1
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
                self.first_segment = false;
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
                self.first_segment = false;
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
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Owned {
        n: u64,
        time: Option<LogTime>,
        raw: Vec<u8>,
        cut: u64,
    }

    fn decode(input: &[u8], chunk: usize, cap: usize) -> (Vec<Owned>, u64) {
        let mut d = LineDecoder::new(cap);
        let mut out = Vec::new();
        let mut sink = |l: DecodedLine<'_>| {
            out.push(Owned {
                n: l.line_number,
                time: l.time,
                raw: l.raw.to_vec(),
                cut: l.truncated_bytes,
            })
        };
        for c in input.chunks(chunk.max(1)) {
            d.feed(c, &mut sink);
        }
        let total = d.finish(&mut sink);
        (out, total)
    }

    fn texts(lines: &[Owned]) -> Vec<(u64, String)> {
        lines
            .iter()
            .map(|l| (l.n, String::from_utf8_lossy(&l.raw).into_owned()))
            .collect()
    }

    #[test]
    fn timestamp_parsing() {
        let (t, len) = parse_timestamp_prefix(b"2024-05-01T12:00:00.1234567Z hello").unwrap();
        assert_eq!(len, 29);
        assert_eq!(t.secs, 1_714_564_800);
        assert_eq!(t.nanos, 123_456_700);
        let (t, len) = parse_timestamp_prefix(b"1970-01-01T00:00:01Z").unwrap();
        assert_eq!((t.secs, t.nanos, len), (1, 0, 20));
        assert!(parse_timestamp_prefix(b"2024-05-01T12:00:00.1234567Zhello").is_none());
        assert!(parse_timestamp_prefix(b"2024-13-01T12:00:00.1Z x").is_none());
        assert!(parse_timestamp_prefix(b"not a timestamp at all, no").is_none());
        // Agrees with chrono.
        let c = chrono::DateTime::parse_from_rfc3339("2025-12-16T23:20:13Z").unwrap();
        let (t, _) = parse_timestamp_prefix(b"2025-12-16T23:20:13.6786056Z x").unwrap();
        assert_eq!(t.secs, c.timestamp());
    }

    #[test]
    fn cached_seconds_agree_with_a_fresh_parse() {
        let mut cache = StampCache::default();
        for s in [
            &b"2024-05-01T12:00:00.1234567Z a"[..],
            b"2024-05-01T12:00:00.2Z b",
            b"2024-05-01T12:00:00Z",
            b"2024-05-01T12:00:00.Z bad fraction, same second",
            b"2024-05-01T12:00:01.5Z next second",
            b"2024-05-01T12:00:01.5Zglued",
            b"2024-13-01T12:00:01.5Z invalid month",
            b"2024-13-01T12:00:01.5Z invalid again (not cached)",
            b"2024-05-01T12:00:01.5Z back",
            b"short",
        ] {
            assert_eq!(cache.parse(s), parse_timestamp_prefix(s), "{s:?}");
        }
    }

    #[test]
    fn runner_fraction_fast_path_agrees_with_the_general_parser() {
        for tail in [
            &b".1234567Z x"[..],
            b".0000000Z ",
            b".9999999Z ",
            b".1234567Zx",
            b".123456:Z ",
            b".12/4567Z ",
            b".123456Z x",
            b".12345678Z ",
            b".1234567Z",
            b".1234567\x7aZ",
            b"\xff1234567Z ",
        ] {
            let mut s = b"2024-05-01T12:00:00".to_vec();
            s.extend_from_slice(tail);
            let fast = runner_fraction(&s).map(|n| (n, RUNNER_PREFIX));
            let slow = if s.len() >= 20 {
                parse_fraction_and_end(&s)
            } else {
                None
            };
            if fast.is_some() {
                assert_eq!(fast, slow, "{s:?}");
            }
            assert_eq!(
                StampCache::default().parse(&s),
                parse_timestamp_prefix(&s),
                "{s:?}"
            );
        }
        assert_eq!(
            runner_fraction(b"2024-05-01T12:00:00.1234567Z x"),
            Some(123_456_700)
        );
    }

    proptest::proptest! {
        /// The cached, fast-path parse is the plain parse, whatever the bytes.
        #[test]
        fn stamp_cache_agrees_with_parse_timestamp_prefix(
            lines in proptest::collection::vec(
                (
                    0usize..4,
                    // A runner suffix with one byte replaced (index 11: none), cut short or extended.
                    0usize..12,
                    proptest::sample::select(b"0123459:./Z T-xA\x00\xff".to_vec()),
                    0usize..12,
                    proptest::collection::vec(proptest::num::u8::ANY, 0..4),
                ),
                1..20,
            ),
        ) {
            let heads: [&[u8]; 4] = [
                b"2024-05-01T12:00:00",
                b"2024-05-01T12:00:01",
                b"2024-02-29T23:59:60",
                b"2024-05-01T12:0x:00",
            ];
            let mut cache = StampCache::default();
            for (h, at, byte, keep, extra) in lines {
                let mut tail = b".1234567Z x".to_vec();
                if at < tail.len() {
                    tail[at] = byte;
                }
                tail.truncate(keep);
                tail.extend_from_slice(&extra);
                let mut s = heads[h].to_vec();
                s.extend_from_slice(&tail);
                proptest::prop_assert_eq!(cache.parse(&s), parse_timestamp_prefix(&s), "{:?}", s);
            }
        }
    }

    #[test]
    fn strips_bom_and_prefix_and_handles_line_endings() {
        let input = b"\xEF\xBB\xBF2024-05-01T12:00:00.1000000Z first\r\n2024-05-01T12:00:01.0000000Z second\nthird\rover\r\n\nlast";
        let (lines, total) = decode(input, 1 << 16, 4096);
        assert_eq!(
            texts(&lines),
            vec![
                (1, "first".into()),
                (2, "second".into()),
                (3, "third".into()),
                (3, "over".into()),
                (4, "".into()),
                (5, "last".into()),
            ]
        );
        assert_eq!(total, 5);
        assert_eq!(lines[0].time.unwrap().secs, 1_714_564_800);
        assert_eq!(lines[1].time.unwrap().secs, 1_714_564_801);
        assert_eq!(lines[2].time, None);
    }

    #[test]
    fn cr_segments_inherit_the_line_timestamp() {
        let input = b"2024-05-01T12:00:00.1Z 10%\r50%\r\r100%\n";
        let (lines, total) = decode(input, 3, 4096);
        assert_eq!(
            texts(&lines),
            vec![(1, "10%".into()), (1, "50%".into()), (1, "100%".into())]
        );
        assert!(lines.iter().all(|l| l.time.unwrap().secs == 1_714_564_800));
        assert_eq!(total, 1);
    }

    #[test]
    fn bom_only_at_stream_start() {
        let (lines, _) = decode(b"a\n\xEF\xBB\xBFb\n", 1, 4096);
        assert_eq!(lines[1].raw, b"\xEF\xBB\xBFb");
    }

    #[test]
    fn chunk_size_invariance() {
        let mut input = Vec::new();
        input.extend_from_slice(b"\xEF\xBB\xBF2024-05-01T12:00:00.1234567Z \x1b[31mred\x1b[0m\r\n");
        input.extend_from_slice(b"2024-05-01T12:00:00.2Z progress 1\rprogress 2\r\n\r\n");
        input.extend_from_slice(&[b'x'; 300]);
        input.extend_from_slice(b"\n2024-05-01T12:00:01.0000000Z ");
        input.extend_from_slice(&[b'y'; 500]);
        input.extend_from_slice(b"\r\ninvalid \xff\xfe utf8\rtrailing cr\r");
        let (reference, ref_total) = decode(&input, input.len(), 128);
        for chunk in [1, 2, 3, 7, 13, 64, 127, 128, 129, 4096] {
            let (got, total) = decode(&input, chunk, 128);
            assert_eq!(got, reference, "chunk size {chunk}");
            assert_eq!(total, ref_total);
        }
        assert_eq!(reference.last().unwrap().raw, b"trailing cr");
    }

    #[test]
    fn long_line_is_capped_without_buffering_and_next_line_survives() {
        let cap = 4096;
        let mut d = LineDecoder::new(cap);
        let mut lines = Vec::new();
        let mut sink = |l: DecodedLine<'_>| {
            lines.push((l.line_number, l.raw.len(), l.truncated_bytes, l.text()))
        };
        d.feed(b"2024-05-01T12:00:00.1Z ", &mut sink);
        let block = vec![b'z'; 64 * 1024];
        for _ in 0..160 {
            // 10 MiB in 64 KiB chunks
            d.feed(&block, &mut sink);
            assert!(d.retained_bytes() <= cap + PREFIX_ROOM + 64);
        }
        d.feed(b"\n2024-05-01T12:00:01.1Z ##[error]boom\n", &mut sink);
        d.finish(&mut sink);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].1, cap);
        assert_eq!(lines[0].2, 10 * 1024 * 1024 - cap as u64);
        assert!(lines[0].3.ends_with("more bytes]"));
        assert_eq!((lines[1].0, lines[1].3.as_str()), (2, "##[error]boom"));
    }

    #[test]
    fn chunk_offsets_point_at_the_raw_bytes() {
        let mut input = Vec::new();
        input.extend_from_slice(b"\xEF\xBB\xBF2024-05-01T12:00:00.1Z first\r\n");
        input.extend_from_slice(b"2024-05-01T12:00:00.2Z 10%\r50%\r\r\n\nplain\n");
        input.extend_from_slice(&[b'x'; 300]);
        input.extend_from_slice(b"\n2024-05-01T12:00:01Z end\rtrailing");
        for chunk in [1, 2, 7, 64, 200, input.len()] {
            let mut d = LineDecoder::new(128);
            let (mut in_chunk, mut lines) = (0, 0);
            for c in input.chunks(chunk) {
                d.feed(c, &mut |l| {
                    lines += 1;
                    if let Some(o) = l.chunk_offset {
                        in_chunk += 1;
                        assert_eq!(&c[o..o + l.raw.len()], l.raw, "chunk size {chunk}");
                    }
                });
            }
            d.finish(&mut |l| assert_eq!(l.chunk_offset, None));
            if chunk == input.len() {
                assert_eq!(in_chunk, lines);
            }
        }
    }

    #[test]
    fn long_line_inside_one_chunk_matches_carry_path() {
        let mut input = b"2024-05-01T12:00:00.1Z ".to_vec();
        input.extend(std::iter::repeat_n(b'q', 1000));
        input.push(b'\n');
        let (a, _) = decode(&input, input.len(), 100);
        let (b, _) = decode(&input, 7, 100);
        assert_eq!(a, b);
        assert_eq!(a[0].raw.len(), 100);
        assert_eq!(a[0].cut, 900);
    }

    proptest::proptest! {
        /// Never panics, always bounded: any bytes in any chunking give the
        /// one-shot lines, no line over the cap, and display-safe text.
        #[test]
        fn any_bytes_any_chunking(
            input in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::num::u8::ANY,
                    proptest::sample::select(b"\n\r\x1b[Z .0123456789-T:".to_vec()),
                ],
                0..600,
            ),
            cuts in proptest::collection::vec(1usize..80, 1..12),
        ) {
            let cap = 64;
            let (reference, ref_total) = decode(&input, input.len().max(1), cap);
            let mut d = LineDecoder::new(cap);
            let mut got = Vec::new();
            let mut texts = Vec::new();
            let mut sink = |l: DecodedLine<'_>| {
                texts.push(l.text());
                got.push(Owned { n: l.line_number, time: l.time, raw: l.raw.to_vec(), cut: l.truncated_bytes });
            };
            let mut rest = &input[..];
            for c in cuts.iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let (head, tail) = rest.split_at((*c).min(rest.len()));
                d.feed(head, &mut sink);
                rest = tail;
            }
            let total = d.finish(&mut sink);
            proptest::prop_assert_eq!(&got, &reference);
            proptest::prop_assert_eq!(total, ref_total);
            for (line, text) in got.iter().zip(&texts) {
                proptest::prop_assert!(line.raw.len() <= cap);
                proptest::prop_assert!(text.chars().all(|c| c == '\t' || !c.is_control()), "{:?}", text);
            }
        }
    }
}
