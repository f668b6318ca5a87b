//! The step outputs (`$GITHUB_OUTPUT`): the contract's `failed-jobs`, `conclusion`,
//! `comment-url`, the verdicts' `diagnosis` and `rerun-suggested`, and the digest as JSON for
//! later steps.

use super::commands;
use crate::digest::Digest;

/// The step outputs: `failed-jobs`, `conclusion`, `comment-url` (the contract), `diagnosis` and
/// `rerun-suggested` (what the failures are), and `json`, the digest for later steps
/// (`fromJSON(steps.digest.outputs.json)`).
pub fn outputs(digest: &Digest, comment_url: Option<&str>) -> String {
    [
        commands::output_entry("failed-jobs", &digest.totals.failed.to_string()),
        commands::output_entry("conclusion", &digest.conclusion),
        commands::output_entry("comment-url", comment_url.unwrap_or("")),
        commands::output_entry("diagnosis", &digest.diagnosis),
        commands::output_entry("rerun-suggested", &digest.rerun_suggested.to_string()),
        commands::output_entry("json", &digest_json(digest)),
    ]
    .concat()
}

/// GitHub caps one output at 1 MB; the digest is fitted well below, leaving room for the rest.
pub const JSON_OUTPUT_LIMIT_BYTES: usize = 512 * 1024;

/// The digest as compact JSON within [`JSON_OUTPUT_LIMIT_BYTES`]: excerpts shrink first, then
/// the job lists fold, as for the rendered outputs (the `omitted_*` fields say what went).
fn digest_json(digest: &Digest) -> String {
    let to_json = |d: &Digest| serde_json::to_string(d).unwrap_or_else(|_| "{}".into());
    let mut json = to_json(digest);
    let mut fitted = digest.clone();
    for max_lines in [20, 8, 3, 0] {
        if json.len() <= JSON_OUTPUT_LIMIT_BYTES {
            return json;
        }
        fitted.cap_excerpts(max_lines);
        json = to_json(&fitted);
    }
    for keep in [100, 20, 5, 0] {
        if json.len() <= JSON_OUTPUT_LIMIT_BYTES {
            return json;
        }
        fitted.fold_failed_jobs(keep);
        fitted.fold_jobs(keep);
        json = to_json(&fitted);
    }
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_output_is_the_digest_and_fits_githubs_limit() {
        let small = crate::render::tests::digest(2, 3, 10);
        let text = outputs(&small, None);
        let json = text.lines().find_map(|l| l.strip_prefix("json=")).unwrap();
        let back: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(back["totals"]["failed"], 2);
        assert!(text.contains("diagnosis=\n"), "nothing diagnosed: {text}");
        assert!(text.contains("rerun-suggested=false\n"), "{text}");

        let huge = crate::render::tests::digest(300, 40, 4000);
        let json = digest_json(&huge);
        assert!(json.len() <= JSON_OUTPUT_LIMIT_BYTES, "{}", json.len());
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["totals"]["failed"], 300, "totals stay whole");
    }
}
