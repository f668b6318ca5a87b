//! The analyse stage: each explained job's log excerpt and annotations, fetched in parallel;
//! the digest built from them; its insights (flaky jobs, the base comparison, error groups).

use std::collections::HashMap;

use futures_util::stream::{self, StreamExt};

use super::fetch::Fetcher;
use super::gather::Gathered;
use super::insights::{self, BaseLookup};
use super::passing::PassingJob;
use super::TimeLimits;
use crate::config::Config;
use crate::digest::{self, Digest, RunData};
use crate::github::models::{Annotation, Job};
use crate::github::{ApiError, LogUnavailable};
use crate::insights::Evidence;
use crate::logs::{ExcerptOptions, JobExcerpt};
use crate::progress::Progress;

/// Logs downloaded at once: enough to hide a slow blob host, few enough to stay polite.
pub const LOG_DOWNLOADS_IN_PARALLEL: usize = 6;

/// The digest, and what could not be produced for it.
pub(super) struct Analysed {
    pub digest: Digest,
    /// Parts that could not be produced (a log, annotations, an insight): warnings.
    pub degraded: Vec<String>,
    /// What the insights looked up (earlier attempts, the base run), for the diagnosis.
    pub evidence: Evidence,
}

/// `base`: the base branch's run as gathered (taken out of `gathered`, the insights own it).
pub(super) async fn analyse(
    config: &Config,
    gathered: &Gathered,
    base: Option<Result<BaseLookup, ApiError>>,
    time: &TimeLimits,
    progress: &Progress,
) -> Analysed {
    let mut degraded = Vec::new();
    let fetcher = &gathered.fetcher;
    let (excerpts, annotations) = explain_failures(
        fetcher,
        &gathered.jobs,
        &gathered.passing,
        config,
        time,
        progress,
        &mut degraded,
    )
    .await;
    let mut digest = Digest::build(RunData {
        run: gathered.run.clone(),
        server_url: config.server_url.clone(),
        jobs: gathered.jobs.clone(),
        excerpts,
        annotations,
        passing_logs: gathered
            .passing
            .iter()
            .map(|(id, p)| (*id, p.log.clone()))
            .collect(),
    });
    digest.log_file = fetcher.log_file_name();
    let evidence = insights::add(&mut digest, fetcher, config, base, &mut degraded).await;
    Analysed {
        digest,
        degraded,
        evidence,
    }
}

/// How every excerpt of the run is cut, the base branch's included.
pub(super) fn excerpt_options(config: &Config, fetcher: &Fetcher) -> ExcerptOptions {
    ExcerptOptions {
        max_lines: config.max_lines,
        // A file from any CI is numbered as its reader's editor numbers it.
        lone_cr_ends_line: matches!(fetcher, Fetcher::LogFile(_)),
        ..ExcerptOptions::default()
    }
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
    progress: &Progress,
    degraded: &mut Vec<String>,
) -> (Excerpts, HashMap<u64, Vec<Annotation>>) {
    let explained: Vec<&Job> = digest::explained(jobs).collect();
    progress.reading_logs(explained.len());
    let options = excerpt_options(config, fetcher);
    let fetched: Vec<_> = stream::iter(explained.into_iter().map(|job| {
        let options = &options;
        async move {
            let excerpt = fetcher
                .excerpt(job, passing.get(&job.id), options, time, progress)
                .await;
            let notes = fetcher.annotations(job).await;
            progress.log_read();
            (job, excerpt, notes)
        }
    }))
    .buffer_unordered(LOG_DOWNLOADS_IN_PARALLEL)
    .collect()
    .await;
    let mut excerpts = HashMap::new();
    let mut annotations = HashMap::new();
    let mut unannotated = Vec::new();
    for (job, excerpt, notes) in fetched {
        let name = digest::shown_name(&job.name);
        match &excerpt {
            // Expected while a job runs, and said in the digest: not a reporting failure.
            Err(LogUnavailable::Running) | Ok(_) => {}
            Err(why) => degraded.push(format!("job `{name}`: {why}")),
        }
        match notes {
            Ok(list) => {
                annotations.insert(job.id, list);
            }
            Err(why) => unannotated.push((name, why)),
        }
        excerpts.insert(job.id, excerpt);
    }
    // One cause (a permission, a limit) usually refuses every job alike: one warning, not one
    // per job.
    if let Some((first, why)) = unannotated.first() {
        let others = match unannotated.len() - 1 {
            0 => String::new(),
            n => format!(" and {}", digest::count(n as u64, "other job")),
        };
        degraded.push(format!(
            "annotations unavailable for job `{first}`{others}: {why}"
        ));
    }
    (excerpts, annotations)
}
