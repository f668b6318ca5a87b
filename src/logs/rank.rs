//! Ranking an excerpt's lines: the one order for both cuts, the job's
//! `max-lines` ([`super::select::CandidateSet::select`]) and the sticky
//! comment's tighter 12 lines per job.
//!
//! Pure: no I/O. Works on a finished excerpt, whose lines are in log order,
//! so "the line right after a hit" is read off the line numbers. What explains
//! a failure, most first:
//!
//! 1. specific `##[error]` lines;
//! 2. known error shapes (`panicked at`, `error[E…]`, `FAILED`, …);
//! 3. context right *after* a hit — the panic message, `assertion … failed`,
//!    `left:`/`right:`, the compiler's `-->` location — nearest first;
//! 4. the runner's generic `Process completed with exit code N.`, which only
//!    repeats the job's ❌;
//! 5. bare section headers that matched a shape (`failures:`, `=== FAILURES ===`);
//! 6. context *before* a hit, nearest first;
//! 7. the step's tail, last lines first;
//! 8. lines that say nothing about the failure wherever they come from: blank
//!    lines and passing tests (`test x ... ok`, `PASSED`, `✓`, `--- PASS:`).
//!
//! The cut keeps the best lines and returns them in log order.

use super::patterns::is_generic_exit_error;
use super::{ExcerptLine, LineKind};

/// A line counts as "right after" a hit when it is at most this many raw
/// lines below it (the analyzer's default context).
const AFTER_WINDOW: u64 = 3;

/// Sort key of each line (lower is kept first): tier, then a tie-breaker.
pub fn rank(lines: &[ExcerptLine]) -> Vec<(u8, u64)> {
    let is_hit = |l: &ExcerptLine| matches!(l.kind, LineKind::Error | LineKind::Match);
    let mut prev_hit: Option<u64> = None;
    let mut after = Vec::with_capacity(lines.len());
    for l in lines {
        after.push(prev_hit.map(|h| l.line_number.saturating_sub(h)));
        if is_hit(l) {
            prev_hit = Some(l.line_number);
        }
    }
    let mut next_hit: Option<u64> = None;
    let mut before = vec![None; lines.len()];
    for (i, l) in lines.iter().enumerate().rev() {
        before[i] = next_hit.map(|h| h.saturating_sub(l.line_number));
        if is_hit(l) {
            next_hit = Some(l.line_number);
        }
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let text = l.text.trim();
            let order = i as u64;
            match l.kind {
                LineKind::Error if is_generic_exit_error(text.as_bytes()) => (3, order),
                LineKind::Error => (0, order),
                LineKind::Match if is_section_header(text) => (4, order),
                LineKind::Match => (1, order),
                _ if is_noise(text) => (7, order),
                LineKind::Context => match after[i] {
                    Some(d) if (1..=AFTER_WINDOW).contains(&d) => (2, d << 32 | order),
                    _ => (5, before[i].unwrap_or(u64::MAX >> 32) << 32 | order),
                },
                LineKind::Tail => (6, u64::MAX - order),
            }
        })
        .collect()
}

/// Indices of the `max` best lines, in log order.
pub fn keep_most_informative(lines: &[ExcerptLine], max: usize) -> Vec<usize> {
    let keys = rank(lines);
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by_key(|&i| (keys[i], i));
    order.truncate(max);
    order.sort_unstable();
    order
}

/// A shape that only announces what follows.
fn is_section_header(text: &str) -> bool {
    text == "failures:" || (text.starts_with("===") && text.ends_with("===") && text.len() < 120)
}

