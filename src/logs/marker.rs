//! Recognising the runner's `##[…]` markers and step-boundary lines.
//!
//! Pure: no I/O. Works on the raw line (after the timestamp), where the runner
//! writes its markers at the very start.

use super::patterns::{is_generic_exit_error, is_step_ending_error};
use super::steps::Hint;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker<'a> {
    /// `##[group]Run …`: the header of a step; carries the text after `##[group]`.
    RunHeader(&'a [u8]),
    /// `##[endgroup]`
    EndGroup,
    /// `##[error]…`
    Error {
        rest: &'a [u8],
        generic: bool,
        ends_step: bool,
    },
    /// `##[warning]…`
    Warning(&'a [u8]),
    /// Any other marker (`##[group]` of a user group, `##[command]`, `##[debug]`, …): its text.
    Other(&'a [u8]),
    /// An ordinary line, with what it says about step boundaries.
    Text(TextHint),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextHint {
    PostCleanup,
    PrepareActions,
    CleanupOrphans,
    None,
}

impl<'a> Marker<'a> {
    pub fn parse(raw: &'a [u8]) -> Marker<'a> {
        let Some(after) = raw.strip_prefix(b"##[") else {
            return Marker::Text(match raw {
                b"Post job cleanup." => TextHint::PostCleanup,
                b"Prepare all required actions" => TextHint::PrepareActions,
                b"Cleaning up orphan processes" => TextHint::CleanupOrphans,
                _ => TextHint::None,
            });
        };
        let Some(close) = memchr::memchr(b']', after) else {
            return Marker::Text(TextHint::None);
        };
        let (name, rest) = (&after[..close], &after[close + 1..]);
        match name {
            b"group" if rest.starts_with(b"Run ") => Marker::RunHeader(rest),
            b"endgroup" => Marker::EndGroup,
            b"error" => Marker::Error {
                rest,
                generic: is_generic_exit_error(rest),
                ends_step: is_step_ending_error(rest),
            },
            b"warning" => Marker::Warning(rest),
            n if n.len() <= 16 && n.iter().all(u8::is_ascii_alphabetic) => Marker::Other(rest),
            _ => Marker::Text(TextHint::None),
        }
    }

    pub fn hint(&self) -> Hint<'a> {
        match *self {
            Marker::RunHeader(title) => Hint::RunHeader(title),
            Marker::Error {
                ends_step: true, ..
            } => Hint::StepEndingError,
            Marker::Text(TextHint::PostCleanup) => Hint::PostCleanup,
            Marker::Text(TextHint::PrepareActions) => Hint::PrepareActions,
            Marker::Text(TextHint::CleanupOrphans) => Hint::CleanupOrphans,
            _ => Hint::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_markers() {
        assert_eq!(
            Marker::parse(b"##[group]Run cargo test"),
            Marker::RunHeader(b"Run cargo test")
        );
        assert_eq!(Marker::parse(b"##[group]Build"), Marker::Other(b"Build"));
        assert_eq!(Marker::parse(b"##[endgroup]"), Marker::EndGroup);
        assert!(matches!(
            Marker::parse(b"##[error]Process completed with exit code 1."),
            Marker::Error {
                generic: true,
                ends_step: true,
                ..
            }
        ));
        assert!(matches!(
            Marker::parse(b"##[error]src/lib.rs:1: nope"),
            Marker::Error {
                generic: false,
                ends_step: false,
                ..
            }
        ));
        assert_eq!(
            Marker::parse(b"##[warning]careful"),
            Marker::Warning(b"careful")
        );
        assert_eq!(
            Marker::parse(b"##[not a marker"),
            Marker::Text(TextHint::None)
        );
        assert_eq!(
            Marker::parse(b"Post job cleanup."),
            Marker::Text(TextHint::PostCleanup)
        );
        assert_eq!(
            Marker::parse(b"  ##[error]indented is text"),
            Marker::Text(TextHint::None)
        );
    }
}
