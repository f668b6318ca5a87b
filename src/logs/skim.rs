//! Passing over the output of steps that did not fail, without decoding it.
//!
//! With step times, the analyzer excerpts only the failed steps' lines; elsewhere it reads a
//! line only for an `##[error]` (the job's errors, in case attribution finds nothing), for a
//! runner marker that can move the step tracker, for a line stamped inside a failed step's
//! window, and for the log's last lines. Most of a long log is none of these: the output of
//! the steps that passed. So, from the second line of each chunk on, the analyzer takes the
//! whole lines before the next `##[` ([`split_at_marker`]), all but the last `keep` of them
//! (which may be the log's tail, [`whole_lines`]), and counts them instead of decoding them
//! when their first and last stamps say they all belong to the step it is in (see
//! `StepTracker::holds_through`) and miss every failed step's window.
//!
//! Only the first and the last line's stamps are read: a runner's stamps go forward (none of
//! the corpora's logs has one stamped before the line above it), so the lines between are
//! stamped between. Counting stays exact: a line ends at `\n` only, so a `\r` that does not
//! start a CRLF (a segment of the line, or a line of its own with `--log`) is read, not passed
//! over.

use memchr::{memchr, memchr_iter, memmem, memrchr, memrchr_iter};

use super::decode::parse_timestamp_prefix;

static MARKER: std::sync::LazyLock<memmem::Finder<'static>> =
    std::sync::LazyLock::new(|| memmem::Finder::new(b"##["));

/// Whole lines at the start of a piece of a chunk that may be passed over unread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WholeLines {
    /// They end here: the byte after the last one's `\n`.
    pub end: usize,
    /// How many lines they are.
    pub lines: u64,
    /// The second the first of them is stamped with, and the last.
    pub first_secs: i64,
    pub last_secs: i64,
}

/// `rest` begins at a line's start. Its lines before the first that holds a `##[` (a runner
/// marker, or anything like one), and where the line after that one begins, if it is in `rest`.
pub fn split_at_marker(rest: &[u8]) -> (&[u8], Option<usize>) {
    let Some(at) = MARKER.find(rest) else {
        return (rest, None);
    };
    let line_start = memrchr(b'\n', &rest[..at]).map_or(0, |j| j + 1);
    let after = memchr(b'\n', &rest[at..]).map(|i| at + i + 1);
    (&rest[..line_start], after)
}

/// `unmarked` begins at a line's start and holds no marker ([`split_at_marker`]). Its lines
/// but the last `keep` whole ones, if the first and the last of them are both stamped.
///
/// The lines left to be read keep the log's tail exact: none of them is a marker, so each goes
/// into the analyzer's tail ring, and they push out whatever the ring would have held of the
/// lines passed over.
pub fn whole_lines(unmarked: &[u8], keep: usize) -> Option<WholeLines> {
    // The `\n` that ends the last line passed over: `keep` whole lines stay after it.
    let last_newline = memrchr_iter(b'\n', unmarked).nth(keep)?;
    let passed = &unmarked[..=last_newline];
    let last_start = memrchr(b'\n', &passed[..last_newline]).map_or(0, |i| i + 1);
    let lone_cr = memchr_iter(b'\r', passed).any(|i| passed.get(i + 1) != Some(&b'\n'));
    if lone_cr {
        return None;
    }
    let (first, _) = parse_timestamp_prefix(passed)?;
    let (last, _) = parse_timestamp_prefix(&passed[last_start..])?;
    Some(WholeLines {
        end: passed.len(),
        lines: memchr_iter(b'\n', passed).count() as u64,
        first_secs: first.secs,
        last_secs: last.secs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: i64 = 1_714_564_800; // 2024-05-01T12:00:00Z

    #[test]
    fn keeps_the_last_lines_and_reads_the_first_and_last_stamps() {
        let log = b"2024-05-01T12:00:00.1000000Z a\n\
                    2024-05-01T12:00:01.1000000Z b\r\n\
                    2024-05-01T12:00:02.1000000Z c\n\
                    2024-05-01T12:00:03.1000000Z d\n\
                    2024-05-01T12:00:04.1000000Z half of e";
        let passed = whole_lines(log, 1).expect("three lines before the kept one");
        assert_eq!(passed.lines, 3);
        assert_eq!(
            &log[passed.end..passed.end + 30],
            b"2024-05-01T12:00:03.1000000Z d"
        );
        assert_eq!((passed.first_secs, passed.last_secs), (T0, T0 + 2));
        assert_eq!(whole_lines(log, 3).map(|p| p.lines), Some(1));
        assert_eq!(whole_lines(log, 4), None, "nothing left to pass over");
    }

    #[test]
    fn markers_lone_carriage_returns_and_unstamped_ends_are_read() {
        let stamped = |body: &str| {
            format!("2024-05-01T12:00:00.1000000Z x\n2024-05-01T12:00:01.1000000Z {body}\nkept\n")
        };
        let unmarked = |log: &str| whole_lines(split_at_marker(log.as_bytes()).0, 1);
        assert!(unmarked(&stamped("plain")).is_some());
        let before_a_marker = format!("{}##[endgroup]\nafter\n", stamped("plain"));
        assert_eq!(unmarked(&before_a_marker).map(|p| p.lines), Some(2));
        let (_, after) = split_at_marker(before_a_marker.as_bytes());
        assert_eq!(after.map(|n| &before_a_marker[n..]), Some("after\n"));
        for body in ["##[error]boom", "a ##[group] echoed", "progress\r50%"] {
            assert_eq!(unmarked(&stamped(body)), None, "{body:?}");
        }
        assert_eq!(
            whole_lines(b"no stamp\n2024-05-01T12:00:01.1000000Z b\nkept\n", 1),
            None
        );
        assert_eq!(
            whole_lines(b"2024-05-01T12:00:01.1000000Z a\nno stamp\nkept\n", 1),
            None
        );
    }
}
