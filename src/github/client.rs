//! The one place that sends HTTP: a small client over octocrab with our own retry policy.
//!
//! octocrab's built-in retry retries 5xx with no backoff, ignores `Retry-After` on secondary rate
//! limits and retries POSTs (a 502 on create-comment gave two comments). So octocrab runs with
//! `RetryConfig::None` and every call here names its operation and whether it may be repeated.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode, Uri};
use http_body_util::combinators::BoxBody;
use http_body_util::BodyExt;
use octocrab::service::middleware::retry::RetryConfig;
use octocrab::{FromResponse, Octocrab, Page};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::models::Readable;

/// How hard to try before giving up on GitHub.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// Backoff before the second attempt after a 5xx or transport error; doubles each time.
    pub base_backoff: Duration,
    /// The most the whole run may spend waiting on retries and rate limits together.
    pub max_total_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_backoff: Duration::from_secs(1),
            max_total_wait: Duration::from_secs(120),
        }
    }
}

/// A repository, `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub owner: String,
    pub name: String,
}

impl std::fmt::Display for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

pub type Response = http::Response<BoxBody<Bytes, octocrab::Error>>;

/// Whether a call may be sent again after a failure whose effect is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotence {
    /// GET, PATCH with the same body, DELETE: repeating is harmless.
    Repeatable,
    /// POST: a repeat may create a duplicate; the caller re-reads state and converges instead.
    Once,
}

pub struct GitHub {
    octo: Octocrab,
    api_authority: Option<http::uri::Authority>,
    pub repo: Repo,
    retry: RetryPolicy,
    waited: std::sync::Mutex<Duration>,
}

/// `X-GitHub-Api-Version` sent with every request.
pub const API_VERSION: &str = "2022-11-28";

impl GitHub {
    /// Builds the client. Must run inside a tokio runtime (octocrab spawns a worker).
    pub fn new(
        api_url: &str,
        token: Option<&str>,
        repo: Repo,
        retry: RetryPolicy,
    ) -> anyhow::Result<Self> {
        use anyhow::Context;
        let base: Uri = api_url.parse().with_context(|| {
            format!("GITHUB_API_URL `{api_url}` is not a URL; expected e.g. https://api.github.com")
        })?;
        let mut builder = Octocrab::builder()
            .base_uri(base.clone())
            .with_context(|| format!("GITHUB_API_URL `{api_url}` cannot be used as a base URL"))?
            .add_retry_config(RetryConfig::None)
            // The REST version the models here were written against. It is GitHub's default,
            // supported until at least 2028 and known to GitHub Enterprise Server; naming it
            // keeps a later default from changing shapes under us (GitHub's docs ask for it).
            .add_header(
                http::HeaderName::from_static("x-github-api-version"),
                API_VERSION.to_owned(),
            )
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(Duration::from_secs(60)));
        if let Some(token) = token {
            builder = builder.personal_token(token.to_owned());
        }
        let octo = builder.build().context("could not build the HTTP client")?;
        Ok(GitHub {
            octo,
            api_authority: base.authority().cloned(),
            repo,
            retry,
            waited: std::sync::Mutex::new(Duration::ZERO),
        })
    }

    /// `/repos/{owner}/{repo}` + `suffix`.
    pub fn repo_route(&self, suffix: &str) -> String {
        format!("/repos/{}/{}{}", self.repo.owner, self.repo.name, suffix)
    }

    /// Sends one request under the retry policy and returns a successful response, or the error
    /// GitHub gave (with route, status, message and request id).
    pub async fn send(
        &self,
        operation: &'static str,
        method: Method,
        route: &str,
        body: Option<&serde_json::Value>,
        idempotence: Idempotence,
    ) -> Result<Response, ApiError> {
        let mut attempt = 1;
        loop {
            let sent = match method {
                Method::GET => self.octo._get(route).await,
                Method::POST => self.octo._post(route, body).await,
                Method::PATCH => self.octo._patch(route, body).await,
                Method::DELETE => self.octo._delete(route, body).await,
                _ => unreachable!("no other method is used"),
            };
            let may_repeat = idempotence == Idempotence::Repeatable;
            let retry_in = match &sent {
                Err(_) if may_repeat => Some(self.backoff(attempt)),
                Err(_) => None,
                Ok(response) if response.status().is_success() => None,
                Ok(response) => {
                    if let Some(wait) = rate_limit_wait(response.status(), response.headers()) {
                        Some(wait)
                    } else if response.status().is_server_error() && may_repeat {
                        Some(self.backoff(attempt))
                    } else {
                        None
                    }
                }
            };
            let can_wait = retry_in
                .filter(|wait| attempt < self.retry.max_attempts && self.take_wait_budget(*wait));
            match (sent, can_wait) {
                (_, Some(wait)) => {
                    tracing::info!(
                        "{operation}: retrying {route} in {:.1}s (attempt {})",
                        wait.as_secs_f32(),
                        attempt + 1
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                (Ok(response), None) if response.status().is_success() => return Ok(response),
                (Ok(response), None) => {
                    return Err(ApiError::from_response(operation, &method, route, response).await)
                }
                (Err(error), None) => {
                    return Err(ApiError::transport(operation, &method, route, &error))
                }
            }
        }
    }

    /// GET a JSON document.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        route: &str,
    ) -> Result<T, ApiError> {
        let response = self
            .send(operation, Method::GET, route, None, Idempotence::Repeatable)
            .await?;
        read_json(operation, &Method::GET, route, response).await
    }

    /// GET every page of a list, following `Link: rel="next"` (at most `max_pages`).
    /// Works for plain arrays and for GitHub's `{"total_count", "jobs": [...]}` wrappers.
    ///
    /// An item this program cannot read (a schema-valid id no `u64` holds, say) is left out with
    /// a warning instead of failing the whole list: one odd job must not cost the report.
    pub async fn get_all_pages<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        first_route: &str,
        max_pages: usize,
    ) -> Result<Vec<T>, ApiError> {
        self.get_all_pages_by_id(operation, first_route, max_pages, |_: &T| None)
            .await
    }

    /// [`GitHub::get_all_pages`] for items with an id: an item seen on an earlier page is left
    /// out, and a page that adds nothing new ends the listing, so a server that ignores `page`
    /// and always links a next one cannot multiply the list (or loop to `max_pages`).
    pub async fn get_all_pages_by_id<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        first_route: &str,
        max_pages: usize,
        id: impl Fn(&T) -> Option<u64>,
    ) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut route = first_route.to_owned();
        for _ in 0..max_pages {
            let response = self
                .send(
                    operation,
                    Method::GET,
                    &route,
                    None,
                    Idempotence::Repeatable,
                )
                .await?;
            let page = Page::<Readable<T>>::from_response(response)
                .await
                .map_err(|e| ApiError::unparsable(operation, &Method::GET, &route, &e))?;
            let before = items.len();
            let mut repeated = 0;
            for item in page.items {
                match item {
                    Readable::Yes(item) => match id(&item) {
                        Some(key) if !seen.insert(key) => repeated += 1,
                        _ => items.push(item),
                    },
                    Readable::No(raw) => tracing::warn!(
                        "{operation}: left out an item this program cannot read (id {})",
                        raw.get("id").unwrap_or(&serde_json::Value::Null)
                    ),
                }
            }
            if repeated > 0 && items.len() == before {
                // Nothing is missing: every item of the page was had already.
                tracing::info!(
                    "{operation}: {route} repeated items of an earlier page; stopped there"
                );
                return Ok(items);
            }
            match page.next {
                Some(next) => route = self.same_host_route(operation, &next)?,
                None => return Ok(items),
            }
        }
        // A bound chosen per listing (one page of PRs for a commit, 50 of comments): say so,
        // but it is no fault.
        tracing::info!("{operation}: read the first {max_pages} page(s) of {first_route} only");
        Ok(items)
    }

    /// The token is attached to every request octocrab sends to an absolute URL, so a `next`
    /// link is only followed on the API host itself.
    fn same_host_route(&self, operation: &'static str, next: &Uri) -> Result<String, ApiError> {
        match (next.authority(), &self.api_authority) {
            (None, _) => Ok(next.to_string()),
            (Some(host), Some(api)) if host == api => Ok(next.to_string()),
            _ => Err(ApiError::other(
                operation,
                &next.to_string(),
                "the next-page link points away from the API host; not following it with the token",
            )),
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.retry.base_backoff * 2u32.saturating_pow(attempt.saturating_sub(1))
    }

    /// Spends `wait` from the run's retry budget; false when it would exceed it.
    fn take_wait_budget(&self, wait: Duration) -> bool {
        let mut waited = self.waited.lock().unwrap_or_else(|e| e.into_inner());
        if *waited + wait > self.retry.max_total_wait {
            return false;
        }
        *waited += wait;
        true
    }
}

