//! The excerpt measured on real logs that this project did not write: the corpora in
//! `../shared` (`real-logs/`: failed jobs of public repositories with the key lines a reviewer
//! must see; `green-logs/`: failing and passing logs of the same jobs with labelled errors).
//! Each test runs its corpus's own `score.py` on the real binary, the same command a
//! person runs, and fails below the bar the product promises. The logs are read where they
//! are, never copied into the project.
//!
//! Without the corpus (a checkout outside the workplace) the test says so and passes; under
//! `CI=true` a missing corpus or Python is a failure, so CI can never pass by skipping.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// `../shared/<name>`, or `None` (after saying why) when the test should be skipped.
fn corpus(name: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join(name);
    if dir.join("score.py").is_file() {
        return Some(dir);
    }
    let why = format!("corpus {} not found", dir.display());
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{why}: CI must measure the excerpt on it");
    }
    eprintln!("SKIPPED: {why}");
    None
}

/// Runs `score.py BINARY --out DIR` and returns its `results.json`.
fn score(corpus: &Path) -> Value {
    let out = tempfile::tempdir().expect("temp dir");
    let run = Command::new("python3")
        .arg(corpus.join("score.py"))
        .arg(env!("CARGO_BIN_EXE_failure-digest"))
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("python3 runs score.py (CI installs CPython)");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "score.py failed: {}\n{stdout}",
        String::from_utf8_lossy(&run.stderr)
    );
    eprintln!("{stdout}");
    let results = std::fs::read_to_string(out.path().join("results.json")).expect("results.json");
    serde_json::from_str(&results).expect("results.json is JSON")
}

fn share(summary: &Value, part: &str, field: &str) -> f64 {
    summary[part][field]
        .as_f64()
        .unwrap_or_else(|| panic!("{part}.{field} in {summary}"))
}

#[test]
fn real_logs_excerpts_show_the_key_lines_and_little_else() {
    let Some(dir) = corpus("real-logs") else {
        return;
    };
    let results = score(&dir);
    let summary = &results["summary"];
    let rows = results["rows"].as_array().expect("rows");
    let mut failures = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            failures.push(what);
        }
    };
    // The bar of issue 24: the summary shows 95% of the key lines with at most 35% noise, the
    // comment 90% with at most 25% (recall first: a reader skims an extra line, but never
    // finds a missing one).
    for (part, recall, noise) in [("tool", 0.95, 0.35), ("comment", 0.90, 0.25)] {
        let (r, n) = (
            share(summary, part, "recall"),
            share(summary, part, "noise_share"),
        );
        check(r >= recall, format!("{part}: key lines {r} < {recall}"));
        check(n <= noise, format!("{part}: noise {n} > {noise}"));
    }
    check(
        summary["comment"]["cases_no_key"] == 0,
        format!(
            "comment: {} cases without a key line",
            summary["comment"]["cases_no_key"]
        ),
    );
    for row in rows {
        check(
            row["step_ok"] == true,
            format!(
                "{}: failing step {} instead of {}",
                row["case"], row["tool_step"], row["expected_step"]
            ),
        );
    }
    assert!(failures.is_empty(), "below the bar: {failures:#?}");
}

/// `green-logs/`: failing and passing logs of the same jobs with labelled error lines (the
/// CiDiff breakage dataset), scored through `--log FILE` with and without `--green-log`.
#[test]
fn green_logs_excerpts_find_the_errors_and_the_passing_log_makes_them_sharper() {
    let Some(dir) = corpus("green-logs") else {
        return;
    };
    let results = score(&dir);
    let total = &results["total"];
    let errors = results["errors"].as_f64().expect("errors");
    let count = |who: &str, field: &str| {
        total[who][field]
            .as_f64()
            .unwrap_or_else(|| panic!("total.{who}.{field} in {total}"))
    };
    let mut failures = Vec::new();
    for row in results["rows"].as_array().expect("rows") {
        for who in ["tool", "tool+green"] {
            if let Some(error) = row[who].get("error") {
                failures.push(format!("{} ({who}): {error}", row["case"]));
            }
        }
    }
    // The bar of issue 14: with the passing log, 48 of the 51 labelled errors within
    // `max-lines`, at most 30% of the shown lines off target, and fewer than 40% of the lines
    // a plain diff shows; without it, no worse than the keyword selection was (47).
    let (found, lines, off) = (
        count("tool+green", "found"),
        count("tool+green", "lines"),
        count("tool+green", "off"),
    );
    if found < 48.0 {
        failures.push(format!(
            "with the passing log: {found}/{errors} errors found < 48"
        ));
    }
    if off > 0.30 * lines {
        failures.push(format!(
            "with the passing log: {off} of {lines} lines off target"
        ));
    }
    let diff = count("lcs-diff", "lines");
    if lines >= 0.40 * diff {
        failures.push(format!(
            "with the passing log: {lines} lines, not < 40% of diff's {diff}"
        ));
    }
    let alone = count("tool", "found");
    if alone < 47.0 {
        failures.push(format!(
            "without the passing log: {alone}/{errors} errors found < 47"
        ));
    }
    assert!(failures.is_empty(), "below the bar: {failures:#?}");
}
