//! Each tool's failure report through the whole analyzer, in logs written in that tool's
//! style: what the excerpt keeps, what it folds, and what passing work it leaves out.

use super::*;

/// The excerpt of a failed `Run …` step that printed `lines`, markers only.
fn excerpt_of(lines: &[&str]) -> JobExcerpt {
    let mut log: Vec<(i64, &str)> = vec![(1, "##[group]Run ./ci.sh"), (1, "##[endgroup]")];
    log.extend(lines.iter().map(|l| (1, *l)));
    analyze(&log_of(&log), &[])
}

#[test]
fn docker_build_keeps_the_failing_step_box_and_the_solve_error() {
    let e = excerpt_of(&[
        "#11 [build 4/6] RUN make",
        "#11 0.412 cc -c main.c",
        "#11 0.532 main.c:3:1: error: expected ';' before '}' token",
        "#11 ERROR: process \"/bin/sh -c make\" did not complete successfully: exit code: 2",
        "------",
        " > [build 4/6] RUN make:",
        "0.532 main.c:3:1: error: expected ';' before '}' token",
        "------",
        "Dockerfile:12",
        "ERROR: failed to solve: process \"/bin/sh -c make\" did not complete successfully: exit code: 2",
        "##[error]buildx failed with: ERROR: failed to solve: process \"/bin/sh -c make\" did not complete successfully: exit code: 2",
    ]);
    assert_has(
        &e,
        &[
            "main.c:3:1: error: expected ';'",
            "ERROR: failed to solve",
            "did not complete successfully: exit code: 2",
        ],
    );
}

#[test]
fn ninja_and_msvc_show_the_target_and_one_copy_of_a_repeated_error() {
    let mut lines = vec![
        "[1/3] Building CXX object src/CMakeFiles/app.dir/a.cpp.obj",
        "FAILED: src/CMakeFiles/app.dir/main.cpp.obj",
    ];
    let repeated =
        "##[error]D:\\a\\app\\app\\src\\main.cpp(12,5): error C2065: 'x': undeclared identifier";
    lines.extend(std::iter::repeat_n(repeated, 40));
    lines.push("ninja: build stopped: subcommand failed.");
    let e = excerpt_of(&lines);
    assert_has(&e, &["FAILED: src/CMakeFiles/app.dir/main.cpp.obj"]);
    let copies: Vec<&ExcerptLine> = e
        .lines
        .iter()
        .filter(|l| l.text.contains("error C2065"))
        .collect();
    assert_eq!(copies.len(), 1, "{}", joined(&e));
    assert_eq!(copies[0].repeats, 39);
}

#[test]
fn a_cancel_shows_what_ran_just_before_it() {
    let e = excerpt_of(&[
        "[INFO] Running org.acme.CacheTest",
        "[INFO] Tests run: 3, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.2 s - in org.acme.CacheTest",
        "[INFO] Running org.acme.RegistryTest",
        "[Checker] Run test method: org.acme.RegistryTest#testSubscribe",
        "INFO connecting to 127.0.0.1:2181",
        "##[error]The operation was canceled.",
    ]);
    assert_has(
        &e,
        &[
            "The operation was canceled.",
            "Running org.acme.RegistryTest",
            "RegistryTest#testSubscribe",
        ],
    );
}

#[test]
fn exceptions_that_passing_tests_print_are_left_out() {
    let e = excerpt_of(&[
        "[INFO] Running org.acme.LoggerTest",
        "java.lang.Exception: logged on purpose",
        "\tat org.acme.LoggerTest.logs(LoggerTest.java:60)",
        "[INFO] Tests run: 1, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.1 s - in org.acme.LoggerTest",
        "[INFO] Running org.acme.ParserTest",
        "[ERROR] Tests run: 1, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.1 s <<< FAILURE! - in org.acme.ParserTest",
        "[ERROR] org.acme.ParserTest.quotes  Time elapsed: 0.01 s  <<< FAILURE!",
        "org.opentest4j.AssertionFailedError: expected: <a> but was: <b>",
        "\tat org.acme.ParserTest.quotes(ParserTest.java:42)",
        "[INFO] BUILD FAILURE",
    ]);
    assert_has(
        &e,
        &[
            "ParserTest.quotes  Time elapsed",
            "AssertionFailedError: expected: <a> but was: <b>",
            "ParserTest.java:42",
        ],
    );
    assert_lacks(&e, &["logged on purpose", "Tests run: 1, Failures: 0"]);
}

#[test]
fn jest_console_output_of_passing_suites_is_left_out() {
    let e = excerpt_of(&[
        "PASS tests/a.test.js",
        "  ● Console",
        "",
        "    console.error",
        "      Error: expected in this test",
        "",
        "      at log (tests/setup.js:42:11)",
        "",
        "PASS tests/b.test.js",
        "FAIL tests/c.test.js",
        "  ● sum › adds",
        "",
        "    expect(received).toBe(expected) // Object.is equality",
        "",
        "    Expected: 3",
        "    Received: 4",
        "",
        "      2 | test('adds', () => {",
        "    > 3 |   expect(sum(1, 2)).toBe(3);",
        "        |                     ^",
        "",
        "      at Object.toBe (tests/c.test.js:3:21)",
        "",
        "Test Suites: 1 failed, 2 passed, 3 total",
    ]);
    assert_has(
        &e,
        &[
            "FAIL tests/c.test.js",
            "● sum › adds",
            "Expected: 3",
            "Received: 4",
            "> 3 |   expect(sum(1, 2)).toBe(3);",
            "at Object.toBe (tests/c.test.js:3:21)",
        ],
    );
    assert_lacks(&e, &["expected in this test", "PASS tests", "● Console"]);
}

#[test]
fn a_timeout_shows_the_message_and_what_was_running() {
    let e = excerpt_of(&[
        "tests/test_net.py::test_upload PASSED",
        "tests/test_net.py::test_download ",
        "##[error]The action 'Run ./ci.sh' has timed out after 30 minutes.",
    ]);
    assert_has(&e, &["has timed out after 30 minutes", "test_download"]);
}

#[test]
fn gaps_inside_an_excerpt_are_never_silent() {
    let mut lines = vec![
        "error[E0425]: cannot find value `x` in this scope",
        "  --> src/main.rs:2:5",
    ];
    lines.extend(std::iter::repeat_n("   Compiling crate v1.0.0", 30));
    lines.push("error: could not compile `app` (bin \"app\") due to 1 previous error");
    let e = excerpt_of(&lines);
    assert_has(
        &e,
        &["error[E0425]", "--> src/main.rs:2:5", "could not compile"],
    );
    // Line numbers jump where lines were left out; the digest marks each jump.
    assert!(e
        .lines
        .windows(2)
        .any(|w| w[1].line_number > w[0].line_number + 1));
}
