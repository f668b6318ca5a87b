//! Fitting rendered markdown into GitHub's size limits (release-plz's approach): render, and while
//! too large re-render with less detail; only as a last resort cut, at a line outside any fence.

use crate::digest::Digest;

#[derive(Debug, Clone, Copy)]
pub enum Limit {
    Bytes(usize),
    Chars(usize),
}

impl Limit {
    fn max(self) -> usize {
        match self {
            Limit::Bytes(max) | Limit::Chars(max) => max,
        }
    }

    fn fits(self, text: &str) -> bool {
        match self {
            Limit::Bytes(max) => text.len() <= max,
            Limit::Chars(max) => text.len() <= max || text.chars().count() <= max,
        }
    }
}

/// Excerpt sizes tried, in lines per failed job, before jobs are folded. Folding keeps the
/// smallest; only when even one failed job does not fit do excerpts go entirely.
const EXCERPT_STEPS: &[usize] = &[20, 10, 5, 2];
const TRUNCATED_NOTE: &str = "\n\n*… cut to fit GitHub's size limit; see the run for the rest.*\n";

/// Renders `digest`, shrinking it until the output respects `limit`.
pub fn fit(
    digest: &Digest,
    limit: Limit,
    render: impl Fn(&Digest) -> anyhow::Result<String>,
) -> anyhow::Result<String> {
    let text = render(digest)?;
    if limit.fits(&text) {
        return Ok(text);
    }
    let mut smaller = digest.clone();
    for &lines in EXCERPT_STEPS {
        smaller.cap_excerpts(lines);
        // Rendering megabytes of excerpt only to learn they are too large is slow: skip sizes
        // whose excerpts alone exceed the limit.
        if smaller.excerpt_bytes() > limit.max() {
            continue;
        }
        let text = render(&smaller)?;
        if limit.fits(&text) {
            return Ok(text);
        }
    }
    // Fold the tail of the failed-job list (keeping at least one job with its short excerpt),
    // then drop excerpts, then fold the job table: each a binary search for the most kept.
    let failed = smaller.failed_jobs.len();
    let fold_failed = |d: &Digest, keep: usize| {
        let mut d = d.clone();
        d.fold_failed_jobs(keep);
        render(&d)
    };
    if let Some(text) = largest_fitting(1, failed, limit, |keep| fold_failed(&smaller, keep))? {
        return Ok(text);
    }
    smaller.cap_excerpts(0);
    if let Some(text) = largest_fitting(0, failed, limit, |keep| fold_failed(&smaller, keep))? {
        return Ok(text);
    }
    smaller.fold_failed_jobs(0);
    let fold_table = |keep: usize| {
        let mut d = smaller.clone();
        d.fold_jobs(keep);
        render(&d)
    };
    if let Some(text) = largest_fitting(0, smaller.jobs.len(), limit, fold_table)? {
        return Ok(text);
    }
    smaller.fold_jobs(0);
    Ok(cut(&render(&smaller)?, limit))
}

/// The rendering for the largest `keep` in `min..=max` that fits, if any (fitting is monotone).
fn largest_fitting(
    min: usize,
    max: usize,
    limit: Limit,
    render: impl Fn(usize) -> anyhow::Result<String>,
) -> anyhow::Result<Option<String>> {
    let (mut low, mut high, mut best) = (min, max, None);
    while low <= high {
        let mid = low + (high - low) / 2;
        let text = render(mid)?;
        if limit.fits(&text) {
            best = Some(text);
            low = mid + 1;
        } else if mid == min {
            break;
        } else {
            high = mid - 1;
        }
    }
    Ok(best)
}

/// The last resort for a template that stays too large: keep whole lines up to the limit,
/// never stopping inside a code fence, close the `<details>` left open, and say that it was cut.
pub fn cut(text: &str, limit: Limit) -> String {
    const CLOSE: &str = "</details>\n";
    let room = limit.max().saturating_sub(TRUNCATED_NOTE.len());
    let mut kept = 0;
    let mut safe = 0;
    let (mut depth, mut safe_depth) = (0usize, 0usize);
    let mut fence: Option<(char, usize)> = None;
    for line in text.split_inclusive('\n') {
        if kept + line.len() > room {
            break;
        }
        kept += line.len();
        let trimmed = line.trim_start_matches(' ');
        let run_char = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        if let Some(c) = run_char {
            let run = trimmed.chars().take_while(|x| *x == c).count();
            match fence {
                None if run >= 3 => fence = Some((c, run)),
                Some((open, len))
                    if open == c
                        && run >= len
                        && trimmed[run * c.len_utf8()..].trim().is_empty() =>
                {
                    fence = None
                }
                _ => {}
            }
        }
        if fence.is_none() {
            let lower = line.to_ascii_lowercase();
            depth += lower.matches("<details").count();
            depth = depth.saturating_sub(lower.matches("</details").count());
            if !line.trim_start().starts_with('<') && kept + depth * CLOSE.len() <= room {
                (safe, safe_depth) = (kept, depth);
            }
        }
    }
    format!(
        "{}{}{TRUNCATED_NOTE}",
        &text[..safe],
        CLOSE.repeat(safe_depth)
    )
}
