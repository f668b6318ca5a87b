//! End-to-end tests: the library's entry point and the real binary against a wiremock GitHub
//! that answers with GitHub's own response shapes (`tests/data/openapi-*.json`, taken from the
//! OpenAPI description). Compiled as one test binary to keep builds fast.

mod binary;
mod comment;
mod comment_pr;
mod corpus;
mod diagnosis;
mod faults;
mod forks;
mod insights;
mod jobs;
mod log_file;
mod logs;
mod passing;
mod rate_limits;
mod raw_http;
mod situations;
mod stall;
mod support;
mod templates;
mod terminal;
mod thread;
mod two_runs;
