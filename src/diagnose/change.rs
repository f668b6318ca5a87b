//! "Where in my change?": the files a pull request changes, and whether a log line or an
//! annotation points into them.
//!
//! A log names a file the way its tool prints it: absolute under the runner's workspace
//! (`/home/runner/work/repo/repo/src/a.rs`, `/Users/runner/work/…`, `D:\a\repo\repo\src\a.rs`,
//! `/__w/repo/repo/…` in a container job, `…/_work/repo/repo/…` on a self-hosted runner),
//! relative with `./`, or as a diff side (`a/src/a.rs`, `b/src/a.rs`). Each is brought back to
//! the repository-relative path the PR's file list uses before it is compared. A file's patch,
//! when GitHub gives one, narrows "in the change" to its changed hunks (± [`HUNK_MARGIN`] lines)
//! for a location with a line number.
//!
//! Pure: the file list is read by the app's diagnose step.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::github::models::PullFile;
use crate::github::pulls::MAX_PULL_FILES;

/// Lines around a changed hunk that still count as in it: an error is often reported a line
/// or two from the edit that caused it.
pub const HUNK_MARGIN: u64 = 3;

/// A place a line or an annotation points at, in the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeHit {
    /// Repository-relative.
    pub path: String,
    pub line: Option<u64>,
}

impl ChangeHit {
    /// `path:line`, or `path`.
    pub fn location(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.path),
            None => self.path.clone(),
        }
    }
}

/// The PR's changed files: per repository-relative path, the new side's changed line ranges
/// (`None`: no patch, so the whole file counts).
#[derive(Debug, Default)]
pub struct ChangedFiles {
    files: HashMap<String, Option<Vec<(u64, u64)>>>,
    /// GitHub listed every changed file (it stops at 3,000): only then does a path's absence
    /// from the list say it is unchanged, which the unique-suffix match relies on.
    complete: bool,
}

impl ChangedFiles {
    pub fn new(list: &[PullFile]) -> Self {
        let mut files = HashMap::new();
        for file in list {
            let hunks = match (file.status.as_deref(), file.patch.as_deref()) {
                // A removed file's hunks are on the old side: any mention of it is the change.
                (Some("removed"), _) | (_, None) => None,
                (_, Some(patch)) => Some(hunks(patch)).filter(|h| !h.is_empty()),
            };
            files.insert(normalize(&file.filename), hunks);
            // A rename: a line naming the old path (a stale import, a missing module) is about
            // the change too.
            if let Some(previous) = &file.previous_filename {
                files.entry(normalize(previous)).or_insert(None);
            }
        }
        ChangedFiles {
            files,
            complete: list.len() < MAX_PULL_FILES,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The first place `text` names that is in the change.
    pub fn hit(&self, text: &str) -> Option<ChangeHit> {
        locations(text).find_map(|(path, line)| self.hit_at(&path, line))
    }

    /// Whether `path`, as a log names it, at `line` is in the change.
    pub fn hit_at(&self, path: &str, line: Option<u64>) -> Option<ChangeHit> {
        self.hit_path(path, line, self.complete)
    }

    /// Whether an annotation's `path` at `line` is in the change: GitHub gives it relative to
    /// the repository, so it is never matched by its end.
    pub fn hit_annotation(&self, path: &str, line: Option<u64>) -> Option<ChangeHit> {
        self.hit_path(path, line, false)
    }

    fn hit_path(&self, path: &str, line: Option<u64>, by_suffix: bool) -> Option<ChangeHit> {
        let path = self.changed_path(&normalize(path), by_suffix)?;
        let in_hunk = match (&self.files[&path], line) {
            (Some(ranges), Some(line)) => ranges.iter().any(|&(start, end)| {
                line + HUNK_MARGIN >= start && line <= end.saturating_add(HUNK_MARGIN)
            }),
            _ => true,
        };
        in_hunk.then_some(ChangeHit { path, line })
    }

    /// The changed file `path` names: itself; without a diff side's `a/` or `b/`; or, for a
    /// relative path with a directory (a tool run in a subdirectory prints paths from there),
    /// the one changed file it ends.
    fn changed_path(&self, path: &str, by_suffix: bool) -> Option<String> {
        if self.files.contains_key(path) {
            return Some(path.to_owned());
        }
        let side = path
            .strip_prefix("a/")
            .or_else(|| path.strip_prefix("b/"))
            .filter(|rest| self.files.contains_key(*rest));
        if let Some(rest) = side {
            return Some(rest.to_owned());
        }
        if !by_suffix || path.starts_with('/') || !path.contains('/') {
            return None;
        }
        let suffix = format!("/{path}");
        let mut ends = self.files.keys().filter(|file| file.ends_with(&suffix));
        match (ends.next(), ends.next()) {
            (Some(only), None) => Some(only.clone()),
            _ => None,
        }
    }
}

/// The new side's line ranges of a unified diff's hunks (`@@ -a,b +c,d @@`).
fn hunks(patch: &str) -> Vec<(u64, u64)> {
    static HEADER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@").expect("valid regex")
    });
    HEADER
        .captures_iter(patch)
        .filter_map(|c| {
            let start: u64 = c[1].parse().ok()?;
            let count: u64 = c.get(2).map_or(Some(1), |m| m.as_str().parse().ok())?;
            Some((start, start + count.max(1) - 1))
        })
        .collect()
}

