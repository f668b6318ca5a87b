//! The one place that sends HTTP: a small client over octocrab with our own retry policy.
//!
//! octocrab's built-in retry retries 5xx with no backoff, ignores `Retry-After` on secondary rate
//! limits and retries POSTs (a 502 on create-comment gave two comments). So octocrab runs with
//! `RetryConfig::None` and every call here names its operation and whether it may be repeated.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Uri};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use octocrab::service::middleware::retry::RetryConfig;
use octocrab::Octocrab;
use serde::de::DeserializeOwned;
use tower_http::follow_redirect::RequestUri;

use super::error::ApiError;

/// How hard to try before giving up on GitHub.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    /// Backoff before the second attempt after a 5xx or transport error; doubles each time.
    pub base_backoff: Duration,
    /// The most the whole run may spend waiting on retries and rate limits together.
    pub max_total_wait: Duration,
    /// The wait after a rate limit that names no time (GitHub: "at least one minute").
    pub unannounced_limit_wait: Duration,
    /// How long a log download may go without a byte before that attempt ends
    /// ([`LOG_STALL_TIMEOUT`]; tests make it short).
    pub log_stall: Duration,
}

/// A log download that sends no byte for this long has stalled: waiting longer would only
/// spend the run's `timeout-seconds` on a host that stopped answering (a fixed time, not an
/// input: a healthy host sends something every few milliseconds).
pub const LOG_STALL_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_backoff: Duration::from_secs(1),
            max_total_wait: Duration::from_secs(120),
            unannounced_limit_wait: Duration::from_secs(60),
            log_stall: LOG_STALL_TIMEOUT,
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
    pub(super) api_authority: Option<http::uri::Authority>,
    /// GraphQL's endpoint on the API host: `{api}/graphql`, or `/api/graphql` next to GitHub
    /// Enterprise Server's `/api/v3`.
    pub(super) graphql_url: String,
    pub repo: Repo,
    retry: RetryPolicy,
    waited: std::sync::Mutex<Duration>,
    /// When the run must give up on GitHub (the `timeout-seconds` input).
    deadline: Option<tokio::time::Instant>,
}

