//! The digest as text for a person at a terminal (`--format text`): per failed job its name,
//! failing step, verdict and marks, annotations, and the excerpt with the log's own line
//! numbers; links as plain URLs; colour when asked for. Pure: no I/O.
//!
//! The same content as the markdown summary, with the same caution: every name, message and
//! log line is untrusted, and a terminal obeys escape sequences. So every control character
//! (ESC and CSI of either width, BEL, backspace, a lone `\r`) and every bidirectional override
//! in them becomes U+FFFD before it is written ([`line`], [`one_line`]); the only escape
//! sequences in the output are the program's own colours.

use std::fmt::Write as _;

use crate::diagnose::DiagnosisKind;
use crate::digest::{count, shown_name, Digest, FailedJob, JobSummary};
use crate::logs::{ExcerptLine, LineKind};
use crate::render::markdown::{is_bidi_control, normalize_inline};

/// Renders `digest`; `color`: with SGR colours.
pub fn render(digest: &Digest, color: bool) -> String {
    let paint = Paint(color);
    let mut out = String::new();
    head(&mut out, digest, paint);
    for job in &digest.failed_jobs {
        if !out.is_empty() {
            out.push('\n');
        }
        failed_job(&mut out, digest, job, paint);
    }
    tail(&mut out, digest, paint);
    out
}

/// A name as shown: one line, capped at 120 characters, nothing a terminal would act on.
fn name(text: &str) -> String {
    shown_name(&one_line(text))
}

/// Untrusted text on one line: whitespace runs are one space, control and bidi characters
/// U+FFFD (see `crate::render::markdown`).
pub fn one_line(text: &str) -> String {
    normalize_inline(text)
}

/// An untrusted log line: control characters (a tab aside) and bidi overrides become U+FFFD.
pub fn line(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' => c,
            c if c.is_control() || is_bidi_control(c) => char::REPLACEMENT_CHARACTER,
            c => c,
        })
        .collect()
}

fn head(out: &mut String, digest: &Digest, paint: Paint) {
    // A log file is one failed job, named after the file: its own headline says it all.
    if digest.log_file.is_some() {
        return;
    }
    let workflow = digest.run.workflow.as_deref().map(name).unwrap_or_default();
    let totals = &digest.totals;
    let (mark, what) = match digest.conclusion.as_str() {
        "success" => (
            paint.green("✓"),
            format!("all {} passed", count(totals.jobs as u64, "job")),
        ),
        "cancelled" => (paint.yellow("⊘"), "was cancelled".to_owned()),
        "in_progress" => (
            paint.yellow("*"),
            format!(
                "{} of {} still running",
                totals.running,
                count(totals.jobs as u64, "job")
            ),
        ),
        "startup_failure" => (
            mark_failed(paint),
            "the workflow could not start".to_owned(),
        ),
        "no_jobs" => (paint.dim("-"), "no jobs to report".to_owned()),
        _ => {
            let running = match totals.running {
                0 => String::new(),
                n => format!(" ({n} still running)"),
            };
            let of = count(totals.jobs as u64, "job");
            (
                mark_failed(paint),
                format!("{} of {of} failed{running}", totals.failed),
            )
        }
    };
    let _ = writeln!(out, "{mark} {}: {what}", paint.bold(&workflow));
    let mut facts = Vec::new();
    if let Some(sha) = &digest.run.head_sha_short {
        match digest.run.attempt {
            Some(n) => facts.push(format!("on {} (attempt {n})", one_line(sha))),
            None => facts.push(format!("on {}", one_line(sha))),
        }
    }
    if !digest.run.url.is_empty() {
        facts.push(one_line(&digest.run.url));
    }
    if !facts.is_empty() {
        let _ = writeln!(out, "  {}", facts.join(" · "));
    }
    if totals.jobs > 0 {
        let _ = writeln!(
            out,
            "  {} passed · {} failed · {} cancelled · {} skipped{}",
            totals.succeeded,
            totals.failed,
            totals.cancelled,
            totals.skipped,
            match totals.running {
                0 => String::new(),
                n => format!(" · {n} running"),
            }
        );
    }
    if digest.jobs.len() > 1 || digest.omitted_jobs > 0 {
        out.push('\n');
        job_list(out, &digest.jobs, paint);
        if digest.omitted_jobs > 0 {
            let _ = writeln!(
                out,
                "  … and {}",
                count(digest.omitted_jobs as u64, "more job")
            );
        }
    }
}

