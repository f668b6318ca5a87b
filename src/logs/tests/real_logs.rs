//! The real logs of `testdata/`: their key lines are in the excerpt, whatever the chunking.

use super::*;

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
    // The generic exit-code line belongs to the failed step, but it only
    // repeats the job's ❌: with the linker errors explained, it stays out
    // however much room there is.
    let wide = ExcerptOptions {
        max_lines: 200,
        ..ExcerptOptions::default()
    };
    let all = analyze_chunked(RUST_LOG, &rust_steps(), &wide, 64 * 1024);
    assert_lacks(&all, &["Process completed with exit code 1."]);
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
            "OSError: We couldn't connect",
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
