//! End-to-end tests of the log pipeline: real logs, ecosystems, attribution
//! edge cases, chunking invariance and bounded memory.

use super::*;

pub(super) fn t(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    Some(
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("valid test time")
            .with_timezone(&chrono::Utc),
    )
}

pub(super) fn st(number: u32, name: &str, conclusion: &str, start: &str, end: &str) -> StepInfo {
    StepInfo {
        number,
        name: name.into(),
        conclusion: Some(conclusion.into()),
        started_at: if start.is_empty() { None } else { t(start) },
        completed_at: if end.is_empty() { None } else { t(end) },
    }
}

pub(super) fn analyze_chunked(
    log: &[u8],
    steps: &[StepInfo],
    opts: &ExcerptOptions,
    chunk: usize,
) -> JobExcerpt {
    let mut a = LogAnalyzer::new(steps, opts);
    for c in log.chunks(chunk.max(1)) {
        a.feed(c);
    }
    a.finish()
}

pub(super) fn analyze(log: &[u8], steps: &[StepInfo]) -> JobExcerpt {
    analyze_chunked(log, steps, &ExcerptOptions::default(), 64 * 1024)
}

pub(super) fn joined(e: &JobExcerpt) -> String {
    e.lines
        .iter()
        .map(|l| format!("{} {:?} {}\n", l.line_number, l.kind, l.text))
        .collect()
}

pub(super) fn has(e: &JobExcerpt, needle: &str) -> bool {
    e.lines.iter().any(|l| l.text.contains(needle))
}

pub(super) fn assert_has(e: &JobExcerpt, needles: &[&str]) {
    for n in needles {
        assert!(has(e, n), "missing {n:?} in excerpt:\n{}", joined(e));
    }
}

pub(super) fn assert_lacks(e: &JobExcerpt, needles: &[&str]) {
    for n in needles {
        assert!(!has(e, n), "unexpected {n:?} in excerpt:\n{}", joined(e));
    }
}

pub(super) fn assert_well_formed(e: &JobExcerpt, opts: &ExcerptOptions) {
    assert!(e.lines.len() <= opts.max_lines);
    assert!(e
        .lines
        .windows(2)
        .all(|w| w[0].line_number <= w[1].line_number));
    for l in &e.lines {
        assert!(l.line_number >= 1 && l.line_number <= e.total_lines.max(1));
        assert!(!l.text.contains('\u{1b}') && !l.text.contains('\n') && !l.text.contains('\r'));
        assert!(l.text.len() <= opts.max_line_bytes + 64);
    }
}

pub(super) const RUST_LOG: &[u8] =
    include_bytes!("../testdata/rust-cargo-doctest-link-failure.full.log");
pub(super) const TORCH_LOG: &[u8] =
    include_bytes!("../testdata/pytorch-selfhosted-step-failure.full.log");
pub(super) const SHUTDOWN_LOG: &[u8] =
    include_bytes!("../testdata/pytorch-runner-shutdown-cancelled.full.log");
pub(super) const TIMEOUT_LOG: &[u8] =
    include_bytes!("../testdata/pytorch-step-timeout-360min.fragment.log");
pub(super) const CANCELED_LOG: &[u8] =
    include_bytes!("../testdata/pytorch-operation-canceled.fragment.log");
pub(super) const PYTEST_LOG: &[u8] =
    include_bytes!("../testdata/pytorch-pytest-failure.fragment.log");

/// Builds a log: one line per `(second offset, text)` from 2024-05-01T12:00:00Z.
pub(super) fn log_of(lines: &[(i64, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (s, text)) in lines.iter().enumerate() {
        let secs = 1_714_564_800 + s;
        let t = chrono::DateTime::from_timestamp(secs, 0).unwrap();
        out.extend_from_slice(
            format!("{}.{:07}Z {text}\n", t.format("%Y-%m-%dT%H:%M:%S"), i * 10).as_bytes(),
        );
    }
    out
}

pub(super) fn at(s: i64) -> String {
    chrono::DateTime::from_timestamp(1_714_564_800 + s, 0)
        .unwrap()
        .to_rfc3339()
}

mod blocks;
mod bounds;
mod generic;
mod passing;
mod real_logs;
mod shapes;
mod skim;
