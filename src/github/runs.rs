//! The endpoints behind the insights: a run's jobs across every attempt, the run itself (its
//! workflow id and PR base), and the latest completed run of a workflow on a branch.

use serde::Deserialize;

use super::actions::MAX_JOB_PAGES;
use super::client::GitHub;
use super::error::ApiError;
use super::models::{lenient_int, Conclusion, Job};

/// A workflow run (`GET …/actions/runs/{id}`): the fields the insights read. Numbers out of
/// range (an id GitHub's description lets be any integer) make the field unknown, not the run
/// unreadable.
#[derive(Debug, Clone, Deserialize)]
pub struct WorkflowRun {
    #[serde(default, deserialize_with = "lenient_int")]
    pub id: Option<u64>,
    #[serde(default, deserialize_with = "lenient_int")]
    pub workflow_id: Option<u64>,
    #[serde(default, deserialize_with = "lenient_int")]
    pub run_attempt: Option<u32>,
    #[serde(default, deserialize_with = "lenient_int")]
    pub run_number: Option<u64>,
    #[serde(default)]
    pub head_branch: Option<String>,
    #[serde(default)]
    pub head_sha: Option<String>,
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub conclusion: Option<Conclusion>,
    #[serde(default)]
    pub html_url: Option<String>,
    /// Empty for PRs from forks, and `null` in some payloads.
    #[serde(default)]
    pub pull_requests: Option<Vec<RunPullRequest>>,
    /// The repository whose branch the run built (a fork's, for a fork's PR).
    #[serde(default)]
    pub head_repository: Option<RunRepository>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunVerdict {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub conclusion: Option<Conclusion>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunRepository {
    #[serde(default)]
    pub full_name: Option<String>,
}

/// Base-branch runs read to find a finished `push` run: recent cancellations are passed over.
const BASE_CANDIDATES: u32 = 10;

#[derive(Debug, Clone, Deserialize)]
pub struct RunPullRequest {
    #[serde(default, deserialize_with = "lenient_int")]
    pub number: Option<u64>,
    #[serde(default)]
    pub base: Option<RunRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RunRef {
    #[serde(default, rename = "ref")]
    pub git_ref: Option<String>,
}

impl WorkflowRun {
    /// Did the run build a branch of `repository` (`owner/name`)? Unknown counts as yes.
    fn built(&self, repository: &str) -> bool {
        self.head_repository
            .as_ref()
            .and_then(|repo| repo.full_name.as_deref())
            .is_none_or(|name| name.eq_ignore_ascii_case(repository))
    }

    /// The base branch of the first PR GitHub associates with the run.
    pub fn base_branch(&self) -> Option<String> {
        self.pull_requests
            .iter()
            .flatten()
            .find_map(|pr| pr.base.as_ref()?.git_ref.clone())
            .filter(|b| !b.is_empty())
    }
}

/// Advice for the calls below, which need the same permission as listing the jobs.
fn with_hint(e: ApiError) -> ApiError {
    e.hint_for(
        &[401, 403],
        "The token needs `permissions: actions: read` to compare runs",
    )
}

use super::actions::job_id;

impl GitHub {
    /// The jobs of every attempt of a run; each job carries its `run_attempt`.
    pub async fn jobs_of_every_attempt(&self, run_id: u64) -> Result<Vec<Job>, ApiError> {
        let route = self.run_jobs_route(run_id, "all");
        self.get_all_pages_by_id(
            "listing the jobs of every attempt",
            &route,
            MAX_JOB_PAGES,
            job_id,
        )
        .await
        .map_err(with_hint)
    }

    /// The jobs of a run's latest attempt.
    pub async fn jobs_of_latest_attempt(&self, run_id: u64) -> Result<Vec<Job>, ApiError> {
        let route = self.run_jobs_route(run_id, "latest");
        self.get_all_pages_by_id("listing the base run's jobs", &route, MAX_JOB_PAGES, job_id)
            .await
            .map_err(with_hint)
    }

    /// One workflow run.
    pub async fn workflow_run(&self, run_id: u64) -> Result<WorkflowRun, ApiError> {
        let route = self.repo_route(&format!("/actions/runs/{run_id}"));
        self.get_json("reading the run", &route)
            .await
            .map_err(with_hint)
    }

    /// A run's name and conclusion only: for a run without jobs, whether its workflow file was
    /// invalid (`startup_failure`). Read apart from [`WorkflowRun`] so that no other field of
    /// the run can keep it from being read.
    pub async fn run_verdict(&self, run_id: u64) -> Result<RunVerdict, ApiError> {
        let route = self.repo_route(&format!("/actions/runs/{run_id}"));
        self.get_json("reading the run", &route)
            .await
            .map_err(with_hint)
    }

    /// The latest finished `push` run of workflow `workflow_id` on `branch` of this repository,
    /// if any. `?branch=main` alone also matches a fork PR's run from the fork's own `main`, and
    /// a cancelled run, neither of which says anything about the base: the listing asks for
    /// `push` runs, and a run that ended without a verdict, or built another repository's
    /// branch, is passed over.
    pub async fn latest_completed_run(
        &self,
        workflow_id: u64,
        branch: &str,
    ) -> Result<Option<(u64, WorkflowRun)>, ApiError> {
        let route = self.repo_route(&format!(
            "/actions/workflows/{workflow_id}/runs?branch={}&event=push&status=completed&per_page={BASE_CANDIDATES}",
            query_value(branch)
        ));
        let here = self.repo.to_string();
        let runs = self
            .first_runs("finding the base branch's latest run", &route)
            .await?;
        Ok(runs.into_iter().find(|(_, run)| {
            let verdict = matches!(
                run.conclusion,
                Some(Conclusion::Success | Conclusion::Failure | Conclusion::TimedOut)
            );
            verdict && run.built(&here) && run.event.as_deref().is_none_or(|event| event == "push")
        }))
    }
}

impl GitHub {
    /// The latest successful run of workflow `workflow_id` on `branch` of `head_repository`
    /// (a fork PR's branch lives in the fork; `None`: this repository), of any event: where a
    /// passing log of a job comes from when the base branch has none.
    pub async fn latest_successful_run(
        &self,
        workflow_id: u64,
        branch: &str,
        head_repository: Option<&str>,
    ) -> Result<Option<(u64, WorkflowRun)>, ApiError> {
        let route = self.repo_route(&format!(
            "/actions/workflows/{workflow_id}/runs?branch={}&status=success&per_page={BASE_CANDIDATES}",
            query_value(branch)
        ));
        let wanted = head_repository.map_or_else(|| self.repo.to_string(), str::to_owned);
        let runs = self
            .first_runs("finding the branch's latest passing run", &route)
            .await?;
        Ok(runs
            .into_iter()
            .find(|(_, run)| run.conclusion == Some(Conclusion::Success) && run.built(&wanted)))
    }

    /// The first page of a run listing (the latest runs are on it), each run with its id.
    async fn first_runs(
        &self,
        operation: &'static str,
        route: &str,
    ) -> Result<Vec<(u64, WorkflowRun)>, ApiError> {
        let runs: Vec<WorkflowRun> = self
            .get_all_pages(operation, route, 1)
            .await
            .map_err(with_hint)?;
        Ok(runs.into_iter().filter_map(with_id).collect())
    }
}

/// A listed run with its id; one whose id is unknown cannot be read further.
fn with_id(run: WorkflowRun) -> Option<(u64, WorkflowRun)> {
    Some((run.id?, run))
}

/// Percent-encodes a query value: branch names may hold `/`, `+`, `#`, `&` ….
pub(super) fn query_value(text: &str) -> String {
    crate::percent::encode(text, crate::percent::is_unreserved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_names_are_encoded_for_the_query() {
        assert_eq!(query_value("main"), "main");
        assert_eq!(
            query_value("release/1.0+x&y=#z é"),
            "release%2F1.0%2Bx%26y%3D%23z%20%C3%A9"
        );
    }

    #[test]
    fn numbers_out_of_range_make_a_field_unknown_not_the_run_unreadable() {
        // GitHub's description lets these be any integer; Prism's generated answers use that.
        let run: WorkflowRun = serde_json::from_value(serde_json::json!({
            "id": -5, "workflow_id": -66546085, "run_attempt": 5_000_000_000_u64,
            "pull_requests": [{"number": -1, "base": {"ref": "main"}}]
        }))
        .unwrap();
        assert_eq!(
            (run.id, run.workflow_id, run.run_attempt),
            (None, None, None)
        );
        assert_eq!(run.base_branch().as_deref(), Some("main"));
        assert!(
            with_id(run).is_none(),
            "a listed run without an id is passed over"
        );
    }

    #[test]
    fn the_base_branch_comes_from_the_runs_pull_requests() {
        let run: WorkflowRun = serde_json::from_value(serde_json::json!({
            "id": 5, "workflow_id": 7, "pull_requests": [
                {"number": 1, "base": {"ref": "main", "sha": "abc"}}
            ]
        }))
        .unwrap();
        assert_eq!(run.base_branch().as_deref(), Some("main"));
        let fork: WorkflowRun =
            serde_json::from_value(serde_json::json!({"id": 5, "pull_requests": null})).unwrap();
        assert_eq!(fork.base_branch(), None);
    }
}
