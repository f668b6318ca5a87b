//! The digest's text pieces: an excerpt as one block, short names for headings, durations.

use super::MAX_TITLE_CHARS;
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
            match skipped {
                0 => {}
                1 => text.push_str("… 1 line skipped …\n"),
                n => text.push_str(&format!("… {n} lines skipped …\n")),
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

/// A heading's form of a name: at most [`MAX_TITLE_CHARS`] characters, `…` where it was cut.
pub(super) fn title(name: &str) -> String {
    let name = name.trim();
    if name.chars().count() <= MAX_TITLE_CHARS {
        return name.to_owned();
    }
    let cut: String = name.chars().take(MAX_TITLE_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
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
