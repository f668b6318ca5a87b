//! Property tests: whatever the text, it stays contained.

use proptest::prelude::*;

use super::testutil::{
    assert_contained_block, assert_inline_contained, events, expected_code, row_widths,
};
use super::*;

const ZERO_WIDTH_SPACE: char = '\u{200B}';

/// Strings built from the pieces attackers use, plus arbitrary Unicode and invalid UTF-8.
fn hostile() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => prop::sample::select(vec![
            "`", "```", "````", "~", "~~~", "~~~~", "   ```", "\n", "\r", "\r\n", "\0", "\t",
            "\u{1b}[31m", "\u{7f}", "\u{85}", "\u{2028}", "\u{202e}", " ", "    ", "|", "\\",
            "<details>", "</details>", "<summary>", "<img src=x onerror=alert(1)>", "<script>",
            "<!--", "-->", "<https://x.y>", "@user", "@org/team", "@", "#123", "#", "1",
            "owner/repo#123", "GH-123", "gh-", "https://evil.example", "http://", "www.",
            "www.evil.example", "a@b.example", "*", "**", "_", "[", "]", "(", ")", "![x](y)",
            "[x](javascript:alert(1))", "[r]: http://x", "[^1]", "- ", "+ ", "1. ", "1) ", "> ",
            "# ", "===", "---", "$", "$$", "&", "&amp;", "&#64;", "&#", ";", ":", "{{x}}",
            "- [ ] ", "é", "日本", "🦀",
        ]).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => prop::collection::vec(any::<u8>(), 0..16)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ];
    prop::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

/// Only fence material: runs of both fence characters, indentation and line endings.
fn fency() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "`", "``", "```", "~", "~~~", " ", "   ", "    ", "\n", "\r", "\r\n", "x", "\t",
    ]);
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn code_block_is_one_block_with_the_text(text in hostile()) {
        assert_contained_block(&code_block(&text), &expected_code(&text));
    }

    #[test]
    fn code_block_survives_fence_material(text in fency()) {
        assert_contained_block(&code_block(&text), &expected_code(&text));
    }

    #[test]
    fn two_code_blocks_stay_two(a in hostile(), b in hostile()) {
        let doc = format!("{}\n{}", code_block(&a), code_block(&b));
        prop_assert_eq!(
            super::testutil::code_blocks(&doc),
            vec![expected_code(&a), expected_code(&b)]
        );
    }

    #[test]
    fn inline_is_contained(text in hostile()) {
        assert_inline_contained(&text);
    }

    #[test]
    fn inline_capped_is_contained_and_short(text in hostile(), max in 0usize..40) {
        let capped = inline_capped(&text, max);
        let doc = format!("| a | b |\n|---|---|\n| {capped} | z |\n");
        prop_assert_eq!(row_widths(&events(&doc)), vec![2, 2]);
        let shown = super::testutil::text_of(&events(&format!("x {capped}\n")));
        let visible = shown.chars().filter(|c| *c != ZERO_WIDTH_SPACE).count();
        // "x " + at most `max` characters.
        prop_assert!(visible <= max + 2, "{:?}", shown);
    }

    #[test]
    fn link_is_one_link(text in hostile(), path in hostile()) {
        let md = link(&text, &format!("https://github.com/{path}"));
        let doc = format!("| a |\n|---|\n| {md} |\n");
        let evs = events(&doc);
        prop_assert_eq!(row_widths(&evs), vec![1, 1]);
        let links = evs
            .iter()
            .filter(|e| matches!(e, pulldown_cmark::Event::Start(pulldown_cmark::Tag::Link { .. })))
            .count();
        prop_assert_eq!(links, 1);
    }

    #[test]
    fn truncation_is_a_prefix_on_a_char_boundary(text in hostile(), max in 0usize..64) {
        let md = inline(&text);
        let cut = truncate_markdown_safe(&md, max);
        prop_assert!(cut.len() <= max);
        prop_assert!(md.starts_with(cut));
        // No half character reference at the end.
        if let Some(amp) = cut.rfind('&') {
            prop_assert!(cut[amp..].contains(';'), "{:?}", cut);
        }
    }
}
