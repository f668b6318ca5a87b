//! Turning one untrusted line of bytes into display-safe text.
//!
//! Pure: no I/O. Used for log lines and, by the rest of the program, for job
//! and step names. It removes terminal escape sequences (CSI `ESC[…m`, OSC
//! `ESC]…BEL` / `ESC]…ESC\`, two-byte `ESC x` sequences), every C0/C1 control
//! character except tab, DEL, and the Unicode bidi overrides that can make
//! text read differently from what it is ("trojan source"). Invalid UTF-8 is
//! replaced with U+FFFD, never an error. It does *not* escape markdown or
//! HTML: that is the renderer's job.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::bytes::Regex;

/// Sanitizes one line (it should not contain `\n`; if it does, the newline is
/// dropped like any other control character).
pub fn sanitize_line(raw: &[u8]) -> String {
    // Fast path: printable ASCII and tabs only — the overwhelmingly common case.
    if raw.iter().all(|&b| (0x20..0x7f).contains(&b) || b == b'\t') {
        // All bytes are ASCII, so this cannot fail; the fallback is unreachable.
        return String::from_utf8(raw.to_vec()).unwrap_or_default();
    }
    let stripped = strip_escapes(raw);
    let text = String::from_utf8_lossy(&stripped);
    text.chars().filter(|&c| keep_char(c)).collect()
}

/// Removes colour codes that lost their ESC byte or were written out in caret notation
/// (`[33m`, `^[[31m`): left in, they reach the reader as garbage and hide the words around
/// them from every pattern.
pub fn without_textual_colour(text: String) -> String {
    match strip_textual_colour(text.as_bytes()) {
        Cow::Borrowed(_) => text,
        // Only ASCII was removed, so what is left is still UTF-8.
        Cow::Owned(bytes) => String::from_utf8(bytes).unwrap_or(text),
    }
}

/// [`without_textual_colour`] on bytes; a line without such codes is borrowed as it is.
pub(super) fn strip_textual_colour(text: &[u8]) -> Cow<'_, [u8]> {
    /// SGR colour codes that lost their ESC byte (`[33m`, `[37;41m`) or were written out
    /// in caret notation (`^[[31m`).
    static TEXTUAL_SGR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:\^\[)?\[[0-9]{1,3}(?:;[0-9]{1,3}){0,4}m|\^\[\[m")
            .expect("the textual SGR regex is valid")
    });
    match memchr::memchr(b'[', text) {
        Some(_) => TEXTUAL_SGR.replace_all(text, &b""[..]),
        None => Cow::Borrowed(text),
    }
}

/// Bytes of a service prefix at the start of a line (`app-1  | `: a name, spaces and a bar,
/// as docker compose prints each container's lines), or 0 for none. The name is ASCII, so
/// the length is always a char boundary.
pub fn service_prefix_len(text: &[u8]) -> usize {
    let Some(bar) = memchr::memmem::find(text, b" |") else {
        return 0;
    };
    let name = text[..bar].trim_ascii_end();
    let is_name = name.len() <= 63
        && name.first().is_some_and(u8::is_ascii_alphabetic)
        && name
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(b));
    match (is_name, text.get(bar + 2)) {
        (false, _) => 0,
        (true, Some(b' ')) => bar + 3,
        (true, _) => bar + 2,
    }
}

