//! Where the run's data comes from: the API (one listing, and the run itself only when it has
//! no jobs), a recording, or a log file; and each explained job's excerpt and annotations.

use anyhow::Context;

use std::sync::Arc;

use super::passing::PassingJob;
use super::TimeLimits;
use crate::config::{Config, Source};
use crate::digest;
use crate::digest::RunInfo;
use crate::github::models::{Annotation, Job};
use crate::github::{GitHub, LogUnavailable, RetryPolicy};
use crate::log_file::LogFiles;
use crate::logs::{
    ExcerptOptions, JobExcerpt, LogAnalyzer, NormalLines, NormalLinesLearner, StepInfo,
};
use crate::progress::Progress;
use crate::replay::Recording;

pub(super) async fn fetch_jobs(
    config: &Config,
    retry: RetryPolicy,
    deadline: tokio::time::Instant,
) -> anyhow::Result<(Fetcher, Vec<Job>, RunInfo)> {
    match &config.source {
        Source::Api {
            api_url,
            token,
            repo,
            run_id,
            attempt,
            job,
        } => {
            let github =
                GitHub::new(api_url, Some(token), repo.clone(), retry)?.with_deadline(deadline);
            let jobs = match job {
                Some(job_id) => vec![one_job(&github, *run_id, *job_id).await?],
                None => github.list_jobs(*run_id, *attempt).await?,
            };
            let mut run = run_info(
                &jobs,
                repo.to_string(),
                *run_id,
                *attempt,
                config.server_url.clone(),
                None,
            );
            // The reported run's event: the triggering run's under `workflow_run`, else the
            // event of the run the reporter is part of.
            run.event = match &config.event.triggering_run {
                Some(triggering) if triggering.id == *run_id => triggering.event.clone(),
                _ => config.event_name.clone(),
            };
            if jobs.is_empty() {
                // A run without jobs: why (an invalid workflow file) is only on the run itself.
                // Best effort: without it the digest still says there is nothing to report.
                match github.run_verdict(*run_id).await {
                    Ok(read) => {
                        run.conclusion = read.conclusion;
                        run.workflow = run.workflow.or(read.name);
                    }
                    Err(e) => tracing::warn!("the run has no jobs, and why is unknown: {e}"),
                }
            }
            Ok((Fetcher::Api(github), jobs, run))
        }
        Source::Replay(dir) => {
            let recording = Recording::open(dir)?;
            let jobs = recording.jobs.clone();
            let repository = recording
                .meta
                .repository
                .clone()
                .or_else(|| repository_of(&jobs))
                .context("the recording names no repository: add run.json with {\"repository\": \"owner/name\"}")?;
            let run_id = jobs.iter().find_map(|j| j.run_id).unwrap_or_default();
            let attempt = jobs.iter().find_map(|j| j.run_attempt);
            let server = recording
                .meta
                .server_url
                .clone()
                .unwrap_or_else(|| config.server_url.clone());
            let run = run_info(
                &jobs,
                repository,
                run_id,
                attempt,
                server,
                recording.meta.workflow.clone(),
            );
            Ok((Fetcher::Replay(recording), jobs, run))
        }
        Source::LogFile { log, green } => {
            let files = LogFiles::open(log, green.as_deref())?;
            let run = RunInfo {
                workflow: Some(files.name()),
                ..RunInfo::default()
            };
            let jobs = vec![files.job()];
            Ok((Fetcher::LogFile(files), jobs, run))
        }
    }
}

/// `owner/name` from a job's `run_url` (`…/repos/{owner}/{name}/actions/runs/{id}`).
fn repository_of(jobs: &[Job]) -> Option<String> {
    let url = jobs.iter().find_map(|j| j.run_url.as_deref())?;
    let rest = url.split("/repos/").nth(1)?;
    let mut parts = rest.split('/');
    Some(format!("{}/{}", parts.next()?, parts.next()?))
}

fn run_info(
    jobs: &[Job],
    repository: String,
    id: u64,
    attempt: Option<u32>,
    server_url: String,
    workflow: Option<String>,
) -> RunInfo {
    let head_sha = jobs.iter().find_map(|j| j.head_sha.clone());
    let attempt = attempt.or_else(|| jobs.iter().find_map(|j| j.run_attempt));
    RunInfo {
        id,
        attempt,
        url: match attempt {
            Some(n) => format!("{server_url}/{repository}/actions/runs/{id}/attempts/{n}"),
            None => format!("{server_url}/{repository}/actions/runs/{id}"),
        },
        repository,
        workflow: workflow.or_else(|| jobs.iter().find_map(|j| j.workflow_name.clone())),
        head_sha_short: head_sha.as_deref().map(crate::digest::short_sha),
        head_sha,
        head_branch: jobs.iter().find_map(|j| j.head_branch.clone()),
        ..RunInfo::default()
    }
}

