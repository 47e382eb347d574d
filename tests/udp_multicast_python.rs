//! Interop between cankit's `udp_multicast` bus and real python-can, both directions, frame for
//! frame.
//!
//! python-can always sends with TTL 1 on the default interface, so these tests never run it on the
//! host: each test creates a private network namespace that has only `lo` (with a route for
//! 224.0.0.0/4), runs the python peer (`tests/python/udp_peer.py`) in it with `ip netns exec`, and
//! opens the Rust bus from a thread that has joined the same namespace (sockets belong to the
//! namespace they are created in). The namespace is deleted by a drop guard, even when a test
//! fails. Needs root, `ip`, and the project's venv with python-can; see `common::require`.

mod common;

use common::netns::Netns;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use cankit::{Bus, BusConfig, BusEvent, Channel, Frame, Timestamp};

/// Start the python peer inside the namespace.
fn python_in(ns: &Netns, python: &Path, args: &[String]) -> Child {
    ns.command(python)
        .arg(script())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the python peer")
}

fn script() -> PathBuf {
    common::root().join("tests/python/udp_peer.py")
}

/// python-can, `ip` and the right to create namespaces, or `None` (skip/fail per `common::require`).
fn peers() -> Option<PathBuf> {
    let python = common::require("python-can in target/venv", common::python())?;
    common::netns::available()?;
    Some(python)
}

/// The frames both directions exchange: every kind python-can knows.
fn frames() -> Vec<Frame> {
    vec![
        Frame::new_data(0x123, false, &[0xde, 0xad, 0xbe, 0xef]).unwrap(),
        Frame::new_data(0x1ABC_DEF0, true, &[1, 2, 3]).unwrap(),
        Frame::new_data(0x5, true, &[0x11]).unwrap().with_channel(Channel::name("vcan0")),
        Frame::new_data(0x7FF, false, &[]).unwrap(),
        Frame::new_remote(0x321, false, 3).unwrap(),
        Frame::new_remote(0x18DA_F110, true, 8).unwrap(),
        Frame::new_fd(0x456, false, &[0xA5; 12], true, false).unwrap(),
        Frame::new_fd(0x1FFF_FFFF, true, &std::array::from_fn::<u8, 64, _>(|i| i as u8), true, true)
            .unwrap()
            .with_channel(Channel::number(2)),
        Frame::new_fd(0x10, false, &[], false, true).unwrap(),
        Frame::new_error(0x44, [0, 0x10, 0, 0, 0, 0, 0x7f, 0]).unwrap(),
    ]
}

/// A frame in the peer's line format (see udp_peer.py).
fn line(f: &Frame) -> String {
    let flag = |b: bool| if b { "1" } else { "0" };
    let data: String = f.data().iter().map(|b| format!("{b:02x}")).collect();
    let channel = match (f.channel.as_name(), f.channel.as_number()) {
        (Some(name), _) => format!("s:{name}"),
        (_, Some(n)) => format!("i:{n}"),
        _ => "-".to_string(),
    };
    format!(
        "{:X} {} {} {} {} {} {} {} {} {}",
        f.id(),
        flag(f.is_extended()),
        flag(f.is_remote()),
        flag(f.is_error()),
        flag(f.is_fd()),
        flag(f.brs()),
        flag(f.esi()),
        f.len(),
        if data.is_empty() { "-" } else { &data },
        channel
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn stderr_of(child: &mut Child) -> String {
    let mut s = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut s);
    }
    s
}

#[test]
fn python_can_receives_every_frame_kind_cankit_sends() {
    let Some(python) = peers() else { return };
    let ns = Netns::create();
    let sent = frames();
    let mut peer = python_in(&ns, &python, &["recv".into(), sent.len().to_string(), "10".into()]);
    let mut stdout = BufReader::new(peer.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    if first.trim() != "READY" {
        let _ = peer.kill();
        panic!("python peer did not start: {first}{}", stderr_of(&mut peer));
    }

    ns.run_inside(|| {
        runtime().block_on(async {
            let bus = Bus::open(&BusConfig::new("udp_multicast", None)).await.unwrap();
            for f in &sent {
                bus.send(f).await.unwrap();
            }
        })
    });

    let lines: Vec<String> = stdout.lines().map(Result::unwrap).collect();
    let status = peer.wait().unwrap();
    let expected: Vec<String> = sent.iter().map(line).collect();
    assert_eq!(lines, expected, "python stderr: {}", stderr_of(&mut peer));
    assert!(status.success());
}

#[test]
fn cankit_receives_every_frame_kind_python_can_sends() {
    let Some(python) = peers() else { return };
    let ns = Netns::create();
    // python-can sends a 9-byte FD payload as is; cankit pads it to the FD length 12.
    let odd_fd = Frame::new_fd_padded(0x99, false, &[9; 9], false, false).unwrap();
    let mut to_send: Vec<String> = frames().iter().map(line).collect();
    to_send.push("99 0 0 0 1 0 0 9 090909090909090909 -".to_string());
    let mut expected = frames();
    expected.push(odd_fd);

    let (ready_tx, ready_rx) = mpsc::channel();
    let (received, peer_result) = std::thread::scope(|s| {
        let rust_side = s.spawn(|| {
            ns.run_inside(|| {
                runtime().block_on(async {
                    let bus = Bus::open(&BusConfig::new("udp_multicast", None)).await.unwrap();
                    ready_tx.send(()).unwrap();
                    let mut got = Vec::new();
                    let deadline = Instant::now() + Duration::from_secs(10);
                    while got.len() < expected.len() {
                        let left = deadline.saturating_duration_since(Instant::now());
                        match tokio::time::timeout(left, bus.recv()).await {
                            Ok(Ok(BusEvent::Frame(f))) => got.push(f),
                            Ok(Ok(other)) => panic!("unexpected event {other:?}"),
                            Ok(Err(e)) => panic!("{e}"),
                            Err(_) => break,
                        }
                    }
                    got
                })
            })
        });
        ready_rx.recv_timeout(Duration::from_secs(10)).expect("rust bus did not open");
        let mut args = vec!["send".to_string()];
        args.extend(to_send.iter().cloned());
        let peer = python_in(&ns, &python, &args).wait_with_output().unwrap();
        (rust_side.join().unwrap(), peer)
    });

    assert!(peer_result.status.success(), "python: {}", String::from_utf8_lossy(&peer_result.stderr));
    let now = Timestamp::now();
    for f in &received {
        // The receive time, not python's (0.0 for messages it creates).
        assert!((now.as_nanos() - f.timestamp.as_nanos()).abs() < 30_000_000_000, "{f:?}");
    }
    let received: Vec<Frame> = received.into_iter().map(|f| f.with_timestamp(Timestamp::ZERO)).collect();
    assert_eq!(received, expected);
}
