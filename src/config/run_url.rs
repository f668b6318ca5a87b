//! The URL a user pastes from the browser: a run, one of its attempts, or one job.

use anyhow::bail;

/// What a pasted `…/OWNER/REPO/actions/runs/ID[/attempts/N][/job/JOB]` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunUrl {
    pub repo: String,
    pub run_id: u64,
    pub attempt: Option<u32>,
    /// `…/job/ID`: digest that one job.
    pub job_id: Option<u64>,
}

/// Reads a run, attempt or job URL of github.com or a GitHub Enterprise Server (the host is not
/// checked: the API host comes from GITHUB_API_URL).
pub fn parse(url: &str) -> anyhow::Result<RunUrl> {
    let expected = "expected a run's page, e.g. https://github.com/OWNER/REPO/actions/runs/123 \
                    (…/attempts/2 and …/job/456 work too)";
    let rest = url
        .trim()
        .strip_prefix("https://")
        .or_else(|| url.trim().strip_prefix("http://"))
        .ok_or_else(|| anyhow::anyhow!("`{url}` is not a URL: {expected}"))?;
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let Some(at) = parts.windows(2).position(|w| w == ["actions", "runs"]) else {
        bail!("`{url}` is not a run's page: {expected}");
    };
    if at < 3 {
        bail!("`{url}` names no OWNER/REPO: {expected}");
    }
    let repo = format!("{}/{}", parts[at - 2], parts[at - 1]);
    let number = |text: Option<&&str>, what: &str| -> anyhow::Result<u64> {
        text.and_then(|t| t.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("`{url}` has no {what} id: {expected}"))
    };
    let run_id = number(parts.get(at + 2), "run")?;
    let mut found = RunUrl {
        repo,
        run_id,
        attempt: None,
        job_id: None,
    };
    let mut tail = parts[at + 3..].iter();
    while let Some(segment) = tail.next() {
        match *segment {
            "attempts" => {
                let n = number(tail.next(), "attempt")?;
                match u32::try_from(n) {
                    Ok(n) if n >= 1 => found.attempt = Some(n),
                    _ => bail!("`{url}`: attempts count from 1"),
                }
            }
            "job" => found.job_id = Some(number(tail.next(), "job")?),
            _ => {}
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_attempts_and_jobs_are_read() {
        let run = parse("https://github.com/octo/app/actions/runs/123").unwrap();
        assert_eq!(
            (run.repo.as_str(), run.run_id, run.attempt, run.job_id),
            ("octo/app", 123, None, None)
        );
        let attempt =
            parse("https://github.com/octo/app/actions/runs/123/attempts/2?pr=5").unwrap();
        assert_eq!(attempt.attempt, Some(2));
        let job = parse("https://github.com/octo/app/actions/runs/123/job/456#step:4:12").unwrap();
        assert_eq!((job.run_id, job.job_id), (123, Some(456)));
        let ghes = parse("https://ghe.example.com/org/repo/actions/runs/9/").unwrap();
        assert_eq!(ghes.repo, "org/repo");
    }

    #[test]
    fn anything_else_is_refused_with_the_shape_expected() {
        for bad in [
            "123",
            "https://github.com/octo/app/pull/5",
            "https://github.com/actions/runs/1",
            "https://github.com/octo/app/actions/runs/abc",
            "https://github.com/octo/app/actions/runs/1/attempts/0",
        ] {
            let error = parse(bad).unwrap_err().to_string();
            assert!(
                error.contains("OWNER/REPO") || error.contains("from 1"),
                "{bad}: {error}"
            );
        }
    }
}
