//! Delivering the digest, the last stage of a run: printed (text, markdown or JSON on stdout)
//! or published (the step summary, the sticky comment, the step outputs). [`Delivery`] is
//! chosen once, from the configuration (`crate::config`); each way of delivering lives in its
//! own module here. All file I/O and printing of the report is here.

pub mod commands;
pub mod comment;
mod outputs;
mod print;
pub mod sticky;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::config::CommentMode;
use crate::digest::Digest;
use crate::github::GitHub;
use crate::render::Renderer;

pub use outputs::{outputs, JSON_OUTPUT_LIMIT_BYTES};

/// Where the digest goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Printed on stdout; nothing is written or posted. A terminal's default, `--dry-run`,
    /// `--replay` and `--log`.
    Print(Print),
    /// Published: inside Actions, or from a terminal with `--post`.
    Publish(Publish),
}

/// How the digest is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Print {
    /// For people at a terminal (`crate::render::text`), coloured or not.
    Text { color: bool },
    /// The step summary and the comment, as GitHub would render them.
    Markdown,
    /// The digest model, for scripts.
    Json,
}

/// What publishing writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publish {
    /// The step summary (`summary` input), `None` when switched off.
    pub summary: Option<SummaryTo>,
    /// The sticky comment (`comment` input).
    pub comment: CommentMode,
    /// `$GITHUB_OUTPUT`, when the runner gave one.
    pub outputs: Option<PathBuf>,
}

/// Where the step summary goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SummaryTo {
    /// `$GITHUB_STEP_SUMMARY`.
    File(PathBuf),
    /// stdout, when there is no summary file (`--post` on a laptop).
    Stdout(Print),
}

impl Delivery {
    /// Whether this delivery may write the sticky comment: the pull request is then looked up
    /// while gathering, before the logs (the base branch of a fork's PR comes from it).
    pub fn comments(&self) -> bool {
        matches!(self, Delivery::Publish(publish) if publish.comment != CommentMode::Never)
    }
}

/// What delivering needs besides the digest.
pub struct Target<'a> {
    pub renderer: &'a Renderer,
    /// The API, when the run came from it (a replay or a log file posts nothing).
    pub github: Option<&'a GitHub>,
    /// Whether and where to comment, decided while gathering ([`Delivery::comments`]).
    pub plan: Option<comment::Plan>,
    /// The sticky comment's key (the reported workflow's name).
    pub comment_key: String,
    /// stdout is read by the runner for workflow commands: untrusted text is fenced.
    pub in_actions: bool,
}

/// What delivering did, for the outcome.
#[derive(Debug, Default)]
pub struct Delivered {
    pub comment_url: Option<String>,
    /// Parts that could not be delivered (the comment): warnings, not errors.
    pub degraded: Vec<String>,
}

/// Delivers `digest` as `delivery` says.
pub async fn deliver(
    delivery: &Delivery,
    digest: &Digest,
    target: Target<'_>,
    stdout: &mut dyn Write,
) -> anyhow::Result<Delivered> {
    let publish = match delivery {
        Delivery::Print(how) => {
            print::digest(*how, digest, &target, stdout, print::Comment::Preview)?;
            return Ok(Delivered::default());
        }
        Delivery::Publish(publish) => publish,
    };
    match &publish.summary {
        Some(SummaryTo::File(path)) => {
            append(path, &target.renderer.summary(digest)?, "step summary")?
        }
        Some(SummaryTo::Stdout(how)) => {
            print::digest(*how, digest, &target, stdout, print::Comment::Left)?
        }
        None => {}
    }
    let delivered = comment::deliver(digest, target, stdout).await?;
    if let Some(path) = &publish.outputs {
        let text = outputs(digest, delivered.comment_url.as_deref());
        append(path, &text, "output")?;
    }
    Ok(delivered)
}

/// Appends to a file the runner reads after the step (`$GITHUB_STEP_SUMMARY`, `$GITHUB_OUTPUT`).
pub fn append(path: &Path, text: &str, what: &str) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {what} file {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {what} file {}", path.display()))
}
