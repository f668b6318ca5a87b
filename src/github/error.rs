//! What went wrong talking to GitHub, with everything needed to act on it.

use http::{Method, StatusCode};
use http_body_util::BodyExt;

use super::client::Response;
use super::rate_limit::{self, RateLimit};

/// A failed API call: the operation, the route, GitHub's status and message, and the request id
/// GitHub support asks for. `hint` is the advice the caller knows how to give (which permission,
/// which input). A rate limit carries its own advice, which no caller's hint replaces: a 403
/// from a limit is not a missing permission.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub operation: &'static str,
    pub method: String,
    pub route: String,
    pub status: Option<StatusCode>,
    pub message: String,
    pub request_id: Option<String>,
    pub hint: Option<String>,
    /// Set when GitHub refused the call for a rate limit, whatever the status.
    pub rate_limit: Option<RateLimit>,
    /// The host that gave the answer when a redirect led away from the API (a log's storage
    /// host): the token was never sent there, so its permissions are not the cause.
    pub answered_by: Option<String>,
    /// No byte came within the stall time of a streamed read ([`ApiError::stalled`]).
    pub stalled: bool,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} failed", self.operation)?;
        if let Some(status) = self.status {
            write!(f, ": HTTP {}", status.as_u16())?;
        }
        if !self.message.is_empty() {
            write!(f, " ({})", self.message)?;
        }
        write!(f, " on {} {}", self.method, self.route)?;
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, ". {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// GitHub's error bodies: `{"message": "...", "documentation_url": "..."}`.
#[derive(serde::Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: Option<String>,
}

impl ApiError {
    pub(super) async fn from_response(
        operation: &'static str,
        method: &Method,
        route: &str,
        response: Response,
    ) -> Self {
        let (parts, body) = response.into_parts();
        let request_id = parts
            .headers
            .get("x-github-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // Error bodies are small JSON documents; a broken one is read as far as it goes and a
        // hostile one is capped, so an endless body cannot hold the run.
        let body = http_body_util::Limited::new(body, MAX_ERROR_BODY)
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        let message = serde_json::from_slice::<ErrorBody>(&body)
            .ok()
            .and_then(|b| b.message)
            .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned());
        let message = one_line(&message);
        let now = chrono::Utc::now();
        let rate_limit = rate_limit::classify(parts.status, &parts.headers, &message, now);
        ApiError {
            operation,
            method: method.to_string(),
            route: strip_query(route),
            status: Some(parts.status),
            hint: rate_limit.as_ref().map(|limit| limit.advice(now)),
            message,
            request_id,
            rate_limit,
            answered_by: None,
            stalled: false,
        }
    }

    /// A failure with no HTTP answer to quote (transport, body, a refused link).
    fn without_status(
        operation: &'static str,
        method: &Method,
        route: &str,
        message: &str,
    ) -> Self {
        ApiError {
            operation,
            method: method.to_string(),
            route: strip_query(route),
            status: None,
            message: one_line(message),
            request_id: None,
            hint: None,
            rate_limit: None,
            answered_by: None,
            stalled: false,
        }
    }

    pub(super) fn transport(
        operation: &'static str,
        method: &Method,
        route: &str,
        error: &dyn std::fmt::Display,
    ) -> Self {
        Self::without_status(operation, method, route, &format!("{error:#}"))
            .with_hint("Check GITHUB_API_URL and the network; the request never got an answer")
    }

    /// A call the run's deadline (`timeout-seconds`) cut short.
    pub(super) fn timed_out(operation: &'static str, method: &Method, route: &str) -> Self {
        Self::without_status(
            operation,
            method,
            route,
            "no answer before the run's deadline",
        )
        .with_hint(
            "The `timeout-seconds` input bounds the whole run; raise it if GitHub is slow today",
        )
    }

    /// A streamed read that got no byte for `secs` seconds: the caller may resume it.
    pub(super) fn stalled(
        operation: &'static str,
        method: &Method,
        route: &str,
        secs: f32,
    ) -> Self {
        let mut error =
            Self::without_status(operation, method, route, &format!("no byte for {secs}s"));
        error.stalled = true;
        error
    }

    /// Whether the call ended because the answer stalled ([`ApiError::stalled`]).
    pub fn is_stall(&self) -> bool {
        self.stalled
    }

    pub(super) fn unparsable(
        operation: &'static str,
        method: &Method,
        route: &str,
        error: &dyn std::fmt::Display,
    ) -> Self {
        let message = format!("unexpected response body: {error:#}");
        Self::without_status(operation, method, route, &message)
    }

    pub(super) fn other(operation: &'static str, route: &str, message: &str) -> Self {
        Self::without_status(operation, &Method::GET, route, message)
    }

    /// Adds the advice the caller can give for this status, unless the status came from a rate
    /// limit (whose advice stays).
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        if self.rate_limit.is_none() {
            self.hint = Some(hint.into());
        }
        self
    }

    /// [`ApiError::with_hint`] when GitHub answered one of `statuses`: the one shape of advice
    /// every call gives (which permission, which input).
    pub fn hint_for(self, statuses: &[u16], hint: impl Into<String>) -> Self {
        match self.status_code() {
            Some(status) if statuses.contains(&status) => self.with_hint(hint),
            _ => self,
        }
    }

    /// A refusal for a reason the caller may explain: not a rate limit, which explains itself.
    pub fn refused(&self, status: u16) -> bool {
        self.rate_limit.is_none() && self.status_code() == Some(status)
    }

    pub fn status_code(&self) -> Option<u16> {
        self.status.map(|s| s.as_u16())
    }
}

/// GitHub's error documents are a few hundred bytes.
const MAX_ERROR_BODY: usize = 64 * 1024;

fn strip_query(route: &str) -> String {
    route.split('?').next().unwrap_or(route).to_owned()
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
