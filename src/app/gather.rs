//! The gather stage: the run's jobs (less the reporter's own and the excluded ones), and what
//! the report needs from around them before any log is read — the pull request the comment
//! goes to, the base branch's run, each failed job's passing log.

use std::collections::HashMap;

use super::fetch::{fetch_jobs, Fetcher};
use super::insights::{self, BaseLookup};
use super::passing::PassingJob;
use super::TimeLimits;
use crate::config::Config;
use crate::digest::{self, PassingLog, RunInfo};
use crate::github::models::{Job, Status};
use crate::github::{ApiError, RetryPolicy};
use crate::progress::Progress;
use crate::publish::comment::{self, Plan, RunFacts};
use crate::publish::Delivery;

/// Everything gathered about the run, before its logs.
pub(super) struct Gathered {
    pub fetcher: Fetcher,
    pub jobs: Vec<Job>,
    pub run: RunInfo,
    /// Whether and where to comment, when the delivery comments (on an API run).
    pub plan: Option<Plan>,
    /// The base branch's run, when the base comparison or the passing logs asked for it.
    pub base: Option<Result<BaseLookup, ApiError>>,
    /// Per failed job id, the passing job whose log ranks its excerpt.
    pub passing: HashMap<u64, PassingJob>,
}

pub(super) async fn gather(
    config: &Config,
    retry: RetryPolicy,
    time: &TimeLimits,
    progress: &Progress,
) -> anyhow::Result<Gathered> {
    progress.listing_jobs();
    let (fetcher, jobs, run) = fetch_jobs(config, retry, time.deadline()).await?;
    let jobs: Vec<Job> = jobs
        .into_iter()
        .filter(|job| !is_own_job(job, config) && !config.exclude_jobs.excludes(&job.name))
        .collect();

    // The comment's plan and the base run come before the logs: the base run is where a failed
    // job's passing log comes from, and under `workflow_run` only the PR the plan finds names
    // the base (a fork's run lists no PR). The plan needs the jobs, not their excerpts.
    let plan = match (&fetcher, &config.delivery) {
        (Fetcher::Api(github), Delivery::Publish(publish)) if config.delivery.comments() => {
            let facts = RunFacts {
                conclusion: digest::conclusion(&jobs, run.conclusion.as_ref()),
                head_sha: run.head_sha.as_deref(),
            };
            Some(comment::plan(config, publish.comment, github, facts).await)
        }
        _ => None,
    };
    // A `push` stays uncompared even when its commit is in a PR, as documented.
    let pr_base = plan
        .as_ref()
        .filter(|_| config.event.triggering_run.is_some())
        .and_then(|plan| plan.base_branch.clone());
    let (base, passing) = match &fetcher {
        Fetcher::Api(github) => {
            insights::base_and_passing(github, config, &jobs, pr_base, run.id).await
        }
        Fetcher::LogFile(files) => {
            let passing = files.green_name().map(|label| PassingJob {
                id: 0,
                log: PassingLog { label, url: None },
                // A log file has no step times: learn it whole.
                windows: None,
            });
            (
                None,
                jobs.iter()
                    .filter_map(|job| Some((job.id, passing.clone()?)))
                    .collect(),
            )
        }
        Fetcher::Replay(_) => (None, HashMap::new()),
    };
    Ok(Gathered {
        fetcher,
        jobs,
        run,
        plan,
        base,
        passing,
    })
}

/// The reporter's own job is still running while it reports: it is not a result, unless one of
/// its steps already failed (the reporter runs as an `if: failure()` step of the failing job),
/// and then it is the very failure to report.
fn is_own_job(job: &Job, config: &Config) -> bool {
    job.status != Some(Status::Completed)
        && config.runner_name.is_some()
        && job.runner_name == config.runner_name
        && !digest::has_failed(job)
}
