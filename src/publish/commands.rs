//! Workflow-command safety. PLACEHOLDER until the real layer lands.

pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub fn output_entry(name: &str, value: &str) -> String {
    format!("{name}<<EOF_X\n{value}\nEOF_X\n")
}

pub fn fenced(text: &str) -> String {
    format!("::stop-commands::tok\n{text}\n::tok::\n")
}
