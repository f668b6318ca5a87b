//! Publishing: step summary, outputs, comment.

pub mod commands;
