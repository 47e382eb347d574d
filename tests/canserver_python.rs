//! `canserver` against the real python-can clients and servers, both ways:
//! * python-can 4.x `interface='socketcand'` as a client of canserver (handshake, receive, send,
//!   error frames, no free text after the handshake);
//! * python-can 2.0.0a2's `RemoteBus` (and its `CyclicSendTask`) as a client of canserver, and
//!   python-can 2.0.0a2's own remote server with cankit's `-i remote -c HOST:PORT`;
//! * python-can-remote 0.3 (`can_remote`) as a client of canserver (binary and JSON, periodic
//!   start/stop), and its server with cankit's `-i remote -c ws://HOST:PORT/`;
//! * the discovery beacon, found by python-can's `detect_beacon()` and by
//!   `canlogger -i socketcand` without a host.
//!
//! canserver serves a private udp_multicast bus (its own port), and `canlogger --port N`
//! processes are the bus's other end. The python peers live in `target/venv` (python-can 4.x,
//! python-can-remote 0.3) and `target/venv-pc2` (python-can 2.0.0a2), which `tools/test-all.sh`
//! creates; missing, a test is skipped on a developer machine and fails in CI.

mod common;

use std::time::Duration;

use common::canserver::{free_tcp_port, run_ok, Server, Watch};
use common::pypeer::{python_can_2, python_can_remote, PyPeer, PyServer};

const T: Duration = Duration::from_secs(20);

fn python4() -> Option<std::path::PathBuf> {
    common::require("python-can 4.x in target/venv", common::python())
}

fn python2() -> Option<std::path::PathBuf> {
    common::require("python-can 2.0.0a2 in target/venv-pc2", python_can_2())
}

fn python_remote() -> Option<std::path::PathBuf> {
    common::require("python-can-remote 0.3 in target/venv", python_can_remote())
}

/// `canlogger send FRAMES…` on the server's bus.
fn send_on_bus(server: &Server, frames: &[&str]) {
    run_ok(server.on_bus(common::canlogger()).arg("send").args(frames), T);
}

/// python-can's warnings that mean it was handed something it could not use (its socketcand
/// client also warns about an element split across two reads, which is harmless).
fn real_warnings(warnings: Vec<String>) -> Vec<String> {
    warnings.into_iter().filter(|w| !w.contains("Got incomplete message")).collect()
}

// ---------------------------------------------------------------------------------------------
// python-can 4.x, interface='socketcand'
// ---------------------------------------------------------------------------------------------

#[test]
fn python_can_socketcand_client_receives_sends_and_gets_error_frames() {
    let Some(python) = python4() else { return };
    let server = Server::start(&["-e", "1FFFFFFF"]);
    let port = server.socketcand.to_string();
    // python-can's handshake fails unless `< hi >` and each `< ok >` come alone in one read.
    let mut py = PyPeer::open(&python, &["socketcand", "127.0.0.1", &port, "can0"]);
    server.expect_line(&["opened can0"], T);

    // Frames from the bus: standard, extended, zero length, and an error frame (forwarded in RAW
    // mode because of -e, as `< error 004 … >`, which python-can turns into an error frame).
    send_on_bus(
        &server,
        &["123#DEADBEEF", "1ABCDEF0#0102", "7FF#", "00000005#11", "00000000#", "20000004#0004000000000000"],
    );
    let got = py.recv(6, 20.0);
    assert_eq!(
        got,
        [
            "123 0 0 0 4 DEADBEEF",
            "1ABCDEF0 1 0 0 2 0102",
            "7FF 0 0 0 0 -",
            "5 1 0 0 1 11",
            "0 1 0 0 0 -",
            // python-can makes an error frame from `< error CLASS … >` with one zero byte.
            "4 1 1 0 1 00",
        ]
    );

    // Frames python-can sends reach the bus (its `< send ID LEN b… >` with a hex length and
    // unpadded bytes), and do not come back to it.
    let mut watch = Watch::start(&mut server.on_bus(common::canlogger()));
    py.call("send 123 0 DEADBEEF", "SENT");
    py.call("send 1ABCDEF0 1 01F1", "SENT");
    py.call("send 7FF 0 -", "SENT");
    py.call("send 10 0 0102030405060708", "SENT");
    assert_eq!(watch.frames(4, T), ["123#DEADBEEF", "1ABCDEF0#01F1", "7FF#", "010#0102030405060708"]);
    assert_eq!(py.drain(1.0), Vec::<String>::new(), "python-can heard its own frames");
    watch.stop();

    // After the handshake, nothing but frames reached python-can: no free text it warns about.
    assert_eq!(real_warnings(py.warnings()), Vec::<String>::new());
    py.quit();
    let peer_line = server.expect_line(&["socketcand client disconnected"], T);
    assert!(peer_line.contains("127.0.0.1:"), "{peer_line}");
}

