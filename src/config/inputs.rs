//! Reading raw values from the environment: variables, action inputs in both of the runner's
//! spellings, booleans and bounded numbers, each refused with a message naming the input.

use std::ops::RangeInclusive;

use anyhow::bail;

use super::Env;

/// An environment variable, empty meaning unset.
pub(super) fn var(env: Env, name: &str) -> Option<String> {
    env(name).filter(|v| !v.trim().is_empty())
}

/// An action input: `INPUT_GITHUB-TOKEN` as the runner spells it, or `INPUT_GITHUB_TOKEN`.
/// Trimmed: a value pasted into a secret or a YAML block often ends with a newline.
pub(super) fn input(env: Env, name: &str) -> Option<String> {
    let upper = name.to_ascii_uppercase();
    var(env, &format!("INPUT_{upper}"))
        .or_else(|| var(env, &format!("INPUT_{}", upper.replace('-', "_"))))
        .map(|value| value.trim().to_owned())
}

pub(super) fn bool_input(env: Env, name: &str, default: bool) -> anyhow::Result<bool> {
    match input(env, name).as_deref().map(str::trim) {
        None => Ok(default),
        Some("true" | "True" | "TRUE") => Ok(true),
        Some("false" | "False" | "FALSE") => Ok(false),
        Some(other) => bail!("input `{name}` must be `true` or `false`, got `{other}`"),
    }
}

/// A whole-number input within `range`, `None` when not given.
pub(super) fn number_input(
    env: Env,
    name: &str,
    range: RangeInclusive<usize>,
) -> anyhow::Result<Option<usize>> {
    let Some(text) = input(env, name) else {
        return Ok(None);
    };
    let what = format!("input `{name}`");
    match text.trim().parse() {
        Ok(n) => check_range(n, range, &what).map(Some),
        Err(_) => bail!(
            "{what} must be a whole number from {} to {}, got `{text}`",
            range.start(),
            range.end()
        ),
    }
}

pub(super) fn check_range(
    n: usize,
    range: RangeInclusive<usize>,
    what: &str,
) -> anyhow::Result<usize> {
    if range.contains(&n) {
        Ok(n)
    } else {
        bail!(
            "{what} must be a whole number from {} to {}, got `{n}`",
            range.start(),
            range.end()
        )
    }
}
