use super::*;
use crate::logs::patterns::classify;

/// Follows a block opened by the first line through the rest; the lines it kept.
fn block_of(lines: &[&str]) -> Vec<String> {
    let shape = classify(lines[0].as_bytes()).expect("the first line opens a block");
    let mut open = OpenBlock::new(1, shape, lines[0]);
    let mut kept = vec![lines[0].to_string()];
    for line in &lines[1..] {
        match open.next(line, classify(line.as_bytes())) {
            Next::Inside => kept.push(line.to_string()),
            Next::Last => {
                kept.push(line.to_string());
                break;
            }
            Next::Blank => {}
            Next::Ended => break,
        }
    }
    kept
}

fn assert_block(lines: &[&str], len: usize) {
    let kept = block_of(lines);
    let want: Vec<String> = lines
        .iter()
        .take(len)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.to_string())
        .collect();
    assert_eq!(kept, want, "block of {lines:#?}");
}

#[test]
fn rustc_diagnostic_runs_through_its_code_frame() {
    assert_block(
        &[
            "error[E0425]: cannot find value `x` in this scope",
            "  --> src/main.rs:2:5",
            "   |",
            "2  |     x",
            "   |     ^ not found in this scope",
            "",
            "warning: unused import: `std::fmt`",
        ],
        6,
    );
}

#[test]
fn jest_block_runs_through_expected_received_and_the_frame() {
    assert_block(
        &[
            "  ● Sum › adds 1 + 2 to equal 3",
            "",
            "    expect(received).toBe(expected) // Object.is equality",
            "",
            "    Expected: 3",
            "    Received: 4",
            "",
            "      at Object.<anonymous> (src/sum.test.js:4:19)",
            "",
            "Test Suites: 1 failed, 1 total",
        ],
        9,
    );
}

#[test]
fn go_fail_keeps_its_indented_lines_and_subtests() {
    assert_block(
        &[
            "--- FAIL: TestParse (0.00s)",
            "    --- FAIL: TestParse/empty (0.00s)",
            "        parse_test.go:31: got \"\", want \"x\"",
            "FAIL",
        ],
        3,
    );
}

#[test]
fn gradle_what_went_wrong_is_one_paragraph() {
    assert_block(
        &[
            "* What went wrong:",
            "Execution failed for task ':app:test'.",
            "> There were failing tests. See the report at: file:///x/index.html",
            "",
            "* Try:",
        ],
        3,
    );
}

#[test]
fn python_traceback_ends_with_its_exception_line() {
    assert_block(
        &[
            "Traceback (most recent call last):",
            "  File \"/home/runner/work/app/app/run.py\", line 3, in <module>",
            "    main()",
            "ValueError: bad value",
            "next line",
        ],
        4,
    );
}

#[test]
fn pytest_section_runs_to_the_next_section() {
    assert_block(
        &[
            "_________________________ test_parse _________________________",
            "",
            "    def test_parse():",
            ">       assert parse('a') == 'b'",
            "E       AssertionError: assert 'a' == 'b'",
            "",
            "tests/test_parse.py:4: AssertionError",
            "_________________________ test_other _________________________",
        ],
        7,
    );
}

#[test]
fn libtest_failure_section_ends_at_the_failures_list() {
    assert_block(
        &[
            "---- parser::tests::quotes stdout ----",
            "thread 'parser::tests::quotes' panicked at src/parser.rs:214:9:",
            "assertion `left == right` failed",
            "",
            "failures:",
            "    parser::tests::quotes",
        ],
        3,
    );
}

#[test]
fn npm_errors_are_one_tagged_block() {
    assert_block(
        &[
            "npm ERR! code ELIFECYCLE",
            "npm ERR! errno 1",
            "npm ERR! app@1.0.0 test: `jest`",
            "Post job cleanup.",
        ],
        3,
    );
}

#[test]
fn maven_error_goes_on_in_untagged_indented_lines() {
    assert_block(
        &[
            "[ERROR] /home/runner/work/a/a/src/A.java:[42,46] cannot access X",
            "  bad class file: /home/runner/.m2/x.jar(X.class)",
            "    class file has wrong version 55.0, should be 52.0",
            "[INFO] 1 error",
        ],
        3,
    );
}

#[test]
fn a_list_of_one_shape_is_one_block_until_a_blank() {
    assert_block(
        &[
            "  ✖  19:0   Parameter type any is not identical to argument type Option.",
            "  ✖  19:11  Generic type Option requires between 1 and 4 type arguments.",
            "",
            "  ✖  24:0   Parameter type any is not identical to argument type Option.",
        ],
        1,
    );
    assert_block(
        &[
            "error TS2304: Cannot find name 'x'.",
            "error TS2304: Cannot find name 'y'.",
            "ok",
        ],
        2,
    );
}

#[test]
fn a_crash_keeps_its_thread_dumps() {
    assert_block(
        &[
            "tests/test_app.py::test_x Fatal Python error: Segmentation fault",
            "",
            "Thread 0x00007f2c1b977700 (most recent call first):",
            "  File \"/usr/lib/python3.7/threading.py\", line 300 in wait",
            "",
            "Current thread 0x00007f2c (most recent call first):",
            "  File \"/home/runner/work/app/app/tests/test_app.py\", line 33 in test_x",
            "Segmentation fault (core dumped)",
            "Pytest Arguments: ['-x']",
        ],
        8,
    );
}

