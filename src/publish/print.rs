//! The printed delivery: the digest on stdout as text, markdown or JSON.
//!
//! Inside Actions stdout is scanned for workflow commands, so text that carries untrusted log
//! lines is fenced with `::stop-commands::`; on a terminal, the text format has already replaced
//! every control character a log could use to drive the terminal (`crate::render::text`).

use std::io::Write;

use super::{commands, Print, Target};
use crate::digest::Digest;
use crate::render::text;

/// Whether the markdown print shows the comment after the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Comment {
    /// Printed under `----- comment -----`: what would be posted.
    Preview,
    /// Not printed: it is being posted.
    Left,
}

pub(super) fn digest(
    how: Print,
    digest: &Digest,
    target: &Target<'_>,
    stdout: &mut dyn Write,
    comment: Comment,
) -> anyhow::Result<()> {
    let untrusted = |stdout: &mut dyn Write, text: &str| untrusted(stdout, target, text);
    match how {
        Print::Json => untrusted(stdout, &(serde_json::to_string_pretty(digest)? + "\n")),
        Print::Text { color } => untrusted(stdout, &text::render(digest, color)),
        Print::Markdown => {
            untrusted(stdout, &target.renderer.summary(digest)?)?;
            if comment == Comment::Preview {
                let body = target.renderer.comment(digest, &target.comment_key)?;
                writeln!(stdout, "\n----- comment -----")?;
                untrusted(stdout, &body)?;
            }
            Ok(())
        }
    }
}

/// Prints rendered text that carries untrusted log lines, fenced inside Actions.
fn untrusted(stdout: &mut dyn Write, target: &Target<'_>, text: &str) -> anyhow::Result<()> {
    let text = match target.in_actions {
        true => commands::fenced(text),
        false => text.to_owned(),
    };
    stdout.write_all(text.as_bytes())?;
    Ok(())
}
