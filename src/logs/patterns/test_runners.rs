//! Test runners and language runtimes, by the reports they document: libtest and Rust's
//! panics, pytest and Python's tracebacks, jest and vitest, go test and Go's panics, Maven
//! Surefire.

use super::Mode::*;
use super::Rule;
use super::Strength::*;
use super::Subject::*;

pub(super) const RULES: &[Rule] = &[
    // libtest prints the panic's message at the margin, up to a blank line.
    Rule::new(r"panicked at", Decisive, Paragraph, Test),
    Rule::new(r"^test result: FAILED|^FAILED \(", Summary, Line, Build),
    Rule::new(r"^failures:\s*$", Generic, Line, Build),
    Rule::new(r"^---- .+ std(?:out|err) ----$", Decisive, Section, Test),
    // pytest
    Rule::new(r"^E {3}", Decisive, Indented, Test),
    Rule::new(
        r"^Traceback \(most recent call last\)",
        Decisive,
        Traceback,
        Test,
    ),
    Rule::new(r"^_{3,} .+ _{3,}$", Decisive, Section, Test),
    Rule::new(r"={3,} (?:FAILURES|ERRORS) ={3,}", Generic, Line, Build),
    Rule::new(
        r"Interrupted: \d+ errors?|^=+ .*\b\d+ (?:failed|errors?)\b.*=+$",
        Summary,
        Line,
        Build,
    ),
    Rule::new(r"^ERROR \S", Ordinary, Line, Build),
    // jest, vitest
    Rule::new(r"^\s*● ", Decisive, Indented, Test),
    Rule::new(r"^FAIL\s", Decisive, Line, Test),
    // go test
    Rule::new(r"^\s*--- FAIL: ", Decisive, Indented, Test),
    Rule::new(r"^FAIL$", Generic, Line, Build),
    Rule::new(r"^panic: ", Decisive, Section, Test),
    // Maven Surefire
    Rule::new(r"<<< (?:FAILURE|ERROR)!", Decisive, Indented, Test),
    Rule::new(
        r"Tests run: \d+, Failures: (?:[1-9]|\d+, Errors: [1-9])|^\d+ tests? completed, \d+ failed",
        Summary,
        Line,
        Build,
    ),
    // A section header only: the lines under it are the report.
    Rule::new(
        r"^\[ERROR\] (?:Failures|Errors|Tests in error): ?$",
        Generic,
        Indented,
        Build,
    ),
];
