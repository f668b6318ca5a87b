use super::*;

fn view(strength: Strength) -> BlockView {
    BlockView {
        strength,
        subject: Subject::Build,
        demoted: false,
        nth_of_shape: 0,
        new_reason: false,
        ended_step: false,
        interruption: false,
        bare: false,
        reports_exist: false,
        first_report: false,
        section: false,
    }
}

fn line(line_number: u64, priority: u32, text: &str) -> ExcerptLine {
    ExcerptLine {
        line_number,
        text: text.into(),
        priority,
        ..ExcerptLine::default()
    }
}

fn kept(lines: &[ExcerptLine], max: usize) -> Vec<&str> {
    keep_most_informative(lines, max)
        .into_iter()
        .map(|i| lines[i].text.as_str())
        .collect()
}

fn body(distance: u64) -> Place {
    Place::Body {
        distance,
        offset: distance,
        frame: Framing::None,
        follows: false,
    }
}

#[test]
fn heads_of_every_failure_come_before_any_fact() {
    let decisive = view(Strength::Decisive);
    let head = priority(&decisive, Place::Head, false);
    let ordinary_head = priority(&view(Strength::Ordinary), Place::Head, false);
    let first_key = priority(&decisive, Place::Key(1), false);
    let second_key = priority(&decisive, Place::Key(2), false);
    let summary = priority(&view(Strength::Summary), Place::Head, false);
    let near = priority(&decisive, body(1), false);
    assert!(head < ordinary_head && ordinary_head < first_key);
    assert!(first_key < second_key && second_key < summary && summary < near);
}

#[test]
fn what_passing_work_printed_and_boilerplate_rank_last() {
    let demoted = BlockView {
        demoted: true,
        ..view(Strength::Ordinary)
    };
    assert_eq!(tier(priority(&demoted, Place::Head, false)), 9);
    assert_eq!(tier(priority(&view(Strength::Decisive), body(1), true)), 9);
    assert_eq!(tier(tail_priority(1, true)), 9);
}

#[test]
fn more_of_the_same_ranks_below_the_first_of_a_shape() {
    let test = BlockView {
        subject: Subject::Test,
        nth_of_shape: SAME_SHAPE_FIRST_BUILD,
        ..view(Strength::Decisive)
    };
    assert_eq!(tier(priority(&test, Place::Head, false)), 0);
    let later = BlockView {
        nth_of_shape: SAME_SHAPE_FIRST_BUILD,
        ..view(Strength::Decisive)
    };
    assert_eq!(tier(priority(&later, Place::Head, false)), 6);
    assert_eq!(tier(priority(&later, Place::Key(1), false)), 7);
    // A failed test past the first of its shape that failed for a reason of its own.
    let distinct = BlockView {
        subject: Subject::Test,
        nth_of_shape: SAME_SHAPE_FIRST_TESTS,
        new_reason: true,
        ..view(Strength::Decisive)
    };
    assert_eq!(tier(priority(&distinct, Place::Head, false)), 0);
    assert_eq!(
        tier(priority(
            &BlockView {
                new_reason: false,
                ..distinct
            },
            Place::Head,
            false
        )),
        6
    );
}

#[test]
fn a_cancel_keeps_what_ran_before_it() {
    let cancel = BlockView {
        interruption: true,
        ..view(Strength::Decisive)
    };
    let before = |distance| Place::Before {
        distance,
        bare_path: false,
    };
    assert_eq!(tier(priority(&cancel, before(3), false)), 2);
    assert_eq!(
        tier(priority(&view(Strength::Decisive), before(3), false)),
        9
    );
    let path = Place::Before {
        distance: 1,
        bare_path: true,
    };
    assert_eq!(tier(priority(&view(Strength::Decisive), path, false)), 2);
}

#[test]
fn code_frames_whole_for_the_first_block_only() {
    let code = |distance, offset| Place::Body {
        distance,
        offset,
        frame: Framing::Code,
        follows: false,
    };
    let first = view(Strength::Decisive);
    let second = BlockView {
        nth_of_shape: 1,
        ..first
    };
    assert_eq!(tier(priority(&first, code(3, 4), false)), 4);
    assert_eq!(tier(priority(&second, code(3, 4), false)), 7);
    assert_eq!(tier(priority(&second, code(1, 4), false)), 4);
    let stack = Place::Body {
        distance: 1,
        offset: 1,
        frame: Framing::Stack,
        follows: true,
    };
    assert_eq!(tier(priority(&first, stack, false)), 7);
}

