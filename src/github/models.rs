//! Small serde models for exactly the fields we read, tolerant of GitHub's real shapes.
//!
//! octocrab's typed `Job` rejects legal payloads (`status: "requested"`, null `html_url`, a missing
//! `steps`, a future conclusion …) and one bad job fails the whole page, so every field here is
//! optional or defaulted and every enum keeps unknown values instead of failing.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A job's or step's status. Unknown future values are kept, not rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Queued,
    InProgress,
    Completed,
    Waiting,
    Requested,
    Pending,
    #[serde(untagged)]
    Other(String),
}

/// A job's or step's conclusion. Unknown future values are kept, not rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Conclusion {
    Success,
    Failure,
    Neutral,
    Cancelled,
    Skipped,
    TimedOut,
    ActionRequired,
    Stale,
    StartupFailure,
    #[serde(untagged)]
    Other(String),
}

impl Conclusion {
    /// The conclusions that mean "this job broke the run": the ones a digest explains.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Conclusion::Failure | Conclusion::TimedOut | Conclusion::StartupFailure
        )
    }

    /// The wire spelling (`timed_out`, or the unknown value as GitHub sent it).
    pub fn as_str(&self) -> &str {
        match self {
            Conclusion::Success => "success",
            Conclusion::Failure => "failure",
            Conclusion::Neutral => "neutral",
            Conclusion::Cancelled => "cancelled",
            Conclusion::Skipped => "skipped",
            Conclusion::TimedOut => "timed_out",
            Conclusion::ActionRequired => "action_required",
            Conclusion::Stale => "stale",
            Conclusion::StartupFailure => "startup_failure",
            Conclusion::Other(other) => other,
        }
    }
}

/// One job of a run attempt (`GET …/actions/runs/{id}/attempts/{n}/jobs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub id: u64,
    #[serde(default, deserialize_with = "lenient_int")]
    pub run_id: Option<u64>,
    #[serde(default, deserialize_with = "lenient_int")]
    pub run_attempt: Option<u32>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub workflow_name: Option<String>,
    #[serde(default)]
    pub head_branch: Option<String>,
    #[serde(default)]
    pub head_sha: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub run_url: Option<String>,
    #[serde(default)]
    pub check_run_url: Option<String>,
    pub status: Option<Status>,
    #[serde(default)]
    pub conclusion: Option<Conclusion>,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub runner_name: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub steps: Vec<Step>,
}

/// One step of a job. Times have second precision and may carry any UTC offset (`-08:00`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Step {
    #[serde(default, deserialize_with = "lenient_int_or_zero")]
    pub number: u32,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub conclusion: Option<Conclusion>,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub completed_at: Option<DateTime<Utc>>,
}

/// A page of `…/jobs`: GitHub wraps the list as `{"total_count": N, "jobs": [...]}`.
#[derive(Debug, Deserialize)]
pub struct JobsPage {
    #[serde(default)]
    pub total_count: Option<u64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub jobs: Vec<Job>,
}

/// A check-run annotation (`GET …/check-runs/{id}/annotations`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Annotation {
    #[serde(default)]
    pub path: String,
    #[serde(default, deserialize_with = "lenient_int")]
    pub start_line: Option<u64>,
    #[serde(default, deserialize_with = "lenient_int")]
    pub end_line: Option<u64>,
    #[serde(default)]
    pub annotation_level: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// A pull request as returned by `GET …/commits/{sha}/pulls`.
#[derive(Debug, Clone, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub head: Option<GitRef>,
    #[serde(default)]
    pub base: Option<GitRef>,
}

impl PullRequest {
    /// The branch the PR targets.
    pub fn base_branch(&self) -> Option<String> {
        let branch = self.base.as_ref()?.git_ref.clone()?;
        (!branch.is_empty()).then_some(branch)
    }
}

