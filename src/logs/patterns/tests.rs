use super::*;

const SHOULD_MATCH: &[&str] = &[
    "error[E0425]: cannot find value `x` in this scope",
    "error: could not compile `foo` (lib) due to 2 previous errors",
    "[test:docs] error: linking with `cc` failed: exit status: 1",
    "          rust-lld: error: undefined hidden symbol: core::panicking",
    "thread 'main' panicked at src/main.rs:2:5:",
    "test tests::it_works ... FAILED",
    "failures:",
    "test result: FAILED. 1 passed; 1 failed",
    "FAILED tests/test_x.py::test_y - AssertionError: assert 1 == 2",
    "E       assert 1 == 2",
    "Traceback (most recent call last):",
    "AssertionError",
    "RuntimeError: Process 0 terminated or timed out after 310.0 seconds",
    "=================================== FAILURES ===================================",
    "npm ERR! code ELIFECYCLE",
    "npm ERR! code ERESOLVE",
    "✖ 2 problems (2 errors, 0 warnings)",
    "> Task :app:test FAILED",
    "npm error Missing script: \"test\"",
    "  ● Sum › adds 1 + 2 to equal 3",
    "FAIL src/sum.test.js",
    "--- FAIL: TestAdd (0.00s)",
    "FAIL\tgithub.com/x/y\t0.003s",
    "FAIL",
    "panic: runtime error: index out of range [3] with length 3",
    "src/index.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.",
    "  12:5  error  'x' is assigned a value but never used  no-unused-vars",
    "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin",
    "[ERROR] Tests run: 1, Failures: 0, Errors: 1, Skipped: 0, Time elapsed: 0.1 s <<< FAILURE! - in a.BTest",
    "[ERROR] Tests run: 25, Failures: 0, Errors: 1, Skipped: 0",
    "[ERROR] Errors: ",
    "27 tests completed, 1 failed",
    "error: test failed, to rerun pass `--lib`",
    "BUILD FAILED in 3s",
    "FAILURE: Build failed with an exception.",
    "ERROR: failed to solve: process \"/bin/sh -c make\" did not complete successfully",
    "failed to build: exit status 2",
    "Segmentation fault (core dumped)",
    "Fatal Python error: Segmentation fault",
    "received signal SIGSEGV",
    "Killed",
    "Error: Process completed with exit code 137.",
    "fatal error: runtime: out of memory",
    "The action 'Test' has timed out after 360 minutes.",
    "The job has exceeded the maximum execution time of 45m0s",
    "The operation was canceled.",
    "The runner has received a shutdown signal.",
    "fatal: repository 'https://x/' not found",
    "mv: cannot stat 'td_results.json': No such file or directory",
    "bash: line 1: cargo-nextest: command not found",
    "sh: 1: husky: not found",
    "---- parser::tests::escapes stdout ----",
    "_____________________ TestSetOps.test_isin _____________________",
    "!!!!!!!!!!!!!!!!!!! Interrupted: 3 errors during collection !!!!!!!!!!!!!!!!!!!!",
    "ERROR tests/unit/test_models.py",
    "  ✖  19:0   Parameter type any is not identical to argument type Option.",
    "✘ [ERROR] Could not resolve \"@swimlane/ngx-charts\"",
    "* What went wrong:",
    "Execution failed for task ':app:test'.",
    "[ERROR] /home/runner/work/a/a/B.java:[42,46] cannot access X",
    "Application bundle generation failed. [22.024 seconds]",
    "Exception in thread \"main\" java.lang.IllegalStateException: boom",
    "src/main.c:1:2: error: expected ';' before '}' token",
    "src/A.cs(3,5): error CS0103: The name 'x' does not exist in the current context",
    "error: aborting due to 2 previous errors",
    "npm error Lifecycle script `test` failed with error:",
    "[ERROR] Tests run: 3, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 1 s <<< FAILURE! - in a.B",
    "/bin/sh: 1: ./run.sh: Permission denied",
    // Generic conventions, written here in the shape they take across tools.
    "  Failed MyApp.Tests.ParserTests.Parses_empty_input [3 ms]",
    "[FAIL] parser accepts an empty document",
    "check-yaml...............................................................Failed",
    "Test Failed at /home/runner/work/pkg/pkg/test/runtests.jl:12",
    "12 examples, 2 failures",
    "Tests: 8, Assertions: 8, Failures: 2.",
    "ERRORS!",
    "  2) Parser rejects an empty document",
    "Foo::Bar::TemplateError:",
    "error[lint-7]: unused import",
    "Build Error at build/rules.txt:12 (message):",
    "lint: the script \"check\" failed with exit code 2",
    "/usr/local/bin/python3 -m pytest -x tests failed",
    "e: file:///home/runner/work/app/src/Main.kt:12:5 Unresolved reference: parse",
    "E: Unable to locate package libfoo-dev",
    "  ✘ rejects an empty document",
    "    ✕ parses an empty file (3 ms)",
    "✗ lint (3 problems)",
    "venv/lib/site-packages/pkg-1.2.0.dev0+41.g9f3e2-py3.8.egg/pkg/core.py:88: ValueError",
];

