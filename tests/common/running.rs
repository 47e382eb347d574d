//! A program under test whose output (stdout and stderr, line by line) is collected as it comes,
//! waited for with generous limits (CI is a loaded 2-core machine), and killed when dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A child whose output lines are collected as they come; killed when dropped.
pub struct Running {
    pub child: Child,
    out: Arc<Mutex<String>>,
}

impl Running {
    pub fn start(cmd: &mut Command) -> Running {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env("PYTHONUNBUFFERED", "1")
            .spawn()
            .unwrap_or_else(|e| panic!("start {cmd:?}: {e}"));
        let out = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let out = Arc::clone(&out);
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let mut o = out.lock().unwrap();
                    o.push_str(&line);
                    o.push('\n');
                }
            });
        }
        Running { child, out }
    }

    pub fn text(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    /// Wait (generously: CI is a loaded 2-core machine) until the output holds `needle`.
    pub fn expect(&self, needle: &str, within: Duration) -> String {
        let end = Instant::now() + within;
        loop {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            assert!(Instant::now() < end, "no '{needle}' within {within:?} in:\n{text}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait(mut self, within: Duration) -> (i32, String) {
        let end = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the readers finish.
                std::thread::sleep(Duration::from_millis(100));
                return (status.code().unwrap_or(-1), self.text());
            }
            assert!(Instant::now() < end, "still running after {within:?}:\n{}", self.text());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Running {
    /// SIGTERM, then [`Running::wait`].
    pub fn terminate(self, within: Duration) -> (i32, String) {
        // SAFETY: kill on our own child's pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        self.wait(within)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
