//! "Same error, many legs": failed jobs whose key log lines are the same once the noise is masked
//! (numbers, durations, hex ids, runner paths) are shown once, with the legs listed.
//!
//! A job's signature is its excerpt's key lines (`error` and `match` kinds), normalized; when the
//! excerpt has no key lines, all of its lines (a conservative fallback: a false group would hide
//! an excerpt, a missed one only repeats it). Jobs without an excerpt are never grouped.
//!
//! Pure: no I/O.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::digest::marks::{ErrorGroup, GroupMark};
use regex::Regex;

use crate::logs::{ExcerptLine, LineKind};

/// Groups `excerpts` (one per failed job, `(name, lines)` in the run's order). Returns the groups
/// and, per job, its mark (`None`: alone with its error).
pub fn group(excerpts: &[(&str, &[ExcerptLine])]) -> (Vec<ErrorGroup>, Vec<Option<GroupMark>>) {
    let signatures: Vec<Vec<String>> = excerpts.iter().map(|(_, l)| signature(l)).collect();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut by_signature: HashMap<&[String], usize> = HashMap::new();
    for (i, sig) in signatures.iter().enumerate() {
        if sig.is_empty() {
            continue;
        }
        let slot = *by_signature.entry(sig.as_slice()).or_insert_with(|| {
            members.push(Vec::new());
            members.len() - 1
        });
        members[slot].push(i);
    }
    let mut groups = Vec::new();
    let mut marks = vec![None; excerpts.len()];
    for list in members.into_iter().filter(|m| m.len() >= 2) {
        let jobs: Vec<String> = list.iter().map(|&i| excerpts[i].0.to_owned()).collect();
        let legs = legs(&jobs);
        let separator = if legs.iter().any(|l| l.contains(',')) {
            "; "
        } else {
            ", "
        };
        let group = ErrorGroup {
            index: groups.len() + 1,
            count: list.len(),
            legs_text: legs.join(separator),
            legs,
            signature: signatures[list[0]].clone(),
            jobs,
        };
        for (n, &i) in list.iter().enumerate() {
            marks[i] = Some(GroupMark {
                index: group.index,
                count: group.count,
                first: n == 0,
                lead: group.jobs[0].clone(),
                legs: group.legs.clone(),
                legs_text: group.legs_text.clone(),
            });
        }
        groups.push(group);
    }
    (groups, marks)
}

/// The normalized key lines of an excerpt (all lines when none is a key line).
pub fn signature(lines: &[ExcerptLine]) -> Vec<String> {
    let key = |l: &&ExcerptLine| matches!(l.kind, LineKind::Error | LineKind::Match);
    let chosen: Vec<&ExcerptLine> = if lines.iter().any(|l| key(&l)) {
        lines.iter().filter(key).collect()
    } else {
        lines.iter().collect()
    };
    chosen
        .into_iter()
        .map(|l| normalize(&l.text))
        .filter(|l| !l.is_empty())
        .collect()
}

static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
        .expect("valid regex")
});
/// An absolute path's directories (`/home/runner/work/a/a/src/`, `D:/a/a/a/src/` once `\` is
/// `/`): the runner's layout differs per OS, the file name is what identifies the error. The
/// character before it is captured (no look-behind) so relative paths and URLs are left alone.
static PATH_DIRS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[^\w.+@~/-])((?:[A-Za-z]:)?/(?:[\w.+@~-]+/)+)").expect("valid regex")
});
static HEX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:0x)?[0-9a-fA-F]{7,}\b").expect("valid regex"));
static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b\d+(?:\.\d+)?\s?(?:ns|µs|us|ms|s|sec|secs|seconds?|m|min|mins|minutes?|h)\b")
        .expect("valid regex")
});
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+(?:[.,]\d+)*").expect("valid regex"));
static SPACES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+").expect("valid regex"));

/// A log line with what differs between legs of the same failure masked: runner paths, UUIDs,
/// hex ids (7+ characters, at least one digit and one letter), durations, numbers; `\` as `/`;
/// whitespace collapsed.
pub fn normalize(line: &str) -> String {
    let line = line.replace('\\', "/");
    let line = UUID.replace_all(&line, "<id>");
    let line = PATH_DIRS.replace_all(&line, "${1}<path>/");
    let line = HEX.replace_all(&line, |c: &regex::Captures| {
        let text = &c[0];
        let digits = text.bytes().any(|b| b.is_ascii_digit());
        let letters = text.bytes().any(|b| b.is_ascii_alphabetic());
        if digits && letters {
            "<hex>".to_owned()
        } else {
            text.to_owned()
        }
    });
    let line = DURATION.replace_all(&line, "<duration>");
    let line = NUMBER.replace_all(&line, "#");
    SPACES.replace_all(line.trim(), " ").into_owned()
}

