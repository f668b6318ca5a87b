//! The passing-log lookup of a `push` run: the reported run, the branch's latest successful run
//! (`actions/list-workflow-runs` with `status=success`), its jobs and the passing job's log are
//! requests GitHub's description accepts, and their example answers are read.

use super::*;

/// The example job failed in this run, and passed in the branch's latest successful run.
fn passing_on_the_branch(method: &str, target: &str, body: &mut Value) {
    let path = target.split('?').next().unwrap_or_default();
    if method == "GET" && path.contains("/actions/workflows/") && path.ends_with("/runs") {
        for run in body["workflow_runs"].as_array_mut().into_iter().flatten() {
            run["conclusion"] = json!("success");
            run["head_repository"]["full_name"] = json!(REPO);
        }
    } else if is_jobs_listing(method, target) && target.contains("filter=latest") {
        for job in body["jobs"].as_array_mut().into_iter().flatten() {
            job["id"] = json!(PASSING_JOB);
            job["conclusion"] = json!("success");
        }
    } else {
        fail_the_example_job(method, target, body);
    }
}

const PASSING_JOB: u64 = 77_001;

#[tokio::test]
async fn the_branchs_passing_run_lookup_is_conformant() {
    let Some(prism) = prism::prism() else { return };
    let stub = log_stub().await;
    let run = conformant_run(prism, &stub, None, passing_on_the_branch, "never").await;
    run.assert_succeeded();
    let listings: Vec<&Exchange> = run
        .find("GET", "")
        .into_iter()
        .filter(|e| e.target.contains("/actions/workflows/") && e.target.contains("/runs?"))
        .collect();
    assert_eq!(listings.len(), 1, "{}", run.report());
    assert!(
        listings[0].target.contains("status=success&per_page=10"),
        "{}",
        listings[0]
    );
    assert_eq!(listings[0].status, 200, "{}", listings[0]);
    // Page 1, and the proxy's page 2 that repeats it.
    let jobs: Vec<&Exchange> = run
        .find("GET", "/jobs")
        .into_iter()
        .filter(|e| e.target.contains("filter=latest&per_page=100"))
        .collect();
    assert!(!jobs.is_empty(), "{}", run.report());
    assert!(jobs.iter().all(|e| e.status == 200), "{}", run.report());
    // The passing job's log, once, through the same redirect as the failed ones.
    let passing = run.find("GET", &format!("/actions/jobs/{PASSING_JOB}/logs"));
    assert_eq!(passing.len(), 1, "{}", run.report());
    assert_eq!(passing[0].status, 302, "{}", passing[0]);
    // One run read for the lookup, never one per job.
    assert_eq!(
        run.find("GET", "/actions/runs/42").len(),
        1,
        "{}",
        run.report()
    );
    assert!(
        run.summary
            .contains("Compared with [the last passing job on"),
        "{}",
        run.report()
    );
}
