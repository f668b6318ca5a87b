//! The Actions endpoints: jobs of a run attempt, a job's log as a byte stream, annotations.

use http::Method;
use http_body_util::BodyExt;

use super::client::{GitHub, Idempotence, Reading};
use super::error::ApiError;
use super::models::{Annotation, Job};

/// GitHub caps a page at 100; asking for fewer only costs more requests.
pub(super) const PER_PAGE: u32 = 100;
/// A run holds at most a few thousand jobs; this bounds a misbehaving `Link` chain.
pub(super) const MAX_JOB_PAGES: usize = 50;

/// Downloads of one log before giving up on a connection that keeps breaking off.
const MAX_LOG_DOWNLOADS: u32 = 3;

/// Why a job's log could not be read. Degraded, not fatal: the digest says so.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "reason", content = "detail")]
pub enum LogUnavailable {
    /// 404: the job is still running, or its log is not uploaded yet.
    NotYet,
    /// The jobs API shows the job running: GitHub serves its log once it ends, so none was asked.
    Running,
    /// 410: the log is past the repository's retention period.
    Expired,
    /// Anything else (403 without `actions: read`, the blob host failing mid-stream …).
    Failed(String),
}

impl std::fmt::Display for LogUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogUnavailable::NotYet => {
                write!(f, "the log is not available yet (job still running?)")
            }
            LogUnavailable::Running => write!(
                f,
                "the job is still running, and GitHub serves its log only once it ends; for the \
                 excerpt, report from a job that runs after it (README, \"In the failing job \
                 itself\")"
            ),
            LogUnavailable::Expired => write!(f, "the log has expired (past the retention period)"),
            LogUnavailable::Failed(why) => write!(f, "the log could not be downloaded: {why}"),
        }
    }
}

impl GitHub {
    /// `…/runs/{id}/jobs` with `filter` `latest` (the latest attempt) or `all` (every attempt).
    pub(super) fn run_jobs_route(&self, run_id: u64, filter: &str) -> String {
        self.repo_route(&format!(
            "/actions/runs/{run_id}/jobs?filter={filter}&per_page={PER_PAGE}"
        ))
    }

    /// Every job of one run attempt, or of the latest attempt when `attempt` is `None`.
    pub async fn list_jobs(&self, run_id: u64, attempt: Option<u32>) -> Result<Vec<Job>, ApiError> {
        let route = match attempt {
            Some(n) => self.repo_route(&format!(
                "/actions/runs/{run_id}/attempts/{n}/jobs?per_page={PER_PAGE}"
            )),
            None => self.run_jobs_route(run_id, "latest"),
        };
        self.get_all_pages_by_id("listing the run's jobs", &route, MAX_JOB_PAGES, job_id)
            .await
            .map_err(|e| {
                let hint = match e.status_code() {
                    Some(401) => "The token is invalid or expired: pass a valid `github-token` (the default `${{ github.token }}` works inside a workflow)".to_owned(),
                    Some(403) => "The token may not read Actions data: add `permissions: actions: read` to the job (or the workflow)".to_owned(),
                    Some(404) => format!(
                        "No run {run_id}{} in {}: check `run-id`/`run-attempt` and GITHUB_REPOSITORY (a private repository also answers 404 to a token without access)",
                        attempt.map(|a| format!(" attempt {a}")).unwrap_or_default(),
                        self.repo
                    ),
                    _ => return e,
                };
                e.with_hint(hint)
            })
    }

    /// One job (`GET …/actions/jobs/{id}`), for digesting a single job.
    pub async fn get_job(&self, job_id: u64) -> Result<Job, ApiError> {
        let route = self.repo_route(&format!("/actions/jobs/{job_id}"));
        self.get_json("reading the job", &route).await.map_err(|e| {
            e.hint_for(
                &[404],
                format!("No job {job_id} in {}: check the URL", self.repo),
            )
        })
    }

