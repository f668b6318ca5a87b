//! failure-digest: turns a failed GitHub Actions run into a digest a pull-request author can act on.
//!
//! Data flows one way: `config` → `github` (gather) → `logs` (analyse) → `digest` → `render` →
//! `publish` (deliver), with `diagnose` (a verdict per failure) between analysis and delivery. Pure modules (`logs`, `digest`, `render`) never do I/O; `github` and `publish` hold
//! all of it. [`app::run`] is the one entry point, used by the binary and the end-to-end tests.

pub mod app;
pub mod cli;
pub mod config;
pub mod diagnose;
pub mod diagnostics;
pub mod digest;
pub mod event;
pub mod github;
pub mod insights;
pub mod log_file;
pub mod logs;
#[cfg(test)]
mod mutate;
mod percent;
pub mod progress;
pub mod publish;
pub mod render;
pub mod replay;
