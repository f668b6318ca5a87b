//! Finding the pull requests of a commit (`GET …/commits/{sha}/pulls`).

use super::client::GitHub;
use super::error::ApiError;
use super::models::PullRequest;

impl GitHub {
    /// The open pull requests that contain `sha`, those whose head is `sha` first.
    ///
    /// The endpoint also answers merged and closed PRs (a push to the default branch lists the
    /// PR that was just merged); a digest on those would reach nobody.
    pub async fn open_pulls_for_commit(&self, sha: &str) -> Result<Vec<PullRequest>, ApiError> {
        let route = self.repo_route(&format!("/commits/{sha}/pulls?per_page=100"));
        let mut pulls: Vec<PullRequest> = self
            .get_all_pages("finding the pull request of the commit", &route, 1)
            .await
            .map_err(|e| match e.status_code() {
                Some(403 | 404) => e.with_hint(
                    "The token may not read the repository's pull requests: add `permissions: contents: read` (and `pull-requests: write` for the comment), or pass `pr-number`",
                ),
                _ => e,
            })?;
        pulls.retain(|pr| pr.state.as_deref() == Some("open"));
        pulls.sort_by_key(|pr| pr.head.as_ref().and_then(|h| h.sha.as_deref()) != Some(sha));
        Ok(pulls)
    }
}
