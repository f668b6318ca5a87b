use std::collections::HashMap;

use super::*;
use crate::cli::{ColorChoice, Format};
use crate::publish::{Print, Publish, SummaryTo};

fn load(pairs: &[(&str, &str)], cli: Cli) -> anyhow::Result<Config> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::load(&cli, &|name: &str| map.get(name).cloned())
}

const ACTIONS: &[(&str, &str)] = &[
    ("GITHUB_ACTIONS", "true"),
    ("GITHUB_REPOSITORY", "octo/app"),
    ("GITHUB_RUN_ID", "42"),
    ("GITHUB_RUN_ATTEMPT", "2"),
    ("INPUT_GITHUB-TOKEN", "t0ken"),
    ("GITHUB_WORKFLOW", "CI"),
];

fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    ACTIONS.iter().chain(extra).copied().collect()
}

#[test]
fn the_actions_environment_is_enough() {
    let config = load(ACTIONS, Cli::default()).unwrap();
    match config.source {
        Source::Api {
            run_id,
            attempt,
            token,
            repo,
            ..
        } => {
            assert_eq!((run_id, attempt, token.as_str()), (42, Some(2), "t0ken"));
            assert_eq!(repo.to_string(), "octo/app");
        }
        Source::Replay(_) | Source::LogFile { .. } => panic!("expected the API"),
    }
    assert_eq!(config.max_lines, 40);
    assert_eq!(
        config.delivery,
        Delivery::Publish(Publish {
            summary: Some(SummaryTo::Stdout(Print::Markdown)),
            comment: CommentMode::OnFailure,
            outputs: None,
        })
    );
    assert_eq!(config.comment_key.as_deref(), Some("CI"));
    assert!(!config.fail_on_error && config.in_actions && !config.progress);
}

#[test]
fn underscore_spelling_and_empty_values() {
    let config = load(
        &[
            ("GITHUB_REPOSITORY", "o/r"),
            ("GITHUB_RUN_ID", "1"),
            ("INPUT_GITHUB-TOKEN", ""),
            ("INPUT_GITHUB_TOKEN", "u"),
            ("INPUT_MAX_LINES", "7"),
            ("INPUT_COMMENT", ""),
        ],
        Cli {
            post: true,
            ..Cli::default()
        },
    )
    .unwrap();
    assert!(matches!(config.source, Source::Api { ref token, .. } if token == "u"));
    assert_eq!(config.max_lines, 7);
    assert!(matches!(
        config.delivery,
        Delivery::Publish(Publish {
            comment: CommentMode::OnFailure,
            ..
        })
    ));
}

#[test]
fn token_falls_back_to_github_token_then_gh_token() {
    let config = load(
        &[
            ("GITHUB_REPOSITORY", "o/r"),
            ("GITHUB_RUN_ID", "1"),
            ("GH_TOKEN", "gh"),
        ],
        Cli::default(),
    )
    .unwrap();
    assert!(matches!(config.source, Source::Api { ref token, .. } if token == "gh"));
}

#[test]
fn bad_values_name_the_input_and_what_is_allowed() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("INPUT_MAX-LINES", "lots")],
            "input `max-lines` must be a whole number from 1 to 1000, got `lots`",
        ),
        (
            &[("INPUT_MAX-LINES", "0")],
            "input `max-lines` must be a whole number from 1 to 1000, got `0`",
        ),
        (
            &[("INPUT_COMMENT", "sometimes")],
            "input `comment` must be `on-failure`, `always` or `never`, got `sometimes`",
        ),
        (
            &[("INPUT_SUMMARY", "yes")],
            "input `summary` must be `true` or `false`, got `yes`",
        ),
        (
            &[("INPUT_FAIL-ON-ERROR", "1")],
            "input `fail-on-error` must be `true` or `false`, got `1`",
        ),
        (
            &[("INPUT_DETECT-FLAKY", "maybe")],
            "input `detect-flaky` must be `true` or `false`, got `maybe`",
        ),
        (
            &[("INPUT_COMPARE_BASE", "no")],
            "input `compare-base` must be `true` or `false`, got `no`",
        ),
        (
            &[("INPUT_GROUP-ERRORS", "off")],
            "input `group-errors` must be `true` or `false`, got `off`",
        ),
        (
            &[("INPUT_RUN-ID", "abc")],
            "input `run-id` must be a run id (a number), got `abc`",
        ),
        (
            &[("INPUT_RUN-ATTEMPT", "0")],
            "input `run-attempt` must be a number from 1, got `0`",
        ),
        (
            &[("INPUT_PR-NUMBER", "#5")],
            "input `pr-number` must be a pull request number, got `#5`",
        ),
        (
            &[("INPUT_EXCLUDE-JOBS", "lint,[x")],
            "input `exclude-jobs`: `[x` is not a valid glob",
        ),
        (
            &[("GITHUB_REPOSITORY", "just-a-name")],
            "repository must be OWNER/REPO",
        ),
        (
            &[("GITHUB_RUN_ATTEMPT", "two")],
            "GITHUB_RUN_ATTEMPT must be a number from 1, got `two`",
        ),
        (
            &[
                ("INPUT_SUMMARY-TEMPLATE", "nope.hbs"),
                ("GITHUB_WORKSPACE", "/nonexistent"),
            ],
            "input `summary-template`: cannot read /nonexistent/nope.hbs",
        ),
    ];
    for (extra, expected) in cases {
        let env = with(extra);
        let error = format!("{:#}", load(&env, Cli::default()).unwrap_err());
        assert!(error.contains(expected), "{extra:?}: {error}");
        assert!(!error.contains('\n'), "one line: {error}");
    }
}

