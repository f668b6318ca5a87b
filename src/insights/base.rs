//! "New or already broken?": each failed job compared, by its full name (matrix values included),
//! with the same job in the latest completed run of the same workflow on the PR's base branch.
//!
//! Pure: no I/O. The base run and its jobs are looked up by the app's insights step.

use crate::digest::marks::{BaseMark, BaseState};

use crate::github::models::{Conclusion, Job};

/// The mark of a failed job named `name`, given the base run's jobs. Only failures are
/// compared (a cancelled job says nothing about the code).
pub fn base_mark(
    name: &str,
    conclusion: Option<&Conclusion>,
    branch: &str,
    base_jobs: &[Job],
) -> Option<BaseMark> {
    if !conclusion?.is_failure() {
        return None;
    }
    // A re-run base job appears once per attempt when listed with `filter=all`; the latest wins.
    let on_base = base_jobs
        .iter()
        .filter(|j| j.name == name)
        .max_by_key(|j| j.run_attempt.unwrap_or(0));
    let failing = on_base
        .and_then(|j| j.conclusion.as_ref())
        .is_some_and(Conclusion::is_failure);
    let (state, label) = if failing {
        (BaseState::AlsoFailing, format!("also failing on {branch}"))
    } else {
        (BaseState::New, "new in this PR".to_owned())
    };
    Some(BaseMark {
        state,
        branch: branch.to_owned(),
        conclusion: on_base.and_then(|j| j.conclusion.as_ref().map(|c| c.as_str().to_owned())),
        url: on_base.and_then(|j| j.html_url.clone()),
        label,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(name: &str, conclusion: &str) -> Job {
        serde_json::from_value(serde_json::json!({
            "id": 1, "name": name, "status": "completed", "conclusion": conclusion,
            "html_url": format!("https://github.com/o/r/actions/runs/9/job/{name}")
        }))
        .unwrap()
    }

    fn base() -> Vec<Job> {
        vec![
            job("lint", "failure"),
            job("test (linux)", "success"),
            job("test (macos)", "timed_out"),
        ]
    }

    #[test]
    fn a_failure_on_the_base_branch_too_is_not_new() {
        let mark = base_mark("lint", Some(&Conclusion::Failure), "main", &base()).unwrap();
        assert_eq!(mark.state, BaseState::AlsoFailing);
        assert_eq!(mark.label, "also failing on main");
        assert_eq!(mark.conclusion.as_deref(), Some("failure"));
    }

    #[test]
    fn matrix_legs_match_by_their_full_name() {
        let failure = Some(&Conclusion::Failure);
        let linux = base_mark("test (linux)", failure, "main", &base()).unwrap();
        assert_eq!(linux.state, BaseState::New);
        assert_eq!(linux.label, "new in this PR");
        let macos = base_mark("test (macos)", failure, "main", &base()).unwrap();
        assert_eq!(macos.state, BaseState::AlsoFailing);
    }

    #[test]
    fn a_job_missing_on_the_base_is_new_and_a_cancel_is_not_compared() {
        let mark = base_mark("bench", Some(&Conclusion::Failure), "main", &base()).unwrap();
        assert_eq!((mark.state, mark.conclusion), (BaseState::New, None));
        assert_eq!(
            base_mark("lint", Some(&Conclusion::Cancelled), "main", &base()),
            None
        );
    }
}
