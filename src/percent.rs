//! Percent-encoding (`%XX` for every byte not kept), for the two places text from outside goes
//! into something it must not break: a URL query value and the comment's hidden marker.

/// `text` with every byte for which `keep` is false written as `%XX`.
pub(crate) fn encode(text: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if keep(byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// RFC 3986's unreserved characters: letters, digits, `-`, `.`, `_`, `~`.
pub(crate) fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}
