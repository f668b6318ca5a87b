use std::collections::HashMap;

use super::*;
use crate::digest::{RunData, RunInfo};
use crate::logs::{ExcerptLine, JobExcerpt, LineKind};

fn job(id: u64, name: &str, attempt: u32, conclusion: &str) -> Job {
    serde_json::from_value(serde_json::json!({
        "id": id, "name": name, "run_attempt": attempt,
        "status": "completed", "conclusion": conclusion,
        "html_url": format!("https://github.com/o/r/actions/runs/1/job/{id}")
    }))
    .unwrap()
}

fn excerpt(text: &str) -> JobExcerpt {
    JobExcerpt {
        step_number: None,
        step_name: None,
        lines: vec![ExcerptLine {
            line_number: 1,
            text: text.into(),
            kind: LineKind::Error,
            ..Default::default()
        }],
        omitted_lines: 0,
        total_lines: 1,
        compared: None,
    }
}

/// Attempt 2 of a run: `build` passed after failing, `test (a)` and `test (b)` fail the same way.
fn digest() -> Digest {
    let jobs = vec![
        job(11, "build", 2, "success"),
        job(12, "test (a)", 2, "failure"),
        job(13, "test (b)", 2, "failure"),
    ];
    let excerpts = HashMap::from([
        (
            12,
            Ok(excerpt("panicked at /home/runner/work/x/x/src/a.rs:1")),
        ),
        (13, Ok(excerpt(r"panicked at D:\a\x\x\src\a.rs:2"))),
    ]);
    Digest::build(RunData {
        run: RunInfo {
            id: 1,
            attempt: Some(2),
            repository: "o/r".into(),
            workflow: Some("CI".into()),
            head_sha: None,
            head_sha_short: None,
            head_branch: None,
            url: "https://github.com/o/r/actions/runs/1/attempts/2".into(),
            ..Default::default()
        },
        server_url: "https://github.com".into(),
        jobs,
        excerpts,
        annotations: HashMap::new(),
        passing_logs: HashMap::new(),
    })
}

fn evidence() -> Evidence {
    Evidence {
        every_attempt: Some(vec![
            job(1, "build", 1, "failure"),
            job(2, "test (a)", 1, "failure"),
            job(3, "test (b)", 1, "success"),
        ]),
        base: Some(BaseEvidence {
            branch: "main".into(),
            run_id: 9,
            run_number: Some(812),
            url: None,
            conclusion: Some(Conclusion::Failure),
            head_sha: Some("0123456789".into()),
            jobs: vec![
                job(90, "test (a)", 1, "failure"),
                job(91, "test (b)", 1, "success"),
            ],
        }),
        notes: vec!["a note".into()],
        base_unchecked: None,
    }
}

#[test]
fn every_insight_lands_on_both_job_lists() {
    let mut d = digest();
    apply(&mut d, &evidence(), &Options::default());
    assert_eq!(d.insights.flaky_jobs.len(), 1);
    assert_eq!(d.insights.flaky_jobs[0].name, "build");
    let a = &d.failed_jobs[0];
    assert_eq!(
        a.marks.retry.as_ref().unwrap().label,
        "failed in all 2 attempts"
    );
    assert_eq!(
        a.marks.on_base.as_ref().unwrap().label,
        "also failing on main"
    );
    assert!(a.marks.group.as_ref().unwrap().first);
    let b = &d.failed_jobs[1];
    assert_eq!(
        b.marks.retry.as_ref().unwrap().label,
        "passed in an earlier attempt (flaky?)"
    );
    assert_eq!(b.marks.on_base.as_ref().unwrap().label, "new in this PR");
    assert_eq!(b.marks.group.as_ref().unwrap().legs_text, "a, b");
    assert_eq!(d.jobs[2].marks, b.marks);
    let base = d.insights.base.as_ref().unwrap();
    assert_eq!((base.also_failing, base.new), (1, 1));
    assert_eq!(base.head_sha_short.as_deref(), Some("0123456"));
    assert_eq!(d.insights.error_groups.len(), 1);
    assert_eq!(d.insights.notes, vec!["a note".to_owned()]);
}

#[test]
fn each_insight_can_be_turned_off() {
    let mut d = digest();
    let off = Options {
        detect_flaky: false,
        compare_base: false,
        group_errors: false,
    };
    apply(&mut d, &evidence(), &off);
    assert!(d.insights.flaky_jobs.is_empty() && d.insights.error_groups.is_empty());
    assert!(d.insights.base.is_none());
    assert!(d.jobs.iter().all(|j| j.marks == JobMarks::default()));
    assert!(d.failed_jobs.iter().all(|j| j.marks == JobMarks::default()));
}

#[test]
fn the_marks_are_in_the_template_context_as_nulls_when_empty() {
    let mut d = digest();
    apply(&mut d, &Evidence::default(), &Options::default());
    let context = serde_json::to_value(&d).unwrap();
    assert_eq!(context["jobs"][0]["retry"], serde_json::Value::Null);
    assert_eq!(
        context["failed_jobs"][0]["on_base"],
        serde_json::Value::Null
    );
    assert_eq!(context["failed_jobs"][0]["group"]["count"], 2);
    assert_eq!(context["insights"]["base"], serde_json::Value::Null);
    assert_eq!(context["insights"]["flaky_jobs"], serde_json::json!([]));
}

#[test]
fn the_built_in_templates_show_a_group_once_with_its_marks() {
    let mut d = digest();
    apply(&mut d, &evidence(), &Options::default());
    let renderer = crate::render::Renderer::new(None, None).unwrap();
    for text in [
        renderer.summary(&d).unwrap(),
        renderer.comment(&d, "CI").unwrap(),
    ] {
        assert_eq!(text.matches("panicked at").count(), 1, "{text}");
        assert!(text.contains("×2: a, b"), "{text}");
        assert!(text.contains("failed in all 2 attempts"), "{text}");
        assert!(text.contains("also failing on main"), "{text}");
        assert!(text.contains("new in this PR"), "{text}");
    }
}
