//! End-to-end tests of the log pipeline: real logs, ecosystems, attribution
//! edge cases, chunking invariance and bounded memory.

use super::*;

fn t(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    Some(
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("valid test time")
            .with_timezone(&chrono::Utc),
    )
}

fn st(number: u32, name: &str, conclusion: &str, start: &str, end: &str) -> StepInfo {
    StepInfo {
        number,
        name: name.into(),
        conclusion: Some(conclusion.into()),
        started_at: if start.is_empty() { None } else { t(start) },
        completed_at: if end.is_empty() { None } else { t(end) },
    }
}

fn analyze_chunked(
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

fn analyze(log: &[u8], steps: &[StepInfo]) -> JobExcerpt {
    analyze_chunked(log, steps, &ExcerptOptions::default(), 64 * 1024)
}

fn joined(e: &JobExcerpt) -> String {
    e.lines
        .iter()
        .map(|l| format!("{} {:?} {}\n", l.line_number, l.kind, l.text))
        .collect()
}

fn has(e: &JobExcerpt, needle: &str) -> bool {
    e.lines.iter().any(|l| l.text.contains(needle))
}

fn assert_has(e: &JobExcerpt, needles: &[&str]) {
    for n in needles {
        assert!(has(e, n), "missing {n:?} in excerpt:\n{}", joined(e));
    }
}

fn assert_lacks(e: &JobExcerpt, needles: &[&str]) {
    for n in needles {
        assert!(!has(e, n), "unexpected {n:?} in excerpt:\n{}", joined(e));
    }
}

fn assert_well_formed(e: &JobExcerpt, opts: &ExcerptOptions) {
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

const RUST_LOG: &[u8] = include_bytes!("testdata/rust-cargo-doctest-link-failure.full.log");
const TORCH_LOG: &[u8] = include_bytes!("testdata/pytorch-selfhosted-step-failure.full.log");
const SHUTDOWN_LOG: &[u8] = include_bytes!("testdata/pytorch-runner-shutdown-cancelled.full.log");
const TIMEOUT_LOG: &[u8] = include_bytes!("testdata/pytorch-step-timeout-360min.fragment.log");
const CANCELED_LOG: &[u8] = include_bytes!("testdata/pytorch-operation-canceled.fragment.log");
const PYTEST_LOG: &[u8] = include_bytes!("testdata/pytorch-pytest-failure.fragment.log");

fn rust_steps() -> Vec<StepInfo> {
    let d = |hms: &str| format!("2025-12-16T{hms}Z");
    vec![
        st(1, "Set up job", "success", &d("23:20:13"), &d("23:20:22")),
        st(
            2,
            "Run actions/checkout@v4",
            "success",
            &d("23:20:22"),
            &d("23:20:22"),
        ),
        st(
            3,
            "Run dtolnay/rust-toolchain@stable",
            "success",
            &d("23:20:22"),
            &d("23:20:32"),
        ),
        st(
            4,
            "Run jdx/mise-action@v2",
            "success",
            &d("23:20:32"),
            &d("23:20:35"),
        ),
        st(
            5,
            "Run # use the rust version that was installed in the previous step",
            "success",
            &d("23:20:35"),
            &d("23:20:35"),
        ),
        st(
            6,
            "Run Swatinem/rust-cache@v2.8.0",
            "success",
            &d("23:20:35"),
            &d("23:20:36"),
        ),
        st(
            7,
            "Run lefthook run --force pre-commit",
            "failure",
            &d("23:20:36"),
            &d("23:21:30"),
        ),
        st(
            8,
            "Run wagoid/commitlint-github-action@6.2.1",
            "skipped",
            "",
            "",
        ),
        st(
            9,
            "Post Run Swatinem/rust-cache@v2.8.0",
            "skipped",
            &d("23:21:30"),
            &d("23:21:30"),
        ),
        st(
            10,
            "Post Run actions/checkout@v4",
            "success",
            &d("23:21:30"),
            &d("23:21:30"),
        ),
        st(
            11,
            "Complete job",
            "success",
            &d("23:21:30"),
            &d("23:21:30"),
        ),
    ]
}

#[test]
fn rust_link_failure_with_step_times() {
    let e = analyze(RUST_LOG, &rust_steps());
    assert_eq!(e.step_number, Some(7));
    assert_eq!(e.total_lines, 977);
    assert_has(&e, &["linking with `cc` failed", "undefined hidden symbol"]);
    // The generic exit-code line belongs to the failed step, but it ranks
    // below the ~30 linker errors and what follows them (the `max-lines` cut
    // uses `rank`'s order), so it only shows when there is room.
    let wide = ExcerptOptions {
        max_lines: 200,
        ..ExcerptOptions::default()
    };
    let all = analyze_chunked(RUST_LOG, &rust_steps(), &wide, 64 * 1024);
    assert_has(&all, &["Process completed with exit code 1."]);
    // Post-step git noise and the setup's "errors.ts" downloads stay out.
    assert_lacks(
        &e,
        &[
            "safe.directory",
            "Cleaning up orphan processes",
            "errors.ts",
            "Checking error-handling",
        ],
    );
    assert_well_formed(&e, &ExcerptOptions::default());
    let first_err = e
        .lines
        .iter()
        .find(|l| l.text.contains("linking with"))
        .unwrap();
    assert_eq!(first_err.line_number, 640);
    assert_eq!(first_err.kind, LineKind::Match);
}

#[test]
fn rust_link_failure_markers_only() {
    let e = analyze(RUST_LOG, &[]);
    assert_eq!(e.step_number, None);
    assert_has(&e, &["linking with `cc` failed", "undefined hidden symbol"]);
    assert_lacks(&e, &["safe.directory"]);
}

fn torch_steps() -> Vec<StepInfo> {
    let d = |hms: &str| format!("2024-07-08T{hms}Z");
    vec![
        st(1, "Set up job", "success", &d("16:48:09"), &d("16:48:14")),
        st(
            2,
            "Setup and checkout",
            "success",
            &d("16:48:14"),
            &d("16:56:59"),
        ),
        st(
            3,
            "Download TD artifacts",
            "failure",
            &d("16:56:59"),
            &d("16:56:59"),
        ),
        st(4, "Parse ref", "success", &d("16:56:59"), &d("16:56:59")),
        st(
            5,
            "Get workflow job id",
            "success",
            &d("16:56:59"),
            &d("16:57:01"),
        ),
        st(
            6,
            "Check for keep-going label and re-enabled test issues",
            "success",
            &d("16:57:01"),
            &d("16:57:02"),
        ),
        st(7, "Test", "failure", &d("16:57:02"), &d("16:59:08")),
        st(
            8,
            "Upload pytest cache if tests failed",
            "success",
            &d("16:59:08"),
            &d("16:59:13"),
        ),
        st(
            9,
            "Upload test artifacts",
            "success",
            &d("16:59:13"),
            &d("16:59:24"),
        ),
        st(
            10,
            "Teardown Linux",
            "success",
            &d("16:59:24"),
            &d("16:59:36"),
        ),
        st(
            11,
            "Post Setup SSH",
            "success",
            &d("16:59:36"),
            &d("16:59:36"),
        ),
        st(
            12,
            "Post Checkout PyTorch",
            "success",
            &d("16:59:36"),
            &d("16:59:37"),
        ),
        st(
            13,
            "Complete job",
            "success",
            &d("16:59:37"),
            &d("16:59:37"),
        ),
    ]
}

#[test]
fn pytorch_selfhosted_failures_with_step_times() {
    let e = analyze(TORCH_LOG, &torch_steps());
    assert_eq!(
        (e.step_number, e.step_name.as_deref()),
        (Some(3), Some("Download TD artifacts"))
    );
    assert_has(
        &e,
        &[
            "mv: cannot stat 'td_results.json'",
            "OSError: We couldn't connect",
            "Traceback (most recent call last)",
        ],
    );
    assert_lacks(
        &e,
        &["NVIDIA-SMI", "Cleaning up orphan processes", "extraheader"],
    );
    assert_well_formed(&e, &ExcerptOptions::default());
}

#[test]
fn pytorch_selfhosted_markers_only() {
    let e = analyze(TORCH_LOG, &[]);
    assert_has(
        &e,
        &[
            "mv: cannot stat 'td_results.json'",
            "Process completed with exit code 1.",
        ],
    );
    assert_lacks(&e, &["Cleaning up orphan processes"]);
}

#[test]
fn runner_shutdown_cancelled_job() {
    // The job was cancelled in "Set up job": no step failed in the API.
    let steps = [st(
        1,
        "Set up job",
        "cancelled",
        "2026-07-29T18:08:09Z",
        "2026-07-29T18:08:10Z",
    )];
    for steps in [&steps[..], &[]] {
        let e = analyze(SHUTDOWN_LOG, steps);
        assert_has(
            &e,
            &[
                "The runner has received a shutdown signal",
                "A task was canceled.",
            ],
        );
        assert_eq!(e.total_lines, 16);
        // The BOM never leaks into text.
        assert!(e.lines.iter().all(|l| !l.text.contains('\u{feff}')));
    }
}

#[test]
fn no_failed_step_gives_the_end_of_the_log() {
    let steps = [st(
        1,
        "Set up job",
        "success",
        "2026-07-29T18:08:09Z",
        "2026-07-29T18:08:10Z",
    )];
    let e = analyze(SHUTDOWN_LOG, &steps);
    assert_eq!(e.step_number, None);
    assert_has(&e, &["shutdown signal", "Download action repository"]);
}

#[test]
fn step_timeout_fragment() {
    let steps = [
        st(5, "Test", "timed_out", "2026-07-29T08:40:52Z", "2026-07-29T14:40:54Z"),
        st(6, "Run # copy test results back to the mounted workspace, needed sudo, resulting permissions were correct", "success", "2026-07-29T14:40:54Z", "2026-07-29T14:40:54Z"),
        st(7, "Change permissions", "success", "2026-07-29T14:40:54Z", "2026-07-29T14:40:55Z"),
    ];
    for steps in [&steps[..], &[]] {
        let e = analyze(TIMEOUT_LOG, steps);
        assert_has(&e, &["has timed out after 360 minutes"]);
        assert_lacks(&e, &["AWS_SECRET_ACCESS_KEY", "sudo chown"]);
    }
}

#[test]
fn operation_canceled_fragment() {
    let steps = [
        st(
            4,
            "Build",
            "cancelled",
            "2026-07-28T22:50:00Z",
            "2026-07-28T23:09:28Z",
        ),
        st(
            5,
            "Upload artifacts",
            "success",
            "2026-07-28T23:09:28Z",
            "2026-07-28T23:09:29Z",
        ),
    ];
    let e = analyze(CANCELED_LOG, &steps);
    assert_eq!(e.step_number, Some(4));
    assert_has(&e, &["The operation was canceled."]);
    assert_lacks(&e, &["punycode", "1 file uploaded"]);
}

#[test]
fn pytest_fragment_without_markers() {
    let e = analyze(PYTEST_LOG, &[]);
    assert_has(
        &e,
        &[
            "=== FAILURES ===",
            "RuntimeError: Process 0 terminated",
            "FAILED [310.0221s] distributed/test_c10d_spawn_gloo.py",
        ],
    );
    assert_well_formed(&e, &ExcerptOptions::default());
}

#[test]
fn real_logs_are_chunk_size_invariant() {
    let opts = ExcerptOptions::default();
    for (log, steps) in [
        (RUST_LOG, rust_steps()),
        (TORCH_LOG, torch_steps()),
        (SHUTDOWN_LOG, vec![]),
        (PYTEST_LOG, vec![]),
    ] {
        let reference = analyze_chunked(log, &steps, &opts, log.len());
        for chunk in [1, 2, 7, 4096] {
            // 1-byte chunks on the 400 KB log are slow in debug builds; sample.
            if chunk == 1 && log.len() > 200_000 {
                continue;
            }
            assert_eq!(
                analyze_chunked(log, &steps, &opts, chunk),
                reference,
                "chunk {chunk}"
            );
        }
    }
}

#[test]
#[ignore = "prints excerpts for eyeballing"]
fn print_excerpts() {
    for (log, steps) in [(RUST_LOG, rust_steps()), (TORCH_LOG, torch_steps())] {
        let e = analyze(log, &steps);
        println!(
            "{:?} omitted {} total {}\n{}",
            e.step_name,
            e.omitted_lines,
            e.total_lines,
            joined(&e)
        );
    }
}

/// Builds a log: one line per `(second offset, text)` from 2024-05-01T12:00:00Z.
fn log_of(lines: &[(i64, &str)]) -> Vec<u8> {
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

fn at(s: i64) -> String {
    chrono::DateTime::from_timestamp(1_714_564_800 + s, 0)
        .unwrap()
        .to_rfc3339()
}

#[test]
fn each_ecosystem_shape_is_found_in_a_failed_step() {
    let cases: &[(&str, &[&str])] = &[
        (
            "cargo",
            &[
                "error[E0308]: mismatched types",
                "thread 'main' panicked at src/lib.rs:3:1:",
                "test t::a ... FAILED",
                "failures:",
            ],
        ),
        (
            "pytest",
            &[
                "=================================== FAILURES ===================================",
                "E       assert 1 == 2",
                "FAILED tests/test_a.py::test_b - AssertionError",
            ],
        ),
        (
            "jest",
            &[
                "FAIL src/a.test.js",
                "  ● adds › works",
                "npm ERR! code ELIFECYCLE",
            ],
        ),
        (
            "go",
            &[
                "--- FAIL: TestAdd (0.00s)",
                "FAIL\texample.com/m\t0.01s",
                "panic: boom",
            ],
        ),
        (
            "tsc",
            &["src/a.ts(1,7): error TS2322: Type 'string' is not assignable"],
        ),
        (
            "eslint",
            &["  12:5  error  'x' is defined but never used  no-unused-vars"],
        ),
        (
            "maven",
            &[
                "[ERROR] Failed to execute goal",
                "BUILD FAILED in 2s",
                "FAILURE: Build failed with an exception.",
            ],
        ),
        (
            "docker",
            &["ERROR: failed to solve: process did not complete successfully"],
        ),
        (
            "crash",
            &[
                "Segmentation fault (core dumped)",
                "Killed",
                "exit code 137",
            ],
        ),
    ];
    for (name, shapes) in cases {
        let mut lines: Vec<(i64, &str)> = vec![
            (0, "Current runner version: '2.317.0'"),
            (1, "##[group]Run make test"),
            (1, "make test"),
            (1, "##[endgroup]"),
        ];
        lines.extend((0..30).map(|_| (2, "ordinary output")));
        lines.extend(shapes.iter().map(|s| (3, *s)));
        lines.extend((0..30).map(|_| (4, "more ordinary output")));
        lines.push((5, "##[error]Process completed with exit code 1."));
        let steps = [
            st(1, "Set up job", "success", &at(0), &at(0)),
            st(2, "Run make test", "failure", &at(1), &at(5)),
        ];
        let e = analyze(&log_of(&lines), &steps);
        for s in *shapes {
            let kind = e
                .lines
                .iter()
                .find(|l| l.text == s.trim_end())
                .map(|l| l.kind);
            assert_eq!(
                kind,
                Some(LineKind::Match),
                "{name}: {s:?} in\n{}",
                joined(&e)
            );
        }
        assert_has(&e, &["Process completed with exit code 1."]);
    }
}

#[test]
fn error_words_in_successful_and_post_steps_are_ignored() {
    let lines = [
        (0, "Current runner version"),
        (1, "##[group]Run cargo build"),
        (1, "##[endgroup]"),
        (1, "   Compiling error-chain v0.12.4"),
        (2, "error: this is printed by a successful step"),
        (3, "##[group]Run cargo test"),
        (3, "##[endgroup]"),
        (3, "test a ... FAILED"),
        (3, "##[error]Process completed with exit code 101."),
        (3, "Post job cleanup."),
        (3, "error: post step noise in the same second"),
        (4, "fatal: post step noise later"),
        (4, "Cleaning up orphan processes"),
    ];
    let steps = [
        st(1, "Set up job", "success", &at(0), &at(0)),
        st(2, "Run cargo build", "success", &at(1), &at(2)),
        st(3, "Run cargo test", "failure", &at(3), &at(3)),
        st(4, "Post Run actions/checkout@v4", "success", &at(3), &at(4)),
        st(5, "Complete job", "success", &at(4), &at(4)),
    ];
    let e = analyze(&log_of(&lines), &steps);
    assert_eq!(e.step_number, Some(3));
    assert_has(&e, &["test a ... FAILED", "exit code 101"]);
    assert_lacks(
        &e,
        &[
            "successful step",
            "post step noise",
            "error-chain",
            "orphan",
        ],
    );
}

#[test]
fn skipped_steps_and_same_second_boundaries() {
    // Steps 2 and 4 were skipped (no output, equal or null times); 3, 5 and 6
    // share one second; 5 fails.
    let lines = [
        (0, "Current runner version"),
        (1, "##[group]Run echo three"),
        (1, "##[endgroup]"),
        (1, "error: three says error but succeeded"),
        (1, "##[group]Run ./fail.sh"),
        (1, "##[endgroup]"),
        (1, "boom: the real failure"),
        (1, "##[error]Process completed with exit code 2."),
        (1, "##[group]Run echo six"),
        (1, "##[endgroup]"),
        (1, "error: six runs if: always() and complains"),
    ];
    let steps = [
        st(1, "Set up job", "success", &at(0), &at(0)),
        st(2, "Run skipped", "skipped", &at(1), &at(1)),
        st(3, "Run echo three", "success", &at(1), &at(1)),
        StepInfo {
            number: 4,
            name: "Also skipped".into(),
            conclusion: Some("skipped".into()),
            started_at: None,
            completed_at: None,
        },
        st(5, "Run ./fail.sh", "failure", &at(1), &at(1)),
        st(6, "Run echo six", "success", &at(1), &at(1)),
    ];
    let e = analyze(&log_of(&lines), &steps);
    assert_eq!(e.step_number, Some(5));
    assert_has(&e, &["boom: the real failure", "exit code 2"]);
    assert_lacks(&e, &["three says", "six runs"]);
}

#[test]
fn composite_inner_headers_do_not_end_the_step() {
    // A composite step (custom name) runs inner `Run …` steps; its last inner
    // step fails. The next step starts later.
    let lines = [
        (0, "Current runner version"),
        (1, "##[group]Run ./.github/actions/setup"),
        (1, "##[endgroup]"),
        (1, "##[group]Run echo inner one"),
        (1, "##[endgroup]"),
        (2, "inner one output"),
        (3, "##[group]Run ./inner-two.sh"),
        (3, "##[endgroup]"),
        (3, "npm ERR! missing script"),
        (3, "##[error]Process completed with exit code 1."),
        (5, "##[group]Run echo after"),
        (5, "##[endgroup]"),
        (5, "error: unrelated"),
    ];
    let steps = [
        st(1, "Set up job", "success", &at(0), &at(0)),
        st(2, "Setup toolchain", "failure", &at(1), &at(3)),
        st(3, "Run echo after", "success", &at(5), &at(5)),
    ];
    let e = analyze(&log_of(&lines), &steps);
    assert_has(&e, &["npm ERR! missing script", "inner one output"]);
    assert_lacks(&e, &["unrelated"]);
}

#[test]
fn ten_megabyte_line_then_error_line() {
    let opts = ExcerptOptions::default();
    let mut log = b"2024-05-01T12:00:00.0000000Z ##[group]Run x\n2024-05-01T12:00:00.1Z ##[endgroup]\n2024-05-01T12:00:00.2Z ".to_vec();
    log.extend(std::iter::repeat_n(b'a', 10 * 1024 * 1024));
    log.extend_from_slice(b"\n2024-05-01T12:00:01.0Z error[E0001]: after the long line\n2024-05-01T12:00:01.1Z ##[error]Process completed with exit code 1.\n");
    let e = analyze_chunked(&log, &[], &opts, 64 * 1024);
    assert_has(&e, &["error[E0001]: after the long line", "more bytes]"]);
    assert_well_formed(&e, &opts);
    let long = e.lines.iter().find(|l| l.text.starts_with("aaaa")).unwrap();
    assert_eq!(long.line_number, 3);
}

#[test]
fn decoder_edge_cases_end_to_end() {
    let log = b"\xEF\xBB\xBF2024-05-01T12:00:00.0000000Z start\r\n\
2024-05-01T12:00:00.1000000Z \x1b]0;title\x07\x1b[31merror\x1b[0m: red \xff bytes\r\n\
2024-05-01T12:00:00.2000000Z 10%\r100%\r\n\
2024-05-01T12:00:00.3000000Z ##[error]Process completed with exit code 1.";
    let reference = analyze_chunked(log, &[], &ExcerptOptions::default(), log.len());
    for chunk in [1, 2, 7] {
        assert_eq!(
            analyze_chunked(log, &[], &ExcerptOptions::default(), chunk),
            reference
        );
    }
    assert_has(&reference, &["error: red \u{FFFD} bytes", "100%"]);
    assert_eq!(reference.total_lines, 4);
    assert!(reference
        .lines
        .iter()
        .all(|l| !l.text.contains("title") && !l.text.starts_with('\u{feff}')));
}

#[test]
fn cap_keeps_errors_over_matches_over_context_and_counts_the_rest() {
    let mut lines: Vec<(i64, String)> = Vec::new();
    for i in 0..100 {
        lines.push((1, format!("plain {i}")));
        lines.push((1, format!("error: shape {i}")));
    }
    lines.push((1, "##[error]the specific error".into()));
    lines.push((1, "##[error]Process completed with exit code 1.".into()));
    let refs: Vec<(i64, &str)> = lines.iter().map(|(s, t)| (*s, t.as_str())).collect();
    let opts = ExcerptOptions {
        max_lines: 10,
        ..ExcerptOptions::default()
    };
    let e = analyze_chunked(&log_of(&refs), &[], &opts, 4096);
    assert_eq!(e.lines.len(), 10);
    assert!(e
        .lines
        .iter()
        .any(|l| l.text == "the specific error" && l.kind == LineKind::Error));
    assert_eq!(
        e.lines.iter().filter(|l| l.kind == LineKind::Match).count(),
        9
    );
    assert!(e.omitted_lines > 0);
}

#[test]
fn duplicate_lines_are_shown_once() {
    let lines: Vec<(i64, &str)> = (0..20)
        .map(|_| (1, "error: same thing"))
        .chain([(1, "##[error]Process completed with exit code 1.")])
        .collect();
    let e = analyze(&log_of(&lines), &[]);
    assert_eq!(
        e.lines
            .iter()
            .filter(|l| l.text == "error: same thing")
            .count(),
        1
    );
}

/// Generates `mb` MiB of log on the fly, never stored whole.
fn stream_generated(analyzer: &mut LogAnalyzer, mb: usize, mut check: impl FnMut(&LogAnalyzer)) {
    let mut chunk = Vec::with_capacity(70 * 1024);
    let mut fed = 0;
    let mut i = 0u64;
    while fed < mb * 1024 * 1024 {
        chunk.clear();
        while chunk.len() < 64 * 1024 {
            let text = match i % 500 {
                0 => format!("error[E{:04}]: number {i}", i % 10_000),
                1 => format!("##[error]failure number {i}"),
                2 => "\x1b[31mE       assert colored\x1b[0m".to_string(),
                _ => format!("line {i} with some ordinary build output in it"),
            };
            chunk.extend_from_slice(
                format!("2024-05-01T12:00:00.{:07}Z {text}\n", i % 10_000_000).as_bytes(),
            );
            i += 1;
        }
        analyzer.feed(&chunk);
        fed += chunk.len();
        check(analyzer);
    }
}

#[test]
fn memory_stays_bounded_over_a_large_stream() {
    let mut a = LogAnalyzer::new(&[], &ExcerptOptions::default());
    let mut peak = 0;
    stream_generated(&mut a, 50, |a| peak = peak.max(a.retained_bytes()));
    assert!(peak < 2 * 1024 * 1024, "retained {peak} bytes");
    let e = a.finish();
    assert_eq!(e.lines.len(), 40);
    assert!(e.omitted_lines > 1000);
}

#[test]
fn hit_cursor_agrees_with_a_per_line_search() {
    let buf: &[u8] = b"ok\nerror: x\n\nnothing\nFAIL FAIL\n137 and error\nplain\nE   x\nlast ok";
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, &b) in buf.iter().enumerate() {
        if b == b'\n' {
            lines.push((start, i));
            start = i + 1;
        }
    }
    lines.push((start, buf.len()));
    // Every subset of lines, asked in order, gets the per-line answer.
    for mask in 0u32..(1 << lines.len()) {
        let mut cursor = HitCursor::new();
        for (k, &(s, e)) in lines.iter().enumerate() {
            if mask & (1 << k) == 0 {
                continue;
            }
            let alone = patterns::find_candidate(&buf[s..e], 0).is_some();
            assert_eq!(cursor.any_in(buf, s, e), alone, "line {k}, mask {mask:b}");
        }
    }
}

#[test]
fn ring_keeps_chunk_ranges_until_the_chunk_ends() {
    let chunk: &[u8] = b"one\ntwo\nthree\nfour";
    let mut ring = Ring::new(2);
    for (seq, (at, len)) in (1..).zip([(0, 3), (4, 3), (8, 5)]) {
        ring.push(&Line {
            seq,
            line_number: seq,
            raw: &chunk[at..at + len],
            at: Some(at),
            truncated: 0,
            display: Display::Plain,
        });
    }
    // A line assembled elsewhere (the carry) is copied at once.
    ring.push(&Line {
        seq: 4,
        line_number: 4,
        raw: b"carried",
        at: None,
        truncated: 2,
        display: Display::Warning,
    });
    ring.end_chunk(chunk);
    let mut set = CandidateSet::new(10, 3);
    // The chunk is gone: the ring must answer from its own copies.
    ring.drain_into(&mut set, Class::Tail, 0, &[]);
    let (lines, _) = set.select(10);
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, ["three", "warning: carried … [2 more bytes]"]);
}

/// The bundled replay's test job, cut to the comment's 12 lines: the cut must
/// keep what explains the failure (panics, the assertion and its operands),
/// not the passing tests around the `FAILED` lines.
#[test]
fn replay_test_job_cut_to_twelve_keeps_panic_and_assertion() {
    const LOG: &[u8] = include_bytes!("../../examples/rust-ci-failure/logs/31013.log");
    const JOBS: &str = include_str!("../../examples/rust-ci-failure/jobs.json");
    let jobs: serde_json::Value = serde_json::from_str(JOBS).expect("valid jobs.json");
    let job = jobs["jobs"]
        .as_array()
        .and_then(|all| all.iter().find(|j| j["id"] == 31013))
        .expect("job 31013");
    let time = |v: &serde_json::Value| v.as_str().and_then(t);
    let steps: Vec<StepInfo> = job["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| StepInfo {
            number: s["number"].as_u64().expect("number") as u32,
            name: s["name"].as_str().expect("name").into(),
            conclusion: s["conclusion"].as_str().map(Into::into),
            started_at: time(&s["started_at"]),
            completed_at: time(&s["completed_at"]),
        })
        .collect();
    let e = analyze(LOG, &steps);
    let keep = rank::keep_most_informative(&e.lines, 12);
    let cut = JobExcerpt {
        lines: keep.into_iter().map(|i| e.lines[i].clone()).collect(),
        ..e.clone()
    };
    assert_eq!(cut.lines.len(), 12);
    assert_has(
        &cut,
        &[
            "panicked at src/parser.rs:214:9",
            "panicked at src/render.rs:88:5",
            "assertion `left == right` failed",
            "left: Token::Str",
            "right: Token::Str",
            "expected `a \\| b`, got `a | b`",
            "escapes_inside_quotes ... FAILED",
            "test result: FAILED",
            "Process completed with exit code 101.",
        ],
    );
    assert_lacks(&cut, &[" ... ok"]);
    assert!(cut
        .lines
        .windows(2)
        .all(|w| w[0].line_number < w[1].line_number));
}

