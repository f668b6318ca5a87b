//! Streaming log analysis (pure: no I/O). PLACEHOLDER until the real pipeline lands.

use chrono::{DateTime, Utc};

pub struct StepInfo {
    pub number: u32,
    pub name: String,
    pub conclusion: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct ExcerptOptions {
    pub max_lines: usize,
    pub max_line_bytes: usize,
    pub context: usize,
}

impl Default for ExcerptOptions {
    fn default() -> Self {
        ExcerptOptions {
            max_lines: 40,
            max_line_bytes: 4096,
            context: 3,
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct JobExcerpt {
    pub step_number: Option<u32>,
    pub step_name: Option<String>,
    pub lines: Vec<ExcerptLine>,
    pub omitted_lines: u64,
    pub total_lines: u64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ExcerptLine {
    pub line_number: u64,
    pub text: String,
    pub kind: LineKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Error,
    Match,
    Context,
    Tail,
}

pub struct LogAnalyzer {
    options: ExcerptOptions,
    pending: Vec<u8>,
    lines: std::collections::VecDeque<String>,
    total: u64,
}

impl LogAnalyzer {
    pub fn new(_steps: &[StepInfo], options: &ExcerptOptions) -> Self {
        LogAnalyzer {
            options: options.clone(),
            pending: Vec::new(),
            lines: Default::default(),
            total: 0,
        }
    }
    pub fn feed(&mut self, chunk: &[u8]) {
        self.pending.extend_from_slice(chunk);
        while let Some(i) = self.pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=i).collect();
            self.push(&line);
        }
    }
    fn push(&mut self, line: &[u8]) {
        self.total += 1;
        let text = String::from_utf8_lossy(line).trim_end().to_string();
        let text = text
            .get(29..)
            .filter(|_| text.as_bytes().get(28) == Some(&b' '))
            .unwrap_or(&text)
            .to_string();
        self.lines.push_back(text);
        if self.lines.len() > self.options.max_lines {
            self.lines.pop_front();
        }
    }
    pub fn finish(mut self) -> JobExcerpt {
        if !self.pending.is_empty() {
            let rest = std::mem::take(&mut self.pending);
            self.push(&rest);
        }
        let first = self.total - self.lines.len() as u64;
        JobExcerpt {
            step_number: None,
            step_name: None,
            lines: self
                .lines
                .into_iter()
                .enumerate()
                .map(|(i, text)| ExcerptLine {
                    line_number: first + i as u64 + 1,
                    text,
                    kind: LineKind::Tail,
                })
                .collect(),
            omitted_lines: 0,
            total_lines: self.total,
        }
    }
}
