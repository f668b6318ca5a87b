//! Handlebars wiring: the markdown escape function and the helpers templates use.
//!
//! Helpers here write straight to the output, which Handlebars never escapes, so each one makes
//! its own output safe and behaves the same under `{{…}}` and `{{{…}}}`.

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, JsonRender, Output, RenderContext,
    RenderError, RenderErrorReason,
};

use super::{code_block, code_span, escape_markdown, inline, inline_capped, safe_url};
use crate::digest::{count, MAX_NAME_CHARS};

/// Makes `hb` render markdown safely: `{{x}}` goes through [`escape_markdown`] (`{{{x}}}` stays
/// raw, for our own pre-rendered markdown) and the helpers of [`register_helpers`] are available.
pub fn configure(hb: &mut Handlebars<'_>) {
    hb.register_escape_fn(escape_markdown);
    register_helpers(hb);
}

/// Registers:
/// - `{{code text}}`: [`code_block`] of `text` (a fenced block starting on the current line; put
///   it on a line of its own);
/// - `{{inline_code text}}`: [`code_span`] of `text` (a command, a `path:line`);
/// - `{{truncate text 80}}`: `text` escaped like `{{text}}` after capping it at 80 characters
///   (with `…`), see [`inline_capped`];
/// - `{{short name}}`: a name escaped like `{{name}}`, capped at [`MAX_NAME_CHARS`] (with `…`);
/// - `{{link text url}}`: [`capped_link`], a markdown link to an http(s) URL with escaped text;
/// - `{{count n "more line"}}`: `1 more line`, `2 more lines` (the last word takes an `s`).
///
/// A missing or `null` text renders as empty; numbers and booleans render as their JSON text.
pub fn register_helpers(hb: &mut Handlebars<'_>) {
    hb.register_helper("code", writing(|h| Ok(code_block(&text_param(h, 0)))));
    hb.register_helper("inline_code", writing(|h| Ok(code_span(&text_param(h, 0)))));
    hb.register_helper(
        "truncate",
        writing(|h| {
            let max = number_param(h, 1, "truncate", "the length")?;
            let max = usize::try_from(max).unwrap_or(usize::MAX);
            Ok(inline_capped(&text_param(h, 0), max))
        }),
    );
    hb.register_helper(
        "short",
        writing(|h| Ok(inline_capped(&text_param(h, 0), MAX_NAME_CHARS))),
    );
    hb.register_helper(
        "link",
        writing(|h| Ok(capped_link(&text_param(h, 0), &text_param(h, 1)))),
    );
    hb.register_helper(
        "count",
        writing(|h| {
            let n = number_param(h, 0, "count", "the number")?;
            Ok(inline(&count(n, &text_param(h, 1))))
        }),
    );
}

/// [`super::link`] whose text is capped at [`MAX_NAME_CHARS`]: a job's name can be a whole
/// script. A cut text keeps its full form in the link's title (shown on hover).
pub fn capped_link(text: &str, url: &str) -> String {
    let shown = inline_capped(text, MAX_NAME_CHARS);
    let Some(url) = safe_url(url) else {
        return shown;
    };
    match shown == inline(text) {
        true => format!("[{shown}]({url})"),
        // `inline` leaves no `"` (it is `&quot;`), so the title cannot end early.
        false => format!("[{shown}]({url} \"{}\")", inline(text)),
    }
}

/// A helper that writes what `make` returns (already safe markdown).
fn writing(
    make: impl Fn(&Helper<'_>) -> Result<String, RenderError> + Send + Sync + 'static,
) -> Box<dyn HelperDef + Send + Sync> {
    Box::new(
        move |h: &Helper<'_>,
              _: &Handlebars<'_>,
              _: &Context,
              _: &mut RenderContext<'_, '_>,
              out: &mut dyn Output|
              -> HelperResult {
            out.write(&make(h)?)?;
            Ok(())
        },
    )
}

fn text_param(h: &Helper<'_>, index: usize) -> String {
    h.param(index)
        .map(|p| p.value().render())
        .unwrap_or_default()
}

/// A non-negative integer parameter, or an error naming the helper and what it counts.
fn number_param(
    h: &Helper<'_>,
    index: usize,
    helper: &'static str,
    what: &'static str,
) -> Result<u64, RenderError> {
    let param = h
        .param(index)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex(helper, index))?;
    param.value().as_u64().ok_or_else(|| {
        RenderErrorReason::Other(format!("{helper}: {what} must be a non-negative integer")).into()
    })
}
