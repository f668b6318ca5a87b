//! Workflow-command safety.
