//! Passing over the lines of steps that are not explained: it must change nothing but the
//! time taken, whatever the log and its chunking.

use super::*;

fn both_ways(
    log: &[u8],
    steps: &[StepInfo],
    opts: &ExcerptOptions,
    cuts: &[usize],
) -> [(JobExcerpt, u64); 2] {
    [true, false].map(|skims| {
        let mut a = LogAnalyzer::new(steps, opts);
        if !skims {
            a = a.reading_every_line();
        }
        let mut rest = log;
        for &cut in cuts.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (part, tail) = rest.split_at(cut.clamp(1, rest.len()));
            a.feed(part);
            rest = tail;
        }
        let passed = a.lines_passed_over();
        (a.finish(), passed)
    })
}

/// A build step printing thousands of lines that passed, then a failing test step.
fn build_then_test() -> (Vec<u8>, Vec<StepInfo>) {
    let mut lines: Vec<(i64, String)> = vec![(0, "##[group]Run cargo build".into())];
    lines.push((0, "##[endgroup]".into()));
    for i in 0..3000 {
        lines.push((
            i / 100,
            format!("   Compiling crate_{i} v0.{i}.0 (error-chain noise)"),
        ));
    }
    lines.push((31, "##[group]Run cargo test".into()));
    lines.push((31, "##[endgroup]".into()));
    lines.push((32, "thread 'main' panicked at src/lib.rs:7:5:".into()));
    lines.push((32, "assertion failed: ok".into()));
    lines.push((33, "##[error]Process completed with exit code 101.".into()));
    let borrowed: Vec<(i64, &str)> = lines.iter().map(|(s, t)| (*s, t.as_str())).collect();
    let steps = vec![
        st(1, "Run cargo build", "success", &at(0), &at(30)),
        st(2, "Run cargo test", "failure", &at(31), &at(33)),
    ];
    (log_of(&borrowed), steps)
}

#[test]
fn a_passing_steps_output_is_counted_not_read_and_the_excerpt_is_the_same() {
    let (log, steps) = build_then_test();
    for chunk in [4096, 64 * 1024, log.len()] {
        let [(skimmed, passed), (read, none)] =
            both_ways(&log, &steps, &ExcerptOptions::default(), &[chunk]);
        assert_eq!(skimmed, read, "chunk {chunk}");
        assert!(
            passed > 2000 && none == 0,
            "chunk {chunk}: {passed} passed over"
        );
        assert_has(
            &skimmed,
            &["panicked at src/lib.rs:7:5", "assertion failed: ok"],
        );
        let panic = skimmed.lines.iter().find(|l| l.text.contains("panicked"));
        assert_eq!(
            panic.map(|l| l.line_number),
            Some(3005),
            "{}",
            joined(&skimmed)
        );
        assert_eq!(skimmed.total_lines, 3007);
    }
}

#[test]
fn a_failed_steps_window_and_the_jobs_errors_are_read() {
    let (log, mut steps) = build_then_test();
    // The build failed too: nothing of it may be passed over.
    steps[0].conclusion = Some("failure".into());
    let [(_, passed), _] = both_ways(&log, &steps, &ExcerptOptions::default(), &[4096]);
    assert_eq!(passed, 0);
}

/// One generated line: a second gap and what it says.
fn line_text(kind: u8, i: usize) -> String {
    match kind {
        0 => "##[group]Run step".to_string(),
        1 => "##[endgroup]".to_string(),
        2 => "##[error]Process completed with exit code 1.".to_string(),
        3 => format!("error: build {i} failed"),
        4 => "Post job cleanup.".to_string(),
        5 => format!("progress {i}%\r{}%", i + 1),
        6 => format!("windows line {i}\r"),
        7 => "##[warning]deprecated".to_string(),
        _ => format!("ok line {i}"),
    }
}

