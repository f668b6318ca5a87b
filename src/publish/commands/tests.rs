use super::*;
use proptest::prelude::*;

#[test]
fn escapes_like_actions_core() {
    assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
    assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
    // `%` first, so an escape sequence already in the text survives as text.
    assert_eq!(escape_data("%0A"), "%250A");
    assert_eq!(escape_property("::"), "%3A%3A");
}

#[test]
fn annotations() {
    assert_eq!(error("boom", None, None), "::error::boom");
    assert_eq!(
        warning("log gone\n::add-mask::x", Some("src/a,b:c.rs"), Some(7)),
        "::warning file=src/a%2Cb%3Ac.rs,line=7::log gone%0A::add-mask::x"
    );
    assert_eq!(notice("n", None, Some(3)), "::notice line=3::n");
    assert_eq!(error("e", Some(""), None), "::error::e");
    assert_eq!(
        command("error", &[("title", "a::b"), ("col", "2")], "100%"),
        "::error title=a%3A%3Ab,col=2::100%25"
    );
    let line = error("x\ny\rz", Some("f\nf"), Some(1));
    assert_eq!(line, "::error file=f%0Af,line=1::x%0Ay%0Dz");
}

#[test]
fn tokens_are_128_bit_hex_and_distinct() {
    let a = random_token();
    let b = random_token();
    assert_eq!(a.len(), 32);
    assert!(a
        .bytes()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_ne!(a, b);
    let f1 = fallback_random();
    let f2 = fallback_random();
    assert_ne!(f1, f2);
}

/// Lines the runner would still act on: while a stop-commands section is open only its
/// `::TOKEN::` line counts. The runner splits stdout at `\n`, `\r\n` and lone `\r`.
fn live_commands(stdout: &str) -> Vec<String> {
    let mut live = Vec::new();
    let mut stopped: Option<String> = None;
    for line in stdout.split(['\n', '\r']) {
        let line = line.trim_start();
        match &stopped {
            Some(token) => {
                if line == format!("::{token}::") {
                    stopped = None;
                }
            }
            None => {
                if let Some(token) = line.strip_prefix("::stop-commands::") {
                    stopped = Some(token.to_owned());
                } else if line.starts_with("::") || line.starts_with("##[") {
                    live.push(line.to_owned());
                }
            }
        }
    }
    assert!(stopped.is_none(), "section left open: {stdout:?}");
    live
}

#[test]
fn fenced_text_cannot_issue_commands() {
    for nasty in [
        "::add-mask::secret",
        "::error::x\n::set-output name=a::b",
        "no newline at end ::error::x",
        "::stop-commands::abc\n::abc::\n::error::after",
        "a\r::error::cr",
        "##[error]old style",
        "",
        "\n",
    ] {
        let out = fenced(nasty);
        assert!(out.ends_with("::\n"));
        let mut stdout = out.clone();
        stdout.push_str(&error("ours", None, None));
        assert_eq!(live_commands(&stdout), vec!["::error::ours"], "{out:?}");
    }
    let s = StopCommands::new();
    assert_eq!(s.start(), format!("::stop-commands::{}", s.token()));
    assert_eq!(s.end(), format!("::{}::", s.token()));
}

/// `$GITHUB_OUTPUT` parsing as the runner does it (`FileCommandManager`: lines split at `\n`
/// with a preceding `\r` dropped; `name=value`, or `name<<DELIM` up to a line equal to DELIM
/// whose value is the raw text between, minus the newline before DELIM).
fn parse_output_file(text: &str) -> Result<Vec<(String, String)>, String> {
    fn read_line<'a>(text: &'a str, index: &mut usize) -> Option<(&'a str, Option<usize>)> {
        if *index >= text.len() {
            return None;
        }
        let rest = &text[*index..];
        let Some(nl) = rest.find('\n') else {
            *index = text.len();
            return Some((rest, None));
        };
        let (line, newline_len) = match rest[..nl].strip_suffix('\r') {
            Some(line) => (line, 2),
            None => (&rest[..nl], 1),
        };
        *index += nl + 1;
        Some((line, Some(newline_len)))
    }

    let mut entries = Vec::new();
    let mut index = 0;
    while let Some((line, _)) = read_line(text, &mut index) {
        if line.is_empty() {
            continue;
        }
        let eq = line.find('=');
        let heredoc = line.find("<<");
        match (eq, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                entries.push((line[..e].to_owned(), line[e + 1..].to_owned()));
            }
            (_, Some(h)) => {
                let (name, delimiter) = (&line[..h], &line[h + 2..]);
                let start = index;
                let mut end = start;
                loop {
                    let (l, newline) = read_line(text, &mut index)
                        .ok_or(format!("matching delimiter not found {delimiter:?}"))?;
                    if l == delimiter {
                        break;
                    }
                    let newline = newline.ok_or("EOF marker missing new line")?;
                    end = index - newline;
                }
                entries.push((name.to_owned(), text[start..end.max(start)].to_owned()));
            }
            _ => return Err(format!("invalid line {line:?}")),
        }
    }
    Ok(entries)
}

#[test]
fn output_entries() {
    assert_eq!(output_entry("failed-jobs", "3"), "failed-jobs=3\n");
    assert_eq!(output_entry("comment-url", ""), "comment-url=\n");
    assert_eq!(output_entry("x", "a=b<<c"), "x=a=b<<c\n");
    let multi = output_entry("x", "a\nb");
    assert!(multi.starts_with("x<<ghadelimiter_"));
    assert!(multi.ends_with('\n'));
    for value in [
        "a\nb",
        "\n",
        "a\n",
        "\r\n",
        "a\rb",
        "EOF\nghadelimiter_\n",
        "x\r\ny",
    ] {
        let file = output_entry("x", value);
        assert_eq!(
            parse_output_file(&file),
            Ok(vec![("x".to_owned(), value.to_owned())]),
            "{file:?}"
        );
    }
}

fn nasty_value() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\r".to_owned()),
        Just("=".to_owned()),
        Just("<<".to_owned()),
        Just("ghadelimiter_".to_owned()),
        Just("EOF".to_owned()),
        Just("::error::x".to_owned()),
        "[a-f0-9]{0,8}",
        any::<String>(),
    ];
    prop::collection::vec(token, 0..12).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn output_entry_round_trips(name in "[a-z][a-z0-9_-]{0,15}", value in nasty_value()) {
        let file = output_entry(&name, &value);
        // The runner drops a `\r` before the newline that ends a heredoc value.
        let expected = if value.contains('\n') || value.contains('\r') {
            value.strip_suffix('\r').unwrap_or(&value).to_owned()
        } else {
            value.clone()
        };
        prop_assert_eq!(parse_output_file(&file), Ok(vec![(name.clone(), expected)]));
        if value.contains(['\n', '\r']) {
            let header = file.split('\n').next().unwrap_or_default();
            let delimiter = header.strip_prefix(&format!("{name}<<")).unwrap_or_default();
            prop_assert!(delimiter.len() > 32, "{:?}", header);
            prop_assert!(!value.contains(delimiter));
        }
    }

    #[test]
    fn fenced_never_leaks_a_command(text in nasty_value()) {
        let mut stdout = fenced(&text);
        stdout.push_str(&error(&text, Some(&text), Some(1)));
        stdout.push('\n');
        let live = live_commands(&stdout);
        prop_assert_eq!(live.len(), 1);
        prop_assert!(live[0].starts_with("::error "), "{:?}", live);
    }
}
