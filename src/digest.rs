//! The report's data model, built from the jobs and their log excerpts.
//!
//! Pure and serializable: this struct IS the templates' context (documented in the README), and
//! `--format json` prints it. Text here is raw (untrusted, unescaped); escaping is the renderer's job.

use std::collections::HashMap;

use serde::Serialize;

use crate::diagnose::Diagnosis;
use crate::github::models::{Annotation, Conclusion, Job};
use crate::github::LogUnavailable;
use crate::logs::{ExcerptLine, JobExcerpt};
use marks::{Insights, JobMarks};

use annotations::annotation_views;
pub use annotations::AnnotationView;
pub use category::{explained, has_failed, is_unfinished};
use category::{icon, is_explained, status_text, verdict, Category};
pub use text::{count, format_duration, short_sha, shown_name};
use text::{excerpt_text, title};

#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub run: RunInfo,
    /// The outcome of the reported jobs: `failure` (something failed, even if other jobs still
    /// run), `in_progress` (nothing failed yet, something still runs: never a pass),
    /// `cancelled`, `success` (every job finished and none failed), `startup_failure` (the
    /// workflow file is invalid: GitHub started no job) or `no_jobs` (nothing to report).
    pub conclusion: String,
    pub totals: Totals,
    /// Every reported job, in the API's order.
    pub jobs: Vec<JobSummary>,
    /// The jobs that failed, with what explains them; the cancelled ones too when nothing failed.
    pub failed_jobs: Vec<FailedJob>,
    /// Jobs cancelled in a run where another job failed (fail-fast, or a cancel after the
    /// failure): named once, not explained (a cancellation explains nothing). At most
    /// [`MAX_NAMED_CANCELLED`]; `totals.cancelled` counts them all.
    pub cancelled_after_failure: Vec<JobLink>,
    /// Jobs cancelled after the failure beyond the ones named in `cancelled_after_failure`.
    pub cancelled_unnamed: usize,
    /// Failed jobs left out of `failed_jobs` to respect a size limit ("… and N more").
    pub omitted_failed_jobs: usize,
    /// Jobs left out of `jobs` to respect a size limit.
    pub omitted_jobs: usize,
    /// Flaky jobs, the base-branch comparison, error groups (`crate::insights`).
    pub insights: Insights,
    /// The kind of failure every diagnosed job shares (`caused_here`, `already_failing`,
    /// `flaky`, `infrastructure`, `unknown`), `mixed` when they differ, empty when nothing
    /// failed: the `diagnosis` output.
    pub diagnosis: String,
    /// Every failure is one a re-run fixes (`flaky` or `infrastructure`): the
    /// `rerun-suggested` output.
    pub rerun_suggested: bool,
    /// The file's name when the digest is of one log file (`--log`), which has no run, job
    /// page or steps; null for a run.
    pub log_file: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RunInfo {
    pub id: u64,
    pub attempt: Option<u32>,
    pub repository: String,
    pub workflow: Option<String>,
    /// `workflow` cut to [`MAX_TITLE_CHARS`] for headings (a `run:` line can name a workflow).
    pub workflow_title: Option<String>,
    pub head_sha: Option<String>,
    /// The first 7 characters of `head_sha`.
    pub head_sha_short: Option<String>,
    pub head_branch: Option<String>,
    /// The event that started the reported run (`push`, `pull_request` …), when known.
    pub event: Option<String>,
    /// The run's page (attempt-specific when the attempt is known).
    pub url: String,
    /// The run's own conclusion, read only for a run without jobs (to tell an invalid workflow
    /// file from a run with nothing to report); the digest's `conclusion` is what templates use.
    #[serde(skip)]
    pub conclusion: Option<Conclusion>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub jobs: usize,
    pub failed: usize,
    pub cancelled: usize,
    pub succeeded: usize,
    pub skipped: usize,
    /// Not finished, and no step failed yet.
    pub running: usize,
    /// Finished with a conclusion without a category (neutral, stale, unknown …).
    pub other: usize,
}

/// A job named with its link.
#[derive(Debug, Clone, Serialize)]
pub struct JobLink {
    pub name: String,
    pub url: Option<String>,
}

