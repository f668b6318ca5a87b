//! The shapes of issue 24 through the whole analyzer, in logs written here in the general
//! shape each convention takes (no corpus line): several failures with their reports, status
//! lines, a sub-header's paragraph, service prefixes, colour codes written out, totals.

use super::*;

/// The excerpt of a failed `Run …` step that printed `lines`, markers only.
fn excerpt_of(lines: &[&str]) -> JobExcerpt {
    let mut log: Vec<(i64, &str)> = vec![(1, "##[group]Run ./test.sh"), (1, "##[endgroup]")];
    log.extend(lines.iter().map(|l| (1, *l)));
    analyze(&log_of(&log), &[])
}

/// The lines the comment's 12-line cut keeps.
fn comment_cut(e: &JobExcerpt) -> Vec<&str> {
    rank::keep_most_informative(&e.lines, 12)
        .into_iter()
        .map(|i| e.lines[i].text.as_str())
        .collect()
}

/// A runner that prints a status line per test, then a numbered report per failure, then
/// totals: every failure is named, the first one's message and location come with the
/// names, and the same message under the next failed test is one line with a count.
#[test]
fn numbered_reports_come_before_status_lines_and_repeats_fold() {
    let mut lines = vec!["Parser"];
    for i in 1..=5 {
        lines.push(match i {
            1 => "  rejects an empty document (FAILED - 1)",
            2 => "  rejects a bare key (FAILED - 2)",
            3 => "  rejects a tab (FAILED - 3)",
            4 => "  rejects a nul byte (FAILED - 4)",
            _ => "  rejects a lone quote (FAILED - 5)",
        });
        lines.push("  accepts a comment");
    }
    lines.extend(["", "Failures:", ""]);
    let names = [
        "  1) Parser rejects an empty document",
        "  2) Parser rejects a bare key",
        "  3) Parser rejects a tab",
        "  4) Parser rejects a nul byte",
        "  5) Parser rejects a lone quote",
    ];
    for name in names {
        lines.extend([
            name,
            "     Failure/Error: parse(input)",
            "",
            "     KeyError:",
            "       no reader for `document`",
            "     # ./lib/parser/reader.rb:41:in `read'",
            "     # ./spec/parser_spec.rb:12:in `block (2 levels)'",
            "",
        ]);
    }
    lines.extend(["Finished in 0.4 seconds", "30 examples, 5 failures"]);
    let e = excerpt_of(&lines);
    let cut = comment_cut(&e);
    for name in names {
        assert!(cut.contains(&name), "{name:?} not in {cut:#?}");
    }
    for fact in ["no reader for `document`", "# ./lib/parser/reader.rb:41"] {
        assert!(
            cut.iter().any(|l| l.contains(fact)),
            "{fact:?} not in {cut:#?}"
        );
    }
    // The status lines give way to the reports in the comment.
    assert!(!cut.iter().any(|l| l.contains("(FAILED - 5)")), "{cut:#?}");
    // The repeated message is shown once, with its count.
    let message: Vec<&ExcerptLine> = e
        .lines
        .iter()
        .filter(|l| l.text.contains("no reader for"))
        .collect();
    assert_eq!(message.len(), 1, "{}", joined(&e));
    assert_has(&e, &["30 examples, 5 failures"]);
}

/// `Failed name [time]`, then `Error Message:` and the message indented, then the assertion's
/// sides back at the margin: one report, up to the blank line or the next failure.
#[test]
fn a_sub_headers_paragraph_runs_back_to_the_margin() {
    let e = excerpt_of(&[
        "  Failed Shop.Tests.CartTests.Total_includes_tax [4 ms]",
        "  Error Message:",
        "   Assert.Equal() Failure: values differ",
        "Expected: 107",
        "Actual:   100",
        "  Stack Trace:",
        "     at Shop.Tests.CartTests.Total_includes_tax() in /src/CartTests.cs:line 31",
        "  Failed Shop.Tests.CartTests.Empty_cart_is_zero [1 ms]",
        "  Error Message:",
        "   Assert.Equal() Failure: values differ",
        "Expected: 0",
        "Actual:   1",
        "",
        "Failed!  - Failed:     2, Passed:    40, Skipped:     0, Total:    42",
    ]);
    assert_has(
        &e,
        &[
            "Failed Shop.Tests.CartTests.Total_includes_tax",
            "Expected: 107",
            "Actual:   100",
            "Failed Shop.Tests.CartTests.Empty_cart_is_zero",
        ],
    );
}

