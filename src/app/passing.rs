//! Where each failed job's passing log comes from: the same job, passed, in the base branch's
//! latest finished `push` run (the run the base comparison already reads), else in the latest
//! successful run of the same workflow on the branch that failed.
//!
//! At most two calls beyond the base comparison's (the branch's passing run, its jobs), and
//! only for jobs the base run cannot serve; none when nothing failed. Best effort: a failed
//! lookup leaves the excerpts ranked on their own, which they then do not claim otherwise.

use std::collections::HashMap;

use crate::digest::{self, PassingLog};
use crate::github::models::{Conclusion, Job};
use crate::github::{ApiError, GitHub};
use crate::insights::BaseEvidence;
use crate::logs::LearningWindows;

use super::fetch::step_info;
use super::insights::ReportedRun;

/// A passing job whose log ranks a failed job's excerpt.
#[derive(Debug, Clone)]
pub(super) struct PassingJob {
    pub id: u64,
    pub log: PassingLog,
    /// The part of its log worth learning: its steps named like the failed job's failed steps.
    pub windows: Option<LearningWindows>,
}

/// Per failed job id (of `jobs`, the jobs to explain), a passing job of the same name.
pub(super) async fn find(
    github: &GitHub,
    jobs: &[Job],
    base: Option<&BaseEvidence>,
    reported: &mut ReportedRun,
) -> HashMap<u64, PassingJob> {
    let failed: Vec<&Job> = digest::explained(jobs)
        .filter(|job| job.conclusion.as_ref().is_some_and(Conclusion::is_failure))
        .collect();
    let mut found = HashMap::new();
    if let Some(base) = base {
        let label = format!("the passing job on {}", base.branch);
        match_by_name(&failed, &base.jobs, &label, &mut found);
    }
    if failed.iter().all(|job| found.contains_key(&job.id)) {
        return found;
    }
    match branch_run_jobs(github, reported).await {
        Ok(Some((branch, passing))) => {
            let label = format!("the last passing job on {branch}");
            match_by_name(&failed, &passing, &label, &mut found);
        }
        Ok(None) => {}
        Err(error) => tracing::warn!("no passing log to compare with: {error}"),
    }
    found
}

/// Adds, for each failed job not yet served, the first job of `candidates` with its name that
/// passed.
fn match_by_name(
    failed: &[&Job],
    candidates: &[Job],
    label: &str,
    found: &mut HashMap<u64, PassingJob>,
) {
    for job in failed {
        if found.contains_key(&job.id) {
            continue;
        }
        let passed = candidates
            .iter()
            .find(|other| other.name == job.name && other.conclusion == Some(Conclusion::Success));
        if let Some(passed) = passed {
            let steps = |of: &Job| of.steps.iter().map(step_info).collect::<Vec<_>>();
            found.insert(
                job.id,
                PassingJob {
                    id: passed.id,
                    log: PassingLog {
                        label: label.to_owned(),
                        url: passed.html_url.clone(),
                    },
                    windows: LearningWindows::of_steps(&steps(job), &steps(passed)),
                },
            );
        }
    }
}

/// The jobs of the latest successful run of the reported run's workflow on its own branch.
async fn branch_run_jobs(
    github: &GitHub,
    reported: &mut ReportedRun,
) -> Result<Option<(String, Vec<Job>)>, ApiError> {
    let run = reported.get(github).await?;
    let (Some(workflow_id), Some(branch)) = (run.workflow_id, run.head_branch.clone()) else {
        return Ok(None);
    };
    let head_repository = run
        .head_repository
        .as_ref()
        .and_then(|repo| repo.full_name.clone());
    let Some((passed, _)) = github
        .latest_successful_run(workflow_id, &branch, head_repository.as_deref())
        .await?
    else {
        return Ok(None);
    };
    let jobs = github.jobs_of_latest_attempt(passed).await?;
    Ok(Some((branch, jobs)))
}
