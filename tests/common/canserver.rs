//! Running `canserver` as a user does, for the interop tests: a private bus (udp_multicast on
//! loopback with a port of its own, so parallel tests never hear each other), fresh TCP ports,
//! no discovery beacon unless asked for, and its stderr collected so a test can wait for a log
//! line and name the peer it expects there. Also raw socketcand connections, for tests that
//! speak the protocol byte for byte.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The canserver binary built for this test run.
pub fn canserver() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_canserver"))
}

/// A TCP port nobody on this host listens on right now.
pub fn free_tcp_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral TCP port");
    listener.local_addr().expect("local address").port()
}

/// canserver's stderr as it grows, with a condition variable to wait for a line.
#[derive(Default)]
struct LogBuf {
    text: Mutex<String>,
    grew: Condvar,
}

/// A running canserver, killed when dropped.
pub struct Server {
    child: Option<Child>,
    /// The socketcand protocol's port.
    pub socketcand: u16,
    /// The remote protocols' port.
    pub remote: u16,
    /// The HTTP adaptor's port.
    pub http: u16,
    /// The UDP port of the private udp_multicast bus it serves.
    pub bus_port: String,
    log: Arc<LogBuf>,
}

/// How to start a [`Server`].
#[derive(Clone, Default)]
pub struct ServerSpec {
    /// Arguments added to the defaults (`--port BUS --socketcand-port P --remote-port P2
    /// --no-beacon`).
    pub args: Vec<String>,
    /// Keep the discovery beacon on.
    pub beacon: bool,
    /// Serve this bus instead of the private udp_multicast bus (its bus options, e.g.
    /// `-i socketcan -c vcan0`); `bus_port` is then unused.
    pub bus: Option<Vec<String>>,
}

impl ServerSpec {
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn beacon(mut self) -> Self {
        self.beacon = true;
        self
    }

    pub fn start(self) -> Server {
        Server::start_spec(self)
    }
}

impl Server {
    /// A server on a private bus with `extra` arguments.
    pub fn start(extra: &[&str]) -> Server {
        ServerSpec::default().args(extra.iter().copied()).start()
    }

    pub fn spec() -> ServerSpec {
        ServerSpec::default()
    }