/// Markers only, nothing that explains the failure: the excerpt falls back to
/// the log's last lines, which span segments (the collector's tail ring is
/// only soft-cleared at a segment's end, so it still holds the earlier ones).
#[test]
fn markers_only_log_tail_spans_segments() {
    let log = log_of(&[
        (1, "##[group]Run ./build.sh"),
        (1, "##[endgroup]"),
        (1, "building a"),
        (1, "building b"),
        (1, "built"),
        (2, "##[group]Run ./deploy.sh"),
        (2, "##[endgroup]"),
        (2, "deployed"),
        (3, "Post job cleanup."),
        (3, "cleaned"),
    ]);
    for tail in [0, 1, 3, 12] {
        let opts = ExcerptOptions {
            tail,
            ..ExcerptOptions::default()
        };
        for chunk in [1, 7, 4096] {
            let e = analyze_chunked(&log, &[], &opts, chunk);
            let texts: Vec<&str> = e.lines.iter().map(|l| l.text.as_str()).collect();
            let want: &[&str] = match tail {
                0 | 1 => &["cleaned"],
                3 => &["deployed", "Post job cleanup.", "cleaned"],
                _ => &[
                    "Run ./build.sh",
                    "building a",
                    "building b",
                    "built",
                    "Run ./deploy.sh",
                    "deployed",
                    "Post job cleanup.",
                    "cleaned",
                ],
            };
            assert_eq!(texts, want, "tail {tail}, chunk {chunk}");
            assert!(e.lines.iter().all(|l| l.kind == LineKind::Tail));
        }
    }
}

