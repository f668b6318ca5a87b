//! Command-line flags, for running the digest from a terminal.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Explain why a GitHub Actions run failed: from a terminal it reads the run and prints the
/// digest; it writes nothing unless you pass --post.
///
/// From a terminal (GITHUB_ACTIONS unset) it only reads: paste a run's URL (a token from
/// GITHUB_TOKEN, GH_TOKEN or `gh auth token`), replay a recorded run, or digest a log file, and
/// it prints text (on a terminal), markdown or JSON. With --post it also writes the sticky PR
/// comment (as whoever the token belongs to: as you, with your own token) and the step summary.
///
/// Inside a workflow it reads the Actions environment (`INPUT_*`, `GITHUB_*`), needs no flags,
/// and writes the step summary, the PR comment and the step outputs. Every action input also
/// works as an environment variable, `INPUT_<NAME>` (e.g. INPUT_EXCLUDE-JOBS=lint).
#[derive(Debug, Default, Parser)]
#[command(name = "failure-digest", version, max_term_width = 100)]
#[command(after_help = "Examples:\n  \
    failure-digest https://github.com/octo/app/actions/runs/123456          # read and print\n  \
    failure-digest https://github.com/octo/app/actions/runs/123456/job/789\n  \
    failure-digest https://github.com/octo/app/actions/runs/123456 --post   # also comment on the PR\n  \
    GITHUB_TOKEN=... failure-digest --repo octo/app --run-id 123456\n  \
    failure-digest --replay examples/rust-ci-failure\n  \
    failure-digest --log failed.log --green-log passed.log\n  \
    failure-digest --replay examples/rust-ci-failure --format json | jq .totals\n  \
    failure-digest completions bash > ~/.local/share/bash-completion/completions/failure-digest")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

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

    /// The pull request to comment on, with --post (default: detected from the event or the
    /// commit)
    #[arg(long, value_name = "NUMBER")]
    pub pr: Option<u64>,

    /// From a terminal: also write the PR comment (as the token's owner) and, when
    /// GITHUB_STEP_SUMMARY is set, the step summary. Inside Actions this is the default
    #[arg(long, conflicts_with_all = ["dry_run", "replay", "log"])]
    pub post: bool,

    /// Print the digest instead of writing or posting it, even inside Actions
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

    /// What to print: text for people (the default on a terminal), the markdown summary and
    /// comment (the default otherwise), or the digest model as JSON for scripts
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Colour the text format: `auto` (when stdout is a terminal and NO_COLOR is not set),
    /// `always` or `never`
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

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

/// What the binary does besides digesting a run.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Print a shell completion script: `failure-digest completions bash > …`
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff): `failure-digest man > failure-digest.1`
    Man,
}

/// The shells `completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

impl Cli {
    /// Reads files only: no token, no event payload, nothing posted.
    pub fn is_offline(&self) -> bool {
        self.replay.is_some() || self.log.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Plain text for a terminal: names, failing steps and excerpts with line numbers
    Text,
    /// The step summary and the comment as GitHub renders them
    Markdown,
    /// The digest model, the templates' context
    Json,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// Writes what a [`Command`] prints: a completion script or the man page, generated from the
/// flags above so they never drift from them.
pub fn print_extra(command: &Command, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap::CommandFactory;
    let mut cli = Cli::command();
    match command {
        Command::Completions { shell } => {
            let shell = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
            };
            clap_complete::generate(shell, &mut cli, "failure-digest", out);
            Ok(())
        }
        Command::Man => clap_mangen::Man::new(cli).render(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_flags_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn completions_and_the_man_page_name_the_flags() {
        for (command, expected) in [
            (Command::Completions { shell: Shell::Bash }, "--post"),
            (Command::Completions { shell: Shell::Zsh }, "--color"),
            (Command::Completions { shell: Shell::Fish }, "log"),
            (Command::Man, "\\-\\-post"),
        ] {
            let mut out = Vec::new();
            print_extra(&command, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains(expected), "{command:?}: {text}");
        }
    }

    #[test]
    fn a_url_and_a_subcommand_do_not_clash() {
        let cli = Cli::try_parse_from(["failure-digest", "completions", "zsh"]).unwrap();
        assert_eq!(
            cli.command,
            Some(Command::Completions { shell: Shell::Zsh })
        );
        let cli = Cli::try_parse_from(["failure-digest", "https://github.com/o/r/actions/runs/1"])
            .unwrap();
        assert!(cli.command.is_none() && cli.url.is_some());
        assert!(Cli::try_parse_from(["failure-digest", "--post", "--dry-run"]).is_err());
    }
}
