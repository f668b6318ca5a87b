//! The run's configuration, from the Actions environment and the command line.
//!
//! Every check and every message about a bad value lives here, so that a mistake is reported
//! once, before any API call, in one line that names the input (or flag) and what is allowed.

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::cli::Cli;
use crate::event::EventFacts;
use crate::github::Repo;
use crate::publish::Delivery;
use inputs::{bool_input, check_range, input, number_input, var};

/// Where the run to digest comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The REST API.
    Api {
        api_url: String,
        token: String,
        repo: Repo,
        run_id: u64,
        /// `None`: the latest attempt.
        attempt: Option<u32>,
        /// Digest only this job (a pasted `…/job/ID` URL).
        job: Option<u64>,
    },
    /// A recorded run on disk, no network.
    Replay(PathBuf),
    /// One job's log file (`--log`), and a passing log of the same job to compare with.
    LogFile {
        log: PathBuf,
        green: Option<PathBuf>,
    },
}

/// When to write the sticky PR comment (`comment` input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommentMode {
    OnFailure,
    Always,
    Never,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub source: Source,
    pub server_url: String,
    pub pr_number: Option<u64>,
    /// The comment's sticky key: the reported workflow's name (`None`: the digest's workflow).
    pub comment_key: Option<String>,
    /// Template text (already read) replacing the built-in summary / comment.
    pub summary_template: Option<(PathBuf, String)>,
    pub comment_template: Option<(PathBuf, String)>,
    pub max_lines: usize,
    /// The whole run's deadline (`timeout-seconds`): what misses it is noted, not waited for.
    pub timeout: Duration,
    pub exclude_jobs: JobFilter,
    /// Rank each failed log against a passing log of the same job (`passing-log`).
    pub passing_log: bool,
    pub fail_on_error: bool,
    /// Which insights to add (`detect-flaky`, `compare-base`, `group-errors`).
    pub insights: crate::insights::Options,
    /// Where the digest goes, chosen once here: printed, or published (summary, comment,
    /// outputs). See [`delivery::choose`].
    pub delivery: Delivery,
    /// Show progress on stderr (a terminal, outside Actions).
    pub progress: bool,
    /// Running inside GitHub Actions: stdout is parsed for workflow commands.
    pub in_actions: bool,
    pub event: EventFacts,
    pub event_name: Option<String>,
    /// The reporter's own runner, so its own (still running) job is left out.
    pub runner_name: Option<String>,
    pub sha: Option<String>,
}

/// Glob patterns of job names to leave out (`exclude-jobs`).
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    set: Option<GlobSet>,
}

impl JobFilter {
    pub fn parse(patterns: &str) -> anyhow::Result<Self> {
        let mut builder = GlobSetBuilder::new();
        let mut any = false;
        for pattern in patterns
            .split([',', '\n'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let glob = Glob::new(pattern).with_context(|| {
                format!("input `exclude-jobs`: `{pattern}` is not a valid glob (use * and ?, e.g. `lint*`)")
            })?;
            builder.add(glob);
            any = true;
        }
        let set = any.then(|| builder.build()).transpose()?;
        Ok(JobFilter { set })
    }

    pub fn excludes(&self, job_name: &str) -> bool {
        self.set.as_ref().is_some_and(|set| set.is_match(job_name))
    }
}

/// Reads environment variables; a function so tests need not touch the process environment.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Which of the program's streams are terminals (the binary asks the OS; tests say).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Terminal {
    pub stdout: bool,
    pub stderr: bool,
}

impl Terminal {
    /// The process's own streams.
    pub fn detect() -> Terminal {
        use std::io::IsTerminal;
        Terminal {
            stdout: std::io::stdout().is_terminal(),
            stderr: std::io::stderr().is_terminal(),
        }
    }
}

impl Config {
    /// [`Config::load_on`] with no terminal attached (scripts, tests).
    pub fn load(cli: &Cli, env: Env) -> anyhow::Result<Config> {
        Config::load_on(cli, env, Terminal::default())
    }

