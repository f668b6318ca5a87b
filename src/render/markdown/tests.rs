use super::testutil::{
    assert_contained_block, assert_inline_contained, events, expected_code, live_references,
    row_widths, text_of,
};
use super::*;

#[test]
fn code_block_simple() {
    assert_eq!(code_block("a\nb"), "```\na\nb\n```\n");
    assert_eq!(code_block("a\n"), "```\na\n```\n");
    assert_eq!(code_block(""), "```\n```\n");
    assert_contained_block(&code_block(""), "");
    assert_contained_block(&code_block("\n"), "\n");
}

#[test]
fn code_block_cannot_be_closed() {
    for nasty in [
        "```",
        "```\n# pwned\n```",
        "````````````",
        "   ```",
        "  ````\n<details>",
        "~~~",
        "~~~\n```\n~~~~~~",
        "``` ```` `````\n~~~~~ ~~",
        "line\n```\n@everyone #1",
        "trailing backticks ``",
        "\u{0}\u{1b}[31mred\u{1b}[0m\u{7f}\u{85}",
        "crlf\r\n```\r\nlone cr\r```\r",
        "\ttab\t\n",
        "<!--\n<script>alert(1)</script>",
        "\n\n\n",
        "    indented ```",
    ] {
        let block = code_block(nasty);
        assert_contained_block(&block, &expected_code(nasty));
        assert!(block.ends_with('\n'));
    }
}

#[test]
fn code_block_picks_the_cheaper_fence() {
    let backticks = "x".to_owned() + &"`".repeat(50);
    assert!(code_block(&backticks).starts_with("~~~\n"));
    let both = format!("{}\n{}", "`".repeat(10), "~".repeat(4));
    assert!(code_block(&both).starts_with("~~~~~\n"));
    assert!(code_block("```").starts_with("~~~\n"));
    assert!(code_block("~~~").starts_with("```\n"));
    assert!(code_block("``` ~~~~").starts_with("````\n"));
}

#[test]
fn code_text_normalisation() {
    assert_eq!(normalize_code_text("a\r\nb\rc\n"), "a\nb\nc\n");
    assert_eq!(normalize_code_text("\0x\u{1b}"), "\u{fffd}x\u{fffd}");
    assert_eq!(normalize_code_text("tab\there"), "tab\there");
    assert_eq!(normalize_code_text("é 日本 🦀"), "é 日本 🦀");
}

#[test]
fn inline_neutralises_markup() {
    for nasty in [
        "<details><summary>x</summary>",
        "<img src=x onerror=alert(1)>",
        "<script>alert(1)</script>",
        "<!-- hidden",
        "a | b | c",
        "# heading",
        "## [link](https://evil.example)",
        "![img](https://evil.example/x.png)",
        "- item",
        "+ item",
        "* item",
        "1. item",
        "1) item",
        "> quote",
        "===",
        "---",
        "- - -",
        "***",
        "```rust",
        "~~~",
        "`code`",
        "    indented",
        "*em* **strong** _u_ ~~del~~",
        "[ref]: https://evil.example",
        "[^1]",
        "$x^2$",
        "$$\nx\n$$",
        "\\",
        "trailing\\",
        "- [ ] task",
        "line1\nline2\r\n# line3\r> line4",
        "<https://evil.example>",
        "&lt;script&gt;",
        "&#64;user",
        "\u{0}nul\u{1b}[1m",
        "\u{202e}evil\u{202c}",
        "",
        "   ",
    ] {
        assert_inline_contained(nasty);
    }
}

#[test]
fn inline_breaks_mentions_references_and_urls() {
    for nasty in [
        "@user",
        "@org/team",
        "ping @octocat!",
        "fixes #123",
        "owner/repo#123",
        "GH-123 gh-7",
        "#1",
        "email a@b.example",
        "https://evil.example/path",
        "HTTP://EVIL.example",
        "see www.evil.example",
        "WWW.evil.example",
        "ftp://x",
    ] {
        assert_inline_contained(nasty);
    }
    assert_eq!(inline("@user"), "@&#8203;user");
    assert_eq!(inline("#123"), "&#35;&#8203;123");
    assert_eq!(inline("a#b"), "a&#35;&#8203;b");
    assert_eq!(inline("C# code"), "C&#35; code");
    assert_eq!(inline("GH-1"), "GH-&#8203;1");
    assert_eq!(inline("https://x"), "https:&#8203;//x");
    assert_eq!(inline("www.x"), "www&#8203;.x");
}

