//! Issue comments on a pull request, and who the token is: the calls behind the sticky comment.
//!
//! Only the shapes are here; which comment to touch is decided in `publish::sticky`.

use http::Method;
use serde_json::json;

use super::client::{read_json, GitHub, Idempotence, Reading};
use super::error::ApiError;
use super::models::{Comment, User};

/// `{"data": {"viewer": {"login": …}}}`; `data` is null when GraphQL answers with `errors`.
#[derive(serde::Deserialize)]
struct Viewer {
    #[serde(default)]
    data: Option<ViewerData>,
}

#[derive(serde::Deserialize)]
struct ViewerData {
    #[serde(default)]
    viewer: Option<User>,
}

/// 100 per page × 50 pages: a PR with more comments than that keeps only the newest unread,
/// and ours is written early, so it is on the first pages.
const MAX_COMMENT_PAGES: usize = 50;

impl GitHub {
    /// Every comment of issue or pull request `number`, oldest first.
    pub async fn list_comments(&self, number: u64) -> Result<Vec<Comment>, ApiError> {
        let route = self.repo_route(&format!("/issues/{number}/comments?per_page=100"));
        self.get_all_pages_by_id(
            "listing the PR's comments",
            &route,
            MAX_COMMENT_PAGES,
            |c: &Comment| Some(c.id),
        )
        .await
    }

    /// Creates a comment. Sent once: a failure whose effect is unknown (5xx, a dropped
    /// connection) is resolved by the caller re-listing, never by sending it again blindly.
    pub async fn create_comment(&self, number: u64, body: &str) -> Result<Comment, ApiError> {
        let route = self.repo_route(&format!("/issues/{number}/comments"));
        self.comment_call(
            "creating the PR comment",
            Method::POST,
            &route,
            body,
            Idempotence::Once,
        )
        .await
    }

    /// Replaces a comment's body (PATCH: octocrab's `update_comment` sends POST).
    pub async fn update_comment(&self, id: u64, body: &str) -> Result<Comment, ApiError> {
        let route = self.repo_route(&format!("/issues/comments/{id}"));
        self.comment_call(
            "updating the PR comment",
            Method::PATCH,
            &route,
            body,
            Idempotence::Repeatable,
        )
        .await
    }

    /// Deletes a comment; one already gone (404) counts as deleted.
    pub async fn delete_comment(&self, id: u64) -> Result<(), ApiError> {
        let route = self.repo_route(&format!("/issues/comments/{id}"));
        match self
            .send(
                "deleting a duplicate PR comment",
                Method::DELETE,
                &route,
                None,
                Idempotence::Repeatable,
                Reading::Buffered,
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.status_code() == Some(404) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The login the token acts as, asked once with GraphQL's `viewer`, which answers for every
    /// kind of token (a personal one, `GITHUB_TOKEN`, a GitHub App's installation token), where
    /// `GET /user` refuses installation tokens. A bot's login comes without the `[bot]` its REST
    /// comments carry.
    pub async fn viewer_login(&self) -> Result<String, ApiError> {
        const OPERATION: &str = "identifying the token";
        let query = json!({ "query": "query { viewer { login } }" });
        let response = self
            .send(
                OPERATION,
                Method::POST,
                &self.graphql_url,
                Some(&query),
                Idempotence::Repeatable,
                Reading::Buffered,
            )
            .await?;
        let answer: Viewer = read_json(OPERATION, &Method::POST, "/graphql", response).await?;
        answer
            .data
            .and_then(|data| data.viewer)
            .map(|viewer| viewer.login)
            .filter(|login| !login.is_empty())
            .ok_or_else(|| {
                ApiError::other(
                    OPERATION,
                    "/graphql",
                    "GraphQL named no viewer for this token",
                )
            })
    }

    async fn comment_call(
        &self,
        operation: &'static str,
        method: Method,
        route: &str,
        body: &str,
        idempotence: Idempotence,
    ) -> Result<Comment, ApiError> {
        let payload = json!({ "body": body });
        let response = self
            .send(
                operation,
                method.clone(),
                route,
                Some(&payload),
                idempotence,
                Reading::Buffered,
            )
            .await?;
        read_json(operation, &method, route, response).await
    }
}