#[test]
fn python_can_socketcand_client_gets_no_error_frames_without_the_mask() {
    let Some(python) = python4() else { return };
    // The daemon forwards error frames only when started with -e; nor does canserver by default.
    let server = Server::start(&[]);
    let port = server.socketcand.to_string();
    let mut py = PyPeer::open(&python, &["socketcand", "127.0.0.1", &port, "can0"]);
    send_on_bus(&server, &["20000004#0004000000000000", "123#01"]);
    assert_eq!(py.drain(2.0), ["123 0 0 0 1 01"]);
    // With a mask of other classes (bus-off, 040) a controller problem (004) is not forwarded
    // either, the bus-off is.
    drop(py);
    let server = Server::start(&["-e", "40"]);
    let port = server.socketcand.to_string();
    let mut py = PyPeer::open(&python, &["socketcand", "127.0.0.1", &port, "can0"]);
    send_on_bus(&server, &["20000004#0004000000000000", "20000040#0000000000000000", "124#02"]);
    assert_eq!(py.drain(2.0), ["40 1 1 0 1 00", "124 0 0 0 1 02"]);
    assert_eq!(real_warnings(py.warnings()), Vec::<String>::new());
    py.quit();
}

// ---------------------------------------------------------------------------------------------
// python-can 2.0.0a2's remote protocol
// ---------------------------------------------------------------------------------------------

#[test]
fn python_can_2_remote_bus_against_canserver_both_ways_and_cyclic() {
    let Some(python) = python2() else { return };
    let server = Server::start(&[]);
    let address = format!("127.0.0.1:{}", server.remote);
    let mut py = PyPeer::open(&python, &["remote2", &address]);
    assert!(py.ready.contains("canserver"), "channel info: {}", py.ready);
    server.expect_line(&["python-can remote client connected"], T);

    send_on_bus(&server, &["123#11223344", "1ABCDEF0#", "7FF#0102030405060708"]);
    assert_eq!(
        py.recv(3, 20.0),
        ["123 0 0 0 4 11223344", "1ABCDEF0 1 0 0 0 -", "7FF 0 0 0 8 0102030405060708"]
    );

    let mut watch = Watch::start(&mut server.on_bus(common::canlogger()));
    py.call("send 321 0 AABB", "SENT");
    py.call("send 18DAF110 1 01", "SENT");
    assert_eq!(watch.frames(2, T), ["321#AABB", "18DAF110#01"]);

    // CyclicSendTask: its own connection, PeriodicMessageStart (protocol v4: period in seconds)
    // without a bus request; every 50 ms until PeriodicMessageStop.
    py.call("periodic 456 0 0102 0.05", "STARTED");
    let cyclic = watch.frames_for(Duration::from_millis(1500));
    let n = cyclic.iter().filter(|f| *f == "456#0102").count();
    assert!(n >= 5, "only {n} cyclic frames in 1.5 s: {cyclic:?}");
    assert!(cyclic.iter().all(|f| f == "456#0102"), "{cyclic:?}");
    py.call("stop", "STOPPED");
    std::thread::sleep(Duration::from_millis(500));
    let _ = watch.frames_for(Duration::from_millis(100));
    let after = watch.frames_for(Duration::from_millis(1000));
    assert!(after.is_empty(), "cyclic frames after the stop: {after:?}");
    watch.stop();
    // RemoteBus.shutdown: SHUT_WR, then it reads until the server closes.
    py.quit();
    server.expect_line(&["python-can remote client disconnected", "client closed the connection"], T);
}