#[test]
fn inline_keeps_plain_text_readable() {
    assert_eq!(
        inline("build (ubuntu-latest, 1.75)"),
        "build (ubuntu-latest, 1.75)"
    );
    assert_eq!(inline("  a \n\t b  "), "a b");
    assert_eq!(inline("日本語 🦀"), "日本語 🦀");
    assert_eq!(inline("a < b & c"), "a &lt; b &amp; c");
    assert_eq!(inline("-x"), "&#45;x");
    assert_eq!(inline("12. x"), "12&#46; x");
    assert_eq!(
        assert_inline_contained("build (ubuntu-latest, 1.75) | test"),
        "before build (ubuntu-latest, 1.75) | test after"
    );
}

#[test]
fn inline_caps_by_characters() {
    assert_eq!(inline_capped("abcdef", 10), "abcdef");
    assert_eq!(inline_capped("abcdef", 6), "abcdef");
    assert_eq!(inline_capped("abcdef", 4), "abc…");
    assert_eq!(inline_capped("abcdef", 1), "…");
    assert_eq!(inline_capped("abcdef", 0), "");
    assert_eq!(inline_capped("日本語日本語", 3), "日本…");
    assert_eq!(inline_capped("<<<<<<", 3), "&lt;&lt;…");
    assert_eq!(inline_capped("ab cd", 4), "ab…");
}

#[test]
fn link_checks_and_encodes_the_url() {
    assert_eq!(
        link("job", "https://github.com/o/r/actions/runs/1/job/2"),
        "[job](https://github.com/o/r/actions/runs/1/job/2)"
    );
    assert_eq!(
        link("x", "https://h/a b(c)<d>|e`f\\g\"h'i{j}k^l&m"),
        "[x](https://h/a%20b%28c%29%3Cd%3E%7Ce%60f%5Cg%22h%27i%7Bj%7Dk%5El&amp;m)"
    );
    assert_eq!(link("x", "https://h/é"), "[x](https://h/%C3%A9)");
    assert_eq!(
        link("[x](javascript:alert(1))", "javascript:alert(1)"),
        inline("[x](javascript:alert(1))")
    );
    assert_eq!(link("x", "https://"), "x");
    assert_eq!(link("x", "http:///etc"), "x");
    assert_eq!(link("x", "data:text/html,<script>"), "x");
    assert!(link("x", "HTTPS://h").starts_with("[x](HTTPS://h)"));

    let md = link("] @user <b>", "https://h/p?q=1&r=(2)");
    let doc = format!("| a |\n|---|\n| {md} |\n");
    let evs = events(&doc);
    assert_eq!(row_widths(&evs), vec![1, 1]);
    let links: Vec<_> = evs
        .iter()
        .filter_map(|e| match e {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { dest_url, .. }) => {
                Some(dest_url.to_string())
            }
            _ => None,
        })
        .collect();
    assert_eq!(links, vec!["https://h/p?q=1&r=%282%29".to_owned()]);
    assert!(live_references(&text_of(&evs)).is_empty());
}

#[test]
fn truncation_respects_chars_and_references() {
    assert_eq!(truncate_markdown_safe("abc", 10), "abc");
    assert_eq!(truncate_markdown_safe("abc", 2), "ab");
    assert_eq!(truncate_markdown_safe("é", 1), "");
    assert_eq!(truncate_markdown_safe("a🦀b", 4), "a");
    assert_eq!(truncate_markdown_safe("a&amp;b", 4), "a");
    assert_eq!(truncate_markdown_safe("a&#8203;b", 7), "a");
    assert_eq!(truncate_markdown_safe("a&#8203;b", 8), "a&#8203;");
    assert_eq!(truncate_markdown_safe("a & b", 3), "a ");
    assert_eq!(truncate_markdown_safe("", 0), "");
}

fn registry() -> handlebars::Handlebars<'static> {
    let mut hb = handlebars::Handlebars::new();
    configure(&mut hb);
    hb
}

const HOSTILE_NAME: &str = "<details>@octocat #1 | `x` *y* https://evil.example\n# h";
const HOSTILE_LOG: &str = "ok\n```\n</details>\n@everyone #42\n````\n~~~\n\0\u{1b}[31m";