/// A file a pull request changes (`GET …/pulls/{number}/files`): the fields the diagnosis
/// reads. `patch` is absent for binary and very large files.
#[derive(Debug, Clone, Deserialize)]
pub struct PullFile {
    pub filename: String,
    /// `added`, `removed`, `modified`, `renamed`, `copied`, `changed`, `unchanged`.
    #[serde(default)]
    pub status: Option<String>,
    /// The old path of a renamed file.
    #[serde(default)]
    pub previous_filename: Option<String>,
    #[serde(default)]
    pub patch: Option<String>,
}

/// A PR's head or base.
#[derive(Debug, Clone, Deserialize)]
pub struct GitRef {
    #[serde(default)]
    pub sha: Option<String>,
    #[serde(default, rename = "ref")]
    pub git_ref: Option<String>,
}

/// An issue comment: the fields the sticky-comment logic needs.
#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    pub id: u64,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub user: Option<User>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct User {
    #[serde(default)]
    pub login: String,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// A list item that may not fit its model: the schema's `integer` ids have no minimum, so a
/// schema-valid job may carry an id no `u64` holds. Such an item is left out, not the whole page.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Readable<T> {
    Yes(T),
    No(serde_json::Value),
}

/// An integer the schema allows (`integer`, no minimum) but the field's type cannot hold, such as
/// a negative step number, is read as absent instead of failing the page.
pub(super) fn lenient_int<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<u64>,
{
    Ok(Option::<serde_json::Value>::deserialize(deserializer)?
        .and_then(|v| v.as_u64())
        .and_then(|n| T::try_from(n).ok()))
}

fn lenient_int_or_zero<'de, D>(deserializer: D) -> Result<u32, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Ok(lenient_int(deserializer)?.unwrap_or_default())
}

/// `null` where a list is expected is read as an empty list.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_job_with_nulls_and_new_values_parses() {
        let job: Job = serde_json::from_value(serde_json::json!({
            "id": 5_000_000_000u64,
            "name": "build",
            "status": "requested",
            "conclusion": "something_new",
            "html_url": null,
            "head_branch": null,
            "workflow_name": null,
            "started_at": "2024-05-01T04:00:00-08:00",
            "completed_at": null,
            "runner_id": 99_999_999_999u64
        }))
        .unwrap();
        assert_eq!(job.status, Some(Status::Requested));
        assert_eq!(
            job.conclusion,
            Some(Conclusion::Other("something_new".into()))
        );
        assert!(job.steps.is_empty());
        assert_eq!(
            job.started_at.unwrap().to_rfc3339(),
            "2024-05-01T12:00:00+00:00"
        );
    }

    #[test]
    fn steps_null_is_empty_and_timed_out_is_a_failure() {
        let job: Job = serde_json::from_value(serde_json::json!({
            "id": 1, "status": "completed", "conclusion": "timed_out", "steps": null
        }))
        .unwrap();
        assert!(job.steps.is_empty());
        assert!(job.conclusion.unwrap().is_failure());
    }

    #[test]
    fn schema_valid_out_of_range_integers_do_not_fail_the_job() {
        let job: Job = serde_json::from_value(serde_json::json!({
            "id": 7, "run_id": -3, "run_attempt": 99_999_999_999u64,
            "steps": [{ "name": "x", "number": -26501227 }]
        }))
        .unwrap();
        assert_eq!((job.run_id, job.run_attempt), (None, None));
        assert_eq!(job.steps[0].number, 0);
        let jobs: Vec<Readable<Job>> =
            serde_json::from_value(serde_json::json!([{ "id": -1 }, { "id": 2 }])).unwrap();
        assert!(matches!(&jobs[0], Readable::No(_)));
        assert!(matches!(&jobs[1], Readable::Yes(job) if job.id == 2));
    }

    #[test]
    fn the_reference_example_page_parses() {
        let spec: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/data/openapi-job-paginated.json"
            ))
            .unwrap(),
        )
        .unwrap();
        let page: JobsPage = serde_json::from_value(spec).unwrap();
        assert_eq!(page.jobs.len(), 1);
        assert_eq!(page.jobs[0].steps.len(), 10);
    }
}
