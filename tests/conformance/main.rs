//! Conformance with GitHub's own API description (issue 7).
//!
//! Prism (`@stoplight/prism-cli` 5.14.2) mocks `tests/data/github-openapi-subset.json`, a copy of
//! `shared/reference/github-openapi-subset.json` (GitHub's OpenAPI description, trimmed to the 13
//! operations first used; see `shared/reference/SOURCES.md`) with three more operations from the
//! same upstream file (`tests/data/SOURCES.md`). The real binary runs against it with the
//! Actions environment. Prism answers **422** to any request that breaks the description (a path
//! parameter of the wrong type, an unknown query parameter value, a comment body that is not a
//! string …), so every test here fails when the program sends a malformed request or body.
//!
//! Between the binary and Prism sits a small recording proxy (`proxy.rs`): it adds
//! `Prefer: dynamic=true` for the schema-generated runs, keeps the log redirect on 127.0.0.1, and
//! records every exchange with Prism's `sl-violations` header, which the tests check.
//!
//! # The upstream quirks, and why each is tolerated
//!
//! SOURCES.md lists two places where GitHub's *examples* disagree with GitHub's *schemas*. Prism
//! serves the examples in static mode, so it reports these as response violations:
//!
//! 1. The `job` / `job-paginated` examples have no `created_at`, which the `job` schema requires
//!    (listing jobs). Tolerated because it is a defect of the example, not of a request we sent,
//!    and because our `Job` model must not need `created_at` anyway (we never read it, and real
//!    GitHub omitted it for years). The dynamic run below serves schema-valid jobs *with*
//!    `created_at`, so both shapes are exercised.
//! 2. The `pull-request` / `pull-request-simple-items` examples have `requested_teams[]` entries
//!    without `type` (PR lookup by commit). Tolerated for the same reason: an upstream example
//!    defect; we read only `number`, `state` and `html_url` of a pull request.
//!
//! Only *these* response violations are allowed ([`KNOWN_QUIRKS`]); any other violation, and any
//! violation of a *request*, fails the test with Prism's message.
//!
//! Prism runs **without `--errors`**: with it, the two quirks above turn the jobs listing and the
//! PR lookup into 500s in static mode, which would hide every other check. Without it, Prism still
//! answers 422 to an invalid request (that is not affected by `--errors`), and the proxy turns
//! every reported violation into a test failure, which is what `--errors` would have given us.
//!
//! Two more quirks of Prism itself, found while writing this test:
//!
//! 3. The `Location` of the log download's 302 is the spec's example,
//!    `https://pipelines.actions.githubusercontent.com/…`, a real external host. The proxy rewrites
//!    it to a local wiremock stub that serves a raw job log, and the test asserts the stub was hit
//!    and received no `Authorization` header (the token must never reach the blob host).
//! 4. Every list answers with the spec's `Link` header example,
//!    `<https://api.github.com/resource?page=2>; rel="next"`. Followed verbatim, the program
//!    rightly refuses a next page on another host (its token would go there) and the listing fails.
//!    The proxy replaces it by a next-page link to the same route with `page=2` on 127.0.0.1 and
//!    drops it on page 2: the program's next-page request is checked by Prism too.
//! 5. `workflow_id` (`actions/list-workflow-runs`) is `oneOf: [integer, string]`: a numeric id
//!    matches both, so Prism answers 422 to every id GitHub accepts. The proxy forwards the id as
//!    a workflow file name (`ci.yml`, the string form), so the route and the query are checked.
//!
//! # Exercising the log download
//!
//! The only job example has `conclusion: success`, so in static mode the program would never
//! download a log. The proxy patches the listed jobs to `conclusion: failure` (and, in static
//! mode, step 7 "Run Tests" to `failure`): a value of the schema's own enum, so the response stays
//! schema-valid ([`the_patches_keep_responses_schema_valid`] checks the enum in the copy). In
//! dynamic mode it also points each job's `check_run_url` at a numeric check run, so the
//! annotations of schema-generated jobs are fetched too. Prism's `__example` / `Prefer: example=`
//! cannot help: the description has a single job example.

