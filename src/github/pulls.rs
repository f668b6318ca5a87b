//! Finding the pull requests of a commit (`GET …/commits/{sha}/pulls`), and the files a pull
//! request changes (`GET …/pulls/{number}/files`).

use super::client::GitHub;
use super::error::ApiError;
use super::models::{PullFile, PullRequest};

/// GitHub lists at most this many files of a pull request.
pub const MAX_PULL_FILES: usize = 3000;

/// The pages of 100 (`per_page=100`) that hold [`MAX_PULL_FILES`].
const MAX_PULL_FILE_PAGES: usize = MAX_PULL_FILES / 100;

/// A git object id: 40 (SHA-1) or 64 (SHA-256) hex digits. Anything else from a payload or a
/// job is not looked up: it would not name a commit, and it goes into a URL path.
pub fn is_commit_sha(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

impl GitHub {
    /// The open pull requests that contain `sha`, those whose head is `sha` first.
    ///
    /// The endpoint also answers merged and closed PRs (a push to the default branch lists the
    /// PR that was just merged); a digest on those would reach nobody.
    pub async fn open_pulls_for_commit(&self, sha: &str) -> Result<Vec<PullRequest>, ApiError> {
        if !is_commit_sha(sha) {
            return Ok(Vec::new());
        }
        let route = self.repo_route(&format!("/commits/{sha}/pulls?per_page=100"));
        let mut pulls: Vec<PullRequest> = self
            .get_all_pages("finding the pull request of the commit", &route, 1)
            .await
            .map_err(|e| e.hint_for(&[403, 404], "The token may not read the repository's pull requests: add `permissions: contents: read` (and `pull-requests: write` for the comment), or pass `pr-number`"))?;
        pulls.retain(|pr| pr.state.as_deref() == Some("open"));
        pulls.sort_by_key(|pr| pr.head.as_ref().and_then(|h| h.sha.as_deref()) != Some(sha));
        Ok(pulls)
    }

    /// The files pull request `number` changes, every page GitHub gives (at most 3,000 files).
    pub async fn pull_files(&self, number: u64) -> Result<Vec<PullFile>, ApiError> {
        let route = self.repo_route(&format!("/pulls/{number}/files?per_page=100"));
        self.get_all_pages("reading the pull request's changed files", &route, MAX_PULL_FILE_PAGES)
            .await
            .map_err(|e| e.hint_for(&[403, 404], "The token may not read the repository's pull requests: add `permissions: pull-requests: read` (`write` includes it)"))
    }

    /// The open pull requests whose head is `owner:branch` (a fork's branch included).
    pub async fn open_pulls_for_head(
        &self,
        owner: &str,
        branch: &str,
    ) -> Result<Vec<PullRequest>, ApiError> {
        let head = super::runs::query_value(&format!("{owner}:{branch}"));
        let route = self.repo_route(&format!("/pulls?head={head}&state=open&per_page=100"));
        self.get_all_pages("finding the pull request of the fork's branch", &route, 1)
            .await
            .map_err(|e| e.hint_for(&[403, 404], "The token may not read the repository's pull requests: add `permissions: pull-requests: write` (it includes read), or pass `pr-number`"))
    }
}

#[cfg(test)]
mod tests {
    use super::is_commit_sha;

    #[test]
    fn only_hex_object_ids_are_commit_shas() {
        assert!(is_commit_sha("f83a356604ae3c5d03e1b46ef4d1ca77d64a90b0"));
        assert!(is_commit_sha(&"a".repeat(64)));
        assert!(!is_commit_sha("sit do"));
        assert!(!is_commit_sha("f83a356"));
        assert!(!is_commit_sha(
            "../../../../user/repos?x=f83a356604ae3c5d03e1b46ef4d1"
        ));
    }
}
