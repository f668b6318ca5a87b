//! Linters and bundlers, by their documented output: eslint's stylish format, tsd, esbuild.

use super::Mode::*;
use super::Rule;
use super::Strength::*;
use super::Subject::*;

pub(super) const RULES: &[Rule] = &[
    // eslint's stylish formatter: `  12:5  error  message  rule`
    Rule::new(r"^\s+\d+:\d+\s+error\s", Decisive, Line, Build),
    // tsd, eslint's summary
    Rule::new(r"^\s*✖\s", Decisive, Line, Build),
    Rule::new(r"^\s*✖ \d+ problems? \(", Summary, Line, Build),
    // esbuild: `✘ [ERROR] message`, then the location and its code frame.
    Rule::new(r"^\s*✘ \[ERROR\]", Decisive, Indented, Build),
];
