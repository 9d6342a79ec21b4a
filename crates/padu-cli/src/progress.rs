//! Progress bars that show on a terminal and stay quiet otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar with a message and a count; hidden when stderr is not a terminal.
pub fn bar(total: Option<u64>, message: &str) -> ProgressBar {
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
