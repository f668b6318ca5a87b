//! Telling GitHub's rate limits apart from every other refusal.
//!
//! A rate limit is a 403 or 429 like a missing permission is, so a message built on the status
//! alone sends the user to fix a permission that is fine. GitHub marks its limits three ways:
//! `x-ratelimit-remaining: 0` with `x-ratelimit-reset` (the primary, hourly quota), a
//! `Retry-After` header, or only a message naming the limit (a secondary limit may come without
//! any header). GitHub's guidance: wait until the reset or `Retry-After`, and without either wait
//! at least a minute, then retry.

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::{HeaderMap, StatusCode};

/// Which limit refused a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimit {
    /// The token's hourly quota is used up; it refills at `reset` (when GitHub said).
    Primary { reset: Option<DateTime<Utc>> },
    /// Too many requests in a short time, or at once; `retry_after` when GitHub said.
    Secondary { retry_after: Option<Duration> },
}

/// The rate limit a response reports, if any. Pure: `now` is passed in so tests are exact.
pub fn classify(
    status: StatusCode,
    headers: &HeaderMap,
    message: &str,
    now: DateTime<Utc>,
) -> Option<RateLimit> {
    if status != StatusCode::FORBIDDEN && status != StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let retry_after = header("retry-after").and_then(|v| parse_retry_after(v, now));
    let exhausted = header("x-ratelimit-remaining") == Some("0");
    let reset = header("x-ratelimit-reset")
        .and_then(|v| v.parse::<i64>().ok())
        .and_then(|secs| DateTime::from_timestamp(secs, 0));
    let message = message.to_ascii_lowercase();
    let names_secondary = message.contains("secondary rate limit") || message.contains("abuse");
    if names_secondary || (retry_after.is_some() && !exhausted) {
        return Some(RateLimit::Secondary { retry_after });
    }
    if exhausted || message.contains("rate limit") {
        return Some(RateLimit::Primary { reset });
    }
    // A 429 is a limit by definition, whatever the body says.
    (status == StatusCode::TOO_MANY_REQUESTS).then_some(RateLimit::Secondary { retry_after })
}

/// `Retry-After` is seconds, or (RFC 9110) an HTTP date.
fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

impl RateLimit {
    /// How long to wait before trying again. `unannounced` is the wait when GitHub gave no time
    /// (GitHub asks for at least a minute).
    pub fn wait(&self, now: DateTime<Utc>, unannounced: Duration) -> Duration {
        match self {
            RateLimit::Primary { reset: Some(reset) } => {
                // The reset second itself may still be refused: one more second.
                let until = (*reset - now).to_std().unwrap_or(Duration::ZERO);
                until.saturating_add(Duration::from_secs(1))
            }
            RateLimit::Secondary {
                retry_after: Some(after),
            } => *after,
            _ => unannounced,
        }
    }

    /// The advice once waiting is not possible within the run's budget: what happened, that it
    /// is not a permission problem, and when to try again.
    pub fn advice(&self, now: DateTime<Utc>) -> String {
        match self {
            RateLimit::Primary { reset } => {
                let when = match reset {
                    Some(reset) if *reset > now => format!(
                        "; it resets at {} UTC (in {} min)",
                        reset.format("%H:%M"),
                        (*reset - now).num_minutes() + 1
                    ),
                    _ => String::new(),
                };
                format!(
                    "This is GitHub's API rate limit, not a permission problem: the token's \
                     hourly quota is used up{when}. Re-run the job after that"
                )
            }
            RateLimit::Secondary { .. } => "This is GitHub's secondary rate limit (too many \
                requests in a short time), not a permission problem, and it did not lift within \
                the run's retry budget. Re-run the job in a few minutes"
                .to_owned(),
        }
    }
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

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    const NO_TIME: Duration = Duration::from_secs(60);

    #[test]
    fn a_plain_403_is_not_a_rate_limit() {
        let message = "Resource not accessible by integration";
        assert_eq!(
            classify(StatusCode::FORBIDDEN, &HeaderMap::new(), message, now()),
            None
        );
    }

    #[test]
    fn a_secondary_limit_named_only_in_the_message_waits_the_unannounced_minute() {
        let message = "You have exceeded a secondary rate limit. Please wait a few minutes.";
        let limit = classify(StatusCode::FORBIDDEN, &HeaderMap::new(), message, now()).unwrap();
        assert_eq!(limit, RateLimit::Secondary { retry_after: None });
        assert_eq!(limit.wait(now(), NO_TIME), NO_TIME);
        assert!(limit.advice(now()).contains("not a permission problem"));
    }

    #[test]
    fn retry_after_is_honoured_in_seconds_and_as_a_date() {
        let limit = classify(
            StatusCode::FORBIDDEN,
            &headers(&[("retry-after", "7")]),
            "",
            now(),
        )
        .unwrap();
        assert_eq!(limit.wait(now(), NO_TIME), Duration::from_secs(7));
        let date = (now() + chrono::Duration::seconds(30)).to_rfc2822();
        let limit = classify(
            StatusCode::TOO_MANY_REQUESTS,
            &headers(&[("retry-after", &date)]),
            "",
            now(),
        )
        .unwrap();
        assert_eq!(limit.wait(now(), NO_TIME), Duration::from_secs(30));
    }

    #[test]
    fn an_exhausted_primary_limit_waits_until_reset_and_says_when() {
        let reset = (now().timestamp() + 3600).to_string();
        let limit = classify(
            StatusCode::FORBIDDEN,
            &headers(&[
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-reset", &reset),
            ]),
            "API rate limit exceeded for installation ID 1.",
            now(),
        )
        .unwrap();
        assert_eq!(limit.wait(now(), NO_TIME), Duration::from_secs(3601));
        let advice = limit.advice(now());
        assert!(
            advice.contains("resets at 09:00 UTC (in 61 min)"),
            "{advice}"
        );
        assert!(advice.contains("not a permission problem"), "{advice}");
    }

    #[test]
    fn a_429_without_headers_is_a_limit_and_other_statuses_never_are() {
        let limit = classify(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), "", now());
        assert_eq!(limit, Some(RateLimit::Secondary { retry_after: None }));
        let busy = headers(&[("retry-after", "5")]);
        assert_eq!(
            classify(StatusCode::SERVICE_UNAVAILABLE, &busy, "rate limit", now()),
            None
        );
    }

    #[test]
    fn a_reset_in_the_past_means_try_again_now() {
        let limit = RateLimit::Primary {
            reset: Some(now() - chrono::Duration::seconds(5)),
        };
        assert_eq!(limit.wait(now(), NO_TIME), Duration::from_secs(1));
        assert!(!limit.advice(now()).contains("resets at"));
    }
}
