//! The diagnose stage: a verdict per failed job (`crate::diagnose`), and the PR's change marked
//! on the excerpts and annotations that point into it.
//!
//! It reuses what the earlier stages read — the base branch's run and its jobs, the jobs of
//! every attempt, each excerpt — and asks the API for two things only, and only for a pull
//! request with a failure: the PR's changed files (one request per 100 files), and the log of a
//! base job that fails at the same step as ours, whose first failure line decides between
//! "already failing" and "caused here". A lookup that fails leaves a note, and the verdict
//! says what it could not check.

use std::collections::HashMap;

use futures_util::stream::{self, StreamExt};

use super::analyse::{excerpt_options, LOG_DOWNLOADS_IN_PARALLEL};
use super::fetch::Fetcher;
use super::TimeLimits;
use crate::config::Config;
use crate::diagnose::{
    self, BaseComparison, BaseFailure, BaseJob, ChangeHit, ChangedFiles, JobFacts, RunRef,
};
use crate::digest::{Digest, FailedJob};
use crate::github::models::{Conclusion, Job};
use crate::insights::{BaseEvidence, Evidence, RetryState};
use crate::progress::Progress;
use crate::publish::comment::{Action, Plan};

/// Adds a diagnosis to every failed job of `digest`, and the run-level `diagnosis` and
/// `rerun_suggested`.
pub(super) async fn diagnose(
    digest: &mut Digest,
    evidence: &Evidence,
    config: &Config,
    fetcher: &Fetcher,
    plan: Option<&Plan>,
    time: &TimeLimits,
    degraded: &mut Vec<String>,
) {
    if digest.failed_jobs.is_empty() {
        return;
    }
    let files = match digest.failed_jobs.iter().any(is_compared) {
        true => changed_files(digest, config, fetcher, plan, degraded).await,
        false => None,
    };
    let hits: Vec<Option<ChangeHit>> = match files {
        Some(files) => digest
            .failed_jobs
            .iter_mut()
            .map(|job| mark_change(job, &files))
            .collect(),
        None => vec![None; digest.failed_jobs.len()],
    };
    let base = evidence.base.as_ref();
    let base_failures = match base {
        Some(base) => base_failures(&digest.failed_jobs, base, config, fetcher, time).await,
        None => HashMap::new(),
    };
    if let Some(base) = base {
        note_unreadable_logs(base, &base_failures, digest, degraded);
    }
    let base_run = base.map(run_label);
    let unchecked = evidence
        .base_unchecked
        .as_deref()
        .unwrap_or("Not compared with a base branch: there is none");
    let run = RunRef {
        id: digest.run.id,
        repository: &digest.run.repository,
    };
    let mut verdicts = Vec::with_capacity(digest.failed_jobs.len());
    for (job, hit) in digest.failed_jobs.iter().zip(&hits) {
        let facts = JobFacts {
            name: &job.name,
            failing_step: job.failing_step.as_deref(),
            lines: &job.excerpt,
            annotations: &job.annotations,
            passed_in_another_attempt: job
                .marks
                .retry
                .as_ref()
                .is_some_and(|r| r.state == RetryState::PassedBefore),
            in_change: hit.as_ref(),
        };
        if !is_compared(job) {
            verdicts.push(diagnose::decide_cancelled(&facts, &run));
            continue;
        }
        let comparison = match (base, &base_run) {
            (Some(base), Some(label)) => BaseComparison::Compared {
                run: label,
                branch: &base.branch,
                job: base_job(&base.jobs, &job.name).map(|found| BaseJob {
                    conclusion: found.conclusion.as_ref().map(|c| c.as_str().to_owned()),
                    failed_steps: steps_where(found, Conclusion::is_failure),
                    passed_steps: steps_where(found, |c| *c == Conclusion::Success),
                    failure: base_failures.get(&found.id).cloned(),
                }),
            },
            _ => BaseComparison::Unchecked(unchecked),
        };
        verdicts.push(Some(diagnose::decide(&facts, &comparison, &run)));
    }
    for (job, verdict) in digest.failed_jobs.iter_mut().zip(verdicts) {
        if let Some(listed) = digest.jobs.iter_mut().find(|j| j.id == job.id) {
            listed.diagnosis_kind = verdict.as_ref().map(|v| v.kind);
            listed.diagnosis_label = verdict.as_ref().map(|v| v.label.clone());
        }
        job.diagnosis = verdict;
    }
    touching_the_change_first(&mut digest.failed_jobs);
    let kinds = || {
        digest
            .failed_jobs
            .iter()
            .filter_map(|job| job.diagnosis.as_ref().map(|d| d.kind))
    };
    digest.diagnosis = diagnose::shared_kind(kinds());
    digest.rerun_suggested = diagnose::rerun_suggested(kinds());
}

