use super::*;
use crate::github::models::Status;
use crate::logs::LineKind;

fn job(id: u64, name: &str, conclusion: &str) -> Job {
    serde_json::from_value(serde_json::json!({
        "id": id, "name": name, "status": "completed", "conclusion": conclusion,
        "started_at": "2024-05-01T12:00:00Z", "completed_at": "2024-05-01T12:01:05Z",
        "html_url": format!("https://github.com/o/r/actions/runs/1/job/{id}"),
        "steps": [
            {"number": 1, "name": "Set up job", "conclusion": "success"},
            {"number": 2, "name": "Run tests", "conclusion": conclusion},
            {"number": 3, "name": "Post checkout", "conclusion": "success"}
        ]
    }))
    .unwrap()
}

fn run_info() -> RunInfo {
    RunInfo {
        id: 1,
        attempt: Some(1),
        repository: "o/r".into(),
        workflow: Some("CI".into()),
        head_sha: Some("abcdef0123".into()),
        head_sha_short: Some("abcdef0".into()),
        head_branch: None,
        url: "https://github.com/o/r/actions/runs/1".into(),
        ..Default::default()
    }
}

fn line(n: u64, text: &str, kind: LineKind) -> ExcerptLine {
    ExcerptLine {
        line_number: n,
        text: text.into(),
        kind,
        ..Default::default()
    }
}

fn ranked(n: u64, text: &str, kind: LineKind, priority: u32) -> ExcerptLine {
    ExcerptLine {
        priority,
        ..line(n, text, kind)
    }
}

/// The excerpt of step 2, `Run tests`, of a 10-line log.
fn run_tests_excerpt(lines: Vec<ExcerptLine>) -> JobExcerpt {
    JobExcerpt {
        step_number: Some(2),
        step_name: Some("Run tests".into()),
        lines,
        omitted_lines: 0,
        total_lines: 10,
        compared: None,
    }
}

fn build(jobs: Vec<Job>, excerpts: HashMap<u64, Result<JobExcerpt, LogUnavailable>>) -> Digest {
    Digest::build(RunData {
        run: run_info(),
        server_url: "https://github.com".into(),
        jobs,
        excerpts,
        annotations: HashMap::new(),
        passing_logs: HashMap::new(),
    })
}

#[test]
fn totals_conclusion_and_durations() {
    let digest = build(
        vec![
            job(1, "a", "success"),
            job(2, "b", "failure"),
            job(3, "c", "cancelled"),
            job(4, "d", "skipped"),
            job(5, "e", "timed_out"),
        ],
        HashMap::new(),
    );
    assert_eq!(digest.conclusion, "failure");
    let t = &digest.totals;
    assert_eq!(
        (t.jobs, t.failed, t.cancelled, t.succeeded, t.skipped),
        (5, 2, 1, 1, 1)
    );
    assert_eq!(digest.jobs[0].duration, "1m 05s");
    assert_eq!(
        digest
            .failed_jobs
            .iter()
            .map(|j| j.name.as_str())
            .collect::<Vec<_>>(),
        ["b", "e"],
        "a job cancelled next to a failure is named, not explained"
    );
    assert_eq!(digest.cancelled_after_failure[0].name, "c");
    assert_eq!(
        digest.failed_jobs[0].failing_step.as_deref(),
        Some("Run tests")
    );
    assert_eq!(digest.jobs[4].icon, "⌛");
    assert_eq!(digest.failed_jobs[1].verdict, "timed out");
}

fn running(id: u64, name: &str, failed_step: bool) -> Job {
    let mut job = job(id, name, "success");
    job.status = Some(Status::InProgress);
    job.conclusion = None;
    job.completed_at = None;
    job.steps[1].conclusion = failed_step.then_some(Conclusion::Failure);
    job.steps[2].conclusion = None;
    job
}

#[test]
fn a_running_job_is_never_a_pass_and_a_failed_step_fails_it_while_it_runs() {
    let digest = build(
        vec![job(1, "a", "success"), running(2, "b", false)],
        HashMap::new(),
    );
    assert_eq!(digest.conclusion, "in_progress");
    assert_eq!((digest.totals.running, digest.totals.succeeded), (1, 1));
    assert_eq!(digest.jobs[1].icon, "⏳");

    let digest = build(
        vec![running(1, "test", true), running(2, "lint", false)],
        HashMap::new(),
    );
    assert_eq!(digest.conclusion, "failure");
    assert!(digest.is_red());
    assert_eq!(digest.failed_jobs[0].verdict, "is failing (still running)");
    assert_eq!(
        digest.failed_jobs[0].failing_step.as_deref(),
        Some("Run tests")
    );
}

#[test]
fn a_run_without_jobs_says_whether_the_workflow_could_not_start() {
    assert_eq!(build(vec![], HashMap::new()).conclusion, "no_jobs");
    let digest = Digest::build(RunData {
        run: RunInfo {
            conclusion: Some(Conclusion::StartupFailure),
            ..run_info()
        },
        server_url: "https://github.com".into(),
        jobs: vec![],
        excerpts: HashMap::new(),
        annotations: HashMap::new(),
        passing_logs: HashMap::new(),
    });
    assert_eq!(digest.conclusion, "startup_failure");
    assert!(digest.is_red());
}