fn job_list(out: &mut String, jobs: &[JobSummary], paint: Paint) {
    let names: Vec<String> = jobs.iter().map(|job| name(&job.name)).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (job, shown) in jobs.iter().zip(names) {
        let pad = " ".repeat(width - shown.chars().count());
        let mut notes: Vec<String> = vec![job.duration.clone()];
        notes.extend(job.marks.retry.as_ref().map(|r| r.label.clone()));
        if base_label_shown(job.diagnosis_kind) {
            notes.extend(job.marks.on_base.as_ref().map(|b| name(&b.label)));
        }
        notes.extend(job.diagnosis_label.as_deref().map(name));
        notes.retain(|n| !n.is_empty());
        let mark = job_mark(&job.conclusion, &job.status, paint);
        let row = format!("  {mark} {shown}{pad}  {}", paint.dim(&notes.join(" · ")));
        let _ = writeln!(out, "{}", row.trim_end());
    }
}

fn failed_job(out: &mut String, digest: &Digest, job: &FailedJob, paint: Paint) {
    let mut headline = format!("{} {}", mark_failed(paint), paint.bold(&name(&job.name)));
    let step = job.failing_step.as_deref().map(name);
    match (&digest.log_file, step) {
        (Some(_), Some(step)) => {
            let _ = write!(headline, " failed in section {}", paint.bold(&step));
        }
        (Some(_), None) => headline.push_str(" failed at the end of the log"),
        (None, Some(step)) => {
            let _ = write!(headline, " {} at step {}", job.verdict, paint.bold(&step));
        }
        (None, None) => {
            let _ = write!(headline, " {}", job.verdict);
        }
    }
    let marks = &job.marks;
    let mut notes: Vec<String> = Vec::new();
    notes.extend(marks.retry.as_ref().map(|r| r.label.clone()));
    if base_label_shown(job.diagnosis.as_ref().map(|d| d.kind)) {
        notes.extend(marks.on_base.as_ref().map(|b| name(&b.label)));
    }
    if let Some(group) = marks.group.as_ref().filter(|g| g.first) {
        notes.push(format!("×{}: {}", group.count, name(&group.legs_text)));
    }
    for note in notes {
        let _ = write!(headline, " · {note}");
    }
    let _ = writeln!(out, "{headline}");
    if let Some(url) = &job.url {
        let _ = writeln!(out, "  {}", one_line(url));
    }
    if let Some(verdict) = &job.diagnosis {
        let _ = writeln!(
            out,
            "  {}: {} → {}",
            paint.yellow(&name(&verdict.label)),
            line(&verdict.evidence),
            line(&verdict.next_action.text)
        );
        if let Some(command) = &verdict.next_action.command {
            let _ = writeln!(out, "    {}", one_line(command));
        }
    }
    if let Some(group) = marks.group.as_ref().filter(|g| !g.first) {
        let _ = writeln!(
            out,
            "  the same error as {} above",
            paint.bold(&name(&group.lead))
        );
        return;
    }
    for note in &job.annotations {
        let title = note.title.as_deref().map(|t| format!("{}: ", one_line(t)));
        let _ = writeln!(
            out,
            "  {} {}: {}{}",
            paint.red(&one_line(&note.level)),
            one_line(&note.location),
            title.unwrap_or_default(),
            one_line(&note.message)
        );
        if let Some(url) = &note.url {
            let _ = writeln!(out, "    {}", paint.dim(&one_line(url)));
        }
    }
    if let Some(why) = &job.log_unavailable {
        let _ = writeln!(out, "  Log excerpt unavailable: {}", one_line(why));
    }
    if !job.excerpt.is_empty() {
        out.push('\n');
        excerpt(out, &job.excerpt, paint);
    }
    if let Some(at) = &job.change_location {
        let _ = writeln!(out, "  In this PR's change: {}", one_line(at));
    }
    if job.excerpt_omitted > 0 {
        let source = match &digest.log_file {
            Some(file) => name(file),
            None => "the full log".to_owned(),
        };
        let more = count(job.excerpt_omitted, "more line");
        let _ = writeln!(
            out,
            "  {}",
            paint.dim(&format!("{more} of the failure left out; see {source}."))
        );
    }
    if let Some(compared) = &job.compared_with {
        let lower = match compared.ranked_lower {
            0 => String::new(),
            n => format!(": {} it printed too ranked lower", count(n, "line")),
        };
        let _ = writeln!(out, "  Compared with {}{lower}.", name(&compared.label));
        if let Some(url) = &compared.url {
            let _ = writeln!(out, "    {}", paint.dim(&one_line(url)));
        }
    }
}

