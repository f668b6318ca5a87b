//! The sticky comment: one digest per workflow and PR, found again by its hidden marker and
//! updated in place.
//!
//! Only comments written by our own identity count: a marker someone pasted into their comment
//! is ignored, and another workflow's marker (another key) is never touched. A POST is never
//! repeated blindly: after it, or after it failed with an unknown effect, the comments are listed
//! again and converged to one — the oldest is kept (with our body) and the others deleted, so two
//! runs posting at once still leave a single digest.

use crate::github::models::Comment;
use crate::github::{ApiError, GitHub};
use crate::render::Stamp;

/// What became of the digest comment.
pub enum Written {
    /// Created or updated (or already up to date).
    Comment(Comment),
    /// Nothing to update, and not allowed to create.
    NothingToResolve,
    /// Another run's digest stands (see `render::stamp`); why.
    Yielded(String),
}

pub struct Sticky<'a> {
    pub github: &'a GitHub,
    pub pr: u64,
    /// The hidden first line, `<!-- failure-digest:KEY -->`.
    pub marker: &'a str,
    /// Logins whose comments may be ours (compared case-insensitively).
    pub authors: Vec<String>,
    /// The run this digest reports on.
    pub stamp: Stamp,
}

impl Sticky<'_> {
    /// Updates our comment to `body`, or creates it when there is none and `create` is set;
    /// leaves it when the digest there is one that stands over ours.
    pub async fn publish(&mut self, body: &str, create: bool) -> Result<Written, ApiError> {
        let mut existing = self.ours().await?.into_iter();
        if let Some(oldest) = existing.next() {
            let theirs = oldest.body.as_deref().and_then(Stamp::read);
            if let Some(why) = theirs.and_then(|theirs| self.stamp.yields_to(&theirs)) {
                return Ok(Written::Yielded(why));
            }
            match self.converge(oldest, existing, body, None).await {
                // Deleted between the listing and the update (by a person, or a rival run
                // converging): what was there is gone, so the digest is written afresh.
                Err(e) if e.refused(404) => {
                    tracing::info!("the digest comment was deleted while being updated ({e})");
                }
                converged => return converged.map(Written::Comment),
            }
        }
        if !create {
            return Ok(Written::NothingToResolve);
        }
        let posted = match self.github.create_comment(self.pr, body).await {
            Err(e) if !effect_unknown(&e) => return Err(e),
            Err(e) => {
                tracing::warn!("{e}; listing the comments to see whether it landed");
                Err(e)
            }
            Ok(comment) => Ok(comment),
        };
        // The identity that really posted is ours, whatever we guessed before.
        if let Some(login) = posted.as_ref().ok().and_then(|c| c.user.as_ref()) {
            if !self.is_author(&login.login) {
                self.authors.push(login.login.clone());
            }
        }
        let now = match (self.ours().await, &posted) {
            (Ok(now), _) => now,
            // Converging is best effort once the comment exists: report what was posted.
            (Err(e), Ok(_)) => {
                tracing::warn!("{e}; not checking for a duplicate digest this time");
                return posted.map(Written::Comment);
            }
            (Err(e), Err(_)) => return Err(e),
        };
        let mut now = now.into_iter();
        let Some(oldest) = now.next() else {
            // Posted but not listed yet (replication lag): what the POST answered is the
            // truth. Failed and not listed: it did not land; the next run will create it.
            return posted.map(Written::Comment);
        };
        let just_posted = posted.ok().map(|c| c.id);
        self.converge(oldest, now, body, just_posted)
            .await
            .map(Written::Comment)
    }

    /// Our comments carrying the marker, oldest (lowest id) first.
    async fn ours(&self) -> Result<Vec<Comment>, ApiError> {
        let mut ours: Vec<Comment> = self
            .github
            .list_comments(self.pr)
            .await?
            .into_iter()
            .filter(|c| self.is_ours(c))
            .collect();
        ours.sort_by_key(|c| c.id);
        Ok(ours)
    }

    fn is_ours(&self, comment: &Comment) -> bool {
        let by_us = comment
            .user
            .as_ref()
            .is_some_and(|u| self.is_author(&u.login));
        let first_line = comment
            .body
            .as_deref()
            .and_then(|b| b.lines().next())
            .map(str::trim);
        by_us && first_line == Some(self.marker)
    }

    fn is_author(&self, login: &str) -> bool {
        self.authors.iter().any(|a| a.eq_ignore_ascii_case(login))
    }

    /// Keeps `oldest` with `body` and deletes the `duplicates`. `just_posted` already carries
    /// `body`, so it needs no update when it is the one kept.
    async fn converge(
        &self,
        oldest: Comment,
        duplicates: impl Iterator<Item = Comment>,
        body: &str,
        just_posted: Option<u64>,
    ) -> Result<Comment, ApiError> {
        let unchanged = Some(oldest.id) == just_posted
            || oldest.body.as_deref().map(str::trim_end) == Some(body.trim_end());
        // Update before deleting: if the update fails, the newer copy still says the truth.
        let kept = if unchanged {
            oldest
        } else {
            self.github.update_comment(oldest.id, body).await?
        };
        for duplicate in duplicates {
            tracing::info!("deleting duplicate digest comment {}", duplicate.id);
            self.github.delete_comment(duplicate.id).await?;
        }
        Ok(kept)
    }
}

/// A POST that failed this way may still have created the comment.
fn effect_unknown(error: &ApiError) -> bool {
    match error.status_code() {
        None => true,
        Some(status) => status >= 500,
    }
}
