//! The sticky PR comment, end to end: which PR, whether to write, as whom, and what a failure
//! means for the run (a warning, never the end of the report).

use std::io::Write;

use crate::config::{CommentMode, Config};
use crate::digest::Digest;
use crate::github::models::PullRequest;
use crate::github::pulls::is_commit_sha;
use crate::github::{ApiError, GitHub};
use crate::publish::sticky::{Sticky, Written};
use crate::publish::{Delivered, Target};
use crate::render::{marker, Stamp};

/// The login of `GITHUB_TOKEN` (and the identity our comments carry inside Actions).
pub const ACTIONS_BOT: &str = "github-actions[bot]";

/// What happened to the comment, when nothing went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    /// Created or updated: its URL.
    Written(String),
    /// Deliberately not written; the reason is an info line, not a warning.
    Skipped(String),
}

/// What to do about the comment, decided before the insights (the base-branch comparison of a
/// fork's `workflow_run` needs the PR found here).
pub struct Plan {
    pub action: Action,
    /// The found PR's base branch.
    pub base_branch: Option<String>,
}

pub enum Action {
    /// Deliberately nothing; the reason is an info line.
    Skip(String),
    /// Nothing, and the reason is a warning (the user expected a comment).
    Warn(String),
    /// Write on `pr`; `create`: also when the PR has no digest yet.
    Write { pr: u64, create: bool },
}

/// What the plan reads of the run, known before its logs are: the conclusion its jobs give
/// (`crate::digest::conclusion`) and the commit it built.
pub struct RunFacts<'a> {
    pub conclusion: &'a str,
    pub head_sha: Option<&'a str>,
}

/// Decides whether and where to comment: `comment` mode, the run's conclusion, the PR.
pub async fn plan(config: &Config, mode: CommentMode, github: &GitHub, run: RunFacts<'_>) -> Plan {
    let skip = |why: String| Plan {
        action: Action::Skip(why),
        base_branch: None,
    };
    let create = match mode {
        CommentMode::Never => return skip("`comment: never`".into()),
        CommentMode::Always => true,
        CommentMode::OnFailure => match on_failure(run.conclusion) {
            Ok(create) => create,
            Err(why) => return skip(why.into()),
        },
    };
    match find_pr(config, github, run.head_sha).await {
        Ok(Some(found)) => Plan {
            action: Action::Write {
                pr: found.number,
                create,
            },
            base_branch: found.base_branch,
        },
        Ok(None) => match fork_pr_expected(config) {
            Some(warning) => Plan {
                action: Action::Warn(warning),
                base_branch: None,
            },
            None => skip(
                "no open pull request found for this run; no comment (set `pr-number` to choose one)"
                    .into(),
            ),
        },
        Err(e) => Plan {
            action: Action::Warn(format!("no comment: {e}")),
            base_branch: None,
        },
    }
}

/// The comment delivery: writes the comment as the plan says, and tells why not when it
/// deliberately does not (an info line on stdout, where the step's log shows it).
pub(super) async fn deliver(
    digest: &Digest,
    target: Target<'_>,
    stdout: &mut dyn Write,
) -> anyhow::Result<Delivered> {
    let mut delivered = Delivered::default();
    let (Some(github), Some(plan)) = (target.github, target.plan) else {
        return Ok(delivered);
    };
    let written = match plan.action {
        Action::Skip(why) => Ok(Published::Skipped(why)),
        Action::Warn(warning) => Err(warning),
        Action::Write { pr, create } => {
            let body = target.renderer.comment(digest, &target.comment_key)?;
            let marker = marker(&target.comment_key);
            write(github, digest, pr, create, &body, &marker).await
        }
    };
    match written {
        Ok(Published::Written(url)) => delivered.comment_url = Some(url),
        Ok(Published::Skipped(why)) => writeln!(stdout, "failure-digest: {why}")?,
        Err(warning) => delivered.degraded.push(warning),
    }
    Ok(delivered)
}

/// Creates or updates the sticky comment on `pr`. `Err` is the warning to give.
pub async fn write(
    github: &GitHub,
    digest: &Digest,
    pr: u64,
    create: bool,
    body: &str,
    marker: &str,
) -> Result<Published, String> {
    let mut sticky = Sticky {
        github,
        pr,
        marker,
        authors: authors(github).await,
        stamp: Stamp::of(&digest.run),
    };
    match sticky.publish(body, create).await {
        Ok(Written::Comment(comment)) => {
            Ok(Published::Written(comment.html_url.unwrap_or_default()))
        }
        Ok(Written::NothingToResolve) => Ok(Published::Skipped(format!(
            "the run passed and PR #{pr} has no digest to resolve; no comment"
        ))),
        Ok(Written::Yielded(why)) => Ok(Published::Skipped(why)),
        Err(e) => Err(explain(pr, e)),
    }
}

/// Under `workflow_run`, a triggering run for a pull request should have one: finding none is
/// a warning, not silence (the README's fork setup depends on it).
fn fork_pr_expected(config: &Config) -> Option<String> {
    let run = config.event.triggering_run.as_ref()?;
    let for_pr = matches!(
        run.event.as_deref(),
        Some("pull_request" | "pull_request_target")
    );
    for_pr.then(|| {
        let head = match (&run.head_owner, &run.head_branch) {
            (Some(owner), Some(branch)) => format!(" of `{owner}:{branch}`"),
            _ => String::new(),
        };
        format!(
            "no comment: the triggering run was for a pull request, but no open pull request{head} \
             has its head commit (closed, or pushed again since?); set `pr-number` to choose one"
        )
    })
}