#[test]
fn missing_token_and_run_say_how_to_fix() {
    let error = load(
        &[("GITHUB_REPOSITORY", "o/r"), ("GITHUB_RUN_ID", "1")],
        Cli::default(),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("`github-token` input"),
        "{error}"
    );
    let error = load(
        &[("GITHUB_REPOSITORY", "o/r"), ("GH_TOKEN", "x")],
        Cli::default(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("--run-id"), "{error}");
}

#[test]
fn flags_override_inputs() {
    let cli = Cli {
        repo: Some("a/b".into()),
        run_id: Some(9),
        attempt: Some(3),
        max_lines: Some(5),
        ..Cli::default()
    };
    let config = load(
        &with(&[("INPUT_RUN-ID", "8"), ("INPUT_MAX-LINES", "6")]),
        cli,
    )
    .unwrap();
    assert!(matches!(
        config.source,
        Source::Api {
            run_id: 9,
            attempt: Some(3),
            ..
        }
    ));
    assert_eq!(config.max_lines, 5);
}

#[test]
fn an_explicit_run_id_does_not_inherit_the_current_attempt() {
    let config = load(&with(&[("INPUT_RUN-ID", "8")]), Cli::default()).unwrap();
    assert!(matches!(
        config.source,
        Source::Api {
            run_id: 8,
            attempt: None,
            ..
        }
    ));
}

#[test]
fn workflow_run_reports_on_the_triggering_run() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/events/workflow_run.completed.with-pull-requests.json"
    );
    let config = load(
        &with(&[
            ("GITHUB_EVENT_NAME", "workflow_run"),
            ("GITHUB_EVENT_PATH", path),
        ]),
        Cli::default(),
    )
    .unwrap();
    assert!(matches!(
        config.source,
        Source::Api {
            run_id: 289782451,
            attempt: Some(1),
            ..
        }
    ));
}

#[test]
fn exclude_jobs_accepts_commas_and_newlines() {
    let filter = JobFilter::parse("lint*, docs\n  report ").unwrap();
    assert!(
        filter.excludes("lint (ubuntu)") && filter.excludes("docs") && filter.excludes("report")
    );
    assert!(!filter.excludes("test"));
    assert!(!JobFilter::parse("").unwrap().excludes("anything"));
}

#[test]
fn insights_are_on_by_default_and_each_can_be_turned_off() {
    let config = load(ACTIONS, Cli::default()).unwrap();
    assert_eq!(config.insights, crate::insights::Options::default());
    let config = load(
        &with(&[
            ("INPUT_DETECT-FLAKY", "false"),
            ("INPUT_COMPARE-BASE", "false"),
            ("INPUT_GROUP-ERRORS", "false"),
        ]),
        Cli::default(),
    )
    .unwrap();
    assert!(
        !config.insights.detect_flaky
            && !config.insights.compare_base
            && !config.insights.group_errors
    );
}

#[test]
fn run_attempt_zero_is_rejected_before_any_request() {
    let err = load(&with(&[("GITHUB_RUN_ATTEMPT", "0")]), Cli::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("GITHUB_RUN_ATTEMPT must be a number from 1, got `0`"),
        "{err}"
    );
}

#[test]
fn a_trailing_slash_on_the_server_url_does_not_double_in_links() {
    let config = load(
        &with(&[("GITHUB_SERVER_URL", "https://ghe.example.com/ ")]),
        Cli::default(),
    )
    .unwrap();
    assert_eq!(config.server_url, "https://ghe.example.com");
}

#[test]
fn a_token_saved_with_a_trailing_newline_is_trimmed() {
    let config = load(&with(&[("INPUT_GITHUB-TOKEN", "t0ken\n")]), Cli::default()).unwrap();
    assert!(matches!(config.source, Source::Api { ref token, .. } if token == "t0ken"));
}

#[test]
fn a_token_no_header_can_carry_is_rejected_with_advice() {
    for bad in ["t0k\nen", "two words", "t\u{7f}k"] {
        let err = load(&with(&[("INPUT_GITHUB-TOKEN", bad)]), Cli::default()).unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("check the secret behind `github-token`"),
            "{bad:?}: {text}"
        );
        assert!(!text.contains(bad), "the token must not be echoed: {text}");
    }
}

