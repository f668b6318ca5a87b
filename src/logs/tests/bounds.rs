//! Caps, de-duplication, bounded memory, and the one ranking behind both cuts.

use super::*;

/// Letters for a number, so that distinct errors stay distinct once numbers are masked.
fn word(mut i: usize) -> String {
    let mut w = String::new();
    loop {
        w.push((b'a' + (i % 26) as u8) as char);
        i /= 26;
        if i == 0 {
            return w;
        }
    }
}

#[test]
fn cap_keeps_failures_first_and_latest_and_counts_the_rest() {
    let mut lines: Vec<(i64, String)> = Vec::new();
    for i in 0..100 {
        lines.push((1, format!("plain {i}")));
        lines.push((1, format!("error: shape {}", word(i))));
    }
    lines.push((1, "##[error]the specific error".into()));
    lines.push((1, "##[error]Process completed with exit code 1.".into()));
    let refs: Vec<(i64, &str)> = lines.iter().map(|(s, t)| (*s, t.as_str())).collect();
    let opts = ExcerptOptions {
        max_lines: 10,
        ..ExcerptOptions::default()
    };
    let e = analyze_chunked(&log_of(&refs), &[], &opts, 4096);
    // Heads of a hundred errors of one shape: the first few and the last, then it stops
    // (more of the same, the plain lines and the exit code say nothing more).
    assert!(e.lines.len() <= 10, "{}", joined(&e));
    assert!(e
        .lines
        .iter()
        .any(|l| l.text == "the specific error" && l.kind == LineKind::Error));
    // The first errors, and the last ones the step ended on.
    assert_has(&e, &["error: shape a", "error: shape b"]);
    assert!(has(&e, &format!("error: shape {}", word(99))));
    assert!(e.omitted_lines > 100);
}

#[test]
fn repeats_fold_into_one_line_with_a_count() {
    let lines: Vec<String> = (0..30)
        .map(|i| {
            format!(
                "Exception in thread \"Thread-{i}\" java.lang.ClassCastException: X${}",
                1000 + i
            )
        })
        .collect();
    let mut log: Vec<(i64, &str)> = Vec::new();
    for l in &lines {
        log.push((1, l.as_str()));
        log.push((1, "working"));
    }
    let e = analyze(&log_of(&log), &[]);
    let exceptions: Vec<&ExcerptLine> = e
        .lines
        .iter()
        .filter(|l| l.text.contains("ClassCastException"))
        .collect();
    assert_eq!(exceptions.len(), 1, "{}", joined(&e));
    assert_eq!(exceptions[0].repeats, 29);
    assert!(exceptions[0].text.contains("Thread-0\""));
}

#[test]
fn duplicate_lines_are_shown_once() {
    let lines: Vec<(i64, &str)> = (0..20)
        .map(|_| (1, "error: same thing"))
        .chain([(1, "##[error]Process completed with exit code 1.")])
        .collect();
    let e = analyze(&log_of(&lines), &[]);
    let same: Vec<&ExcerptLine> = e
        .lines
        .iter()
        .filter(|l| l.text == "error: same thing")
        .collect();
    assert_eq!(same.len(), 1, "{}", joined(&e));
    assert_eq!(same[0].repeats, 19);
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
    // Thousands of the same errors, numbers aside: one line each, with their counts.
    for text in ["error[E0000]: number 0", "failure number 1"] {
        assert!(
            e.lines.iter().any(|l| l.text == text && l.repeats > 1000),
            "{text}: {}",
            joined(&e)
        );
    }
    assert!(e.lines.len() <= 40);
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
    let mut set = CandidateSet::new(10);
    // The chunk is gone: the ring must answer from its own copies.
    ring.drain_into(&mut set, Class::Tail, 0, &[]);
    let lines = set.select(10).lines;
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(texts, ["three", "warning: carried … [2 more bytes]"]);
}

/// The bundled replay's test job, cut to the comment's 12 lines: the cut must
/// keep what explains the failure (panics, the assertion and its operands),
/// not the passing tests around the `FAILED` lines.
#[test]
fn replay_test_job_cut_to_twelve_keeps_panic_and_assertion() {
    const LOG: &[u8] = include_bytes!("../../../examples/rust-ci-failure/logs/31013.log");
    const JOBS: &str = include_str!("../../../examples/rust-ci-failure/jobs.json");
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
    assert!(cut.lines.len() <= 12);
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
            "escapes_pipes ... FAILED",
            "test result: FAILED",
        ],
    );
    // Passing tests and the runner's exit code explain nothing.
    assert_lacks(&cut, &[" ... ok", "Process completed with exit code"]);
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

/// The `max-lines` cut and the comment's tighter cut rank alike: the failure
/// and what follows it first, passing tests never, the generic exit-code line
/// not once a report says why, and cutting the full excerpt with `rank`
/// gives the same lines as asking the analyzer for fewer.
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
    assert_eq!(full.lines.len(), 4, "{}", joined(&full));
    assert_lacks(&full, &[" ... ok", "Process completed"]);
    for max in 1..=full.lines.len() {
        let cut = analyze_chunked(&log, &[], &opts(max), 4096);
        let ranked: Vec<&ExcerptLine> = rank::keep_most_informative(&full.lines, max)
            .into_iter()
            .map(|i| &full.lines[i])
            .collect();
        assert_eq!(cut.lines.iter().collect::<Vec<_>>(), ranked, "max {max}");
        assert_eq!(
            cut.omitted_lines,
            full.omitted_lines + (full.lines.len() - cut.lines.len()) as u64
        );
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
    assert!(has(&full, "running 2 tests"));
}
