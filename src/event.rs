//! The event payload (`GITHUB_EVENT_PATH`): which PR, which commit, which run to report on.
//!
//! Payloads are untrusted and vary by event; every field is optional and a missing or odd one
//! simply means "not known from the event".

use serde::Deserialize;

/// What the program takes from the event payload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFacts {
    /// `pull_request` / `pull_request_target`: the PR itself.
    pub pr_number: Option<u64>,
    /// The commit the run built: the PR head, the pushed commit, or the triggering run's head.
    pub head_sha: Option<String>,
    /// `workflow_run`: the run that triggered this one, which is the run to report on.
    pub triggering_run: Option<TriggeringRun>,
    /// The branch a PR targets (base-branch comparison).
    pub base_branch: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggeringRun {
    pub id: u64,
    pub attempt: Option<u32>,
    pub workflow_name: Option<String>,
    /// `workflow_run.pull_requests` whose base is this repository: empty for PRs from forks.
    pub pr_numbers: Vec<u64>,
    /// What triggered that run (`pull_request`, `push` …).
    pub event: Option<String>,
    /// The branch it built, and, when it came from a fork, the fork's owner: with them a fork's
    /// PR can be found (`GET /pulls?head=owner:branch`).
    pub head_branch: Option<String>,
    pub head_owner: Option<String>,
}

#[derive(Deserialize, Default)]
struct Payload {
    #[serde(default)]
    pull_request: Option<PullRequestPayload>,
    #[serde(default)]
    workflow_run: Option<WorkflowRunPayload>,
    /// `push`: the new head of the ref (40 zeros when a ref was deleted).
    #[serde(default)]
    after: Option<String>,
    /// The repository the workflow runs in.
    #[serde(default)]
    repository: Option<RepoPayload>,
}

#[derive(Deserialize)]
struct RepoPayload {
    #[serde(default)]
    id: Option<u64>,
}

#[derive(Deserialize)]
struct PullRequestPayload {
    number: Option<u64>,
    #[serde(default)]
    head: Option<RefPayload>,
    #[serde(default)]
    base: Option<RefPayload>,
}

#[derive(Deserialize)]
struct RefPayload {
    #[serde(default)]
    sha: Option<String>,
    #[serde(default, rename = "ref")]
    git_ref: Option<String>,
    #[serde(default)]
    repo: Option<RepoPayload>,
}

#[derive(Deserialize)]
struct WorkflowRunPayload {
    id: Option<u64>,
    #[serde(default)]
    run_attempt: Option<u32>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    head_sha: Option<String>,
    #[serde(default)]
    pull_requests: Option<Vec<WorkflowRunPr>>,
    #[serde(default)]
    event: Option<String>,
    #[serde(default)]
    head_branch: Option<String>,
    #[serde(default)]
    head_repository: Option<HeadRepoPayload>,
}

#[derive(Deserialize)]
struct HeadRepoPayload {
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    owner: Option<OwnerPayload>,
}

#[derive(Deserialize)]
struct OwnerPayload {
    #[serde(default)]
    login: Option<String>,
}

#[derive(Deserialize)]
struct WorkflowRunPr {
    number: Option<u64>,
    #[serde(default)]
    base: Option<RefPayload>,
}

impl EventFacts {
    /// Reads the facts of `event_name` from the payload's JSON text.
    pub fn parse(event_name: &str, json: &str) -> Result<Self, serde_json::Error> {
        let payload: Payload = serde_json::from_str(json)?;
        let mut facts = EventFacts::default();
        match event_name {
            "pull_request" | "pull_request_target" | "pull_request_review" => {
                if let Some(pr) = payload.pull_request {
                    facts.pr_number = pr.number;
                    facts.head_sha = pr.head.and_then(|h| h.sha);
                    facts.base_branch = pr.base.and_then(|b| b.git_ref);
                }
            }
            "workflow_run" => {
                if let Some(run) = payload.workflow_run {
                    // A run in a fork can list the upstream PR of the same branch: its number
                    // means nothing here, so only PRs into this repository are kept.
                    let here = payload.repository.and_then(|r| r.id);
                    // Only a fork's branch needs the `owner:branch` lookup: this repository's
                    // own commits are found by commit.
                    let fork_owner = run
                        .head_repository
                        .filter(|head| matches!((head.id, here), (Some(a), Some(b)) if a != b))
                        .and_then(|head| head.owner?.login)
                        .filter(|login| !login.is_empty());
                    let prs: Vec<WorkflowRunPr> = run
                        .pull_requests
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|p| {
                            let base = p.base.as_ref().and_then(|b| b.repo.as_ref()?.id);
                            !matches!((base, here), (Some(a), Some(b)) if a != b)
                        })
                        .collect();
                    facts.base_branch = prs.first().and_then(|p| p.base.as_ref()?.git_ref.clone());
                    facts.head_sha = run.head_sha;
                    facts.triggering_run = run.id.map(|id| TriggeringRun {
                        id,
                        attempt: run.run_attempt,
                        workflow_name: run.name,
                        pr_numbers: prs.iter().filter_map(|p| p.number).collect(),
                        event: run.event,
                        head_branch: run.head_branch.filter(|b| !b.is_empty()),
                        head_owner: fork_owner,
                    });
                }
            }
            _ => {
                facts.head_sha = payload.after.filter(|sha| sha.bytes().any(|b| b != b'0'));
            }
        }
        Ok(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(name: &str) -> String {
        let path = format!("{}/tests/data/events/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn pull_request_gives_number_head_and_base() {
        let facts =
            EventFacts::parse("pull_request", &reference("pull_request.opened.json")).unwrap();
        assert_eq!(facts.pr_number, Some(2));
        assert!(facts.head_sha.is_some());
        assert_eq!(facts.base_branch.as_deref(), Some("master"));
    }

    #[test]
    fn workflow_run_points_at_the_triggering_run() {
        let facts = EventFacts::parse(
            "workflow_run",
            &reference("workflow_run.completed.with-pull-requests.json"),
        )
        .unwrap();
        let run = facts.triggering_run.unwrap();
        assert_eq!((run.id, run.attempt), (289782451, Some(1)));
        // GitHub's example lists a PR of Codertocat/Hello-World for a run in octo-org/octo-repo.
        assert!(run.pr_numbers.is_empty());
    }

    #[test]
    fn workflow_run_keeps_the_prs_into_this_repository() {
        let mut payload: serde_json::Value =
            serde_json::from_str(&reference("workflow_run.completed.with-pull-requests.json"))
                .unwrap();
        let here = payload["repository"]["id"].clone();
        payload["workflow_run"]["pull_requests"][0]["base"]["repo"]["id"] = here;
        let facts = EventFacts::parse("workflow_run", &payload.to_string()).unwrap();
        assert_eq!(facts.triggering_run.unwrap().pr_numbers, vec![2]);
    }

    #[test]
    fn a_deleted_tag_push_has_no_head() {
        let facts = EventFacts::parse("push", &reference("push.tag-deleted.json")).unwrap();
        assert_eq!(facts.head_sha, None);
        let facts = EventFacts::parse("push", &reference("push.with-new-branch.json")).unwrap();
        assert_eq!(facts.head_sha.map(|s| s.len()), Some(40));
    }

    #[test]
    fn odd_payloads_are_not_fatal() {
        assert_eq!(
            EventFacts::parse("pull_request", r#"{"pull_request": {"number": null}}"#).unwrap(),
            EventFacts::default()
        );
        assert!(EventFacts::parse("push", "[1]").is_err());
    }
}
