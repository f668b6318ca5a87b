//! The verdict of one failed job, from the facts the app gathered (pure).

use outside::{
    cause_quoted, infrastructure_cause, infrastructure_verdict, outside_verdict, runner_level_cause,
};

use super::change::{self, ChangeHit};
use super::infrastructure::Nature;
use super::lines::{loosely, masked, quote, without_error_tag};
use super::{ActionKind, Diagnosis, DiagnosisKind, NextAction};
use crate::digest::AnnotationView;
use crate::logs::patterns::is_generic_exit_error;
use crate::logs::{rank, ExcerptLine, LineKind};

/// What is known of one failed job.
pub struct JobFacts<'a> {
    pub name: &'a str,
    pub failing_step: Option<&'a str>,
    pub lines: &'a [ExcerptLine],
    /// The runner's own end (a timeout, a shutdown) is often only an annotation.
    pub annotations: &'a [AnnotationView],
    /// The job passed in another attempt of this run.
    pub passed_in_another_attempt: bool,
    /// The first place the failure touches the PR's change.
    pub in_change: Option<&'a ChangeHit>,
}

/// The reported run, for the re-run command.
pub struct RunRef<'a> {
    /// 0 when there is no run (a log file).
    pub id: u64,
    pub repository: &'a str,
}

/// What the base branch says about the job.
pub enum BaseComparison<'a> {
    /// Not compared, and why, as a sentence (`Not compared with main: this workflow has no
    /// completed run there yet.`).
    Unchecked(&'a str),
    Compared {
        /// `run #812 on main`.
        run: &'a str,
        branch: &'a str,
        /// The job of the same name in that run; `None`: it has none.
        job: Option<BaseJob>,
    },
}

/// The job of the same name in the base run.
pub struct BaseJob {
    /// Its conclusion (`success`, `failure`, `cancelled` …); `None` when GitHub gave none.
    pub conclusion: Option<String>,
    /// Its failed steps, in order.
    pub failed_steps: Vec<String>,
    /// Its steps that passed: a step it never ran (skipped after an earlier failure, or only
    /// run on pull requests) says nothing about ours.
    pub passed_steps: Vec<String>,
    /// Its failure, read from its log only when it failed at the same step (`None`: not read;
    /// `Err`: why its log could not be read).
    pub failure: Option<Result<BaseFailure, String>>,
}

/// What a base job's excerpt shows of its failure.
#[derive(Debug, Clone, Default)]
pub struct BaseFailure {
    /// Its first failure line ([`first_failure_line`]); `None`: it names none.
    pub first: Option<String>,
    /// Every failure line of its excerpt ([`failures`]).
    pub lines: Vec<String>,
}

impl BaseFailure {
    pub fn of(excerpt: &[ExcerptLine]) -> Self {
        BaseFailure {
            first: first_failure_line(excerpt).map(|l| l.text.clone()),
            lines: failures(excerpt).map(|l| l.text.clone()).collect(),
        }
    }
}

/// The failure lines of an excerpt: errors and matches but the runner's generic exit line.
fn failures(lines: &[ExcerptLine]) -> impl Iterator<Item = &ExcerptLine> {
    lines
        .iter()
        .filter(|l| matches!(l.kind, LineKind::Error | LineKind::Match))
        .filter(|l| !is_generic_exit_error(without_error_tag(&l.text).as_bytes()))
}

/// The excerpt's first failure line: the earliest error or match of the best-ranked tier (a
/// side note printed before the failure ranks below it), other than the runner's generic exit
/// line (every failed step ends with one).
pub fn first_failure_line(lines: &[ExcerptLine]) -> Option<&ExcerptLine> {
    failures(lines).min_by_key(|l| (rank::tier(l.priority), l.line_number))
}

/// The verdict of a cancelled job: only a cause outside the code the log names (a runner shut
/// down mid-job is reported as cancelled); a job someone or `cancel-in-progress` stopped has
/// nothing to diagnose.
pub fn decide_cancelled(job: &JobFacts, run: &RunRef) -> Option<Diagnosis> {
    runner_level_cause(job).map(|found| outside_verdict(job, &found, run))
}