#[test]
fn canlogger_remote_against_python_can_2_server() {
    let Some(python) = python2() else { return };
    // python-can 2.0's server binds without SO_REUSEADDR: a port nobody used.
    let port = free_tcp_port();
    let mut pyserver = PyServer::start(
        &python,
        &[
            "-m",
            "can.interfaces.remote",
            "-i",
            "virtual",
            "-c",
            "vch0",
            "-H",
            "127.0.0.1",
            "-p",
            &port.to_string(),
        ],
    );
    pyserver.wait_listening(port, T);
    let address = format!("127.0.0.1:{port}");
    let remote = |c: &mut std::process::Command| {
        c.args(["-i", "remote", "-c", &address]);
    };

    // Frames a python-can 2.0 client sends reach `canlogger watch` (each client of that server
    // has its own virtual bus on vch0).
    let mut cmd = common::tool(common::canlogger());
    remote(&mut cmd);
    let mut watch = Watch::start(&mut cmd);
    let mut py = PyPeer::open(&python, &["remote2", &address]);
    py.call("send 123 0 DEADBEEF", "SENT");
    py.call("send 1ABCDEF0 1 -", "SENT");
    py.call("send 7FF 0 0102030405060708", "SENT");
    assert_eq!(watch.frames(3, T), ["123#DEADBEEF", "1ABCDEF0#", "7FF#0102030405060708"]);
    watch.stop();

    // `canlogger send` reaches the python-can 2.0 client (which also hears its own frames back
    // from 2.0's virtual bus: those came first).
    let _ = py.drain(1.0);
    let mut cmd = common::tool(common::canlogger());
    remote(&mut cmd);
    run_ok(cmd.args(["send", "321#AABB", "18DAF110#01"]), T);
    assert_eq!(py.recv(2, 20.0), ["321 0 0 0 2 AABB", "18DAF110 1 0 0 1 01"]);
    py.quit();
}

// ---------------------------------------------------------------------------------------------
// python-can-remote 0.3 (WebSocket)
// ---------------------------------------------------------------------------------------------

fn python_can_remote_client_against_canserver(mode: &str) {
    let Some(python) = python_remote() else { return };
    let server = Server::start(&[]);
    let url = format!("ws://127.0.0.1:{}/", server.remote);
    let mut args = vec!["remote", url.as_str()];
    if mode == "json" {
        args.push("json");
    }
    let mut py = PyPeer::open(&python, &args);
    let protocol = if mode == "json" { "(can.json.v1)" } else { "(can.binary+json.v1)" };
    server.expect_line(&["python-can-remote client connected", protocol], T);
    assert!(py.ready.contains("canserver"), "channel info: {}", py.ready);

    send_on_bus(&server, &["123#DEADBEEF", "1ABCDEF0#0102", "7FF#"]);
    assert_eq!(py.recv(3, 20.0), ["123 0 0 0 4 DEADBEEF", "1ABCDEF0 1 0 0 2 0102", "7FF 0 0 0 0 -"]);

    let mut watch = Watch::start(&mut server.on_bus(common::canlogger()));
    py.call("send 321 0 AABB", "SENT");
    py.call("send 18DAF110 1 01", "SENT");
    assert_eq!(watch.frames(2, T), ["321#AABB", "18DAF110#01"]);
    assert_eq!(py.drain(0.5), Vec::<String>::new(), "python-can-remote heard its own frames");

    // periodic_start / periodic_stop.
    py.call("periodic 456 0 0102 0.05", "STARTED");
    let cyclic = watch.frames_for(Duration::from_millis(1500));
    let n = cyclic.iter().filter(|f| *f == "456#0102").count();
    assert!(n >= 5, "only {n} cyclic frames in 1.5 s: {cyclic:?}");
    py.call("stop", "STOPPED");
    std::thread::sleep(Duration::from_millis(500));
    let _ = watch.frames_for(Duration::from_millis(100));
    let after = watch.frames_for(Duration::from_millis(1000));
    assert!(after.is_empty(), "cyclic frames after periodic_stop: {after:?}");
    watch.stop();
    py.quit();
    server.expect_line(&["python-can-remote client disconnected"], T);
}

