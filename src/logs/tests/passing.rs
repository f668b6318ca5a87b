//! Ranking against a passing log of the same job: what it printed too goes down, what is new
//! goes up, and nothing is dropped for being old.

use super::*;

fn learn(log: &str) -> Arc<NormalLines> {
    let mut learner = NormalLinesLearner::new(&ExcerptOptions::default());
    learner.feed(log.as_bytes());
    Arc::new(learner.finish())
}

fn compared(failed: &str, passing: &str, opts: &ExcerptOptions) -> JobExcerpt {
    let mut a = LogAnalyzer::new(&[], opts).comparing_with(learn(passing));
    a.feed(failed.as_bytes());
    a.finish()
}

/// What every run of this job prints: an exception a passing test logs on purpose and a
/// warning, then the build's own lines (numbers differ between runs).
const PASSING: &str = "\
[INFO] Building demo 1.0
[ERROR] Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF8
Exception in thread \"worker-3\" java.lang.IllegalStateException: pool closed on purpose
\tat demo.Pool.close(Pool.java:41)
[WARNING] deprecated API used in 12 files
[INFO] Tests run: 40, Failures: 0, Errors: 0, Skipped: 0
[INFO] BUILD SUCCESS
[INFO] Total time:  8.201 s
";

const FAILED: &str = "\
[INFO] Building demo 1.0
[ERROR] Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF8
Exception in thread \"worker-9\" java.lang.IllegalStateException: pool closed on purpose
\tat demo.Pool.close(Pool.java:41)
[WARNING] deprecated API used in 13 files
[INFO] -------------------------------------------------------------
[ERROR] COMPILATION ERROR :
[ERROR] /src/demo/Parser.java:[23,29] cannot find symbol
  symbol:   class ImportScanner
  location: package demo.visitor
[INFO] 1 error
[INFO] BUILD FAILURE
[INFO] Total time:  3.1 s
";

#[test]
fn what_the_passing_run_printed_too_gives_way_to_what_is_new() {
    let opts = ExcerptOptions::default();
    let alone = analyze_chunked(FAILED.as_bytes(), &[], &opts, 64 * 1024);
    assert_has(
        &alone,
        &["Picked up JAVA_TOOL_OPTIONS", "cannot find symbol"],
    );
    assert_eq!(alone.compared, None);

    let e = compared(FAILED, PASSING, &opts);
    assert_has(
        &e,
        &[
            "COMPILATION ERROR",
            "cannot find symbol",
            "symbol:   class ImportScanner",
        ],
    );
    assert_lacks(
        &e,
        &[
            "Picked up JAVA_TOOL_OPTIONS",
            "pool closed on purpose",
            "deprecated API",
        ],
    );
    assert!(e.lines.iter().all(|l| !l.in_passing_log), "{}", joined(&e));
    let c = e.compared.expect("compared");
    assert_eq!(c.passing_lines, 8);
    assert!(c.ranked_lower >= 2, "{c:?}");
    assert_well_formed(&e, &opts);
}

#[test]
fn a_failure_the_passing_run_printed_too_is_still_shown_when_nothing_new_explains() {
    // A flaky test fails the same way it failed, and recovered, in the passing run.
    let flaky = "\
test net::retries ... FAILED
thread 'net::retries' panicked at src/net.rs:88:9:
connection reset by peer
test result: ok. 12 passed; 0 failed
";
    let failed = "\
test net::retries ... FAILED
thread 'net::retries' panicked at src/net.rs:88:9:
connection reset by peer
test result: FAILED. 11 passed; 1 failed
";
    let e = compared(failed, flaky, &ExcerptOptions::default());
    assert_has(
        &e,
        &["panicked at src/net.rs:88:9", "connection reset by peer"],
    );
    assert!(e.lines.iter().any(|l| l.in_passing_log));
}

#[test]
fn a_new_error_inside_an_old_block_is_new() {
    // `fatal:` opens a block the passing run printed too; the build's error inside it is not.
    let passing = "fatal: ambiguous argument 'src': unknown revision\n[INFO] BUILD SUCCESS\n";
    let failed = "\
fatal: ambiguous argument 'src': unknown revision
Use '--' to separate paths from revisions
[ERROR] /src/Main.java:[147,78] incompatible types: int cannot be converted to String
[INFO] BUILD FAILURE
";
    let e = compared(failed, passing, &ExcerptOptions::default());
    assert_has(&e, &["incompatible types"]);
    assert_lacks(&e, &["fatal: ambiguous argument"]);
}

#[test]
fn old_errors_never_crowd_a_new_one_out_of_the_caps() {
    // Hundreds of errors every run prints, the new one in the middle: the candidate caps keep
    // the first and the latest blocks, and old ones give way first.
    let name = |i: u32| -> String {
        (0..3)
            .map(|k| (b'a' + ((i >> (4 * k)) & 15) as u8) as char)
            .collect()
    };
    let old: Vec<String> = (0..300)
        .map(|i| {
            format!(
                "[ERROR] examples/{}/Entities.java:[{i},29] unmappable character\n",
                name(i)
            )
        })
        .collect();
    let failed = format!(
        "{}[ERROR] /src/Core.java:[5,8] cannot find symbol\n{}",
        old[..150].concat(),
        old[150..].concat()
    );
    let old = old.concat();
    let opts = ExcerptOptions {
        max_lines: 10,
        ..ExcerptOptions::default()
    };
    let alone = analyze_chunked(failed.as_bytes(), &[], &opts, 4096);
    assert_lacks(&alone, &["cannot find symbol"]);
    let e = compared(&failed, &old, &opts);
    assert_has(&e, &["cannot find symbol"]);
    assert_well_formed(&e, &opts);
}

#[test]
fn an_old_failure_still_follows_a_new_one() {
    // The passing run had the same test fail (and retried it); this run has a new failure too.
    let passing = "test net::retries ... FAILED\nretrying net::retries\ntest net::retries ... ok\n";
    let failed = "\
test net::retries ... FAILED
error[E0308]: mismatched types
  --> src/lib.rs:4:5
test result: FAILED. 1 passed; 1 failed
";
    let e = compared(failed, passing, &ExcerptOptions::default());
    assert_has(
        &e,
        &[
            "mismatched types",
            "src/lib.rs:4:5",
            "test net::retries ... FAILED",
        ],
    );
    let old = e
        .lines
        .iter()
        .find(|l| l.text.contains("net::retries"))
        .unwrap();
    let new = e
        .lines
        .iter()
        .find(|l| l.text.contains("mismatched"))
        .unwrap();
    assert!(old.in_passing_log && !new.in_passing_log);
    assert!(new.priority < old.priority, "{}", joined(&e));
}
