//! From a terminal: the program reads and prints, and writes only with `--post`; on a terminal
//! it prints text (coloured unless NO_COLOR), with progress on stderr. The terminal is a real
//! pseudo-terminal: util-linux's `script` runs the binary on one and records what it wrote.

use std::path::Path;
use std::process::Command;

use failure_digest::cli::Cli;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::comment::{pull_request_run, CREATE};
use crate::support::*;
use crate::thread::{Thread, MARKER};

const BINARY: &str = env!("CARGO_BIN_EXE_failure-digest");
const REPLAY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rust-ci-failure");

/// [`pull_request_run`]'s environment as a laptop has it: no `GITHUB_ACTIONS`, but the
/// runner's files named all the same (a user who sourced them must still not write).
async fn laptop() -> (
    MockServer,
    tempfile::TempDir,
    std::collections::HashMap<String, String>,
) {
    let (server, dir, mut env) = pull_request_run("failure").await;
    env.remove("GITHUB_ACTIONS");
    env.insert("INPUT_COMMENT".into(), "always".into());
    (server, dir, env)
}

#[tokio::test]
async fn outside_actions_it_reads_and_prints_and_writes_nothing() {
    let (_server, dir, env) = laptop().await;
    let (outcome, printed) = run_with_cli(&Cli::default(), &env).await;
    let outcome = outcome.unwrap();
    assert_eq!(outcome.comment_url, None);
    assert!(
        printed.contains("## ❌ CI: 1 of 2 jobs failed"),
        "{printed}"
    );
    assert!(printed.contains("----- comment -----"), "{printed}");
    assert!(!dir.path().join("summary.md").exists(), "no step summary");
    assert!(!dir.path().join("output.txt").exists(), "no outputs");
    // No comment was listed or posted: any such request fails `fail_on_unexpected`.
}

#[tokio::test]
async fn with_post_it_comments_and_writes_the_summary() {
    let (server, dir, env) = laptop().await;
    let thread = Thread::new(&server, 2, vec![]);
    thread.mount(&server, CREATE).await;
    let cli = Cli {
        post: true,
        ..Cli::default()
    };
    let (outcome, _) = run_with_cli(&cli, &env).await;
    let outcome = outcome.unwrap();
    assert!(outcome.comment_url.is_some(), "{:?}", outcome.degraded);
    assert_eq!(thread.with_marker(MARKER).len(), 1);
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(summary.contains("1 of 2 jobs failed"), "{summary}");
}

#[test]
fn help_says_read_only_first() {
    let output = Command::new(BINARY).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    let first = help.lines().next().unwrap();
    assert!(
        first.contains("writes nothing unless you pass --post"),
        "{help}"
    );
    assert!(
        help.contains("--post") && help.contains("--color <WHEN>"),
        "{help}"
    );
}

#[test]
fn completions_and_the_man_page_are_printed() {
    for (args, expected) in [
        (&["completions", "bash"][..], "--post"),
        (&["completions", "zsh"][..], "#compdef failure-digest"),
        (&["completions", "fish"][..], "complete -c failure-digest"),
        (&["man"][..], ".TH failure-digest"),
    ] {
        let output = Command::new(BINARY).args(args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains(expected), "{args:?}: {text}");
    }
}

