//! `canopen-node gateway` as clients use it, with a `canopen-node` device (node 5) on a private
//! loopback bus: the CiA 309-3 ASCII gateway over TCP, a Unix socket and stdin/stdout, its answers
//! to garbage, over-long lines, clients that vanish mid-command and clients beyond the limit
//! (the gateway stays up for the others); the CiA 309-5 HTTP gateway driven by a client that
//! follows gocanopen's own client and replays gocanopen's server tests
//! (tests/python/cia309_5_client.py); and the exit codes of wrong arguments.
//!
//! cocomm against this gateway, compared with canopend's, is tests/canopen_gateway_uml.rs.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::running::Running;
use common::{free_port, tool};

fn canopen_node() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_canopen-node"))
}

/// Node 5 (the fixture dictionary) on a private loopback bus.
struct Device {
    _running: Running,
    _dir: tempfile::TempDir,
    port: String,
}

fn device() -> Device {
    let dir = tempfile::tempdir().unwrap();
    let eds = dir.path().join("device.eds");
    std::fs::copy(common::root().join("tests/fixtures/canopen/device.eds"), &eds).unwrap();
    let port = free_port();
    let running = Running::start(
        tool(canopen_node())
            .args(["-n", "5", "--no-store", "-e"])
            .arg(&eds)
            .args(["--port", &port, "--control"])
            .arg(dir.path().join("control.sock")),
    );
    running.expect("control socket", Duration::from_secs(20));
    Device { _running: running, _dir: dir, port }
}

/// A gateway on the device's bus, started and waited for.
fn gateway(device: &Device, args: &[&str], ready: &str) -> Running {
    let running =
        Running::start(tool(canopen_node()).arg("gateway").args(["--port", &device.port]).args(args));
    running.expect(ready, Duration::from_secs(20));
    running
}

/// One ASCII client: a line out, the reply (up to CR LF) back.
struct Client<S: Read + Write> {
    reader: BufReader<S>,
}

impl<S: Read + Write> Client<S> {
    fn new(stream: S) -> Client<S> {
        Client { reader: BufReader::new(stream) }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.reader.get_mut().write_all(bytes).unwrap();
    }

    fn reply(&mut self) -> String {
        let mut line = Vec::new();
        self.reader.read_until(b'\n', &mut line).unwrap();
        assert!(line.ends_with(b"\r\n"), "a reply ends with CR LF: {line:?}");
        String::from_utf8_lossy(&line[..line.len() - 2]).into_owned()
    }

    fn ask(&mut self, line: &str) -> String {
        self.send(format!("{line}\n").as_bytes());
        self.reply()
    }
}

fn tcp(port: &str) -> Client<TcpStream> {
    let stream = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    Client::new(stream)
}

#[test]
fn ascii_gateway_over_tcp_reads_writes_and_survives_bad_clients() {
    let device = device();
    let port = free_port();
    let gw = gateway(
        &device,
        &["--ascii", &format!("tcp:{port}"), "--max-clients", "3", "--sdo-timeout", "300ms"],
        "gateway on tcp:127.0.0.1",
    );
    let mut c = tcp(&port);
    assert_eq!(c.ask("[1] 5 r 0x1018 1 u32"), "[1] 418");
    assert_eq!(c.ask("[2] 5 w 0x2002 0 vs \"through the gateway\""), "[2] OK");
    assert_eq!(c.ask("[3] 5 r 0x2002 0 vs"), "[3] \"through the gateway\"");
    assert_eq!(c.ask("[4] set sdo_block 1"), "[4] OK");
    let blob: Vec<u8> = (0..3000u32).map(|i| (i * 7 % 253) as u8).collect();
    let b64 = common::base64(&blob);
    assert_eq!(c.ask(&format!("[5] 5 w 0x2000 0 d {b64}")), "[5] OK");
    assert_eq!(c.ask("[6] 5 r 0x2000 0 d"), format!("[6] {b64}"));
    assert_eq!(c.ask("[7] 9 r 0x1000 0 u32"), "[7] ERROR:0x05040000 #SDO protocol timed out.");
    assert_eq!(c.ask("[8] 5 r 0x3000 0"), "[8] ERROR:0x06020000 #Object does not exist.");
    // Garbage: control characters, bytes that are not ASCII, NULs; each line gets an error.
    c.send(b"\x00\x01\xff\xfe garbage \x80\n");
    assert_eq!(c.reply(), "[8] ERROR:101 #Syntax error.");
    c.send(b"[9] 5 r \xff\xff 0\n");
    assert_eq!(c.reply(), "[9] ERROR:101 #Syntax error.");
    // A line longer than the gateway takes (4 MiB) is refused whole; the next one works.
    let long = vec![b'A'; 5 << 20];
    c.send(b"[10] 5 w 0x2000 0 d ");
    c.send(&long);
    c.send(b"\n");
    assert_eq!(c.reply(), "[9] ERROR:600 #Running out of memory.");
    assert_eq!(c.ask("[11] 5 r 0x1018 1 u32"), "[11] 418");

    // A client that vanishes mid-command, and one that vanishes mid-transfer: the others go on.
    let mut half = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    half.write_all(b"[1] 5 r 0x10").unwrap();
    drop(half);
    let mut gone = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    gone.write_all(format!("[1] set sdo_block 1\n[2] 5 w 0x2000 0 d {b64}\n").as_bytes()).unwrap();
    drop(gone);
    assert_eq!(c.ask("[12] 5 r 0x1018 1 u32"), "[12] 418");
    // Both are gone before the limit is tried.
    let ended = |text: &str| {
        text.lines().filter(|l| l.ends_with(": disconnected") || l.contains("(os error")).count()
    };
    let start = std::time::Instant::now();
    while ended(&gw.text()) < 2 {
        assert!(start.elapsed() < Duration::from_secs(30), "{}", gw.text());
        std::thread::sleep(Duration::from_millis(50));
    }

    // Clients beyond --max-clients are told and closed.
    let _second = tcp(&port);
    let _third = tcp(&port);
    std::thread::sleep(Duration::from_millis(200));
    let mut fourth = tcp(&port);
    assert_eq!(fourth.reply(), "[0] ERROR:102 #Request not processed due to internal state.");
    let mut rest = Vec::new();
    fourth.reader.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
    assert_eq!(c.ask("[13] 5 r 0x1018 1 u32"), "[13] 418");
    gw.expect("refused, already 3 clients", Duration::from_secs(10));
    let (code, log) = gw.terminate(Duration::from_secs(10));
    assert_eq!(code, 0, "{log}");
}