const SHOULD_NOT_MATCH: &[&str] = &[
    "   Compiling error-chain v0.12.4",
    "    Checking error-handling v0.1.0 (https://github.com/x/error-handling-rs#f26e)",
    "Download https://deno.land/x/zod@v3.23.8/errors.ts",
    "warning: unused variable: `x`",
    "test tests::it_works ... ok",
    "test result: ok. 3 passed; 0 failed; 0 ignored",
    "Finished `dev` profile [unoptimized + debuginfo] target(s) in 53.77s",
    "Everything is fine",
    "  GIT_DEFAULT_BRANCH: main",
    "collected 1 item",
    "FAILURES are reported below", // no `===` frame
    "12 examples, 0 failures",
    "Tests: 8, Assertions: 8, Failures: 0.",
    "  Passed MyApp.Tests.ParserTests.Parses_empty_input [3 ms]",
    "  ✓ rejects an empty document",
    "TYPE: e: is a drive",
    "  e: not at the margin",
    "  ✔ lint",
];

#[test]
fn the_crosses_are_found_past_other_dingbats() {
    let buf = "✓ ok\n✔ ok\n✔\n  ✗ broken\n".as_bytes();
    let at = find_rare_candidate(buf, 0).expect("the cross is found");
    assert!(buf[at..].starts_with("✗".as_bytes()));
    assert_eq!(find_rare_candidate(buf, at + 1), None);
    // A buffer that ends inside a dingbat's bytes.
    assert_eq!(find_rare_candidate(&buf[..2], 0), None);
}

#[test]
fn known_shapes_match() {
    for line in SHOULD_MATCH {
        assert!(is_error_shape(line.as_bytes()), "should match: {line:?}");
    }
}

#[test]
fn ordinary_lines_do_not_match() {
    for line in SHOULD_NOT_MATCH {
        assert!(
            !is_error_shape(line.as_bytes()),
            "should not match: {line:?}"
        );
    }
}

#[test]
fn prefilter_never_hides_a_shape() {
    // Every example a shape matches must pass the prefilter on its own.
    let all = Recognizer::for_rules(Rules::All);
    for line in SHOULD_MATCH {
        if all.set.is_match(line.as_bytes()) {
            assert!(
                line.starts_with("E   ")
                    || is_found_alone(line.as_bytes())
                    || PREFILTER.is_match(line.as_bytes()),
                "{line:?}"
            );
        }
    }
    // And each shape has at least one example.
    for (i, shape) in all.rules.iter().enumerate() {
        assert!(
            SHOULD_MATCH
                .iter()
                .any(|l| all.set.matches(l.as_bytes()).matched(i)),
            "shape without an example: {shape:?}"
        );
    }
}

#[test]
fn buffer_prefilter_finds_every_line_that_could_be_a_hit() {
    let tricky = [
        "\x1b[31mE   assert 1 == 2\x1b[0m",
        "E   x",
        "plain line",
        "\x1b[1mnothing here\x1b[0m",
    ];
    for line in SHOULD_MATCH.iter().chain(SHOULD_NOT_MATCH).chain(&tricky) {
        let raw = line.as_bytes();
        // Shapes found alone are checked line by line, not searched for (see there).
        let could_hit = (may_be_error_shape(raw) || is_error_shape(raw)) && !is_found_alone(raw);
        // Inside a buffer: the search from the line's start stays in it.
        let buf = [b"noise\n", raw, b"\nmore"].concat();
        let found = find_candidate(&buf, 6).is_some_and(|at| at < 6 + raw.len());
        assert!(found || !could_hit, "{line:?}");
    }
}