/// A note and a warning for each base job whose log could not be read.
fn note_unreadable_logs(
    base: &BaseEvidence,
    failures: &HashMap<u64, Result<BaseFailure, String>>,
    digest: &mut Digest,
    degraded: &mut Vec<String>,
) {
    for job in &base.jobs {
        if let Some(Err(why)) = failures.get(&job.id) {
            digest.insights.notes.push(format!(
                "The log of {} on {} could not be read, so its first failure line was not compared (see the warnings).",
                job.name, base.branch
            ));
            degraded.push(format!(
                "reading the log of {} on {}: {why}",
                job.name, base.branch
            ));
        }
    }
}

/// `run #812 on main at 81be04d`: the commit is named, since the base branch's latest
/// completed run may be older or newer than the commit this PR is based on.
fn run_label(base: &BaseEvidence) -> String {
    let run = match base.run_number {
        Some(number) => format!("run #{number} on {}", base.branch),
        None => format!("run {} on {}", base.run_id, base.branch),
    };
    match base.head_sha.as_deref().and_then(|sha| sha.get(..7)) {
        Some(short) => format!("{run} at {short}"),
        None => run,
    }
}

/// Whether the job gets the full verdict: a cancelled job was stopped, so only a runner-level
/// cause its log names can explain it (`diagnose::decide_cancelled`); the base branch and the
/// change say nothing about it.
fn is_compared(job: &FailedJob) -> bool {
    job.conclusion != "cancelled"
}

/// The pull request's changed files, when the run is for one. A failed lookup is a note.
async fn changed_files(
    digest: &mut Digest,
    config: &Config,
    fetcher: &Fetcher,
    plan: Option<&Plan>,
    degraded: &mut Vec<String>,
) -> Option<ChangedFiles> {
    let files = match fetcher {
        Fetcher::Api(github) => {
            let number = pull_request(config, plan)?;
            match github.pull_files(number).await {
                Ok(files) => files,
                Err(error) => {
                    digest.insights.notes.push(format!(
                        "The changed files of PR #{number} could not be read, so no line is marked as in the change (see the warnings)."
                    ));
                    degraded.push(format!("reading the pull request's changed files: {error}"));
                    return None;
                }
            }
        }
        Fetcher::Replay(recording) => recording.pull_files.clone()?,
        Fetcher::LogFile(_) => return None,
    };
    Some(ChangedFiles::new(&files)).filter(|files| !files.is_empty())
}

/// The pull request the run is for: the one the comment goes to, else the one the inputs or
/// the event name. None for a run without one (a push): then nothing is asked.
fn pull_request(config: &Config, plan: Option<&Plan>) -> Option<u64> {
    if let Some(Plan {
        action: Action::Write { pr, .. },
        ..
    }) = plan
    {
        return Some(*pr);
    }
    config.pr_number.or(config.event.pr_number).or_else(|| {
        let run = config.event.triggering_run.as_ref()?;
        run.pr_numbers.first().copied()
    })
}