/// The verdict of one failed job.
pub fn decide(job: &JobFacts, base: &BaseComparison, run: &RunRef) -> Diagnosis {
    let outside = infrastructure_cause(job);
    if let Some(found) = outside.as_ref().filter(|f| f.nature != Nature::Limit) {
        return outside_verdict(job, found, run);
    }
    if job.passed_in_another_attempt {
        let evidence = format!(
            "{} passed in another attempt of this run, on the same commit",
            job.name
        );
        let mut next = rerun(run);
        next.text = "Re-run the failed jobs: the same commit passed before".into();
        return verdict(DiagnosisKind::Flaky, "flaky", evidence, next);
    }
    let compared = against_base(job, base);
    // A limit the job hit is the machine's unless the base branch runs the same job within it:
    // then this PR may have made it need more time, memory or disk.
    match outside {
        Some(found) if compared.kind == DiagnosisKind::CausedHere => {
            let evidence = format!(
                "{}, but {}: this PR may make it need more time, memory or disk",
                cause_quoted(&found),
                compared.evidence
            );
            unknown(job, evidence)
        }
        Some(found) if compared.kind != DiagnosisKind::AlreadyFailing => {
            infrastructure_verdict(&found, run)
        }
        _ => compared,
    }
}

/// The verdict from the base branch alone.
fn against_base(job: &JobFacts, base: &BaseComparison) -> Diagnosis {
    match base {
        BaseComparison::Unchecked(why) => unknown(job, why.trim_end_matches('.').to_owned()),
        BaseComparison::Compared {
            run: base_run,
            branch,
            job: None,
        } => unknown(
            job,
            format!(
                "{base_run} has no job named “{}”: nothing to compare with on {branch}",
                job.name
            ),
        ),
        BaseComparison::Compared {
            run: base_run,
            branch,
            job: Some(base_job),
        } => compare(job, base_run, branch, base_job),
    }
}

/// The verdict from the base job's result.
fn compare(job: &JobFacts, base_run: &str, branch: &str, base_job: &BaseJob) -> Diagnosis {
    let name = job.name;
    let caused = |evidence: String| {
        verdict(
            DiagnosisKind::CausedHere,
            "caused by this PR",
            evidence,
            fix(job),
        )
    };
    let ran_ours = |step: &str| base_job.passed_steps.iter().any(|s| s == step);
    match base_job.conclusion.as_deref() {
        Some("success") => {
            return match job.failing_step {
                Some(step) if !ran_ours(step) => unknown(
                    job,
                    format!("{base_run} passes “{name}” but did not run its step “{step}”"),
                ),
                _ => caused(format!("{base_run} passes “{name}”")),
            }
        }
        Some("failure" | "timed_out") => {}
        other => {
            let ended = other.map_or("has no result".to_owned(), |c| format!("ended “{c}”"));
            return unknown(
                job,
                format!("“{name}” {ended} in {base_run}: nothing to compare with"),
            );
        }
    }
    let (Some(step), Some(base_step)) = (job.failing_step, base_job.failed_steps.first()) else {
        return unknown(
            job,
            format!("{base_run} fails “{name}” too, but the failing steps cannot be compared"),
        );
    };
    if step != base_step {
        let evidence = format!("{base_run} fails “{name}” at step “{base_step}”");
        return match ran_ours(step) {
            true => caused(format!("{evidence}, and passes “{step}”")),
            false => unknown(job, format!("{evidence}; “{step}” did not pass there")),
        };
    }
    let same_step = format!("{base_run} fails “{name}” at the same step");
    let (theirs, theirs_lines) = match &base_job.failure {
        Some(Ok(BaseFailure {
            first: Some(line),
            lines,
        })) => (line, lines),
        Some(Ok(_)) | None => {
            return unknown(
                job,
                format!("{same_step}; its log names no failure line to compare"),
            )
        }
        Some(Err(why)) => {
            return unknown(
                job,
                format!("{same_step}; its log could not be read ({why})"),
            )
        }
    };
    let Some(ours) = first_failure_line(job.lines) else {
        return unknown(
            job,
            format!("{same_step}; this job's log names no failure line to compare"),
        );
    };
    let (ours_masked, theirs_masked) = (masked(&ours.text), masked(theirs));
    let theirs_all: Vec<String> = theirs_lines.iter().map(|l| masked(l)).collect();
    let ours_all: Vec<(&ExcerptLine, String)> =
        failures(job.lines).map(|l| (l, masked(&l.text))).collect();
    // One side's first error among the other's: the two excerpts rank alike lines differently
    // (ours against a passing log, main's alone), so this is the same failure too.
    let same_first = ours_masked == theirs_masked
        || theirs_all.contains(&ours_masked)
        || ours_all.iter().any(|(_, line)| *line == theirs_masked);
    if !same_first {
        if loosely(&ours_masked) == loosely(&theirs_masked) {
            return unknown(
                job,
                format!(
                    "{same_step} with a like first error for another case or test: “{}”",
                    quote(theirs)
                ),
            );
        }
        return caused(format!(
            "{same_step}, but with another first error there: “{}”",
            quote(theirs)
        ));
    }
    // The same error, and another of the same rank main's excerpt does not show: the PR may
    // have added a failure to one that was there.
    let best = rank::tier(ours.priority);
    let added = ours_all
        .iter()
        .filter(|(l, _)| rank::tier(l.priority) == best)
        .find(|(_, line)| !theirs_all.contains(line));
    if let Some((added, _)) = added {
        return unknown(
            job,
            format!(
                "{same_step} with the same error, but this run also shows “{}”, which main's excerpt does not",
                quote(&added.text)
            ),
        );
    }
    verdict(
        DiagnosisKind::AlreadyFailing,
        &format!("already failing on {branch}"),
        format!("{same_step} with the same first error: “{}”", quote(theirs)),
        NextAction {
            kind: ActionKind::Nothing,
            text: format!("Nothing to do in this PR: it fails the same way on {branch}"),
            command: None,
            location: None,
        },
    )
}

