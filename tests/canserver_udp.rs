//! `canserver`'s CAN-to-UDP bridges against a Python peer that packs and unpacks the datagrams
//! with the `struct` module (tests/python/udp_bridge_peer.py): Linux `struct can_frame` /
//! `canfd_frame` datagrams (the seed's format) and cannelloni packets, both ways between the
//! peer and a private bus (`canlogger --port N send`/`watch` are the bus's other end). canserver
//! runs with the bridge alone (`--no-socketcand --no-remote --no-http`). Garbage datagrams and
//! a foreign sender are counted, logged and skipped; cannelloni sequence gaps are counted.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use common::canserver::{run_ok, Server, Watch};

const T: Duration = Duration::from_secs(20);

/// The Python peer, driven line by line.
struct Peer {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl Peer {
    fn start(format: &str, port: u16, server_port: u16) -> Option<Peer> {
        let python = common::require("python-can venv (target/venv)", common::python())?;
        let script = common::root().join("tests/python/udp_bridge_peer.py");
        let mut child = Command::new(python)
            .arg(script)
            .args([format, &port.to_string(), &server_port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the Python peer");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut peer = Peer { child, stdin, lines };
        assert_eq!(peer.line(), "ready");
        Some(peer)
    }

    fn line(&mut self) -> String {
        self.lines.recv_timeout(T).expect("the Python peer answers")
    }

    fn command(&mut self, cmd: &str) {
        writeln!(self.stdin, "{cmd}").unwrap();
        self.stdin.flush().unwrap();
        assert_eq!(self.line(), "ok", "{cmd}");
    }

    /// Up to `n` frames the peer received within `seconds`.
    fn recv(&mut self, n: usize, seconds: f64) -> Vec<String> {
        writeln!(self.stdin, "recv {n} {seconds}").unwrap();
        self.stdin.flush().unwrap();
        let mut frames = Vec::new();
        loop {
            let line = self.line();
            if line == "done" {
                return frames;
            }
            frames.push(line);
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_udp_port() -> u16 {
    common::free_port().parse().unwrap()
}

/// canserver bridging its private bus to a peer on `peer_port`, listening on `listen_port`,
/// with nothing else served.
fn bridge_server(format: &str, peer_port: u16, listen_port: u16, extra: &[&str]) -> Server {
    let peer = format!("127.0.0.1:{peer_port}");
    let listen = format!("127.0.0.1:{listen_port}");
    let mut args = vec!["--no-socketcand", "--no-remote", "--no-http", "--udp-format", format];
    args.extend(["--udp-peer", &peer, "--udp-listen", &listen]);
    args.extend(extra);
    let server = Server::start(&args);
    server.expect_line(&["UDP bridge (", &listen, &peer], T);
    server
}

/// Frames of every kind the bridges carry, in candump syntax as canlogger prints them.
const FRAMES: [&str; 5] = [
    "123#DEADBEEF",
    "12345678#0102030405060708",
    "7FF#R",
    "456##5000102030405060708090A0B",
    "1ABCDEF0##6000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F",
];

fn both_ways(format: &str) {
    let (peer_port, listen_port) = (free_udp_port(), free_udp_port());
    let server = bridge_server(format, peer_port, listen_port, &["--fd"]);
    let Some(mut peer) = Peer::start(format, peer_port, listen_port) else { return };
    let mut watch = Watch::start(server.on_bus(common::canlogger()).arg("--fd"));

    // Bus → peer: frames sent on the bus arrive, in order, unchanged.
    run_ok(server.on_bus(common::canlogger()).args(["--fd", "send"]).args(FRAMES), T);
    assert_eq!(peer.recv(FRAMES.len(), 10.0), FRAMES, "{}", server.log());

    // Peer → bus: the peer's datagrams reach another client of the bus.
    peer.command(&format!("send {}", FRAMES.join(" ")));
    assert_eq!(watch.frames(FRAMES.len() * 2, T)[FRAMES.len()..], FRAMES, "{}", server.log());
    // What the peer sent is not echoed back to it.
    assert_eq!(peer.recv(1, 1.0), Vec::<String>::new());
    watch.stop();
    let (status, log) = server.terminate(T);
    assert!(status.success(), "{log}");
    let closing = format!("{} frames from it", FRAMES.len());
    assert!(log.contains(&closing), "{log}");
}

#[test]
fn socketcan_structs_cross_both_ways_between_the_bus_and_a_python_peer() {
    both_ways("socketcan");
}

#[test]
fn cannelloni_packets_cross_both_ways_between_the_bus_and_a_python_peer() {
    both_ways("cannelloni");
}

#[test]
fn garbage_and_foreign_datagrams_are_counted_logged_and_skipped() {
    let (peer_port, listen_port) = (free_udp_port(), free_udp_port());
    let server = bridge_server("socketcan", peer_port, listen_port, &[]);
    let Some(mut peer) = Peer::start("socketcan", peer_port, listen_port) else { return };
    let mut watch = Watch::start(&mut server.on_bus(common::canlogger()));
    peer.command("raw 68656c6c6f");
    // can_id 0x456 written big-endian: a standard id far above 0x7FF read little-endian.
    peer.command("raw 0000045602000000aabb000000000000");
    peer.command("foreign 321#01");
    peer.command("send 123#11");
    assert_eq!(watch.frames(2, Duration::from_secs(3)), ["123#11"], "{}", server.log());
    server.expect_line(&["skipped a garbage datagram from 127.0.0.1:", "(5 bytes)", "neither"], T);
    server.expect_line(&["skipped a garbage datagram", "0x56040000", "wrong byte order"], T);
    server.expect_line(&["ignored a datagram from 127.0.0.2:", "not the peer"], T);
    watch.stop();
    let (status, log) = server.terminate(T);
    assert!(status.success(), "{log}");
    assert!(
        log.contains("1 frames from it; 2 garbage datagrams skipped, 1 datagrams from other senders ignored"),
        "{log}"
    );
}

#[test]
fn accept_any_takes_frames_from_any_sender() {
    let (peer_port, listen_port) = (free_udp_port(), free_udp_port());
    let server = bridge_server("socketcan", peer_port, listen_port, &["--udp-accept-any"]);
    let Some(mut peer) = Peer::start("socketcan", peer_port, listen_port) else { return };
    let mut watch = Watch::start(&mut server.on_bus(common::canlogger()));
    peer.command("foreign 321#01");
    assert_eq!(watch.frames(1, T), ["321#01"], "{}", server.log());
    watch.stop();
}

#[test]
fn cannelloni_sequence_gaps_are_counted_as_lost_and_garbage_is_skipped() {
    let (peer_port, listen_port) = (free_udp_port(), free_udp_port());
    let server = bridge_server("cannelloni", peer_port, listen_port, &[]);
    let Some(mut peer) = Peer::start("cannelloni", peer_port, listen_port) else { return };
    let mut watch = Watch::start(&mut server.on_bus(common::canlogger()));
    peer.command("send 100#01 101#02");
    peer.command("seq 5");
    peer.command("send 102#03");
    // Version 1, then a packet announcing two frames but holding one: no frame of either.
    peer.command("raw 0100000000");
    peer.command("raw 02000600020000012301aa");
    peer.command("send 103#04");
    assert_eq!(watch.frames(5, Duration::from_secs(3)), ["100#01", "101#02", "102#03", "103#04"]);
    server.expect_line(&["4 cannelloni packets lost", "sequence 5, expected 1"], T);
    server.expect_line(&["skipped a garbage datagram", "cannelloni version 1"], T);
    server.expect_line(&["skipped a garbage datagram", "frame 1 of 2 is cut off"], T);
    watch.stop();
    let (status, log) = server.terminate(T);
    assert!(status.success(), "{log}");
    assert!(
        log.contains("2 garbage datagrams skipped, 0 datagrams from other senders ignored, 4 packets lost"),
        "{log}"
    );
}

#[test]
fn many_frames_at_once_travel_in_few_cannelloni_packets() {
    let (peer_port, listen_port) = (free_udp_port(), free_udp_port());
    let server = bridge_server("cannelloni", peer_port, listen_port, &[]);
    let Some(mut peer) = Peer::start("cannelloni", peer_port, listen_port) else { return };
    let frames: Vec<String> = (0..500).map(|i| format!("{:03X}#{:08X}", i % 0x800, i)).collect();
    run_ok(server.on_bus(common::canlogger()).arg("send").args(&frames), T);
    assert_eq!(peer.recv(frames.len(), 10.0), frames);
    let (status, log) = server.terminate(T);
    assert!(status.success(), "{log}");
    let line = log.lines().find(|l| l.contains("frames to the peer in")).unwrap_or_default().to_string();
    let datagrams: usize = line
        .split("frames to the peer in ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!((1..500).contains(&datagrams), "500 frames should share packets: {line}");
}