#[test]
fn the_cut_keeps_the_best_in_log_order_and_stops_when_explained() {
    let lines = [
        line(1, tiered(8, 3), "tail a"),
        line(2, tiered(0, 0), "error: boom"),
        line(3, tiered(2, 1), "  --> src/a.rs:1:1"),
        line(4, tiered(9, 0), "test x ... ok"),
        line(5, tiered(7, 0), "Process completed with exit code 1."),
        line(6, tiered(8, 1), "tail b"),
    ];
    assert_eq!(kept(&lines, 2), ["error: boom", "  --> src/a.rs:1:1"]);
    // Explained: low tiers fill only up to the floor (24 / 8 = 3), and tier 9 never.
    assert_eq!(
        kept(&lines, 24),
        [
            "error: boom",
            "  --> src/a.rs:1:1",
            "Process completed with exit code 1."
        ]
    );
    assert!(keep_most_informative(&lines, 0).is_empty());
}

#[test]
fn with_nothing_explained_the_tail_fills_the_cut() {
    let lines: Vec<ExcerptLine> = (1..=20)
        .map(|n| line(n, tail_priority(21 - n, false), "step output"))
        .collect();
    let keep = keep_most_informative(&lines, 12);
    assert_eq!(keep, (8..20).collect::<Vec<_>>());
}

#[test]
fn a_status_line_follows_the_reports_and_the_first_report_speaks_first() {
    let status = BlockView {
        bare: true,
        reports_exist: true,
        ..view(Strength::Decisive)
    };
    assert_eq!(tier(priority(&status, Place::Head, false)), 2);
    assert!(priority(&status, Place::Head, false) > priority(&status, Place::Key(6), false));
    // Without a report, the status line is all there is: a failure's first line.
    let alone = BlockView {
        reports_exist: false,
        ..status
    };
    assert_eq!(tier(priority(&alone, Place::Head, false)), 0);
    // A cancel is never a status line to push down.
    let cancel = BlockView {
        interruption: true,
        ..status
    };
    assert_eq!(tier(priority(&cancel, Place::Head, false)), 0);
    // The first report's first facts and the line below a fact rank with the first lines.
    let first = BlockView {
        first_report: true,
        reports_exist: true,
        ..view(Strength::Decisive)
    };
    assert_eq!(priority(&first, Place::Key(1), false) >> 24, 0);
    assert_eq!(tier(priority(&first, Place::Key(3), false)), 2);
    let reason = Place::Body {
        distance: 1,
        offset: 2,
        frame: Framing::None,
        follows: true,
    };
    assert_eq!(tier(priority(&first, reason, false)), 0);
    let above = Place::Body {
        distance: 1,
        offset: 2,
        frame: Framing::None,
        follows: false,
    };
    assert_eq!(tier(priority(&first, above, false)), 4);
    // Every report's first line still comes before them.
    assert!(priority(&first, Place::Head, false) < priority(&first, reason, false));
}

/// A full comment-sized cut keeps the totals over its least fact, never over a failure's
/// first line, and a short cut keeps its room for the failures.
#[test]
fn a_full_cut_keeps_the_summary_of_the_failures() {
    let failure = |n: u64| line(n, tiered(0, 0), "FAIL");
    let fact = |n: u64| line(n, tiered(2, n), "fact");
    let totals = line(99, tiered(SUMMARY_TIER, 0), "254 examples, 6 failures");
    let mut lines: Vec<ExcerptLine> = (1..=4).map(failure).collect();
    lines.extend((10..=20).map(fact));
    lines.push(totals.clone());
    let cut = kept(&lines, 12);
    assert_eq!(cut.len(), 12);
    assert!(cut.contains(&"254 examples, 6 failures"), "{cut:?}");
    assert_eq!(cut.iter().filter(|t| **t == "FAIL").count(), 4);
    // Twelve failures' first lines leave no room for it.
    let mut failures: Vec<ExcerptLine> = (1..=12).map(failure).collect();
    failures.push(totals.clone());
    assert!(!kept(&failures, 12).contains(&"254 examples, 6 failures"));
    // Nor does a cut shorter than a comment's.
    let mut short: Vec<ExcerptLine> = (1..=2).map(failure).collect();
    short.extend((10..=12).map(fact));
    short.push(totals);
    assert!(!kept(&short, 5).contains(&"254 examples, 6 failures"));
}