/// Says nothing about a failure: blank, or a passing test.
fn is_noise(text: &str) -> bool {
    text.is_empty()
        || (text.starts_with("test ") && text.ends_with(" ... ok"))
        || text.ends_with(" PASSED")
        || text.starts_with("PASSED ")
        || text.contains(" PASSED [")
        || text.starts_with("--- PASS:")
        || text.starts_with('✓')
        || text.starts_with('✔')
        || text.starts_with("ok ") && text.contains('\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(line_number: u64, kind: LineKind, text: &str) -> ExcerptLine {
        ExcerptLine {
            line_number,
            text: text.into(),
            kind,
        }
    }

    fn kept(lines: &[ExcerptLine], max: usize) -> Vec<&str> {
        keep_most_informative(lines, max)
            .into_iter()
            .map(|i| lines[i].text.as_str())
            .collect()
    }

    use LineKind::*;

    #[test]
    fn after_a_hit_beats_before_it() {
        let lines = [
            l(1, Context, "   Compiling app v0.1.0"),
            l(2, Match, "error[E0425]: cannot find value `x`"),
            l(3, Context, "  --> src/main.rs:2:5"),
            l(5, Tail, "error: could not compile"),
        ];
        assert_eq!(
            kept(&lines, 2),
            [
                "error[E0425]: cannot find value `x`",
                "  --> src/main.rs:2:5"
            ]
        );
    }

    #[test]
    fn passing_tests_and_blanks_are_worth_least() {
        let lines = [
            l(1, Tail, "the step's last words"),
            l(2, Context, "test a ... ok"),
            l(3, Match, "test b ... FAILED"),
            l(4, Context, "test c ... ok"),
            l(5, Context, ""),
            l(6, Context, "  ✓ renders (3 ms)"),
            l(7, Context, "tests/x.py::test_y PASSED [ 50%]"),
        ];
        assert_eq!(
            kept(&lines, 2),
            ["the step's last words", "test b ... FAILED"]
        );
    }

    #[test]
    fn the_generic_exit_error_is_last_among_errors() {
        let lines = [
            l(1, Error, "Process completed with exit code 1."),
            l(2, Match, "thread 'main' panicked at src/main.rs:2:5:"),
            l(3, Context, "boom"),
            l(4, Error, "src/lib.rs:1: nope"),
        ];
        assert_eq!(
            rank(&lines).iter().map(|k| k.0).collect::<Vec<_>>(),
            [3, 1, 2, 0]
        );
        assert_eq!(kept(&lines, 1), ["src/lib.rs:1: nope"]);
        assert_eq!(
            kept(&lines, 3),
            [
                "thread 'main' panicked at src/main.rs:2:5:",
                "boom",
                "src/lib.rs:1: nope"
            ]
        );
    }

    #[test]
    fn nearest_context_first_and_latest_tail_first() {
        let lines = [
            l(1, Context, "far before"),
            l(3, Context, "near before"),
            l(4, Match, "FAILED"),
            l(5, Context, "first after"),
            l(6, Context, "second after"),
            l(7, Context, "third after"),
            l(20, Tail, "old tail"),
            l(21, Tail, "last tail"),
        ];
        assert_eq!(kept(&lines, 3), ["FAILED", "first after", "second after"]);
        assert_eq!(
            kept(&lines, 5),
            [
                "near before",
                "FAILED",
                "first after",
                "second after",
                "third after"
            ]
        );
        let seven = kept(&lines, 7);
        assert!(seven.contains(&"last tail") && !seven.contains(&"old tail"));
    }

    #[test]
    fn section_headers_rank_below_what_they_announce() {
        let lines = [
            l(1, Match, "failures:"),
            l(2, Match, "thread 't' panicked at src/lib.rs:1:1:"),
            l(3, Context, "assertion `left == right` failed"),
        ];
        assert_eq!(
            kept(&lines, 2),
            [
                "thread 't' panicked at src/lib.rs:1:1:",
                "assertion `left == right` failed"
            ]
        );
    }

    #[test]
    fn keeps_everything_when_it_fits_and_nothing_for_zero() {
        let lines = [l(1, Tail, "a"), l(2, Context, "")];
        assert_eq!(keep_most_informative(&lines, 5), [0, 1]);
        assert!(keep_most_informative(&lines, 0).is_empty());
    }
}
