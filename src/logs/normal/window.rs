//! Which part of a passing log is worth learning: the time windows of the steps that failed in
//! the other run.
//!
//! With step times the analyzer only excerpts the failed steps (and, when attribution finds
//! nothing there, the job's `##[error]` lines and its tail), so what the passing run printed in
//! its other steps would never be compared with anything. Learning only the matching steps'
//! windows leaves the rest unlearned, and an unlearned line counts as new: the safe side, a
//! line can only rank higher for it. It also makes learning a long passing log cost what
//! reading its failed counterpart costs (most chunks are skipped whole, see
//! [`LearningWindows::skippable`]).

use memchr::{memchr, memrchr};

use crate::logs::decode::parse_timestamp_prefix;
use crate::logs::model::{explained_steps, StepInfo};

/// Seconds added on each side of a step's window: a line stamped in the second before its
/// step's `started_at` (the API's whole seconds against the log's fractions) is still learned.
const MARGIN_SECS: i64 = 1;

/// Inclusive second ranges of a passing log to learn; a line stamped outside all of them is
/// not learned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearningWindows(Vec<(i64, i64)>);

impl LearningWindows {
    /// The windows of the passing job's steps named like the failed job's explained steps.
    /// `None` (learn the whole log) unless every explained step has a start time in the failed
    /// job (the analyzer then attributes by time) and a passing step of its name has both
    /// times: whatever the analyzer may excerpt must have its counterpart learned.
    pub fn of_steps(failed_job: &[StepInfo], passing_job: &[StepInfo]) -> Option<Self> {
        let explained = explained_steps(failed_job);
        let mut windows = Vec::new();
        for (step, _) in failed_job.iter().zip(&explained).filter(|(_, &e)| e) {
            step.started_at?;
            let before = windows.len();
            for twin in passing_job.iter().filter(|p| p.name == step.name) {
                let (start, end) = (twin.started_at?, twin.completed_at?);
                windows.push((
                    start.timestamp() - MARGIN_SECS,
                    end.timestamp() + MARGIN_SECS,
                ));
            }
            if windows.len() == before {
                return None;
            }
        }
        (!windows.is_empty()).then_some(LearningWindows(windows))
    }

    pub fn contains(&self, secs: i64) -> bool {
        self.0.iter().any(|&(lo, hi)| lo <= secs && secs <= hi)
    }

    fn meets(&self, from: i64, to: i64) -> bool {
        self.0.iter().any(|&(lo, hi)| lo <= to && from <= hi)
    }

