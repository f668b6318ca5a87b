//! One run of the program: configuration in, report out. The binary and the end-to-end tests
//! both call [`run`].

use std::collections::HashMap;
use std::io::Write;

use futures_util::stream::{self, StreamExt};

mod fetch;
mod insights;
mod passing;

use fetch::{fetch_jobs, Fetcher};
use passing::PassingJob;

use crate::cli::Format;
use crate::config::{CommentMode, Config};
use crate::digest::{self, Digest, RunData};
use crate::github::models::{Annotation, Job, Status};
use crate::github::{LogUnavailable, RetryPolicy};
use crate::logs::{ExcerptOptions, JobExcerpt};
use crate::publish;
use crate::publish::comment::{Action, Published};
use crate::render::{marker, Renderer};

/// Logs downloaded at once: enough to hide a slow blob host, few enough to stay polite.
pub const LOG_DOWNLOADS_IN_PARALLEL: usize = 6;

/// What a run produced, for the exit status and the tests.
#[derive(Debug)]
pub struct Outcome {
    pub digest: Digest,
    /// Parts that could not be produced (a log, the comment): `::warning::` lines.
    pub degraded: Vec<String>,
    pub comment_url: Option<String>,
}

/// How the run's deadline (`timeout-seconds`) is shared out. The logs may take three quarters
/// of it, so that a stalled download still leaves time to write the comment, and one log at most
/// half, so that one stalled host does not starve the others.
pub(super) struct TimeLimits {
    started: tokio::time::Instant,
    total: std::time::Duration,
}

impl TimeLimits {
    fn new(total: std::time::Duration) -> Self {
        TimeLimits {
            started: tokio::time::Instant::now(),
            total,
        }
    }

    fn deadline(&self) -> tokio::time::Instant {
        self.started + self.total
    }

    /// Why a log download was given up.
    fn missed(&self, allowed: std::time::Duration) -> String {
        let total = self.total.as_secs();
        if allowed.is_zero() {
            format!("no time was left to download it within the run's `timeout-seconds` ({total}s)")
        } else {
            format!(
                "the download did not finish within {}s, the most one log may take of the run's \
                 `timeout-seconds` ({total}s)",
                allowed.as_secs_f32().ceil()
            )
        }
    }

    /// When a log download starting now must end, and how long that allows it.
    fn for_one_log(&self) -> (tokio::time::Instant, std::time::Duration) {
        let now = tokio::time::Instant::now();
        let deadline = (now + self.total / 2).min(self.started + self.total * 3 / 4);
        (deadline, deadline.saturating_duration_since(now))
    }
}

/// Produces the report: fetch, analyse, render, publish. `stdout` receives what is printed.
pub async fn run(
    config: &Config,
    retry: RetryPolicy,
    stdout: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    // Templates first: a syntax error must stop the run before any API call.
    let renderer = Renderer::new(
        config.summary_template.as_ref(),
        config.comment_template.as_ref(),
    )?;
    let time = TimeLimits::new(config.timeout);
    let (fetcher, jobs, run) = fetch_jobs(config, retry, time.deadline()).await?;
    let jobs: Vec<Job> = jobs
        .into_iter()
        .filter(|job| !is_own_job(job, config) && !config.exclude_jobs.excludes(&job.name))
        .collect();

    let mut degraded = Vec::new();
    // The comment's plan and the base run come before the logs: the base run is where a failed
    // job's passing log comes from, and under `workflow_run` only the PR the plan finds names
    // the base (a fork's run lists no PR). The plan needs the jobs, not their excerpts.
    let commenting = config.comment != CommentMode::Never && !config.dry_run;
    let plan = match (&fetcher, commenting) {
        (Fetcher::Api(github), true) => {
            let outline = Digest::build(RunData {
                run: run.clone(),
                server_url: config.server_url.clone(),
                jobs: jobs.clone(),
                excerpts: HashMap::new(),
                annotations: HashMap::new(),
                passing_logs: HashMap::new(),
            });
            Some(publish::comment::plan(config, github, &outline).await)
        }
        _ => None,
    };
    // A `push` stays uncompared even when its commit is in a PR, as documented.
    let pr_base = plan
        .as_ref()
        .filter(|_| config.event.triggering_run.is_some())
        .and_then(|plan| plan.base_branch.clone());
    let (base, passing) = match &fetcher {
        Fetcher::Api(github) => {
            insights::base_and_passing(github, config, &jobs, pr_base, run.id).await
        }
        Fetcher::LogFile(files) => {
            let passing = files.green_name().map(|label| PassingJob {
                id: 0,
                log: digest::PassingLog { label, url: None },
                // A log file has no step times: learn it whole.
                windows: None,
            });
            (
                None,
                jobs.iter()
                    .filter_map(|job| Some((job.id, passing.clone()?)))
                    .collect(),
            )
        }
        Fetcher::Replay(_) => (None, HashMap::new()),
    };
    let (excerpts, annotations) =
        explain_failures(&fetcher, &jobs, &passing, config, &time, &mut degraded).await;
    let mut digest = Digest::build(RunData {
        run,
        server_url: config.server_url.clone(),
        jobs,
        excerpts,
        annotations,
        passing_logs: passing.into_iter().map(|(id, p)| (id, p.log)).collect(),
    });
    insights::add(&mut digest, &fetcher, config, base, &mut degraded).await;
    if config.format == Format::Json {
        let json = serde_json::to_string_pretty(&digest)? + "\n";
        print_untrusted(stdout, config, &json)?;
        return Ok(Outcome {
            digest,
            degraded,
            comment_url: None,
        });
    }

    let summary = renderer.summary(&digest)?;
    match (&config.step_summary_path, config.dry_run) {
        (Some(path), false) if config.summary => publish::append(path, &summary, "step summary")?,
        (_, _) if config.summary || config.dry_run => print_untrusted(stdout, config, &summary)?,
        _ => {}
    }
    let mut comment_url = None;
    if config.dry_run {
        let comment = renderer.comment(&digest, &comment_key(config, &digest))?;
        writeln!(stdout, "\n----- comment -----")?;
        print_untrusted(stdout, config, &comment)?;
    } else if let (Fetcher::Api(github), Some(plan)) = (&fetcher, plan) {
        let written = match plan.action {
            Action::Skip(why) => Ok(Published::Skipped(why)),
            Action::Warn(warning) => Err(warning),
            Action::Write { pr, create } => {
                let key = comment_key(config, &digest);
                let body = renderer.comment(&digest, &key)?;
                publish::comment::write(github, &digest, pr, create, &body, &marker(&key)).await
            }
        };
        match written {
            Ok(Published::Written(url)) => comment_url = Some(url),
            Ok(Published::Skipped(why)) => writeln!(stdout, "failure-digest: {why}")?,
            Err(warning) => degraded.push(warning),
        }
    }
    if let (Some(path), false) = (&config.output_path, config.dry_run) {
        let text = publish::outputs(&digest, comment_url.as_deref());
        publish::append(path, &text, "output")?;
    }
    Ok(Outcome {
        digest,
        degraded,
        comment_url,
    })
}

