//! A state-backed mock of one pull request's comment thread: comments are stored, listed back
//! (100 a page, with GitHub's `Link` header), created, updated and deleted, so a test can check
//! what the PR ends up showing, not only which calls were made.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::*;

pub const BOT: &str = "github-actions[bot]";
pub const MARKER: &str = "<!-- failure-digest:CI -->";

/// A comment in GitHub's exact shape (the OpenAPI example), re-authored.
pub fn comment(id: u64, pr: u64, login: &str, body: &str) -> Value {
    let mut comment = fixture("openapi-issue-comment.json");
    comment["id"] = json!(id);
    comment["body"] = json!(body);
    comment["user"]["login"] = json!(login);
    comment["user"]["type"] = json!(if login.ends_with("[bot]") {
        "Bot"
    } else {
        "User"
    });
    comment["html_url"] = json!(format!(
        "https://github.com/{OWNER_REPO}/pull/{pr}#issuecomment-{id}"
    ));
    comment["url"] = json!(format!(
        "https://api.github.com/repos/{OWNER_REPO}/issues/comments/{id}"
    ));
    comment
}

/// How many calls of each kind the test expects (checked when the server is dropped).
#[derive(Clone, Copy, Default)]
pub struct Calls {
    pub lists: u64,
    pub posts: u64,
    pub patches: u64,
    pub deletes: u64,
}

#[derive(Clone)]
pub struct Thread {
    pr: u64,
    base: String,
    comments: Arc<Mutex<Vec<Value>>>,
    /// What a POST answers: 201, or a failure status (the comment is still created on 5xx,
    /// as when GitHub's proxy times out after the write).
    post_status: u16,
    /// A concurrent run's comment, created just before ours by the POST.
    rival: Option<String>,
    /// Someone deletes the comment just before our PATCH reaches it.
    deleted_before_patch: bool,
    /// The token's login as GraphQL's `viewer` names it (a bot's without `[bot]`).
    viewer: String,
}

impl Thread {
    pub fn new(server: &MockServer, pr: u64, comments: Vec<Value>) -> Self {
        Thread {
            pr,
            base: server.uri(),
            comments: Arc::new(Mutex::new(comments)),
            post_status: 201,
            rival: None,
            deleted_before_patch: false,
            viewer: "github-actions".into(),
        }
    }

    pub fn post_status(mut self, status: u16) -> Self {
        self.post_status = status;
        self
    }

    /// The token is `login` (GraphQL's spelling: `my-app` for the bot `my-app[bot]`).
    pub fn viewer(mut self, login: &str) -> Self {
        self.viewer = login.to_owned();
        self
    }

    pub fn deleted_before_patch(mut self) -> Self {
        self.deleted_before_patch = true;
        self
    }

    pub fn rival(mut self, body: &str) -> Self {
        self.rival = Some(body.to_owned());
        self
    }

    pub fn comments(&self) -> Vec<Value> {
        self.comments.lock().unwrap().clone()
    }

    /// The comments carrying `marker` on their first line.
    pub fn with_marker(&self, marker: &str) -> Vec<Value> {
        self.comments()
            .into_iter()
            .filter(|c| c["body"].as_str().unwrap_or("").lines().next() == Some(marker))
            .collect()
    }

    pub async fn mount(&self, server: &MockServer, calls: Calls) {
        // Who the token is, asked at most once per run.
        Mock::given(method("POST"))
            .and(path("/graphql"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"data": {"viewer": {"login": self.viewer}}})),
            )
            .expect(0..=1)
            .named("GraphQL viewer")
            .mount(server)
            .await;
        let list = format!("/repos/{OWNER_REPO}/issues/{}/comments", self.pr);
        Mock::given(method("GET"))
            .and(path(list.clone()))
            .and(query_param("per_page", "100"))
            .respond_with(self.clone())
            .expect(calls.lists)
            .named("list comments")
            .mount(server)
            .await;
        Mock::given(method("POST"))
            .and(path(list))
            .respond_with(self.clone())
            .expect(calls.posts)
            .named("create comment")
            .mount(server)
            .await;
        let one = format!(r"^/repos/{OWNER_REPO}/issues/comments/\d+$");
        Mock::given(method("PATCH"))
            .and(path_regex(one.clone()))
            .respond_with(self.clone())
            .expect(calls.patches)
            .named("update comment")
            .mount(server)
            .await;
        Mock::given(method("DELETE"))
            .and(path_regex(one))
            .respond_with(self.clone())
            .expect(calls.deletes)
            .named("delete comment")
            .mount(server)
            .await;
    }

    fn next_id(comments: &[Value]) -> u64 {
        comments
            .iter()
            .filter_map(|c| c["id"].as_u64())
            .max()
            .unwrap_or(1000)
            + 1
    }
}

fn sent_body(request: &Request) -> String {
    let sent: Value = serde_json::from_slice(&request.body).expect("a JSON body");
    sent["body"].as_str().expect("a `body` string").to_owned()
}

impl Respond for Thread {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut comments = self.comments.lock().unwrap();
        let id_in_path = || -> u64 {
            request
                .url
                .path()
                .rsplit('/')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        match request.method.as_str() {
            "GET" => {
                let page: usize = request
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == "page")
                    .map_or(1, |(_, v)| v.parse().unwrap());
                let items: Vec<Value> = comments
                    .iter()
                    .skip((page - 1) * 100)
                    .take(100)
                    .cloned()
                    .collect();
                let mut response = ResponseTemplate::new(200).set_body_json(items);
                if comments.len() > page * 100 {
                    let link = format!(
                        "<{}/repos/{OWNER_REPO}/issues/{}/comments?per_page=100&page={}>; rel=\"next\"",
                        self.base,
                        self.pr,
                        page + 1
                    );
                    response = response.insert_header("link", link.as_str());
                }
                response
            }
            "POST" => {
                if let Some(rival) = &self.rival {
                    let id = Thread::next_id(&comments);
                    comments.push(comment(id, self.pr, BOT, rival));
                }
                let id = Thread::next_id(&comments);
                let created = comment(id, self.pr, BOT, &sent_body(request));
                if self.post_status == 201 || self.post_status >= 500 {
                    comments.push(created.clone());
                }
                match self.post_status {
                    201 => ResponseTemplate::new(201).set_body_json(created),
                    status => ResponseTemplate::new(status).set_body_json(
                        json!({"message": "Resource not accessible by integration"}),
                    ),
                }
            }
            "PATCH" => {
                let id = id_in_path();
                if self.deleted_before_patch {
                    comments.retain(|c| c["id"] != json!(id));
                }
                let Some(found) = comments.iter_mut().find(|c| c["id"] == json!(id)) else {
                    return ResponseTemplate::new(404)
                        .set_body_json(json!({"message": "Not Found"}));
                };
                found["body"] = json!(sent_body(request));
                ResponseTemplate::new(200).set_body_json(found.clone())
            }
            "DELETE" => {
                let id = id_in_path();
                comments.retain(|c| c["id"] != json!(id));
                ResponseTemplate::new(204)
            }
            other => panic!("unexpected method {other}"),
        }
    }
}
