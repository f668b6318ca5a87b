//! Parsing rendered markdown back with pulldown-cmark, for the unit and property tests.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{inline, normalize_code_text};

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_MATH
        | Options::ENABLE_GFM
}

pub fn events(md: &str) -> Vec<Event<'_>> {
    Parser::new_ext(md, options()).collect()
}

/// The concatenated text of the events (text, code, HTML alike).
pub fn text_of(events: &[Event<'_>]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t)
            | Event::Code(t)
            | Event::Html(t)
            | Event::InlineHtml(t)
            | Event::InlineMath(t)
            | Event::DisplayMath(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push('\n'),
            _ => {}
        }
    }
    s
}

/// The code blocks of a document: their texts.
pub fn code_blocks(md: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for e in events(md) {
        match e {
            Event::Start(Tag::CodeBlock(_)) => current = Some(String::new()),
            Event::End(TagEnd::CodeBlock) => blocks.extend(current.take()),
            Event::Text(t) => {
                if let Some(c) = current.as_mut() {
                    c.push_str(&t);
                }
            }
            _ => {}
        }
    }
    blocks
}

/// Everything about an inline rendering that would mean the text escaped its context: any tag
/// other than paragraph/table structure, HTML, code, math, breaks, footnotes, task markers.
pub fn violations(events: &[Event<'_>]) -> Vec<String> {
    let mut bad = Vec::new();
    let mut tables = 0;
    for e in events {
        match e {
            Event::Start(Tag::Table(_)) => {
                tables += 1;
                if tables > 1 {
                    bad.push("second table".to_owned());
                }
            }
            Event::Start(Tag::Paragraph | Tag::TableHead | Tag::TableRow | Tag::TableCell)
            | Event::End(_)
            | Event::Text(_)
            | Event::SoftBreak => {}
            other => bad.push(format!("{other:?}")),
        }
    }
    bad
}

/// The cells of every table row, as counts.
pub fn row_widths(events: &[Event<'_>]) -> Vec<usize> {
    let mut widths = Vec::new();
    let mut cells = 0;
    for e in events {
        match e {
            Event::Start(Tag::TableHead | Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => widths.push(cells),
            _ => {}
        }
    }
    widths
}

/// Mention, reference or bare-URL shapes GitHub would turn into a notification or a link.
pub fn live_references(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let word = next.is_some_and(|n| n.is_alphanumeric() || n == '_' || n == '-');
        if c == '@' && word {
            found.push(format!("mention at {i}"));
        }
        if c == '#' && next.is_some_and(|n| n.is_ascii_digit()) {
            found.push(format!("reference at {i}"));
        }
        if c == '-'
            && next.is_some_and(|n| n.is_ascii_digit())
            && i >= 2
            && chars[i - 2].eq_ignore_ascii_case(&'g')
            && chars[i - 1].eq_ignore_ascii_case(&'h')
        {
            found.push(format!("GH- reference at {i}"));
        }
    }
    let lower = text.to_lowercase();
    if lower.contains("://") {
        found.push("scheme://".to_owned());
    }
    if lower.contains("www.") {
        found.push("www.".to_owned());
    }
    found
}

/// Embeds `block` between two paragraphs and checks the document is exactly: paragraph
/// "before", one code block holding `expected`, paragraph "after".
pub fn assert_contained_block(block: &str, expected: &str) {
    let doc = format!("before\n\n{block}\nafter\n");
    let mut shape = Vec::new();
    let mut code = String::new();
    let mut in_code = false;
    for e in events(&doc) {
        match e {
            Event::Start(Tag::CodeBlock(_)) => {
                in_code = true;
                shape.push("code".to_owned());
            }
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) if in_code => code.push_str(&t),
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {}
            other => shape.push(format!("{other:?}")),
        }
    }
    assert_eq!(
        shape,
        [
            r#"Text(Borrowed("before"))"#,
            "code",
            r#"Text(Borrowed("after"))"#
        ],
        "doc: {doc:?}"
    );
    assert_eq!(code, expected, "doc: {doc:?}");
}

pub fn expected_code(text: &str) -> String {
    let mut s = normalize_code_text(text);
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Renders `s` in a paragraph, on its own line, under a paragraph line (setext), and in a table
/// cell; asserts nothing escapes and returns the paragraph's text.
pub fn assert_inline_contained(s: &str) -> String {
    let x = inline(s);
    assert!(!x.contains('\n') && !x.contains('\r'), "{x:?}");
    let para = format!("before {x} after\n");
    let evs = events(&para);
    assert!(
        violations(&evs).is_empty(),
        "{para:?}: {:?}",
        violations(&evs)
    );
    let text = text_of(&evs);
    assert!(live_references(&text).is_empty(), "{para:?}: {text:?}");

    for doc in [
        format!("{x}\n"),
        format!("para\n{x}\n"),
        format!("> q\n{x}\n"),
    ] {
        let evs = events(&doc);
        let bad: Vec<_> = violations(&evs)
            .into_iter()
            .filter(|v| !v.contains("BlockQuote"))
            .collect();
        assert!(bad.is_empty(), "{doc:?}: {bad:?}");
    }

    let table = format!("| a | b |\n|---|---|\n| {x} | z |\n");
    let evs = events(&table);
    assert!(
        violations(&evs).is_empty(),
        "{table:?}: {:?}",
        violations(&evs)
    );
    assert_eq!(row_widths(&evs), vec![2, 2], "{table:?}");
    assert!(live_references(&text_of(&evs)).is_empty(), "{table:?}");
    text
}