    fn start_spec(spec: ServerSpec) -> Server {
        let bus_port = super::free_port();
        let socketcand = free_tcp_port();
        let remote = free_tcp_port();
        let http = free_tcp_port();
        let mut cmd = super::tool(canserver());
        match &spec.bus {
            Some(bus) => cmd.args(bus),
            None => cmd.args(["--port", &bus_port]),
        };
        cmd.args(["--socketcand-port", &socketcand.to_string(), "--remote-port", &remote.to_string()]);
        cmd.args(["--http-port", &http.to_string()]);
        if !spec.beacon {
            cmd.arg("--no-beacon");
        }
        cmd.args(&spec.args);
        let listeners = 3 - spec
            .args
            .iter()
            .filter(|a| ["--no-socketcand", "--no-remote", "--no-http"].contains(&a.as_str()))
            .count();
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start canserver");
        let log = Arc::new(LogBuf::default());
        {
            let log = Arc::clone(&log);
            let stderr = child.stderr.take().expect("stderr piped");
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stderr);
                let mut line = String::new();
                while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                    log.text.lock().unwrap().push_str(&line);
                    log.grew.notify_all();
                    line.clear();
                }
                // EOF: wake waiters so they see the process is gone.
                log.text.lock().unwrap().push_str("");
                log.grew.notify_all();
            });
        }
        let server = Server { child: Some(child), socketcand, remote, http, bus_port, log };
        let ready = server.wait_for_count(" protocol on ", listeners, Duration::from_secs(30));
        assert!(ready, "canserver did not start listening:\n{}", server.log());
        server
    }

    /// What canserver printed so far.
    pub fn log(&self) -> String {
        self.log.text.lock().unwrap().clone()
    }

    /// Wait until `needle` occurs `n` times in the log.
    pub fn wait_for_count(&self, needle: &str, n: usize, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let mut text = self.log.text.lock().unwrap();
        loop {
            if text.matches(needle).count() >= n {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            text = self.log.grew.wait_timeout(text, left.min(Duration::from_millis(100))).unwrap().0;
        }
    }

    /// Wait until a log line contains every one of `needles`; returns that line.
    pub fn wait_for_line(&self, needles: &[&str], within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        let mut text = self.log.text.lock().unwrap();
        loop {
            if let Some(line) = text.lines().find(|l| needles.iter().all(|n| l.contains(n))) {
                return Some(line.to_string());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            text = self.log.grew.wait_timeout(text, left.min(Duration::from_millis(100))).unwrap().0;
        }
    }

    /// Like [`Server::wait_for_line`], but a missing line fails the test with the whole log.
    pub fn expect_line(&self, needles: &[&str], within: Duration) -> String {
        self.wait_for_line(needles, within)
            .unwrap_or_else(|| panic!("canserver never logged a line with {needles:?}:\n{}", self.log()))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Still running (not exited, not crashed).
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.as_mut().expect("running").try_wait(), Ok(None))
    }

    /// Fail the test if canserver has exited.
    pub fn assert_running(&mut self) {
        let status = self.child.as_mut().expect("running").try_wait().expect("try_wait");
        assert!(status.is_none(), "canserver exited ({status:?}):\n{}", self.log());
    }

    /// Resident memory in kB (`VmRSS`).
    pub fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }

    /// Send SIGTERM and wait for the exit (at most `within`); the status and the whole log.
    pub fn terminate(mut self, within: Duration) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        // SAFETY: signalling our own child by its pid.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + within;
        let status = loop {
            if let Some(st) = child.try_wait().expect("try_wait") {
                break st;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("canserver did not exit within {within:?} of SIGTERM:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Let the reader thread take the last lines.
        std::thread::sleep(Duration::from_millis(100));
        (status, self.log())
    }

    /// A cankit tool on the served private bus (the udp_multicast port), as the bus's other end.
    pub fn on_bus(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = super::tool(program);
        c.args(["--port", &self.bus_port]);
        c
    }

    /// canlogger as a socketcand client of this server (`-i socketcand -c CHANNEL`).
    pub fn socketcand_client(&self, channel: &str) -> Command {
        let mut c = super::tool(super::canlogger());
        c.args(["-i", "socketcand", "-c", channel, "--bus-option", "host=127.0.0.1"]);
        c.arg("--bus-option").arg(format!("port={}", self.socketcand));
        c
    }

    /// Open a raw TCP connection to the socketcand port.
    pub fn raw(&self) -> Raw {
        Raw::connect(SocketAddr::from(([127, 0, 0, 1], self.socketcand)))
    }

    /// Open a raw TCP connection to the remote port.
    pub fn raw_remote(&self) -> Raw {
        Raw::connect(SocketAddr::from(([127, 0, 0, 1], self.remote)))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A raw TCP client that reads socketcand elements (`< … >`) with timeouts.
pub struct Raw {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Raw {
    pub fn connect(addr: SocketAddr) -> Raw {
        let deadline = Instant::now() + Duration::from_secs(10);
        let stream = loop {
            match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
                Ok(s) => break s,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("connect to {addr}: {e}"),
            }
        };
        stream.set_nodelay(true).expect("nodelay");
        Raw { stream, buf: Vec::new() }
    }

    /// A connection made elsewhere (e.g. with socket options set before connecting).
    pub fn from_stream(stream: TcpStream) -> Raw {
        stream.set_nodelay(true).expect("nodelay");
        Raw { stream, buf: Vec::new() }
    }

    /// The local address (how canserver names this peer in its log).
    pub fn local(&self) -> String {
        self.stream.local_addr().expect("local address").to_string()
    }

    pub fn send(&mut self, bytes: impl AsRef<[u8]>) {
        self.stream.write_all(bytes.as_ref()).expect("write to canserver");
    }

    /// Read whatever arrives within `within` into the buffer; false on EOF.
    fn fill(&mut self, within: Duration) -> std::io::Result<bool> {
        self.stream.set_read_timeout(Some(within.max(Duration::from_millis(1))))?;
        let mut chunk = [0u8; 65536];
        match self.stream.read(&mut chunk) {
            Ok(0) => Ok(false),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(true)
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                Ok(true)
            }
            Err(e) => Err(e),
        }
    }

    /// The next element, or `None` when nothing complete arrives within `within` or the
    /// connection closes.
    pub fn element(&mut self, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(start) = self.buf.iter().position(|&b| b == b'<') {
                if let Some(len) = self.buf[start..].iter().position(|&b| b == b'>') {
                    let e = String::from_utf8_lossy(&self.buf[start..=start + len]).into_owned();
                    self.buf.drain(..=start + len);
                    return Some(e);
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            match self.fill(left) {
                Ok(true) => {}
                Ok(false) | Err(_) => return None,
            }
        }
    }

    /// The next element, which must be `want`.
    pub fn expect(&mut self, want: &str) {
        let got = self.element(Duration::from_secs(10));
        assert_eq!(got.as_deref(), Some(want), "expected {want}");
    }

    /// `< hi >`, `< open CHANNEL >`, `< ok >`, `< rawmode >`, `< ok >`.
    pub fn raw_mode(&mut self, channel: &str) {
        self.expect("< hi >");
        self.send(format!("< open {channel} >"));
        self.expect("< ok >");
        self.send("< rawmode >");
        self.expect("< ok >");
    }

    /// `< hi >`, `< open CHANNEL >`, `< ok >` (BCM mode).
    pub fn bcm_mode(&mut self, channel: &str) {
        self.expect("< hi >");
        self.send(format!("< open {channel} >"));
        self.expect("< ok >");
    }

    /// Every element that arrives within `within` (stops early at EOF).
    pub fn elements_for(&mut self, within: Duration) -> Vec<String> {
        let deadline = Instant::now() + within;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return out;
            }
            match self.element(left) {
                Some(e) => out.push(e),
                None => {
                    if !self.is_open_now() {
                        return out;
                    }
                }
            }
        }
    }

    /// Raw bytes received within `within` (and what was buffered).
    pub fn bytes_for(&mut self, within: Duration) -> Vec<u8> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match self.fill(left) {
                Ok(true) => {}
                _ => break,
            }
        }
        std::mem::take(&mut self.buf)
    }

    /// True until the server closed the connection (checked without waiting long).
    fn is_open_now(&mut self) -> bool {
        matches!(self.fill(Duration::from_millis(1)), Ok(true))
    }

    /// Wait until the server closes the connection (EOF or reset); false if it stays open.
    pub fn closed_within(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.fill(left) {
                Ok(true) => {}
                Ok(false) | Err(_) => return true,
            }
        }
    }
}