#[test]
fn blocks_are_bounded() {
    let shape = classify(b"panic: boom").unwrap();
    let mut open = OpenBlock::new(1, shape, "panic: boom");
    let mut inside = 0;
    for _ in 0..10_000 {
        if open.next("\tgoroutine frame", None) == Next::Ended {
            break;
        }
        inside += 1;
    }
    assert!(inside < MAX_BLOCK_LINES as usize, "{inside}");
}

#[test]
fn details_are_the_facts_of_a_block() {
    for line in [
        "    Expected: 3",
        "    Received path: []",
        "  left: Token::Str(\"a\")",
        "  --> src/main.rs:2:5",
        "        parse_test.go:31: got \"\", want \"x\"",
        "    +   \"useVictoryProviderSync\",",
        "tests/test_parse.py:4: AssertionError",
        "   src/styles/theme.scss 12:3  root stylesheet",
    ] {
        assert!(is_detail(line, &mut FramesSeen::default()), "{line:?}");
    }
    for line in ["    def test_parse():", "Downloaded lodash.js 4.17.21"] {
        assert!(!is_detail(line, &mut FramesSeen::default()), "{line:?}");
    }
    // Of the files a stylesheet's error went through, the first is where it is.
    let mut seen = FramesSeen::default();
    assert!(is_detail("  src/theme.scss 12:3  @forward", &mut seen));
    assert!(!is_detail("  src/app.scss 4:1  root stylesheet", &mut seen));
}

#[test]
fn the_frames_worth_showing() {
    // Throw site first: the first frame, and the first in the project's own code.
    let mut seen = FramesSeen::default();
    let js = [
        (
            "      at Object.<anonymous> (node_modules/x/y.js:4:19)",
            true,
        ),
        ("      at run (node_modules/x/z.js:1:1)", false),
        (
            "      at Object.test (/home/runner/work/app/app/src/a.test.js:9:3)",
            true,
        ),
        (
            "      at Object.other (/home/runner/work/app/app/src/b.js:1:3)",
            false,
        ),
    ];
    for (line, want) in js {
        assert_eq!(is_detail(line, &mut seen), want, "{line:?}");
    }
    // Python's traceback ends at the throw site, next to the exception line: no pick.
    let mut seen = FramesSeen::default();
    for line in [
        "  File \"/home/runner/work/app/app/run.py\", line 3, in <module>",
        "src/app/__init__.py:8: in <module>",
    ] {
        assert_eq!(frame_of(line), Some(Frame::NewestLast), "{line:?}");
        assert!(!is_detail(line, &mut seen), "{line:?}");
    }
    // faulthandler's dump starts at the throw site.
    let dump = "  File \"/home/runner/work/app/app/tests/test_x.py\", line 33 in test_x";
    assert_eq!(frame_of(dump), Some(Frame::Dump));
    let mut seen = FramesSeen::default();
    assert!(!is_detail(
        "  File \"/usr/lib/python3.7/threading.py\", line 300 in wait",
        &mut seen
    ));
    assert!(is_detail(dump, &mut seen));
    assert!(!is_workspace_path(
        "/home/runner/work/a/a/.venv/lib/site-packages/x.py"
    ));
    assert_eq!(
        frame_of("\t/home/runner/work/a/a/main.go:12 +0x1d"),
        Some(Frame::NewestFirst)
    );
}

#[test]
fn empty_code_frames() {
    for line in [
        "   |",
        "        ╵                                  ~~~~",
        "  |     ^^^^^",
    ] {
        assert!(is_empty_code_frame(line), "{line:?}");
    }
    for line in [
        "  |     ^ not found in this scope",
        "131 |   if x {",
        "a | b",
    ] {
        assert!(!is_empty_code_frame(line), "{line:?}");
    }
}

#[test]
fn code_pointers() {
    for line in [
        "    |     ^^^^ not found",
        "  ╵   ~~~~",
        "  > 630 | let MapComponent = x;",
    ] {
        assert!(
            is_code_pointer(line) || line.contains("not found"),
            "{line:?}"
        );
    }
    assert!(is_code_pointer("  > 630 | let MapComponent = x;"));
    assert!(is_code_pointer("        ╵                ~~~~"));
    assert!(!is_code_pointer("  628 | ], MapComponent);"));
    assert!(!is_code_pointer("> Task :app:test"));
}

#[test]
fn tags_and_indentation() {
    assert_eq!(
        split_tag("[ERROR]   symbol: x"),
        (Tag::Error, "  symbol: x")
    );
    assert_eq!(split_tag("npm ERR! code 1"), (Tag::Npm, "code 1"));
    assert_eq!(split_tag("[ERRORS] x"), (Tag::None, "[ERRORS] x"));
    assert_eq!(indent_of("\t  x"), 6);
    assert!(is_bare_path("  typings/index.test-d.ts:19:0"));
    assert!(!is_bare_path("  Ran all test suites."));
}

#[test]
fn fingerprints_mask_what_varies() {
    assert_eq!(
        fingerprint("Exception in thread \"Thread-403\" x$1755796107"),
        fingerprint("Exception in thread \"Thread-12\" x$99")
    );
    assert_eq!(fingerprint("at 0x7fca488136d0"), fingerprint("at 0x5a1"));
    assert_ne!(fingerprint("error: a"), fingerprint("error: b"));
}
