//! A tiny HTTP/1.1 forwarding proxy between the binary and Prism.
//!
//! The binary's `GITHUB_API_URL` points here. Each request is forwarded to Prism unchanged except
//! for `Host`, `Connection: close` and, when asked, a `Prefer` header (`dynamic=true`). Each
//! response comes back with:
//! - a 302 `Location` on `https://pipelines.actions.githubusercontent.com` rewritten to the local
//!   log stub, so the redirect is followed without leaving 127.0.0.1;
//! - Prism's canned `Link` header (`<https://api.github.com/resource?page=2>; rel="next"`, the
//!   spec's header example) replaced by a real next-page link to the same route on this proxy with
//!   `page=2`, and dropped on page 2: pagination is exercised, and it ends (page 2 repeats the
//!   example; the tests' patches give its items other ids);
//! - the JSON body passed through an optional schema-preserving patch (see `main.rs`).
//!
//! Every exchange is recorded (method, target, status, Prism's `sl-violations`, the body) so the
//! tests can assert that Prism accepted every request and print what it said when it did not.
//!
//! Blocking std threads, one per connection: the binary under test is another process, so
//! nothing here needs an async runtime.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

/// The external host of the log redirect in the spec's example `Location`.
pub const LOG_HOST: &str = "https://pipelines.actions.githubusercontent.com";

/// Changes a 2xx JSON response body (method, target with its query, body).
pub type Patch = Arc<dyn Fn(&str, &str, &mut Value) + Send + Sync>;

#[derive(Clone, Default)]
pub struct Options {
    /// Sent to Prism as `Prefer` on every request, e.g. `dynamic=true`.
    pub prefer: Option<String>,
    pub patch: Option<Patch>,
}

/// One request and what came back.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub method: String,
    /// Path and query, as the binary sent them.
    pub target: String,
    pub request_body: String,
    pub status: u16,
    /// Prism's `sl-violations` header (a JSON array), when present.
    pub violations: Option<String>,
    /// The `Location` Prism sent, before the rewrite.
    pub location: Option<String>,
    /// The body as the binary received it (after any patch), cut at 4 kB.
    pub body: String,
}

impl Exchange {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }
}

impl std::fmt::Display for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} -> {}", self.method, self.target, self.status)?;
        if let Some(v) = &self.violations {
            write!(f, "\n    sl-violations: {v}")?;
        }
        if !self.request_body.is_empty() {
            write!(f, "\n    request body: {}", self.request_body)?;
        }
        if self.status >= 400 {
            write!(f, "\n    response body: {}", self.body)?;
        }
        Ok(())
    }
}

pub struct Proxy {
    pub addr: SocketAddr,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    stop: Arc<AtomicBool>,
}

struct Shared {
    prism: SocketAddr,
    me: SocketAddr,
    log_stub: String,
    options: Options,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

impl Proxy {
    /// Listens on a free port of 127.0.0.1, forwarding to `prism`; log redirects go to
    /// `log_stub` (a base URL such as `http://127.0.0.1:1234`).
    pub fn start(prism: SocketAddr, log_stub: &str, options: Options) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let exchanges = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            prism,
            me: addr,
            log_stub: log_stub.trim_end_matches('/').to_owned(),
            options,
            exchanges: exchanges.clone(),
        });
        let stopping = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let shared = shared.clone();
                std::thread::spawn(move || {
                    if let Err(e) = serve(stream, &shared) {
                        eprintln!("conformance proxy: {e}");
                    }
                });
            }
        });
        Proxy {
            addr,
            exchanges,
            stop,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges.lock().unwrap().clone()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

struct Message {
    start_line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn without(&mut self, names: &[&str]) {
        self.headers
            .retain(|(k, _)| !names.iter().any(|n| k.eq_ignore_ascii_case(n)));
    }

    fn write_to(&self, out: &mut impl Write) -> std::io::Result<()> {
        let mut head = format!("{}\r\n", self.start_line);
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nConnection: close\r\n\r\n",
            self.body.len()
        ));
        out.write_all(head.as_bytes())?;
        out.write_all(&self.body)?;
        out.flush()
    }
}