/// Frames as candump prints them, from `canlogger --format log` output lines
/// (`(1700000000.000000) chan 123#11` → `123#11`).
pub fn log_frames(text: &str) -> Vec<String> {
    text.lines().filter_map(|l| l.split_whitespace().nth(2).map(str::to_string)).collect()
}

/// `canlogger … watch --format log` running in the background (started with `-v` and waited for
/// until its bus is open), stopped with SIGTERM to collect what it printed.
pub struct Watch {
    child: Child,
    out: std::sync::mpsc::Receiver<String>,
    _err: BufReader<std::process::ChildStderr>,
}

impl Watch {
    /// `cmd` is a canlogger command with its bus options; `watch --format log` is appended.
    pub fn start(cmd: &mut Command) -> Watch {
        cmd.args(["-v", "watch", "--format", "log"]);
        let (mut child, err) = super::spawn_opened(cmd, Stdio::piped());
        let stdout = child.stdout.take().expect("stdout piped");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watch { child, out: rx, _err: err }
    }

    /// The frames (`123#11`) printed until `n` have come or `within` has passed.
    pub fn frames(&mut self, n: usize, within: Duration) -> Vec<String> {
        let deadline = Instant::now() + within;
        let mut got = Vec::new();
        while got.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.out.recv_timeout(left) {
                Ok(line) => got.extend(log_frames(&line)),
                Err(_) => break,
            }
        }
        got
    }

    /// Every frame printed within `within`.
    pub fn frames_for(&mut self, within: Duration) -> Vec<String> {
        self.frames(usize::MAX, within)
    }

    /// Stop it (SIGTERM): it must exit 0.
    pub fn stop(mut self) {
        // SAFETY: signalling our own child by its pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().expect("wait for canlogger watch");
        assert!(status.success(), "canlogger watch exited with {status}");
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run a command to its end within `within`; its output (panics when it takes longer).
pub fn run_within(cmd: &mut Command, within: Duration) -> std::process::Output {
    let child =
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(within) {
        Ok(out) => out.expect("wait for the command"),
        Err(_) => {
            // SAFETY: killing our own child by its pid.
            unsafe { libc::kill(pid as i32, libc::SIGKILL) };
            panic!("{cmd:?} did not finish within {within:?}");
        }
    }
}

/// Run a command that must succeed within `within`.
pub fn run_ok(cmd: &mut Command, within: Duration) -> std::process::Output {
    let out = run_within(cmd, within);
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