proptest::proptest! {
    // A mistake in when the tracker holds shows in about one case in a few hundred.
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
    /// Skimming gives the same excerpt as reading every line: any steps, conclusions,
    /// markers, errors, CRLF and lone `\r`, unstamped lines, and chunking.
    #[test]
    fn skimming_changes_no_excerpt(
        lines in proptest::collection::vec((0i64..2, 0u8..48, 0u8..8), 1..600),
        steps in proptest::collection::vec((0i64..120, 0u8..4), 1..5),
        cuts in proptest::collection::vec(1usize..3000, 1..8),
        tail in 0usize..20,
    ) {
        let t0 = 1_714_564_800;
        let (mut log, mut secs) = (Vec::new(), t0);
        for (i, (gap, kind, stamped)) in lines.iter().enumerate() {
            secs += gap;
            if *stamped > 0 || i == 0 {
                let stamp = chrono::DateTime::from_timestamp(secs, 0).unwrap();
                log.extend_from_slice(format!("{}.1234567Z ", stamp.format("%Y-%m-%dT%H:%M:%S")).as_bytes());
            }
            log.extend_from_slice(line_text(*kind, i).as_bytes());
            log.push(b'\n');
        }
        let mut start = 0;
        let infos: Vec<StepInfo> = steps.iter().enumerate().map(|(i, &(len, outcome))| {
            let conclusion = ["success", "failure", "skipped", "cancelled"][usize::from(outcome)];
            let info = st(i as u32 + 1, "Run step", conclusion, &at(start), &at(start + len));
            start += len + i64::from(outcome % 2 == 0);
            info
        }).collect();
        let opts = ExcerptOptions { tail, ..ExcerptOptions::default() };
        let [(skimmed, _), (read, _)] = both_ways(&log, &infos, &opts, &cuts);
        proptest::prop_assert_eq!(skimmed, read);
    }
}

/// A failed step's last second is shared with the next step: an error stamped then is still
/// the failed step's, with the lines before it as context, so those lines are read.
#[test]
fn lines_in_a_failed_steps_last_second_are_read_as_context() {
    let mut lines: Vec<(i64, String)> = vec![(0, "##[group]Run make".into())];
    lines.push((0, "##[endgroup]".into()));
    lines.push((1, "building".into()));
    lines.push((10, "##[group]Run upload".into()));
    lines.push((10, "##[endgroup]".into()));
    for i in 0..40 {
        lines.push((10, format!("context {i}")));
    }
    lines.push((10, "##[error]make: *** [all] Error 2".into()));
    for i in 0..40 {
        lines.push((11 + i, format!("uploading part {i}")));
    }
    let borrowed: Vec<(i64, &str)> = lines.iter().map(|(s, t)| (*s, t.as_str())).collect();
    let log = log_of(&borrowed);
    let steps = vec![
        st(1, "Run make", "failure", &at(0), &at(10)),
        st(2, "Run upload", "success", &at(10), &at(60)),
    ];
    let opts = ExcerptOptions {
        tail: 0,
        ..ExcerptOptions::default()
    };
    for chunk in [512, 4096] {
        let [(skimmed, _), (read, _)] = both_ways(&log, &steps, &opts, &[chunk]);
        assert_eq!(skimmed, read, "chunk {chunk}");
        assert_has(&skimmed, &["context 39", "make: *** [all] Error 2"]);
    }
}

/// The next step can begin with no marker at all, only a later second: the lines from then on
/// are its own and are read.
#[test]
fn a_step_that_begins_without_a_marker_is_read() {
    let mut lines: Vec<(i64, String)> = Vec::new();
    for i in 0..3000 {
        lines.push((i / 100, format!("   Compiling crate_{i} v0.{i}.0")));
    }
    for i in 0..20 {
        lines.push((31, format!("test case_{i} ... FAILED")));
    }
    lines.push((32, "error: test failed, to rerun pass `--lib`".into()));
    let borrowed: Vec<(i64, &str)> = lines.iter().map(|(s, t)| (*s, t.as_str())).collect();
    let log = log_of(&borrowed);
    let steps = vec![
        st(1, "Run cargo build", "success", &at(0), &at(30)),
        st(2, "Run cargo test", "failure", &at(31), &at(33)),
    ];
    // A chunk that holds both steps' lines is read whole: its last stamp is the next step's.
    for chunk in [4096, 16 * 1024] {
        let [(skimmed, passed), (read, _)] =
            both_ways(&log, &steps, &ExcerptOptions::default(), &[chunk]);
        assert_eq!(skimmed, read, "chunk {chunk}");
        assert!(passed > 2000, "chunk {chunk}: {passed} passed over");
        assert_has(&skimmed, &["test case_0 ... FAILED", "error: test failed"]);
    }
}
