//! `caneth` and the `waveshare` bus against real peers: the seed's own Python client (`caneth`
//! 0.3 from PyPI) and the `can-waveshare` python-can backend against `caneth simulate`; cankit's
//! client against a fake device written in Python from the record format alone (batched and
//! split records, a bad record, a dropped connection); reconnects across the simulator's
//! `--drop-every`; what the format cannot carry; a gateway that is not there.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::canserver::free_tcp_port;
use common::running::Running;
use common::{canlogger, free_port, require, root, tool};

fn caneth() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_caneth"))
}

/// The venv's Python if it has the seed's client and can-waveshare.
fn python_with_caneth() -> Option<PathBuf> {
    let python = common::python()?;
    let ok = Command::new(&python)
        .args(["-c", "import caneth, can_waveshare"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    ok.then_some(python)
}

const T: Duration = Duration::from_secs(15);

/// `caneth simulate` on a private bus and port (CAN1 only unless `extra` says otherwise).
struct Simulator {
    running: Running,
    port: u16,
    bus_port: String,
}

impl Simulator {
    fn start(extra: &[&str]) -> Simulator {
        let port = free_tcp_port();
        let bus_port = free_port();
        let running = Running::start(
            tool(caneth())
                .args(["simulate", "--port", &bus_port, "--channels", "1"])
                .args(["--listen", &format!("127.0.0.1:{port}")])
                .args(extra),
        );
        running.expect("Waveshare gateway protocol", T);
        Simulator { running, port, bus_port }
    }

    /// A cankit tool on the simulator's CAN1 bus.
    fn on_bus(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = tool(program);
        c.args(["--port", &self.bus_port]);
        c
    }

    fn send_on_bus(&self, frames: &[&str]) {
        let status = self.on_bus(canlogger()).arg("send").args(frames).status().unwrap();
        assert!(status.success());
    }
}

fn python_caneth(python: &Path, port: u16) -> Command {
    let mut c = tool(python);
    c.args(["-m", "caneth.cli", "--host", "127.0.0.1", "--port", &port.to_string()]);
    c
}

#[test]
fn the_python_caneth_client_watches_sends_and_waits_through_the_simulator() {
    let Some(python) = require("caneth 0.3 and can-waveshare in target/venv", python_with_caneth()) else {
        return;
    };
    let sim = Simulator::start(&[]);
    // watch: frames put on the bus arrive at the seed's client, as its CANFrame prints them.
    let watch = Running::start(python_caneth(&python, sim.port).arg("watch"));
    watch.expect("Watching for frames", T);
    sim.running.expect("Waveshare client connected", T);
    sim.send_on_bus(&["123#01020304", "12345678#DEADBEEF", "7FF#R8"]);
    let seen = watch.expect("id=0x7FF", T);
    assert!(seen.contains("[RX] CANFrame(id=0x123, ext=0, type=DATA, dlc=4, data=[01 02 03 04])"), "{seen}");
    assert!(
        seen.contains("[RX] CANFrame(id=0x12345678, ext=1, type=DATA, dlc=4, data=[DE AD BE EF])"),
        "{seen}"
    );
    // The seed's client keeps a remote frame's 8 padding bytes as its data.
    assert!(
        seen.contains("[RX] CANFrame(id=0x7FF, ext=0, type=RTR, dlc=8, data=[00 00 00 00 00 00 00 00])"),
        "{seen}"
    );
    drop(watch);
    // send: the seed's client's frame reaches the bus.
    let waiting =
        Running::start(sim.on_bus(canlogger()).args(["wait", "--id", "321", "-T", "15s", "--format", "log"]));
    std::thread::sleep(Duration::from_millis(500));
    // (The seed's `send` command exits before its transmit task writes the frame: the
    // simulator logs "0 frames from it". Its library, given the time to write, sends.)
    let script = format!(
        r#"
import asyncio
from caneth import WaveShareCANClient
async def main():
    client = WaveShareCANClient("127.0.0.1", {port})
    await client.start()
    await client.wait_connected(timeout=10)
    await client.send(0x321, [0x12, 0xFF])
    await asyncio.sleep(1.0)
    await client.close()
asyncio.run(main())
"#,
        port = sim.port
    );
    let (code, out) = Running::start(tool(&python).args(["-c", &script])).wait(T);
    assert_eq!(code, 0, "{out}");
    let (code, seen) = waiting.wait(T);
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("321#12FF"), "{seen}");
    // wait: with d0 and d1, the first frame that matches.
    let wait = Running::start(python_caneth(&python, sim.port).args([
        "wait",
        "--id",
        "0x123",
        "--d0",
        "0x01",
        "--d1",
        "0x02",
        "--wait-timeout",
        "15",
    ]));
    sim.running.expect("Waveshare client connected", T);
    std::thread::sleep(Duration::from_millis(800));
    sim.send_on_bus(&["123#0103", "123#0102AA"]);
    let (_, out) = wait.wait(T);
    assert!(out.contains("Matched: CANFrame(id=0x123, ext=0, type=DATA, dlc=3, data=[01 02 AA])"), "{out}");
}

#[test]
fn can_waveshare_through_python_can_both_ways() {
    let Some(python) = require("caneth 0.3 and can-waveshare in target/venv", python_with_caneth()) else {
        return;
    };
    let sim = Simulator::start(&[]);
    let waiting = Running::start(
        sim.on_bus(canlogger()).args(["wait", "--id", "18FF0001", "-T", "15s", "--format", "log"]),
    );
    std::thread::sleep(Duration::from_millis(500));
    // python-can's own Bus with interface="waveshare": send one frame, then print what it receives.
    let script = format!(
        r#"
import can, sys
bus = can.Bus(interface="waveshare", channel="tcp://127.0.0.1:{port}")
bus.send(can.Message(arbitration_id=0x18FF0001, is_extended_id=True, data=[1, 2, 3]))
print("SENT", flush=True)
msg = bus.recv(timeout=15)
print("GOT", hex(msg.arbitration_id) if msg else None, msg.data.hex() if msg else "", flush=True)
bus.shutdown()
"#,
        port = sim.port
    );
    let py = Running::start(tool(&python).args(["-c", &script]));
    py.expect("SENT", T);
    let (code, seen) = waiting.wait(T);
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("18FF0001#010203"), "{seen}");
    sim.send_on_bus(&["456#CAFE"]);
    let (code, out) = py.wait(T);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("GOT 0x456 cafe"), "{out}");
}

