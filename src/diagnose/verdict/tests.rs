use super::*;

fn line(number: u64, kind: LineKind, priority: u32, text: &str) -> ExcerptLine {
    ExcerptLine {
        line_number: number,
        text: text.into(),
        kind,
        priority,
        ..ExcerptLine::default()
    }
}

fn compile_error() -> Vec<ExcerptLine> {
    vec![
        line(10, LineKind::Match, 0, "error[E0308]: mismatched types"),
        line(11, LineKind::Context, 1, "  --> src/lib.rs:42:9"),
        line(
            30,
            LineKind::Error,
            900,
            "##[error]Process completed with exit code 101.",
        ),
    ]
}

fn facts<'a>(lines: &'a [ExcerptLine]) -> JobFacts<'a> {
    JobFacts {
        name: "test",
        failing_step: Some("Run tests"),
        lines,
        annotations: &[],
        passed_in_another_attempt: false,
        in_change: None,
    }
}

const RUN: RunRef = RunRef {
    id: 42,
    repository: "acme/widgets",
};

fn base(
    conclusion: &str,
    step: &str,
    first_line: Option<Result<Option<String>, String>>,
) -> BaseJob {
    BaseJob {
        conclusion: Some(conclusion.into()),
        failed_steps: match conclusion {
            "success" => vec![],
            _ => vec![step.into()],
        },
        // A job that passed ran every step; one that failed, none after its failed step.
        passed_steps: match conclusion {
            "success" => vec!["Run tests".into()],
            _ => vec![],
        },
        // What the base's excerpt shows: its first line ([`also_showing`] adds more).
        failure: first_line.map(|read| {
            read.map(|first| BaseFailure {
                lines: first.iter().cloned().collect(),
                first,
            })
        }),
    }
}

/// `job` whose excerpt also shows `line`.
fn also_showing(mut job: BaseJob, line: &str) -> BaseJob {
    if let Some(Ok(failure)) = &mut job.failure {
        failure.lines.push(line.into());
    }
    job
}

fn compared(job: Option<BaseJob>) -> (BaseJob, bool) {
    let present = job.is_some();
    (
        job.unwrap_or(BaseJob {
            conclusion: None,
            failed_steps: vec![],
            passed_steps: vec![],
            failure: None,
        }),
        present,
    )
}

fn against(lines: &[ExcerptLine], job: Option<BaseJob>) -> Diagnosis {
    let (job, present) = compared(job);
    let base = BaseComparison::Compared {
        run: "run #812 on main",
        branch: "main",
        job: present.then_some(job),
    };
    decide(&facts(lines), &base, &RUN)
}

#[test]
fn a_job_the_base_branch_passes_is_caused_here_with_its_location() {
    let lines = compile_error();
    let d = against(&lines, Some(base("success", "", None)));
    assert_eq!(d.kind, DiagnosisKind::CausedHere);
    assert_eq!(d.evidence, "run #812 on main passes “test”");
    assert_eq!(d.next_action.kind, ActionKind::Fix);
    assert_eq!(d.next_action.location.as_deref(), Some("src/lib.rs:42"));
}

#[test]
fn the_same_step_and_first_line_on_the_base_branch_is_already_failing() {
    let lines = compile_error();
    // Numbers and paths aside.
    let theirs = Some(Ok(Some("error[E0308]: mismatched types".to_owned())));
    let d = against(&lines, Some(base("failure", "Run tests", theirs)));
    assert_eq!(d.kind, DiagnosisKind::AlreadyFailing, "{d:?}");
    assert_eq!(d.label, "already failing on main");
    assert_eq!(d.next_action.kind, ActionKind::Nothing);

    let other = Some(Ok(Some("error[E0425]: cannot find value `x`".to_owned())));
    let d = against(&lines, Some(base("failure", "Run tests", other)));
    assert_eq!(d.kind, DiagnosisKind::CausedHere);
    assert!(d.evidence.contains("another first error"), "{}", d.evidence);

    // Failing at a later step, the base ran ours and passed it.
    let mut later = base("failure", "Upload", None);
    later.passed_steps = vec!["Run tests".into()];
    let d = against(&lines, Some(later));
    assert_eq!(d.kind, DiagnosisKind::CausedHere);
    assert_eq!(
        d.evidence,
        "run #812 on main fails “test” at step “Upload”, and passes “Run tests”"
    );
}