/// Marks the excerpt lines and annotations of `job` that point into the change, and returns
/// the first place: the best-ranked line's, else an annotation's.
fn mark_change(job: &mut FailedJob, files: &ChangedFiles) -> Option<ChangeHit> {
    let mut first: Option<((bool, u32, u64), ChangeHit)> = None;
    for line in &mut job.excerpt {
        if let Some(hit) = files.hit(&line.text) {
            line.in_change = true;
            // A place with a line number first: `Running unittests src/lib.rs` names a file,
            // not where it broke.
            let rank = (hit.line.is_none(), line.priority, line.line_number);
            if first.as_ref().is_none_or(|(best, _)| rank < *best) {
                first = Some((rank, hit));
            }
        }
    }
    let mut from_annotations = None;
    for note in &mut job.annotations {
        if note.path.is_empty() || note.path == ".github" {
            continue;
        }
        if let Some(hit) = files.hit_annotation(&note.path, note.line) {
            note.in_change = true;
            from_annotations.get_or_insert(hit);
        }
    }
    let hit = first.map(|(_, hit)| hit).or(from_annotations);
    job.change_location = hit.as_ref().map(ChangeHit::location);
    hit
}

/// The job of the same name in the base run: its latest attempt.
fn base_job<'a>(jobs: &'a [Job], name: &str) -> Option<&'a Job> {
    jobs.iter()
        .filter(|j| j.name == name)
        .max_by_key(|j| j.run_attempt.unwrap_or(0))
}

/// The names of `job`'s steps whose conclusion is `wanted`, in order.
fn steps_where(job: &Job, wanted: impl Fn(&Conclusion) -> bool) -> Vec<String> {
    job.steps
        .iter()
        .filter(|s| s.conclusion.as_ref().is_some_and(&wanted))
        .map(|s| s.name.clone())
        .collect()
}

/// Per base job id, what its excerpt shows of its failure: read only for the base jobs that
/// fail at the same step as the failed job of their name (the only case the lines decide), in
/// parallel.
async fn base_failures(
    failed: &[FailedJob],
    base: &BaseEvidence,
    config: &Config,
    fetcher: &Fetcher,
    time: &TimeLimits,
) -> HashMap<u64, Result<BaseFailure, String>> {
    let wanted: Vec<&Job> = failed
        .iter()
        .filter(|job| is_compared(job))
        .filter_map(|job| {
            let found = base_job(&base.jobs, &job.name)?;
            let failing = found
                .conclusion
                .as_ref()
                .is_some_and(Conclusion::is_failure);
            let same_step = job.failing_step.is_some()
                && steps_where(found, Conclusion::is_failure).first() == job.failing_step.as_ref();
            (failing && same_step).then_some(found)
        })
        .collect();
    let options = excerpt_options(config, fetcher);
    let quiet = Progress::hidden();
    stream::iter(wanted.into_iter().map(|job| {
        let (options, quiet) = (&options, &quiet);
        async move {
            let read = fetcher.excerpt(job, None, options, time, quiet).await;
            let failure = read
                .map(|excerpt| BaseFailure::of(&excerpt.lines))
                .map_err(|why| why.to_string());
            (job.id, failure)
        }
    }))
    .buffer_unordered(LOG_DOWNLOADS_IN_PARALLEL)
    .collect()
    .await
}

/// Failed jobs whose failure touches the change first, a group of jobs with one error moving
/// together (its first job stays the one whose excerpt is shown); otherwise in order.
fn touching_the_change_first(jobs: &mut [FailedJob]) {
    let touching_groups: Vec<usize> = jobs
        .iter()
        .filter(|job| job.change_location.is_some())
        .filter_map(|job| job.marks.group.as_ref().map(|g| g.index))
        .collect();
    jobs.sort_by_key(|job| {
        let grouped = job
            .marks
            .group
            .as_ref()
            .is_some_and(|g| touching_groups.contains(&g.index));
        !(job.change_location.is_some() || grouped)
    });
}
