//! Markdown-safe rendering of hostile text.
//!
//! Job names, step names, branch names, annotation messages and log lines are written by whoever
//! controls a pull request. Everything in this module turns such text into markdown that GitHub
//! (cmark-gfm plus its HTML filters) renders as plain, inert text:
//!
//! - [`code_block`] for log excerpts: a fenced block the text cannot close;
//! - [`inline`] / [`escape_markdown`] for text placed outside code blocks, including table cells,
//!   `<summary>` lines and HTML attribute values;
//! - [`link`] for our own (API) URLs with untrusted link text;
//! - [`truncate_markdown_safe`] for byte budgets.
//!
//! [`register_helpers`] / [`configure`] wire these into a Handlebars registry so that `{{x}}` in a
//! template is markdown-safe by default.
//!
//! Pure: no I/O, no allocation proportional to anything but the input.

mod helpers;
#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;

pub use helpers::{configure, register_helpers};

use std::fmt::Write as _;

/// Zero-width space as a numeric character reference. Inserted after `@`, `#`, `GH-`, `:` (in
/// `://`) and `www` so GitHub's mention, reference and autolink filters — which run on the
/// rendered text — no longer match, while the text still reads the same.
const ZWSP: &str = "&#8203;";

/// Wraps `text` in a fenced code block that nothing inside `text` can close.
///
/// The text is first normalised by [`normalize_code_text`] (line endings to `\n`, control
/// characters to U+FFFD). The fence character is whichever of `` ` `` and `~` has the shorter
/// longest run in the text, and the fence is one longer than that run (at least 3).
///
/// Why nothing can close it: per CommonMark, a fenced block ends only at a line holding (after at
/// most 3 spaces of indentation) a run of the *same* fence character at least as long as the
/// opening fence, or at the end of the enclosing container. No run of the fence character in the
/// text is that long, so the block ends exactly at our closing fence. The block has no info
/// string, so the fence line itself cannot be subverted either.
///
/// The result starts with the fence and ends with `\n`; place it at the start of a line, at the
/// top level of the document (inside `<details>` leave a blank line after `<summary>…</summary>`).
///
/// ```
/// use failure_digest::render::markdown::code_block;
/// // A log line made of a backtick fence cannot end the block: the fence is longer.
/// assert_eq!(code_block("```\n<script>"), "~~~\n```\n<script>\n~~~\n");
/// ```
pub fn code_block(text: &str) -> String {
    let body = normalize_code_text(text);
    let backticks = longest_run(&body, '`');
    let tildes = longest_run(&body, '~');
    let (ch, run) = if backticks <= tildes {
        ('`', backticks)
    } else {
        ('~', tildes)
    };
    let fence: String = std::iter::repeat_n(ch, (run + 1).max(3)).collect();

    let mut out = String::with_capacity(body.len() + 2 * fence.len() + 3);
    out.push_str(&fence);
    out.push('\n');
    out.push_str(&body);
    if !body.is_empty() && !body.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

/// `text` as one inline code span: on one line (as [`normalize_inline`] makes it), between
/// backtick fences longer than any run of backticks in it, so nothing in it can end the span;
/// inside a span nothing is markup, an `@mention` pings no one and HTML is text. Not for a table
/// cell (a `|` still splits it). Empty text gives an empty string.
///
/// ```
/// use failure_digest::render::markdown::code_span;
/// assert_eq!(code_span("gh run rerun 1 --failed"), "`gh run rerun 1 --failed`");
/// assert_eq!(code_span("a`b"), "``a`b``");
/// ```
pub fn code_span(text: &str) -> String {
    let body = normalize_inline(text);
    if body.is_empty() {
        return String::new();
    }
    let fence = "`".repeat(longest_run(&body, '`') + 1);
    // A span that starts or ends with a backtick needs a space inside the fence (CommonMark
    // strips one on each side).
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// The text [`code_block`] puts between its fences (minus the final newline it may add):
/// `\r\n` and lone `\r` become `\n`; NUL, ESC and every other control character except `\n` and
/// `\t` become U+FFFD. Everything else is kept verbatim.
pub fn normalize_code_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push(char::REPLACEMENT_CHARACTER),
            c => out.push(c),
        }
    }
    out
}