/// An `unknown` verdict whose evidence says `why`.
fn assert_unknown_because(d: &Diagnosis, why: &str) {
    assert_eq!(d.kind, DiagnosisKind::Unknown, "{d:?}");
    assert!(d.evidence.contains(why), "{}", d.evidence);
}

#[test]
fn a_step_the_base_branch_never_ran_decides_nothing() {
    let lines = compile_error();
    // Failing at an earlier step, the base never reached ours.
    let d = against(&lines, Some(base("failure", "Lint", None)));
    assert_unknown_because(&d, "“Run tests” did not pass there");
    // Passing, without the step (it runs on pull requests only, or was renamed here).
    let mut skipped = base("success", "", None);
    skipped.passed_steps.clear();
    let d = against(&lines, Some(skipped));
    assert_unknown_because(&d, "did not run its step");
}

#[test]
fn a_failure_added_to_one_main_already_has_is_not_already_failing() {
    let ours = vec![
        line(5, LineKind::Match, 0, "error[E0308]: mismatched types"),
        line(
            9,
            LineKind::Match,
            0,
            "error[E0425]: cannot find value `width` in this scope",
        ),
    ];
    let theirs = Some(Ok(Some("error[E0308]: mismatched types".to_owned())));
    let d = against(&ours, Some(base("failure", "Run tests", theirs.clone())));
    assert_unknown_because(&d, "also shows “error[E0425]");
    // Both in main's excerpt: the same failure.
    let both = also_showing(
        base("failure", "Run tests", theirs),
        "error[E0425]: cannot find value `width` in this scope",
    );
    let d = against(&ours, Some(both));
    assert_eq!(d.kind, DiagnosisKind::AlreadyFailing, "{d:?}");
}

#[test]
fn a_first_error_the_other_side_shows_too_is_the_same_failure() {
    // Ours was ranked against a passing log, which demoted the warning main's excerpt put first.
    let ours = vec![
        line(
            3,
            LineKind::Match,
            5 << 24,
            "warning: the lockfile is out of date",
        ),
        line(8, LineKind::Match, 0, "error[E0308]: mismatched types"),
    ];
    let theirs = also_showing(
        base(
            "failure",
            "Run tests",
            Some(Ok(Some("warning: the lockfile is out of date".to_owned()))),
        ),
        "error[E0308]: mismatched types",
    );
    let d = against(&ours, Some(theirs));
    assert_eq!(d.kind, DiagnosisKind::AlreadyFailing, "{d:?}");
}

#[test]
fn another_case_failing_the_same_way_is_not_the_same_failure() {
    let ours = vec![line(
        5,
        LineKind::Match,
        0,
        "thread 'parser::tests::case_17' panicked at src/parser.rs:41:9:",
    )];
    let theirs = |text: &str| Some(Ok(Some(text.to_owned())));
    let other_case = theirs("thread 'parser::tests::case_03' panicked at src/parser.rs:12:9:");
    let d = against(&ours, Some(base("failure", "Run tests", other_case)));
    assert_eq!(d.kind, DiagnosisKind::Unknown, "{d:?}");
    let same_case = theirs("thread 'parser::tests::case_17' panicked at src/parser.rs:38:9:");
    let d = against(&ours, Some(base("failure", "Run tests", same_case)));
    assert_eq!(d.kind, DiagnosisKind::AlreadyFailing, "{d:?}");
}

