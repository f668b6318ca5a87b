//! Insights: the three questions a reviewer asks after "what failed?" —
//! - flaky or real? ([`flaky`]: this attempt against the earlier ones),
//! - new or already broken? ([`base`]: against the base branch's latest completed run),
//! - the same error in many matrix legs? ([`grouping`]: shown once, with the legs listed).
//!
//! Pure: no I/O. The app's insights step (`app/insights.rs`) looks up the [`Evidence`] through
//! `github::runs` and hands it to [`apply`], which fills `Digest::insights` and the per-job
//! [`JobMarks`]. Every field exists in the template context even when a feature is off or has no
//! data (empty lists, nulls), so templates can rely on them.

pub mod base;
pub mod flaky;
pub mod grouping;

use crate::digest::Digest;
use crate::github::models::{Conclusion, Job};

pub use crate::digest::marks::{
    BaseMark, BaseRun, BaseState, ErrorGroup, FlakyJob, GroupMark, Insights, JobMarks, RetryMark,
    RetryState,
};

/// Which insights to produce (inputs `detect-flaky`, `compare-base`, `group-errors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub detect_flaky: bool,
    pub compare_base: bool,
    pub group_errors: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            detect_flaky: true,
            compare_base: true,
            group_errors: true,
        }
    }
}

/// What the lookups found. `None`: not looked up (feature off, first attempt, replay, failed).
#[derive(Debug, Default)]
pub struct Evidence {
    /// The jobs of every attempt of the run (`…/jobs?filter=all`).
    pub every_attempt: Option<Vec<Job>>,
    pub base: Option<BaseEvidence>,
    /// Why there is no `base`, in words for a verdict (`this run is not for a pull request`).
    pub base_unchecked: Option<String>,
    /// Why a lookup was skipped or failed.
    pub notes: Vec<String>,
}

/// The base branch's latest completed run of the workflow, and its jobs.
#[derive(Debug, Clone)]
pub struct BaseEvidence {
    pub branch: String,
    pub run_id: u64,
    /// The run's number in its workflow (`#812`), as GitHub shows it.
    pub run_number: Option<u64>,
    pub url: Option<String>,
    pub conclusion: Option<Conclusion>,
    pub head_sha: Option<String>,
    pub jobs: Vec<Job>,
}

/// Fills the digest's insights and job marks from `evidence`, as `options` allow.
pub fn apply(digest: &mut Digest, evidence: &Evidence, options: &Options) {
    let attempt = digest.run.attempt.unwrap_or(1);
    if let (true, Some(every_attempt)) = (options.detect_flaky, &evidence.every_attempt) {
        for job in &mut digest.jobs {
            let conclusion = conclusion_of(&job.conclusion);
            job.marks.retry = flaky::retry_mark(
                job.id,
                &job.name,
                conclusion.as_ref(),
                attempt,
                every_attempt,
            );
        }
        digest.insights.flaky_jobs = digest
            .jobs
            .iter()
            .filter_map(|job| {
                let retry = job.marks.retry.as_ref()?;
                (retry.state == RetryState::Flaky).then(|| FlakyJob {
                    name: job.name.clone(),
                    url: job.url.clone(),
                    attempts: retry.attempts,
                    failed_attempts: retry.failed_attempts,
                })
            })
            .collect();
    }
    if let (true, Some(found)) = (options.compare_base, &evidence.base) {
        let (mut also_failing, mut new) = (0, 0);
        for job in &mut digest.failed_jobs {
            let conclusion = conclusion_of(&job.conclusion);
            job.marks.on_base =
                base::base_mark(&job.name, conclusion.as_ref(), &found.branch, &found.jobs);
            match job.marks.on_base.as_ref().map(|m| m.state) {
                Some(BaseState::AlsoFailing) => also_failing += 1,
                Some(BaseState::New) => new += 1,
                None => {}
            }
        }
        digest.insights.base = Some(BaseRun {
            branch: found.branch.clone(),
            id: found.run_id,
            url: found.url.clone(),
            conclusion: found
                .conclusion
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            head_sha_short: found.head_sha.as_deref().map(crate::digest::short_sha),
            also_failing,
            new,
        });
    }
    if options.group_errors {
        let excerpts: Vec<(&str, &[crate::logs::ExcerptLine])> = digest
            .failed_jobs
            .iter()
            .map(|job| (job.name.as_str(), job.excerpt.as_slice()))
            .collect();
        let (groups, marks) = grouping::group(&excerpts);
        for (job, mark) in digest.failed_jobs.iter_mut().zip(marks) {
            job.marks.group = mark;
        }
        digest.insights.error_groups = groups;
    }
    // One set of marks per job, whichever list a template reads it from.
    for failed in &mut digest.failed_jobs {
        if let Some(job) = digest.jobs.iter_mut().find(|j| j.id == failed.id) {
            failed.marks.retry = job.marks.retry.clone();
            job.marks.on_base = failed.marks.on_base.clone();
            job.marks.group = failed.marks.group.clone();
        }
    }
    digest.insights.notes = evidence.notes.clone();
}

/// The digest keeps conclusions as text; the analysis wants them typed.
fn conclusion_of(text: &str) -> Option<Conclusion> {
    (!text.is_empty())
        .then(|| serde_json::from_value(serde_json::Value::String(text.to_owned())).ok())
        .flatten()
}

#[cfg(test)]
mod tests;
