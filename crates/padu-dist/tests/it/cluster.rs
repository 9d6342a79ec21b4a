//! A local cluster of real `padu-dist` processes, killed when dropped.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A scheduler and executors as child processes.
pub(crate) struct Cluster {
    /// The scheduler's `HOST:PORT`.
    pub(crate) scheduler: String,
    scheduler_process: Child,
    executors: Arc<Vec<Mutex<Child>>>,
    /// Every executor's log lines, as `(executor, line)`.
    lines: Option<Receiver<(usize, String)>>,
    /// The scheduler's log (warnings and errors).
    scheduler_log: std::path::PathBuf,
    _work: tempfile::TempDir,
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn padu_dist() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_padu-dist"));
    c.stdout(Stdio::null());
    c
}

/// Waits until something listens on `port`.
fn wait_for(port: u16, what: &str) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{what} did not start listening on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Cluster {
    /// Starts a scheduler and `executors` executors with one task slot each.
    pub(crate) fn start(executors: usize) -> Cluster {
        let work = tempfile::tempdir().expect("work dir");
        let port = free_port();
        let scheduler = format!("127.0.0.1:{port}");
        let scheduler_log = work.path().join("scheduler.log");
        let scheduler_process = padu_dist()
            .args(["scheduler", "--bind", &scheduler])
            .stderr(std::fs::File::create(&scheduler_log).expect("scheduler log"))
            .spawn()
            .expect("start scheduler");
        wait_for(port, "the scheduler");
        let (tx, rx) = channel();
        let mut children = Vec::new();
        for i in 0..executors {
            let flight = free_port();
            let dir = work.path().join(format!("executor-{i}"));
            std::fs::create_dir_all(&dir).expect("executor dir");
            let mut child = padu_dist()
                .args(["executor", "--scheduler", &scheduler, "--slots", "1"])
                .args(["--port", &flight.to_string()])
                .arg("--work-dir")
                .arg(&dir)
                // Task starts and ends are logged at info: the kill tests wait for them.
                .env("PADU_LOG", "ballista_executor::execution_loop=info")
                .stderr(Stdio::piped())
                .spawn()
                .expect("start executor");
            let stderr = child.stderr.take().expect("piped stderr");
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    // The receiver may be gone; the pipe must still be drained.
                    let _ = tx.send((i, line));
                }
            });
            children.push(Mutex::new(child));
            wait_for(flight, "an executor");
        }
        Cluster {
            scheduler,
            scheduler_process,
            executors: Arc::new(children),
            lines: Some(rx),
            scheduler_log,
            _work: work,
        }
    }

    /// What the scheduler has logged so far.
    pub(crate) fn scheduler_log(&self) -> String {
        std::fs::read_to_string(&self.scheduler_log).unwrap_or_default()
    }

    /// Kills (SIGKILL) the first executor whose log has a line containing
    /// `trigger`, from a watcher thread; the returned handle says which one and when.
    pub(crate) fn kill_executor_on(
        &mut self,
        trigger: &'static str,
    ) -> std::thread::JoinHandle<(usize, Instant)> {
        self.kill_executor_on_nth(trigger, 1)
    }

    /// Kills (SIGKILL) the executor that logs the `nth` line containing
    /// `trigger` (counted over all executors), from a watcher thread.
    pub(crate) fn kill_executor_on_nth(
        &mut self,
        trigger: &'static str,
        nth: usize,
    ) -> std::thread::JoinHandle<(usize, Instant)> {
        let lines = self.lines.take().expect("one watcher per cluster");
        let executors = Arc::clone(&self.executors);
        std::thread::spawn(move || {
            let mut seen = 0;
            for (i, line) in lines {
                if line.contains(trigger) {
                    seen += 1;
                }
                if line.contains(trigger) && seen == nth {
                    let mut child = executors[i].lock().expect("executor lock");
                    child.kill().expect("kill executor");
                    let _ = child.wait();
                    return (i, Instant::now());
                }
            }
            panic!("no executor logged {trigger:?}");
        })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in self.executors.iter() {
            if let Ok(mut c) = c.lock() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
        let _ = self.scheduler_process.kill();
        let _ = self.scheduler_process.wait();
    }
}