type Excerpts = HashMap<u64, Result<JobExcerpt, LogUnavailable>>;

/// The log excerpt and annotations of every failed or cancelled job, fetched in parallel within
/// [`LOG_DOWNLOADS_IN_PARALLEL`]. What cannot be had is noted in `degraded`, never fatal.
async fn explain_failures(
    fetcher: &Fetcher,
    jobs: &[Job],
    passing: &HashMap<u64, PassingJob>,
    config: &Config,
    time: &TimeLimits,
    degraded: &mut Vec<String>,
) -> (Excerpts, HashMap<u64, Vec<Annotation>>) {
    let explained = digest::explained(jobs);
    let options = ExcerptOptions {
        max_lines: config.max_lines,
        // A file from any CI is numbered as its reader's editor numbers it.
        lone_cr_ends_line: matches!(fetcher, Fetcher::LogFile(_)),
        ..ExcerptOptions::default()
    };
    let fetched: Vec<_> = stream::iter(explained.map(|job| {
        let options = &options;
        async move {
            let excerpt = fetcher
                .excerpt(job, passing.get(&job.id), options, time)
                .await;
            (job, excerpt, fetcher.annotations(job).await)
        }
    }))
    .buffer_unordered(LOG_DOWNLOADS_IN_PARALLEL)
    .collect()
    .await;
    let mut excerpts = HashMap::new();
    let mut annotations = HashMap::new();
    let mut unannotated = Vec::new();
    for (job, excerpt, notes) in fetched {
        match &excerpt {
            // Expected while a job runs, and said in the digest: not a reporting failure.
            Err(LogUnavailable::Running) | Ok(_) => {}
            Err(why) => degraded.push(format!("job `{}`: {why}", job.name)),
        }
        match notes {
            Ok(list) => {
                annotations.insert(job.id, list);
            }
            Err(why) => unannotated.push((job.name.as_str(), why)),
        }
        excerpts.insert(job.id, excerpt);
    }
    // One cause (a permission, a limit) usually refuses every job alike: one warning, not one
    // per job.
    if let Some((first, why)) = unannotated.first() {
        let others = match unannotated.len() - 1 {
            0 => String::new(),
            n => format!(" and {n} other job(s)"),
        };
        degraded.push(format!(
            "annotations unavailable for job `{first}`{others}: {why}"
        ));
    }
    (excerpts, annotations)
}

/// Each workflow keeps its own comment: the key is the reported workflow's name.
fn comment_key(config: &Config, digest: &Digest) -> String {
    config
        .comment_key
        .clone()
        .or_else(|| digest.run.workflow.clone())
        .unwrap_or_else(|| "default".into())
}

/// Prints rendered text that carries untrusted log lines. Inside Actions, stdout is scanned for
/// workflow commands, so the text is fenced with `::stop-commands::`.
fn print_untrusted(stdout: &mut dyn Write, config: &Config, text: &str) -> anyhow::Result<()> {
    let text = if config.in_actions {
        publish::commands::fenced(text)
    } else {
        text.to_owned()
    };
    stdout.write_all(text.as_bytes())?;
    Ok(())
}

/// The reporter's own job is still running while it reports: it is not a result, unless one of
/// its steps already failed (the reporter runs as an `if: failure()` step of the failing job),
/// and then it is the very failure to report.
fn is_own_job(job: &Job, config: &Config) -> bool {
    job.status != Some(Status::Completed)
        && config.runner_name.is_some()
        && job.runner_name == config.runner_name
        && !digest::has_failed(job)
}
