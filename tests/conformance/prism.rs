//! One Prism mock server per test binary, started on first use.
//!
//! Prism is a Node program, installed by `.ci/run` and named by `FAILURE_DIGEST_PRISM`. Without
//! it, `cargo test` on a laptop skips these tests with a printed reason; under `CI=true` a missing
//! Prism is a failure, so CI can never pass by skipping.
//!
//! The server lives in a `static`, and statics are never dropped, so "kill on drop" alone would
//! leave Prism running after the test binary exits. Prism is therefore started through a small
//! `sh` guard that holds a pipe from this process on its stdin: when the test binary exits (or
//! crashes) the pipe closes, `read` returns and the guard kills Prism.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The environment variable naming the `prism` executable.
pub const PRISM_ENV: &str = "FAILURE_DIGEST_PRISM";

/// The OpenAPI subset the mock serves: a copy of `shared/reference/github-openapi-subset.json`.
pub fn spec_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/github-openapi-subset.json")
}

pub struct Prism {
    pub addr: SocketAddr,
    guard: Child,
    log: PathBuf,
}

impl Prism {
    /// Prism's own log (one line per request, with its validation messages).
    pub fn log_tail(&self) -> String {
        log_tail(&self.log)
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        // Closing stdin makes the guard kill Prism; kill the guard too in case it is stuck.
        drop(self.guard.stdin.take());
        let _ = self.guard.kill();
        let _ = self.guard.wait();
    }
}

static PRISM: OnceLock<Result<Prism, String>> = OnceLock::new();

/// The shared Prism, or `None` (after printing why) when the test should be skipped.
pub fn prism() -> Option<&'static Prism> {
    let exe = match std::env::var(PRISM_ENV) {
        Ok(path) if !path.trim().is_empty() => PathBuf::from(path),
        _ => {
            let why = format!(
                "{PRISM_ENV} is not set: the OpenAPI conformance tests need Prism \
                 (`.ci/run` installs it into ~/.cache/failure-digest-ci/prism and sets \
                 {PRISM_ENV}=~/.cache/failure-digest-ci/prism/node_modules/.bin/prism)"
            );
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("CI=true and {why}");
            }
            // Written to the process's stderr, not through the test harness (which captures
            // `eprintln!` of passing tests): a skipped conformance test must be seen.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                use std::io::Write;
                let _ = writeln!(std::io::stderr(), "\nSKIPPED (conformance): {why}\n");
            });
            return None;
        }
    };
    match PRISM.get_or_init(|| start(&exe)) {
        Ok(prism) => Some(prism),
        Err(why) => panic!("{why}"),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port on 127.0.0.1")
}

fn start(exe: &Path) -> Result<Prism, String> {
    if !exe.exists() {
        return Err(format!("{PRISM_ENV}={} does not exist", exe.display()));
    }
    let port = free_port();
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let log = std::env::temp_dir().join(format!(
        "failure-digest-prism-{}-{port}.log",
        std::process::id()
    ));
    let log_file = std::fs::File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
    // Not `--errors`: see the module documentation of `main.rs` (known upstream quirks).
    let guard = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" mock -h 127.0.0.1 -p "$1" "$2" & pid=$!; read _ignored; kill "$pid" 2>/dev/null; wait "$pid"; rm -f "$3""#)
        .arg(exe)
        .arg(port.to_string())
        .arg(spec_path())
        .arg(&log)
        .stdin(Stdio::piped())
        .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
        .stderr(log_file)
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", exe.display()))?;
    let mut prism = Prism { addr, guard, log };
    let started = Instant::now();
    loop {
        if ready(addr) {
            eprintln!(
                "conformance: Prism ready on {addr} in {:.1}s",
                started.elapsed().as_secs_f32()
            );
            return Ok(prism);
        }
        if let Ok(Some(status)) = prism.guard.try_wait() {
            return Err(format!(
                "Prism exited ({status}) before listening:\n{}",
                prism.log_tail()
            ));
        }
        if started.elapsed() > Duration::from_secs(60) {
            let tail = prism.log_tail();
            drop(prism);
            return Err(format!(
                "Prism did not listen on {addr} within 60 s:\n{tail}"
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Ready when it answers a request on a documented route (the port opens a little earlier).
fn ready(addr: SocketAddr) -> bool {
    use std::io::Write;
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request =
        "DELETE /repos/o/r/issues/comments/1 HTTP/1.1\r\nHost: prism\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 204")
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
