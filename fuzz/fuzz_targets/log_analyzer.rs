//! Arbitrary bytes, in arbitrary chunks, through `LogAnalyzer` with arbitrary
//! steps and, sometimes, ranked against an arbitrary passing log: never panics, and the excerpt keeps its promises (at most
//! `max_lines` lines in log order, each at most `max_line_bytes` characters
//! plus the `warning: ` prefix and the truncation note, display-safe text).

#![no_main]

use chrono::{DateTime, Utc};
use std::sync::Arc;

use failure_digest::logs::{ExcerptOptions, LogAnalyzer, NormalLinesLearner, StepInfo};
use libfuzzer_sys::{arbitrary, fuzz_target};

/// 2024-05-01T12:00:00Z: step times land near timestamps a fuzzer can type.
const BASE_SECS: i64 = 1_714_564_800;
/// The decoder never caps a line below this (`decode::MIN_LINE_BYTES`).
const MIN_LINE_BYTES: usize = 64;
const CONCLUSIONS: [Option<&str>; 8] = [
    None,
    Some("success"),
    Some("failure"),
    Some("skipped"),
    Some("cancelled"),
    Some("timed_out"),
    Some("neutral"),
    Some("action_required"),
];

#[derive(Debug, arbitrary::Arbitrary)]
struct Step {
    number: u8,
    name: String,
    conclusion: u8,
    /// Seconds after `BASE_SECS`.
    start: Option<u16>,
    /// Seconds after the start.
    duration: Option<u16>,
}

#[derive(Debug, arbitrary::Arbitrary)]
struct Input {
    steps: Vec<Step>,
    max_lines: u8,
    max_line_bytes: u16,
    context: u8,
    tail: u8,
    /// Chunk lengths, used in turn (no cuts: one chunk).
    cuts: Vec<u16>,
    /// Number lines as a log file from any CI (`--log`): a lone `\r` ends one.
    lone_cr_ends_line: bool,
    /// A passing log of the same job to rank against.
    passing_log: Option<Vec<u8>>,
    log: Vec<u8>,
}

fn time(secs: i64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(secs, 0)
}

fn step_info(s: &Step) -> StepInfo {
    let start = s.start.map(|o| BASE_SECS + i64::from(o));
    StepInfo {
        number: u32::from(s.number),
        name: s.name.clone(),
        conclusion: CONCLUSIONS[usize::from(s.conclusion) % CONCLUSIONS.len()].map(Into::into),
        started_at: start.and_then(time),
        completed_at: start
            .zip(s.duration)
            .and_then(|(st, d)| time(st + i64::from(d))),
    }
}

fuzz_target!(|input: Input| {
    let options = ExcerptOptions {
        max_lines: usize::from(input.max_lines),
        max_line_bytes: usize::from(input.max_line_bytes),
        context: usize::from(input.context % 16),
        tail: usize::from(input.tail % 64),
        lone_cr_ends_line: input.lone_cr_ends_line,
    };
    let steps: Vec<StepInfo> = input.steps.iter().take(32).map(step_info).collect();
    let mut analyzer = LogAnalyzer::new(&steps, &options);
    if let Some(passing) = &input.passing_log {
        let mut learner = NormalLinesLearner::new(&options);
        for chunk in passing.chunks(97) {
            learner.feed(chunk);
        }
        analyzer = analyzer.comparing_with(Arc::new(learner.finish()));
    }
    let mut rest = &input.log[..];
    let mut cuts = input.cuts.iter().map(|&c| usize::from(c).max(1)).cycle();
    while !rest.is_empty() {
        let n = cuts.next().unwrap_or(rest.len()).min(rest.len());
        let (chunk, tail) = rest.split_at(n);
        analyzer.feed(chunk);
        rest = tail;
    }
    let excerpt = analyzer.finish();

    let max_lines = options.max_lines.max(1);
    let cap = options.max_line_bytes.max(MIN_LINE_BYTES);
    assert!(
        excerpt.lines.len() <= max_lines,
        "{} lines > {max_lines}",
        excerpt.lines.len()
    );
    assert!(excerpt
        .lines
        .windows(2)
        .all(|w| w[0].line_number <= w[1].line_number));
    for line in &excerpt.lines {
        assert!(line.line_number >= 1 && line.line_number <= excerpt.total_lines);
        assert!(
            line.text.chars().all(|c| c == '\t' || !c.is_control()),
            "control character in {:?}",
            line.text
        );
        // Sanitizing turns each byte into at most one character.
        let mut body = line.text.strip_prefix("warning: ").unwrap_or(&line.text);
        if body.ends_with(" more bytes]") {
            if let Some(at) = body.rfind(" … [") {
                body = &body[..at];
            }
        }
        assert!(
            body.chars().count() <= cap,
            "{} characters > {cap}: {:?}",
            body.chars().count(),
            line.text
        );
    }
});
