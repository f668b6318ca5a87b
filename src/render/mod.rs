//! Rendering the digest to markdown.

pub mod markdown;
