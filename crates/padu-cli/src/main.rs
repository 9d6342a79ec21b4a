//! The `padu` command-line tool: the operator's and data engineer's entry point.
//!
//! Exit codes: 0 success; 1 the command ran but found problems (an invalid NIK,
//! an unknown region, an import with row errors); 2 the command could not run
//! (bad arguments, unreadable file, database unreachable).

/// `println!` that ends the process quietly when stdout is closed (`padu stats | head`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            panic!("failed printing to stdout: {e}");
        }
    }};
}

mod cli;
mod cmd;
mod progress;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: verification builds and frees
/// millions of small strings and vectors on every thread, and measured with
/// the system allocator a 1M-person file-to-file run took 5–10% longer
/// (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PADU_LOG").unwrap_or_else(|_| {
                // A server's requests are its log; a command's output is its report.
                let level = match args.command {
                    cli::Command::Serve(_) => "info",
                    _ => "warn",
                };
                tracing_subscriber::EnvFilter::new(level)
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    match cmd::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("padu: {e:#}");
            ExitCode::from(2)
        }
    }
}