#[test]
fn cankit_reads_a_fake_device_written_from_the_format_alone() {
    let Some(python) = require("python-can venv (target/venv)", common::python()) else { return };
    let port = free_tcp_port();
    let device = Running::start(
        tool(&python).arg(root().join("tests/python/waveshare_device.py")).arg(port.to_string()),
    );
    device.expect("LISTENING", T);
    let watch = Running::start(tool(caneth()).args([
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--reconnect-initial",
        "0.2",
        "watch",
        "--format",
        "log",
    ]));
    // Batched records, a split one, a bad one (named by its offset), the drop, the reconnect and
    // the second connection's frame: watch goes on across the drop.
    let seen = watch.expect("201#AABB", T);
    for frame in ["101#01", "102#0202", "12345678#030303", "7FF#R8", "104#0404040404040404", "201#AABB"] {
        assert!(seen.contains(frame), "{frame} missing:\n{seen}");
    }
    assert!(seen.contains("byte offset 52: DLC 9 is above 8"), "{seen}");
    assert!(seen.contains("closed the connection"), "{seen}");
    assert!(seen.contains("reconnected after"), "{seen}");
    let order: Vec<usize> =
        ["101#01", "7FF#R8", "104#", "201#AABB"].iter().map(|f| seen.find(f).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "out of order:\n{seen}");
    drop(watch);
    device.expect("CLOSED", T);

    // Sending through the waveshare bus: the device sees exactly the spec's records.
    let port = free_tcp_port();
    let device = Running::start(
        tool(&python).arg(root().join("tests/python/waveshare_device.py")).args([&port.to_string(), "sink"]),
    );
    device.expect("LISTENING", T);
    let status = tool(canlogger())
        .args(["-i", "waveshare", "-c", &format!("127.0.0.1:{port}")])
        .args(["send", "123#01020304", "12345678#1234567800", "7FF#R8"])
        .status()
        .unwrap();
    assert!(status.success());
    let seen = device.expect("RX 48 00 00 07 FF", T);
    assert!(seen.contains("RX 04 00 00 01 23 01 02 03 04 00 00 00 00"), "{seen}");
    assert!(seen.contains("RX 85 12 34 56 78 12 34 56 78 00 00 00 00"), "{seen}");
    assert!(seen.contains("RX 48 00 00 07 FF 00 00 00 00 00 00 00 00"), "{seen}");
}

#[test]
fn watch_keeps_going_when_the_simulator_drops_connections() {
    let sim = Simulator::start(&["--drop-every", "1s"]);
    let watch = Running::start(tool(caneth()).args([
        "--host",
        "127.0.0.1",
        "--port",
        &sim.port.to_string(),
        "--reconnect-initial",
        "0.1",
        "watch",
        "--format",
        "log",
    ]));
    watch.expect("watching", T);
    // After the first drop and the reconnect, frames still arrive.
    watch.expect("reconnected after", T);
    std::thread::sleep(Duration::from_millis(100));
    sim.send_on_bus(&["1AB#42"]);
    let seen = watch.expect("1AB#42", T);
    assert!(seen.contains("closed the connection"), "{seen}");
    sim.running.expect("(--drop-every)", T);
}

#[test]
fn what_the_format_cannot_carry_is_refused_with_a_reason() {
    let sim = Simulator::start(&[]);
    let gateway = format!("127.0.0.1:{}", sim.port);
    for frame in ["123##1112233", "20000080#0000000000000000"] {
        let out =
            tool(canlogger()).args(["-i", "waveshare", "-c", &gateway, "send", frame]).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{frame} was accepted");
        assert!(err.contains("cannot be carried by the 13-byte Waveshare format"), "{frame}: {err}");
    }
}

