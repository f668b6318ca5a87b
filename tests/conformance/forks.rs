//! A fork's pull request reported from a `workflow_run` workflow: the PR lookup by the fork's
//! `owner:branch` (`pulls/list`) and the base branch's run listing (`actions/list-workflow-runs`)
//! are requests GitHub's description accepts, and their example answers are read.

use super::*;

/// GitHub's `workflow_run` example as a fork's failed PR run.
fn fork_run_payload(dir: &std::path::Path) -> String {
    let events = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/events");
    let text = std::fs::read_to_string(format!("{events}/workflow_run.completed.json")).unwrap();
    let mut payload: Value = serde_json::from_str(&text).unwrap();
    let run = &mut payload["workflow_run"];
    run["event"] = json!("pull_request");
    run["conclusion"] = json!("failure");
    run["head_branch"] = json!("fix/typo");
    run["head_sha"] = json!(SHA);
    run["pull_requests"] = json!([]);
    run["head_repository"]["id"] = json!(999_001);
    run["head_repository"]["owner"]["login"] = json!("forker");
    let path = dir.join("event.json");
    std::fs::write(&path, payload.to_string()).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn a_forks_pr_lookup_and_the_base_run_listing_are_conformant() {
    let Some(prism) = prism::prism() else { return };
    let stub = log_stub().await;
    let options = Options {
        prefer: None,
        patch: Some(Arc::new(fail_the_example_job)),
    };
    let proxy = Proxy::start(prism.addr, &stub.uri(), options);
    let dir = tempfile::tempdir().unwrap();
    let extra = vec![
        ("GITHUB_EVENT_NAME", "workflow_run".to_owned()),
        ("GITHUB_EVENT_PATH", fork_run_payload(dir.path())),
        ("INPUT_COMPARE-BASE", "true".to_owned()),
    ];
    let run = run_binary_with(&proxy, "always", extra).await;
    run.assert_conformant();
    let lookup = run.find("GET", &format!("/repos/{REPO}/pulls"));
    assert_eq!(lookup.len(), 1, "{}", run.report());
    assert_eq!(lookup[0].status, 200, "{}", lookup[0]);
    assert!(
        lookup[0]
            .target
            .contains("head=forker%3Afix%2Ftypo&state=open&per_page=100"),
        "{}",
        lookup[0]
    );
    let base_runs = run.find("GET", "/runs");
    assert!(
        base_runs
            .iter()
            .any(|e| e.target.contains("/actions/workflows/") && e.target.contains("event=push")),
        "{}",
        run.report()
    );
    assert!(
        base_runs.iter().all(|e| e.status == 200),
        "{}",
        run.report()
    );
}