fn longest_run(s: &str, ch: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in s.chars() {
        if c == ch {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// Escapes untrusted text for use anywhere outside a code block or code span: in a paragraph, in
/// a GFM table cell, in link text, inside an HTML block such as `<summary>…</summary>`, or in a
/// double- or single-quoted HTML attribute value.
///
/// - Whitespace runs (including `\n`, `\r`, tab, U+2028…) collapse to one space and the ends are
///   trimmed, so the text is one line and cannot start a block (heading, list, quote, table,
///   indented code) or end one.
/// - Other control characters and bidirectional overrides become U+FFFD.
/// - Markdown and HTML punctuation — `` & < > " ' \ ` * _ [ ] | ~ { } $ ^ ! # `` — becomes a
///   numeric or named character reference. References are decoded back to the literal character
///   by every consumer, but CommonMark never treats them as syntax, and unlike backslash escapes
///   they also work inside HTML blocks and attributes. `|` therefore cannot split a table row and
///   `<` cannot open `<details>`, `<img>`, `<script>` or `<!--`. A leading `-`, `+`, `=`, `:`, `.`
///   and a `.` or `)` after a leading number are encoded too, so no list item or setext underline
///   forms. `(` and `)` stay otherwise: with `[` and `]` encoded they cannot make a link.
/// - Mentions and references are broken with a zero-width space (as Renovate does): `@user`,
///   `@org/team` → `@&#8203;user`; `#123`, `owner/repo#123` → `#&#8203;123`; `GH-123` →
///   `GH-&#8203;123`.
/// - URLs stay text: GitHub autolinks `scheme://…` and `www.…` even without `<>`, so a zero-width
///   space goes after the `:` of `://` and after `www`. E-mail autolinks are already broken by
///   the `@` rule.
///
/// The output is longer than the input (up to ~10x for pure punctuation); cap the input with
/// [`inline_capped`] when the text can be long.
///
/// ```
/// use failure_digest::render::markdown::inline;
/// // No ping, no HTML, no extra table cell.
/// assert_eq!(inline("@octocat <b>|"), "@&#8203;octocat &lt;b&gt;&#124;");
/// ```
pub fn inline(text: &str) -> String {
    escape_normalized(&normalize_inline(text))
}

/// [`inline`] for Handlebars: register with `Handlebars::register_escape_fn` so that `{{x}}` is
/// markdown-safe by default (see [`configure`]).
pub fn escape_markdown(s: &str) -> String {
    inline(s)
}

/// [`inline`] after capping the (normalised) text at `max_chars` characters, the last of which is
/// then `…`. The cap applies before escaping, so it never splits a character or a character
/// reference. `max_chars == 0` gives an empty string.
pub fn inline_capped(text: &str, max_chars: usize) -> String {
    let norm = normalize_inline(text);
    if norm.chars().count() <= max_chars {
        return escape_normalized(&norm);
    }
    if max_chars == 0 {
        return String::new();
    }
    let keep: String = norm.chars().take(max_chars - 1).collect();
    let mut capped = keep.trim_end().to_owned();
    capped.push('…');
    escape_normalized(&capped)
}

/// One line, single spaces, trimmed; control and bidi characters replaced.
pub fn normalize_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(if c.is_control() || is_bidi_control(c) {
            char::REPLACEMENT_CHARACTER
        } else {
            c
        });
    }
    out
}

/// Explicit bidirectional formatting characters ("Trojan Source"): they can make a name display
/// as something else.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn escape_normalized(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    let leading_digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    for (i, &c) in chars.iter().enumerate() {
        let prev = |n: usize| i.checked_sub(n).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // `(` and `)` stay: with `[` and `]` escaped they cannot form a link, and matrix job
            // names (`test (ubuntu-latest, stable)`) are full of them.
            '\'' | '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '{' | '}' | '$' | '^' | '!' => {
                numeric_ref(&mut out, c)
            }
            '#' => {
                out.push_str("&#35;");
                if next.is_some_and(|n| n.is_alphanumeric()) {
                    out.push_str(ZWSP);
                }
            }
            '@' => {
                out.push('@');
                out.push_str(ZWSP);
            }
            // Could start a list item, thematic break, setext underline or definition.
            '-' | '+' | '=' | ':' | '.' if i == 0 => numeric_ref(&mut out, c),
            // `1.` and `1)` at the start of a line are ordered list items.
            '.' | ')' if i == leading_digits => numeric_ref(&mut out, c),
            ':' if next == Some('/') && chars.get(i + 2) == Some(&'/') => {
                out.push(':');
                out.push_str(ZWSP);
            }
            '-' if next.is_some_and(|n| n.is_ascii_digit())
                && prev(1).is_some_and(|p| p.eq_ignore_ascii_case(&'h'))
                && prev(2).is_some_and(|p| p.eq_ignore_ascii_case(&'g')) =>
            {
                out.push('-');
                out.push_str(ZWSP);
            }
            '.' if (1..=3).all(|n| prev(n).is_some_and(|p| p.eq_ignore_ascii_case(&'w'))) => {
                out.push_str(ZWSP);
                out.push('.');
            }
            c => out.push(c),
        }
    }
    out
}

fn numeric_ref(out: &mut String, c: char) {
    let _ = write!(out, "&#{};", c as u32);
}

/// A markdown link to one of our own URLs (from the API) with untrusted link text.
///
/// The text goes through [`inline`]. The URL must be `http://` or `https://` with a host;
/// otherwise only the escaped text is returned, unlinked. Characters that could end the link
/// destination or break a table (space, `(`, `)`, `<`, `>`, `|`, `` ` ``, `\`, `"`, `'`, braces,
/// brackets, `^`, controls, non-ASCII) are percent-encoded and `&` is written as `&amp;`, which
/// CommonMark decodes back to `&` in a destination.
pub fn link(text: &str, url: &str) -> String {
    match safe_url(url) {
        Some(url) => format!("[{}]({})", inline(text), url),
        None => inline(text),
    }
}

/// The link-destination form of `url` used by [`link`], or `None` if it is not an absolute
/// http(s) URL.
pub fn safe_url(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return None;
    };
    if rest.is_empty() || rest.starts_with('/') {
        return None;
    }
    let mut out = String::with_capacity(url.len() + 8);
    for b in url.bytes() {
        match b {
            b'&' => out.push_str("&amp;"),
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => out.push(b as char),
            b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'?' | b'#' | b'@' | b'!' | b'$' | b'*'
            | b'+' | b',' | b';' | b'=' | b'%' => out.push(b as char),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    Some(out)
}

/// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a UTF-8
/// character or inside a character reference (`&amp;`, `&#8203;`). Block structure (fences,
/// HTML tags) is the caller's business: cut at a line boundary of trusted markup, or truncate
/// the untrusted text before rendering it.
pub fn truncate_markdown_safe(s: &str, max_bytes: usize) -> &str {
    if s.len() <= max_bytes {
        return s;
    }
    let mut end = max_bytes;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    if let Some(amp) = s[..end].rfind('&') {
        let tail = &s.as_bytes()[amp + 1..end];
        if tail.len() <= 32 && tail.iter().all(|b| b.is_ascii_alphanumeric() || *b == b'#') {
            end = amp;
        }
    }
    &s[..end]
}
