//! Workflow-command safety: everything this program prints to stdout or writes to
//! `$GITHUB_OUTPUT` that could carry untrusted text.
//!
//! The runner scans a step's stdout for lines starting with `::name …::`; a log line such as
//! `::add-mask::…`, `::error::…` or `::stop-commands::…` echoed verbatim would act. So:
//! - annotations we emit escape their message and properties exactly as `@actions/core` does
//!   ([`escape_data`], [`escape_property`]);
//! - untrusted text we echo is wrapped by [`fenced`] / [`StopCommands`] in
//!   `::stop-commands::TOKEN` … `::TOKEN::` with an unguessable token;
//! - multi-line outputs use a heredoc with a random delimiter ([`output_entry`]).
//!
//! Pure string building except [`random_token`], which reads the OS's randomness. Writing the
//! strings is the caller's job.

#[cfg(test)]
mod tests;

use std::collections::hash_map::RandomState;
use std::fmt::Write as _;
use std::hash::{BuildHasher, Hasher};

/// Escapes a command's message (the part after the last `::`): `%` → `%25`, `\r` → `%0D`,
/// `\n` → `%0A`, as `escapeData` in `@actions/core`'s `command.ts`.
///
/// ```
/// use failure_digest::publish::commands::escape_data;
/// // A second line cannot start a second workflow command.
/// assert_eq!(escape_data("50%\n::add-mask::x"), "50%25%0A::add-mask::x");
/// ```
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value: as [`escape_data`], plus `:` → `%3A` and `,` → `%2C`, as
/// `escapeProperty` in `@actions/core`'s `command.ts`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// A workflow command line `::name k=v,k=v::message` (no trailing newline). Properties with an
/// empty value are left out, as `@actions/core` does; names are ours and trusted.
pub fn command(name: &str, properties: &[(&str, &str)], message: &str) -> String {
    let mut out = format!("::{name}");
    let mut first = true;
    for (key, value) in properties.iter().filter(|(_, v)| !v.is_empty()) {
        out.push(if first { ' ' } else { ',' });
        first = false;
        let _ = write!(out, "{key}={}", escape_property(value));
    }
    let _ = write!(out, "::{}", escape_data(message));
    out
}

/// `::error file=F,line=L::message` (no trailing newline). Print it *outside* any
/// [`StopCommands`] section or the runner ignores it.
pub fn error(message: &str, file: Option<&str>, line: Option<u32>) -> String {
    annotation("error", message, file, line)
}

/// `::warning file=F,line=L::message` (no trailing newline); see [`error`].
pub fn warning(message: &str, file: Option<&str>, line: Option<u32>) -> String {
    annotation("warning", message, file, line)
}

/// `::notice file=F,line=L::message` (no trailing newline); see [`error`].
pub fn notice(message: &str, file: Option<&str>, line: Option<u32>) -> String {
    annotation("notice", message, file, line)
}

fn annotation(kind: &str, message: &str, file: Option<&str>, line: Option<u32>) -> String {
    let line = line.map(|l| l.to_string());
    let props = [
        ("file", file.unwrap_or("")),
        ("line", line.as_deref().unwrap_or("")),
    ];
    command(kind, &props, message)
}

/// 128 random bits as 32 lowercase hex digits.
///
/// From the OS random source (the `getrandom` crate); should that ever fail, from `RandomState`,
/// whose SipHash keys the standard library seeds from the OS's randomness, mixed with the
/// time, the process id and a counter.
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    // The OS random source on every platform (getrandom on Linux, BCryptGenRandom on
    // Windows, getentropy on macOS); the crate is already in the build through ring.
    let from_os = getrandom::getrandom(&mut bytes).is_ok();
    if !from_os {
        bytes = fallback_random();
    }
    let mut hex = String::with_capacity(32);
    for b in bytes {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

fn fallback_random() -> [u8; 16] {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut out = [0u8; 16];
    for (half, chunk) in out.chunks_mut(8).enumerate() {
        // A fresh RandomState per half: each has its own keys.
        let mut h = RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        h.write_u64(count);
        h.write_usize(half);
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    out
}

/// A `::stop-commands::` section: while it is open the runner processes no workflow command, so
/// untrusted lines printed in between are inert. The token is random (see [`random_token`]);
/// only a line `::TOKEN::` ends the section.
#[derive(Debug, Clone)]
pub struct StopCommands {
    token: String,
}

impl StopCommands {
    /// A section with a fresh random token.
    pub fn new() -> Self {
        Self {
            token: random_token(),
        }
    }

    /// The line that opens the section (no trailing newline).
    pub fn start(&self) -> String {
        format!("::stop-commands::{}", self.token)
    }

    /// The line that closes the section (no trailing newline). It must start a line: print a
    /// newline before it if the untrusted text did not end with one.
    pub fn end(&self) -> String {
        format!("::{}::", self.token)
    }

    /// The token, for tests and diagnostics.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl Default for StopCommands {
    fn default() -> Self {
        Self::new()
    }
}

/// `untrusted` wrapped in a stop-commands section, ready to print as is: start line, the text,
/// a newline if it lacked one, end line, newline. The token is drawn again in the (practically
/// impossible) case that the text contains it.
pub fn fenced(untrusted: &str) -> String {
    let section = loop {
        let s = StopCommands::new();
        if !untrusted.contains(s.token()) {
            break s;
        }
    };
    let mut out = String::with_capacity(untrusted.len() + 80);
    out.push_str(&section.start());
    out.push('\n');
    out.push_str(untrusted);
    if !untrusted.is_empty() && !untrusted.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&section.end());
    out.push('\n');
    out
}

/// One entry for the `$GITHUB_OUTPUT` (or `$GITHUB_ENV`) file, ending with a newline.
///
/// A value without `\n` or `\r` is written `name=value`. Otherwise as the heredoc
/// `name<<DELIM` / value / `DELIM`, with `DELIM = ghadelimiter_<random>` drawn again until it
/// does not occur in the value, so no line of the value can end the heredoc. `name` is ours
/// (trusted) and must not contain `=`, `<<` or a line break.
///
/// The runner drops a `\r` right before the newline that ends the value, so a value ending in
/// `\r` reads back without it (the same holds for `@actions/core`).
pub fn output_entry(name: &str, value: &str) -> String {
    debug_assert!(
        !name.is_empty() && !name.contains(['=', '\n', '\r']) && !name.contains("<<"),
        "output name {name:?} is not a valid key"
    );
    if !value.contains(['\n', '\r']) {
        return format!("{name}={value}\n");
    }
    let delimiter = loop {
        let d = format!("ghadelimiter_{}", random_token());
        if !value.contains(&d) {
            break d;
        }
    };
    format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")
}
