//! The only code that talks HTTP: a small client over octocrab, the endpoints we call, and
//! serde models tolerant of GitHub's real response shapes.

pub mod actions;
pub mod client;
pub mod comments;
pub mod error;
pub mod models;
mod pages;
#[cfg(test)]
mod props;
pub mod pulls;
pub mod rate_limit;
pub mod runs;

pub use actions::LogUnavailable;
pub use client::{GitHub, Idempotence, Reading, Repo, RetryPolicy, LOG_STALL_TIMEOUT};
pub use error::ApiError;