/// Cancelled jobs named after a failure; the rest are counted.
pub const MAX_NAMED_CANCELLED: usize = 20;
/// Characters of a workflow name in a heading.
pub const MAX_TITLE_CHARS: usize = 60;
/// Characters of a job's or step's name shown in a heading, a table cell or a line; the full
/// name stays in the JSON and in a link's title.
pub const MAX_NAME_CHARS: usize = 120;

#[derive(Debug, Clone, Serialize)]
pub struct JobSummary {
    pub id: u64,
    pub name: String,
    /// `completed`, `in_progress`, `queued`, …
    pub status: String,
    /// `success`, `failure`, `timed_out`, `cancelled`, `skipped`, … or empty while running.
    pub conclusion: String,
    /// A one-glyph result for tables: ✅ ❌ ⌛ 🚫 ⏭️ ⏳ ➖.
    pub icon: &'static str,
    /// `1m 05s`; empty when unknown.
    pub duration: String,
    pub duration_seconds: Option<i64>,
    pub url: Option<String>,
    pub failed: bool,
    /// `retry`, `on_base`, `group` (`crate::insights`), null when there is nothing to say.
    #[serde(flatten)]
    pub marks: JobMarks,
    /// A failed job's verdict (`failed_jobs[].diagnosis.kind` and `.label`: `caused_here`,
    /// `caused by this PR` …), for the jobs table; null for the others.
    pub diagnosis_kind: Option<crate::diagnose::DiagnosisKind>,
    pub diagnosis_label: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FailedJob {
    pub id: u64,
    pub name: String,
    pub conclusion: String,
    /// What happened, in words: `failed`, `timed out`, `was cancelled`, `could not start`,
    /// `is failing (still running)`.
    pub verdict: &'static str,
    pub icon: &'static str,
    pub url: Option<String>,
    /// Steps whose conclusion is a failure, in order.
    pub failed_steps: Vec<StepRef>,
    /// The first failed step's name (or the step the log excerpt points at).
    pub failing_step: Option<String>,
    pub annotations: Vec<AnnotationView>,
    /// Selected log lines, in order.
    pub excerpt: Vec<ExcerptLine>,
    /// The excerpt as one text block (what `{{code excerpt_text}}` fences).
    pub excerpt_text: String,
    /// Candidate lines dropped by `max-lines` or a size limit.
    pub excerpt_omitted: u64,
    /// Why there is no excerpt (log expired, not yet available, download failed).
    pub log_unavailable: Option<String>,
    /// The passing log of the same job the excerpt was ranked against, if one was.
    pub compared_with: Option<ComparedWith>,
    #[serde(flatten)]
    pub marks: JobMarks,
    /// What the failure is, with its evidence and next action; null for a cancelled job.
    pub diagnosis: Option<Diagnosis>,
    /// The first place the failure touches the PR's change (`src/lib.rs:12`): an excerpt line
    /// or annotation with `in_change`. Null without a PR, or when it touches none.
    pub change_location: Option<String>,
}

/// A passing log of the same job, as the digest names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassingLog {
    /// In words, for "compared with …": `the passing run on main`, or a file's name.
    pub label: String,
    pub url: Option<String>,
}

/// How an excerpt used a passing log: what it was, and what it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComparedWith {
    pub label: String,
    pub url: Option<String>,
    /// Candidate lines ranked lower because the passing log printed them too.
    pub ranked_lower: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepRef {
    pub number: u32,
    pub name: String,
    pub conclusion: String,
}

/// Everything fetched for one run; the input of [`Digest::build`].
pub struct RunData {
    pub run: RunInfo,
    pub server_url: String,
    pub jobs: Vec<Job>,
    pub excerpts: HashMap<u64, Result<JobExcerpt, LogUnavailable>>,
    pub annotations: HashMap<u64, Vec<Annotation>>,
    /// Per job id: the passing log its excerpt was compared with.
    pub passing_logs: HashMap<u64, PassingLog>,
}

