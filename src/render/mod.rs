//! Renders the digest to markdown with Handlebars, within GitHub's size limits (pure: no I/O).
//!
//! Escaping is markdown-aware by default: `{{name}}` in any template (ours or a user's) is safe
//! for untrusted text. Log excerpts are fenced by the `code` helper; links by the `link` helper.

pub mod budget;
pub mod markdown;
mod partials;
pub mod stamp;
pub mod text;

use std::path::PathBuf;

use anyhow::Context;
use handlebars::Handlebars;

use crate::digest::Digest;
pub use stamp::Stamp;

/// GitHub rejects a step summary over 1 MiB whole.
pub const SUMMARY_LIMIT_BYTES: usize = 1_048_576;
/// GitHub answers 422 to a comment body over 65,536 characters.
pub const COMMENT_LIMIT_CHARS: usize = 65_536;

/// The comment shows only the key lines; the summary has the rest.
const COMMENT_EXCERPT_LINES: usize = 12;

const SUMMARY: &str = "summary";
const COMMENT: &str = "comment";
const DEFAULT_SUMMARY: &str = include_str!("../../templates/summary.md.hbs");
const DEFAULT_COMMENT: &str = include_str!("../../templates/comment.md.hbs");

pub struct Renderer {
    hb: Handlebars<'static>,
}

impl Renderer {
    /// Registers the templates, built-in or custom; a syntax error names the file, line and
    /// column, before any API call is made.
    pub fn new(
        summary: Option<&(PathBuf, String)>,
        comment: Option<&(PathBuf, String)>,
    ) -> anyhow::Result<Renderer> {
        let mut hb = Handlebars::new();
        markdown::configure(&mut hb);
        register(
            &mut hb,
            SUMMARY,
            summary,
            DEFAULT_SUMMARY,
            "summary-template",
        )?;
        register(
            &mut hb,
            COMMENT,
            comment,
            DEFAULT_COMMENT,
            "comment-template",
        )?;
        let text = |custom: Option<&(PathBuf, String)>, default: &'static str| {
            custom.map_or(default.to_owned(), |(_, text)| text.clone())
        };
        let (summary_text, comment_text) = (
            text(summary, DEFAULT_SUMMARY),
            text(comment, DEFAULT_COMMENT),
        );
        if let Some(cycle) = partials::cycle(&[(SUMMARY, &summary_text), (COMMENT, &comment_text)])
        {
            anyhow::bail!(
                "the custom templates' partials include each other without end ({cycle}): \
                 break the cycle in `summary-template` / `comment-template`"
            );
        }
        Ok(Renderer { hb })
    }

    /// The step summary, fitted to [`SUMMARY_LIMIT_BYTES`].
    pub fn summary(&self, digest: &Digest) -> anyhow::Result<String> {
        budget::fit(digest, budget::Limit::Bytes(SUMMARY_LIMIT_BYTES), |d| {
            self.render(SUMMARY, d)
        })
    }

    /// The comment body: the sticky marker on the first line, the run's [`Stamp`] on the
    /// second (a log file has no run to stamp), then the template, fitted to
    /// [`COMMENT_LIMIT_CHARS`].
    pub fn comment(&self, digest: &Digest, key: &str) -> anyhow::Result<String> {
        let mut compact = digest.clone();
        compact.cap_excerpts(COMMENT_EXCERPT_LINES);
        let digest = &compact;
        let head = match digest.log_file {
            Some(_) => marker(key),
            None => format!("{}\n{}", marker(key), Stamp::of(&digest.run).line()),
        };
        let room = COMMENT_LIMIT_CHARS - head.chars().count() - 1;
        let body = budget::fit(digest, budget::Limit::Chars(room), |d| {
            self.render(COMMENT, d)
        })?;
        Ok(format!("{head}\n{body}"))
    }

    fn render(&self, name: &str, digest: &Digest) -> anyhow::Result<String> {
        self.hb
            .render(name, digest)
            .with_context(|| format!("rendering the {name} template failed"))
    }
}

fn register(
    hb: &mut Handlebars<'static>,
    name: &str,
    custom: Option<&(PathBuf, String)>,
    default: &str,
    input: &str,
) -> anyhow::Result<()> {
    match custom {
        Some((path, text)) => hb.register_template_string(name, text).map_err(|e| {
            anyhow::anyhow!(
                "input `{input}`: {} has a template error{}: {}",
                path.display(),
                match e.pos() {
                    Some((line, column)) => format!(" at line {line}, column {column}"),
                    None => String::new(),
                },
                e.reason()
            )
        }),
        None => hb
            .register_template_string(name, default)
            .context("the built-in template does not parse (a bug)"),
    }
}

/// The hidden first line that finds a comment again: `<!-- failure-digest:KEY -->`.
///
/// The key (a workflow's name, untrusted) is written injectively, so distinct names never share
/// a comment (`CI` and `CI `, `pre-commit` and `precommit`, `<CI>` and `CI`): letters, digits,
/// `_` and `.` as they are, every other byte as `%XX`. No name can close the HTML comment (`-`
/// and `>` are encoded). A long name keeps its first 100 characters and a fingerprint of the
/// whole, so the line stays short and two long names still differ.
pub fn marker(key: &str) -> String {
    const SHOWN: usize = 100;
    let shown: String = key.chars().take(SHOWN).collect();
    // Not `-` (it could close the HTML comment) nor `~` (the fingerprint's separator).
    let mut encoded = crate::percent::encode(&shown, |byte| {
        byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'.')
    });
    if shown.len() < key.len() {
        encoded.push_str(&format!("~{:016x}", fnv1a(key.as_bytes())));
    }
    format!("<!-- failure-digest:{encoded} -->")
}

/// FNV-1a, 64 bits: stable across Rust releases and platforms (std's hasher promises neither),
/// which a marker written by one release and read by the next needs.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
pub(crate) mod tests;
