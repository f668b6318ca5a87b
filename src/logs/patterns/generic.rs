//! Generic cues: shapes that no one tool owns. They are conventions that programs across
//! ecosystems share, and the runner's and the operating system's own messages, which every
//! job prints whatever it builds. With `FAILURE_DIGEST_RULES=generic` these are the only
//! shapes left, so a log of a tool nobody wrote a rule for is read by them alone.
//!
//! Each rule says which convention it stands for; none names a tool.

use super::Mode::*;
use super::Rule;
use super::Strength::*;
use super::Subject::*;

pub(super) const RULES: &[Rule] = &[
    // A program's own error line, `error: …` or `error[CODE]: …` at the margin: GNU's coding
    // standards' `program: error: message`, and every compiler that copied it.
    Rule::new(r"^(?:error|ERROR)(?:\[[\w-]{1,16}\])?: ", Decisive, Indented, Build),
    // A one-letter error level at the margin, as compilers and package tools abbreviate it
    // (`e: file:///src/App.kt:12:5 Unresolved reference: x`, `E: Unable to locate package x`).
    Rule::new(r"^[eE]: \S", Decisive, Line, Build),
    // The GNU diagnostic format, `file:line:col: error: message`.
    Rule::new(
        r"\S: (?:fatal )?error(?:\[[\w-]{1,16}\])?: |^fatal error: ",
        Decisive,
        Indented,
        Build,
    ),
    // The word `error:` anywhere after a prefix (`[tag] error: …`, `x.c:3: Error: …`).
    Rule::new(
        r"(?:^|[\s\]:>])(?:error|Error|ERROR)(?:\[[\w-]{1,16}\])?: ",
        Ordinary,
        Indented,
        Build,
    ),
    // An error placed at a location, its message in the lines below (`Error at x.txt:235
    // (message):`, `Parse error in config.yml:3`).
    Rule::new(
        r"\b(?:[Ee]rror|ERROR) (?:at|in) [^\s:]+:\d+",
        Ordinary,
        Indented,
        Build,
    ),
    // A status word that says a named thing failed: `name ... FAILED`, `FAILED name`.
    Rule::new(r"\bFAILED\b", Decisive, Indented, Test),
    // A test runner's status line: the status first (`FAIL name`, `Failed name [1 ms]`,
    // `[FAIL] name`), or last (`name [FAIL]`, a hook's `name........Failed`).
    Rule::new(
        r"^[\s\-=*#>!]*(?:FAIL|Failed|\[FAIL(?:ED)?\]|\[ *FAIL *\])(?:\s|:|$)|(?:\[FAIL(?:ED)?\]|\.{3,}\s*Failed|\sFAIL)\s*$",
        Decisive,
        Indented,
        Test,
    ),
    // A cross that marks a failed check, as runners and checkers print one where a passing
    // check gets its `✓` (`✕ parses an empty file (3 ms)`, `✗ lint`, `✖  3:1  message`);
    // what it failed on is indented below it. A cross before a level (`✘ [ERROR] …`) is the
    // level's line.
    Rule::new(r"^\s*(?:✕|✖|✗|✘)\s+[^\s\[]", Decisive, Indented, Test),
    // A test framework's failed check: `Test Failed at file:line`, `Test failed: …`.
    Rule::new(r"\b[Tt]ests? (?:[Ff]ailed|FAILED)\b", Decisive, Indented, Test),
    // Totals that count failures (`6 failures`, `Found 3 errors in 2 files`, `Errors: 16`,
    // `ERRORS!`): a summary of what is reported above it.
    Rule::new(
        r"\b[1-9]\d* (?:failed|failures?|errors?|failing|broken)\b|\b(?:Failures|Errors|Failed|Failing)\s*:\s*[1-9]|^(?:ERRORS|FAILURES)!$",
        Summary,
        Line,
        Build,
    )
    .weak(),
    // A wrapper saying that the command it ran exited non-zero (`… failed with exit code 2`,
    // `Command … returned non-zero exit status 1`): the command's own output said why.
    Rule::new(
        r"\b(?:failed|exited|returned) with (?:exit )?(?:code|status) [1-9]|returned non-zero exit status",
        Summary,
        Line,
        Build,
    ),
    // A wrapper echoing the command it ran, then `failed` (`/usr/bin/ruby -Ilib x/rspec
    // --pattern 'spec/**' failed`, as a rake task reports a shell command): a summary, since
    // the command's own output above said why. The command starts with an executable's path.
    Rule::new(r"^(?:/|\./)[^\s:]+ .*\sfailed$", Summary, Line, Build),
    // A build's closing verdict (`BUILD FAILED`, `BUILD FAILURE`): it only repeats the ❌.
    Rule::new(r"\bBUILD FAILED\b|\bBUILD FAILURE\b", Generic, Line, Build),
    // A numbered entry of a failure list (`  1) suite name`), with its report indented below:
    // test runners number the failures they report at the end.
    Rule::new(r"^\s{0,6}[1-9]\d{0,3}\) \S", Decisive, Indented, Test).weak(),
    // An exception or error by its type's name at the margin, or after the location that
    // raised it: `ValueError: …`, `Foo::Bar::Error:`, `java.lang.IllegalStateException`,
    // `src/x.py:12: KeyError` (any characters a path holds, such as a version's `+`).
    Rule::new(
        r"^\s*(?:[^\s:]+:\d+: )?(?:[A-Za-z_][\w.:]*)?(?:Error|Exception)(?::|$)",
        Ordinary,
        Indented,
        Build,
    ),
    // The same type named with its message after any prefix (`>  E   KeyError: 'x'`).
    Rule::new(
        r"(?:^|\s)[A-Za-z_][\w.]*(?:Error|Exception): \S",
        Ordinary,
        Indented,
        Build,
    )
    .weak(),
    // A log record at an error level: the level in brackets at the margin (`[ERROR] …`,
    // `✘ [ERROR] …`), or as an upper-case word (`12:00:01 ERROR [server]: …`).
    Rule::new(
        r"^\W{0,4}\[(?:ERROR|FATAL|CRITICAL)\] *\S",
        Ordinary,
        Indented,
        Build,
    ),
    Rule::new(r"\b(?:ERROR|CRITICAL)\b[:\s]", Ordinary, Indented, Build).weak(),
    // A program naming itself before its error level (`tool error …`, `tool ERR! …`).
    Rule::new(r"^[\w.-]{1,32} (?:ERR!|error|ERROR) \S", Ordinary, Indented, Build).weak(),
    // A sentence that says what failed and why: `Failed to execute …`, `Execution failed
    // for task …`, `… failed with exit code 2`.
    Rule::new(
        r"\b(?:[Ff]ailed|FAILED) (?:to|for|with|while|because|on)\b",
        Ordinary,
        Indented,
        Build,
    )
    .weak(),
    Rule::new(r"Exception in thread ", Ordinary, Indented, Build),
    Rule::new(r"^fatal: |\bFATAL\b|^Fatal error", Ordinary, Indented, Build),
    // The shell and the C library: a missing file or command, a refused permission.
    Rule::new(
        r"No such file or directory|: command not found|Permission denied|^\S*sh: .*: not found$",
        Ordinary,
        Line,
        Build,
    ),
    // A sentence that ends on `failed` (`Application bundle generation failed. [22.0 s]`).
    Rule::new(r"\bfailed[.!]?(?:\s+\[[^\]]*\])?\s*$", Ordinary, Line, Build).weak(),
    // Crashes and kills, as the kernel, the C runtime and the shell report them.
    Rule::new(
        r"Segmentation fault|SIGSEGV|core dumped",
        Decisive,
        Indented,
        Test,
    ),
    Rule::new(r"(?:^|\s)Killed(?:\s|$)|OOMKilled", Decisive, Line, Build),
    Rule::new(r"exit code 13[79]\b|[Oo]ut of memory", Decisive, Line, Build),
    // The runner stopping the job: a timeout, a cancel, a shutdown.
    Rule::new(
        r"has timed out|exceeded the maximum execution time|timed out after",
        Decisive,
        Line,
        Build,
    ),
    Rule::new(
        r"[Tt]he operation was cancell?ed|shutdown signal",
        Decisive,
        Line,
        Build,
    ),
];