#[test]
fn generic_exit_error() {
    assert!(is_generic_exit_error(
        b"Process completed with exit code 1."
    ));
    assert!(!is_generic_exit_error(
        b"The action 'Test' has timed out after 360 minutes."
    ));
    // A kill or a segfault is news, not a repeat of the ❌.
    assert!(!is_generic_exit_error(
        b"Process completed with exit code 137."
    ));
    assert!(is_generic_exit_error(
        b"The process '/usr/bin/xvfb-run' failed with exit code 1"
    ));
    assert!(is_step_ending_error(
        b"The action 'Test' has timed out after 360 minutes."
    ));
}

#[test]
fn a_shape_is_matched_on_the_message_inside_what_wraps_it() {
    // A service prefix, box drawing and colour codes that lost their ESC byte.
    let wrapped = "web-1  |    [33m├[0m [43;30mRuntimeError: the cache is gone[0m";
    assert_eq!(
        &*message(wrapped.as_bytes()),
        "RuntimeError: the cache is gone".as_bytes()
    );
    assert!(is_error_shape(wrapped.as_bytes()));
    // Caret notation, as some tools write the codes out.
    assert_eq!(
        &*message(b"^[[31mFAILED^[[0m parser::empty"),
        b"FAILED parser::empty"
    );
    assert!(is_error_shape(b"worker_2 | [37;41mERRORS![0m"));
    // A pipe in a command line is no service prefix, and nothing is copied for a plain line.
    assert!(matches!(
        message(b"cat a.txt | grep error: x"),
        Cow::Borrowed(_)
    ));
    assert!(matches!(message(b"plain line"), Cow::Borrowed(_)));
}

#[test]
fn a_weak_rule_gives_way_to_any_other_shape() {
    // A compiler error that mentions a count stays a compiler error.
    let shape = classify(b"src/a.c:3:1: error: expected 2 errors, found 3").unwrap();
    assert_eq!(shape.strength, Strength::Decisive);
    // A count alone is a summary.
    let shape = classify(b"3 failed, 12 passed").unwrap();
    assert_eq!(shape.strength, Strength::Summary);
}

#[test]
fn a_command_echoed_before_failed_sums_up() {
    // The command's own output said why: the echo of it is a summary, not the failure.
    let shape =
        classify(b"/usr/local/bin/ruby -I/opt/gems/rspec-core/lib /opt/gems/rspec-core/exe/rspec --pattern spec/**/*_spec.rb failed")
            .unwrap();
    assert_eq!(shape.strength, Strength::Summary);
    // A sentence that ends on `failed`, and a location before it, stay what they were.
    let shape = classify(b"Application bundle generation failed.").unwrap();
    assert_eq!(shape.strength, Strength::Ordinary);
    let shape = classify(b"/src/app/main.c:12: check failed").unwrap();
    assert_eq!(shape.strength, Strength::Ordinary);
}

#[test]
fn rules_choose_the_families() {
    assert_eq!(Rules::parse(None), Ok(Rules::All));
    assert_eq!(Rules::parse(Some("")), Ok(Rules::All));
    assert_eq!(Rules::parse(Some("generic")), Ok(Rules::Generic));
    let why = Rules::parse(Some("rust")).unwrap_err();
    assert!(why.contains("`all`") && why.contains("`generic`"), "{why}");
    // The generic recognizer knows no tool's own format, but every generic convention.
    let generic = Recognizer::for_rules(Rules::Generic);
    assert!(generic.classify(b"E       assert 1 == 2").is_none());
    assert!(generic
        .classify(b"---- parser::tests::escapes stdout ----")
        .is_none());
    assert!(generic.classify(b"  \xe2\x97\x8f Sum > adds").is_none());
    assert!(generic
        .classify(b"error: linking with `cc` failed")
        .is_some());
    assert!(generic.classify(b"The operation was canceled.").is_some());
    let all = Recognizer::for_rules(Rules::All);
    assert!(all.classify(b"E       assert 1 == 2").is_some());
}
