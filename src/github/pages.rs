//! Lists that span pages: every page read within a bound, items the program cannot read left
//! out, repeats dropped, and a next-page link followed only on the API host.

use http::{Method, Uri};
use octocrab::{FromResponse, Page};
use serde::de::DeserializeOwned;

use super::client::{GitHub, Idempotence, Reading};
use super::error::ApiError;
use super::models::Readable;

impl GitHub {
    /// GET every page of a list, following `Link: rel="next"` (at most `max_pages`).
    /// Works for plain arrays and for GitHub's `{"total_count", "jobs": [...]}` wrappers.
    ///
    /// An item this program cannot read (a schema-valid id no `u64` holds, say) is left out with
    /// a warning instead of failing the whole list: one odd job must not cost the report.
    pub async fn get_all_pages<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        first_route: &str,
        max_pages: usize,
    ) -> Result<Vec<T>, ApiError> {
        self.get_all_pages_by_id(operation, first_route, max_pages, |_: &T| None)
            .await
    }

    /// [`GitHub::get_all_pages`] for items with an id: an item seen on an earlier page is left
    /// out, and a page that adds nothing new ends the listing, so a server that ignores `page`
    /// and always links a next one cannot multiply the list (or loop to `max_pages`).
    pub async fn get_all_pages_by_id<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        first_route: &str,
        max_pages: usize,
        id: impl Fn(&T) -> Option<u64>,
    ) -> Result<Vec<T>, ApiError> {
        let mut items = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut route = first_route.to_owned();
        for _ in 0..max_pages {
            let response = self
                .send(
                    operation,
                    Method::GET,
                    &route,
                    None,
                    Idempotence::Repeatable,
                    Reading::Buffered,
                )
                .await?;
            let page = Page::<Readable<T>>::from_response(response)
                .await
                .map_err(|e| ApiError::unparsable(operation, &Method::GET, &route, &e))?;
            let before = items.len();
            let mut repeated = 0;
            for item in page.items {
                match item {
                    Readable::Yes(item) => match id(&item) {
                        Some(key) if !seen.insert(key) => repeated += 1,
                        _ => items.push(item),
                    },
                    Readable::No(raw) => tracing::warn!(
                        "{operation}: left out an item this program cannot read (id {})",
                        raw.get("id").unwrap_or(&serde_json::Value::Null)
                    ),
                }
            }
            if repeated > 0 && items.len() == before {
                // Nothing is missing: every item of the page was had already.
                tracing::info!(
                    "{operation}: {route} repeated items of an earlier page; stopped there"
                );
                return Ok(items);
            }
            match page.next {
                Some(next) => route = self.same_host_route(operation, &next)?,
                None => return Ok(items),
            }
        }
        // A bound chosen per listing (50 pages of comments): say so, but it is no fault. One
        // page is asked for on purpose (the latest runs of a branch, the PRs of a commit): the
        // answer is on it, and a notice on every run would be noise.
        if max_pages == 1 {
            tracing::debug!("{operation}: read the first page of {first_route} only");
        } else {
            tracing::info!("{operation}: read the first {max_pages} page(s) of {first_route} only");
        }
        Ok(items)
    }

    /// The token is attached to every request octocrab sends to an absolute URL, so a `next`
    /// link is only followed on the API host itself.
    fn same_host_route(&self, operation: &'static str, next: &Uri) -> Result<String, ApiError> {
        match (next.authority(), &self.api_authority) {
            (None, _) => Ok(next.to_string()),
            (Some(host), Some(api)) if host == api => Ok(next.to_string()),
            _ => Err(ApiError::other(
                operation,
                &next.to_string(),
                "the next-page link points away from the API host; not following it with the token",
            )),
        }
    }
}
