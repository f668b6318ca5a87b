//! `--log FILE` and `--green-log FILE`: the real binary digesting log files from any CI, with no
//! network and no token.

use serde_json::Value;

use crate::binary::binary;

/// A Travis-style log: progress bars redrawn with a lone `\r`, which editors count as lines.
const FAILED: &[u8] = b"$ mvn test\n\
  % Total    % Received\n\r  0     0    0\r100  2381  100\n\
[ERROR] Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF8\n\
[INFO] Compiling 80 source files\n\
[ERROR] /src/main/java/Launcher.java:[3,13] cannot access spoon.Launcher\n\
  bad class file: spoon-core-9.2.0.jar(spoon/Launcher.class)\n\
[INFO] BUILD FAILURE\n";

const PASSING: &[u8] = b"$ mvn test\n\
[ERROR] Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF8\n\
[INFO] Compiling 79 source files\n\
[INFO] BUILD SUCCESS\n";

fn files() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("fail.log"), FAILED).unwrap();
    std::fs::write(dir.path().join("pass.log"), PASSING).unwrap();
    dir
}

fn json_of(output: &std::process::Output) -> Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

fn excerpt(digest: &Value) -> Vec<(u64, String)> {
    digest["failed_jobs"][0]["excerpt"]
        .as_array()
        .expect("excerpt")
        .iter()
        .map(|l| {
            (
                l["line_number"].as_u64().unwrap(),
                l["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_log_file_is_one_failed_job_numbered_as_an_editor_numbers_it() {
    let dir = files();
    let out = binary()
        .args(["--log", "fail.log", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let digest = json_of(&out);
    assert_eq!(digest["failed_jobs"].as_array().unwrap().len(), 1);
    assert_eq!(digest["failed_jobs"][0]["name"], "fail.log");
    assert_eq!(digest["failed_jobs"][0]["compared_with"], Value::Null);
    let lines = excerpt(&digest);
    // Line 8 of the file as Python, `less` and editors count it: each lone `\r` ends a line too.
    let text = String::from_utf8_lossy(FAILED);
    let numbered: Vec<&str> = text.split(['\n', '\r']).collect();
    assert_eq!(
        numbered[7],
        "[ERROR] /src/main/java/Launcher.java:[3,13] cannot access spoon.Launcher"
    );
    assert!(lines.contains(&(8, numbered[7].to_owned())), "{lines:?}");
    assert!(lines
        .iter()
        .any(|(_, t)| t.contains("Picked up JAVA_TOOL_OPTIONS")));
}

#[test]
fn a_green_log_ranks_what_the_passing_run_printed_too_out_of_the_way() {
    let dir = files();
    let out = binary()
        .args([
            "--log",
            "fail.log",
            "--green-log",
            "pass.log",
            "--format",
            "json",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let digest = json_of(&out);
    let lines = excerpt(&digest);
    assert!(
        lines
            .iter()
            .any(|(_, t)| t.contains("cannot access spoon.Launcher")),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|(_, t)| t.contains("JAVA_TOOL_OPTIONS")),
        "{lines:?}"
    );
    let compared = &digest["failed_jobs"][0]["compared_with"];
    assert_eq!(compared["label"], "pass.log");
    assert!(
        compared["ranked_lower"].as_u64().unwrap() >= 1,
        "{compared}"
    );

    let markdown = binary()
        .args(["--log", "fail.log", "--green-log", "pass.log"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&markdown.stdout);
    assert!(text.contains("*Compared with pass.log: "), "{text}");
    // A file has no run or job page: nothing points the reader at one.
    for dead in ["run details", "· full log"] {
        assert!(!text.contains(dead), "{dead}: {text}");
    }
}

#[test]
fn a_missing_file_or_a_green_log_alone_is_an_error_that_names_the_fix() {
    let dir = files();
    let missing = binary()
        .args(["--log", "nope.log"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("--log nope.log: cannot read the file"),
        "{stderr}"
    );

    let green = binary()
        .args(["--log", "fail.log", "--green-log", "gone.log"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&green.stderr).contains("--green-log gone.log"));

    let alone = binary().args(["--green-log", "pass.log"]).output().unwrap();
    assert_eq!(alone.status.code(), Some(2), "a usage error");
    assert!(String::from_utf8_lossy(&alone.stderr).contains("--log"));

    let both = binary()
        .args(["--log", "fail.log", "--replay", "examples/rust-ci-failure"])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn a_log_files_markdown_reads_as_written_for_a_file() {
    let dir = files();
    let out = binary()
        .args([
            "--log",
            "fail.log",
            "--max-lines",
            "1",
            "--format",
            "markdown",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let (summary, comment) = text.split_once("\n----- comment -----\n").unwrap();
    assert!(summary.starts_with("## ❌ fail.log\n"), "{summary}");
    // No sections in the file: the failure is where the log ends.
    assert!(
        summary.contains("Failed at the end of the log."),
        "{summary}"
    );
    assert!(summary.contains("left out; see fail.log.*"), "{summary}");
    for line in summary.lines() {
        assert!(
            !line.contains("|  |") && !line.ends_with("| |"),
            "an empty cell: {line}"
        );
    }
    for dead in ["run details", "full log", "jobs failed", "0 passed"] {
        assert!(!summary.contains(dead), "{dead}: {summary}");
    }
    assert!(
        !comment.contains("failure-digest-run:"),
        "no empty run stamp: {comment}"
    );
    assert!(!comment.contains("Full summary of the run"), "{comment}");
    assert!(
        comment.contains("failed at the end of the log"),
        "{comment}"
    );
}

#[test]
fn one_line_left_out_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("two.log"),
        "error: first failure\nerror: second failure\n",
    )
    .unwrap();
    let out = binary()
        .args(["--log", "two.log", "--max-lines", "1", "--format", "json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let digest = json_of(&out);
    assert_eq!(digest["failed_jobs"][0]["excerpt_omitted"], 1, "{digest}");
    assert_eq!(digest["log_file"], "two.log");
    for format in ["markdown", "text"] {
        let out = binary()
            .args(["--log", "two.log", "--max-lines", "1", "--format", format])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("1 more line of the failure left out"),
            "{format}: {text}"
        );
        assert!(!text.contains("1 more lines"), "{format}: {text}");
    }
}