/// Lines behind a service prefix, box drawing and colour codes that lost their ESC byte:
/// the message inside is recognised, and the codes never reach the reader.
#[test]
fn wrapped_lines_are_read_by_their_message() {
    let e = excerpt_of(&[
        "api-1  | Running 3 tests",
        "api-1  |  [31m✘[0m reads the config",
        "api-1  |    [33m┐[0m",
        "api-1  |    [33m├[0m [43;30mRuntimeError: config file is missing[0m",
        "api-1  |    [33m│[0m",
        "api-1  |    [33m│[0m /app/tests/ConfigTest.php:18",
        "api-1  |    [33m┴[0m",
        "api-1  | ",
        "api-1  | [37;41mERRORS![0m",
        "api-1  | [37;41mTests: 3, Assertions: 2, Errors: 1.[0m",
        "api-1 exited with code 2",
    ]);
    assert_has(
        &e,
        &[
            "RuntimeError: config file is missing",
            "ERRORS!",
            "Tests: 3, Assertions: 2, Errors: 1.",
        ],
    );
    for l in &e.lines {
        assert!(
            !l.text.contains("[0m") && !l.text.contains("[33m"),
            "{:?}",
            l.text
        );
    }
}

/// A runner that marks each failed test with a cross and frames its reason below: the test's
/// name heads the failure, the frame's drawing says nothing, and two suites' tests of one
/// name that fail for different reasons are two failures, both reasons shown.
#[test]
fn a_crossed_test_heads_its_reason_and_same_names_stay_apart() {
    let failed = |name: &'static str, why: &'static str, at: &'static str| {
        [name, "   ┐", why, "   │", at, "   ┴"]
    };
    let mut lines = vec!["Reader"];
    lines.extend(failed(
        " ✘ reads json",
        "   ├ RuntimeError: the cache is gone",
        "   │ /app/tests/ReaderTest.php:18",
    ));
    lines.extend(failed(
        " ✘ reads yaml",
        "   ├ RuntimeError: the cache is gone",
        "   │ /app/tests/ReaderTest.php:25",
    ));
    lines.push("Writer");
    lines.extend(failed(
        " ✘ reads json",
        "   ├ TypeError: write() expects a string",
        "   │ /app/tests/WriterTest.php:9",
    ));
    lines.extend(["", "ERRORS!", "Tests: 9, Assertions: 7, Errors: 3."]);
    let e = excerpt_of(&lines);
    let cut = comment_cut(&e);
    for want in [
        " ✘ reads json",
        "   ├ RuntimeError: the cache is gone",
        "   ├ TypeError: write() expects a string",
        "ERRORS!",
    ] {
        assert!(cut.contains(&want), "{want:?} in {cut:#?}");
    }
    assert!(!e
        .lines
        .iter()
        .any(|l| l.text.trim() == "┐" || l.text.trim() == "┴"));
}

/// Past the first failed tests of one shape, a test that fails for a reason none of them
/// gave is still a failure of its own: its name and reason come before more of the same.
#[test]
fn a_new_reason_is_never_more_of_the_same() {
    let mut lines: Vec<String> = Vec::new();
    for i in 1..=14 {
        lines.push(format!("Sample {i}"));
        lines.push("  ✗ parses".into());
        lines.push("      ParseError: unexpected end of input".into());
        if i == 10 {
            lines.push("Index".into());
            lines.push("  ✗ writes the index".into());
            lines.push("      IOError: the disk is read-only".into());
        }
    }
    lines.extend((0..8).map(|i| format!("  ✓ formats case {i}")));
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let e = excerpt_of(&refs);
    assert_has(
        &e,
        &["  ✗ writes the index", "IOError: the disk is read-only"],
    );
    // In the comment's cut, at least the distinct failure's name.
    assert!(comment_cut(&e).contains(&"  ✗ writes the index"));
}

/// One problem among many lines that say all is well: it is the one shown.
#[test]
fn the_one_line_that_differs_in_a_list_of_passing_ones() {
    let mut lines: Vec<String> = (0..50)
        .map(|i| format!("Checking module_{i} ... OK"))
        .collect();
    lines.insert(
        31,
        "module_31: error: unknown field `colour` in table `theme`".into(),
    );
    lines.push("Total: 1 error".into());
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let e = excerpt_of(&refs);
    let cut = comment_cut(&e);
    assert!(
        cut.iter().any(|l| l.contains("unknown field `colour`")),
        "{cut:#?}"
    );
}