impl Digest {
    pub fn build(data: RunData) -> Digest {
        let mut totals = Totals::default();
        let mut jobs = Vec::with_capacity(data.jobs.len());
        let categories: Vec<Category> = data.jobs.iter().map(Category::of).collect();
        let any_failed = categories.contains(&Category::Failed);
        let mut failed_jobs = Vec::new();
        let mut cancelled_after_failure = Vec::new();
        for (job, &category) in data.jobs.iter().zip(&categories) {
            totals.count(category);
            let summary = JobSummary::of(job, category);
            match category {
                _ if is_explained(category, any_failed) => {
                    failed_jobs.push(FailedJob::of(job, &summary, &data))
                }
                // Cancelled next to a failure; beyond the named ones, `totals.cancelled` counts.
                Category::Cancelled => cancelled_after_failure.push(JobLink {
                    name: job.name.clone(),
                    url: job.html_url.clone(),
                }),
                _ => {}
            }
            jobs.push(summary);
        }
        let conclusion = conclusion_of(&totals, data.run.conclusion.as_ref());
        let cancelled_unnamed = cancelled_after_failure
            .len()
            .saturating_sub(MAX_NAMED_CANCELLED);
        cancelled_after_failure.truncate(MAX_NAMED_CANCELLED);
        let mut run = data.run;
        run.workflow_title = run.workflow.as_deref().map(title);
        Digest {
            run,
            conclusion: conclusion.into(),
            totals,
            jobs,
            failed_jobs,
            cancelled_after_failure,
            cancelled_unnamed,
            omitted_failed_jobs: 0,
            omitted_jobs: 0,
            insights: Insights::default(),
            diagnosis: String::new(),
            rerun_suggested: false,
            log_file: None,
        }
    }

    /// Whether the digest reports something broken that a PR author must act on.
    pub fn is_red(&self) -> bool {
        is_red(&self.conclusion)
    }

    /// Cuts every excerpt as a `max_lines` excerpt is cut (the comment's, or to fit a size
    /// budget), keeping the most informative lines (see [`rank`]) in log order. An excerpt
    /// that already fits is cut too: how much filler an explained failure gets (the step's
    /// tail) scales with the room, so a shorter excerpt keeps less of it.
    pub fn cap_excerpts(&mut self, max_lines: usize) {
        for job in &mut self.failed_jobs {
            let keep = rank(&job.excerpt, max_lines);
            if keep.len() == job.excerpt.len() {
                continue;
            }
            job.excerpt_omitted += (job.excerpt.len() - keep.len()) as u64;
            job.excerpt = keep.into_iter().map(|i| job.excerpt[i].clone()).collect();
            job.excerpt_text = excerpt_text(&job.excerpt);
        }
    }

    /// The bytes of excerpt text in the digest: a lower bound on any rendering's size (a group
    /// of jobs with one error counts once: the built-in templates show its excerpt once).
    pub fn excerpt_bytes(&self) -> usize {
        self.failed_jobs
            .iter()
            .filter(|job| job.marks.group.as_ref().is_none_or(|g| g.first))
            .map(|job| job.excerpt_text.len())
            .sum()
    }

    /// Keeps the first `keep` failed jobs and counts the rest as omitted.
    pub fn fold_failed_jobs(&mut self, keep: usize) {
        if self.failed_jobs.len() > keep {
            self.omitted_failed_jobs += self.failed_jobs.len() - keep;
            self.failed_jobs.truncate(keep);
        }
    }

    /// Keeps the failed jobs and the first `keep` others in the job table.
    pub fn fold_jobs(&mut self, keep: usize) {
        let before = self.jobs.len();
        let mut others = 0;
        self.jobs.retain(|job| {
            job.failed || {
                others += 1;
                others <= keep
            }
        });
        self.omitted_jobs += before - self.jobs.len();
    }
}

/// The digest's `conclusion` for `jobs`, known before any log is read (the comment's plan
/// needs it then). `run_conclusion`: the run's own, read only for a run without jobs.
pub fn conclusion(jobs: &[Job], run_conclusion: Option<&Conclusion>) -> &'static str {
    let mut totals = Totals::default();
    for job in jobs {
        totals.count(Category::of(job));
    }
    conclusion_of(&totals, run_conclusion)
}

