//! Where the digest goes, decided once from the flags, the environment and which streams are
//! terminals: the one place that knows the read-only default of a terminal.

use std::path::PathBuf;

use super::inputs::{bool_input, var};
use super::{CommentMode, Env, Terminal};
use crate::cli::{Cli, ColorChoice, Format};
use crate::publish::{Delivery, Print, Publish, SummaryTo};

/// Where the digest goes. From a terminal the program only reads and prints, unless `--post`:
/// a pasted URL must not comment on a colleague's pull request under your name. Inside Actions
/// it publishes, as it always has (`--dry-run`, and `--format json` alone, print instead).
pub(super) fn choose(
    cli: &Cli,
    env: Env,
    terminal: Terminal,
    in_actions: bool,
    comment: CommentMode,
) -> anyhow::Result<Delivery> {
    let print = match cli.format {
        Some(Format::Json) => Print::Json,
        Some(Format::Markdown) => Print::Markdown,
        Some(Format::Text) => Print::Text {
            color: color(cli.color, env, terminal, in_actions),
        },
        None if terminal.stdout && !in_actions => Print::Text {
            color: color(cli.color, env, terminal, in_actions),
        },
        None => Print::Markdown,
    };
    let only_json = in_actions && cli.format == Some(Format::Json) && !cli.post;
    if cli.dry_run || cli.is_offline() || (!in_actions && !cli.post) || only_json {
        return Ok(Delivery::Print(print));
    }
    let summary =
        bool_input(env, "summary", true)?.then(|| match var(env, "GITHUB_STEP_SUMMARY") {
            Some(path) => SummaryTo::File(PathBuf::from(path)),
            None => SummaryTo::Stdout(print),
        });
    Ok(Delivery::Publish(Publish {
        summary,
        comment,
        outputs: var(env, "GITHUB_OUTPUT").map(PathBuf::from),
    }))
}

/// Colour for the text format: `--color always|never`, else only on a terminal outside
/// Actions, and not when NO_COLOR is set to anything (no-color.org) or TERM is `dumb`.
fn color(choice: ColorChoice, env: Env, terminal: Terminal, in_actions: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            terminal.stdout
                && !in_actions
                && var(env, "NO_COLOR").is_none()
                && var(env, "TERM").as_deref() != Some("dumb")
        }
    }
}
