use super::*;
use crate::render::tests::digest;

#[test]
fn a_log_cannot_send_escape_sequences_to_the_terminal() {
    let mut d = digest(1, 2, 10);
    let job = &mut d.failed_jobs[0];
    job.name = "evil\x1b]0;pwned\x07 name\u{202E}".into();
    job.excerpt[0].text = "\x1b[2J\x1b]8;;http://x\x1b\\click\u{9b}31m\x08\r".into();
    job.failing_step = Some("step\x1b[31m".into());
    for color in [false, true] {
        let text = render(&d, color);
        let ours = uncoloured(&text);
        for bad in ['\x1b', '\x07', '\u{9b}', '\x08', '\r', '\u{202E}'] {
            assert!(!ours.contains(bad), "{bad:?} in {text:?}");
        }
        assert!(text.contains("click"), "{text}");
    }
}

#[test]
fn without_colour_there_is_no_escape_at_all_and_with_colour_there_is() {
    let d = digest(2, 3, 10);
    assert!(!render(&d, false).contains('\x1b'));
    assert!(render(&d, true).contains("\x1b[31m✗\x1b[0m"));
}

#[test]
fn excerpts_carry_the_logs_line_numbers_and_gaps() {
    let mut d = digest(1, 3, 10);
    let numbers = [7, 8, 12];
    for (line, n) in d.failed_jobs[0].excerpt.iter_mut().zip(numbers) {
        line.line_number = n;
    }
    d.failed_jobs[0].excerpt_omitted = 1;
    let text = render(&d, false);
    assert!(text.contains("   7 │ "), "{text}");
    assert!(text.contains("   8 │ "), "{text}");
    assert!(text.contains("┆ … 3 lines skipped …"), "{text}");
    assert!(text.contains("  12 │ "), "{text}");
    assert!(
        text.contains("1 more line of the failure left out"),
        "{text}"
    );
}

#[test]
fn long_names_are_capped_everywhere() {
    let mut d = digest(1, 1, 10);
    let long = "x".repeat(600);
    d.failed_jobs[0].name = long.clone();
    d.failed_jobs[0].failing_step = Some(long.clone());
    d.jobs[0].name = long;
    let text = render(&d, false);
    for line in text.lines() {
        assert!(line.chars().count() < 300, "{line}");
    }
    assert!(text.contains(&format!("{}…", "x".repeat(119))), "{text}");
}
