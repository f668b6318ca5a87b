//! A verdict per failed job: the PR author's first question, "is this my fault?", answered
//! from the evidence the digest already holds, or honestly left open.
//!
//! - `infrastructure`: the log names a cause outside the code by its own line
//!   ([`infrastructure`]);
//! - `flaky`: the same job passed in another attempt of this run (the same commit);
//! - `already_failing` / `caused_here`: the base branch's latest completed run of the
//!   workflow fails the same job at the same step with the same first failure line (numbers and
//!   paths aside), or it passes the job, fails it on another step, or with another line;
//! - `unknown`: whenever the evidence does not decide. Never a guess: a wrong verdict sends the
//!   author to re-run a real bug or to fix what was never theirs.
//!
//! In that order: a runner that died explains the failure whatever the base branch does, and a
//! pass on the same commit outweighs a comparison with another commit. Each verdict carries its
//! evidence in words and one next action. Pure: the app's diagnose step gathers the facts.

pub mod change;
pub mod infrastructure;
mod lines;
mod verdict;

use serde::Serialize;

pub use change::{ChangeHit, ChangedFiles};
pub use verdict::{
    decide, decide_cancelled, BaseComparison, BaseFailure, BaseJob, JobFacts, RunRef,
};

/// What a failure is (`failed_jobs[].diagnosis.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiagnosisKind {
    CausedHere,
    AlreadyFailing,
    Flaky,
    Infrastructure,
    Unknown,
}

impl DiagnosisKind {
    /// The wire spelling, as in the JSON and the `diagnosis` output.
    pub fn as_str(self) -> &'static str {
        match self {
            DiagnosisKind::CausedHere => "caused_here",
            DiagnosisKind::AlreadyFailing => "already_failing",
            DiagnosisKind::Flaky => "flaky",
            DiagnosisKind::Infrastructure => "infrastructure",
            DiagnosisKind::Unknown => "unknown",
        }
    }

    /// Whether a re-run is the remedy: the code did not fail.
    pub fn rerun_helps(self) -> bool {
        matches!(self, DiagnosisKind::Flaky | DiagnosisKind::Infrastructure)
    }
}

/// A failed job's verdict (`failed_jobs[].diagnosis`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub kind: DiagnosisKind,
    /// For display: `caused by this PR`, `already failing on main`, `flaky`,
    /// `infrastructure`, `cause unknown`.
    pub label: String,
    /// What the verdict rests on, in words: `run #812 on main passes this job`.
    pub evidence: String,
    pub next_action: NextAction,
}

/// What the author should do about a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextAction {
    pub kind: ActionKind,
    /// In words: `Fix src/lib.rs:12 in this PR`.
    pub text: String,
    /// The command that does it (`gh run rerun 123 --failed --repo o/r`), for a re-run.
    pub command: Option<String>,
    /// Where to start fixing: the failure's first location, the one in the change first.
    pub location: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Fix the code in this PR.
    Fix,
    /// Re-run the failed jobs.
    Rerun,
    /// Nothing to do in this PR: the base branch fails the same way.
    Nothing,
    /// Read the excerpt: the evidence does not decide.
    Investigate,
}

/// The run-level `diagnosis` output: the kind every diagnosed job shares, `mixed` when they
/// differ, empty when no job was diagnosed.
pub fn shared_kind<'a>(kinds: impl IntoIterator<Item = DiagnosisKind> + 'a) -> String {
    let mut kinds = kinds.into_iter();
    let Some(first) = kinds.next() else {
        return String::new();
    };
    match kinds.all(|kind| kind == first) {
        true => first.as_str().to_owned(),
        false => "mixed".to_owned(),
    }
}

/// The `rerun-suggested` output: only when every diagnosed failure is one a re-run fixes.
pub fn rerun_suggested(kinds: impl IntoIterator<Item = DiagnosisKind>) -> bool {
    let mut any = false;
    for kind in kinds {
        if !kind.rerun_helps() {
            return false;
        }
        any = true;
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;
    use DiagnosisKind::*;

    #[test]
    fn the_run_level_outputs_say_what_all_failures_share() {
        assert_eq!(shared_kind([]), "");
        assert_eq!(shared_kind([Flaky, Flaky]), "flaky");
        assert_eq!(shared_kind([Flaky, CausedHere]), "mixed");
        assert!(!rerun_suggested([]));
        assert!(rerun_suggested([Flaky, Infrastructure]));
        assert!(!rerun_suggested([Flaky, Unknown]));
    }
}