    /// The byte range `a..b` of whole lines in `chunk` that lie outside every window, judged by
    /// the stamps of its first and last line: a job log's stamps only go forward, so the lines
    /// between are stamped between. Were a log to go back in time, a line skipped here would
    /// only go unlearned (the safe side). `None` when the chunk holds too few lines or stamps.
    pub fn skippable(&self, chunk: &[u8]) -> Option<(usize, usize)> {
        // `a`: the first line starting in the chunk; `b`: the start of its last whole line,
        // which is not skipped (it and the partial line after it are decoded as usual).
        let a = memchr(b'\n', chunk)? + 1;
        let last_end = memrchr(b'\n', chunk)?;
        let b = memrchr(b'\n', &chunk[..last_end])? + 1;
        if b <= a {
            return None;
        }
        let (first, _) = parse_timestamp_prefix(&chunk[a..])?;
        let (last, _) = parse_timestamp_prefix(&chunk[b..])?;
        (!self.meets(first.secs, last.secs)).then_some((a, b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::{ExcerptOptions, NormalLinesLearner};
    use chrono::{TimeZone, Utc};

    const T0: i64 = 1_714_564_800; // 2024-05-01T12:00:00Z

    fn step(number: u32, name: &str, conclusion: &str, times: Option<(i64, i64)>) -> StepInfo {
        let at = |s: i64| Utc.timestamp_opt(T0 + s, 0).single();
        StepInfo {
            number,
            name: name.into(),
            conclusion: Some(conclusion.into()),
            started_at: times.and_then(|(s, _)| at(s)),
            completed_at: times.and_then(|(_, e)| at(e)),
        }
    }

    fn failed_job() -> Vec<StepInfo> {
        vec![
            step(1, "Set up job", "success", Some((0, 1))),
            step(3, "Lint", "success", Some((2, 5))),
            step(2, "Run tests", "failure", Some((6, 9))),
        ]
    }

    #[test]
    fn the_failed_steps_twins_are_learned_with_a_second_either_side() {
        let passing = [
            step(1, "Set up job", "success", Some((100, 101))),
            step(2, "Run tests", "success", Some((110, 130))),
            step(3, "Lint", "success", Some((131, 140))),
        ];
        let windows = LearningWindows::of_steps(&failed_job(), &passing).expect("windows");
        assert_eq!(windows, LearningWindows(vec![(T0 + 109, T0 + 131)]));
        assert!(windows.contains(T0 + 109) && windows.contains(T0 + 131));
        assert!(!windows.contains(T0 + 108) && !windows.contains(T0 + 132));
    }

    #[test]
    fn without_a_timed_twin_of_every_failed_step_the_whole_log_is_learned() {
        let timed = [step(2, "Run tests", "success", Some((110, 130)))];
        let mut untimed_failure = failed_job();
        untimed_failure[2].started_at = None;
        let mut open_twin = timed.clone();
        open_twin[0].completed_at = None;
        let renamed = [step(2, "Run the tests", "success", Some((110, 130)))];
        let all_passed = [step(1, "Run tests", "success", Some((6, 9)))];
        for (failed, passing) in [
            (&untimed_failure[..], &timed[..]),
            (&failed_job()[..], &open_twin[..]),
            (&failed_job()[..], &renamed[..]),
            (&failed_job()[..], &[][..]),
            (&all_passed[..], &timed[..]),
        ] {
            assert_eq!(
                LearningWindows::of_steps(failed, passing),
                None,
                "{failed:?}"
            );
        }
    }

    /// One line per second from `T0`, `test case_N` at second N, and an unstamped line.
    fn passing_log(seconds: i64) -> Vec<u8> {
        let mut log = Vec::new();
        for s in 0..seconds {
            let t = Utc.timestamp_opt(T0 + s, 0).single().expect("time");
            let stamp = t.format("%Y-%m-%dT%H:%M:%S");
            log.extend_from_slice(format!("{stamp}.5000000Z test case_{s} passed\n").as_bytes());
        }
        log.extend_from_slice(b"an unstamped closing line\n");
        log
    }

    #[test]
    fn only_lines_stamped_inside_a_window_are_learned_in_any_chunking() {
        let log = passing_log(400);
        let windows = LearningWindows(vec![(T0 + 100, T0 + 102), (T0 + 300, T0 + 300)]);
        for chunk in [1, 7, 64, 1000, 4096, log.len()] {
            let mut learner =
                NormalLinesLearner::new(&ExcerptOptions::default()).within(windows.clone());
            for part in log.chunks(chunk) {
                learner.feed(part);
            }
            let normal = learner.finish();
            // Masking makes `case_N` one shape: count what was learned instead.
            assert_eq!(normal.lines(), 5, "chunk {chunk}");
            assert!(
                normal.contains_text("test case_101 passed"),
                "chunk {chunk}"
            );
            assert!(
                normal.contains_text("an unstamped closing line"),
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn a_chunk_is_skipped_whole_only_when_its_stamps_miss_every_window() {
        let log = passing_log(50);
        let windows = LearningWindows(vec![(T0 + 20, T0 + 25)]);
        let before = &log[..log.len() / 3];
        let (a, b) = windows.skippable(before).expect("all before the window");
        assert!(before[..a].ends_with(b"\n") && before[..b].ends_with(b"\n"));
        assert!(a < b);
        let across = &log[log.len() / 3..log.len() * 2 / 3];
        assert_eq!(windows.skippable(across), None);
        assert_eq!(windows.skippable(b"one line\nand half of one"), None);
        assert_eq!(windows.skippable(b"x\nno stamp\nno stamp\nrest"), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::logs::{ExcerptOptions, NormalLinesLearner};
    use chrono::{TimeZone, Utc};

    proptest::proptest! {
        /// On a log whose stamps go forward, skipping whole chunks learns exactly the lines
        /// stamped inside the windows, however the log is cut.
        #[test]
        fn chunk_skipping_learns_exactly_the_lines_inside(
            steps in proptest::collection::vec((0i64..3, "[a-z ]{0,30}", proptest::bool::ANY), 1..300),
            windows in proptest::collection::vec((0i64..200, 0i64..20), 1..3),
            cuts in proptest::collection::vec(1usize..400, 1..20),
        ) {
            let t0 = 1_714_564_800;
            let windows = LearningWindows(
                windows.iter().map(|&(lo, len)| (t0 + lo, t0 + lo + len)).collect(),
            );
            let (mut log, mut secs, mut inside) = (Vec::new(), t0, 0u64);
            for (gap, text, crlf) in &steps {
                secs += gap;
                let stamp = Utc.timestamp_opt(secs, 0).single().unwrap();
                let end = if *crlf { "\r\n" } else { "\n" };
                log.extend_from_slice(
                    format!("{}.1234567Z {text}{end}", stamp.format("%Y-%m-%dT%H:%M:%S")).as_bytes(),
                );
                inside += u64::from(windows.contains(secs));
            }
            let mut learner = NormalLinesLearner::new(&ExcerptOptions::default())
                .within(windows.clone());
            let mut rest = &log[..];
            for &cut in cuts.iter().cycle() {
                if rest.is_empty() {
                    break;
                }
                let (part, tail) = rest.split_at(cut.min(rest.len()));
                learner.feed(part);
                rest = tail;
            }
            proptest::prop_assert_eq!(learner.finish().lines(), inside);
        }
    }
}