/// Reads a successful response's JSON body; errors name the call that was made.
pub(super) async fn read_json<T: DeserializeOwned>(
    operation: &'static str,
    method: &Method,
    route: &str,
    response: Response,
) -> Result<T, ApiError> {
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| ApiError::transport(operation, method, route, &e))?
        .to_bytes();
    serde_json::from_slice(&bytes).map_err(|e| ApiError::unparsable(operation, method, route, &e))
}

/// How long GitHub asks us to wait, when the response is a (primary or secondary) rate limit.
fn rate_limit_wait(status: StatusCode, headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    let exhausted = header("x-ratelimit-remaining") == Some("0");
    let is_limit = status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::FORBIDDEN && (retry_after.is_some() || exhausted));
    if !is_limit {
        return None;
    }
    if let Some(seconds) = retry_after {
        return Some(Duration::from_secs(seconds));
    }
    if exhausted {
        if let Some(reset) = header("x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok()) {
            let now = chrono::Utc::now().timestamp();
            return Some(Duration::from_secs((reset - now).clamp(1, i64::MAX) as u64));
        }
    }
    // GitHub's advice for a secondary limit without headers: wait at least a minute.
    Some(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn a_plain_403_is_not_a_rate_limit() {
        assert_eq!(
            rate_limit_wait(StatusCode::FORBIDDEN, &HeaderMap::new()),
            None
        );
    }

    #[test]
    fn retry_after_is_honoured() {
        let wait = rate_limit_wait(StatusCode::FORBIDDEN, &headers(&[("retry-after", "7")]));
        assert_eq!(wait, Some(Duration::from_secs(7)));
    }

    #[test]
    fn an_exhausted_primary_limit_waits_until_reset() {
        let reset = (chrono::Utc::now().timestamp() + 30).to_string();
        let wait = rate_limit_wait(
            StatusCode::FORBIDDEN,
            &headers(&[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &reset),
            ]),
        )
        .unwrap();
        assert!(wait <= Duration::from_secs(30) && wait >= Duration::from_secs(28));
    }

    #[test]
    fn a_429_without_headers_waits_a_minute() {
        let wait = rate_limit_wait(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new());
        assert_eq!(wait, Some(Duration::from_secs(60)));
    }
}
