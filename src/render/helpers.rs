//! Template helpers that need the digest's shape: `link`.

use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};

use super::markdown;

/// `{{link text url}}`: a markdown link with escaped text, or just the escaped text when the URL
/// is missing or not http(s). Writes to the output directly so the link itself is not escaped.
fn link(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let text = h
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex("link", 0))?
        .value();
    let text = match text {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    let url = h
        .param(1)
        .and_then(|p| p.value().as_str())
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"));
    match url {
        Some(url) => out.write(&markdown::link(&text, url))?,
        None => out.write(&markdown::escape_markdown(&text))?,
    }
    Ok(())
}

pub fn register(hb: &mut Handlebars) {
    hb.register_helper("link", Box::new(link));
}
