use super::print::{word_bytes, Class, CLASS};
use super::*;

fn learned(log: &[u8], chunk: usize) -> NormalLines {
    let mut learner = NormalLinesLearner::new(&ExcerptOptions::default());
    for c in log.chunks(chunk.max(1)) {
        learner.feed(c);
    }
    learner.finish()
}

#[test]
fn what_varies_between_two_runs_is_masked() {
    let same = [
        (
            "[INFO] Total time:  4.465 s",
            "[INFO] Total time:  12.001 s",
        ),
        (
            "Tests run: 8, Failures: 0, Time elapsed: 32.995 s",
            "Tests run: 9, Failures: 0, Time elapsed: 1.2 s",
        ),
        (
            "connected to localhost:45321",
            "connected to localhost:8080",
        ),
        ("commit 3d3c42e5a1b2 on main", "commit a1b2c3d4e5f6 on main"),
        (
            "Exception in thread \"Thread-403\"",
            "Exception in thread \"Thread-7\"",
        ),
        (
            "wrote /tmp/pytest-of-runner/pytest-3/x.py: ok",
            "wrote /tmp/abcXYZ/x.py: ok",
        ),
        (
            r"C:\Users\RUNNER~1\AppData\Local\Temp\tmpa9x\out.txt",
            r"C:\Users\RUNNER~1\AppData\Local\Temp\q\out.txt",
        ),
        (
            "2024-05-01T12:00:00Z  started   job",
            "2025-11-30T23:59:59Z started job",
        ),
    ];
    for (a, b) in same {
        assert_eq!(
            line_print(a.as_bytes()),
            line_print(b.as_bytes()),
            "{a} / {b}"
        );
    }
    let different = [
        ("test parser::ok ... ok", "test parser::ok ... FAILED"),
        ("error: cannot find symbol", "error: cannot find value"),
        ("[WARNING] deprecated", "[ERROR] deprecated"),
    ];
    for (a, b) in different {
        assert_ne!(
            line_print(a.as_bytes()),
            line_print(b.as_bytes()),
            "{a} / {b}"
        );
    }
}

#[test]
fn lines_are_learned_as_the_excerpt_displays_them_in_any_chunking() {
    let log = b"2024-05-01T12:00:00.1234567Z ##[group]Run cargo test\n\
        2024-05-01T12:00:01.1Z \x1b[31mnote:\x1b[0m run with RUST_BACKTRACE=1\r\n\
        2024-05-01T12:00:02.1Z ##[warning]Node.js 16 actions are deprecated\n\
        2024-05-01T12:00:03.1Z ##[error]Process completed with exit code 1.\n\
        2024-05-01T12:00:04.1Z ##[endgroup]\n\
        test result: ok. 12 passed";
    for chunk in [1, 3, 17, 4096] {
        let normal = learned(log, chunk);
        for shown in [
            "note: run with RUST_BACKTRACE=1",
            "warning: Node.js 18 actions are deprecated",
            "Process completed with exit code 2.",
            "test result: ok. 3 passed",
        ] {
            assert!(normal.contains_text(shown), "{shown}, chunk {chunk}");
        }
        assert!(!normal.contains_text("test result: FAILED. 3 passed"));
        assert!(!normal.contains_text("Node.js 16 actions are deprecated"));
        assert_eq!(normal.lines(), 6);
    }
}

#[test]
fn memory_stays_bounded_and_a_full_table_learns_no_more() {
    let mut learner = NormalLinesLearner::new(&ExcerptOptions::default());
    let mut line = Vec::new();
    for i in 0..(MAX_SLOTS as u64) {
        line.clear();
        // Distinct words without digits, so that masking keeps them apart.
        let word: String = (0..5)
            .map(|k| (b'g' + ((i >> (4 * k)) & 15) as u8) as char)
            .collect();
        line.extend_from_slice(format!("line {word}\n").as_bytes());
        learner.feed(&line);
    }
    assert!(learner.retained_bytes() <= MAX_SLOTS * 8 + 8192);
    let normal = learner.finish();
    assert!(normal.distinct() <= MAX_SLOTS * 7 / 8);
    assert!(normal.unlearned() > 0);
    // What was learned stays learned; what was not counts as new.
    assert!(normal.contains_text("line ggggg"));
}

proptest::proptest! {
    /// The passing log is learned from raw lines and the excerpt asks with sanitized text:
    /// both must print alike, whatever escapes, controls or broken UTF-8 a line holds.
    #[test]
    fn a_raw_line_prints_as_its_sanitized_text(
        parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::string::bytes_regex("[ -~\t]{0,12}").unwrap(),
                proptest::string::bytes_regex("\x1b\\[[0-9;]{0,5}[A-Za-z]").unwrap(),
                proptest::string::bytes_regex("\x1b\\][ -~]{0,6}(\x07|\x1b\\\\)?").unwrap(),
                proptest::string::bytes_regex("(?s-u:.{0,4})").unwrap(),
                proptest::string::bytes_regex("/tmp/[a-z0-9]{0,6}").unwrap(),
            ],
            0..10,
        )
    ) {
        let raw: Vec<u8> = parts.concat();
        let sanitized = crate::logs::sanitize_line(&raw);
        proptest::prop_assert_eq!(line_print(&raw), line_print(sanitized.as_bytes()));
    }
}

proptest::proptest! {
    #[test]
    fn the_eight_byte_word_check_agrees_with_the_byte_table(w: u64) {
        let (word, digit) = word_bytes(w);
        for (k, b) in w.to_le_bytes().into_iter().enumerate() {
            let class = CLASS[usize::from(b)];
            let byte = |m: u64| (m >> (8 * k)) & 0xff;
            proptest::prop_assert_eq!(byte(word) == 0xff, matches!(class, Class::Letter | Class::Digit));
            proptest::prop_assert_eq!(byte(digit) == 0xff, class == Class::Digit);
            proptest::prop_assert!(matches!(byte(word), 0 | 0xff));
        }
    }
}