/// Reads one HTTP/1.1 message: start line, headers, and a body framed by `Content-Length`,
/// chunked encoding, or (for responses to `Connection: close`) the end of the stream.
fn read_message(reader: &mut impl BufRead, is_response: bool) -> std::io::Result<Option<Message>> {
    let mut start_line = String::new();
    if reader.read_line(&mut start_line)? == 0 {
        return Ok(None);
    }
    let start_line = start_line.trim_end().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| std::io::Error::other(format!("bad header line `{line}`")))?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let mut message = Message {
        start_line,
        headers,
        body: Vec::new(),
    };
    let status = message.start_line.split(' ').nth(1).unwrap_or_default();
    let bodiless = is_response && (status == "204" || status == "304");
    if let Some(len) = message.header("content-length") {
        let len: usize = len.parse().map_err(std::io::Error::other)?;
        message.body.resize(len, 0);
        reader.read_exact(&mut message.body)?;
    } else if message
        .header("transfer-encoding")
        .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let size = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .map_err(std::io::Error::other)?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            if size == 0 {
                break;
            }
            message.body.extend_from_slice(&chunk[..size]);
        }
    } else if is_response && !bodiless {
        reader.read_to_end(&mut message.body)?;
    }
    message.without(&["content-length", "transfer-encoding", "connection"]);
    Ok(Some(message))
}

fn serve(client: TcpStream, shared: &Shared) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut client = client;
    // hyper keeps connections alive; answer each request, then close (we say so in the header).
    let Some(mut request) = read_message(&mut reader, false)? else {
        return Ok(());
    };
    let mut parts = request.start_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    request.without(&["host"]);
    request
        .headers
        .push(("Host".into(), shared.prism.to_string()));
    if let Some(forwarded) = workflow_id_as_file_name(&target) {
        request.start_line = format!("{method} {forwarded} HTTP/1.1");
    }
    if let Some(prefer) = &shared.options.prefer {
        if request.header("prefer").is_none() {
            request.headers.push(("Prefer".into(), prefer.clone()));
        }
    }
    let mut upstream = TcpStream::connect(shared.prism)?;
    upstream.set_read_timeout(Some(Duration::from_secs(30)))?;
    request.write_to(&mut upstream)?;
    let mut response = read_message(&mut BufReader::new(upstream), true)?
        .ok_or_else(|| std::io::Error::other("Prism closed the connection without answering"))?;
    let status: u16 = response
        .start_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);

    let location = response.header("location").map(str::to_owned);
    if let Some(original) = &location {
        let local = match original.strip_prefix(LOG_HOST) {
            Some(rest) => format!("{}{rest}", shared.log_stub),
            // Not the documented host: send it somewhere that fails loudly, never outside.
            None => format!("{}/unexpected-redirect", shared.log_stub),
        };
        response.without(&["location"]);
        response.headers.push(("Location".into(), local));
    }

    if let Some(link) = response.header("link").map(str::to_owned) {
        response.without(&["link"]);
        let on_first_page = !target
            .split_once('?')
            .is_some_and(|(_, q)| q.split('&').any(|kv| kv.starts_with("page=")));
        if link.contains("rel=\"next\"") && on_first_page {
            let sep = if target.contains('?') { '&' } else { '?' };
            response.headers.push((
                "Link".into(),
                format!("<http://{}{target}{sep}page=2>; rel=\"next\"", shared.me),
            ));
        }
    }

    if let Some(patch) = &shared.options.patch {
        let is_json = response
            .header("content-type")
            .is_some_and(|ct| ct.contains("json"));
        if (200..300).contains(&status) && is_json {
            if let Ok(mut body) = serde_json::from_slice::<Value>(&response.body) {
                patch(&method, &target, &mut body);
                response.body = serde_json::to_vec(&body).unwrap();
            }
        }
    }

    let mut body = String::from_utf8_lossy(&response.body).into_owned();
    if body.len() > 4096 {
        let mut cut = 4096;
        while !body.is_char_boundary(cut) {
            cut -= 1;
        }
        body.truncate(cut);
        body.push('…');
    }
    shared.exchanges.lock().unwrap().push(Exchange {
        method,
        target,
        request_body: String::from_utf8_lossy(&request.body).into_owned(),
        status,
        violations: response.header("sl-violations").map(str::to_owned),
        location,
        body,
    });
    response.write_to(&mut client)
}

/// Quirk 5 (module docs of `main.rs`): `workflow_id` is `oneOf: [integer, string]`, and a
/// numeric id matches both, so Prism answers 422 to every valid id. Forwarded as a workflow file
/// name (the string form GitHub also accepts), the rest of the request (route, query) is still
/// checked; the recorded target stays what the binary sent.
fn workflow_id_as_file_name(target: &str) -> Option<String> {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let (before, rest) = path.split_once("/actions/workflows/")?;
    let (id, after) = rest.split_once('/')?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    Some(format!("{before}/actions/workflows/ci.yml/{after}{query}"))
}
