//! Causes outside the code: a runner that stopped the job, a registry's network, a limit the
//! job hit, and whether the job had failed before the runner stopped it (pure).

use super::{failures, first_failure_line, rerun, unknown, verdict, JobFacts, RunRef};
use crate::diagnose::infrastructure::{self, InfrastructureCause, Nature};
use crate::diagnose::lines::{capitalised, quote, quote_around, without_error_tag};
use crate::diagnose::{Diagnosis, DiagnosisKind};
use crate::logs::patterns::{is_generic_exit_error, is_interruption};
use crate::logs::{rank, ExcerptLine, LineKind};

/// The verdict of a cause outside the code, unless the job had already failed before the runner
/// stopped it: tests that failed before a shutdown fail again on a re-run, so re-running is no
/// advice. (A failed download is found as the failure itself: nothing precedes it.)
pub(super) fn outside_verdict(
    job: &JobFacts,
    found: &InfrastructureCause,
    run: &RunRef,
) -> Diagnosis {
    let stopped_by_the_runner = infrastructure::runner_level(&found.line).is_some();
    match failed_before_the_runner(job).filter(|_| stopped_by_the_runner) {
        Some(earlier) => unknown(
            job,
            format!(
                "{}, but “{}” had failed before it: a re-run may fail the same way",
                cause_quoted(found),
                quote(&earlier.text)
            ),
        ),
        None => infrastructure_verdict(found, run),
    }
}

/// A failure of the job's own (a failed test, a compiler error: the first line of a decisive
/// block) printed before the runner-level cause, which is no stop from outside itself.
fn failed_before_the_runner<'a>(job: &JobFacts<'a>) -> Option<&'a ExcerptLine> {
    let runner_at = failures(job.lines)
        .find(|l| infrastructure::runner_level(&l.text).is_some())
        .map_or(u64::MAX, |l| l.line_number);
    failures(job.lines)
        .filter(|l| l.line_number < runner_at && rank::tier(l.priority) == 0)
        .find(|l| {
            let text = without_error_tag(&l.text);
            !is_interruption(text.as_bytes()) && infrastructure::runner_level(text).is_none()
        })
}

/// A runner-level cause on a failure line of the excerpt or the lines of the failure itself
/// (not a test's captured output shown as context elsewhere), or in an annotation.
pub(super) fn runner_level_cause(job: &JobFacts) -> Option<InfrastructureCause> {
    let failures = job
        .lines
        .iter()
        .filter(|l| matches!(l.kind, LineKind::Error | LineKind::Match))
        .map(|l| l.text.as_str());
    let notes = job.annotations.iter().map(|a| a.message.as_str());
    failures
        .chain(failure_lines(job))
        .chain(notes)
        .find_map(infrastructure::runner_level)
}

pub(super) fn infrastructure_verdict(found: &InfrastructureCause, run: &RunRef) -> Diagnosis {
    let mut next = rerun(run);
    if found.nature == Nature::RateLimit {
        next.text = "Re-run the failed jobs once the rate limit resets".into();
    }
    verdict(
        DiagnosisKind::Infrastructure,
        "infrastructure",
        cause_quoted(found),
        next,
    )
}

/// `The machine ran out of disk space: “…No space left on device”`.
pub(super) fn cause_quoted(found: &InfrastructureCause) -> String {
    format!(
        "{}: “{}”",
        capitalised(found.cause),
        quote_around(&found.line, found.at.clone())
    )
}

/// Lines after the first failure line that still belong to it (`error: failed to download`,
/// `Caused by:` and the resolver's message, a client's error code and its words).
const CAUSE_LINES: u64 = 8;

/// A cause outside the code: a runner-level line among the failure lines or in the
/// annotations, a failed download only as the failure itself ([`failure_lines`], else the
/// first annotation; see [`infrastructure`]).
pub(super) fn infrastructure_cause(job: &JobFacts) -> Option<InfrastructureCause> {
    if let Some(found) = runner_level_cause(job) {
        return Some(found);
    }
    if let Some(found) = infrastructure::failed_download_in(&failure_lines(job)) {
        return Some(found);
    }
    job.annotations
        .iter()
        .map(|a| a.message.as_str())
        .find(|m| !is_generic_exit_error(m.as_bytes()))
        .and_then(|note| infrastructure::failed_download_in(&[note]))
}

/// The lines of the failure itself: the first failure line and the lines of its cause, or,
/// when no line is recognised as a failure, the last lines before the step's exit.
fn failure_lines<'a>(job: &JobFacts<'a>) -> Vec<&'a str> {
    match first_failure_line(job.lines) {
        Some(first) => {
            let cause = first.line_number..=first.line_number + CAUSE_LINES;
            job.lines
                .iter()
                .filter(|l| cause.contains(&l.line_number))
                .map(|l| l.text.as_str())
                .collect()
        }
        None => {
            let before_exit: Vec<&str> = job
                .lines
                .iter()
                .map(|l| l.text.as_str())
                .filter(|text| !is_generic_exit_error(without_error_tag(text).as_bytes()))
                .collect();
            let from = before_exit.len().saturating_sub(CAUSE_LINES as usize + 1);
            before_exit[from..].to_vec()
        }
    }
}
