//! What each job's state means for the report. The API's `conclusion` alone is not enough: a job
//! that is still running has none, yet one of its steps may already have failed (the reporter
//! used as the last step of the failing job sees exactly that), and a job that is running has
//! not passed.

use crate::github::models::{Conclusion, Job, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Failed,
    Cancelled,
    Succeeded,
    Skipped,
    /// Not finished and nothing failed yet: never counted as a pass.
    Running,
    /// Finished with a conclusion that is neither (neutral, stale, a future value …).
    Other,
}

impl Category {
    pub fn of(job: &Job) -> Category {
        match &job.conclusion {
            Some(c) if c.is_failure() => Category::Failed,
            Some(Conclusion::Cancelled) => Category::Cancelled,
            Some(Conclusion::Success) => Category::Succeeded,
            Some(Conclusion::Skipped) => Category::Skipped,
            Some(_) => Category::Other,
            None if job.status == Some(Status::Completed) => Category::Other,
            None if has_failed_step(job) => Category::Failed,
            None => Category::Running,
        }
    }
}

/// The jobs whose log and annotations explain the run: every failed one, and the cancelled ones
/// only when nothing failed (next to a failure, fail-fast cancels the other legs, and a
/// cancellation explains nothing). [`crate::digest::Digest::build`] lists the same jobs in
/// `failed_jobs`.
pub fn explained(jobs: &[Job]) -> impl Iterator<Item = &Job> {
    let any_failed = jobs.iter().any(has_failed);
    jobs.iter()
        .filter(move |job| is_explained(Category::of(job), any_failed))
}

/// The rule of [`explained`], for one job of `category` in a run where `any_failed`.
pub fn is_explained(category: Category, any_failed: bool) -> bool {
    category == Category::Failed || (!any_failed && category == Category::Cancelled)
}

/// A job GitHub still shows as running (its log cannot be downloaded until it ends).
pub fn is_unfinished(job: &Job) -> bool {
    job.status != Some(Status::Completed)
}

/// A job that failed or is failing: a failure conclusion, or a failed step while it runs.
pub fn has_failed(job: &Job) -> bool {
    Category::of(job) == Category::Failed
}

fn has_failed_step(job: &Job) -> bool {
    job.steps
        .iter()
        .any(|step| step.conclusion.as_ref().is_some_and(Conclusion::is_failure))
}

/// What happened to a job that is explained, in words: an icon alone (⌛) says nothing to a
/// screen reader or a reader who does not know it.
pub fn verdict(job: &Job) -> &'static str {
    match &job.conclusion {
        Some(Conclusion::TimedOut) => "timed out",
        Some(Conclusion::Cancelled) => "was cancelled",
        Some(Conclusion::StartupFailure) => "could not start",
        None if is_unfinished(job) => "is failing (still running)",
        _ => "failed",
    }
}

pub fn icon(job: &Job) -> &'static str {
    match (&job.status, &job.conclusion) {
        (_, Some(Conclusion::Success)) => "✅",
        (_, Some(Conclusion::TimedOut)) => "⌛",
        (_, Some(c)) if c.is_failure() => "❌",
        (_, Some(Conclusion::Cancelled)) => "🚫",
        (_, Some(Conclusion::Skipped)) => "⏭️",
        (Some(Status::Completed), _) => "➖",
        (_, None) if has_failed_step(job) => "❌",
        (_, None) => "⏳",
        _ => "➖",
    }
}

pub fn status_text(status: &Option<Status>) -> String {
    match status {
        None => String::new(),
        Some(Status::Other(s)) => s.clone(),
        Some(s) => serde_json::to_value(s)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
    }
}