/// Only a recognised failure ends the excerpt early: an error-looking line alone lets the
/// excerpt use its room (the lines before the exit say what the command was doing).
#[test]
fn a_weak_signal_does_not_end_the_excerpt() {
    let mut lines: Vec<String> = (0..20)
        .map(|i| format!("step {i}: copying assets"))
        .collect();
    lines.push("warning: could not stat cache, rebuilding".into());
    lines.push("Error: connect ECONNREFUSED 127.0.0.1:5432".into());
    lines.push("    at TCPConnectWrap.afterConnect (node:net:1595:16)".into());
    lines.push("seeding the database with 12 fixtures".into());
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let e = excerpt_of(&refs);
    assert_has(&e, &["ECONNREFUSED", "seeding the database"]);
    assert!(e.lines.len() > 5, "{}", joined(&e));
}

/// With room for three lines, a section's message and location come before its header
/// (`---- name stdout ----`): the assertion and its sides say what broke, the header only which.
#[test]
fn few_lines_keep_the_message_and_location_before_a_section_header() {
    let lines = [
        "running 2 tests",
        "test parse::empty ... ok",
        "test parse::tabs ... FAILED",
        "",
        "failures:",
        "",
        "---- parse::tabs stdout ----",
        "thread 'parse::tabs' panicked at src/parse.rs:41:9:",
        "assertion `left == right` failed",
        "  left: 3",
        " right: 4",
        "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
        "",
        "failures:",
        "    parse::tabs",
        "",
        "test result: FAILED. 1 passed; 1 failed; 0 ignored",
    ];
    let mut log: Vec<(i64, &str)> = vec![(1, "##[group]Run cargo test"), (1, "##[endgroup]")];
    log.extend(lines.iter().map(|l| (1, *l)));
    let opts = ExcerptOptions {
        max_lines: 3,
        ..ExcerptOptions::default()
    };
    let e = analyze_chunked(&log_of(&log), &[], &opts, 4096);
    let texts: Vec<&str> = e.lines.iter().map(|l| l.text.as_str()).collect();
    assert!(
        texts
            .iter()
            .any(|l| l.contains("panicked at src/parse.rs:41:9")),
        "{texts:#?}"
    );
    assert!(
        texts
            .iter()
            .any(|l| l.contains("assertion `left == right` failed")),
        "{texts:#?}"
    );
    assert!(!texts.iter().any(|l| l.starts_with("---- ")), "{texts:#?}");
    // With room for more, the header is there too.
    let full = analyze_chunked(&log_of(&log), &[], &ExcerptOptions::default(), 4096);
    assert_has(&full, &["---- parse::tabs stdout ----", "  left: 3"]);
}

/// An error whose cause is below a label (`Caused by:`, as error chains print it): the
/// cause ranks with the label, so even the comment's short cut shows why, not the progress
/// line before the error.
#[test]
fn the_line_a_label_introduces_stays_with_it() {
    let e = excerpt_of(&[
        "Fetching packages ...",
        "error: could not fetch `https://pkgs.example.org/index`",
        "",
        "Caused by:",
        "  connection refused (os error 111)",
    ]);
    let cut = comment_cut(&e);
    assert!(
        cut.contains(&"  connection refused (os error 111)"),
        "{cut:#?}"
    );
    assert!(!cut.contains(&"Fetching packages ..."), "{cut:#?}");
}

/// Without step times, the `##[group]` header of the section whose failure is shown names
/// where the job failed; with none, nothing is named.
#[test]
fn a_log_without_steps_names_the_section_that_failed() {
    let log = log_of(&[
        (1, "##[group]Run make lint"),
        (1, "make lint"),
        (1, "##[endgroup]"),
        (1, "lint ok"),
        (2, "##[group]Run make test"),
        (2, "make test"),
        (2, "##[endgroup]"),
        (2, "src/a.c:3:1: error: expected ';' before '}' token"),
        (2, "##[error]Process completed with exit code 2."),
    ]);
    let e = analyze(&log, &[]);
    assert_eq!(
        e.step_name.as_deref(),
        Some("Run make test"),
        "{}",
        joined(&e)
    );
    let plain = analyze(b"building\nerror: the linker failed\n", &[]);
    assert_eq!(plain.step_name, None);
    assert_has(&plain, &["error: the linker failed"]);
}
