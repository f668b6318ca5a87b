//! The runner's timestamps: `YYYY-MM-DDTHH:MM:SS.fffffffZ ` before every line, parsed
//! without allocating, with a fast path for the runner's own seven-digit form.

/// A log timestamp: whole seconds since the Unix epoch plus nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogTime {
    pub secs: i64,
    pub nanos: u32,
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
pub(super) fn parse_fraction_and_end(s: &[u8]) -> Option<(u32, usize)> {
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
pub(super) struct StampCache {
    prefix: [u8; SECONDS_PREFIX],
    secs: Option<i64>,
}

impl StampCache {
    pub(super) fn parse(&mut self, s: &[u8]) -> Option<(LogTime, usize)> {
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
pub(super) const RUNNER_PREFIX: usize = 29;

/// The fast path for what the runner writes on every line: `.`, exactly 7
/// digits, `Z`, a space. Reads the 8 bytes `fffffffZ` as one word and checks
/// and converts the digits together (SWAR); anything else (other fraction
/// lengths, end of line) is left to [`parse_fraction_and_end`], which agrees
/// with this wherever this answers.
pub(super) fn runner_fraction(s: &[u8]) -> Option<u32> {
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
