//! Progress on stderr while the run is gathered and its logs are read: a spinner while the
//! jobs are listed, then the logs read out of those to read and the bytes so far.
//!
//! Shown only to a person: when stderr is a terminal and the run is not inside Actions (the
//! configuration decides, `crate::config::Config::progress`). Otherwise every call here does
//! nothing, so the stages report progress without asking where it goes. The bar is cleared
//! when the logs are read, before anything is printed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

/// The bar on screen, if any. Global because the diagnostics (`crate::diagnostics`, set up
/// before any run) write to the same stderr: each of their lines goes through [`around_bar`].
static ON_SCREEN: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Runs `write` (a write to stderr) with the bar taken off the screen and drawn again after,
/// so a warning printed while logs are read is a line of its own, not torn by the bar.
pub fn around_bar<R>(write: impl FnOnce() -> R) -> R {
    let bar = ON_SCREEN.lock().ok().and_then(|shown| shown.clone());
    match bar {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}

pub struct Progress {
    bar: Option<ProgressBar>,
    bytes: Arc<AtomicU64>,
}

impl Progress {
    /// `shown`: stderr is a terminal, outside Actions.
    pub fn new(shown: bool) -> Progress {
        let bar = shown.then(|| ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()));
        if let (Some(bar), Ok(mut on_screen)) = (&bar, ON_SCREEN.lock()) {
            *on_screen = Some(bar.clone());
        }
        Progress {
            bar,
            bytes: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Nothing is shown.
    pub fn hidden() -> Progress {
        Progress::new(false)
    }

    pub fn is_shown(&self) -> bool {
        self.bar.is_some()
    }

    /// The jobs are being listed: a spinner, as their number is not known yet.
    pub fn listing_jobs(&self) {
        let Some(bar) = &self.bar else { return };
        bar.set_style(style("{spinner} listing the run's jobs…"));
        bar.enable_steady_tick(Duration::from_millis(100));
    }

    /// `total` logs are about to be read.
    pub fn reading_logs(&self, total: usize) {
        let Some(bar) = &self.bar else { return };
        let bytes = self.bytes.clone();
        let read = move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{}", HumanBytes(bytes.load(Ordering::Relaxed)));
        };
        bar.set_style(
            style("{spinner} reading logs: {pos}/{len} jobs done, {read}").with_key("read", read),
        );
        bar.set_length(total as u64);
        bar.set_position(0);
    }

    /// `n` more bytes of some log were read.
    pub fn read_bytes(&self, n: usize) {
        if self.bar.is_some() {
            self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        }
    }

    /// One more job's log (and annotations) is done with.
    pub fn log_read(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Clears the bar: what follows is the report.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            if let Ok(mut on_screen) = ON_SCREEN.lock() {
                *on_screen = None;
            }
        }
    }

    /// Bytes counted so far (for tests).
    pub fn bytes_read(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

fn style(template: &str) -> ProgressStyle {
    // Our own templates: a bad one is a bug caught by the tests below, not a user's error.
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_progress_does_nothing_and_counts_nothing() {
        let progress = Progress::hidden();
        progress.listing_jobs();
        progress.reading_logs(3);
        progress.read_bytes(10);
        progress.log_read();
        progress.finish();
        assert!(!progress.is_shown());
        assert_eq!(progress.bytes_read(), 0);
    }

    #[test]
    fn the_templates_parse() {
        for template in [
            "{spinner} listing the run's jobs…",
            "{spinner} reading logs: {pos}/{len} jobs done, {read}",
        ] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
    }

    #[test]
    fn shown_progress_counts_bytes() {
        // Drawn to stderr only when it is a terminal; under the test harness it is not.
        let progress = Progress::new(true);
        progress.listing_jobs();
        progress.reading_logs(2);
        progress.read_bytes(2048);
        progress.log_read();
        assert_eq!(progress.bytes_read(), 2048);
        progress.finish();
    }
}
