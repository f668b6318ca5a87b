//! A recorded run on disk, read with no network (`--replay DIR`).
//!
//! Layout, in GitHub's own response shapes so a recording is just saved API answers:
//! - `jobs.json`: the body of `GET …/runs/{id}/attempts/{n}/jobs` (`{"jobs": [...]}`, or a bare array)
//! - `logs/<job id>.log`: a job's raw log (absent: shown as "not available")
//! - `annotations/<job id>.json`: the job's check-run annotations (optional)
//! - `run.json`: optional `{"repository": "o/r", "workflow": "CI", "server_url": "…"}`
//!
//! and, optionally, what the insights and the diagnosis would have looked up:
//! - `attempts.json`: the jobs of every attempt (`GET …/runs/{id}/jobs?filter=all`), read on an
//!   attempt after the first;
//! - `base/run.json` and `base/jobs.json`: the base branch's latest completed run (`GET
//!   …/actions/runs/{id}`, its `head_branch` the base branch) and its jobs; `base/logs/<job
//!   id>.log`, a base job's log;
//! - `pull-files.json`: the pull request's changed files (`GET …/pulls/{number}/files`, the
//!   pages joined in one array).

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::github::models::{Annotation, Job, JobsPage, PullFile};
use crate::github::runs::WorkflowRun;
use crate::github::LogUnavailable;
use crate::insights::BaseEvidence;

pub struct Recording {
    dir: PathBuf,
    pub jobs: Vec<Job>,
    pub meta: RecordedRun,
    pub every_attempt: Option<Vec<Job>>,
    pub base: Option<BaseEvidence>,
    pub pull_files: Option<Vec<PullFile>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct RecordedRun {
    #[serde(default)]
    pub repository: Option<String>,
    #[serde(default)]
    pub workflow: Option<String>,
    #[serde(default)]
    pub server_url: Option<String>,
}

impl Recording {
    pub fn open(dir: &Path) -> anyhow::Result<Recording> {
        let jobs_path = dir.join("jobs.json");
        let text = std::fs::read_to_string(&jobs_path).with_context(|| {
            format!("--replay {}: cannot read {} (a recorded run needs jobs.json and logs/<job id>.log)", dir.display(), jobs_path.display())
        })?;
        let jobs = jobs_of(&text, &jobs_path)?;
        let meta = match std::fs::read_to_string(dir.join("run.json")) {
            Ok(text) => {
                serde_json::from_str(&text).context("run.json in the recording is not valid")?
            }
            Err(_) => RecordedRun::default(),
        };
        let every_attempt = optional(&dir.join("attempts.json"), jobs_of)?;
        let base = match optional(&dir.join("base/run.json"), |text, path| {
            serde_json::from_str::<WorkflowRun>(text)
                .with_context(|| format!("{} is not a workflow run", path.display()))
        })? {
            Some(run) => Some(base_evidence(dir, run)?),
            None => None,
        };
        let pull_files = optional(&dir.join("pull-files.json"), |text, path| {
            serde_json::from_str(text)
                .with_context(|| format!("{} is not a list of changed files", path.display()))
        })?;
        Ok(Recording {
            dir: dir.to_owned(),
            jobs,
            meta,
            every_attempt,
            base,
            pull_files,
        })
    }

    /// Streams a recorded log in fixed chunks, exactly as a download would arrive.
    /// A base job's log is looked for in `base/logs/`.
    pub fn stream_job_log(
        &self,
        job_id: u64,
        sink: impl FnMut(&[u8]),
    ) -> Result<(), LogUnavailable> {
        let name = format!("{job_id}.log");
        let path = self.dir.join("logs").join(&name);
        let path = match path.exists() {
            true => path,
            false => self.dir.join("base/logs").join(&name),
        };
        let file = std::fs::File::open(&path).map_err(|_| LogUnavailable::NotYet)?;
        stream_file(file, &path, sink)
    }

    pub fn annotations(&self, job_id: u64) -> Vec<Annotation> {
        std::fs::read_to_string(self.dir.join("annotations").join(format!("{job_id}.json")))
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }
}

/// A jobs page, or a bare list of jobs.
fn jobs_of(text: &str, path: &Path) -> anyhow::Result<Vec<Job>> {
    match serde_json::from_str::<JobsPage>(text) {
        Ok(page) => Ok(page.jobs),
        Err(_) => serde_json::from_str::<Vec<Job>>(text).with_context(|| {
            format!(
                "{} is neither a jobs page nor a list of jobs",
                path.display()
            )
        }),
    }
}

/// A file the recording may hold, read with `parse`; `None` when it does not.
fn optional<T>(
    path: &Path,
    parse: impl FnOnce(&str, &Path) -> anyhow::Result<T>,
) -> anyhow::Result<Option<T>> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The recorded base run as the insights see it: its branch is the run's `head_branch`.
fn base_evidence(dir: &Path, run: WorkflowRun) -> anyhow::Result<BaseEvidence> {
    let jobs_path = dir.join("base/jobs.json");
    let text = std::fs::read_to_string(&jobs_path).with_context(|| {
        format!(
            "the recording has base/run.json but cannot read {}",
            jobs_path.display()
        )
    })?;
    Ok(BaseEvidence {
        branch: run
            .head_branch
            .clone()
            .context("base/run.json names no head_branch: the base branch")?,
        run_id: run.id.unwrap_or_default(),
        run_number: run.run_number,
        url: run.html_url,
        conclusion: run.conclusion,
        head_sha: run.head_sha,
        jobs: jobs_of(&text, &jobs_path)?,
    })
}

/// Streams an open file in fixed chunks, as a download would arrive: never the whole file.
pub fn stream_file(
    mut file: std::fs::File,
    path: &Path,
    mut sink: impl FnMut(&[u8]),
) -> Result<(), LogUnavailable> {
    let mut buffer = vec![0; 64 * 1024];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => sink(&buffer[..n]),
            Err(e) => return Err(LogUnavailable::Failed(format!("{}: {e}", path.display()))),
        }
    }
}