#[test]
fn python_can_remote_binary_client_against_canserver() {
    python_can_remote_client_against_canserver("binary");
}

#[test]
fn python_can_remote_json_client_against_canserver() {
    python_can_remote_client_against_canserver("json");
}

#[test]
fn canlogger_ws_remote_against_python_can_remote_server() {
    let Some(python) = python_remote() else { return };
    let port = free_tcp_port();
    let mut pyserver = PyServer::start(
        &python,
        &["-m", "can_remote", "-i", "virtual", "-c", "vch0", "-H", "127.0.0.1", "-p", &port.to_string()],
    );
    pyserver.wait_listening(port, T);
    let url = format!("ws://127.0.0.1:{port}/");
    let remote = || {
        let mut c = common::tool(common::canlogger());
        c.args(["-i", "remote", "-c", &url]);
        c
    };

    let mut watch = Watch::start(&mut remote());
    let mut py = PyPeer::open(&python, &["remote", &url]);
    py.call("send 123 0 DEADBEEF", "SENT");
    py.call("send 1ABCDEF0 1 -", "SENT");
    py.call("send 7FF 0 0102030405060708", "SENT");
    assert_eq!(watch.frames(3, T), ["123#DEADBEEF", "1ABCDEF0#", "7FF#0102030405060708"]);
    watch.stop();

    run_ok(remote().args(["send", "321#AABB", "18DAF110#01"]), T);
    assert_eq!(py.recv(2, 20.0), ["321 0 0 0 2 AABB", "18DAF110 1 0 0 1 01"]);
    py.quit();
}

// ---------------------------------------------------------------------------------------------
// The discovery beacon (UDP 42000): one test, so that python-can and canlogger listen one
// after the other.
// ---------------------------------------------------------------------------------------------

#[test]
fn beacon_is_found_by_python_can_and_by_canlogger_without_a_host() {
    let Some(python) = python4() else { return };
    // A name no other server offers, so that a beacon from anything else on this host cannot
    // be mistaken for ours.
    let name = format!("beacon{}", std::process::id());
    let server = Server::spec().beacon().args(["--bus".to_string(), format!("{name}=udp_multicast")]).start();
    let bus_port = server.bus_port.clone();

    // python-can: detect_beacon() returns the first beacon it parses; ask until ours came.
    let script = format!(
        r#"
import socket, time, types
from can.interfaces.socketcand import socketcand

# python-can binds UDP 42000 without SO_REUSEADDR, so it fails while any other program on this
# host listens for beacons (another test run, a cankit client discovering). With SO_REUSEADDR
# it shares the port, and every listener gets each broadcast; the parsing is python-can's own.
class ReusingSocket(socket.socket):
    def bind(self, address):
        self.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        return super().bind(address)

shim = types.SimpleNamespace(**{{k: getattr(socket, k) for k in dir(socket) if not k.startswith("__")}})
shim.socket = ReusingSocket
socketcand.socket = shim
deadline = time.time() + 20
while time.time() < deadline:
    for c in socketcand.detect_beacon(3100):
        if c["channel"] == "{name}":
            print(c["host"], c["port"])
            raise SystemExit(0)
raise SystemExit("no beacon offering {name}")
"#
    );
    let out = run_ok(std::process::Command::new(&python).args(["-c", &script]), Duration::from_secs(40));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.split_whitespace();
    assert_eq!(words.next(), Some("127.0.0.1"), "{text}");
    assert_eq!(words.next(), Some(server.socketcand.to_string().as_str()), "{text}");

    // canlogger -i socketcand -c NAME with no host: discovery by beacon, then a working bus.
    let mut cmd = common::tool(common::canlogger());
    cmd.args(["-i", "socketcand", "-c", &name]);
    let mut watch = Watch::start(&mut cmd);
    let mut send = common::tool(common::canlogger());
    run_ok(send.args(["--port", &bus_port, "send", "123#11", "1ABCDEF0#2233"]), T);
    assert_eq!(watch.frames(2, T), ["123#11", "1ABCDEF0#2233"]);
    watch.stop();
    server.expect_line(&["opened", &name], T);
}
