//! Markdown-safe escaping. PLACEHOLDER until the real layer lands.

pub fn escape_markdown(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('\n', " ")
}

pub fn code_block(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}\n{}\n{fence}\n", text.trim_end_matches('\n'))
}

pub fn register_helpers(hb: &mut handlebars::Handlebars) {
    handlebars::handlebars_helper!(code: |s: str| code_block(s));
    hb.register_helper("code", Box::new(code));
}

pub fn link(text: &str, url: &str) -> String {
    format!("[{}]({})", escape_markdown(text), url)
}