    /// Builds the configuration from flags and environment; reads the event payload and any
    /// custom template (so a template error stops the run before any API call). `terminal`
    /// decides the defaults a person at a terminal gets: text, colour, progress.
    pub fn load_on(cli: &Cli, env: Env, terminal: Terminal) -> anyhow::Result<Config> {
        let in_actions = var(env, "GITHUB_ACTIONS").as_deref() == Some("true");
        let event_name = var(env, "GITHUB_EVENT_NAME");
        let event = match (&event_name, var(env, "GITHUB_EVENT_PATH")) {
            (Some(name), Some(path)) if !cli.is_offline() => read_event(name, Path::new(&path))?,
            _ => EventFacts::default(),
        };
        let workspace = var(env, "GITHUB_WORKSPACE").map(PathBuf::from);

        let max_lines = match cli.max_lines {
            Some(n) => check_range(n, MAX_LINES, "--max-lines")?,
            None => number_input(env, "max-lines", MAX_LINES)?.unwrap_or(40),
        };
        let timeout = number_input(env, "timeout-seconds", TIMEOUT_SECONDS)?
            .map(|secs| Duration::from_secs(secs as u64))
            .unwrap_or(DEFAULT_TIMEOUT);
        let comment = match input(env, "comment").as_deref().map(str::trim) {
            None | Some("on-failure") => CommentMode::OnFailure,
            Some("always") => CommentMode::Always,
            Some("never") => CommentMode::Never,
            Some(other) => {
                bail!("input `comment` must be `on-failure`, `always` or `never`, got `{other}`")
            }
        };
        let pr_number = match (cli.pr, input(env, "pr-number")) {
            (Some(n), _) => Some(n),
            (None, Some(text)) => Some(text.trim().parse().map_err(|_| {
                anyhow::anyhow!("input `pr-number` must be a pull request number, got `{text}`")
            })?),
            (None, None) => None,
        };

        let source = match (&cli.replay, &cli.log) {
            (Some(dir), _) => Source::Replay(dir.clone()),
            (None, Some(log)) => Source::LogFile {
                log: log.clone(),
                green: cli.green_log.clone(),
            },
            (None, None) => api_source(cli, env, &event)?,
        };
        let comment_key = event
            .triggering_run
            .as_ref()
            .and_then(|run| run.workflow_name.clone())
            .filter(|name| !name.is_empty())
            .or_else(|| var(env, "GITHUB_WORKFLOW"));

        Ok(Config {
            source,
            // Links are built as `{server_url}/owner/repo/…`: a trailing `/` would double.
            server_url: var(env, "GITHUB_SERVER_URL")
                .map(|url| url.trim().trim_end_matches('/').to_owned())
                .filter(|url| !url.is_empty())
                .unwrap_or_else(|| "https://github.com".into()),
            pr_number,
            comment_key,
            summary_template: template(
                cli.summary_template.clone(),
                env,
                "summary-template",
                &workspace,
            )?,
            comment_template: template(
                cli.comment_template.clone(),
                env,
                "comment-template",
                &workspace,
            )?,
            max_lines,
            timeout,
            exclude_jobs: JobFilter::parse(&input(env, "exclude-jobs").unwrap_or_default())?,
            fail_on_error: bool_input(env, "fail-on-error", false)?,
            passing_log: bool_input(env, "passing-log", true)?,
            insights: crate::insights::Options {
                detect_flaky: bool_input(env, "detect-flaky", true)?,
                compare_base: bool_input(env, "compare-base", true)?,
                group_errors: bool_input(env, "group-errors", true)?,
            },
            delivery: delivery::choose(cli, env, terminal, in_actions, comment)?,
            progress: terminal.stderr && !in_actions,
            in_actions,
            event,
            event_name,
            runner_name: var(env, "RUNNER_NAME"),
            sha: var(env, "GITHUB_SHA"),
        })
    }
}

