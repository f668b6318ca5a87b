//! Parsing rendered markdown back with pulldown-cmark, for the unit and property tests.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

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
