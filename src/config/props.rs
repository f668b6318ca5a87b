//! Property test: no environment makes the program panic. Whatever the runner, a workflow author
//! or a laptop's shell sets, loading the configuration either works or says what is wrong, and a
//! configuration that loads builds an HTTP client (header values and URLs included).

use std::collections::HashMap;

use proptest::prelude::*;

use super::{Config, Source};
use crate::cli::Cli;
use crate::github::{GitHub, RetryPolicy};
use crate::mutate::{fixture, mutated};

/// Every variable the program reads, inputs in both spellings the runner uses.
const NAMES: &[&str] = &[
    "GITHUB_ACTIONS",
    "GITHUB_API_URL",
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_WORKFLOW",
    "GITHUB_EVENT_NAME",
    "GITHUB_EVENT_PATH",
    "GITHUB_WORKSPACE",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_OUTPUT",
    "GITHUB_SHA",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "RUNNER_NAME",
    "INPUT_GITHUB-TOKEN",
    "INPUT_GITHUB_TOKEN",
    "INPUT_RUN-ID",
    "INPUT_RUN-ATTEMPT",
    "INPUT_PR-NUMBER",
    "INPUT_SUMMARY",
    "INPUT_COMMENT",
    "INPUT_MAX-LINES",
    "INPUT_TIMEOUT-SECONDS",
    "INPUT_EXCLUDE-JOBS",
    "INPUT_FAIL-ON-ERROR",
    "INPUT_DETECT-FLAKY",
    "INPUT_COMPARE-BASE",
    "INPUT_GROUP-ERRORS",
    "INPUT_SUMMARY-TEMPLATE",
    "INPUT_COMMENT-TEMPLATE",
];

/// Values near the ones that matter (numbers, booleans, URLs, tokens) and arbitrary text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "", " ", "true", "false", "0", "1", "-1", "40", "1000", "1001", "21600", "21601",
            "18446744073709551616", "https://api.github.com", "http://127.0.0.1:1",
            "127.0.0.1:8080", "https://", "ftp://x", "http://[::1", "octo-org/octo-repo",
            "a/b/c", "/", "ghs_secret\n", "tok en", "tok\u{0}en", "ghp_é", "push",
            "pull_request", "workflow_run", "on-failure", "always", "never", "*", "[",
            "{a,b", "/nonexistent/event.json", "/dev/null", "/tmp",
        ])
        .prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

fn environment() -> impl Strategy<Value = HashMap<String, String>> {
    prop::collection::hash_map(
        prop::sample::select(NAMES).prop_map(str::to_owned),
        value(),
        0..NAMES.len(),
    )
}

/// A real payload of each kind the program reads, with one value replaced.
fn event() -> impl Strategy<Value = (&'static str, String)> {
    let payloads = [
        ("pull_request", "pull_request.opened.json"),
        ("pull_request_target", "pull_request.synchronize.json"),
        ("push", "push.with-new-branch.json"),
        ("push", "push.tag-deleted.json"),
        (
            "workflow_run",
            "workflow_run.completed.with-pull-requests.json",
        ),
        (
            "workflow_job",
            "workflow_job.completed.failure.with-organization.json",
        ),
    ];
    prop::sample::select(payloads.to_vec()).prop_flat_map(|(name, file)| {
        let document = fixture(&format!("events/{file}"));
        (
            Just(name),
            mutated(document).prop_map(|payload| payload.to_string()),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn no_event_payload_panics(event in event()) {
        let (name, payload) = event;
        let _ = crate::event::EventFacts::parse(name, &payload);
    }

    #[test]
    fn no_environment_panics_and_a_loaded_one_builds_a_client(env in environment()) {
        let loaded = Config::load(&Cli::default(), &|name: &str| env.get(name).cloned());
        if let Ok(Config { source: Source::Api { api_url, token, repo, .. }, .. }) = loaded {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                // An error is fine (a refused URL); a panic is not.
                let _ = GitHub::new(&api_url, Some(&token), repo, RetryPolicy::default());
            });
        }
    }
}
