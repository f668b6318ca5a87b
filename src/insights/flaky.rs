//! "Flaky or real?": on attempt N > 1, each job of this attempt compared with the same job (by
//! name) in the earlier attempts, from `GET …/runs/{id}/jobs?filter=all`.
//!
//! Only attempts in which the job ended as a success or a failure count: a job skipped because a
//! job it needs failed, or cancelled, says nothing about flakiness.
//!
//! Pure: no I/O.

use crate::digest::marks::{RetryMark, RetryState};

use crate::github::models::{Conclusion, Job};

/// Passed (`true`), failed (`false`), or neither.
fn verdict(conclusion: Option<&Conclusion>) -> Option<bool> {
    match conclusion? {
        Conclusion::Success => Some(true),
        c if c.is_failure() => Some(false),
        _ => None,
    }
}

/// The mark of one job of attempt `attempt` (`job_id`, `name`, its `conclusion`), given the jobs
/// of every attempt. `None`: nothing to say (first run of the job, or no pass/fail now).
pub fn retry_mark(
    job_id: u64,
    name: &str,
    conclusion: Option<&Conclusion>,
    attempt: u32,
    every_attempt: &[Job],
) -> Option<RetryMark> {
    let now = verdict(conclusion)?;
    let earlier: Vec<bool> = every_attempt
        .iter()
        .filter(|j| j.id != job_id && j.name == name)
        .filter(|j| j.run_attempt.is_some_and(|a| a < attempt))
        .filter_map(|j| verdict(j.conclusion.as_ref()))
        .collect();
    if earlier.is_empty() {
        return None;
    }
    let attempts = earlier.len() as u32 + 1;
    let failed_before = earlier.iter().filter(|passed| !**passed).count() as u32;
    let (state, label) = match now {
        true if failed_before > 0 => (RetryState::Flaky, "passed on retry (flaky?)".to_owned()),
        true => return None,
        false if failed_before == attempts - 1 => (
            RetryState::FailedEveryAttempt,
            format!("failed in all {attempts} attempts"),
        ),
        false => (
            RetryState::PassedBefore,
            "passed in an earlier attempt (flaky?)".to_owned(),
        ),
    };
    Some(RetryMark {
        state,
        attempts,
        failed_attempts: failed_before + u32::from(!now),
        label,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: u64, name: &str, attempt: u32, conclusion: &str) -> Job {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": name, "run_attempt": attempt,
            "status": "completed", "conclusion": conclusion
        }))
        .unwrap()
    }

    fn all() -> Vec<Job> {
        vec![
            job(1, "build", 1, "failure"),
            job(2, "test", 1, "failure"),
            job(3, "lint", 1, "success"),
            job(4, "docs", 1, "skipped"),
            job(11, "build", 2, "success"),
            job(12, "test", 2, "failure"),
            job(13, "lint", 2, "failure"),
            job(14, "docs", 2, "failure"),
            job(22, "test", 3, "timed_out"),
        ]
    }

    fn mark(id: u64, name: &str, attempt: u32, conclusion: Conclusion) -> Option<RetryMark> {
        retry_mark(id, name, Some(&conclusion), attempt, &all())
    }

    #[test]
    fn passed_after_failing_is_flaky() {
        let m = mark(11, "build", 2, Conclusion::Success).unwrap();
        assert_eq!(m.state, RetryState::Flaky);
        assert_eq!((m.attempts, m.failed_attempts), (2, 1));
        assert_eq!(m.label, "passed on retry (flaky?)");
    }

    #[test]
    fn failing_every_attempt_counts_the_attempts() {
        let m = mark(22, "test", 3, Conclusion::TimedOut).unwrap();
        assert_eq!(m.state, RetryState::FailedEveryAttempt);
        assert_eq!((m.attempts, m.failed_attempts), (3, 3));
        assert_eq!(m.label, "failed in all 3 attempts");
    }

    #[test]
    fn failing_after_passing_is_marked_and_skips_do_not_count() {
        let m = mark(13, "lint", 2, Conclusion::Failure).unwrap();
        assert_eq!(m.state, RetryState::PassedBefore);
        // docs was skipped in attempt 1: this is its first real run.
        assert_eq!(mark(14, "docs", 2, Conclusion::Failure), None);
    }

    #[test]
    fn nothing_to_say_on_a_first_run_a_steady_pass_or_a_cancel() {
        assert_eq!(mark(1, "build", 1, Conclusion::Failure), None);
        assert_eq!(mark(3, "lint", 1, Conclusion::Success), None);
        assert_eq!(mark(12, "test", 2, Conclusion::Cancelled), None);
        assert_eq!(mark(99, "new job", 2, Conclusion::Failure), None);
    }
}