const MAX_LINES: RangeInclusive<usize> = 1..=1000;
const TIMEOUT_SECONDS: RangeInclusive<usize> = 1..=21_600;
/// Long enough for a slow day on GitHub (the API's own read timeout is a minute), short enough
/// that a stalled host costs a few minutes of runner time, not the job's six hours.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Which run and attempt to report on: flags, then inputs, then the triggering run of a
/// `workflow_run` event, then the current run.
fn api_source(cli: &Cli, env: Env, event: &EventFacts) -> anyhow::Result<Source> {
    let token = input(env, "github-token")
        .or_else(|| var(env, "GITHUB_TOKEN"))
        .or_else(|| var(env, "GH_TOKEN"))
        .context("no GitHub token: set the `github-token` input (default `${{ github.token }}`), or GITHUB_TOKEN / GH_TOKEN (or log in with `gh auth login`) when running from a terminal")?;
    let token = token.trim().to_owned();
    // The token goes into an HTTP header: a character no header may carry would otherwise
    // fail deep inside the client, on the first request.
    if http::HeaderValue::from_str(&format!("Bearer {token}")).is_err() || token.contains(' ') {
        anyhow::bail!(
            "the GitHub token holds characters no token has (a space, a line break, a control \
             character): check the secret behind `github-token`, GITHUB_TOKEN or GH_TOKEN"
        );
    }
    let pasted = cli.url.as_deref().map(run_url::parse).transpose()?;
    let repo_text = cli
        .repo
        .clone()
        .or_else(|| pasted.as_ref().map(|url| url.repo.clone()))
        .or_else(|| var(env, "GITHUB_REPOSITORY"))
        .context(
            "no repository: pass --repo OWNER/REPO (GITHUB_REPOSITORY is set inside Actions)",
        )?;
    let repo = parse_repo(&repo_text)?;

    let input_run = input(env, "run-id")
        .map(|t| {
            t.trim().parse::<u64>().map_err(|_| {
                anyhow::anyhow!("input `run-id` must be a run id (a number), got `{t}`")
            })
        })
        .transpose()?;
    let input_attempt = input(env, "run-attempt")
        .map(|t| match t.trim().parse::<u32>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(anyhow::anyhow!(
                "input `run-attempt` must be a number from 1, got `{t}`"
            )),
        })
        .transpose()?;
    let current_run = var(env, "GITHUB_RUN_ID")
        .map(|t| {
            t.parse::<u64>()
                .map_err(|_| anyhow::anyhow!("GITHUB_RUN_ID must be a number, got `{t}`"))
        })
        .transpose()?;
    let current_attempt = var(env, "GITHUB_RUN_ATTEMPT")
        .map(|t| match t.trim().parse::<u32>() {
            // Attempts count from 1: `…/attempts/0/jobs` is no run GitHub has.
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(anyhow::anyhow!(
                "GITHUB_RUN_ATTEMPT must be a number from 1, got `{t}`"
            )),
        })
        .transpose()?;

    let explicit = cli
        .run_id
        .or(pasted.as_ref().map(|url| url.run_id))
        .or(input_run);
    let (run_id, default_attempt) = match (explicit, &event.triggering_run) {
        (Some(id), _) => (id, None),
        (None, Some(run)) => (run.id, run.attempt),
        (None, None) => (
            current_run.context(
                "no run to report on: pass --run-id (GITHUB_RUN_ID is set inside Actions)",
            )?,
            current_attempt,
        ),
    };
    Ok(Source::Api {
        api_url: api_url(env)?,
        token,
        repo,
        run_id,
        attempt: cli
            .attempt
            .or(pasted.as_ref().and_then(|url| url.attempt))
            .or(input_attempt)
            .or(default_attempt),
        job: pasted.and_then(|url| url.job_id),
    })
}

/// `GITHUB_API_URL`, checked before any request: a value without `http://` or `https://`
/// (`127.0.0.1:8080`) would otherwise fail deep in the HTTP client.
fn api_url(env: Env) -> anyhow::Result<String> {
    let Some(url) = var(env, "GITHUB_API_URL") else {
        return Ok("https://api.github.com".into());
    };
    let url = url.trim().trim_end_matches('/').to_owned();
    let valid = url
        .parse::<http::Uri>()
        .ok()
        .filter(|uri| matches!(uri.scheme_str(), Some("http" | "https")))
        .is_some_and(|uri| uri.host().is_some_and(|h| !h.is_empty()));
    if !valid {
        anyhow::bail!(
            "GITHUB_API_URL `{url}` is not an http:// or https:// URL; expected e.g. \
             https://api.github.com, or https://HOST/api/v3 on GitHub Enterprise Server"
        );
    }
    Ok(url)
}

pub fn parse_repo(text: &str) -> anyhow::Result<Repo> {
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    match text.trim().split_once('/') {
        Some((owner, name)) if valid(owner) && valid(name) => Ok(Repo {
            owner: owner.into(),
            name: name.into(),
        }),
        _ => bail!("repository must be OWNER/REPO (e.g. `octo-org/octo-repo`), got `{text}`"),
    }
}

fn read_event(event_name: &str, path: &Path) -> anyhow::Result<EventFacts> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            tracing::warn!(
                "could not read the event payload {}: {error}; continuing without it",
                path.display()
            );
            return Ok(EventFacts::default());
        }
    };
    EventFacts::parse(event_name, &text).with_context(|| {
        format!(
            "GITHUB_EVENT_PATH {} is not a `{event_name}` event payload",
            path.display()
        )
    })
}

/// A custom template: the flag, else the input resolved against the workspace; read now.
fn template(
    flag: Option<PathBuf>,
    env: Env,
    input_name: &str,
    workspace: &Option<PathBuf>,
) -> anyhow::Result<Option<(PathBuf, String)>> {
    let path = match (flag, input(env, input_name)) {
        (Some(path), _) => path,
        (None, Some(text)) => match workspace {
            Some(ws) => ws.join(text.trim()),
            None => PathBuf::from(text.trim()),
        },
        (None, None) => return Ok(None),
    };
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!("input `{input_name}`: cannot read {} (paths are relative to the workspace; check out the repository first)", path.display())
    })?;
    Ok(Some((path, text)))
}

mod delivery;
mod inputs;
#[cfg(test)]
mod props;
mod run_url;
#[cfg(test)]
mod tests;
