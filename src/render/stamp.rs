//! Which run wrote a digest comment, so that two runs reporting on one PR do not overwrite each
//! other in turn.
//!
//! `on: [push, pull_request]` gives every commit of a PR's branch two runs of one workflow, and
//! they finish in either order; a re-run of an old commit can finish after a newer commit's run.
//! The rule, the same whichever finishes first:
//! 1. for one commit, the `pull_request` run's digest stands: it tested the merge the PR would
//!    make, and a `push` run of that commit does not replace it (a `pull_request` run does
//!    replace a `push` run's digest);
//! 2. otherwise the newer run's digest stands: run ids grow with time, so a run older than the
//!    one that wrote the comment leaves it alone.
//!
//! The stamp is the comment's second line: `<!-- failure-digest-run:EVENT:SHA:RUN -->`.

use crate::digest::RunInfo;

/// The run behind a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    /// The event that started the run (`push`, `pull_request` …), lowercase letters and `_`.
    pub event: String,
    /// The commit, hex only (empty when unknown).
    pub sha: String,
    pub run: u64,
}

const PREFIX: &str = "<!-- failure-digest-run:";

impl Stamp {
    pub fn of(run: &RunInfo) -> Stamp {
        let event = run.event.as_deref().unwrap_or_default();
        Stamp {
            event: event
                .chars()
                .filter(|c| c.is_ascii_lowercase() || *c == '_')
                .take(40)
                .collect(),
            sha: run
                .head_sha
                .as_deref()
                .unwrap_or_default()
                .chars()
                .filter(char::is_ascii_hexdigit)
                .take(64)
                .collect(),
            run: run.id,
        }
    }

    /// The hidden line written under the marker.
    pub fn line(&self) -> String {
        format!("{PREFIX}{}:{}:{} -->", self.event, self.sha, self.run)
    }

    /// The stamp on a comment's second line, if it has one.
    pub fn read(body: &str) -> Option<Stamp> {
        let line = body.lines().nth(1)?.trim();
        let inner = line.strip_prefix(PREFIX)?.strip_suffix(" -->")?;
        let mut parts = inner.split(':');
        let (event, sha, run) = (parts.next()?, parts.next()?, parts.next()?);
        Some(Stamp {
            event: event.to_owned(),
            sha: sha.to_owned(),
            run: run.parse().ok()?,
        })
    }

    fn for_pull_request(&self) -> bool {
        self.event.starts_with("pull_request")
    }

    /// Why the digest stamped `existing` must stay instead of ours, if it must.
    pub fn yields_to(&self, existing: &Stamp) -> Option<String> {
        let same_commit = !self.sha.is_empty() && self.sha == existing.sha;
        if same_commit && existing.for_pull_request() && !self.for_pull_request() {
            return Some(format!(
                "the PR comment shows the `{}` run's digest of this commit (run {}), which \
                 stands over a `{}` run's; left as it is",
                existing.event, existing.run, self.event
            ));
        }
        let we_win_the_commit =
            same_commit && self.for_pull_request() && !existing.for_pull_request();
        if existing.run > self.run && !we_win_the_commit {
            return Some(format!(
                "the PR comment shows the digest of a newer run ({}); left as it is",
                existing.run
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(event: &str, sha: &str, run: u64) -> Stamp {
        Stamp {
            event: event.into(),
            sha: sha.into(),
            run,
        }
    }

    #[test]
    fn a_stamp_reads_back_from_the_second_line() {
        let ours = stamp("pull_request", "abc123", 42);
        let body = format!("<!-- failure-digest:CI -->\n{}\n### ❌ CI", ours.line());
        assert_eq!(Stamp::read(&body), Some(ours));
        assert_eq!(Stamp::read("<!-- failure-digest:CI -->\n### ❌ CI"), None);
    }

    #[test]
    fn for_one_commit_the_pull_request_run_wins_whichever_finishes_first() {
        let push = stamp("push", "abc", 10);
        let pr = stamp("pull_request", "abc", 11);
        // push first, then pull_request: the pull_request run replaces it.
        assert_eq!(pr.yields_to(&push), None);
        // pull_request first, then push: the push run leaves it.
        assert!(push.yields_to(&pr).is_some());
        // Even when the push run is the newer one.
        let late_push = stamp("push", "abc", 12);
        assert!(late_push.yields_to(&pr).is_some());
        let early_pr = stamp("pull_request", "abc", 9);
        assert_eq!(early_pr.yields_to(&push), None);
    }

    #[test]
    fn across_commits_the_newer_run_wins() {
        let new = stamp("pull_request", "def", 20);
        let old_rerun = stamp("pull_request", "abc", 11);
        assert!(old_rerun.yields_to(&new).is_some());
        assert_eq!(new.yields_to(&old_rerun), None);
        // Unknown commits still order by run.
        assert!(stamp("push", "", 5)
            .yields_to(&stamp("push", "", 6))
            .is_some());
    }

    #[test]
    fn hostile_fields_cannot_break_the_line() {
        let run = RunInfo {
            id: 7,
            event: Some("push --> <img>".into()),
            head_sha: Some("ab:cd-->\n".into()),
            ..RunInfo::default()
        };
        let line = Stamp::of(&run).line();
        assert_eq!(line, "<!-- failure-digest-run:pushimg:abcd:7 -->");
    }
}