/// The excerpt with the log's line numbers in a gutter, and where lines were left out.
fn excerpt(out: &mut String, lines: &[ExcerptLine], paint: Paint) {
    let width = lines
        .iter()
        .map(|l| l.line_number.to_string().len())
        .max()
        .unwrap_or(1);
    let mut previous: Option<u64> = None;
    for excerpt_line in lines {
        let skipped = previous.map_or(0, |p| excerpt_line.line_number.saturating_sub(p + 1));
        if skipped > 0 {
            let gap = format!("… {} skipped …", count(skipped, "line"));
            let _ = writeln!(out, "  {:>width$} ┆ {}", "", paint.dim(&gap));
        }
        previous = Some(excerpt_line.line_number);
        let text = line(&excerpt_line.text);
        let text = match excerpt_line.kind {
            LineKind::Error => paint.red(&text),
            LineKind::Match => paint.bold(&text),
            LineKind::Context | LineKind::Tail => text,
        };
        let repeats = match excerpt_line.repeats {
            0 => String::new(),
            n => paint.dim(&format!("  [and {n} more like it]")),
        };
        let number = paint.dim(&format!("{:>width$} │", excerpt_line.line_number));
        let changed = match excerpt_line.in_change {
            true => paint.yellow("  ← in this PR's change"),
            false => String::new(),
        };
        let _ = writeln!(out, "  {number} {text}{repeats}{changed}");
    }
}

fn tail(out: &mut String, digest: &Digest, paint: Paint) {
    let mut lines: Vec<String> = Vec::new();
    if digest.omitted_failed_jobs > 0 {
        let more = count(digest.omitted_failed_jobs as u64, "more failed job");
        lines.push(format!("… and {more} (see the run for their logs)"));
    }
    if !digest.cancelled_after_failure.is_empty() {
        let names: Vec<String> = digest
            .cancelled_after_failure
            .iter()
            .map(|j| name(&j.name))
            .collect();
        let more = match digest.cancelled_unnamed {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        lines.push(format!(
            "{} Cancelled after the failure, so not explained: {}{more}",
            paint.yellow("⊘"),
            names.join(", ")
        ));
    }
    let insights = &digest.insights;
    if !insights.flaky_jobs.is_empty() {
        let names: Vec<String> = insights.flaky_jobs.iter().map(|j| name(&j.name)).collect();
        lines.push(format!("Passed on retry (flaky?): {}", names.join(", ")));
    }
    if let Some(base) = &insights.base {
        let conclusion = match base.conclusion.as_str() {
            "" => String::new(),
            c => format!(" ({})", one_line(c)),
        };
        lines.push(format!(
            "Compared with the latest run on {}{conclusion}: {} also failing there, {} not failing there.",
            name(&base.branch),
            count(base.also_failing as u64, "failed job"),
            base.new
        ));
        lines.extend(
            base.url
                .as_deref()
                .map(|url| format!("  {}", paint.dim(&one_line(url)))),
        );
    }
    lines.extend(insights.notes.iter().map(|note| one_line(note)));
    if !lines.is_empty() {
        out.push('\n');
        for text in lines {
            let _ = writeln!(out, "{text}");
        }
    }
}

/// Whether a job's "new in this PR" / "also failing on main" is shown beside its verdict: only
/// when the verdict does not already say it (or says nothing: `unknown`).
fn base_label_shown(kind: Option<DiagnosisKind>) -> bool {
    matches!(kind, None | Some(DiagnosisKind::Unknown))
}

fn job_mark(conclusion: &str, status: &str, paint: Paint) -> String {
    match conclusion {
        "success" => paint.green("✓"),
        "failure" | "timed_out" | "startup_failure" => mark_failed(paint),
        "cancelled" => paint.yellow("⊘"),
        "" if status != "completed" => paint.yellow("*"),
        _ => paint.dim("-"),
    }
}

fn mark_failed(paint: Paint) -> String {
    paint.red("✗")
}

/// Every escape sequence the text format writes: reset, bold, dim, red, green, yellow. Nothing
/// else may reach a terminal (the tests strip these and find no ESC left).
pub const OWN_SEQUENCES: [&str; 6] = [
    "\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m",
];

/// The program's own colours (SGR, from [`OWN_SEQUENCES`]), or none.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn sgr(self, start: usize, text: &str) -> String {
        match self.0 && !text.is_empty() {
            true => format!("{}{text}{}", OWN_SEQUENCES[start], OWN_SEQUENCES[0]),
            false => text.to_owned(),
        }
    }
    fn bold(self, text: &str) -> String {
        self.sgr(1, text)
    }
    fn dim(self, text: &str) -> String {
        self.sgr(2, text)
    }
    fn red(self, text: &str) -> String {
        self.sgr(3, text)
    }
    fn green(self, text: &str) -> String {
        self.sgr(4, text)
    }
    fn yellow(self, text: &str) -> String {
        self.sgr(5, text)
    }
}

/// `text` without the program's own colours ([`OWN_SEQUENCES`]): what the terminal shows.
pub fn uncoloured(text: &str) -> String {
    OWN_SEQUENCES
        .iter()
        .fold(text.to_owned(), |text, code| text.replace(code, ""))
}

#[cfg(test)]
mod tests;