mod forks;
mod passing;
mod prism;
mod proxy;

use std::collections::HashMap;
use std::process::{Command, Output};
use std::sync::Arc;

use serde_json::{json, Value};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use proxy::{Exchange, Options, Proxy};

const REPO: &str = "octo-org/octo-repo";
const SHA: &str = "f83a356604ae3c5d03e1b46ef4d1ca77d64a90b0";
/// The job id in the `job-paginated` example.
const EXAMPLE_JOB: u64 = 399444496;
/// The PR number in the `pull-request-simple-items` example.
const EXAMPLE_PR: u64 = 1347;
/// A line of the served log that must reach the digest.
const LOG_MARKER: &str = "CheckoutTest#test_conformance_marker";

/// Response violations that come from upstream examples, not from us (see the module docs).
const KNOWN_QUIRKS: &[(&str, &str)] = &[
    // (route suffix, text in Prism's message)
    ("/jobs", "must have required property 'created_at'"),
    ("/pulls", "must have required property 'type'"),
];

/// A raw job log in GitHub's format, timed to the steps of the spec's job example
/// (2020-01-20, 09:42:40-08:00 …), failing in step 7 "Run Tests". With a BOM and ANSI colours,
/// as real logs have.
fn raw_log() -> String {
    let lines = [
        ("17:42:40.1000000", "Current runner version: '2.330.0'"),
        ("17:42:40.2000000", "##[group]Operating System"),
        ("17:42:40.3000000", "Ubuntu"),
        ("17:42:40.4000000", "##[endgroup]"),
        ("17:42:41.1000000", "##[group]Run actions/checkout@v2"),
        ("17:42:41.2000000", "with:"),
        ("17:42:41.3000000", "##[endgroup]"),
        (
            "17:42:44.0000000",
            "Checked out f83a356604ae3c5d03e1b46ef4d1ca77d64a90b0",
        ),
        ("17:42:45.1000000", "##[group]Run ruby/setup-ruby@v1"),
        ("17:42:45.2000000", "##[endgroup]"),
        ("17:42:48.1000000", "##[group]Run gem install bundler"),
        ("17:42:48.2000000", "##[endgroup]"),
        ("17:42:52.1000000", "##[group]Run bundle install"),
        ("17:42:52.2000000", "##[endgroup]"),
        ("17:42:53.1000000", "##[group]Run bundle exec rake test"),
        (
            "17:42:53.2000000",
            "\u{1b}[36;1mbundle exec rake test\u{1b}[0m",
        ),
        ("17:42:53.3000000", "##[endgroup]"),
        ("17:42:58.0000000", "  1) Failure:"),
        (
            "17:42:58.1000000",
            "CheckoutTest#test_conformance_marker [test/checkout_test.rb:12]:",
        ),
        ("17:42:58.2000000", "Expected: 200"),
        ("17:42:58.3000000", "  Actual: 422"),
        (
            "17:42:58.4000000",
            "10 runs, 24 assertions, 1 failures, 0 errors, 0 skips",
        ),
        (
            "17:42:59.0000000",
            "##[error]Process completed with exit code 1.",
        ),
        ("17:44:39.1000000", "Post job cleanup."),
        ("17:44:39.2000000", "Cleaning up orphan processes"),
    ];
    let mut log = String::from("\u{feff}");
    for (time, text) in lines {
        log.push_str(&format!("2020-01-20T{time}Z {text}\n"));
    }
    log
}

/// The local blob host the log redirect is rewritten to.
async fn log_stub() -> MockServer {
    let stub = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"/signedlogcontent$"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/plain; charset=utf-8")
                .set_body_string(raw_log()),
        )
        .mount(&stub)
        .await;
    stub
}

fn is_jobs_listing(method: &str, target: &str) -> bool {
    let path = target.split('?').next().unwrap_or_default();
    method == "GET" && path.contains("/actions/runs/") && path.ends_with("/jobs")
}

