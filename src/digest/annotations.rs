//! Check-run annotations as the digest shows them: file:line links at the head SHA, without the
//! runner's generic exit-code note when something more specific exists (pure).

use serde::Serialize;

use super::RunInfo;
use crate::github::models::Annotation;

#[derive(Debug, Clone, Serialize)]
pub struct AnnotationView {
    pub level: String,
    pub title: Option<String>,
    pub message: String,
    pub path: String,
    pub line: Option<u64>,
    /// `path:line` (or `path`), for display.
    pub location: String,
    /// `{server}/{repo}/blob/{sha}/{path}#L{line}` when the path is a file in the repository.
    pub url: Option<String>,
    /// The annotation points into the pull request's change (set by the diagnosis).
    pub in_change: bool,
}

/// Check-run annotations as shown: the generic "Process completed with exit code N" one is
/// dropped when a more specific annotation or an excerpt says more.
pub(super) fn annotation_views(
    list: &[Annotation],
    server_url: &str,
    run: &RunInfo,
) -> Vec<AnnotationView> {
    let generic = |a: &Annotation| {
        a.path == ".github"
            && a.message
                .as_deref()
                .is_some_and(|m| m.starts_with("Process completed with exit code"))
    };
    let has_specific = list.iter().any(|a| !generic(a));
    let mut seen = std::collections::HashSet::new();
    list.iter()
        .filter(|a| !(has_specific && generic(a)))
        .filter(|a| seen.insert((&a.path, a.start_line, &a.message)))
        .map(|a| AnnotationView {
            level: a
                .annotation_level
                .clone()
                .unwrap_or_else(|| "failure".into()),
            title: a.title.clone().filter(|t| !t.is_empty()),
            message: a.message.clone().unwrap_or_default(),
            path: a.path.clone(),
            line: a.start_line,
            location: match a.start_line {
                Some(line) => format!("{}:{line}", a.path),
                None => a.path.clone(),
            },
            url: match (&run.head_sha, a.path.as_str()) {
                (Some(sha), path) if !path.is_empty() && path != ".github" => Some(format!(
                    "{server_url}/{}/blob/{sha}/{path}{}",
                    run.repository,
                    a.start_line.map(|l| format!("#L{l}")).unwrap_or_default()
                )),
                _ => None,
            },
            in_change: false,
        })
        .collect()
}
