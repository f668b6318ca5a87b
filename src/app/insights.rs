//! The insights step of a run: looks up what `crate::insights` needs (the jobs of earlier
//! attempts, the base branch's latest completed run and its jobs) and applies the analysis.
//!
//! At most one call for earlier attempts (only on attempt N > 1) and three for the base branch
//! (the run, the base run, its jobs), never one per job. A failed lookup is degraded, not fatal:
//! a note in the digest and a warning. A replay has no API: only error groups are produced.

use crate::config::Config;
use crate::digest::Digest;
use crate::github::{ApiError, GitHub};
use crate::insights::{self, BaseEvidence, Evidence};

use super::Fetcher;

/// Adds the insights `config.insights` asks for to `digest`.
pub(super) async fn add(
    digest: &mut Digest,
    fetcher: &Fetcher,
    config: &Config,
    pr_base: Option<String>,
    degraded: &mut Vec<String>,
) {
    let options = config.insights;
    let mut evidence = Evidence::default();
    if let Fetcher::Api(github) = fetcher {
        let run_id = digest.run.id;
        let want_flaky = options.detect_flaky && digest.run.attempt.unwrap_or(1) > 1;
        let want_base = options.compare_base
            && digest
                .failed_jobs
                .iter()
                .any(|job| !job.conclusion.is_empty() && job.conclusion != "cancelled");
        let (attempts, base) = tokio::join!(
            async {
                match want_flaky {
                    true => Some(github.jobs_of_every_attempt(run_id).await),
                    false => None,
                }
            },
            async {
                match want_base {
                    true => Some(find_base(github, config, pr_base, run_id).await),
                    false => None,
                }
            },
        );
        match attempts {
            Some(Ok(jobs)) => evidence.every_attempt = Some(jobs),
            Some(Err(error)) => {
                evidence
                    .notes
                    .push("Earlier attempts could not be read (see the warnings).".into());
                degraded.push(format!("comparing with earlier attempts: {error}"));
            }
            None => {}
        }
        match base {
            Some(Ok(BaseLookup::Found(found))) => evidence.base = Some(found),
            Some(Ok(BaseLookup::Skipped(note))) => evidence.notes.push(note),
            Some(Ok(BaseLookup::NotApplicable)) => {}
            Some(Err(error)) => {
                evidence
                    .notes
                    .push("The base branch could not be compared (see the warnings).".into());
                degraded.push(format!("comparing with the base branch: {error}"));
            }
            None => {}
        }
    }
    insights::apply(digest, evidence, &options);
}

enum BaseLookup {
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
    run_id: u64,
) -> Result<BaseLookup, ApiError> {
    let base_branch = config.event.base_branch.clone().or(pr_base);
    if config.event_name.as_deref() == Some("push") && base_branch.is_none() {
        return Ok(BaseLookup::NotApplicable);
    }
    let run = github.workflow_run(run_id).await?;
    let Some(branch) = base_branch.or_else(|| run.base_branch()) else {
        return Ok(BaseLookup::NotApplicable);
    };
    let Some(workflow_id) = run.workflow_id else {
        return Ok(BaseLookup::Skipped(format!(
            "Not compared with {branch}: GitHub did not say which workflow this run belongs to."
        )));
    };
    let Some(base) = github.latest_completed_run(workflow_id, &branch).await? else {
        return Ok(BaseLookup::Skipped(format!(
            "Not compared with {branch}: this workflow has no completed run there yet."
        )));
    };
    if base.id == run_id {
        return Ok(BaseLookup::Skipped(format!(
            "Not compared with {branch}: its latest completed run is this run."
        )));
    }
    let jobs = github.jobs_of_latest_attempt(base.id).await?;
    Ok(BaseLookup::Found(BaseEvidence {
        branch,
        run_id: base.id,
        url: base.html_url,
        conclusion: base.conclusion,
        head_sha: base.head_sha,
        jobs,
    }))
}
