//! A python-can client driven line by line (`tests/python/canserver_peer.py`): open a bus of one
//! kind, then `recv`, `send`, `periodic`, `stop`, `warnings`, `quit`, each answered on stdout.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The interpreter of `target/venv-pc2` (python-can 2.0.0a2), if it imports can 2.0.
pub fn python_can_2() -> Option<PathBuf> {
    let candidate = super::root().join("target/venv-pc2/bin/python");
    let ok = Command::new(&candidate)
        .args(["-c", "import can, can.interfaces.remote; assert can.__version__.startswith('2.0')"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    ok.then_some(candidate)
}

/// The project's venv interpreter if it also has python-can-remote 0.3 (`can_remote`).
pub fn python_can_remote() -> Option<PathBuf> {
    let python = super::python()?;
    let ok = Command::new(&python)
        .args(["-c", "import can_remote.version as v; assert v.__version__.startswith('0.3')"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    ok.then_some(python)
}

pub fn script() -> PathBuf {
    super::root().join("tests/python/canserver_peer.py")
}

/// A running python peer.
pub struct PyPeer {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
    /// What the bus said when it opened (`READY channel_info`).
    pub ready: String,
}

impl PyPeer {
    /// Start the peer and wait (up to 30 s) for READY.
    pub fn open(python: &Path, args: &[&str]) -> PyPeer {
        let mut child = Command::new(python)
            .arg(script())
            .args(args)
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the python peer");
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        {
            let stderr = std::sync::Arc::clone(&stderr);
            let pipe = child.stderr.take().expect("stderr");
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    let mut s = stderr.lock().unwrap();
                    s.push_str(&line);
                    s.push('\n');
                }
            });
        }
        let stdin = child.stdin.take();
        let mut peer = PyPeer { child, stdin, lines: rx, stderr, ready: String::new() };
        let first = peer.line(Duration::from_secs(30));
        assert!(
            first.starts_with("READY"),
            "python peer {args:?} did not open its bus: {first}\n{}",
            peer.stderr()
        );
        peer.ready = first;
        peer
    }

    pub fn stderr(&self) -> String {
        std::thread::sleep(Duration::from_millis(200));
        self.stderr.lock().unwrap().clone()
    }

    /// The next stdout line (panics with python's stderr when none comes in time).
    pub fn line(&mut self, within: Duration) -> String {
        match self.lines.recv_timeout(within) {
            Ok(l) => l,
            Err(_) => panic!("python peer said nothing within {within:?}; stderr:\n{}", self.stderr()),
        }
    }

    /// Send a command line.
    pub fn command(&mut self, cmd: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        if let Err(e) = writeln!(stdin, "{cmd}").and_then(|_| stdin.flush()) {
            panic!("python peer is gone ({e}); stderr:\n{}", self.stderr());
        }
    }

    /// A command answered by one line, which must start with `want`.
    pub fn call(&mut self, cmd: &str, want: &str) {
        self.command(cmd);
        let got = self.line(Duration::from_secs(30));
        assert!(got.starts_with(want), "{cmd}: expected {want}, got {got}; stderr:\n{}", self.stderr());
    }

    /// `recv N SECONDS` / `drain SECONDS`: the frame lines (`ID EXT ERR RTR DLC HEX`).
    pub fn frames(&mut self, cmd: &str, seconds: f64) -> Vec<String> {
        self.command(cmd);
        let mut out = Vec::new();
        loop {
            let l = self.line(Duration::from_secs_f64(seconds + 30.0));
            if let Some(f) = l.strip_prefix("F ") {
                out.push(f.to_string());
            } else if l.starts_with("END") {
                return out;
            } else {
                panic!("{cmd}: unexpected line {l}; stderr:\n{}", self.stderr());
            }
        }
    }

    pub fn recv(&mut self, n: usize, seconds: f64) -> Vec<String> {
        self.frames(&format!("recv {n} {seconds}"), seconds)
    }

    pub fn drain(&mut self, seconds: f64) -> Vec<String> {
        self.frames(&format!("drain {seconds}"), seconds)
    }

    /// The warnings python-can logged so far.
    pub fn warnings(&mut self) -> Vec<String> {
        self.command("warnings");
        let head = self.line(Duration::from_secs(30));
        let n: usize = head.strip_prefix("W ").and_then(|n| n.parse().ok()).expect("W n");
        (0..n).map(|_| self.line(Duration::from_secs(30))).collect()
    }

    /// `quit`: a clean shutdown; the exit status must be 0.
    pub fn quit(mut self) {
        self.call("quit", "BYE");
        drop(self.stdin.take());
        let status = self.child.wait().expect("wait for python");
        assert!(status.success(), "python peer exited with {status}; stderr:\n{}", self.stderr());
    }
}

impl Drop for PyPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A long-running python process (a server), killed when dropped.
pub struct PyServer {
    child: Child,
}

impl PyServer {
    pub fn start(python: &Path, args: &[&str]) -> PyServer {
        let child = Command::new(python)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the python server");
        PyServer { child }
    }

    /// Wait until `port` accepts TCP connections (the server is up); panics after `within`.
    pub fn wait_listening(&mut self, port: u16, within: Duration) {
        let deadline = std::time::Instant::now() + within;
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                panic!("the python server exited with {st}");
            }
            // A probe connection: the servers ignore a client that closes at once.
            if probe(port) {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "the python server did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// True when something listens on 127.0.0.1:`port`, found without connecting (a connection
/// would be a client to python-can 2.0's server, whose handler thread dies on it noisily):
/// the kernel's table of listening sockets.
fn probe(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    let want = format!(":{port:04X}");
    table.lines().skip(1).any(|l| {
        let cols: Vec<&str> = l.split_whitespace().collect();
        cols.len() > 3 && cols[1].ends_with(&want) && cols[3] == "0A"
    })
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
