//! Handlebars wiring: the markdown escape function and the helpers templates use.
//!
//! Helpers here write straight to the output, which Handlebars never escapes, so each one makes
//! its own output safe and behaves the same under `{{…}}` and `{{{…}}}`.

use handlebars::{
    Context, Handlebars, Helper, HelperResult, JsonRender, Output, RenderContext, RenderErrorReason,
};

use super::{code_block, escape_markdown, inline_capped, link};

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
/// - `{{link text url}}`: [`link`], a markdown link to an http(s) URL with escaped text.
///
/// A missing or `null` text renders as empty; numbers and booleans render as their JSON text.
pub fn register_helpers(hb: &mut Handlebars<'_>) {
    hb.register_helper("code", Box::new(code_helper));
    hb.register_helper("truncate", Box::new(truncate_helper));
    hb.register_helper("link", Box::new(link_helper));
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

fn link_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &Context,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&link(&text_param(h, 0), &text_param(h, 1)))?;
    Ok(())
}
