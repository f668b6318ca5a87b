//! Streaming log analysis: from a job log's bytes to a short excerpt that
//! explains the failure.
//!
//! Pure: no I/O, no clocks, no environment. The caller pushes the log's bytes
//! in any chunking into a [`LogAnalyzer`] and gets a [`JobExcerpt`] back.
//! Memory stays bounded whatever the log's length: a line carry buffer, a few
//! small rings of lines, and a capped candidate set — never the whole log.
//!
//! The pipeline, one direction:
//! [`decode`] (bytes → lines: BOM, timestamps, line endings, length cap) →
//! [`steps`] (line → step, from markers and step times) →
//! [`collector`] (a hit opens a failure block, [`block`] says where it ends) →
//! [`candidates`] (blocks folded and capped) → [`select`] (each line ranked by
//! [`rank`], the best kept), with [`patterns`] recognising error shapes and
//! [`sanitize`] making text safe.

pub mod block;
mod candidates;
mod collector;
pub mod decode;
mod hits;
mod marker;
mod model;
mod noise;
pub mod normal;
pub mod patterns;
pub mod rank;
mod ring;
pub mod sanitize;
mod select;
mod skim;
pub mod steps;

#[cfg(test)]
mod tests;

pub use decode::{parse_timestamp_prefix, DecodedLine, LineDecoder, LogTime};
pub use model::{Comparison, ExcerptLine, ExcerptOptions, JobExcerpt, LineKind, StepInfo};
pub use normal::{LearningWindows, NormalLines, NormalLinesLearner};
pub use sanitize::sanitize_line;

use std::sync::Arc;

use candidates::{CandidateSet, Class};
use collector::{Collector, Role};
use hits::HitCursor;
use marker::Marker;
use ring::{Display, Line, Ring};
use steps::StepTracker;

/// Streams one job's log into a [`JobExcerpt`].
#[derive(Debug)]
pub struct LogAnalyzer {
    decoder: LineDecoder,
    state: State,
}

#[derive(Debug)]
struct State {
    options: ExcerptOptions,
    tracker: StepTracker,
    /// Per step index (steps sorted by number): explain this step?
    failed: Vec<bool>,
    first_failed: Option<(u32, String)>,
    timed: bool,
    collector: Collector,
    unit_relevant: bool,
    in_header: bool,
    header_lines: u32,
    seq: u64,
    /// Timed mode: (second, is it inside a failed step's window?) of the last line.
    window_cache: Option<(i64, bool)>,
    /// Candidates of the steps/segments that explain the failure.
    primary: CandidateSet,
    /// Markers-only mode: segments with error shapes but no `##[error]`.
    secondary: CandidateSet,
    /// Timed mode: every `##[error]` of the job, in case attribution found nothing.
    job_errors: CandidateSet,
    /// The log's last lines, in timed mode; in markers-only mode the
    /// collector's tail ring sees every line and doubles as this one.
    log_tail: Option<Ring>,
    /// Prefilter hits of the chunk being fed.
    hits: HitCursor,
    /// What a passing run of the job printed, if its log was learned.
    normal: Option<Arc<NormalLines>>,
    /// Timed mode: pass over whole lines of steps that are not explained ([`skim`]).
    skims: bool,
    /// Lines passed over so far.
    passed_over: u64,
    /// Markers only: the `##[group]` header of the section being read, and of the first
    /// section whose failure the excerpt shows (primary, secondary), to name where it failed.
    section: Option<String>,
    named: [Option<String>; 2],
}

impl LogAnalyzer {
    pub fn new(steps: &[StepInfo], options: &ExcerptOptions) -> Self {
        let options = ExcerptOptions {
            max_lines: options.max_lines.max(1),
            ..options.clone()
        };
        let mut steps: Vec<StepInfo> = steps.to_vec();
        steps.sort_by_key(|s| s.number);
        let failed = model::explained_steps(&steps);
        let first_failed = steps
            .iter()
            .zip(&failed)
            .find(|(_, &f)| f)
            .map(|(s, _)| (s.number, sanitize_line(s.name.as_bytes())));
        // Times are only worth trusting when they can place the failed step(s).
        let want_timed = steps
            .iter()
            .zip(&failed)
            .any(|(s, &f)| f && s.started_at.is_some());
        let tracker = StepTracker::new(&steps, want_timed);
        let timed = tracker.is_timed();
        let (m, c) = (options.max_lines, options.context);
        // Markers only: every line reaches the collector, whose tail ring then
        // holds the log's tail too (a ring of 0 cannot: keep a separate one).
        let shared_tail = !timed && options.tail > 0;
        let decoder = LineDecoder::new(options.max_line_bytes);
        LogAnalyzer {
            decoder: match options.lone_cr_ends_line {
                true => decoder.numbering_lone_cr_as_lines(),
                false => decoder,
            },
            state: State {
                tracker,
                failed,
                first_failed,
                timed,
                collector: Collector::new(m, c, options.tail, shared_tail),
                unit_relevant: true,
                in_header: false,
                header_lines: 0,
                seq: 0,
                window_cache: None,
                primary: CandidateSet::new(m),
                secondary: CandidateSet::new(m),
                job_errors: CandidateSet::new(m),
                log_tail: (!shared_tail).then(|| Ring::new(options.tail.max(1))),
                hits: HitCursor::new(),
                normal: None,
                skims: true,
                passed_over: 0,
                section: None,
                named: [None, None],
                options,
            },
        }
    }