/// The job a pasted `…/runs/RUN/job/JOB` URL names, checked to belong to that run.
async fn one_job(github: &GitHub, run_id: u64, job_id: u64) -> anyhow::Result<Job> {
    let job = github.get_job(job_id).await?;
    match job.run_id {
        Some(other) if other != run_id => anyhow::bail!(
            "job {job_id} belongs to run {other}, not to run {run_id} of the URL: check the URL"
        ),
        _ => Ok(job),
    }
}

/// Where the run's data comes from.
pub(super) enum Fetcher {
    Api(GitHub),
    Replay(Recording),
    LogFile(LogFiles),
}

impl Fetcher {
    /// The API, when the run came from it.
    pub(super) fn github(&self) -> Option<&GitHub> {
        match self {
            Fetcher::Api(github) => Some(github),
            Fetcher::Replay(_) | Fetcher::LogFile(_) => None,
        }
    }

    /// The log file's name, for a digest of one file (`--log`).
    pub(super) fn log_file_name(&self) -> Option<String> {
        match self {
            Fetcher::LogFile(files) => Some(files.name()),
            Fetcher::Api(_) | Fetcher::Replay(_) => None,
        }
    }

    /// `passing`: a passing job of the same name whose log ranks what is normal. The bytes
    /// read are counted on `progress`.
    pub(super) async fn excerpt(
        &self,
        job: &Job,
        passing: Option<&PassingJob>,
        options: &ExcerptOptions,
        time: &TimeLimits,
        progress: &Progress,
    ) -> Result<JobExcerpt, LogUnavailable> {
        // GitHub serves a job's log only once the job has ended (404 until then).
        if matches!(self, Fetcher::Api(_)) && digest::is_unfinished(job) {
            return Err(LogUnavailable::Running);
        }
        let steps: Vec<StepInfo> = job.steps.iter().map(step_info).collect();
        let mut analyzer = LogAnalyzer::new(&steps, options);
        if let Some(normal) = self.learn_normal(job, passing, options, time).await {
            analyzer = analyzer.comparing_with(Arc::new(normal));
        }
        let feed = |chunk: &[u8]| {
            progress.read_bytes(chunk.len());
            analyzer.feed(chunk)
        };
        match self {
            Fetcher::Api(github) => {
                let (deadline, allowed) = time.for_one_log();
                let download = github.stream_job_log(job.id, feed);
                tokio::time::timeout_at(deadline, download)
                    .await
                    .map_err(|_| LogUnavailable::Failed(time.missed(allowed)))??
            }
            Fetcher::Replay(recording) => recording.stream_job_log(job.id, feed)?,
            Fetcher::LogFile(files) => files.stream_log(feed)?,
        }
        Ok(analyzer.finish())
    }

    /// What a passing log of the same job prints, streamed into a bounded set. Best effort:
    /// without it the excerpt is ranked on its own, and says nothing of a comparison.
    async fn learn_normal(
        &self,
        job: &Job,
        passing: Option<&PassingJob>,
        options: &ExcerptOptions,
        time: &TimeLimits,
    ) -> Option<NormalLines> {
        let mut learner = NormalLinesLearner::new(options);
        let learned = match (self, passing) {
            (Fetcher::LogFile(files), _) => files.stream_green(|chunk| learner.feed(chunk))?,
            (Fetcher::Api(github), Some(passing)) => {
                if let Some(windows) = &passing.windows {
                    learner = learner.within(windows.clone());
                }
                let (deadline, allowed) = time.for_one_log();
                let download = github.stream_job_log(passing.id, |chunk| learner.feed(chunk));
                match tokio::time::timeout_at(deadline, download).await {
                    Ok(done) => done,
                    Err(_) => Err(LogUnavailable::Failed(time.missed(allowed))),
                }
            }
            _ => return None,
        };
        match learned {
            Ok(()) => Some(learner.finish()),
            Err(why) => {
                tracing::warn!("job `{}`: the passing log was not read: {why}", job.name);
                None
            }
        }
    }

    pub(super) async fn annotations(&self, job: &Job) -> Result<Vec<Annotation>, String> {
        match self {
            Fetcher::Api(github) => {
                let Some(id) = job
                    .check_run_url
                    .as_deref()
                    .and_then(|u| u.rsplit('/').next()?.parse().ok())
                else {
                    return Ok(Vec::new());
                };
                github.annotations(id).await.map_err(|e| e.to_string())
            }
            Fetcher::Replay(recording) => Ok(recording.annotations(job.id)),
            Fetcher::LogFile(_) => Ok(Vec::new()),
        }
    }
}

pub(super) fn step_info(step: &crate::github::models::Step) -> StepInfo {
    StepInfo {
        number: step.number,
        name: step.name.clone(),
        conclusion: step.conclusion.as_ref().map(|c| c.as_str().to_owned()),
        started_at: step.started_at,
        completed_at: step.completed_at,
    }
}