    /// Streams a job's log into `sink`, chunk by chunk, never holding the whole log.
    ///
    /// The API answers with a 302 to a short-lived URL on another host; octocrab's
    /// `follow-redirect` layer follows it without forwarding the `Authorization` header. Three
    /// faults there are GitHub's, not the user's, and are tried once more: a storage host that
    /// refuses the link (an expired signature) gets a fresh link from the API; a download that
    /// breaks off is downloaded again; and a download that sends no byte for
    /// [`RetryPolicy::log_stall`](super::RetryPolicy) (30 s) resumes once. A download after
    /// the first asks only for the bytes `sink` lacks (`Range`), and skips them itself when the
    /// host sends the whole log anyway.
    pub async fn stream_job_log(
        &self,
        job_id: u64,
        mut sink: impl FnMut(&[u8]),
    ) -> Result<(), LogUnavailable> {
        let route = self.repo_route(&format!("/actions/jobs/{job_id}/logs"));
        let mut delivered: usize = 0;
        let mut asked_fresh_link = false;
        let mut stalled = false;
        let mut downloads = 0;
        loop {
            downloads += 1;
            let from = delivered as u64;
            let reading = Reading::Streamed { from };
            let operation = "downloading a job log";
            let response = match self
                .send(
                    operation,
                    Method::GET,
                    &route,
                    None,
                    Idempotence::Repeatable,
                    reading,
                )
                .await
            {
                Ok(response) => response,
                Err(e) if e.answered_by.is_some() && e.refused(403) && !asked_fresh_link => {
                    tracing::info!(
                        "downloading a job log: the storage host refused the download link \
                         (expired?); asking the API for a fresh one"
                    );
                    asked_fresh_link = true;
                    continue;
                }
                // Everything was delivered before the stall: the host has nothing more.
                Err(e) if e.refused(416) && from > 0 => return Ok(()),
                Err(e) if e.is_stall() && !stalled => {
                    stalled = true;
                    tracing::info!("{e}; asking again from byte {delivered}");
                    continue;
                }
                Err(e) if e.is_stall() => return Err(stalled_twice(delivered, self.log_stall())),
                Err(e) => return Err(unavailable(e)),
            };
            // 206: the host sent only what was asked for; 200: the whole log again.
            let mut already_had = match response.status() {
                http::StatusCode::PARTIAL_CONTENT => 0,
                _ => delivered,
            };
            let mut body = response.into_body();
            let broke_off = loop {
                let frame = tokio::time::timeout(self.log_stall(), body.frame()).await;
                match frame {
                    Err(_) if stalled => return Err(stalled_twice(delivered, self.log_stall())),
                    Err(_) => {
                        stalled = true;
                        tracing::info!(
                            "downloading a job log: no byte for {}s after {delivered} bytes; \
                             asking again from there",
                            self.log_stall().as_secs_f32().ceil()
                        );
                        break None;
                    }
                    Ok(None) => return Ok(()),
                    Ok(Some(Err(e))) => break Some(e),
                    Ok(Some(Ok(frame))) => {
                        let Some(data) = frame.data_ref() else {
                            continue;
                        };
                        let skip = already_had.min(data.len());
                        already_had -= skip;
                        delivered += data.len() - skip;
                        sink(&data[skip..]);
                    }
                }
            };
            let Some(broke_off) = broke_off else {
                continue;
            };
            if downloads >= MAX_LOG_DOWNLOADS {
                return Err(LogUnavailable::Failed(format!(
                    "the download broke off after {delivered} bytes, {downloads} times: {broke_off:#}"
                )));
            }
            tracing::info!(
                "downloading a job log: the connection broke off after {delivered} bytes \
                 ({broke_off:#}); downloading it again"
            );
        }
    }

    /// The annotations of a check run (a job's `check_run_url` ends with its id).
    pub async fn annotations(&self, check_run_id: u64) -> Result<Vec<Annotation>, ApiError> {
        let route = self.repo_route(&format!(
            "/check-runs/{check_run_id}/annotations?per_page={PER_PAGE}"
        ));
        self.get_all_pages("listing annotations", &route, 3)
            .await
            .map_err(|e| e.hint_for(&[403], "The token may not read check runs: add `permissions: checks: read` to the reporting job"))
    }
}

/// A job's id, for listings that drop a job an earlier page already gave.
pub(super) fn job_id(job: &Job) -> Option<u64> {
    Some(job.id)
}

/// A download that stalled, resumed, and stalled again: the job goes on without its excerpt.
fn stalled_twice(delivered: usize, stall: std::time::Duration) -> LogUnavailable {
    LogUnavailable::Failed(format!(
        "the download stalled twice (no byte for {}s, the second time after resuming at byte \
         {delivered}); the report went on without it",
        stall.as_secs_f32().ceil()
    ))
}

/// What a refused log download means for the reader. A rate limit explains itself; a refusal
/// from the storage host is not about the token, which never went there.
fn unavailable(error: ApiError) -> LogUnavailable {
    if error.rate_limit.is_some() {
        return LogUnavailable::Failed(error.to_string());
    }
    if let Some(host) = &error.answered_by {
        let status = error.status_code().unwrap_or_default();
        let why = if status == 403 {
            " (its signature may have expired)"
        } else {
            ""
        };
        return LogUnavailable::Failed(format!(
            "the log's storage host {host} answered HTTP {status} to the download link GitHub \
             gave{why}, and to a fresh link too. The token is not sent there, so this is not a \
             permission to add: re-run the report"
        ));
    }
    match error.status_code() {
        Some(404) => LogUnavailable::NotYet,
        Some(410) => LogUnavailable::Expired,
        Some(403) => LogUnavailable::Failed(format!(
            "{error}; the token needs `permissions: actions: read`"
        )),
        _ => LogUnavailable::Failed(error.to_string()),
    }
}
