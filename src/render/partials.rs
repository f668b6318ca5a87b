//! Partials that include each other without end.
//!
//! Handlebars refuses a partial that includes itself directly, but not `a` → `b` → `a`, nor a
//! summary template that includes `comment` while the comment includes `summary`: rendering
//! such a template recurses until the stack overflows and the process aborts, after every API
//! call was made. The templates are read here before any request, and a cycle is refused with
//! the names on it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

/// `{{#*inline "name"}}`, `{{/inline}}` and `{{> name …}}` / `{{#> name …}}`.
static TAGS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\{\{~?\s*(?:#\*inline\s+"(?P<def>[^"]+)"|(?P<end>/inline)|#?>\s*(?:"(?P<q>[^"]+)"|(?P<name>[\w./-]+)))"#,
    )
    .expect("the partial tags are a valid regex")
});

/// Which partial includes which, in the templates given as `(name, text)`: the template itself
/// and each inline partial are nodes.
fn edges(templates: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (template, text) in templates {
        let mut inside: Vec<String> = vec![template.to_string()];
        for tag in TAGS.captures_iter(text) {
            if let Some(def) = tag.name("def") {
                inside.push(def.as_str().to_owned());
            } else if tag.name("end").is_some() {
                if inside.len() > 1 {
                    inside.pop();
                }
            } else if let Some(to) = tag.name("q").or(tag.name("name")) {
                let from = inside.last().cloned().unwrap_or_default();
                graph
                    .entry(from)
                    .or_default()
                    .insert(to.as_str().to_owned());
            }
        }
    }
    graph
}

/// The first cycle of partials, as the names along it (`a → b → a`), if there is one.
pub fn cycle(templates: &[(&str, &str)]) -> Option<String> {
    let graph = edges(templates);
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<String> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut names = path[start..].to_vec();
            names.push(node.to_owned());
            return Some(names.join(" → "));
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, &graph, &mut Vec::new(), &mut done))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_partials_that_include_each_other_are_a_cycle() {
        let text =
            r#"{{#*inline "a"}}{{> b}}{{/inline}}{{#*inline "b"}}x {{> a}}{{/inline}}{{> a}}"#;
        assert_eq!(cycle(&[("summary", text)]).as_deref(), Some("a → b → a"));
    }

    #[test]
    fn templates_that_include_each_other_are_a_cycle() {
        let found = cycle(&[
            ("summary", "{{> comment}}"),
            ("comment", "{{~> \"summary\"}}"),
        ]);
        assert_eq!(found.as_deref(), Some("comment → summary → comment"));
    }

    #[test]
    fn partials_used_many_times_are_no_cycle() {
        let text =
            r#"{{#*inline "row"}}{{name}}{{/inline}}{{#each jobs}}{{> row}}{{/each}}{{> row}}"#;
        assert_eq!(
            cycle(&[("summary", text), ("comment", "{{> summary}}")]),
            None
        );
    }
}
