//! Error shapes of each ecosystem, and attributing lines to the right step.

use super::*;

#[test]
fn each_ecosystem_shape_is_found_in_a_failed_step() {
    let cases: &[(&str, &[&str])] = &[
        (
            "cargo",
            &[
                "error[E0308]: mismatched types",
                "---- t::a stdout ----",
                "thread 'main' panicked at src/lib.rs:3:1:",
                "test t::a ... FAILED",
            ],
        ),
        (
            "pytest",
            &[
                "_________________________________ test_b _________________________________",
                "E       assert 1 == 2",
                "FAILED tests/test_a.py::test_b - AssertionError",
            ],
        ),
        (
            "jest",
            &[
                "FAIL src/a.test.js",
                "  ● adds › works",
                "npm ERR! code ERESOLVE",
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
        ("tsd", &["  ✖  19:0  Parameter type any is not identical to argument type Option."]),
        ("esbuild", &["✘ [ERROR] Could not resolve \"@swimlane/ngx-charts\""]),
        (
            "maven",
            &[
                "[ERROR] Tests run: 1, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.1 s <<< FAILURE! - in a.BTest",
                "[ERROR] /home/runner/work/a/a/src/B.java:[42,46] cannot find symbol",
            ],
        ),
        ("gradle", &["* What went wrong:", "Execution failed for task ':app:test'."]),
        (
            "gcc, MSVC, ninja",
            &[
                "FAILED: src/CMakeFiles/app.dir/main.c.o",
                "src/main.c:1:2: error: expected ';' before '}' token",
                "D:\\a\\app\\main.cpp(12): error C2065: 'x': undeclared identifier",
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
