use super::*;
use crate::digest::{Digest, RunData, RunInfo};
use crate::logs::{ExcerptLine, JobExcerpt, LineKind};
use std::collections::HashMap;

pub(crate) fn digest(failed: usize, lines: usize, line_len: usize) -> Digest {
    let jobs = (0..failed as u64)
        .map(|id| {
            serde_json::from_value(serde_json::json!({
                "id": id, "name": format!("job {id}"), "status": "completed", "conclusion": "failure",
                "html_url": format!("https://github.com/o/r/actions/runs/1/job/{id}"),
                "steps": [{"number": 1, "name": "Run tests", "conclusion": "failure"}]
            }))
            .unwrap()
        })
        .collect();
    let excerpts = (0..failed as u64)
        .map(|id| {
            let lines = (0..lines as u64)
                .map(|n| ExcerptLine {
                    line_number: n,
                    text: format!("{n} {}", "x".repeat(line_len)),
                    kind: LineKind::Error,
                    ..Default::default()
                })
                .collect();
            (
                id,
                Ok(JobExcerpt {
                    step_number: Some(1),
                    step_name: None,
                    lines,
                    omitted_lines: 0,
                    total_lines: 0,
                    compared: None,
                }),
            )
        })
        .collect();
    let run = RunInfo {
        id: 1,
        attempt: Some(1),
        repository: "o/r".into(),
        workflow: Some("CI".into()),
        head_sha: Some("abc1234def".into()),
        head_sha_short: Some("abc1234".into()),
        head_branch: None,
        url: "https://github.com/o/r/actions/runs/1".into(),
        ..Default::default()
    };
    Digest::build(RunData {
        run,
        server_url: "https://github.com".into(),
        jobs,
        excerpts,
        annotations: HashMap::new(),
        passing_logs: HashMap::new(),
    })
}

#[test]
fn the_comment_starts_with_the_marker() {
    let renderer = Renderer::new(None, None).unwrap();
    let comment = renderer.comment(&digest(1, 3, 10), "CI").unwrap();
    assert!(
        comment.starts_with("<!-- failure-digest:CI -->\n"),
        "{comment}"
    );
    assert!(comment.contains("1 of 1 job failed"), "{comment}");
}

#[test]
fn marker_keys_cannot_close_the_comment() {
    assert_eq!(
        marker("CI --> <img src=x>"),
        "<!-- failure-digest:CI%20%2D%2D%3E%20%3Cimg%20src%3Dx%3E -->"
    );
}

#[test]
fn distinct_names_give_distinct_markers_and_plain_names_keep_theirs() {
    assert_eq!(marker("CI"), "<!-- failure-digest:CI -->");
    let names = [
        "CI",
        "CI ",
        " CI",
        "pre-commit",
        "precommit",
        "<CI>",
        "C\nI",
        "CI\n",
        "ci",
        "CÍ",
    ];
    let markers: std::collections::HashSet<String> = names.iter().map(|n| marker(n)).collect();
    assert_eq!(markers.len(), names.len(), "{markers:?}");
    let long_a = format!("{}a", "x".repeat(300));
    let long_b = format!("{}b", "x".repeat(300));
    assert_ne!(marker(&long_a), marker(&long_b));
    assert!(marker(&long_a).len() < 150, "{}", marker(&long_a));
    for name in names.iter().copied().chain([long_a.as_str()]) {
        let m = marker(name);
        assert!(
            !m[4..m.len() - 3].contains("--") && !m[4..].contains('\n'),
            "{m}"
        );
    }
}

#[test]
fn budgets_hold_for_many_jobs_with_huge_lines() {
    let renderer = Renderer::new(None, None).unwrap();
    let big = digest(500, 40, 4000);
    let summary = renderer.summary(&big).unwrap();
    assert!(summary.len() <= SUMMARY_LIMIT_BYTES, "{}", summary.len());
    let comment = renderer.comment(&big, "CI").unwrap();
    assert!(
        comment.chars().count() <= COMMENT_LIMIT_CHARS,
        "{}",
        comment.chars().count()
    );
    assert!(
        comment.contains("more failed jobs"),
        "the tail is folded, not cut"
    );
}

#[test]
fn a_custom_template_syntax_error_names_line_and_column() {
    let custom = (
        PathBuf::from("my.hbs"),
        "line one\n{{#if totals}}\nunclosed\n".to_owned(),
    );
    let error = Renderer::new(Some(&custom), None)
        .err()
        .unwrap()
        .to_string();
    assert!(
        error.starts_with("input `summary-template`: my.hbs has a template error at line"),
        "{error}"
    );
}

#[test]
fn a_custom_template_missing_variable_renders_empty() {
    let custom = (
        PathBuf::from("my.hbs"),
        "[{{no.such.field}}] {{totals.failed}}".to_owned(),
    );
    let renderer = Renderer::new(Some(&custom), None).unwrap();
    assert_eq!(renderer.summary(&digest(2, 1, 1)).unwrap(), "[] 2");
}

#[test]
fn the_last_resort_cut_never_stops_inside_a_fence() {
    let text = "intro\n````\nline\n```\nmore\n````\nafter\n".repeat(50);
    let cut = budget::cut(&text, budget::Limit::Bytes(200));
    assert!(cut.len() <= 200);
    let body = cut.split("\n\n*…").next().unwrap();
    assert!(
        body.ends_with("after\n") || body.ends_with("intro\n"),
        "{cut}"
    );
}

#[test]
fn the_last_resort_cut_closes_the_details_it_leaves_open() {
    let text = "<details><summary>job</summary>\n\nline of the job\n".repeat(100);
    let cut = budget::cut(&text, budget::Limit::Bytes(300));
    assert!(cut.len() <= 300, "{}", cut.len());
    let opened = cut.matches("<details>").count();
    let closed = cut.matches("</details>").count();
    assert!(opened > 0 && opened == closed, "{cut}");
}
