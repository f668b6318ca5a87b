//! The runner's own lines that attribution and ranking ask about by name: its generic exit
//! error, and the messages of a job stopped from outside (pure). Their shapes, as failures,
//! are in [`super::generic`].

/// `Process completed with exit code N.` — the runner's generic, least
/// informative error.
pub fn is_generic_exit_error(text: &[u8]) -> bool {
    // 137, 139 and 143 are a kill (often the OOM killer), a segfault and a termination
    // (SIGTERM, as at a runner's shutdown): they say what happened.
    let signal = |code: &[u8]| memchr::memmem::find(text, code).is_some();
    (text.starts_with(b"Process completed with exit code")
        && !signal(b"code 137")
        && !signal(b"code 139")
        && !signal(b"code 143"))
        || (text.starts_with(b"The process '")
            && memchr::memmem::find(text, b"' failed with exit code ").is_some())
}

/// The job was stopped from outside rather than failing by itself: cancelled, timed out,
/// killed. What was running just before it is the best clue to why.
pub fn is_interruption(text: &[u8]) -> bool {
    const WORDS: &[&[u8]] = &[
        b"he operation was cancel",
        b"shutdown signal",
        b"has timed out",
        b"exceeded the maximum execution time",
        b"timed out after",
        b"Killed",
        b"exit code 137",
    ];
    WORDS
        .iter()
        .any(|w| memchr::memmem::find(text, w).is_some())
}

/// Error lines after which the runner ends the step (used for attribution).
pub fn is_step_ending_error(text: &[u8]) -> bool {
    is_generic_exit_error(text)
        || memchr::memmem::find(text, b"has timed out after").is_some()
        || text.starts_with(b"The operation was canceled")
}