    /// Ranks what a passing run of the same job also printed (`normal`, learned from its log)
    /// below what is new: a failure the passing run never printed ranks first, and one it did
    /// ranks lower but is never dropped for it.
    pub fn comparing_with(mut self, normal: Arc<NormalLines>) -> Self {
        let s = &mut self.state;
        s.collector.comparing_with(&normal);
        for set in [&mut s.primary, &mut s.secondary, &mut s.job_errors] {
            set.compare_with(&normal);
        }
        s.normal = Some(normal);
        self
    }

    /// Reads every line, as it would without step times (for tests that skimming changes
    /// nothing).
    #[cfg(test)]
    fn reading_every_line(mut self) -> Self {
        self.state.skims = false;
        self
    }

    /// Lines counted but not read so far: output of steps that are not explained ([`skim`]).
    pub fn lines_passed_over(&self) -> u64 {
        self.state.passed_over
    }

    /// Feeds the next bytes of the log, in any chunking.
    pub fn feed(&mut self, chunk: &[u8]) {
        let first_line_end = match self.state.timed && self.state.skims {
            true => memchr::memchr(b'\n', chunk).map(|i| i + 1),
            false => None,
        };
        let Some(mut pos) = first_line_end else {
            return self.feed_lines(chunk);
        };
        // The first line may finish one the last chunk began; what follows starts a line.
        self.feed_lines(&chunk[..pos]);
        // Then, while the step being read is not explained: pass over what can be before the
        // next marker, and read the rest up to and with it (it may end a header or the step).
        while pos < chunk.len() && !self.state.unit_relevant {
            let (unmarked, after_marker) = skim::split_at_marker(&chunk[pos..]);
            let read_to = after_marker.map_or(chunk.len(), |n| pos + n);
            if let Some(passed) = self.skimmable(unmarked) {
                let s = &mut self.state;
                self.decoder.pass_over(passed.lines);
                s.tracker.passed_over(passed.last_secs);
                // What each of them would have left: outside every failed window.
                s.window_cache = Some((passed.last_secs, false));
                s.seq += passed.lines;
                s.passed_over += passed.lines;
                pos += passed.end;
            }
            self.feed_lines(&chunk[pos..read_to]);
            pos = read_to;
        }
        if pos < chunk.len() {
            self.feed_lines(&chunk[pos..]);
        }
    }

    /// The whole lines at the start of `unmarked` that only the line count needs, if the step
    /// being read is not explained and they all belong to it, outside every failed window.
    fn skimmable(&self, unmarked: &[u8]) -> Option<skim::WholeLines> {
        let s = &self.state;
        if s.in_header || !self.decoder.at_line_start() {
            return None;
        }
        // The log's tail ring must see the same last lines as if all were read.
        let passed = skim::whole_lines(unmarked, s.options.tail.max(1))?;
        let failed = &s.failed;
        let (from, to) = (passed.first_secs, passed.last_secs);
        (from <= to
            && s.tracker.holds_through(to)
            && !s.tracker.window_meets(from, to, |i| failed[i]))
        .then_some(passed)
    }

    /// Reads every line of `bytes` (a chunk, or the part of one not passed over).
    fn feed_lines(&mut self, bytes: &[u8]) {
        let state = &mut self.state;
        state.hits = HitCursor::new();
        self.decoder
            .feed(bytes, &mut |line| state.on_line(line, bytes));
        // The rings may hold ranges of `bytes`: copy them before they go.
        state.collector.end_chunk(bytes);
        if let Some(ring) = &mut state.log_tail {
            ring.end_chunk(bytes);
        }
    }

    /// Heap bytes the analyzer holds right now (for tests of boundedness).
    pub fn retained_bytes(&self) -> usize {
        let s = &self.state;
        self.decoder.retained_bytes()
            + s.collector.retained_bytes()
            + s.primary.retained_bytes()
            + s.secondary.retained_bytes()
            + s.job_errors.retained_bytes()
            + s.log_tail.as_ref().map_or(0, Ring::retained_bytes)
    }