/// The `max-lines` cut and the comment's tighter cut rank alike: what
/// follows a hit beats the generic exit-code line, passing tests come last,
/// and cutting the full excerpt with `rank` gives the same lines as asking
/// the analyzer for fewer.
#[test]
fn max_lines_cut_uses_the_comment_ranking() {
    let log = log_of(&[
        (1, "##[group]Run cargo test"),
        (1, "##[endgroup]"),
        (1, "test a ... ok"),
        (1, "running 2 tests"),
        (1, "thread 'main' panicked at src/main.rs:2:5:"),
        (1, "assertion `left == right` failed"),
        (1, "  left: 1"),
        (1, "test b ... ok"),
        (1, "##[error]Process completed with exit code 101."),
    ]);
    let opts = |max_lines| ExcerptOptions {
        max_lines,
        ..ExcerptOptions::default()
    };
    let full = analyze_chunked(&log, &[], &opts(40), 4096);
    assert_eq!(full.lines.len(), 8, "{}", joined(&full));
    for max in 1..=8 {
        let cut = analyze_chunked(&log, &[], &opts(max), 4096);
        let ranked: Vec<&ExcerptLine> = rank::keep_most_informative(&full.lines, max)
            .into_iter()
            .map(|i| &full.lines[i])
            .collect();
        assert_eq!(cut.lines.iter().collect::<Vec<_>>(), ranked, "max {max}");
        assert_eq!(cut.omitted_lines, full.omitted_lines + (8 - max) as u64);
        assert!(cut
            .lines
            .windows(2)
            .all(|w| w[0].line_number < w[1].line_number));
    }
    let three = analyze_chunked(&log, &[], &opts(3), 4096);
    let texts: Vec<&str> = three.lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "thread 'main' panicked at src/main.rs:2:5:",
            "assertion `left == right` failed",
            "  left: 1",
        ]
    );
    let five = analyze_chunked(&log, &[], &opts(5), 4096);
    assert!(has(&five, "Process completed with exit code 101."));
    assert_lacks(&five, &[" ... ok"]);
}
