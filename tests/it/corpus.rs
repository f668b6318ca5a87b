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

/// Runs `score.py BINARY --out DIR [args]` and returns its `results.json`; `rules` sets
/// `FAILURE_DIGEST_RULES` for the binary (`generic`: only the rules no one tool owns).
fn score(corpus: &Path, args: &[&str], rules: Option<&str>) -> Value {
    let out = tempfile::tempdir().expect("temp dir");
    let mut command = Command::new("python3");
    command
        .arg(corpus.join("score.py"))
        .arg(env!("CARGO_BIN_EXE_failure-digest"))
        .arg("--out")
        .arg(out.path())
        .args(args)
        .env_remove("FAILURE_DIGEST_RULES");
    if let Some(rules) = rules {
        command.env("FAILURE_DIGEST_RULES", rules);
    }
    let run = command
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

/// What a run of `real-logs/score.py` must reach.
struct Bar {
    /// Key lines shown in the step summary and in the comment.
    recall: (f64, f64),
    /// Shown lines that are neither key lines nor near one, at most.
    noise: Option<(f64, f64)>,
    /// Every case shows a key line and names the right failing step.
    every_case: bool,
}

/// Scores one set of `real-logs` cases and lists where it falls below `bar`.
fn real_logs_below(cases: &str, rules: Option<&str>, bar: &Bar) -> Vec<String> {
    let Some(dir) = corpus("real-logs") else {
        return Vec::new();
    };
    let cases_dir = dir.join(cases);
    let results = score(&dir, &["--cases", &cases_dir.to_string_lossy()], rules);
    let summary = &results["summary"];
    let mut failures = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            failures.push(format!("{cases} ({}): {what}", rules.unwrap_or("all")));
        }
    };
    for (part, recall, noise) in [
        ("tool", bar.recall.0, bar.noise.map(|n| n.0)),
        ("comment", bar.recall.1, bar.noise.map(|n| n.1)),
    ] {
        let r = share(summary, part, "recall");
        check(r >= recall, format!("{part}: key lines {r} < {recall}"));
        if let Some(noise) = noise {
            let n = share(summary, part, "noise_share");
            check(n <= noise, format!("{part}: noise {n} > {noise}"));
        }
        if bar.every_case {
            check(
                summary[part]["cases_no_key"] == 0,
                format!(
                    "{part}: {} cases without a key line",
                    summary[part]["cases_no_key"]
                ),
            );
        }
    }
    if bar.every_case {
        for row in results["rows"].as_array().expect("rows") {
            check(
                row["step_ok"] == true,
                format!(
                    "{}: failing step {} instead of {}",
                    row["case"], row["tool_step"], row["expected_step"]
                ),
            );
        }
    }
    failures
}

/// The bar of issue 24 for the product as shipped: the summary shows 95% of the key lines,
/// the comment 90%, every case a key line and the right step; noise at most 35% in the
/// summary and 25% in the comment (recall first: a reader skims an extra line, but never
/// finds a missing one).
#[test]
fn real_logs_excerpts_show_the_key_lines_and_little_else() {
    let shipped = Bar {
        recall: (0.95, 0.90),
        noise: Some((0.35, 0.25)),
        every_case: true,
    };
    let mut failures = real_logs_below("cases", None, &shipped);
    failures.extend(real_logs_below("cases-2", None, &shipped));
    assert!(failures.is_empty(), "below the bar: {failures:#?}");
}

/// The generic path alone (`FAILURE_DIGEST_RULES=generic`: markers, exit codes, error words,
/// structure, repetition, position): the best predictor of logs nobody wrote a rule for.
/// Issue 24's bar: 85% of the key lines in the summary on each set.
#[test]
fn the_generic_rules_alone_find_most_key_lines() {
    let generic = Bar {
        recall: (0.85, 0.75),
        noise: None,
        every_case: false,
    };
    let mut failures = real_logs_below("cases", Some("generic"), &generic);
    failures.extend(real_logs_below("cases-2", Some("generic"), &generic));
    assert!(failures.is_empty(), "below the bar: {failures:#?}");
}
/// `green-logs/`: failing and passing logs of the same jobs with labelled error lines (the
/// CiDiff breakage dataset), scored through `--log FILE` with and without `--green-log`.
#[test]
fn green_logs_excerpts_find_the_errors_and_the_passing_log_makes_them_sharper() {
    let Some(dir) = corpus("green-logs") else {
        return;
    };
    let results = score(&dir, &[], None);
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
    // The bar of issues 14 and 24: with the passing log, 48 of the 51 labelled errors within
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
    // Issue 24: alone, at least 46; with the generic rules alone, at least 40.
    let alone = count("tool", "found");
    if alone < 46.0 {
        failures.push(format!(
            "without the passing log: {alone}/{errors} errors found < 46"
        ));
    }
    let generic = score(&dir, &[], Some("generic"));
    let generic_alone = generic["total"]["tool"]["found"]
        .as_f64()
        .expect("total.tool.found");
    if generic_alone < 40.0 {
        failures.push(format!(
            "generic rules, without the passing log: {generic_alone}/{errors} errors found < 40"
        ));
    }
    assert!(failures.is_empty(), "below the bar: {failures:#?}");
}