/// `comment: on-failure`: whether to create a comment (`true`), only update an existing one to
/// "resolved" (`false`), or leave the PR alone (why). Only a finished run may resolve, and only
/// a failure opens a comment: a cancelled run (superseded by a newer push, most often) and a run
/// whose jobs are still running explain nothing yet.
fn on_failure(conclusion: &str) -> Result<bool, &'static str> {
    match conclusion {
        "success" => Ok(false),
        _ if crate::digest::is_red(conclusion) => Ok(true),
        "cancelled" => Err(
            "the run was cancelled and nothing failed: a cancellation explains \
                           nothing, so the PR comment is left as it is",
        ),
        "in_progress" => Err(
            "jobs are still running and none has failed: nothing to report \
                             yet, so the PR comment is left as it is",
        ),
        _ => Err("the run has no jobs to report; the PR comment is left as it is"),
    }
}

/// A pull request to comment on, and its base branch when the lookup saw it.
pub struct FoundPr {
    pub number: u64,
    pub base_branch: Option<String>,
}

impl From<&PullRequest> for FoundPr {
    fn from(pr: &PullRequest) -> Self {
        FoundPr {
            number: pr.number,
            base_branch: pr.base_branch(),
        }
    }
}

/// The PR to comment on: the `pr-number` input or `--pr`, the event's PR, the `workflow_run`'s
/// PRs into this repository, a fork's PR by the triggering run's head (`owner:branch`, its head
/// commit checked), else the open PRs of the reported commit.
async fn find_pr(
    config: &Config,
    github: &GitHub,
    head_sha: Option<&str>,
) -> Result<Option<FoundPr>, ApiError> {
    let from_event = config.pr_number.or(config.event.pr_number).or_else(|| {
        let run = config.event.triggering_run.as_ref()?;
        run.pr_numbers.first().copied()
    });
    if let Some(number) = from_event {
        return Ok(Some(FoundPr {
            number,
            base_branch: None,
        }));
    }
    if let Some(found) = fork_pr(config, github).await? {
        return Ok(Some(found));
    }
    // The reported run's own head first: with `run-id` naming another run, the event's and
    // GITHUB_SHA are the reporter's commit, not the one reported on.
    let candidates = [
        head_sha,
        config.event.head_sha.as_deref(),
        config.sha.as_deref(),
    ];
    let Some(sha) = candidates
        .into_iter()
        .flatten()
        .find(|sha| is_commit_sha(sha))
    else {
        return Ok(None);
    };
    let pulls = github.open_pulls_for_commit(sha).await?;
    if pulls.len() > 1 {
        tracing::info!(
            "commit {sha} is in {} open pull requests; commenting on #{}",
            pulls.len(),
            pulls[0].number
        );
    }
    Ok(pulls.first().map(FoundPr::from))
}

/// A `workflow_run` payload lists no PR for a fork's run, and GitHub lists no PR for a fork's
/// commit: the PR is the open one whose head is the triggering run's `owner:branch`, accepted
/// only when its head is the run's commit (a branch name alone can be reused).
async fn fork_pr(config: &Config, github: &GitHub) -> Result<Option<FoundPr>, ApiError> {
    let Some(run) = &config.event.triggering_run else {
        return Ok(None);
    };
    let (Some(owner), Some(branch), Some(sha)) =
        (&run.head_owner, &run.head_branch, &config.event.head_sha)
    else {
        return Ok(None);
    };
    let pulls = github.open_pulls_for_head(owner, branch).await?;
    Ok(pulls
        .iter()
        .find(|pr| pr.head.as_ref().and_then(|h| h.sha.as_deref()) == Some(sha.as_str()))
        .map(FoundPr::from))
}

/// Whose comments may be ours: `github-actions[bot]` (the Actions token's identity, always
/// accepted), and the token's own identity, learnt once for every kind of token (a personal
/// token, a GitHub App's installation token) so that its digest is found again. A bot's GraphQL
/// login lacks the `[bot]` of its REST comments; no person's login can hold `[`, so both count.
async fn authors(github: &GitHub) -> Vec<String> {
    let mut authors = vec![ACTIONS_BOT.to_owned()];
    match github.viewer_login().await {
        Ok(login) => {
            authors.push(format!("{login}[bot]"));
            authors.push(login);
        }
        Err(e) => tracing::info!("{e}; recognising only {ACTIONS_BOT}'s comments"),
    }
    authors
}

/// The warning for a comment that could not be written, with the fix. A rate limit's 403 keeps
/// its own advice: it is not a missing permission.
fn explain(pr: u64, mut error: ApiError) -> String {
    if error.refused(403) {
        error.hint = None; // the advice below replaces any generic one
        format!(
            "could not comment on PR #{pr}: {}. The token may not write PR comments: give the \
             reporting job `permissions: pull-requests: write`. A `pull_request` run from a fork \
             only gets a read-only token; report on fork PRs from a separate `workflow_run` \
             workflow instead (README, \"Pull requests from forks\")",
            error
        )
    } else if error.refused(404) {
        error.hint = None;
        format!(
            "could not comment on PR #{pr}: {}. Check `pr-number`, and that the token can see the \
             repository",
            error
        )
    } else {
        format!("could not comment on PR #{pr}: {error}")
    }
}