fn conclusion_of(totals: &Totals, run_conclusion: Option<&Conclusion>) -> &'static str {
    if totals.failed > 0 {
        "failure"
    } else if totals.jobs == 0 {
        match run_conclusion {
            Some(Conclusion::StartupFailure) => "startup_failure",
            _ => "no_jobs",
        }
    } else if totals.running > 0 {
        "in_progress"
    } else if totals.cancelled > 0 {
        "cancelled"
    } else {
        "success"
    }
}

/// Whether a digest `conclusion` is something broken that a PR author must act on.
pub fn is_red(conclusion: &str) -> bool {
    matches!(conclusion, "failure" | "startup_failure")
}

impl Totals {
    fn count(&mut self, category: Category) {
        self.jobs += 1;
        match category {
            Category::Failed => self.failed += 1,
            Category::Cancelled => self.cancelled += 1,
            Category::Succeeded => self.succeeded += 1,
            Category::Skipped => self.skipped += 1,
            Category::Running => self.running += 1,
            Category::Other => self.other += 1,
        }
    }
}

/// Which `max_lines` lines of an excerpt to keep: specific errors, error shapes, what follows
/// them (panic message, assertion, `-->`), the generic exit-code error, then context before hits
/// and the tail; blank lines and passing tests last. See [`crate::logs::rank`].
fn rank(excerpt: &[ExcerptLine], max_lines: usize) -> Vec<usize> {
    crate::logs::rank::keep_most_informative(excerpt, max_lines)
}

impl JobSummary {
    fn of(job: &Job, category: Category) -> JobSummary {
        let duration_seconds = match (job.started_at, job.completed_at) {
            (Some(start), Some(end)) if end >= start => Some((end - start).num_seconds()),
            _ => None,
        };
        JobSummary {
            id: job.id,
            name: job.name.clone(),
            status: status_text(&job.status),
            conclusion: job
                .conclusion
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            icon: icon(job),
            duration: duration_seconds.map(format_duration).unwrap_or_default(),
            duration_seconds,
            url: job.html_url.clone(),
            failed: matches!(category, Category::Failed | Category::Cancelled),
            marks: JobMarks::default(),
            diagnosis_kind: None,
            diagnosis_label: None,
        }
    }
}

impl FailedJob {
    fn of(job: &Job, summary: &JobSummary, data: &RunData) -> FailedJob {
        let failed_steps: Vec<StepRef> = job
            .steps
            .iter()
            .filter(|s| {
                s.conclusion
                    .as_ref()
                    .is_some_and(|c| c.is_failure() || *c == Conclusion::Cancelled)
            })
            .map(|s| StepRef {
                number: s.number,
                name: s.name.clone(),
                conclusion: s
                    .conclusion
                    .as_ref()
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default(),
            })
            .collect();
        let compared_with = match (data.excerpts.get(&job.id), data.passing_logs.get(&job.id)) {
            (Some(Ok(found)), Some(passing)) => found.compared.map(|c| ComparedWith {
                label: passing.label.clone(),
                url: passing.url.clone(),
                ranked_lower: c.ranked_lower,
            }),
            _ => None,
        };
        let (excerpt, excerpt_omitted, excerpt_step, log_unavailable) =
            match data.excerpts.get(&job.id) {
                Some(Ok(found)) => (
                    found.lines.clone(),
                    found.omitted_lines,
                    found.step_name.clone(),
                    None,
                ),
                Some(Err(why)) => (Vec::new(), 0, None, Some(why.to_string())),
                None => (Vec::new(), 0, None, None),
            };
        let failing_step = failed_steps
            .first()
            .map(|s| s.name.clone())
            .or(excerpt_step);
        let annotations = data
            .annotations
            .get(&job.id)
            .map(|list| annotation_views(list, &data.server_url, &data.run))
            .unwrap_or_default();
        FailedJob {
            id: job.id,
            name: job.name.clone(),
            conclusion: summary.conclusion.clone(),
            verdict: verdict(job),
            icon: summary.icon,
            url: job.html_url.clone(),
            failed_steps,
            failing_step,
            annotations,
            excerpt_text: excerpt_text(&excerpt),
            excerpt,
            excerpt_omitted,
            log_unavailable,
            compared_with,
            diagnosis: None,
            change_location: None,
            marks: JobMarks::default(),
        }
    }
}

mod annotations;
mod category;
pub mod marks;
#[cfg(test)]
mod tests;
mod text;