#[test]
fn a_limit_the_job_hit_is_the_codes_when_the_base_branch_runs_within_it() {
    let killed = vec![
        line(
            8,
            LineKind::Match,
            0,
            "error: could not compile `big` (lib); (signal: 9, SIGKILL: kill)",
        ),
        line(
            9,
            LineKind::Error,
            900,
            "##[error]Process completed with exit code 101.",
        ),
    ];
    // The base passes the job: this PR may make it need more memory.
    let d = against(&killed, Some(base("success", "", None)));
    assert_unknown_because(&d, "may make it need more");
    // Nothing to compare with: the machine's limit.
    let d = decide(
        &facts(&killed),
        &BaseComparison::Unchecked("No base."),
        &RUN,
    );
    assert_eq!(d.kind, DiagnosisKind::Infrastructure, "{d:?}");
    // The base fails the same way: already failing.
    let same = Some(Ok(Some(killed[0].text.clone())));
    let d = against(&killed, Some(base("failure", "Run tests", same)));
    assert_eq!(d.kind, DiagnosisKind::AlreadyFailing, "{d:?}");
    // A shutdown is outside the code whatever the base does; a rate limit waits for its reset.
    let shutdown = vec![line(
        4,
        LineKind::Error,
        0,
        "##[error]The runner has received a shutdown signal.",
    )];
    let d = against(&shutdown, Some(base("success", "", None)));
    assert_eq!(d.kind, DiagnosisKind::Infrastructure, "{d:?}");
    let limited = vec![line(
        4,
        LineKind::Match,
        0,
        "gh: API rate limit exceeded for installation ID 7.",
    )];
    let d = against(&limited, Some(base("success", "", None)));
    assert!(
        d.next_action.text.contains("once the rate limit resets"),
        "{d:?}"
    );
}

#[test]
fn what_the_base_branch_cannot_tell_is_unknown() {
    let lines = compile_error();
    let unreadable = Some(Err("the log has expired".to_owned()));
    let d = against(&lines, Some(base("failure", "Run tests", unreadable)));
    assert_eq!(d.kind, DiagnosisKind::Unknown);
    assert!(d.evidence.contains("the log has expired"), "{}", d.evidence);
    assert_eq!(d.next_action.kind, ActionKind::Investigate);

    assert_eq!(against(&lines, None).kind, DiagnosisKind::Unknown);
    assert_eq!(
        against(&lines, Some(base("cancelled", "Run tests", None))).kind,
        DiagnosisKind::Unknown
    );
    // Only the runner's exit line on both sides says nothing about the failure.
    let bare = vec![line(
        3,
        LineKind::Error,
        900,
        "##[error]Process completed with exit code 1.",
    )];
    let theirs = Some(Ok(Some(
        "##[error]Process completed with exit code 1.".to_owned(),
    )));
    let d = against(&bare, Some(base("failure", "Run tests", theirs)));
    assert_eq!(d.kind, DiagnosisKind::Unknown, "{d:?}");

    // A compile error with no base run is not infrastructure, nor caused here.
    let d = decide(
        &facts(&lines),
        &BaseComparison::Unchecked(
            "Not compared with main: this workflow has no completed run there yet.",
        ),
        &RUN,
    );
    assert_eq!(d.kind, DiagnosisKind::Unknown);
    assert_eq!(
        d.evidence,
        "Not compared with main: this workflow has no completed run there yet"
    );
}