/// The proxy's page 2 (see `proxy.rs`) repeats Prism's example; its items get other ids, as the
/// items of a real second page would have.
fn is_page_2(target: &str) -> bool {
    target
        .split_once('?')
        .is_some_and(|(_, q)| q.split('&').any(|kv| kv == "page=2"))
}

/// Static mode: the example job failed in step 7, "Run Tests".
fn fail_the_example_job(method: &str, target: &str, body: &mut Value) {
    if !is_jobs_listing(method, target) {
        return;
    }
    for job in body["jobs"].as_array_mut().into_iter().flatten() {
        job["conclusion"] = json!("failure");
        if is_page_2(target) {
            job["id"] = json!(EXAMPLE_JOB + 1);
            job["name"] = json!("build (page 2)");
        }
        for step in job["steps"].as_array_mut().into_iter().flatten() {
            match step["number"].as_u64() {
                Some(7) => step["conclusion"] = json!("failure"),
                Some(8) => step["conclusion"] = json!("skipped"),
                _ => {}
            }
        }
    }
}

/// Dynamic mode: every generated job failed and has a numeric check run; nothing else changes.
fn fail_every_generated_job(method: &str, target: &str, body: &mut Value) {
    if !is_jobs_listing(method, target) {
        return;
    }
    for (i, job) in body["jobs"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .enumerate()
    {
        job["conclusion"] = json!("failure");
        job["check_run_url"] = json!(format!(
            "https://api.github.com/repos/{REPO}/check-runs/{}",
            i + 1
        ));
    }
}

/// Static mode, update case: the first listed comment carries our marker; page 2 holds other
/// comments.
fn mark_the_first_comment(method: &str, target: &str, body: &mut Value) {
    fail_the_example_job(method, target, body);
    let path = target.split('?').next().unwrap_or_default();
    if method == "GET" && path.ends_with(&format!("/issues/{EXAMPLE_PR}/comments")) {
        let comments = body.as_array_mut().into_iter().flatten();
        for (i, comment) in comments.enumerate() {
            if is_page_2(target) {
                comment["id"] = json!(1000 + i);
            } else if i == 0 {
                comment["body"] = json!("<!-- failure-digest:CI -->\nan earlier digest");
                // Only comments by the identity that posts count: the Actions token's bot.
                comment["user"]["login"] = json!("github-actions[bot]");
            }
        }
    }
}

struct Run {
    output: Output,
    summary: String,
    outputs: String,
    exchanges: Vec<Exchange>,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Everything needed to understand a failure.
    fn report(&self) -> String {
        let exchanges: Vec<String> = self.exchanges.iter().map(|e| format!("  {e}")).collect();
        format!(
            "exit: {}\nstderr:\n{}\nrequests:\n{}\nsummary:\n{}\nprism log tail:\n{}",
            self.output.status,
            self.stderr(),
            exchanges.join("\n"),
            self.summary,
            prism::prism().map(|p| p.log_tail()).unwrap_or_default()
        )
    }

    fn find(&self, method: &str, path_suffix: &str) -> Vec<&Exchange> {
        self.exchanges
            .iter()
            .filter(|e| e.method == method && e.path().ends_with(path_suffix))
            .collect()
    }

    /// Prism accepted every request, and reported nothing but the known upstream quirks.
    fn assert_conformant(&self) {
        let mut problems = Vec::new();
        for exchange in &self.exchanges {
            if exchange.status == 422 || exchange.status >= 500 {
                problems.push(format!("Prism rejected a request: {exchange}"));
            }
            for violation in violations(exchange) {
                let message = violation["message"].as_str().unwrap_or_default();
                let on_response = violation["location"][0] == "response";
                let known = on_response
                    && KNOWN_QUIRKS.iter().any(|(route, text)| {
                        exchange.path().ends_with(route) && message.contains(text)
                    });
                if !known {
                    problems.push(format!(
                        "unexpected violation {violation} in: {} {}",
                        exchange.method, exchange.target
                    ));
                }
            }
        }
        assert!(
            problems.is_empty(),
            "{}\n\n{}",
            problems.join("\n"),
            self.report()
        );
    }

    fn assert_succeeded(&self) {
        assert!(self.output.status.success(), "{}", self.report());
        let warnings: Vec<&str> = std::str::from_utf8(&self.output.stderr)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.starts_with("::warning::") || l.starts_with("::error::"))
            // Prism's generated data holds schema-valid negative ids, which no `u64` holds: the
            // program leaves such an item out with this warning, by design.
            .filter(|l| !l.contains("left out an item this program cannot read"))
            .collect();
        assert!(
            warnings.is_empty(),
            "no part of the report may degrade: {warnings:?}\n{}",
            self.report()
        );
    }
}

