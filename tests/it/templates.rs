//! User templates against the documented context: every field the README lists exists, and the
//! README's example template renders.

use failure_digest::app;
use failure_digest::cli::{Cli, ColorChoice, Format};
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
        format: Some(Format::Json),
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
    assert!(printed.contains("**3 failed** in [CI](https://github.com/acme/widgets/actions/runs/11873310452/attempts/1)"), "{printed}");
    assert!(printed.contains("- [clippy]("), "{printed}");
}

/// What users see, reviewed as a diff: the bundled replay's summary and comment. Update with
/// `INSTA_UPDATE=always cargo test --test it snapshots` and read the diff before committing.
#[tokio::test]
async fn snapshots_of_the_bundled_replay() {
    let (_, printed) = replayed(Cli::default()).await;
    let (summary, comment) = printed
        .split_once("\n----- comment -----\n")
        .expect("both parts");
    insta::assert_snapshot!("replay_summary", summary);
    insta::assert_snapshot!("replay_comment", comment);
}

/// One 10 MB line (it exists in the wild) costs neither the budget nor the lines after it.
#[tokio::test]
async fn a_ten_megabyte_line_is_cut_and_the_error_after_it_kept() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("logs")).unwrap();
    for file in ["jobs.json", "run.json"] {
        std::fs::copy(format!("{REPLAY}/{file}"), dir.path().join(file)).unwrap();
    }
    let mut log = String::from(
        "2026-11-20T14:03:30.0000000Z ##[group]Run cargo test --locked --all-targets\n\
         2026-11-20T14:03:30.1000000Z ##[endgroup]\n\
         2026-11-20T14:03:31.0000000Z ",
    );
    log.push_str(&"x".repeat(10 * 1024 * 1024));
    log.push_str(
        "\n2026-11-20T14:03:32.0000000Z error[E0425]: cannot find value `y` in this scope\n\
         2026-11-20T14:03:33.0000000Z ##[error]Process completed with exit code 101.\n",
    );
    std::fs::write(dir.path().join("logs/31013.log"), log).unwrap();
    let cli = Cli {
        replay: Some(dir.path().into()),
        ..Cli::default()
    };
    let config = Config::load(&cli, &|_: &str| None).unwrap();
    let mut stdout = Vec::new();
    let outcome = app::run(&config, fast_retry(), &mut stdout).await.unwrap();
    let printed = String::from_utf8(stdout).unwrap();
    assert!(
        printed.contains("cannot find value `y`"),
        "the line after the long one is kept"
    );
    assert!(printed.len() < 200_000, "{} bytes printed", printed.len());
    let test_job = &outcome.digest.failed_jobs[1];
    assert!(
        test_job.excerpt.iter().all(|l| l.text.len() <= 8192),
        "lines are capped"
    );
}

/// The README's examples are the replay's real output, quoted. `UPDATE_README=1 cargo test
/// --test it readme` rewrites them from the current output.
#[tokio::test]
async fn the_readme_examples_are_the_replays_real_output() {
    let (_, printed) = replayed(Cli::default()).await;
    let (summary, comment) = printed
        .split_once("\n----- comment -----\n")
        .expect("both parts");
    let (_, text) = replayed(Cli {
        format: Some(Format::Text),
        color: ColorChoice::Never,
        ..Cli::default()
    })
    .await;
    let text = format!("```text\n{text}```\n");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let mut readme = std::fs::read_to_string(path).unwrap();
    let mut stale = Vec::new();
    for (name, text) in [
        ("replay-summary", summary),
        ("replay-comment", comment),
        ("replay-text", &text),
    ] {
        let (start, end) = (
            format!("<!-- {name}:start -->\n"),
            format!("<!-- {name}:end -->"),
        );
        let from = readme.find(&start).expect("start marker") + start.len();
        let to = readme.find(&end).expect("end marker");
        let quoted: String = match name {
            // Text is shown as it is, in a code block.
            "replay-text" => text.to_owned(),
            _ => text
                .trim_end()
                .lines()
                .map(|line| {
                    if line.is_empty() {
                        ">\n".to_owned()
                    } else {
                        format!("> {line}\n")
                    }
                })
                .collect(),
        };
        if readme[from..to] != quoted {
            stale.push(name);
            readme.replace_range(from..to, &quoted);
        }
    }
    if std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(path, readme).unwrap();
    } else {
        assert!(stale.is_empty(), "README examples {stale:?} differ from the replay: UPDATE_README=1 cargo test --test it readme");
    }
}
