//! Attributing log lines to the job's steps.
//!
//! Pure: no I/O. The log has no step ids, so we combine two weak signals:
//!
//! * **markers** the runner prints when a step begins (`##[group]Run …`,
//!   `Post job cleanup.`, `Cleaning up orphan processes`) or ends
//!   (`##[error]Process completed with exit code N.`, a step timeout);
//! * **times** from the jobs API (`started_at`/`completed_at`, whole seconds)
//!   against the line's 7-digit timestamp, compared at second granularity.
//!
//! A marker alone is ambiguous (composite actions print a `##[group]Run …`
//! per inner step), and a time alone is ambiguous (several steps can start
//! and end within one second). So the tracker only moves forward, and moves
//! when a line's second is past the current step's `completed_at`, or when a
//! start marker arrives and the next step has already started by that second.
//! Skipped steps and steps without times are never current: they print
//! nothing. When no usable times exist the tracker works in *segments*: it
//! starts a new one at every start marker and after a step-ending error, and
//! the caller decides afterwards which segments matter.

use super::StepInfo;

/// What a line says about step boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint<'a> {
    /// `##[group]Run <title>` — a step (or a composite action's inner step) begins.
    RunHeader(&'a [u8]),
    /// `Post job cleanup.` — a post step begins.
    PostCleanup,
    /// `Prepare all required actions` — a composite/container step begins (also in "Set up job").
    PrepareActions,
    /// `Cleaning up orphan processes` — the "Complete job" step.
    CleanupOrphans,
    /// An `##[error]` after which the runner ends the step.
    StepEndingError,
    None,
}

impl Hint<'_> {
    fn starts_something(&self) -> bool {
        !matches!(self, Hint::None | Hint::StepEndingError)
    }
}

#[derive(Debug, Clone)]
struct Tracked {
    name: String,
    start: Option<i64>,
    end: Option<i64>,
    /// Prints nothing: skipped, or no start time to place it.
    viable: bool,
    expects_header: bool,
}

/// Where the tracker put a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Index into the steps given to [`StepTracker::new`] (sorted by number), in timed mode.
    pub step: Option<usize>,
    /// Increments whenever a new step (timed) or segment (markers only) begins.
    pub unit: u64,
    /// This line is the first of its unit.
    pub starts_unit: bool,
}

#[derive(Debug)]
pub struct StepTracker {
    steps: Vec<Tracked>,
    timed: bool,
    cur: usize,
    header_seen: bool,
    ended: bool,
    unit: u64,
    last_secs: Option<i64>,
    first_line: bool,
}