fn violations(exchange: &Exchange) -> Vec<Value> {
    exchange
        .violations
        .as_deref()
        .map(|v| match serde_json::from_str::<Value>(v) {
            Ok(Value::Array(list)) => list,
            _ => vec![json!({ "message": v, "location": ["unparsable sl-violations"] })],
        })
        .unwrap_or_default()
}

/// Runs the binary through a fresh proxy to `prism` (with `prefer` and `patch` applied to every
/// exchange) and checks that Prism accepted every request.
async fn conformant_run(
    prism: &prism::Prism,
    stub: &MockServer,
    prefer: Option<&str>,
    patch: fn(&str, &str, &mut Value),
    comment: &str,
) -> Run {
    let options = Options {
        prefer: prefer.map(str::to_owned),
        patch: Some(Arc::new(patch)),
    };
    let proxy = Proxy::start(prism.addr, &stub.uri(), options);
    let run = run_binary(&proxy, comment).await;
    run.assert_conformant();
    run
}

/// Runs the real binary as the Actions runner would, against `proxy`.
async fn run_binary(proxy: &Proxy, comment: &str) -> Run {
    run_binary_with(proxy, comment, Vec::new()).await
}

/// [`run_binary`] with `extra` variables set over (or added to) the runner's.
async fn run_binary_with(proxy: &Proxy, comment: &str, extra: Vec<(&'static str, String)>) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let events = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/events");
    let mut env: HashMap<&str, String> = [
        ("PATH", std::env::var("PATH").unwrap_or_default()),
        ("GITHUB_ACTIONS", "true".into()),
        ("GITHUB_API_URL", proxy.url()),
        ("GITHUB_SERVER_URL", "https://github.com".into()),
        ("GITHUB_REPOSITORY", REPO.into()),
        ("GITHUB_RUN_ID", "42".into()),
        ("GITHUB_RUN_ATTEMPT", "1".into()),
        ("GITHUB_WORKFLOW", "CI".into()),
        ("GITHUB_EVENT_NAME", "push".into()),
        (
            "GITHUB_EVENT_PATH",
            format!("{events}/push.with-new-branch.json"),
        ),
        ("GITHUB_SHA", SHA.into()),
        ("INPUT_GITHUB-TOKEN", "ghs_conformance".into()),
        ("INPUT_COMMENT", comment.into()),
        (
            "GITHUB_STEP_SUMMARY",
            dir.path().join("summary.md").display().to_string(),
        ),
        (
            "GITHUB_OUTPUT",
            dir.path().join("output.txt").display().to_string(),
        ),
    ]
    .into_iter()
    .collect();
    env.extend(extra);
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_failure-digest"))
            .env_clear()
            .envs(env)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    Run {
        output,
        summary: std::fs::read_to_string(dir.path().join("summary.md")).unwrap_or_default(),
        outputs: std::fs::read_to_string(dir.path().join("output.txt")).unwrap_or_default(),
        exchanges: proxy.exchanges(),
    }
}

/// The stub served the log, and never saw the token.
async fn assert_log_fetched_locally(stub: &MockServer, run: &Run) {
    let requests = stub.received_requests().await.unwrap_or_default();
    assert!(
        !requests.is_empty(),
        "the log redirect was not followed to the local stub\n{}",
        run.report()
    );
    for request in &requests {
        assert!(
            !request.headers.contains_key("authorization"),
            "the token was sent to the log host: {}",
            request.url
        );
        assert!(
            !request.url.path().ends_with("/unexpected-redirect"),
            "Prism redirected somewhere undocumented\n{}",
            run.report()
        );
    }
}

#[tokio::test]
async fn static_examples_jobs_log_redirect_and_annotations() {
    let Some(prism) = prism::prism() else { return };
    let stub = log_stub().await;
    let run = conformant_run(prism, &stub, None, fail_the_example_job, "never").await;
    run.assert_succeeded();

    let jobs = run.find("GET", "/actions/runs/42/attempts/1/jobs");
    assert_eq!(jobs.len(), 2, "page 1 and page 2\n{}", run.report());
    assert!(jobs[0].target.contains("per_page=100"), "{}", jobs[0]);
    assert!(
        run.summary.contains("2 of 2 jobs failed"),
        "{}",
        run.report()
    );
    let logs = run.find("GET", "/logs");
    for id in [EXAMPLE_JOB, EXAMPLE_JOB + 1] {
        let route = format!("/actions/jobs/{id}/logs");
        assert!(
            logs.iter().any(|l| l.path().ends_with(&route)),
            "no log download for job {id}\n{}",
            run.report()
        );
    }
    for log in &logs {
        assert_eq!(log.status, 302, "{log}");
        assert!(
            log.location
                .as_deref()
                .is_some_and(|l| l.starts_with(proxy::LOG_HOST)),
            "Prism's redirect points at the external blob host: {log:?}"
        );
    }
    assert_log_fetched_locally(&stub, &run).await;
    let annotations = run.find("GET", &format!("/check-runs/{EXAMPLE_JOB}/annotations"));
    assert!(!annotations.is_empty(), "{}", run.report());
    assert!(annotations.iter().all(|a| a.status == 200));

    assert!(
        run.summary.contains("The job failed at step **Run Tests**"),
        "{}",
        run.report()
    );
    assert!(run.summary.contains(LOG_MARKER), "{}", run.report());
    assert!(
        run.summary.contains("Check your spelling for"),
        "the example annotation is rendered\n{}",
        run.report()
    );
    assert!(run.outputs.contains("failure"), "{}", run.outputs);
    assert!(
        run.find("POST", "/comments").is_empty() && run.find("PATCH", "").is_empty(),
        "`comment: never` writes nothing\n{}",
        run.report()
    );
}

/// Schema-generated data: random strings, nulls where allowed, extra properties, any integer.
/// Several runs, since each draws new data; the bodies that broke a run are in the report.
#[tokio::test]
async fn dynamic_responses_parse_and_the_digest_renders() {
    let Some(prism) = prism::prism() else { return };
    let stub = log_stub().await;
    let (mut logs, mut annotations) = (0, 0);
    for _ in 0..4 {
        let run = conformant_run(
            prism,
            &stub,
            Some("dynamic=true"),
            fail_every_generated_job,
            "never",
        )
        .await;
        run.assert_succeeded();
        assert!(run.summary.starts_with("## "), "{}", run.report());
        assert!(
            run.find("GET", "/annotations")
                .iter()
                .all(|a| a.status == 200),
            "{}",
            run.report()
        );
        if run
            .find("GET", "/logs")
            .iter()
            .any(|l| (200..400).contains(&l.status))
        {
            assert_log_fetched_locally(&stub, &run).await;
        }
        logs += run.find("GET", "/logs").len();
        annotations += run.find("GET", "/annotations").len();
    }
    eprintln!("dynamic: {logs} log downloads, {annotations} annotation lists in 4 runs");
}

fn assert_comment_body(exchange: &Exchange) {
    let body: Value = serde_json::from_str(&exchange.request_body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {exchange}"));
    let text = body["body"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("<!-- failure-digest:CI -->"),
        "the marker is on the first line: {exchange}"
    );
    assert!(text.chars().count() <= 65_536, "{exchange}");
}

#[tokio::test]
async fn comment_is_created_when_none_exists() {
    let Some(prism) = prism::prism() else { return };
    let stub = log_stub().await;
    let run = conformant_run(prism, &stub, None, fail_the_example_job, "always").await;
    run.assert_succeeded();
    let lookup = run.find("GET", &format!("/commits/{SHA}/pulls"));
    assert_eq!(lookup.len(), 1, "{}", run.report());
    assert!(
        !run.find("GET", &format!("/issues/{EXAMPLE_PR}/comments"))
            .is_empty(),
        "{}",
        run.report()
    );
    let created = run.find("POST", &format!("/issues/{EXAMPLE_PR}/comments"));
    assert_eq!(created.len(), 1, "exactly one comment\n{}", run.report());
    assert_eq!(created[0].status, 201, "{}", created[0]);
    assert_comment_body(created[0]);
    assert!(run.find("PATCH", "").is_empty(), "{}", run.report());
    assert!(run.outputs.contains("comment-url"), "{}", run.outputs);
}

#[tokio::test]
async fn comment_with_our_marker_is_updated_in_place() {
    let Some(prism) = prism::prism() else { return };
    let stub = log_stub().await;
    let run = conformant_run(prism, &stub, None, mark_the_first_comment, "always").await;
    run.assert_succeeded();
    // The `issue-comment-items` example's first comment has id 1.
    let updated = run.find("PATCH", "/issues/comments/1");
    assert_eq!(updated.len(), 1, "{}", run.report());
    assert_eq!(updated[0].status, 200, "{}", updated[0]);
    assert_comment_body(updated[0]);
    assert!(
        run.find("POST", "/comments").is_empty(),
        "no second comment\n{}",
        run.report()
    );
}

#[tokio::test]
async fn dynamic_comment_flow_is_conformant() {
    let Some(prism) = prism::prism() else { return };
    let stub = log_stub().await;
    for _ in 0..3 {
        let run = conformant_run(
            prism,
            &stub,
            Some("dynamic=true"),
            fail_every_generated_job,
            "always",
        )
        .await;
        assert!(run.output.status.success(), "{}", run.report());
        // The reported run's own head SHA is preferred to GITHUB_SHA (the reporter's commit);
        // generated data may carry either, so any commit lookup counts.
        assert!(!run.find("GET", "/pulls").is_empty(), "{}", run.report());
        for write in run
            .exchanges
            .iter()
            .filter(|e| e.method == "POST" || e.method == "PATCH")
        {
            assert_comment_body(write);
        }
    }
}

/// The patches only use values the schema allows, and the copy is the shared reference.
#[test]
fn the_patches_keep_responses_schema_valid() {
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(prism::spec_path()).unwrap()).unwrap();
    let job = &spec["components"]["schemas"]["job"]["properties"];
    let allowed = job["conclusion"]["enum"].as_array().unwrap();
    assert!(allowed.contains(&json!("failure")), "{allowed:?}");
    assert_eq!(job["check_run_url"]["type"], "string");
    let step_conclusion = &job["steps"]["items"]["properties"]["conclusion"];
    assert!(step_conclusion["type"] == "string" || step_conclusion["enum"].is_null());
    let comment_body = &spec["components"]["schemas"]["issue-comment"]["properties"]["body"];
    assert_eq!(comment_body["type"], "string");

    // Ours extends the shared reference with operations taken from the same upstream file
    // (tests/data/SOURCES.md); everything the reference holds must be in ours unchanged.
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/reference/github-openapi-subset.json");
    if let Ok(reference) = std::fs::read_to_string(&shared) {
        let reference: Value = serde_json::from_str(&reference).unwrap();
        for section in ["paths", "components"] {
            let (theirs, ours) = (&reference[section], &spec[section]);
            for (name, item) in theirs.as_object().unwrap() {
                if section == "paths" {
                    assert_eq!(
                        &ours[name],
                        item,
                        "path {name} differs from {}",
                        shared.display()
                    );
                    continue;
                }
                for (entry, value) in item.as_object().unwrap() {
                    assert_eq!(
                        &ours[name][entry], value,
                        "{name}/{entry} differs from the reference"
                    );
                }
            }
        }
    }
}
