//! Package managers and build tools, by the messages they document: npm, Maven, Gradle,
//! docker build.

use super::Mode::*;
use super::Rule;
use super::Strength::*;
use super::Subject::*;

pub(super) const RULES: &[Rule] = &[
    // npm
    Rule::new(r"^npm (?:ERR!|error) ", Ordinary, Tagged, Build),
    Rule::new(
        r"^npm (?:ERR!|error) (?:code E|Missing script|404|ERESOLVE)",
        Decisive,
        Tagged,
        Build,
    ),
    // npm saying that the script it ran failed: the script's own output said why.
    Rule::new(
        r"^npm (?:ERR!|error) (?:code (?:ELIFECYCLE|\d)|errno |Exit status |Failed at |Lifecycle script |command failed|Test failed)",
        Summary,
        Tagged,
        Build,
    ),
    // Gradle
    Rule::new(r"^> Task \S+ FAILED$", Generic, Line, Build),
    Rule::new(r"^\* What went wrong:", Decisive, Paragraph, Build),
    Rule::new(r"Execution failed for task", Decisive, Indented, Build),
    Rule::new(r"FAILURE: Build failed", Generic, Line, Build),
    // Maven
    Rule::new(r"^\[ERROR\] +\S", Ordinary, Indented, Build),
    Rule::new(r"^\[ERROR\] .*:\[\d+,\d+\] ", Decisive, Indented, Build),
    // docker build (BuildKit)
    Rule::new(r"failed to (?:solve|build)", Decisive, Indented, Build),
];