#[test]
fn a_gateway_that_is_not_there_is_named_and_exit_3() {
    let port = free_tcp_port();
    let started = Instant::now();
    let out = tool(caneth())
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--timeout", "1", "wait", "--id", "1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains(&format!("cannot connect to 127.0.0.1:{port}")) && err.contains("refused"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10), "gave up late: {:?}", started.elapsed());
    let out = tool(caneth())
        .args(["--host", "no-such-host.invalid", "--timeout", "0.5", "send", "--id", "1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("cannot resolve no-such-host.invalid:20001"), "{err}");
    // Usage errors are 2, as everywhere.
    let out =
        tool(caneth()).args(["--host", "127.0.0.1", "wait", "--id", "1", "--d1", "2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = tool(caneth()).args(["watch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--host is required"));
}

#[test]
fn the_repl_on_the_gateway_goes_on_across_a_dropped_connection() {
    // Dropped at 3 s, back at about 3.1 s, dropped again at 6.1 s: the second request (at 4 s) and
    // its answer fall between. (A record written as the device drops the connection is lost: TCP
    // says nothing of what the peer read.)
    let sim = Simulator::start(&["--drop-every", "3s"]);
    // On the bus: wait for the repl's second request, then answer it.
    let request = Running::start(
        sim.on_bus(canlogger()).args(["wait", "--id", "7DF", "--d0", "02", "--d1", "02", "-T", "20s"]),
    );
    std::thread::sleep(Duration::from_millis(300));
    let mut repl = tool(caneth())
        .args(["--host", "127.0.0.1", "--port", &sim.port.to_string(), "--reconnect-initial", "0.1"])
        .args(["repl", "--no-history", "--format", "log"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    repl.stdin.take().unwrap().write_all(b"send 7DF#0201\nsleep 4s\nsend 7DF 02 02\nwait 7E8 10s\n").unwrap();
    let (code, seen) = request.wait(T);
    assert_eq!(code, 0, "{seen}");
    sim.send_on_bus(&["7E8#0341"]);
    let out = repl.wait_with_output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("7E8#0341"), "{stdout}\n{stderr}");
    assert!(stderr.contains("reconnected after"), "the drop was not reported:\n{stderr}");
}

#[test]
fn every_tool_uses_the_gateway_as_a_bus_record_replay_serve() {
    let sim = Simulator::start(&[]);
    let gateway = format!("127.0.0.1:{}", sim.port);
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("gateway.log");
    // canlogger records the gateway.
    let recorder = Running::start(
        tool(canlogger()).args(["-i", "waveshare", "-c", &gateway, "-f"]).arg(&trace).args(["-n", "2"]),
    );
    sim.running.expect("Waveshare client connected", T);
    std::thread::sleep(Duration::from_millis(300));
    sim.send_on_bus(&["100#01", "18DA00F1#0203"]);
    let (code, out) = recorder.wait(T);
    assert_eq!(code, 0, "{out}");
    let text = std::fs::read_to_string(&trace).unwrap();
    assert!(text.contains("100#01") && text.contains("18DA00F1#0203"), "{text}");
    // canplayer replays the recording into the gateway: the frames reach the simulator's bus.
    let watch =
        Running::start(sim.on_bus(canlogger()).args(["watch", "-n", "2", "--format", "log", "-T", "15s"]));
    std::thread::sleep(Duration::from_millis(500));
    let status = tool(env!("CARGO_BIN_EXE_canplayer"))
        .args(["-i", "waveshare", "-c", &gateway])
        .arg(&trace)
        .status()
        .unwrap();
    assert!(status.success());
    let (_, seen) = watch.wait(T);
    assert!(seen.contains("100#01") && seen.contains("18DA00F1#0203"), "{seen}");
    // canserver serves the gateway to a socketcand client (cankit's own -i socketcand).
    let port = free_tcp_port();
    let server = Running::start(tool(env!("CARGO_BIN_EXE_canserver")).args([
        "-i",
        "waveshare",
        "-c",
        &gateway,
        "--no-http",
        "--no-remote",
        "--no-beacon",
        "--socketcand-port",
        &port.to_string(),
    ]));
    server.expect("socketcand protocol on", T);
    let client = Running::start(tool(canlogger()).args([
        "-i",
        "socketcand",
        "-c",
        &gateway,
        "--bus-option",
        "host=127.0.0.1",
        "--bus-option",
        &format!("port={port}"),
        "wait",
        "--id",
        "2AB",
        "-T",
        "15s",
        "--format",
        "log",
    ]));
    server.expect("socketcand client connected", T);
    std::thread::sleep(Duration::from_millis(500));
    sim.send_on_bus(&["2AB#CAFE"]);
    let (code, seen) = client.wait(T);
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("2AB#CAFE"), "{seen}");
}