#[test]
fn handlebars_escapes_variables_as_markdown() {
    let hb = registry();
    let data = serde_json::json!({ "name": HOSTILE_NAME, "log": HOSTILE_LOG, "n": 3 });
    let out = hb
        .render_template("| job | n |\n|---|---|\n| {{name}} | {{n}} |\n", &data)
        .unwrap();
    assert_eq!(
        out,
        format!("| job | n |\n|---|---|\n| {} | 3 |\n", inline(HOSTILE_NAME))
    );
    let evs = events(&out);
    assert!(super::testutil::violations(&evs).is_empty(), "{out}");
    assert_eq!(row_widths(&evs), vec![2, 2]);
    assert!(live_references(&text_of(&evs)).is_empty());

    // Triple-stash stays raw: only for our own markdown.
    let raw = hb.render_template("{{{name}}}", &data).unwrap();
    assert_eq!(raw, HOSTILE_NAME);
}

#[test]
fn handlebars_code_helper_contains_the_log() {
    let hb = registry();
    let data = serde_json::json!({ "name": HOSTILE_NAME, "log": HOSTILE_LOG });
    let template = "<details><summary>{{name}}</summary>\n\n{{code log}}\n</details>\n\nafter\n";
    let out = hb.render_template(template, &data).unwrap();
    assert!(out.contains(&code_block(HOSTILE_LOG)), "{out}");
    assert_eq!(
        super::testutil::code_blocks(&out),
        vec![expected_code(HOSTILE_LOG)]
    );
    // The summary line is an HTML block: the name must not open or close any tag in it.
    let first_line = out.lines().next().unwrap();
    assert_eq!(first_line.matches('<').count(), 3, "{first_line}");
    assert!(!first_line.contains('@') || first_line.contains("@&#8203;"));
    // Same output with triple-stash: helpers escape themselves.
    let triple = hb.render_template("{{{code log}}}", &data).unwrap();
    assert_eq!(triple, code_block(HOSTILE_LOG));
    // Missing and non-string values.
    assert_eq!(
        hb.render_template("{{code missing}}", &data).unwrap(),
        "```\n```\n"
    );
    assert_eq!(
        hb.render_template("{{code 12}}", &data).unwrap(),
        "```\n12\n```\n"
    );
}

#[test]
fn handlebars_truncate_and_link_helpers() {
    let hb = registry();
    let data = serde_json::json!({
        "name": HOSTILE_NAME,
        "url": "https://github.com/o/r/actions/runs/1/job/2",
        "bad": "javascript:alert(1)",
    });
    assert_eq!(
        hb.render_template("{{truncate name 10}}", &data).unwrap(),
        inline_capped(HOSTILE_NAME, 10)
    );
    assert_eq!(
        hb.render_template("{{{truncate name 10}}}", &data).unwrap(),
        inline_capped(HOSTILE_NAME, 10)
    );
    assert!(hb.render_template("{{truncate name}}", &data).is_err());
    assert!(hb
        .render_template("{{truncate name \"x\"}}", &data)
        .is_err());
    assert_eq!(
        hb.render_template("{{link name url}}", &data).unwrap(),
        link(HOSTILE_NAME, "https://github.com/o/r/actions/runs/1/job/2")
    );
    assert_eq!(
        hb.render_template("{{link name bad}}", &data).unwrap(),
        inline(HOSTILE_NAME)
    );
}

#[test]
fn handlebars_count_and_short_helpers_and_a_capped_links_title() {
    let hb = registry();
    let long = format!("test {}\"|", "x".repeat(300));
    let data = serde_json::json!({"one": 1, "two": 2, "long": long, "url": "https://h/job/2"});
    let render = |t: &str| hb.render_template(t, &data).unwrap();
    assert_eq!(render("{{count one \"more line\"}}"), "1 more line");
    assert_eq!(render("{{count two \"more line\"}}"), "2 more lines");
    assert!(hb.render_template("{{count long \"x\"}}", &data).is_err());
    assert_eq!(render("{{short long}}"), inline_capped(&long, 120));
    assert_eq!(
        render("{{short long}}")
            .chars()
            .filter(|c| *c == 'x')
            .count(),
        114
    );
    let link = render("{{link long url}}");
    let shown = inline_capped(&long, 120);
    assert_eq!(
        link,
        format!("[{shown}](https://h/job/2 \"{}\")", inline(&long))
    );
    let parser = pulldown_cmark::Parser::new(&link);
    let title = parser
        .filter_map(|event| match event {
            pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { title, .. }) => Some(title),
            _ => None,
        })
        .next()
        .expect("one link");
    assert_eq!(&*title, long.as_str(), "the whole name, decoded");
    assert_eq!(render("{{link \"short\" url}}"), "[short](https://h/job/2)");
}

#[test]
fn a_leading_number_and_parenthesis_is_not_a_list_item() {
    assert_eq!(inline("1) boot"), "1&#41; boot");
    assert_eq!(inline("v1) boot"), "v1) boot");
}
