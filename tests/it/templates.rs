//! User templates against the documented context: every field the README lists exists, and the
//! README's example template renders.

use failure_digest::app;
use failure_digest::cli::{Cli, Format};
use failure_digest::config::Config;
use failure_digest::digest::Digest;

use crate::support::fast_retry;

const REPLAY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/rust-ci-failure");

fn readme_section(title: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find(&format!("## {title}\n"))
        .expect("section in README");
    let rest = &readme[start + 3..];
    rest[..rest.find("\n## ").unwrap_or(rest.len())].to_owned()
}

async fn replayed(extra: Cli) -> (Digest, String) {
    let cli = Cli {
        replay: Some(REPLAY.into()),
        ..extra
    };
    let config = Config::load(&cli, &|_: &str| None).unwrap();
    let mut stdout = Vec::new();
    let outcome = app::run(&config, fast_retry(), &mut stdout).await.unwrap();
    (outcome.digest, String::from_utf8(stdout).unwrap())
}

/// `jobs[].name` → `{{#each jobs}}{{name}}{{/each}}`.
fn probe(field: &str) -> String {
    match field.split_once("[].") {
        Some((list, rest)) => format!("{{{{#each {list}}}}}{}{{{{/each}}}}", probe(rest)),
        None => format!("{{{{{field}}}}}"),
    }
}

#[tokio::test]
async fn every_documented_field_exists_in_the_context() {
    let section = readme_section("Template context");
    let fields: Vec<&str> = section
        .lines()
        .filter_map(|line| line.strip_prefix("| `")?.split('`').next())
        .collect();
    assert!(
        fields.len() > 30,
        "the README's context table was not found: {fields:?}"
    );
    let (digest, _) = replayed(Cli {
        format: Format::Json,
        ..Cli::default()
    })
    .await;
    let mut strict = handlebars::Handlebars::new();
    strict.set_strict_mode(true);
    for field in fields {
        let template = probe(field);
        strict
            .render_template(&template, &digest)
            .unwrap_or_else(|e| {
                panic!("documented field `{field}` is not in the context ({template}): {e}")
            });
    }
}

#[tokio::test]
async fn the_readme_example_template_renders() {
    let section = readme_section("Template context");
    let example = section
        .split("```handlebars\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.hbs");
    std::fs::write(&path, example).unwrap();
    let (_, printed) = replayed(Cli {
        summary_template: Some(path),
        ..Cli::default()
    })
    .await;
    assert!(printed.contains("**2 failed** in [CI](https://github.com/acme/widgets/actions/runs/11873310452/attempts/1)"), "{printed}");
    assert!(printed.contains("- [clippy]("), "{printed}");
}