fn unknown(job: &JobFacts, evidence: String) -> Diagnosis {
    let evidence = match job.in_change {
        Some(hit) => format!(
            "{evidence}; the failure points into this PR's change ({})",
            hit.location()
        ),
        None => evidence,
    };
    verdict(
        DiagnosisKind::Unknown,
        "cause unknown",
        evidence,
        NextAction {
            kind: ActionKind::Investigate,
            text: "Read the excerpt: the evidence does not decide what caused it".into(),
            command: None,
            location: job.in_change.map(ChangeHit::location),
        },
    )
}

fn verdict(kind: DiagnosisKind, label: &str, evidence: String, next: NextAction) -> Diagnosis {
    Diagnosis {
        kind,
        label: label.to_owned(),
        evidence,
        next_action: next,
    }
}

/// Fix it here, starting where the failure touches the change, else at its first location.
fn fix(job: &JobFacts) -> NextAction {
    let location = job
        .in_change
        .map(ChangeHit::location)
        .or_else(|| first_location(job.lines));
    NextAction {
        kind: ActionKind::Fix,
        text: match &location {
            Some(at) => format!("Fix it in this PR, starting at {at}"),
            None if job.lines.is_empty() => {
                "Fix it in this PR: the job's log shows the failure".into()
            }
            None => "Fix it in this PR: the excerpt shows the failure".into(),
        },
        command: None,
        location,
    }
}

fn rerun(run: &RunRef) -> NextAction {
    let command = (run.id != 0)
        .then(|| format!("gh run rerun {} --failed --repo {}", run.id, run.repository));
    NextAction {
        kind: ActionKind::Rerun,
        text: "Re-run the failed jobs: the log names a cause outside the code".into(),
        command,
        location: None,
    }
}

/// The first `path:line` the failure lines name, best-ranked line first.
fn first_location(lines: &[ExcerptLine]) -> Option<String> {
    let mut failures: Vec<&ExcerptLine> = lines
        .iter()
        .filter(|l| {
            matches!(
                l.kind,
                LineKind::Error | LineKind::Match | LineKind::Context
            )
        })
        .collect();
    failures.sort_by_key(|l| (l.priority, l.line_number));
    failures.into_iter().find_map(|l| {
        let (path, line) = change::locations(&l.text).find(|(_, line)| line.is_some())?;
        Some(format!("{}:{}", change::normalize(&path), line?))
    })
}

mod outside;
#[cfg(test)]
mod tests;