impl StepTracker {
    /// `steps` must be sorted by number; `timed` selects time-aware attribution.
    pub fn new(steps: &[StepInfo], timed: bool) -> Self {
        let tracked: Vec<Tracked> = steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let skipped = s.conclusion.as_deref() == Some("skipped");
                let name = s.name.trim();
                Tracked {
                    name: name.to_owned(),
                    start: s.started_at.map(|t| t.timestamp()),
                    end: s.completed_at.map(|t| t.timestamp()),
                    viable: !skipped && s.started_at.is_some(),
                    expects_header: i != 0
                        && !name.starts_with("Post ")
                        && name != "Set up job"
                        && name != "Complete job",
                }
            })
            .collect();
        let timed = timed && tracked.iter().any(|t| t.viable);
        let cur = tracked.iter().position(|t| t.viable).unwrap_or(0);
        StepTracker {
            steps: tracked,
            timed,
            cur,
            header_seen: false,
            ended: false,
            unit: 0,
            last_secs: None,
            first_line: true,
        }
    }

    pub fn is_timed(&self) -> bool {
        self.timed
    }

    /// Places one line, given its timestamp (whole seconds) and marker hint.
    pub fn observe(&mut self, secs: Option<i64>, hint: Hint<'_>) -> Placement {
        let first = std::mem::take(&mut self.first_line);
        // A new segment starts at every start marker and after a step-ending
        // error, in both modes; in timed mode a step change starts one too.
        let mut moved = hint.starts_something() || self.ended;
        if self.timed {
            let secs = secs.or(self.last_secs);
            self.last_secs = secs;
            if let Some(s) = secs {
                moved |= self.observe_timed(s, hint);
            }
        }
        self.ended = hint == Hint::StepEndingError;
        if moved {
            self.unit += 1;
        }
        Placement {
            step: self.timed.then_some(self.cur),
            unit: self.unit,
            starts_unit: moved || first,
        }
    }

    /// Does some step for which `pred` holds have a window that meets `from..=to`?
    pub fn window_meets(&self, from: i64, to: i64, mut pred: impl FnMut(usize) -> bool) -> bool {
        self.steps.iter().enumerate().any(|(i, t)| {
            t.viable
                && pred(i)
                && t.start.is_some_and(|st| st <= to)
                && t.end.is_none_or(|e| from <= e)
        })
    }

    /// Would lines stamped up to `to`, none of them an `##[` marker, all stay in the current
    /// step? True when the step has not ended by then and the next one has not begun (with
    /// the second of tolerance a start marker gets): only a marker or a later second moves the
    /// tracker. Such lines may be counted instead of observed ([`super::skim`]); the one thing
    /// they could still do, start a unit of the same step at a text marker such as
    /// `Post job cleanup.`, changes nothing for a step that is not explained.
    pub fn holds_through(&self, to: i64) -> bool {
        let Some(cur) = self.steps.get(self.cur) else {
            return false;
        };
        self.timed
            && !self.first_line
            && !self.ended
            && cur.end.is_none_or(|e| to <= e)
            && self
                .next_viable(self.cur)
                .is_none_or(|n| self.steps[n].start.is_none_or(|st| st > to + 1))
    }

    /// Lines up to one stamped `secs` were passed over (after [`Self::holds_through`]).
    pub fn passed_over(&mut self, secs: i64) {
        self.last_secs = Some(secs);
    }

    fn next_viable(&self, after: usize) -> Option<usize> {
        (after + 1..self.steps.len()).find(|&i| self.steps[i].viable)
    }

    fn enter(&mut self, k: usize, hint: Hint<'_>) -> bool {
        self.cur = k;
        self.ended = false;
        self.header_seen = matches!(
            hint,
            Hint::RunHeader(_) | Hint::PostCleanup | Hint::CleanupOrphans
        );
        true
    }

    fn observe_timed(&mut self, s: i64, hint: Hint<'_>) -> bool {
        let cur = &self.steps[self.cur];
        if cur.end.is_some_and(|e| s > e) {
            // The current step is over by this second: move to the step whose
            // window holds it, or (in a gap between steps) to the upcoming one.
            let mut k = self.cur;
            while let Some(n) = self.next_viable(k) {
                if self.steps[n].start.is_some_and(|st| st <= s) {
                    k = n;
                    if self.steps[n].end.is_none_or(|e| e >= s) {
                        break;
                    }
                } else {
                    break;
                }
            }
            if k == self.cur {
                match self.next_viable(self.cur) {
                    Some(n) => k = n,
                    None => return false,
                }
            }
            return self.enter(k, hint);
        }
        if hint == Hint::None && !self.ended {
            return false;
        }
        let Some(n) = self.next_viable(self.cur) else {
            return false;
        };
        let next = &self.steps[n];
        let next_started = next.start.is_some_and(|st| st <= s);
        // The API's whole seconds may be rounded rather than truncated, so a step can seem to
        // start a second after its first line. A marker that only a new step prints gets the
        // second of tolerance that a header naming the next step gets below.
        let next_starting = next.start.is_some_and(|st| st <= s + 1);
        match hint {
            Hint::RunHeader(title) => {
                let names_next = title_matches(title, &next.name);
                let names_cur = title_matches(title, &cur.name);
                // A title clearly naming the next step wins, with one second
                // of tolerance for rounding.
                if names_next && !names_cur && next.start.is_some_and(|st| st <= s + 1) {
                    return self.enter(n, hint);
                }
                if !next_started {
                    return false; // an inner step of a composite action, or our own header
                }
                // Same second: a step named after its header (`Run …`, the
                // default) would have matched, so this is an inner step.
                if next.name.starts_with("Run ") && !self.ended {
                    return false;
                }
                if !self.header_seen && cur.expects_header && !self.ended {
                    self.header_seen = true; // our own header comes first
                    return false;
                }
                self.enter(n, hint)
            }
            Hint::PrepareActions if !(self.ended || self.header_seen) => false,
            Hint::StepEndingError => false,
            Hint::PostCleanup | Hint::CleanupOrphans if next_starting => self.enter(n, hint),
            _ if next_started => self.enter(n, hint),
            _ => false,
        }
    }
}

