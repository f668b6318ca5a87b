//! Publishing: the step summary, the step outputs, and what is printed. All file I/O is here.

pub mod commands;
pub mod comment;
pub mod sticky;

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Appends to a file the runner reads after the step (`$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT`).
pub fn append(path: &Path, text: &str, what: &str) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {what} file {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {what} file {}", path.display()))
}

/// The step outputs of the contract: `failed-jobs`, `conclusion`, `comment-url`.
pub fn outputs(failed_jobs: usize, conclusion: &str, comment_url: Option<&str>) -> String {
    [
        commands::output_entry("failed-jobs", &failed_jobs.to_string()),
        commands::output_entry("conclusion", conclusion),
        commands::output_entry("comment-url", comment_url.unwrap_or("")),
    ]
    .concat()
}