    pub fn finish(mut self) -> JobExcerpt {
        let state = &mut self.state;
        let total_lines = self.decoder.finish(&mut |line| state.on_line(line, &[]));
        let mut s = self.state;
        s.close_unit(&[]);
        // Without step times, a section's `##[group]` header names where the failure was.
        let [primary_section, secondary_section] = std::mem::take(&mut s.named);
        let section = match s.primary.is_empty() {
            false => primary_section,
            true if !s.timed && !s.secondary.is_empty() => secondary_section,
            true => None,
        };
        let set = if !s.primary.is_empty() {
            s.primary
        } else {
            // Nothing attributable to a failed step: the job's errors and
            // shapes, and the end of the log (a cancelled job, a runner crash).
            let mut set = if s.timed { s.job_errors } else { s.secondary };
            match &mut s.log_tail {
                Some(ring) => ring.drain_into(&mut set, Class::Tail, 0, &[]),
                None => s.collector.drain_log_tail_into(&mut set, &[]),
            }
            set
        };
        let selection = set.select(s.options.max_lines);
        let (step_number, step_name) = s.first_failed.unzip();
        let step_name = step_name.or(section);
        JobExcerpt {
            step_number,
            step_name,
            lines: selection.lines,
            omitted_lines: selection.omitted,
            total_lines,
            compared: s.normal.map(|normal| Comparison {
                passing_lines: normal.lines(),
                ranked_lower: selection.seen,
            }),
        }
    }
}

impl State {
    /// `chunk`: the bytes being fed, which `line.chunk_offset` points into.
    fn on_line(&mut self, line: DecodedLine<'_>, chunk: &[u8]) {
        self.seq += 1;
        let marker = Marker::parse(line.raw);
        let placement = self
            .tracker
            .observe(line.time.map(|t| t.secs), marker.hint());
        if placement.starts_unit {
            if self.seq > 1 {
                self.close_unit(chunk);
            }
            self.in_header = false;
            self.unit_relevant = placement.step.is_none_or(|i| self.failed[i]);
        }
        let (role, display, body) = match marker {
            Marker::EndGroup => {
                self.in_header = false;
                return;
            }
            Marker::RunHeader(rest) => {
                if !self.timed {
                    self.section = Some(sanitize_line(rest));
                }
                self.in_header = true;
                self.header_lines = 0;
                (Role::NoHit, Display::Plain, rest)
            }
            Marker::Error { rest, generic, .. } => {
                self.in_header = false;
                (Role::Error { generic }, Display::Plain, rest)
            }
            Marker::Warning(rest) => (Role::NoHit, Display::Warning, rest),
            Marker::Other(rest) => (Role::NoHit, Display::Plain, rest),
            Marker::Text(_) => {
                if self.in_header {
                    // The command echo and `env:` of a step header: never an
                    // error, not worth a line. A header that never closes
                    // stops counting as one after a while.
                    self.header_lines += 1;
                    if self.header_lines <= 500 {
                        return;
                    }
                    self.in_header = false;
                }
                (Role::Plain, Display::Plain, line.raw)
            }
        };
        let (seq, n, cut) = (self.seq, line.line_number, line.truncated_bytes);
        // Attribution can misplace a same-second boundary; an error stamped
        // inside a failed step's time window still belongs to the excerpt.
        // Lines outside every failed window can never be rescued: skip them.
        let in_failed_window =
            !self.unit_relevant && self.timed && self.in_failed_window(line.time);
        if in_failed_window && matches!(role, Role::Error { .. }) {
            self.unit_relevant = true;
        }
        if self.timed && matches!(role, Role::Error { .. }) {
            let class = if role == (Role::Error { generic: true }) {
                Class::GenericError
            } else {
                Class::Error
            };
            self.job_errors
                .push(seq, n, display.text(body, cut), class, seq);
        }
        let line = Line {
            seq,
            line_number: n,
            raw: body,
            // `body` is a suffix of `line.raw`.
            at: line.chunk_offset.map(|o| o + line.raw.len() - body.len()),
            truncated: cut,
            display,
        };
        if let Some(ring) = &mut self.log_tail {
            ring.push(&line);
        }
        if self.unit_relevant {
            let role = match (role, line.at) {
                (Role::Plain, Some(o))
                    if !self.hits.any_in(chunk, o, o + body.len())
                        && !patterns::is_found_alone(body) =>
                {
                    Role::NoHit
                }
                _ => role,
            };
            self.collector.line(&line, role, chunk);
        } else if in_failed_window {
            self.collector.passive(&line);
        }
    }

    fn in_failed_window(&mut self, time: Option<LogTime>) -> bool {
        let Some(secs) = time.map(|t| t.secs) else {
            return self.window_cache.is_some_and(|(_, inside)| inside);
        };
        if let Some((s, inside)) = self.window_cache {
            if s == secs {
                return inside;
            }
        }
        let failed = &self.failed;
        let inside = self.tracker.window_meets(secs, secs, |i| failed[i]);
        self.window_cache = Some((secs, inside));
        inside
    }

    fn close_unit(&mut self, chunk: &[u8]) {
        if self.timed && !self.unit_relevant {
            self.collector.discard();
            return;
        }
        let (set, has_error, has_hit) = self.collector.take(chunk);
        // Timed mode only gets here for a failed step's unit.
        let into = match (self.timed || has_error, has_hit) {
            (true, _) => 0,
            (false, true) => 1,
            (false, false) => return,
        };
        if self.named[into].is_none() && !set.is_empty() {
            self.named[into] = self.section.clone();
        }
        match into {
            0 => self.primary.absorb(set),
            _ => self.secondary.absorb(set),
        }
    }
}
