//! The digest's text pieces: an excerpt as one block, short names for headings, durations.

use super::{MAX_NAME_CHARS, MAX_TITLE_CHARS};
use crate::logs::ExcerptLine;

/// The excerpt's lines as one text: where lines of the log were left out between two shown
/// lines, a `… N lines skipped …` line says so (never silently join distant lines), and a line
/// that stands for several similar ones says how many.
pub(super) fn excerpt_text(lines: &[ExcerptLine]) -> String {
    let mut text = String::new();
    let mut previous: Option<u64> = None;
    for line in lines {
        if let Some(p) = previous {
            let skipped = line.line_number.saturating_sub(p + 1);
            if skipped > 0 {
                text.push_str(&format!("… {} skipped …\n", count(skipped, "line")));
            }
        }
        previous = Some(line.line_number);
        text.push_str(&line.text);
        if line.repeats > 0 {
            text.push_str(&format!("  [and {} more like it]", line.repeats));
        }
        text.push('\n');
    }
    text
}

/// A heading's form of a workflow's name: at most [`MAX_TITLE_CHARS`] characters, `…` where
/// it was cut.
pub(super) fn title(name: &str) -> String {
    capped(name, MAX_TITLE_CHARS)
}

/// A job's or step's name as shown in a line of text: at most [`MAX_NAME_CHARS`] characters,
/// `…` where it was cut (a `run:` step is named after its whole script).
pub fn shown_name(name: &str) -> String {
    capped(name, MAX_NAME_CHARS)
}

fn capped(name: &str, max: usize) -> String {
    let name = name.trim();
    if name.chars().count() <= max {
        return name.to_owned();
    }
    let cut: String = name.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

/// `1 line`, `2 lines`: a count with its noun, whose last word takes an `s` unless it is 1.
pub fn count(n: u64, singular: &str) -> String {
    match n {
        1 => format!("1 {singular}"),
        n => format!("{n} {singular}s"),
    }
}

/// A commit's short form, as GitHub shows it (7 characters).
pub fn short_sha(sha: &str) -> String {
    sha.chars().take(7).collect()
}

/// `45s`, `3m 07s`, `1h 02m`.
pub fn format_duration(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}
