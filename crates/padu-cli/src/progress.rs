//! Progress bars that show on a terminal and stay quiet otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar with a message and a count; hidden when stderr is not a terminal.
pub(crate) fn bar(total: Option<u64>, message: &str) -> ProgressBar {
    let pb = match total {
        Some(t) => ProgressBar::new(t),
        None => ProgressBar::no_length(),
    };
    if !std::io::stderr().is_terminal() {
        pb.set_draw_target(ProgressDrawTarget::hidden());
    }
    let style = if total.is_some() {
        ProgressStyle::with_template(
            "{msg:>12} [{bar:30}] {human_pos}/{human_len} ({per_sec}, {eta})",
        )
    } else {
        ProgressStyle::with_template("{msg:>12} {spinner} {human_pos} ({per_sec})")
    }
    .expect("static template")
    .progress_chars("=> ");
    pb.set_style(style);
    pb.set_message(message.to_string());
    pb
}

/// Drives one progress bar per engine stage (named, with counts).
pub(crate) struct StageBars {
    multi: indicatif::MultiProgress,
    current: std::sync::Mutex<Option<ProgressBar>>,
}

impl StageBars {
    /// No bar yet; each `stage` call starts one.
    pub(crate) fn new() -> Self {
        let multi = indicatif::MultiProgress::new();
        if !std::io::stderr().is_terminal() {
            multi.set_draw_target(ProgressDrawTarget::hidden());
        }
        StageBars {
            multi,
            current: std::sync::Mutex::new(None),
        }
    }

    /// Finishes the last bar.
    pub(crate) fn finish(&self) {
        if let Some(pb) = self.current.lock().expect("bar lock").take() {
            pb.finish();
        }
    }
}

impl padu_match::Progress for StageBars {
    fn stage(&self, name: &str, total: u64) {
        let mut cur = self.current.lock().expect("bar lock");
        if let Some(pb) = cur.take() {
            pb.finish();
        }
        let pb = self.multi.add(bar(Some(total), name));
        *cur = Some(pb);
    }

    fn inc(&self, n: u64) {
        if let Some(pb) = self.current.lock().expect("bar lock").as_ref() {
            pb.inc(n);
        }
    }
}
