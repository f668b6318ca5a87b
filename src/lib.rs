//! failure-digest: turns a failed GitHub Actions run into a digest a pull-request author can act on.
//!
//! Data flows one way: `config` → `github` (fetch) → `logs` (analyse) → `digest` → `render` → `publish`.
//! Pure modules (`logs`, `digest`, `render`) never do I/O; `github` and `publish` hold all of it.

pub mod logs;
pub mod publish;
pub mod render;
