//! Property tests: no server answer makes the program panic. An error answer of any status,
//! headers and body becomes an [`ApiError`] with advice; a page of any shape (GitHub's real
//! ones with a value replaced, any `Link` header) is read, or refused with an error.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use octocrab::{FromResponse, Page};
use proptest::prelude::*;
use serde_json::Value;

use super::client::Response;
use super::error::ApiError;
use super::models::{Annotation, Comment, Job, PullRequest, Readable};
use crate::mutate::{fixture, mutated};

fn response(status: u16, headers: &[(&str, String)], body: Vec<u8>) -> Option<Response> {
    let mut builder = http::Response::builder().status(status);
    for (name, value) in headers {
        builder = builder.header(*name, http::HeaderValue::from_str(value).ok()?);
    }
    let body = Full::new(Bytes::from(body))
        .map_err(|never| match never {})
        .boxed();
    builder.body(body).ok()
}

fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "0",
            "1",
            "60",
            "-5",
            "18446744073709551615",
            "99999999999999999999",
            "",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "garbage",
        ])
        .prop_map(str::to_owned),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[ -~]{0,40}",
    ]
}

fn error_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..300),
        "[ -~\n]{0,200}".prop_map(|message| {
            serde_json::json!({ "message": message })
                .to_string()
                .into_bytes()
        }),
        Just(br#"{"message": "You have exceeded a secondary rate limit."}"#.to_vec()),
        Just(br#"{"message": null}"#.to_vec()),
    ]
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn page_of(kind: usize, body: &Value, link: &str) -> Result<usize, String> {
    let Some(response) = response(
        200,
        &[("link", link.to_owned())],
        body.to_string().into_bytes(),
    ) else {
        return Ok(0);
    };
    runtime().block_on(async {
        let read = |e: octocrab::Error| e.to_string();
        Ok(match kind {
            0 => Page::<Readable<Job>>::from_response(response)
                .await
                .map_err(read)?
                .items
                .len(),
            1 => Page::<Readable<Annotation>>::from_response(response)
                .await
                .map_err(read)?
                .items
                .len(),
            2 => Page::<Readable<Comment>>::from_response(response)
                .await
                .map_err(read)?
                .items
                .len(),
            _ => Page::<Readable<PullRequest>>::from_response(response)
                .await
                .map_err(read)?
                .items
                .len(),
        })
    })
}

/// A real list of each kind the program reads, with one value replaced.
fn page() -> impl Strategy<Value = (usize, Value)> {
    let files = [
        "openapi-job-paginated.json",
        "openapi-check-annotation-items.json",
        "openapi-issue-comment-items.json",
        "openapi-pull-request-simple-items.json",
    ];
    (0..files.len()).prop_flat_map(move |kind| (Just(kind), mutated(fixture(files[kind]))))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_error_answer_becomes_advice(
        status in 400u16..600,
        headers in prop::collection::vec(
            (prop::sample::select(vec![
                "retry-after", "x-ratelimit-remaining", "x-ratelimit-reset", "x-github-request-id",
            ]), header_value()),
            0..4,
        ),
        body in error_body(),
    ) {
        let Some(response) = response(status, &headers, body) else { return Ok(()) };
        let error = runtime().block_on(ApiError::from_response(
            "listing the run's jobs", &http::Method::GET, "/repos/o/r/actions/runs/1/jobs", response,
        ));
        let text = error.to_string();
        prop_assert!(!text.contains('\n'), "{}", text);
        if let Some(limit) = &error.rate_limit {
            prop_assert!(text.contains("rate limit"), "{}", text);
            let _ = limit.wait(chrono::Utc::now(), std::time::Duration::from_secs(60));
        }
    }

    #[test]
    fn any_page_is_read_or_refused(page in page(), link in "[ -~]{0,80}") {
        let (kind, body) = page;
        let _ = page_of(kind, &body, &link);
    }
}
