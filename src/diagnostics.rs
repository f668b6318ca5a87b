//! The program's own diagnostics (retries, waits, degraded parts) on stderr.
//!
//! Inside Actions each event is a workflow command the runner shows as an annotation or in
//! the step log: warnings as `::warning::`, waits and retries (info) as `::notice::`, and with
//! `RUNNER_DEBUG=1` (the "Enable debug logging" re-run option) debug events as `::debug::`. The
//! message is escaped, so text that came from a server cannot start a command of its own. On a
//! terminal they stay plain `LEVEL message` lines, warnings and up.

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::{FormatEvent, FormatFields, Writer};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::registry::LookupSpan;

use crate::publish::commands::escape_data;

/// Installs the stderr subscriber. `runner_debug`: `RUNNER_DEBUG=1` in Actions.
pub fn init(in_actions: bool, runner_debug: bool) {
    let builder = tracing_subscriber::fmt()
        .with_writer(|| AroundBar)
        .with_target(false)
        .without_time();
    if in_actions {
        let level = if runner_debug {
            Level::DEBUG
        } else {
            Level::INFO
        };
        builder
            .with_max_level(level)
            .event_format(WorkflowCommands)
            .init();
    } else {
        builder
            .with_max_level(Level::WARN)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
}

/// stderr, written around the progress bar when one is on screen (`crate::progress`).
struct AroundBar;

impl std::io::Write for AroundBar {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        crate::progress::around_bar(|| std::io::stderr().write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// The workflow command an event of `level` becomes.
pub fn command_for(level: Level) -> &'static str {
    match level {
        Level::ERROR => "error",
        Level::WARN => "warning",
        Level::INFO => "notice",
        _ => "debug",
    }
}

/// Formats each event as one workflow command line.
struct WorkflowCommands;

impl<S, N> FormatEvent<S, N> for WorkflowCommands
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut message = String::new();
        ctx.format_fields(Writer::new(&mut message), event)?;
        let command = command_for(*event.metadata().level());
        writeln!(writer, "::{command}::{}", escape_data(&message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_become_the_commands_the_runner_shows() {
        assert_eq!(command_for(Level::ERROR), "error");
        assert_eq!(command_for(Level::WARN), "warning");
        assert_eq!(command_for(Level::INFO), "notice");
        assert_eq!(command_for(Level::DEBUG), "debug");
        assert_eq!(command_for(Level::TRACE), "debug");
    }
}
