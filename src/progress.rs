//! Progress of a run on the terminal, and the time each stage took.
//!
//! The pipeline reports each stage as a message when it starts (`&mut dyn FnMut(&str)`);
//! [`Stages`] turns those messages into a spinner with the stage and its elapsed time when
//! stderr is a terminal (indicatif), or one plain line per stage when it is not (a log, CI),
//! and keeps how long each stage took for the closing summary. Times go to the terminal
//! only, never into an output file, so the same inputs still give the same bytes.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
enum Display {
    /// A spinner redrawn on stderr, a terminal.
    Spinner(ProgressBar),
    /// One line per stage on stderr, prefixed `gapmap: `.
    Lines,
}

/// The stages of a run as they happen: shown as they start, timed as they end.
pub struct Stages {
    display: Display,
    current: Option<(String, Instant)>,
    done: Vec<(String, Duration)>,
}

impl Stages {
    /// A spinner when `terminal` (stderr is a terminal), plain lines otherwise.
    pub fn new(terminal: bool) -> Self {
        let display = if terminal {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            Display::Spinner(bar)
        } else {
            Display::Lines
        };
        Stages {
            display,
            current: None,
            done: Vec::new(),
        }
    }

    /// Ends the current stage and starts one named `message`.
    pub fn stage(&mut self, message: &str) {
        self.end_current();
        match &self.display {
            Display::Spinner(bar) => {
                bar.reset_elapsed();
                bar.set_message(message.to_string());
            }
            Display::Lines => eprintln!("gapmap: {message}"),
        }
        self.current = Some((message.to_string(), Instant::now()));
    }

    fn end_current(&mut self) {
        if let Some((name, started)) = self.current.take() {
            self.done.push((name, started.elapsed()));
        }
    }

    /// Ends the last stage, clears the spinner and returns every stage with its time.
    pub fn finish(mut self) -> Vec<(String, Duration)> {
        self.end_current();
        if let Display::Spinner(bar) = &self.display {
            bar.finish_and_clear();
        }
        std::mem::take(&mut self.done)
    }
}

/// The closing summary's lines: each stage that took at least a millisecond, with its time.
pub fn summary(stages: &[(String, Duration)]) -> Vec<String> {
    let shown: Vec<&(String, Duration)> = stages
        .iter()
        .filter(|(_, t)| *t >= Duration::from_millis(1))
        .collect();
    let width = shown
        .iter()
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    shown
        .into_iter()
        .map(|(name, t)| format!("  {name:<width$}  {:>7.2} s", t.as_secs_f64()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_timed_in_order_and_instant_ones_left_out_of_the_summary() {
        let stages = vec![
            ("loading inputs".to_string(), Duration::from_millis(1500)),
            ("loaded 3 services".to_string(), Duration::from_micros(20)),
            ("drawing".to_string(), Duration::from_millis(250)),
        ];
        assert_eq!(
            summary(&stages),
            vec![
                "  loading inputs     1.50 s".to_string(),
                "  drawing            0.25 s".to_string(),
            ]
        );
    }

    #[test]
    fn each_message_ends_the_stage_before_it() {
        let mut s = Stages::new(false);
        s.stage("one");
        std::thread::sleep(Duration::from_millis(5));
        s.stage("two");
        let done = s.finish();
        let names: Vec<&str> = done.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["one", "two"]);
        assert!(done[0].1 >= Duration::from_millis(5));
    }
}
