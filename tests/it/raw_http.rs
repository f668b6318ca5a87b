//! A scripted HTTP/1.1 server on a raw TCP socket, for the faults wiremock cannot make: a body
//! that breaks off after its headers, a host that drips, a host that stops sending in the middle
//! of a body, a host that accepts and never answers; and a storage host that honours `Range`.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does with the next request it reads (in the order given; after the script,
/// every request gets a 599 that fails the test).
pub enum Answer {
    /// A complete `200` with this body.
    Full(String),
    /// Headers promising all of `body`, then only its first `sent` bytes, then the connection
    /// is closed: a reset in the middle of the body.
    BreakOff { body: String, sent: usize },
    /// Headers, then `line` once per `every`, without end.
    Drip { line: String, every: Duration },
    /// Reads the request, then holds the connection without a byte of answer.
    Silent,
    /// Headers promising all of `body`, its first `sent` bytes, then nothing more while the
    /// connection stays open: a stalled download.
    Stall { body: String, sent: usize },
    /// The part of `body` the request's `Range: bytes=N-` asks for, as a `206` (the whole body
    /// as a `200` without one), as a blob storage host answers.
    Ranged(String),
}

pub struct RawHttp {
    pub uri: String,
    requests: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
}

impl RawHttp {
    pub async fn start(script: Vec<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let uri = format!("http://{}", listener.local_addr().unwrap());
        let script = Arc::new(Mutex::new(VecDeque::from(script)));
        let requests = Arc::new(AtomicUsize::new(0));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let (counted, recorded) = (requests.clone(), heads.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let seen = Seen {
                    requests: counted.clone(),
                    heads: recorded.clone(),
                };
                tokio::spawn(serve(socket, script.clone(), seen));
            }
        });
        RawHttp {
            uri,
            requests,
            heads,
        }
    }

    /// Requests read so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// The request heads read so far (request line and headers, lower-cased), in order.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().unwrap().clone()
    }
}

/// What the server has seen, shared by its connections.
struct Seen {
    requests: Arc<AtomicUsize>,
    heads: Arc<Mutex<Vec<String>>>,
}

/// Serves one connection: keep-alive until an answer that ends it.
async fn serve(mut socket: TcpStream, script: Arc<Mutex<VecDeque<Answer>>>, seen: Seen) {
    loop {
        let Some(request) = read_request_head(&mut socket).await else {
            return;
        };
        seen.requests.fetch_add(1, Ordering::SeqCst);
        seen.heads.lock().unwrap().push(request.clone());
        let answer = script.lock().unwrap().pop_front();
        let head = |length: usize| {
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {length}\r\n\r\n")
        };
        let written = match answer {
            Some(Answer::Full(body)) => {
                socket
                    .write_all((head(body.len()) + &body).as_bytes())
                    .await
            }
            Some(Answer::BreakOff { body, sent }) => {
                let partial = head(body.len()) + &body[..sent];
                let _ = socket.write_all(partial.as_bytes()).await;
                let _ = socket.flush().await;
                return;
            }
            Some(Answer::Drip { line, every }) => {
                let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                loop {
                    let chunk = format!("{:x}\r\n{line}\r\n", line.len());
                    if socket.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(every).await;
                }
            }
            Some(Answer::Silent) => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
            Some(Answer::Stall { body, sent }) => {
                let partial = head(body.len()) + &body[..sent];
                let _ = socket.write_all(partial.as_bytes()).await;
                let _ = socket.flush().await;
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
            Some(Answer::Ranged(body)) => {
                let from = request
                    .lines()
                    .find_map(|l| l.strip_prefix("range: bytes="))
                    .and_then(|r| r.trim_end_matches('-').parse::<usize>().ok());
                let text = match from {
                    Some(from) => format!(
                        "HTTP/1.1 206 Partial Content\r\ncontent-range: bytes {from}-{}/{}\r\n\
                         content-length: {}\r\n\r\n{}",
                        body.len() - 1,
                        body.len(),
                        body.len() - from,
                        &body[from..]
                    ),
                    None => head(body.len()) + &body,
                };
                socket.write_all(text.as_bytes()).await
            }
            None => {
                let body = "unexpected request";
                let text = format!(
                    "HTTP/1.1 599 Unexpected\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                socket.write_all(text.as_bytes()).await
            }
        };
        if written.is_err() {
            return;
        }
    }
}

/// Reads up to the end of a request's headers (the client sends GETs only), lower-cased;
/// `None` at EOF.
async fn read_request_head(socket: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&head).to_ascii_lowercase())
}
