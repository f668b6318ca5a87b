//! Streaming log analysis (pure: no I/O).