#[test]
fn long_workflow_names_are_cut_for_headings() {
    let digest = Digest::build(RunData {
        run: RunInfo {
            workflow: Some("x".repeat(600)),
            ..run_info()
        },
        server_url: "https://github.com".into(),
        jobs: vec![],
        excerpts: HashMap::new(),
        annotations: HashMap::new(),
        passing_logs: HashMap::new(),
    });
    let title = digest.run.workflow_title.unwrap();
    assert_eq!(title.chars().count(), MAX_TITLE_CHARS);
    assert!(title.ends_with('…'));
}

#[test]
fn only_cancelled_is_cancelled_and_all_green_is_success() {
    assert_eq!(
        build(
            vec![job(1, "a", "success"), job(2, "b", "cancelled")],
            HashMap::new()
        )
        .conclusion,
        "cancelled"
    );
    assert_eq!(
        build(
            vec![job(1, "a", "success"), job(2, "b", "skipped")],
            HashMap::new()
        )
        .conclusion,
        "success"
    );
}

#[test]
fn capping_excerpts_keeps_the_best_ranked_in_log_order() {
    let excerpt = run_tests_excerpt(vec![
        ranked(1, "ctx", LineKind::Context, 7 << 24),
        ranked(2, "boom", LineKind::Error, 0),
        ranked(3, "tail", LineKind::Tail, 8 << 24),
        ranked(4, "assert", LineKind::Match, 2 << 24),
    ]);
    let mut digest = build(
        vec![job(1, "a", "failure")],
        HashMap::from([(1, Ok(excerpt))]),
    );
    digest.cap_excerpts(2);
    let job = &digest.failed_jobs[0];
    // The line left out between the two is said, not silently joined.
    assert_eq!(job.excerpt_text, "boom\n… 1 line skipped …\nassert\n");
    assert_eq!(job.excerpt_omitted, 2);
}

/// The comment's cut of an explained failure keeps as little of the step's tail as a
/// 12-line excerpt would, even when the summary's excerpt has fewer lines than that.
#[test]
fn an_excerpt_that_fits_is_cut_the_same_way() {
    let tail = |n: u64, from_end: u32| ranked(n, "tail", LineKind::Tail, 8 << 24 | from_end);
    let excerpt = run_tests_excerpt(vec![
        tail(1, 5),
        tail(2, 4),
        ranked(3, "error: boom", LineKind::Match, 0),
        ranked(4, "  at lib.c:3", LineKind::Context, 2 << 24),
        tail(5, 2),
        tail(6, 1),
    ]);
    let mut digest = build(
        vec![job(1, "a", "failure")],
        HashMap::from([(1, Ok(excerpt))]),
    );
    digest.cap_excerpts(12);
    let job = &digest.failed_jobs[0];
    let kept: Vec<u64> = job.excerpt.iter().map(|l| l.line_number).collect();
    assert_eq!(kept, [3, 4, 6], "{}", job.excerpt_text);
    assert_eq!(job.excerpt_omitted, 3);
}

#[test]
fn unavailable_logs_are_explained() {
    let digest = build(
        vec![job(1, "a", "failure")],
        HashMap::from([(1, Err(LogUnavailable::Expired))]),
    );
    assert!(digest.failed_jobs[0]
        .log_unavailable
        .as_deref()
        .unwrap()
        .contains("expired"));
}

#[test]
fn folding_keeps_failed_jobs_in_the_table() {
    let mut digest = build(
        (1..=10)
            .map(|i| {
                job(
                    i,
                    &format!("j{i}"),
                    if i % 5 == 0 { "failure" } else { "success" },
                )
            })
            .collect(),
        HashMap::new(),
    );
    digest.fold_jobs(2);
    assert_eq!(digest.jobs.len(), 4);
    assert_eq!(digest.omitted_jobs, 6);
    digest.fold_failed_jobs(1);
    assert_eq!(
        (digest.failed_jobs.len(), digest.omitted_failed_jobs),
        (1, 1)
    );
}

#[test]
fn the_generic_exit_code_annotation_gives_way_to_a_specific_one() {
    let note = |path: &str, message: &str| Annotation {
        path: path.into(),
        start_line: Some(3),
        end_line: Some(3),
        annotation_level: Some("failure".into()),
        title: None,
        message: Some(message.into()),
    };
    let views = annotation_views(
        &[
            note(".github", "Process completed with exit code 1."),
            note("src/a.rs", "mismatched types"),
        ],
        "https://github.com",
        &run_info(),
    );
    assert_eq!(views.len(), 1);
    assert_eq!(
        views[0].url.as_deref(),
        Some("https://github.com/o/r/blob/abcdef0123/src/a.rs#L3")
    );
    assert_eq!(views[0].location, "src/a.rs:3");
    let twice = [
        note("src/a.rs", "mismatched types"),
        note("src/a.rs", "mismatched types"),
    ];
    assert_eq!(
        annotation_views(&twice, "https://github.com", &run_info()).len(),
        1
    );
    let alone = annotation_views(
        &[note(".github", "Process completed with exit code 1.")],
        "https://github.com",
        &run_info(),
    );
    assert_eq!(alone.len(), 1);
    assert_eq!(alone[0].url, None);
}

#[test]
fn durations_read_well() {
    assert_eq!(format_duration(0), "0s");
    assert_eq!(format_duration(59), "59s");
    assert_eq!(format_duration(187), "3m 07s");
    assert_eq!(format_duration(3720), "1h 02m");
}