/// A file path with an extension, and the line number the tool printed after it:
/// `path:12[:5]`, `path(12,5)` (MSBuild, tsc), `"path", line 12` (Python).
static LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"((?:[A-Za-z]:)?[\w.@~+-]*(?:[/\\][\w.@~+-]+)*\.[A-Za-z][\w]{0,9})"#,
        r#"(?::(\d+)|\((\d+)[,)]|"?, line (\d+))?"#,
    ))
    .expect("valid regex")
});

/// The paths `text` names, with their line numbers, in order.
pub fn locations(text: &str) -> impl Iterator<Item = (String, Option<u64>)> + '_ {
    LOCATION.captures_iter(text).filter_map(|c| {
        let path = c.get(1)?.as_str();
        // A version (`1.2.3`), a domain or a dotted name is not a file; a file has a `/`, or
        // is a name with a short extension (`main.rs`, `build.gradle.kts`).
        let looks_like_file =
            path.contains(['/', '\\']) || !path.starts_with(|c: char| c.is_ascii_digit());
        let line = [2, 3, 4]
            .into_iter()
            .find_map(|i| c.get(i))
            .and_then(|m| m.as_str().parse().ok());
        looks_like_file.then(|| (path.to_owned(), line))
    })
}

/// A path as the PR's file list names it: `/` separators, without `file://`, the runner's
/// workspace directory, or a leading `./`.
pub fn normalize(path: &str) -> String {
    static WORKSPACE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"^(?:(?:/home/runner/work|/Users/runner/work|[A-Za-z]:/a|/__w|.*?/_work)/[^/]+/[^/]+/",
            r"|/github/workspace/)",
        ))
        .expect("valid regex")
    });
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("file://").unwrap_or(&path);
    let path = WORKSPACE.replace(path, "");
    let mut path: &str = &path;
    while let Some(rest) = path.strip_prefix("./") {
        path = rest;
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, patch: Option<&str>) -> PullFile {
        PullFile {
            filename: name.into(),
            status: Some("modified".into()),
            previous_filename: None,
            patch: patch.map(str::to_owned),
        }
    }

    fn changed() -> ChangedFiles {
        let mut renamed = file("src/new_name.rs", None);
        renamed.status = Some("renamed".into());
        renamed.previous_filename = Some("src/old_name.rs".into());
        ChangedFiles::new(&[
            file(
                "src/lib.rs",
                Some("@@ -10,4 +10,6 @@ fn a() {\n+x\n@@ -50 +52 @@\n-y\n+z"),
            ),
            file("web/src/App.tsx", None),
            file("build.gradle.kts", None),
            renamed,
        ])
    }

    #[test]
    fn each_runner_os_workspace_is_the_repository_root() {
        let files = changed();
        for line in [
            "error: /home/runner/work/widgets/widgets/src/lib.rs:12:5: oops",
            "/Users/runner/work/widgets/widgets/src/lib.rs:12: error",
            r"D:\a\widgets\widgets\src\lib.rs(12,5): error CS1002: ; expected",
            "  --> /__w/widgets/widgets/src/lib.rs:12:5",
            "/opt/actions-runner/_work/widgets/widgets/src/lib.rs:12",
            "e: file:///home/runner/work/widgets/widgets/build.gradle.kts:3:1 Unresolved reference",
            "  --> ./src/lib.rs:12:5",
            "+++ b/src/lib.rs",
        ] {
            let hit = files.hit(line);
            assert!(hit.is_some(), "{line}");
        }
        assert_eq!(
            files.hit("  --> src/lib.rs:12:5").unwrap().location(),
            "src/lib.rs:12"
        );
    }

    #[test]
    fn a_line_number_must_be_near_a_changed_hunk() {
        let files = changed();
        // Hunks: new lines 10–15 and 52; three lines either side count.
        assert!(files.hit("src/lib.rs:7").is_some());
        assert!(files.hit("src/lib.rs:18").is_some());
        assert!(files.hit("src/lib.rs:19").is_none());
        assert!(files.hit("src/lib.rs:55").is_some());
        assert!(files.hit("src/lib.rs:200").is_none());
        // No line: the file is in the change.
        assert!(files.hit("warning: unused import in src/lib.rs").is_some());
        // No patch: any line of the file.
        assert!(files.hit("web/src/App.tsx(400,2): error TS2304").is_some());
    }

    #[test]
    fn a_path_relative_to_a_subdirectory_and_a_rename_are_found() {
        let files = changed();
        assert_eq!(
            files.hit("src/App.tsx:3:1 - error").unwrap().path,
            "web/src/App.tsx"
        );
        assert_eq!(
            files
                .hit("Cannot find module src/old_name.rs")
                .unwrap()
                .path,
            "src/old_name.rs"
        );
        assert!(files.hit("src/new_name.rs:1").is_some());
    }

    #[test]
    fn other_files_and_look_alikes_are_not_in_the_change() {
        let files = changed();
        for line in [
            "/home/runner/.cargo/registry/src/index/serde-1.0.0/src/lib.rs:12",
            "node_modules/app/src/lib.rs:12",
            "lib.rs:12",
            "Compiling serde v1.0.197",
            "see https://example.com/src/lib.rs",
        ] {
            assert_eq!(files.hit(line), None, "{line}");
        }
    }
}
