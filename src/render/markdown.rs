//! Markdown-safe escaping.