/// Whether a successful answer's body is read inside the retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// The body is handed over unread (a log, streamed into the analyzer), from byte `from` on
    /// (a `Range` request when not 0). An attempt that gets no answer within
    /// [`RetryPolicy::log_stall`] ends with a stalled error (see [`ApiError::is_stall`]),
    /// which is not retried here: the caller resumes.
    Streamed { from: u64 },
    /// The whole body is read before the answer counts (JSON).
    Buffered,
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
            // 2026-03-10, the first version with breaking changes, changes `GET /rate_limit`,
            // team creation, contents listings and pre-receive hooks: none of the calls here.
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
            graphql_url: graphql_url(api_url),
            api_authority: base.authority().cloned(),
            repo,
            retry,
            waited: std::sync::Mutex::new(Duration::ZERO),
            deadline: None,
        })
    }

    /// Gives up every call (and every wait) that would end after `deadline`.
    pub fn with_deadline(mut self, deadline: tokio::time::Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// `/repos/{owner}/{repo}` + `suffix`.
    pub fn repo_route(&self, suffix: &str) -> String {
        format!("/repos/{}/{}{}", self.repo.owner, self.repo.name, suffix)
    }

    /// Sends one request under the retry policy and returns a successful response, or the error
    /// GitHub gave (with route, status, message and request id). With [`Reading::Buffered`] the
    /// body is read inside the retry, so a connection reset in the middle of it is retried like
    /// one before the headers; with [`Reading::Streamed`] (a log) a reset or a stall after the
    /// headers is the caller's to handle.
    pub async fn send(
        &self,
        operation: &'static str,
        method: Method,
        route: &str,
        body: Option<&serde_json::Value>,
        idempotence: Idempotence,
        reading: Reading,
    ) -> Result<Response, ApiError> {
        let may_repeat = idempotence == Idempotence::Repeatable;
        let mut attempt = 1;
        loop {
            let exchanged = match self
                .until_deadline(self.attempt(&method, route, body, reading))
                .await
            {
                Some(exchanged) => exchanged,
                None => return Err(ApiError::timed_out(operation, &method, route)),
            };
            let (error, retry_in) = match exchanged {
                Err(Stalled) => {
                    let secs = self.retry.log_stall.as_secs_f32().ceil();
                    return Err(ApiError::stalled(operation, &method, route, secs));
                }
                Ok(Ok(response)) if response.status().is_success() => return Ok(response),
                Ok(Ok(response)) => {
                    let server_error = response.status().is_server_error();
                    let answered_by = self.foreign_host(&response);
                    let mut error =
                        ApiError::from_response(operation, &method, route, response).await;
                    error.answered_by = answered_by;
                    let wait = match &error.rate_limit {
                        // A refused request had no effect, so even a POST may be sent again.
                        Some(limit) => {
                            Some(limit.wait(chrono::Utc::now(), self.retry.unannounced_limit_wait))
                        }
                        None if server_error && may_repeat => Some(self.backoff(attempt)),
                        None => None,
                    };
                    (error, wait)
                }
                Ok(Err(error)) => (
                    ApiError::transport(operation, &method, route, &error),
                    may_repeat.then(|| self.backoff(attempt)),
                ),
            };
            let Some(wait) = retry_in
                .filter(|wait| attempt < self.retry.max_attempts && self.take_wait_budget(*wait))
            else {
                return Err(error);
            };
            let why = match error.status {
                Some(status) if error.rate_limit.is_some() => {
                    format!("rate limited (HTTP {})", status.as_u16())
                }
                Some(status) => format!("HTTP {}", status.as_u16()),
                None => "no answer".to_owned(),
            };
            tracing::info!(
                "{operation}: {why} on {}; retrying in {:.0}s (attempt {} of {})",
                error.route,
                wait.as_secs_f32().ceil(),
                attempt + 1,
                self.retry.max_attempts
            );
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One try: the request, and with [`Reading::Buffered`] its whole body. A streamed read
    /// (a GET, a log) that gets no answer within [`RetryPolicy::log_stall`] has [`Stalled`].
    async fn attempt(
        &self,
        method: &Method,
        route: &str,
        body: Option<&serde_json::Value>,
        reading: Reading,
    ) -> Result<Result<Response, octocrab::Error>, Stalled> {
        match reading {
            Reading::Streamed { from } => {
                let request = self.octo._get_with_headers(route, range_from(from));
                tokio::time::timeout(self.retry.log_stall, request)
                    .await
                    .map_err(|_| Stalled)
            }
            Reading::Buffered => Ok(self.exchange(method, route, body).await),
        }
    }

    /// A buffered request: the answer and, when it succeeded, its whole body.
    async fn exchange(
        &self,
        method: &Method,
        route: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Response, octocrab::Error> {
        let response = match *method {
            Method::GET => self.octo._get(route).await,
            Method::POST => self.octo._post(route, body).await,
            Method::PATCH => self.octo._patch(route, body).await,
            Method::DELETE => self.octo._delete(route, body).await,
            _ => unreachable!("no other method is used"),
        }?;
        if !response.status().is_success() {
            return Ok(response);
        }
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await?.to_bytes();
        let body = Full::new(bytes).map_err(|never| match never {}).boxed();
        Ok(http::Response::from_parts(parts, body))
    }

    /// The host that answered, when a redirect led away from the API host.
    fn foreign_host(&self, response: &Response) -> Option<String> {
        let uri = &response.extensions().get::<RequestUri>()?.0;
        let host = uri.authority()?;
        (Some(host) != self.api_authority.as_ref()).then(|| host.host().to_owned())
    }

    /// How long a log download may go without a byte ([`RetryPolicy::log_stall`]).
    pub(super) fn log_stall(&self) -> Duration {
        self.retry.log_stall
    }

    /// Runs `work` until the run's deadline; `None` when the deadline came first.
    pub async fn until_deadline<F: std::future::Future>(&self, work: F) -> Option<F::Output> {
        match self.deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, work).await.ok(),
            None => Some(work.await),
        }
    }

    /// GET a JSON document.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        route: &str,
    ) -> Result<T, ApiError> {
        let response = self
            .send(
                operation,
                Method::GET,
                route,
                None,
                Idempotence::Repeatable,
                Reading::Buffered,
            )
            .await?;
        read_json(operation, &Method::GET, route, response).await
    }

    fn backoff(&self, attempt: u32) -> Duration {
        self.retry
            .base_backoff
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
    }

    /// Spends `wait` from the run's retry budget; false when it would exceed it.
    fn take_wait_budget(&self, wait: Duration) -> bool {
        let mut waited = self.waited.lock().unwrap_or_else(|e| e.into_inner());
        // A server chooses `wait` (`Retry-After: 18446744073709551615`): no sum may overflow.
        let past_deadline = self.deadline.is_some_and(|deadline| {
            tokio::time::Instant::now()
                .checked_add(wait)
                .is_none_or(|end| end >= deadline)
        });
        let total = waited.saturating_add(wait);
        if total > self.retry.max_total_wait || past_deadline {
            return false;
        }
        *waited = total;
        true
    }
}

/// A streamed request that got no answer within [`RetryPolicy::log_stall`].
pub(super) struct Stalled;

/// `Range: bytes=FROM-` when resuming a download, nothing for a download from the start.
fn range_from(from: u64) -> Option<http::HeaderMap> {
    (from > 0).then(|| {
        let mut headers = http::HeaderMap::new();
        let value = http::HeaderValue::from_str(&format!("bytes={from}-"))
            .expect("a number is a valid header value");
        headers.insert(http::header::RANGE, value);
        headers
    })
}

fn graphql_url(api_url: &str) -> String {
    let api = api_url.trim_end_matches('/');
    match api.strip_suffix("/api/v3") {
        Some(server) => format!("{server}/api/graphql"),
        None => format!("{api}/graphql"),
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