#[test]
fn the_api_url_needs_a_scheme_and_a_host() {
    for bad in ["127.0.0.1:8080", "ftp://x", "api.github.com", "http://"] {
        let err = load(&with(&[("GITHUB_API_URL", bad)]), Cli::default()).unwrap_err();
        assert!(
            format!("{err:#}").contains("is not an http:// or https:// URL"),
            "{bad}: {err:#}"
        );
    }
    let config = load(
        &with(&[("GITHUB_API_URL", "http://127.0.0.1:8080/api/v3/")]),
        Cli::default(),
    )
    .unwrap();
    assert!(
        matches!(config.source, Source::Api { ref api_url, .. } if api_url == "http://127.0.0.1:8080/api/v3")
    );
}

fn load_on(pairs: &[(&str, &str)], cli: Cli, terminal: Terminal) -> Config {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::load_on(&cli, &|name: &str| map.get(name).cloned(), terminal).unwrap()
}

/// A laptop: a repository and a run, a token, no `GITHUB_ACTIONS`.
const LAPTOP: &[(&str, &str)] = &[
    ("GITHUB_REPOSITORY", "octo/app"),
    ("GITHUB_RUN_ID", "42"),
    ("GITHUB_TOKEN", "t0ken"),
];

const TTY: Terminal = Terminal {
    stdout: true,
    stderr: true,
};

#[test]
fn from_a_terminal_it_only_reads_and_prints_text_with_colour_and_progress() {
    let config = load_on(LAPTOP, Cli::default(), TTY);
    assert_eq!(
        config.delivery,
        Delivery::Print(Print::Text { color: true })
    );
    assert!(config.progress);
    // Even with the runner's files named: writing needs --post.
    let files = [
        LAPTOP,
        &[
            ("GITHUB_STEP_SUMMARY", "/tmp/s"),
            ("GITHUB_OUTPUT", "/tmp/o"),
        ],
    ]
    .concat();
    let config = load_on(&files, Cli::default(), TTY);
    assert_eq!(
        config.delivery,
        Delivery::Print(Print::Text { color: true })
    );
}

#[test]
fn piped_it_prints_markdown_and_shows_no_progress_where_stderr_is_not_a_terminal() {
    let piped = Terminal {
        stdout: false,
        stderr: true,
    };
    let config = load_on(LAPTOP, Cli::default(), piped);
    assert_eq!(config.delivery, Delivery::Print(Print::Markdown));
    assert!(config.progress, "stderr is still a terminal");
    let config = load_on(LAPTOP, Cli::default(), Terminal::default());
    assert!(!config.progress);
}

#[test]
fn colour_follows_the_flag_then_no_color_and_dumb_terminals() {
    let text = |pairs: &[(&str, &str)], color: ColorChoice, terminal: Terminal| {
        let cli = Cli {
            format: Some(Format::Text),
            color,
            ..Cli::default()
        };
        match load_on(&[LAPTOP, pairs].concat(), cli, terminal).delivery {
            Delivery::Print(Print::Text { color }) => color,
            other => panic!("{other:?}"),
        }
    };
    assert!(text(&[], ColorChoice::Auto, TTY));
    assert!(!text(&[("NO_COLOR", "1")], ColorChoice::Auto, TTY));
    assert!(
        text(&[("NO_COLOR", "")], ColorChoice::Auto, TTY),
        "empty is unset"
    );
    assert!(!text(&[("TERM", "dumb")], ColorChoice::Auto, TTY));
    assert!(!text(&[], ColorChoice::Auto, Terminal::default()));
    assert!(text(
        &[("NO_COLOR", "1")],
        ColorChoice::Always,
        Terminal::default()
    ));
    assert!(!text(&[], ColorChoice::Never, TTY));
}

#[test]
fn post_publishes_from_a_terminal_and_the_summary_goes_where_it_can() {
    let post = || Cli {
        post: true,
        ..Cli::default()
    };
    let config = load_on(LAPTOP, post(), TTY);
    assert_eq!(
        config.delivery,
        Delivery::Publish(Publish {
            summary: Some(SummaryTo::Stdout(Print::Text { color: true })),
            comment: CommentMode::OnFailure,
            outputs: None,
        })
    );
    let file = [
        LAPTOP,
        &[("GITHUB_STEP_SUMMARY", "/tmp/s"), ("INPUT_SUMMARY", "true")],
    ]
    .concat();
    let config = load_on(&file, post(), Terminal::default());
    assert!(matches!(
        config.delivery,
        Delivery::Publish(Publish {
            summary: Some(SummaryTo::File(_)),
            ..
        })
    ));
}

#[test]
fn inside_actions_nothing_changes() {
    // A runner's stdout is not a terminal, but even if it were: no text, no colour, no progress.
    let config = load_on(ACTIONS, Cli::default(), TTY);
    assert!(matches!(config.delivery, Delivery::Publish(_)));
    assert!(!config.progress);
    let dry = Cli {
        dry_run: true,
        ..Cli::default()
    };
    let config = load_on(ACTIONS, dry, TTY);
    assert_eq!(config.delivery, Delivery::Print(Print::Markdown));
    let json = Cli {
        format: Some(Format::Json),
        ..Cli::default()
    };
    let config = load_on(ACTIONS, json, TTY);
    assert_eq!(config.delivery, Delivery::Print(Print::Json));
}
