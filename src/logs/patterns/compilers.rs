//! Compilers, linkers and type checkers, by the diagnostics they document: rustc and cargo,
//! tsc, MSVC and the C# compiler, the GNU and LLVM linkers.

use super::Mode::*;
use super::Rule;
use super::Strength::*;
use super::Subject::*;

pub(super) const RULES: &[Rule] = &[
    // tsc, MSVC, C#, the MSVC linker: `error TS2322:`, `error C2065:`, `error LNK2019:`.
    Rule::new(r"\berror [A-Z]{1,4}\d{2,6}\s*:", Decisive, Indented, Build),
    // cargo's closing lines: the crate that did not compile.
    Rule::new(
        r"^error: (?:could not compile|aborting due to)",
        Summary,
        Line,
        Build,
    ),
    // cargo and make repeating that the step failed.
    Rule::new(
        r"^error: (?:test failed|build failed|recipe)",
        Generic,
        Line,
        Build,
    ),
    // ld, lld: a symbol the link could not find.
    Rule::new(
        r"undefined (?:hidden )?(?:symbol|reference to)",
        Decisive,
        Indented,
        Build,
    ),
];
