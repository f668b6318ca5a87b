//! The pipeline's interface: what the caller gives it (steps, options) and what it returns (the
//! excerpt). Pure data: no I/O.

use serde::Serialize;

/// One step of the job, as the jobs API reports it (the caller converts).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StepInfo {
    pub number: u32,
    pub name: String,
    /// `success`, `failure`, `skipped`, `cancelled`, `timed_out`, anything else, or none yet.
    pub conclusion: Option<String>,
    /// Second precision.
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub completed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl StepInfo {
    /// Did this step end in a way the excerpt should explain?
    pub fn is_failed(&self) -> bool {
        matches!(
            self.conclusion.as_deref(),
            Some("failure" | "timed_out" | "cancelled" | "startup_failure")
        )
    }

    fn is_unknown_outcome(&self) -> bool {
        !self.is_failed()
            && !matches!(
                self.conclusion.as_deref(),
                None | Some("success" | "skipped" | "neutral")
            )
    }
}

/// Per step of `steps` (in their order): does the excerpt explain it? The failed steps, or,
/// when none failed, those whose outcome is unknown (a conclusion GitHub may add later).
pub fn explained_steps(steps: &[StepInfo]) -> Vec<bool> {
    let failed: Vec<bool> = steps.iter().map(StepInfo::is_failed).collect();
    if failed.contains(&true) {
        return failed;
    }
    steps.iter().map(StepInfo::is_unknown_outcome).collect()
}

/// Limits for one job's excerpt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcerptOptions {
    /// Lines in the excerpt at most (the `max-lines` input).
    pub max_lines: usize,
    /// Bytes kept of one log line; the rest is counted, not stored.
    pub max_line_bytes: usize,
    /// Lines of context kept before each failure block (what ran just before a cancel).
    pub context: usize,
    /// Last lines of the failed step kept as its tail.
    pub tail: usize,
    /// Number lines as editors do, a lone `\r` ending one (a log file from any CI); GitHub's
    /// viewer does not, and job logs keep its numbers.
    pub lone_cr_ends_line: bool,
}

impl Default for ExcerptOptions {
    fn default() -> Self {
        ExcerptOptions {
            max_lines: 40,
            max_line_bytes: 4096,
            context: 3,
            tail: 12,
            lone_cr_ends_line: false,
        }
    }
}

/// The excerpt explaining one job's failure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobExcerpt {
    /// The step the excerpt explains (the first failed step), if known.
    pub step_number: Option<u32>,
    pub step_name: Option<String>,
    /// At most `max_lines`, in log order.
    pub lines: Vec<ExcerptLine>,
    /// Candidate lines dropped by the cap.
    pub omitted_lines: u64,
    /// Raw lines in the log.
    pub total_lines: u64,
    /// The passing log it was compared with, if any.
    pub compared: Option<Comparison>,
}

/// How an excerpt used a passing log of the same job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// Lines of the passing log learned.
    pub passing_lines: u64,
    /// Candidate lines ranked lower because the passing log printed them too.
    pub ranked_lower: u64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ExcerptLine {
    /// 1-based line number in the raw log.
    pub line_number: u64,
    /// Decoded, sanitized, capped.
    pub text: String,
    pub kind: LineKind,
    /// How many more lines like this one (the same text with other numbers, ids, threads)
    /// were folded into it: `Exception in thread "Thread-7" …` ×40 is one line with 39.
    pub repeats: u32,
    /// A passing run of the job printed it too (or its block's first line): it is not what
    /// is new. Such lines are shown only when nothing new explains the failure.
    pub in_passing_log: bool,
    /// The line names a place in the pull request's change (a changed file, near a changed
    /// hunk): set by the diagnosis, false without a PR.
    pub in_change: bool,
    /// Rank for cutting the excerpt shorter (lower is kept first; see `logs::rank`): the
    /// comment's cut uses it, so it agrees with the excerpt's own. Not template context.
    #[serde(skip)]
    pub priority: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// An `##[error]` line.
    Error,
    /// A well-known error shape (`error[E…]`, `FAILED`, `Traceback`, …).
    Match,
    /// A line near an error or match.
    #[default]
    Context,
    /// One of the last lines of the failed step (or of the log).
    Tail,
}