/// The matrix part of each name when all share the part before ` (…)`; else the names.
pub fn legs(names: &[String]) -> Vec<String> {
    let split = |name: &str| -> Option<(String, String)> {
        let inner = name.strip_suffix(')')?;
        let open = inner.rfind(" (")?;
        Some((inner[..open].to_owned(), inner[open + 2..].to_owned()))
    };
    let parts: Option<Vec<(String, String)>> = names.iter().map(|n| split(n)).collect();
    match parts {
        Some(parts) if parts.iter().all(|(prefix, _)| *prefix == parts[0].0) => {
            parts.into_iter().map(|(_, leg)| leg).collect()
        }
        _ => names.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(texts: &[(&str, LineKind)]) -> Vec<ExcerptLine> {
        texts
            .iter()
            .enumerate()
            .map(|(i, (text, kind))| ExcerptLine {
                line_number: i as u64 + 1,
                text: (*text).to_owned(),
                kind: *kind,
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn runner_paths_numbers_hex_and_durations_are_masked() {
        let linux = normalize(
            "thread 'main' panicked at /home/runner/work/app/app/src/lib.rs:42:9 (commit 3f2a9c1d, 0.52s)",
        );
        let windows = normalize(
            r"thread 'main' panicked at D:\a\app\app\src\lib.rs:43:9 (commit 77e0b1aa,  1.7s)",
        );
        let macos = normalize(
            "thread 'main' panicked at /Users/runner/work/app/app/src/lib.rs:42:11 (commit 0c0ffee9, 12ms)",
        );
        assert_eq!(linux, windows);
        assert_eq!(linux, macos);
        assert_eq!(
            linux,
            "thread 'main' panicked at <path>/lib.rs:#:# (commit <hex>, <duration>)"
        );
    }

    #[test]
    fn words_that_look_like_hex_are_kept() {
        assert_eq!(normalize("deadbeef accepted"), "deadbeef accepted");
        assert_eq!(
            normalize("id 123e4567-e89b-12d3-a456-426614174000 gone"),
            "id <id> gone"
        );
        assert_eq!(
            normalize("relative src/parser/mod.rs:3 https://github.com/o/r"),
            "relative src/parser/mod.rs:# https://github.com/o/r"
        );
    }

    #[test]
    fn key_lines_make_the_signature_else_every_line() {
        let with_keys = lines(&[
            ("Compiling app v0.1.0", LineKind::Context),
            ("error[E0308]: mismatched types", LineKind::Error),
            ("   --> src/lib.rs:3:5", LineKind::Match),
            ("", LineKind::Tail),
        ]);
        assert_eq!(
            signature(&with_keys),
            vec!["error[E#]: mismatched types", "--> src/lib.rs:#:#"]
        );
        let tail = lines(&[("a 1", LineKind::Tail), ("b", LineKind::Tail)]);
        assert_eq!(signature(&tail), vec!["a #", "b"]);
        assert!(signature(&[]).is_empty());
    }

    #[test]
    fn matrix_legs_or_full_names() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            legs(&names(&["test (linux, stable)", "test (macos, beta)"])),
            names(&["linux, stable", "macos, beta"])
        );
        assert_eq!(
            legs(&names(&["test (linux)", "lint"])),
            names(&["test (linux)", "lint"])
        );
        assert_eq!(
            legs(&names(&["test (linux)", "build (linux)"])),
            names(&["test (linux)", "build (linux)"])
        );
    }

    #[test]
    fn five_legs_share_an_error_and_one_is_alone() {
        let shared = |path: &str, ms: u32| {
            lines(&[(
                &format!("panicked at {path}/src/lib.rs:{ms}: boom after {ms}ms"),
                LineKind::Error,
            )])
        };
        let excerpts = [
            shared("/home/runner/work/a/a", 10),
            shared("/Users/runner/work/a/a", 11),
            lines(&[("error: linker `cc` not found", LineKind::Error)]),
            shared(r"D:\a\a\a", 12),
            shared("/home/runner/work/a/a", 13),
            shared("/home/runner/work/a/a", 14),
        ];
        let names = ["linux", "macos", "freebsd", "windows", "arm", "musl"]
            .map(|os| format!("test ({os})"));
        let input: Vec<(&str, &[ExcerptLine])> = names
            .iter()
            .zip(&excerpts)
            .map(|(n, e)| (n.as_str(), e.as_slice()))
            .collect();
        let (groups, marks) = group(&input);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].count, 5);
        assert_eq!(groups[0].legs_text, "linux, macos, windows, arm, musl");
        assert!(marks[0].as_ref().unwrap().first);
        assert!(marks[2].is_none());
        let last = marks[5].as_ref().unwrap();
        assert!(!last.first);
        assert_eq!(last.lead, "test (linux)");
    }

    #[test]
    fn jobs_without_an_excerpt_are_not_grouped() {
        let (groups, marks) = group(&[("a", &[]), ("b", &[])]);
        assert!(groups.is_empty());
        assert_eq!(marks, vec![None, None]);
    }
}
