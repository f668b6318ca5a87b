//! A log line as a verdict uses it: without the runner's `##[error]` tag, masked to compare
//! two runs of one failure, and quoted in a sentence (pure).

use std::sync::LazyLock;

use regex::Regex;

use crate::insights::grouping::normalize;

/// Characters of a log line quoted in a verdict's evidence.
const QUOTED_CHARS: usize = 100;

/// A failure line with what differs between two runs of the same failure masked (numbers,
/// paths, ids, durations: `grouping::normalize`), except the numbers that name a case or a
/// test (`case_03`, `test_p[3]`): those are kept, written with letters, so two different
/// failing cases never compare equal.
pub(super) fn masked(line: &str) -> String {
    static NAMED_NUMBER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[_\[]\d+\b").expect("valid regex"));
    let line = without_error_tag(line);
    let kept = NAMED_NUMBER.replace_all(line, |c: &regex::Captures| {
        c[0].chars()
            .map(|ch| match ch.to_digit(10) {
                Some(d) => char::from(b'g' + d as u8),
                None => ch,
            })
            .collect::<String>()
    });
    normalize(&kept)
}

/// [`masked`] with the case and test numbers masked too.
pub(super) fn loosely(masked: &str) -> String {
    static NAMED: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"([_\[])[g-p]+\b").expect("valid regex"));
    NAMED.replace_all(masked, "${1}#").into_owned()
}

pub(super) fn without_error_tag(line: &str) -> &str {
    let line = line.trim();
    line.strip_prefix("##[error]").unwrap_or(line)
}

/// A log line for a sentence: trimmed, cut at [`QUOTED_CHARS`].
pub(super) fn quote(line: &str) -> String {
    let line = without_error_tag(line);
    quote_around(line, 0..0)
}

/// [`QUOTED_CHARS`] of `line` around the words at `at` (byte offsets), starting a few words
/// before them, so a long line is quoted where it shows the cause, not only by its start.
pub(super) fn quote_around(line: &str, at: std::ops::Range<usize>) -> String {
    /// Characters kept before the words.
    const LEAD: usize = 30;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    if chars.len() <= QUOTED_CHARS {
        return line.trim().to_owned();
    }
    let words = chars.partition_point(|&(i, _)| i < at.start);
    let mut first = words.saturating_sub(LEAD).min(chars.len() - QUOTED_CHARS);
    // Start at a word when one starts a few characters in; a long token (a URL, a path) is
    // cut instead, it is often what the quote is for.
    let nearby = words.min(first + 16);
    if let Some(space) = (first..nearby).find(|&i| first > 0 && chars[i].1 == ' ') {
        first = space + 1;
    }
    let last = (first + QUOTED_CHARS).min(chars.len());
    let byte = |index: usize| chars.get(index).map_or(line.len(), |&(i, _)| i);
    let mut quoted = String::new();
    if first > 0 {
        quoted.push('…');
    }
    quoted.push_str(line[byte(first)..byte(last)].trim());
    if last < chars.len() {
        quoted.push('…');
    }
    quoted
}

pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_quoted_where_it_names_the_cause() {
        // The window ends with the line or starts a few words before the cause, at a word.
        let line = format!(
            "{} error: failed to write target/debug/app: No space left on device (os error 28)",
            "Compiling crates ".repeat(10)
        );
        let at = line.find("No space").unwrap();
        let quoted = quote_around(&line, at..at + 23);
        assert_eq!(
            quoted,
            "…Compiling crates  error: failed to write target/debug/app: No space left on device (os error 28)"
        );
        let line = format!(
            "{} No space left on device; {}",
            "a ".repeat(80),
            "z".repeat(120)
        );
        let at = line.find("No space").unwrap();
        let quoted = quote_around(&line, at..at + 23);
        assert!(quoted.starts_with("…a a "), "{quoted}");
        assert!(
            quoted.contains("No space left on device") && quoted.ends_with('…'),
            "{quoted}"
        );
        // Without a space in the lead, it starts mid-word rather than lose the cause.
        let line = format!("{}/No space left on device", "x".repeat(150));
        let quoted = quote_around(&line, 151..174);
        assert!(
            quoted.starts_with("…xx") && quoted.ends_with("/No space left on device"),
            "{quoted}"
        );
        // Short lines are quoted whole; the window never runs past either end.
        assert_eq!(quote_around("Killed", 0..6), "Killed");
        let start = quote_around(&"é".repeat(300), 0..2);
        assert!(start.ends_with('…') && !start.starts_with('…'), "{start}");
        assert_eq!(start.chars().count(), 101);
    }
}