#[test]
fn ascii_gateway_on_a_unix_socket_and_on_stdio() {
    let device = device();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("co.sock");
    // A stale socket file is replaced.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    let spec = format!("unix:{}", path.display());
    let gw = gateway(&device, &["--ascii", &spec, "--node", "5"], "gateway on unix:");
    let stream = UnixStream::connect(&path).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut c = Client::new(stream);
    assert_eq!(c.ask("[1] r 0x1018 1 x32"), "[1] 0x000001A2");
    assert_eq!(c.ask("# a comment"), "");
    // A second gateway on a live socket is refused (exit 3) and leaves it alone.
    let out =
        tool(canopen_node()).args(["gateway", "--port", &device.port, "--ascii", &spec]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another gateway is listening there"));
    let (code, log) = gw.terminate(Duration::from_secs(10));
    assert_eq!(code, 0, "{log}");
    assert!(!path.exists(), "the socket is removed at exit");

    // stdio: commands on stdin, replies on stdout, exit 0 at the end of input.
    let mut child = tool(canopen_node())
        .args(["gateway", "--ascii", "stdio", "-q", "--port", &device.port])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"[1] 5 r 0x1018 1 u32\r\n[2] 5 w 0x1017 0 u16 250\n[3] 5 r 0x1017 0 u16\n[4] 5 start")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[1] 418\r\n[2] OK\r\n[3] 250\r\n[4] OK\r\n");
}

#[test]
fn http_gateway_answers_gocanopens_client_and_test_requests() {
    let Some(python) = common::require("python (target/venv)", common::python()) else { return };
    let device = device();
    let port = free_port();
    let gw = gateway(&device, &["--http", &port, "--node", "5"], "CiA 309-5 gateway on http://127.0.0.1");
    let out = Command::new(python)
        .arg(common::root().join("tests/python/cia309_5_client.py"))
        .arg(format!("http://127.0.0.1:{port}"))
        .arg("5")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}\n{}", String::from_utf8_lossy(&out.stderr), gw.text());
    assert!(stdout.lines().filter(|l| l.starts_with("ok ")).count() >= 45, "{stdout}");

    // Raw requests: garbage paths and bodies get the protocol's error, never a crash.
    for (request, want) in [
        ("GET /cia309-5/1.0/7/1/5/r/0x1018/1 HTTP/1.1\r\n\r\n", r#""data":"0x000001a2""#),
        ("GET /nothing HTTP/1.1\r\n\r\n", r#""response":"ERROR:101""#),
        ("GET /cia309-5/1.0/8/1/5/r/zz/1 HTTP/1.1\r\n\r\n", r#""response":"ERROR:101""#),
        (
            "PUT /cia309-5/1.0/9/1/5/w/0x2003/0 HTTP/1.1\r\ncontent-length: 9\r\n\r\n{not json",
            r#""response":"ERROR:101""#,
        ),
        ("GET /cia309-5/1.0/10/1/200/r/0x1018/1 HTTP/1.1\r\n\r\n", r#""response":"ERROR:107""#),
        ("GET /cia309-5/1.0/11/1/all/r/0x1018/1 HTTP/1.1\r\n\r\n", r#""response":"ERROR:107""#),
    ] {
        let mut stream = TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let request = request.replace("HTTP/1.1\r\n", "HTTP/1.1\r\nconnection: close\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        assert!(reply.contains(want), "{request:?}: {reply}");
    }
    let (code, log) = gw.terminate(Duration::from_secs(10));
    assert_eq!(code, 0, "{log}");
}

#[test]
fn wrong_arguments_exit_2_and_a_busy_port_exits_3() {
    for (args, needle) in [
        (vec!["gateway"], "which gateway?"),
        (vec!["gateway", "--ascii", "serial:/dev/ttyS0"], "tcp:127.0.0.1:6000, tcp:PORT, unix:PATH or stdio"),
        (vec!["gateway", "--ascii", "tcp:nowhere"], "tcp:ADDRESS:PORT"),
        (vec!["gateway", "--http", "somewhere"], "--http somewhere: PORT or ADDRESS:PORT"),
        (vec!["gateway", "--ascii", "stdio", "--ascii", "-"], "--ascii stdio can be given once"),
        (vec!["gateway", "--ascii", "tcp:6000", "--node", "128"], "128"),
        (vec!["gateway", "--ascii", "tcp:6000", "--max-clients", "0"], "--max-clients must be at least 1"),
    ] {
        let out = tool(canopen_node()).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let bus = free_port();
    for args in [vec!["--ascii", &format!("tcp:{port}")[..]], vec!["--http", &port[..]]] {
        let out = tool(canopen_node()).arg("gateway").args(["--port", &bus]).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {stderr}");
        assert!(stderr.contains(&port), "{args:?}: {stderr}");
    }
}