fn keep_char(c: char) -> bool {
    if c == '\t' {
        return true;
    }
    if c.is_control() {
        // C0, DEL and C1 (U+0080..U+009F, which includes the 8-bit CSI U+009B).
        return false;
    }
    // Bidi embeddings/overrides/isolates.
    !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Removes ESC-introduced sequences at the byte level (before UTF-8 decoding,
/// so a sequence split by an invalid byte still goes away).
fn strip_escapes(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == 0x1b {
            i = escape_end(raw, i);
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
    out
}

/// Where the escape sequence that starts with the ESC at `raw[esc]` ends (the index after it):
/// what [`sanitize_line`] removes, for code that must skip the same bytes without a copy.
pub(super) fn escape_end(raw: &[u8], esc: usize) -> usize {
    let mut i = esc + 1;
    match raw.get(i) {
        // CSI: parameters 0x30–0x3F, intermediates 0x20–0x2F, one final 0x40–0x7E.
        Some(b'[') => {
            i += 1;
            while i < raw.len() && (0x20..=0x3f).contains(&raw[i]) {
                i += 1;
            }
            if i < raw.len() && (0x40..=0x7e).contains(&raw[i]) {
                i += 1;
            }
        }
        // OSC (and the other string sequences DCS/SOS/PM/APC): up to BEL or ST (ESC \).
        Some(b']' | b'P' | b'X' | b'^' | b'_') => {
            i += 1;
            while i < raw.len() {
                if raw[i] == 0x07 {
                    i += 1;
                    break;
                }
                if raw[i] == 0x1b && raw.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    break;
                }
                i += 1;
            }
        }
        // nF sequences (e.g. `ESC ( B`): intermediates then one final byte.
        Some(&c) if (0x20..=0x2f).contains(&c) => {
            while i < raw.len() && (0x20..=0x2f).contains(&raw[i]) {
                i += 1;
            }
            if i < raw.len() && (0x30..=0x7e).contains(&raw[i]) {
                i += 1;
            }
        }
        // Two-byte sequences such as `ESC =`, `ESC 7`, `ESC c`.
        Some(&c) if (0x30..=0x7e).contains(&c) => i += 1,
        // A lone ESC: dropped (it is a control character anyway).
        _ => {}
    }
    i
}

#[cfg(test)]
mod tests {
    use super::sanitize_line;

    #[test]
    fn plain_ascii_is_unchanged() {
        assert_eq!(sanitize_line(b"hello\tworld | x"), "hello\tworld | x");
    }

    #[test]
    fn strips_csi_sequences() {
        assert_eq!(
            sanitize_line(b"\x1b[1m\x1b[91merror\x1b[0m\x1b[1m: linking\x1b[0m"),
            "error: linking"
        );
        assert_eq!(sanitize_line(b"a\x1b[38;5;196mb\x1b[2Kc\x1b[?25hd"), "abcd");
    }

    #[test]
    fn strips_osc_with_bel_or_st() {
        assert_eq!(
            sanitize_line(b"\x1b]8;;https://x.y\x07link\x1b]8;;\x07 done"),
            "link done"
        );
        assert_eq!(sanitize_line(b"\x1b]0;title\x1b\\after"), "after");
        // Unterminated OSC swallows the rest of the line rather than leaking it.
        assert_eq!(sanitize_line(b"before\x1b]0;never ends"), "before");
    }

    #[test]
    fn strips_other_controls_but_keeps_tab() {
        assert_eq!(
            sanitize_line(b"a\x00b\x07c\x08d\te\x7ff\x1b(Bg"),
            "abcd\tefg"
        );
        assert_eq!(sanitize_line(b"a\rb"), "ab");
    }

    #[test]
    fn invalid_utf8_is_replaced_and_c1_removed() {
        assert_eq!(sanitize_line(b"ok \xff\xfe ok"), "ok \u{FFFD}\u{FFFD} ok");
        assert_eq!(sanitize_line("x\u{9b}31my".as_bytes()), "x31my");
        assert_eq!(
            sanitize_line("caf\u{e9} \u{2713}".as_bytes()),
            "caf\u{e9} \u{2713}"
        );
    }

    #[test]
    fn removes_bidi_overrides() {
        assert_eq!(sanitize_line("a\u{202E}b\u{2066}c".as_bytes()), "abc");
    }

    #[test]
    fn dangling_escape_at_end() {
        assert_eq!(sanitize_line(b"x\x1b"), "x");
        assert_eq!(sanitize_line(b"x\x1b["), "x");
        assert_eq!(sanitize_line(b"x\x1b[31"), "x");
    }
}

#[cfg(test)]
mod props {
    use super::sanitize_line;
    use proptest::prelude::*;

    /// Bytes biased towards what makes sanitizing hard: escape introducers and
    /// terminators, C0/C1 controls, bidi overrides, broken UTF-8.
    fn nasty_bytes() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            any::<u8>().prop_map(|b| vec![b]),
            prop::sample::select(vec![
                b"\x1b".to_vec(),
                b"\x1b[".to_vec(),
                b"\x1b]".to_vec(),
                b"\x1b\\".to_vec(),
                b"\x07".to_vec(),
                b"31;1m".to_vec(),
                b"\t".to_vec(),
                b"\r".to_vec(),
                b"\n".to_vec(),
                "\u{9b}".as_bytes().to_vec(),
                "\u{85}".as_bytes().to_vec(),
                "\u{202E}".as_bytes().to_vec(),
                "\u{2066}".as_bytes().to_vec(),
                "\u{2069}".as_bytes().to_vec(),
                "\u{200F}".as_bytes().to_vec(),
                b"\xe2\x80".to_vec(),
                b"\xc2".to_vec(),
                b"\xff".to_vec(),
                b"plain text ".to_vec(),
            ]),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    proptest! {
        /// Any bytes: never panics; no control character but tab, no bidi
        /// embedding/override/isolate; sanitizing the output changes nothing.
        #[test]
        fn sanitize_line_is_safe_and_idempotent(raw in prop_oneof![
            nasty_bytes(),
            prop::collection::vec(any::<u8>(), 0..200),
        ]) {
            let out = sanitize_line(&raw);
            for c in out.chars() {
                prop_assert!(c == '\t' || !c.is_control(), "control {:?} in {:?}", c, out);
                prop_assert!(
                    !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'),
                    "bidi {:?} in {:?}", c, out
                );
            }
            prop_assert_eq!(sanitize_line(out.as_bytes()), out);
        }
    }
}
