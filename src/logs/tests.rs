//! End-to-end tests of the log pipeline (real logs, ecosystems, attribution, streaming).