/// Runs `command` (a shell command line) on a pseudo-terminal with `envs` and nothing else of
/// this process's environment; what the terminal received. `None` (the test is skipped) when
/// `script` is missing, except under CI, where that fails.
fn on_a_terminal(command: &str, envs: &[(&str, &str)]) -> Option<String> {
    let found = Command::new("script").arg("--version").output();
    if found.is_err() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "util-linux `script` is needed for the terminal tests"
        );
        eprintln!("SKIPPED (terminal): util-linux `script` is not installed");
        return None;
    }
    let output = Command::new("script")
        .args(["--quiet", "--return", "--command", command, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color")
        .envs(envs.iter().copied())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n");
    assert!(output.status.success(), "{command}: {text}");
    Some(text)
}

fn quoted(path: &str) -> String {
    format!("'{}'", path.replace('\'', r"'\''"))
}

#[test]
fn on_a_terminal_it_prints_coloured_text_and_no_color_turns_colour_off() {
    let command = format!("{} --replay {} 2>/dev/null", quoted(BINARY), quoted(REPLAY));
    let Some(text) = on_a_terminal(&command, &[]) else {
        return;
    };
    assert!(
        text.contains("\x1b[31m✗\x1b[0m \x1b[1mclippy\x1b[0m failed at step"),
        "{text:?}"
    );
    assert!(
        text.contains("│ error: this `if` has identical blocks") || text.contains("│\x1b[0m"),
        "{text}"
    );
    assert!(
        !text.contains("~~~") && !text.contains("## "),
        "text, not markdown: {text}"
    );
    assert!(text.contains("https://github.com/acme/widgets/actions/runs/11873310452/job/31012"));

    let plain = on_a_terminal(&command, &[("NO_COLOR", "1")]).unwrap();
    assert!(!plain.contains('\x1b'), "{plain:?}");
    assert!(
        plain.contains("✗ clippy failed at step Run cargo clippy"),
        "{plain}"
    );
    assert!(
        plain.contains("  38 │ error: this `if` has identical blocks"),
        "{plain}"
    );
}

#[test]
fn a_hostile_log_sends_no_escape_sequence_to_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("evil.log");
    std::fs::write(
        &log,
        "building\n\
         \x1b]0;owned title\x07\x1b[2J\x1b]52;c;cGF5bG9hZA==\x07 error: boom\n\
         \u{9b}31m error: C1 CSI \x1b[?1049h alternate screen\n\
         error: the end\x08\x08\x08\n",
    )
    .unwrap();
    let command = format!(
        "{} --log {} 2>/dev/null",
        quoted(BINARY),
        quoted(path_str(&log))
    );
    let Some(text) = on_a_terminal(&command, &[]) else {
        return;
    };
    assert!(text.contains("error: the end"), "{text}");
    let rest = failure_digest::render::text::uncoloured(&text);
    for bad in ['\x1b', '\x07', '\u{9b}', '\x08'] {
        assert!(
            !rest.contains(bad),
            "{bad:?} reached the terminal: {text:?}"
        );
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[tokio::test]
async fn progress_is_drawn_on_a_terminal_stderr_and_never_into_a_pipe() {
    let server = MockServer::start().await;
    fail_on_unexpected(&server).await;
    let jobs = jobs_page(vec![
        job(1, "build", "success", None),
        job(2, "test", "failure", Some(4)),
    ]);
    let slowly = std::time::Duration::from_millis(600);
    Mock::given(method("GET"))
        .and(path(jobs_route(1)))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(jobs)
                .set_delay(slowly),
        )
        .mount(&server)
        .await;
    // Read twice: on a terminal, then into a pipe.
    mount_slow_log(&server, 2, &failed_step_log(&["error: boom"]), slowly, 2).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.md");
    let args = format!("--repo {OWNER_REPO} --run-id {RUN_ID} --attempt 1");
    let envs = [
        ("GITHUB_API_URL", server.uri()),
        ("GITHUB_TOKEN", "ghp_test".to_owned()),
        ("INPUT_COMPARE_BASE", "false".to_owned()),
        ("INPUT_PASSING_LOG", "false".to_owned()),
    ];
    let command = format!("{} {args} > {}", quoted(BINARY), quoted(path_str(&out)));
    let pty_envs = envs.clone();
    let Some(terminal) = tokio::task::spawn_blocking(move || {
        let pty_envs: Vec<(&str, &str)> = pty_envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        on_a_terminal(&command, &pty_envs)
    })
    .await
    .unwrap() else {
        return;
    };
    assert!(terminal.contains("listing the run's jobs…"), "{terminal:?}");
    assert!(
        terminal.contains("reading logs: 0/1 jobs done, 0 B"),
        "{terminal:?}"
    );
    let printed = std::fs::read_to_string(&out).unwrap();
    assert!(
        printed.contains("## ❌"),
        "stdout is a file, so markdown: {printed}"
    );
    assert!(!printed.contains("reading logs"), "{printed}");

    // Not a terminal: not a byte of progress.
    let output = tokio::task::spawn_blocking(move || {
        Command::new(BINARY)
            .args(args.split(' '))
            .env_clear()
            .envs(envs)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "{stderr}");
}
