//! One job's log file read from disk (`--log FILE`, with `--green-log FILE`): a digest of any
//! CI's log, with no network and no API shapes around it.
//!
//! The file stands for one failed job named after it, with no steps: the whole log is the
//! failing step's output. Lines are numbered as an editor numbers them (a lone `\r` ends a
//! line), so an excerpt's `line_number` is the line a reader finds in the file.

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::github::models::{Conclusion, Job, Status};
use crate::github::LogUnavailable;
use crate::replay::stream_file;

#[derive(Debug)]
pub struct LogFiles {
    log: PathBuf,
    green: Option<PathBuf>,
}

impl LogFiles {
    /// Checks that both files can be read, so a typo stops the run with its name.
    pub fn open(log: &Path, green: Option<&Path>) -> anyhow::Result<LogFiles> {
        readable(log, "--log")?;
        if let Some(green) = green {
            readable(green, "--green-log")?;
        }
        Ok(LogFiles {
            log: log.to_owned(),
            green: green.map(Path::to_owned),
        })
    }

    /// The file's name, which names the job and the report.
    pub fn name(&self) -> String {
        file_name(&self.log)
    }

    /// The one failed job the file stands for.
    pub fn job(&self) -> Job {
        Job {
            id: 1,
            run_id: None,
            run_attempt: None,
            name: self.name(),
            workflow_name: None,
            head_branch: None,
            head_sha: None,
            html_url: None,
            run_url: None,
            check_run_url: None,
            status: Some(Status::Completed),
            conclusion: Some(Conclusion::Failure),
            started_at: None,
            completed_at: None,
            runner_name: None,
            steps: Vec::new(),
        }
    }

    pub fn stream_log(&self, sink: impl FnMut(&[u8])) -> Result<(), LogUnavailable> {
        stream(&self.log, sink)
    }

    /// Streams the passing log, if one was given.
    pub fn stream_green(&self, sink: impl FnMut(&[u8])) -> Option<Result<(), LogUnavailable>> {
        self.green.as_deref().map(|path| stream(path, sink))
    }

    /// The passing log's name, for the digest's note.
    pub fn green_name(&self) -> Option<String> {
        self.green.as_deref().map(file_name)
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .unwrap_or(path.as_os_str())
        .to_string_lossy()
        .into_owned()
}

fn readable(path: &Path, flag: &str) -> anyhow::Result<()> {
    let meta = std::fs::metadata(path)
        .with_context(|| format!("{flag} {}: cannot read the file", path.display()))?;
    anyhow::ensure!(
        meta.is_file(),
        "{flag} {}: not a file (give the path of one job's log)",
        path.display()
    );
    Ok(())
}

fn stream(path: &Path, sink: impl FnMut(&[u8])) -> Result<(), LogUnavailable> {
    let file =
        File::open(path).map_err(|e| LogUnavailable::Failed(format!("{}: {e}", path.display())))?;
    stream_file(file, path, sink)
}
