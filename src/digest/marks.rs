//! What the insights say, as the templates see it: run-level [`Insights`] and per-job
//! [`JobMarks`]. Data only; `crate::insights` computes them from the evidence and fills them in,
//! so the flow runs one way (insights → digest), never back.

use serde::Serialize;

/// Run-level insights (`insights.*` in the template context).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Insights {
    /// Jobs that passed in this attempt after failing in an earlier one.
    pub flaky_jobs: Vec<FlakyJob>,
    /// The base-branch run compared with; null when none was (push event, no base run, off …).
    pub base: Option<BaseRun>,
    /// Failed jobs that share one error, two or more per group.
    pub error_groups: Vec<ErrorGroup>,
    /// Why an insight is missing (plain text), e.g. no completed run on the base branch.
    pub notes: Vec<String>,
}

/// Per-job marks, flattened into `jobs[]` and `failed_jobs[]`; null when there is nothing to say.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct JobMarks {
    pub retry: Option<RetryMark>,
    pub on_base: Option<BaseMark>,
    pub group: Option<GroupMark>,
}

/// How a job fared across attempts (`jobs[].retry`, `failed_jobs[].retry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryState {
    /// Passed in this attempt after failing in an earlier one.
    Flaky,
    /// Failed in this attempt and in every earlier one it ran in.
    FailedEveryAttempt,
    /// Failed in this attempt after passing in an earlier one.
    PassedBefore,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetryMark {
    pub state: RetryState,
    /// Attempts in which the job passed or failed, this one included.
    pub attempts: u32,
    /// How many of them failed.
    pub failed_attempts: u32,
    /// For display: `passed on retry (flaky?)`, `failed in all 3 attempts`, ….
    pub label: String,
}

/// A job that passed in this attempt after failing before (`insights.flaky_jobs[]`); it is not
/// in `failed_jobs`, so it is listed here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlakyJob {
    pub name: String,
    pub url: Option<String>,
    pub attempts: u32,
    pub failed_attempts: u32,
}

/// The base-branch run compared with (`insights.base`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseRun {
    /// The PR's base branch (`main`).
    pub branch: String,
    pub id: u64,
    pub url: Option<String>,
    /// The base run's conclusion (`success`, `failure`, …); empty when unknown.
    pub conclusion: String,
    pub head_sha_short: Option<String>,
    /// Failed jobs of this run that fail on the base branch too.
    pub also_failing: usize,
    /// Failed jobs of this run that pass on the base branch, or do not run there.
    pub new: usize,
}

/// Whether a failed job fails on the base branch too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseState {
    AlsoFailing,
    New,
}

/// A failed job's comparison with the base branch (`failed_jobs[].on_base`, `jobs[].on_base`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaseMark {
    pub state: BaseState,
    pub branch: String,
    /// The job's conclusion on the base run; null when the base run has no job of that name.
    pub conclusion: Option<String>,
    /// The base job's page.
    pub url: Option<String>,
    /// For display: `also failing on main` or `new in this PR`.
    pub label: String,
}

/// A group of at least two failed jobs with the same signature (`insights.error_groups[]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorGroup {
    /// 1-based, in the order of the group's first job.
    pub index: usize,
    pub count: usize,
    /// The jobs' names, in the run's order.
    pub jobs: Vec<String>,
    /// The matrix part of each name (`ubuntu-latest, stable` for `test (ubuntu-latest, stable)`)
    /// when all jobs share the name before it; else the full names.
    pub legs: Vec<String>,
    /// `legs` joined for display: `linux, macos` (`; ` when a leg itself holds a comma).
    pub legs_text: String,
    /// The normalized key lines the jobs share.
    pub signature: Vec<String>,
}

/// A failed job's place in a group (`failed_jobs[].group`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupMark {
    pub index: usize,
    pub count: usize,
    /// True for the group's first job, the one whose excerpt is shown.
    pub first: bool,
    /// The first job's name ("same error as …").
    pub lead: String,
    pub legs: Vec<String>,
    pub legs_text: String,
}
