//! The insights step of a run: looks up what `crate::insights` needs (the jobs of earlier
//! attempts, the base branch's latest completed run and its jobs) and applies the analysis.
//!
//! At most one call for earlier attempts (only on attempt N > 1) and three for the base branch
//! (the run, the base run, its jobs), never one per job. A failed lookup is degraded, not fatal:
//! a note in the digest and a warning. A replay has no API: only error groups are produced.

use crate::config::Config;
use crate::digest::{self, Digest};
use crate::github::models::{Conclusion, Job};
use crate::github::runs::WorkflowRun;
use crate::github::{ApiError, GitHub};
use crate::insights::{self, BaseEvidence, Evidence};

use std::collections::HashMap;

use super::fetch::Fetcher;
use super::passing::{self, PassingJob};

/// Whether the base branch's run is worth looking up: a job failed (not only cancelled), and
/// the base comparison or the passing logs want it.
fn wants_base(config: &Config, jobs: &[Job]) -> bool {
    (config.insights.compare_base || config.passing_log)
        && digest::explained(jobs).any(|job| {
            job.conclusion
                .as_ref()
                .is_some_and(|c| *c != Conclusion::Cancelled)
        })
}

/// The base branch's run (for the base comparison, as `config` asks) and each failed job's
/// passing log (for its excerpt): looked up together, before the logs, reading the reported
/// run once. Nothing when no job failed.
pub(super) async fn base_and_passing(
    github: &GitHub,
    config: &Config,
    jobs: &[Job],
    pr_base: Option<String>,
    run_id: u64,
) -> (
    Option<Result<BaseLookup, ApiError>>,
    HashMap<u64, PassingJob>,
) {
    if !wants_base(config, jobs) {
        return (None, HashMap::new());
    }
    let mut reported = ReportedRun::new(run_id);
    let base = find_base(github, config, pr_base, &mut reported).await;
    let passing = match config.passing_log {
        true => {
            let evidence = match &base {
                Ok(BaseLookup::Found(evidence)) => Some(evidence),
                _ => None,
            };
            passing::find(github, jobs, evidence, &mut reported).await
        }
        false => HashMap::new(),
    };
    (Some(base), passing)
}

/// Adds the insights `config.insights` asks for to `digest`. `base`: the base branch's run as
/// [`find_base`] found it (looked up once, before the logs, which may be compared with it).
/// Returns the evidence, which the diagnosis reads too.
pub(super) async fn add(
    digest: &mut Digest,
    fetcher: &Fetcher,
    config: &Config,
    base: Option<Result<BaseLookup, ApiError>>,
    degraded: &mut Vec<String>,
) -> Evidence {
    let options = config.insights;
    let want_flaky = options.detect_flaky && digest.run.attempt.unwrap_or(1) > 1;
    let mut evidence = Evidence::default();
    let unchecked = match fetcher {
        Fetcher::Api(github) => {
            if want_flaky {
                match github.jobs_of_every_attempt(digest.run.id).await {
                    Ok(jobs) => evidence.every_attempt = Some(jobs),
                    Err(error) => {
                        evidence
                            .notes
                            .push("Earlier attempts could not be read (see the warnings).".into());
                        degraded.push(format!("comparing with earlier attempts: {error}"));
                    }
                }
            }
            match base.filter(|_| options.compare_base) {
                Some(Ok(BaseLookup::Found(found))) => {
                    evidence.base = Some(found);
                    None
                }
                Some(Ok(BaseLookup::Skipped(note))) => {
                    evidence.notes.push(note.clone());
                    Some(note)
                }
                Some(Ok(BaseLookup::NotApplicable)) => Some(
                    "Not compared with a base branch: this run is not for a pull request"
                        .to_owned(),
                ),
                Some(Err(error)) => {
                    evidence
                        .notes
                        .push("The base branch could not be compared (see the warnings).".into());
                    degraded.push(format!("comparing with the base branch: {error}"));
                    Some("Not compared with the base branch: its run could not be read".to_owned())
                }
                None if !options.compare_base => Some(
                    "Not compared with the base branch: the compare-base input is off".to_owned(),
                ),
                None => Some("Not compared with the base branch: it was not looked up".to_owned()),
            }
        }
        Fetcher::Replay(recording) => {
            if want_flaky {
                evidence.every_attempt = recording.every_attempt.clone();
            }
            evidence.base = recording.base.clone().filter(|_| options.compare_base);
            evidence.base.is_none().then(|| {
                "Not compared with a base branch: the recording holds no base-branch run".to_owned()
            })
        }
        Fetcher::LogFile(_) => {
            Some("Not compared with a base branch: a log file has no base run".to_owned())
        }
    };
    evidence.base_unchecked = unchecked;
    insights::apply(digest, &evidence, &options);
    evidence
}

pub(super) enum BaseLookup {
    Found(BaseEvidence),
    /// No pull request, so no base branch: there is nothing to say on every push run.
    NotApplicable,
    /// Nothing to compare with, and why (plain text for the digest).
    Skipped(String),
}

/// The latest completed run of the same workflow on the PR's base branch, and its jobs.
/// `pr_base`: the base branch of the PR the comment goes to, when its lookup saw one (a fork's
/// PR under `workflow_run`, which neither payload nor run names).
async fn find_base(
    github: &GitHub,
    config: &Config,
    pr_base: Option<String>,
    reported: &mut ReportedRun,
) -> Result<BaseLookup, ApiError> {
    let run_id = reported.id;
    let base_branch = config.event.base_branch.clone().or(pr_base);
    if config.event_name.as_deref() == Some("push") && base_branch.is_none() {
        return Ok(BaseLookup::NotApplicable);
    }
    let run = reported.get(github).await?;
    let Some(branch) = base_branch.or_else(|| run.base_branch()) else {
        return Ok(BaseLookup::NotApplicable);
    };
    let Some(workflow_id) = run.workflow_id else {
        return Ok(BaseLookup::Skipped(format!(
            "Not compared with {branch}: GitHub did not say which workflow this run belongs to."
        )));
    };
    let Some((base_id, base)) = github.latest_completed_run(workflow_id, &branch).await? else {
        return Ok(BaseLookup::Skipped(format!(
            "Not compared with {branch}: this workflow has no completed run there yet."
        )));
    };
    if base_id == run_id {
        return Ok(BaseLookup::Skipped(format!(
            "Not compared with {branch}: its latest completed run is this run."
        )));
    }
    let jobs = github.jobs_of_latest_attempt(base_id).await?;
    Ok(BaseLookup::Found(BaseEvidence {
        branch,
        run_id: base_id,
        run_number: base.run_number,
        url: base.html_url,
        conclusion: base.conclusion,
        head_sha: base.head_sha,
        jobs,
    }))
}

/// The reported run as the API describes it (its workflow, branch and PRs), read at most once
/// for the base comparison and the passing logs together.
pub(super) struct ReportedRun {
    pub id: u64,
    read: Option<WorkflowRun>,
}

impl ReportedRun {
    pub fn new(id: u64) -> Self {
        ReportedRun { id, read: None }
    }

    pub async fn get(&mut self, github: &GitHub) -> Result<&WorkflowRun, ApiError> {
        let run = match self.read.take() {
            Some(run) => run,
            None => github.workflow_run(self.id).await?,
        };
        Ok(self.read.insert(run))
    }
}
