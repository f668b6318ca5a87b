//! Handlebars wiring: the markdown escape function and the helpers templates use.
//!
//! Helpers here write straight to the output, which Handlebars never escapes, so each one makes
//! its own output safe and behaves the same under `{{…}}` and `{{{…}}}`.

use handlebars::{
    Context, Handlebars, Helper, HelperResult, JsonRender, Output, RenderContext, RenderErrorReason,
};

use super::{code_block, escape_markdown, inline, inline_capped, safe_url};
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
/// - `{{truncate text 80}}`: `text` escaped like `{{text}}` after capping it at 80 characters
///   (with `…`), see [`inline_capped`];
/// - `{{short name}}`: a name escaped like `{{name}}`, capped at [`MAX_NAME_CHARS`] (with `…`);
/// - `{{link text url}}`: [`capped_link`], a markdown link to an http(s) URL with escaped text;
/// - `{{count n "more line"}}`: `1 more line`, `2 more lines` (the last word takes an `s`).
///
/// A missing or `null` text renders as empty; numbers and booleans render as their JSON text.
pub fn register_helpers(hb: &mut Handlebars<'_>) {
    hb.register_helper("code", Box::new(code_helper));
    hb.register_helper("truncate", Box::new(truncate_helper));
    hb.register_helper("short", Box::new(short_helper));
    hb.register_helper("link", Box::new(link_helper));
    hb.register_helper("count", Box::new(count_helper));
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

fn text_param(h: &Helper<'_>, index: usize) -> String {
    h.param(index)
        .map(|p| p.value().render())
        .unwrap_or_default()
}

fn code_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&code_block(&text_param(h, 0)))?;
    Ok(())
}

fn truncate_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let max = h
        .param(1)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("truncate", 1))?
        .value()
        .as_u64()
        .ok_or(RenderErrorReason::InvalidParamType(
            "truncate: the length must be a non-negative integer",
        ))?;
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    out.write(&inline_capped(&text_param(h, 0), max))?;
    Ok(())
}

fn short_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&inline_capped(&text_param(h, 0), MAX_NAME_CHARS))?;
    Ok(())
}

fn link_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&capped_link(&text_param(h, 0), &text_param(h, 1)))?;
    Ok(())
}

fn count_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let n =
        h.param(0)
            .and_then(|p| p.value().as_u64())
            .ok_or(RenderErrorReason::InvalidParamType(
                "count: the number must be a non-negative integer",
            ))?;
    out.write(&inline(&count(n, &text_param(h, 1))))?;
    Ok(())
}
