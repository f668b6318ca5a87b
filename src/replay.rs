//! A recorded run on disk, read with no network (`--replay DIR`).
//!
//! Layout, in GitHub's own response shapes so a recording is just saved API answers:
//! - `jobs.json`: the body of `GET …/runs/{id}/attempts/{n}/jobs` (`{"jobs": [...]}`, or a bare array)
//! - `logs/<job id>.log`: a job's raw log (absent: shown as "not available")
//! - `annotations/<job id>.json`: the job's check-run annotations (optional)
//! - `run.json`: optional `{"repository": "o/r", "workflow": "CI", "server_url": "…"}`

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::github::models::{Annotation, Job, JobsPage};
use crate::github::LogUnavailable;

pub struct Recording {
    dir: PathBuf,
    pub jobs: Vec<Job>,
    pub meta: RecordedRun,
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
        let jobs = match serde_json::from_str::<JobsPage>(&text) {
            Ok(page) => page.jobs,
            Err(_) => serde_json::from_str::<Vec<Job>>(&text).with_context(|| {
                format!(
                    "{} is neither a jobs page nor a list of jobs",
                    jobs_path.display()
                )
            })?,
        };
        let meta = match std::fs::read_to_string(dir.join("run.json")) {
            Ok(text) => {
                serde_json::from_str(&text).context("run.json in the recording is not valid")?
            }
            Err(_) => RecordedRun::default(),
        };
        Ok(Recording {
            dir: dir.to_owned(),
            jobs,
            meta,
        })
    }

    /// Streams a recorded log in fixed chunks, exactly as a download would arrive.
    pub fn stream_job_log(
        &self,
        job_id: u64,
        sink: impl FnMut(&[u8]),
    ) -> Result<(), LogUnavailable> {
        let path = self.dir.join("logs").join(format!("{job_id}.log"));
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