#[test]
fn the_runner_or_the_network_outweighs_the_base_branch() {
    let shutdown = line(
        40,
        LineKind::Error,
        0,
        "##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped.",
    );
    let lines = vec![
        line(12, LineKind::Context, 9 << 24, "test parse::tabs ... ok"),
        line(
            39,
            LineKind::Error,
            1 << 24,
            "##[error]Process completed with exit code 143.",
        ),
        shutdown.clone(),
    ];
    let d = against(&lines, Some(base("success", "", None)));
    assert_eq!(d.kind, DiagnosisKind::Infrastructure);
    assert!(
        d.evidence
            .starts_with("The runner received a shutdown signal: “The runner"),
        "{}",
        d.evidence
    );
    assert_eq!(d.next_action.kind, ActionKind::Rerun);
    assert_eq!(
        d.next_action.command.as_deref(),
        Some("gh run rerun 42 --failed --repo acme/widgets")
    );

    // A download failure decides only as the first failure line.
    let network = vec![
        line(5, LineKind::Match, 0, "npm ERR! code ECONNRESET"),
        line(6, LineKind::Context, 1, "npm ERR! network aborted"),
    ];
    assert_eq!(against(&network, None).kind, DiagnosisKind::Infrastructure);
    let cargo = vec![
        line(
            5,
            LineKind::Match,
            0,
            "error: failed to download from `https://static.crates.io/crates/x/x-1.0.0.crate`",
        ),
        line(6, LineKind::Context, 1, "Caused by:"),
        line(
            7,
            LineKind::Context,
            1,
            "  [6] Couldn't resolve host name (Could not resolve host: static.crates.io)",
        ),
    ];
    assert_eq!(against(&cargo, None).kind, DiagnosisKind::Infrastructure);
    let later = vec![
        line(5, LineKind::Match, 0, "FAIL src/app.test.js"),
        line(20, LineKind::Match, 3, "npm ERR! code ECONNRESET"),
    ];
    assert_eq!(against(&later, None).kind, DiagnosisKind::Unknown);
}

/// Tests that failed before the runner shut down fail again on a re-run: the shutdown is
/// named, and no re-run is advised.
#[test]
fn a_failure_before_the_runner_stopped_is_not_the_runners() {
    let shutdown = "##[error]The runner has received a shutdown signal. This can happen when the runner service is stopped.";
    let mut lines = compile_error();
    lines.push(line(40, LineKind::Error, 0, shutdown));
    let d = against(&lines, Some(base("success", "", None)));
    assert_eq!(d.kind, DiagnosisKind::Unknown, "{}", d.evidence);
    assert!(
        d.evidence
            .starts_with("The runner received a shutdown signal: “")
            && d.evidence
                .contains("but “error[E0308]: mismatched types” had failed before it"),
        "{}",
        d.evidence
    );
    assert_ne!(d.next_action.kind, ActionKind::Rerun);
    // So for a job the shutdown cancelled.
    let d = decide_cancelled(&facts(&lines), &RUN).expect("a verdict");
    assert_eq!(d.kind, DiagnosisKind::Unknown);
    // What the stop itself printed first (a kill, a termination) is no failure of the job's.
    let stopped = vec![
        line(38, LineKind::Match, 0, "Killed"),
        line(40, LineKind::Error, 0, shutdown),
    ];
    let d = decide_cancelled(&facts(&stopped), &RUN).expect("a verdict");
    assert_eq!(d.kind, DiagnosisKind::Infrastructure);
}

#[test]
fn a_pass_in_another_attempt_is_flaky() {
    let lines = compile_error();
    let mut job = facts(&lines);
    job.passed_in_another_attempt = true;
    let d = decide(&job, &BaseComparison::Unchecked("no pull request"), &RUN);
    assert_eq!(d.kind, DiagnosisKind::Flaky);
    assert_eq!(d.next_action.kind, ActionKind::Rerun);
}

#[test]
fn the_change_is_named_where_the_evidence_does_not_decide() {
    let lines = compile_error();
    let hit = ChangeHit {
        path: "src/lib.rs".into(),
        line: Some(42),
    };
    let mut job = facts(&lines);
    job.in_change = Some(&hit);
    let d = decide(&job, &BaseComparison::Unchecked("no pull request"), &RUN);
    assert_eq!(d.kind, DiagnosisKind::Unknown);
    assert!(d
        .evidence
        .ends_with("the failure points into this PR's change (src/lib.rs:42)"));
    assert_eq!(d.next_action.location.as_deref(), Some("src/lib.rs:42"));
}