/// Does a `##[group]Run …` title name this step? Step names of `run:` steps
/// are `Run <first line>`, sometimes truncated, so a long common prefix counts.
fn title_matches(title: &[u8], name: &str) -> bool {
    let title = String::from_utf8_lossy(title);
    let (t, n) = (title.trim(), name.trim());
    if t.is_empty() || n.is_empty() {
        return false;
    }
    t == n || (n.len() >= 8 && (t.starts_with(n) || n.starts_with(t)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn step(number: u32, name: &str, conclusion: &str, start: i64, end: i64) -> StepInfo {
        StepInfo {
            number,
            name: name.into(),
            conclusion: Some(conclusion.into()),
            started_at: Utc.timestamp_opt(start, 0).single(),
            completed_at: Utc.timestamp_opt(end, 0).single(),
        }
    }

    #[test]
    fn title_matching() {
        assert!(title_matches(b"Run cargo test", "Run cargo test"));
        assert!(title_matches(
            b"Run cargo test --workspace --all-features",
            "Run cargo test --workspace"
        ));
        assert!(!title_matches(b"Run set -x", "Run cargo test"));
        assert!(!title_matches(b"Run x", "Run"));
    }

    #[test]
    fn time_forces_progress_and_skips_skipped_steps() {
        let steps = vec![
            step(1, "Set up job", "success", 100, 101),
            step(2, "Run a", "skipped", 101, 101),
            step(3, "Run b", "failure", 102, 105),
            step(4, "Complete job", "success", 106, 106),
        ];
        let mut t = StepTracker::new(&steps, true);
        assert_eq!(t.observe(Some(100), Hint::None).step, Some(0));
        assert_eq!(
            t.observe(Some(102), Hint::RunHeader(b"Run b")).step,
            Some(2)
        );
        assert_eq!(t.observe(Some(105), Hint::StepEndingError).step, Some(2));
        assert_eq!(t.observe(Some(106), Hint::CleanupOrphans).step, Some(3));
    }

    /// Step times rounded up: the post step "starts" at 105, its first line is at 104.7.
    #[test]
    fn a_post_step_marker_a_second_before_its_rounded_start_leaves_the_failed_step() {
        let steps = vec![
            step(1, "Run b", "failure", 100, 105),
            step(2, "Post Run actions/checkout@v4", "success", 105, 105),
        ];
        let mut t = StepTracker::new(&steps, true);
        assert_eq!(
            t.observe(Some(100), Hint::RunHeader(b"Run b")).step,
            Some(0)
        );
        assert_eq!(t.observe(Some(104), Hint::StepEndingError).step, Some(0));
        assert_eq!(t.observe(Some(104), Hint::PostCleanup).step, Some(1));
        assert_eq!(t.observe(Some(104), Hint::None).step, Some(1));
    }

    /// Without the step-ending error, a start marker two seconds early is not enough.
    #[test]
    fn a_post_step_marker_long_before_the_next_start_stays_put() {
        let steps = vec![
            step(1, "Run b", "failure", 100, 108),
            step(2, "Post Run actions/checkout@v4", "success", 108, 108),
        ];
        let mut t = StepTracker::new(&steps, true);
        assert_eq!(
            t.observe(Some(100), Hint::RunHeader(b"Run b")).step,
            Some(0)
        );
        assert_eq!(t.observe(Some(104), Hint::PostCleanup).step, Some(0));
    }

    #[test]
    fn markers_mode_segments() {
        let mut t = StepTracker::new(&[], false);
        assert!(!t.is_timed());
        let a = t.observe(None, Hint::None);
        assert!(a.starts_unit);
        let b = t.observe(None, Hint::RunHeader(b"Run x"));
        assert!(b.starts_unit && b.unit == a.unit + 1);
        let c = t.observe(None, Hint::StepEndingError);
        assert_eq!(c.unit, b.unit);
        let d = t.observe(None, Hint::None);
        assert!(d.starts_unit && d.unit == c.unit + 1);
    }
}
