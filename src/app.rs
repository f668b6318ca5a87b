//! One run of the program: configuration in, report out. The binary and the end-to-end tests
//! both call [`run`], which reads as the run's pipeline:
//!
//! 1. **gather** ([`gather`]): the run's jobs, and what the report needs from around them: the
//!    pull request (when the delivery comments), the base branch's run, passing logs;
//! 2. **analyse** ([`analyse`]): each failed job's log and annotations, the digest, its insights;
//! 3. **diagnose** ([`diagnose`]): what each failure means (a verdict per failed job), and
//!    which lines point into the PR's change, from the analysed report and the evidence the
//!    earlier stages read;
//! 4. **deliver** (`crate::publish`): as the configuration's one [`Delivery`] says.

mod analyse;
mod diagnose;
mod fetch;
mod gather;
mod insights;
mod passing;

use std::io::Write;

use crate::config::Config;
use crate::digest::Digest;
use crate::github::RetryPolicy;
use crate::progress::Progress;
use crate::publish::{self, Target};
use crate::render::Renderer;

pub use analyse::LOG_DOWNLOADS_IN_PARALLEL;

/// What a run produced, for the exit status and the tests.
#[derive(Debug)]
pub struct Outcome {
    pub digest: Digest,
    /// Parts that could not be produced (a log, the comment): `::warning::` lines.
    pub degraded: Vec<String>,
    pub comment_url: Option<String>,
}

/// Produces the report: gather, analyse, diagnose, deliver. `stdout` receives what is printed.
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
    let progress = Progress::new(config.progress);
    let mut gathered = gather::gather(config, retry, &time, &progress).await?;
    let base = gathered.base.take();
    let analysed = analyse::analyse(config, &gathered, base, &time, &progress).await;
    progress.finish();
    let analyse::Analysed {
        mut digest,
        mut degraded,
        evidence,
    } = analysed;
    diagnose::diagnose(
        &mut digest,
        &evidence,
        config,
        &gathered.fetcher,
        gathered.plan.as_ref(),
        &time,
        &mut degraded,
    )
    .await;
    let target = Target {
        renderer: &renderer,
        github: gathered.fetcher.github(),
        plan: gathered.plan,
        comment_key: comment_key(config, &digest),
        in_actions: config.in_actions,
    };
    let delivered = publish::deliver(&config.delivery, &digest, target, stdout).await?;
    degraded.extend(delivered.degraded);
    Ok(Outcome {
        digest,
        degraded,
        comment_url: delivered.comment_url,
    })
}

/// Each workflow keeps its own comment: the key is the reported workflow's name.
fn comment_key(config: &Config, digest: &Digest) -> String {
    config
        .comment_key
        .clone()
        .or_else(|| digest.run.workflow.clone())
        .unwrap_or_else(|| "default".into())
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
