//! The binary: parse flags, load the configuration, run, and map the result to an exit status
//! and `::error::` / `::warning::` lines.

use std::process::ExitCode;

use clap::Parser;
use failure_digest::cli::{self, Cli};
use failure_digest::config::{Config, Terminal};
use failure_digest::github::RetryPolicy;
use failure_digest::logs::patterns::{use_rules, Rules};
use failure_digest::publish::commands;
use failure_digest::render::text;
use failure_digest::{app, diagnostics};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(command) = &cli.command {
        return match cli::print_extra(command, &mut std::io::stdout().lock()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(error) => fail(false, &error.into()),
        };
    }
    let in_actions = std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true");
    diagnostics::init(
        in_actions,
        std::env::var("RUNNER_DEBUG").as_deref() == Ok("1"),
    );
    let gh_token = std::sync::OnceLock::new();
    let env = |name: &str| {
        let set = std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        // On a terminal without a token in the environment, the GitHub CLI's login serves.
        if set.is_none() && name == "GH_TOKEN" && !in_actions && !cli.is_offline() {
            return gh_token.get_or_init(gh_auth_token).clone();
        }
        set
    };
    // A measuring seam, not an input: which families of error shapes the excerpt knows.
    match Rules::parse(std::env::var("FAILURE_DIGEST_RULES").ok().as_deref()) {
        Ok(rules) => use_rules(rules),
        Err(why) => return fail(in_actions, &anyhow::anyhow!(why)),
    };
    let config = match Config::load_on(&cli, &env, Terminal::detect()) {
        Ok(config) => config,
        Err(error) => return fail(in_actions, &error),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(in_actions, &error.into()),
    };
    let mut stdout = std::io::stdout().lock();
    match runtime.block_on(app::run(&config, RetryPolicy::default(), &mut stdout)) {
        Ok(outcome) => {
            // Inside Actions the URL is the `comment-url` output; `--post` on a laptop says it.
            if let (false, Some(url)) = (in_actions, &outcome.comment_url) {
                eprintln!("failure-digest: the comment is at {}", text::line(url));
            }
            for problem in &outcome.degraded {
                report(in_actions, "warning", problem);
            }
            if config.fail_on_error && !outcome.degraded.is_empty() {
                report(
                    in_actions,
                    "error",
                    "a reporting step failed and `fail-on-error` is true",
                );
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        // `failure-digest … | head`: the reader has all it wanted; nothing failed.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => fail(in_actions, &error),
    }
}

/// `gh auth token`, when the GitHub CLI is installed and logged in.
fn gh_auth_token() -> Option<String> {
    let output = std::process::Command::new("gh")
        .args(["auth", "token"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let token = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !token.is_empty()).then_some(token)
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn fail(in_actions: bool, error: &anyhow::Error) -> ExitCode {
    report(in_actions, "error", &format!("{error:#}"));
    ExitCode::FAILURE
}

/// An annotation inside Actions, a plain line on a terminal; on stderr either way (the runner
/// reads workflow commands from both streams). A message can quote a server or a job's name:
/// on a terminal its control characters are replaced, so it cannot drive the terminal.
fn report(in_actions: bool, level: &str, message: &str) {
    if in_actions {
        eprintln!("::{level}::{}", commands::escape_data(message));
    } else {
        eprintln!("{level}: {}", text::line(message));
    }
}
