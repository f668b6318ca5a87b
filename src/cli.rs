//! Command-line flags, for running the digest from a terminal.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// Explain why a GitHub Actions run failed: a step summary and a sticky PR comment.
///
/// Inside a workflow it reads the Actions environment (`INPUT_*`, `GITHUB_*`) and needs no flags.
/// From a terminal, paste a run's URL (a token from GITHUB_TOKEN, GH_TOKEN or `gh auth token`),
/// or replay a recorded run offline. Every action input also works as an environment variable,
/// `INPUT_<NAME>` (e.g. INPUT_EXCLUDE-JOBS=lint or INPUT_COMPARE_BASE=false).
///
/// Without --dry-run it writes the PR comment as whoever the token belongs to: as you, with your
/// own token on a laptop.
#[derive(Debug, Default, Parser)]
#[command(name = "failure-digest", version, max_term_width = 100)]
#[command(after_help = "Examples:\n  \
    failure-digest https://github.com/octo/app/actions/runs/123456 --dry-run\n  \
    failure-digest https://github.com/octo/app/actions/runs/123456/job/789 --dry-run\n  \
    GITHUB_TOKEN=... failure-digest --repo octo/app --run-id 123456 --dry-run\n  \
    failure-digest --replay examples/rust-ci-failure\n  \
    failure-digest --log failed.log --green-log passed.log\n  \
    failure-digest --replay examples/rust-ci-failure --format json | jq .totals")]
pub struct Cli {
    /// A run's page, as the browser shows it: …/OWNER/REPO/actions/runs/ID, with /attempts/N for
    /// one attempt, or /job/ID for one job
    #[arg(value_name = "URL", conflicts_with_all = ["replay", "repo", "run_id"])]
    pub url: Option<String>,

    /// Repository of the run, OWNER/REPO (default: GITHUB_REPOSITORY)
    #[arg(long, value_name = "OWNER/REPO")]
    pub repo: Option<String>,

    /// The workflow run to digest (default: the `run-id` input, then GITHUB_RUN_ID)
    #[arg(long, value_name = "ID")]
    pub run_id: Option<u64>,

    /// The run attempt (default: the latest attempt)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub attempt: Option<u32>,

    /// The pull request to comment on (default: detected from the event or the commit)
    #[arg(long, value_name = "NUMBER")]
    pub pr: Option<u64>,

    /// Print the summary and the comment instead of writing or posting them
    #[arg(long)]
    pub dry_run: bool,

    /// Replay a recorded run from DIR, with no network (jobs.json, logs/<job id>.log, …)
    #[arg(long, value_name = "DIR", conflicts_with_all = ["repo", "run_id", "attempt", "pr"])]
    pub replay: Option<PathBuf>,

    /// Digest one job's log file, with no network: a log downloaded from GitHub, or any CI's text
    /// log (lines are numbered as an editor numbers them)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["url", "replay", "repo", "run_id", "attempt", "pr"])]
    pub log: Option<PathBuf>,

    /// A passing log of the same job, for --log: what it printed too ranks below what is new
    #[arg(long, value_name = "FILE", requires = "log")]
    pub green_log: Option<PathBuf>,

    /// What to print: the rendered markdown, or the digest model as JSON for scripts
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,

    /// Log-excerpt lines per failed job (default: the `max-lines` input, then 40)
    #[arg(long, value_name = "N")]
    pub max_lines: Option<usize>,

    /// Handlebars template replacing the default summary
    #[arg(long, value_name = "FILE")]
    pub summary_template: Option<PathBuf>,

    /// Handlebars template replacing the default comment
    #[arg(long, value_name = "FILE")]
    pub comment_template: Option<PathBuf>,
}

impl Cli {
    /// Reads files only: no token, no event payload, nothing posted.
    pub fn is_offline(&self) -> bool {
        self.replay.is_some() || self.log.is_some()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    #[default]
    Markdown,
    Json,
}
