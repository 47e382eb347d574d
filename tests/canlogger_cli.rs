//! `canlogger watch | send | wait` as a user runs them: real processes on the default
//! udp_multicast loopback bus (each test on its own port so tests do not hear each other),
//! asserting on stdout, stderr and exit codes.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStderr, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn canlogger(port: &str) -> Command {
    let mut c = common::tool(common::canlogger());
    c.args(["--port", port]);
    c
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run canlogger")
}

/// Start a watcher and wait until it has opened the bus (it says so with -v).
fn start_watch(port: &str, args: &[&str]) -> (Child, BufReader<ChildStderr>) {
    common::spawn_opened(canlogger(port).arg("-v").arg("watch").args(args), Stdio::piped())
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let end = Instant::now() + within;
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        if Instant::now() > end {
            let _ = child.kill();
            panic!("process did not exit within {within:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn stdout_of(child: &mut Child) -> String {
    let mut s = String::new();
    child.stdout.take().unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn frames_sent_by_one_process_are_printed_by_another_as_candump_log_lines() {
    let p = common::free_port();
    let (mut watch, _err) = start_watch(&p, &["--format", "log", "-n", "5", "-T", "5s"]);
    let out = run(canlogger(&p).args([
        "send",
        "123#DEADBEEF",
        "00000123#11",
        "1F334455#R3",
        "123##1000102030405060708090A0B",
        "7FF#",
    ]));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(wait_exit(&mut watch, Duration::from_secs(10)).success());
    let text = stdout_of(&mut watch);
    let frames: Vec<&str> = text.lines().map(|l| l.split(' ').nth(2).unwrap_or("")).collect();
    assert_eq!(
        frames,
        ["123#DEADBEEF", "00000123#11", "1F334455#R3", "123##5000102030405060708090A0B", "7FF#"],
        "{text}"
    );
    for line in text.lines() {
        let stamp = &line[..line.find(')').unwrap() + 1];
        assert_eq!(stamp.len(), "(1700000000.123456)".len(), "{line}");
    }
}

#[test]
fn json_format_prints_one_object_per_frame_with_python_can_names() {
    let p = common::free_port();
    let (mut watch, _err) = start_watch(&p, &["--format", "json", "-n", "1", "-T", "5s"]);
    assert!(run(canlogger(&p).args(["send", "18DAF110#0102"])).status.success());
    assert!(wait_exit(&mut watch, Duration::from_secs(10)).success());
    let text = stdout_of(&mut watch);
    assert!(text.starts_with("{\"timestamp\":"), "{text}");
    assert!(text.contains("\"arbitration_id\":417001744,\"is_extended_id\":true"), "{text}");
    assert!(text.contains("\"data\":\"0102\""), "{text}");
    assert!(text.contains("\"channel\":null"), "the sender set no channel: {text}");
}

#[test]
fn watch_filters_like_candump() {
    let p = common::free_port();
    let (mut watch, _err) = start_watch(
        &p,
        &["--format", "log", "-n", "2", "-T", "5s", "--filter", "100:700", "--filter", "321:7FF"],
    );
    assert!(run(canlogger(&p).args(["send", "123#01", "105#02", "200#03", "321#04"])).status.success());
    assert!(wait_exit(&mut watch, Duration::from_secs(10)).success());
    let text = stdout_of(&mut watch);
    let frames: Vec<&str> = text.lines().map(|l| l.split(' ').nth(2).unwrap_or("")).collect();
    assert_eq!(frames, ["123#01", "105#02"], "100:700 passes 0x100-0x1FF, 321:7FF comes later: {text}");
}

#[test]
fn watch_ends_with_exit_0_when_the_pipe_closes() {
    let p = common::free_port();
    let (mut watch, _err) = start_watch(&p, &["--format", "log"]);
    let mut first = String::new();
    {
        let mut reader = BufReader::new(watch.stdout.take().unwrap());
        assert!(run(canlogger(&p).args(["send", "123#01"])).status.success());
        reader.read_line(&mut first).unwrap();
        // dropping the reader closes the pipe, like `| head -1`
    }
    assert!(first.contains("123#01"));
    // The watcher notices the closed pipe on its next write.
    let deadline = Instant::now() + Duration::from_secs(10);
    let st = loop {
        assert!(run(canlogger(&p).args(["send", "123#02"])).status.success());
        if let Some(st) = watch.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = watch.kill();
            panic!("watch kept running after its output pipe closed");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(st.code(), Some(0));
}

#[test]
fn watch_ends_with_exit_0_on_sigterm_and_ctrl_c() {
    for sig in [libc::SIGTERM, libc::SIGINT] {
        let p = common::free_port();
        let (mut watch, _err) = start_watch(&p, &[]);
        // SAFETY: signalling the child we spawned, by its pid.
        unsafe { libc::kill(watch.id() as i32, sig) };
        let st = wait_exit(&mut watch, Duration::from_secs(5));
        assert_eq!(st.code(), Some(0), "signal {sig}");
    }
}

#[test]
fn watch_idle_timeout_ends_without_frames() {
    let p = common::free_port();
    let t0 = Instant::now();
    let out = run(canlogger(&p).args(["watch", "-T", "300ms"]));
    assert!(out.status.success());
    assert!(t0.elapsed() < Duration::from_secs(3));
    assert!(out.stdout.is_empty());
}

#[test]
fn wait_exits_0_and_prints_the_matching_frame() {
    let p = common::free_port();
    let mut waiter = canlogger(&p)
        .args(["-v", "wait", "--id", "7E8", "--d0", "03", "--format", "log", "--timeout", "5s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(waiter.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    assert!(run(canlogger(&p).args(["send", "7E0#0201", "7E8#0441", "7E8#03410C1A"])).status.success());
    let st = wait_exit(&mut waiter, Duration::from_secs(10));
    assert_eq!(st.code(), Some(0));
    let text = stdout_of(&mut waiter);
    assert!(text.trim_end().ends_with("7E8#03410C1A"), "{text}");
    assert_eq!(text.lines().count(), 1);
}

#[test]
fn wait_exits_1_on_timeout_and_2_on_bad_arguments() {
    let p = common::free_port();
    let out = run(canlogger(&p).args(["wait", "--id", "123", "--timeout", "200ms"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no matching frame"));
    let out = run(canlogger(&p).args(["wait", "--id", "12G"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--id"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(canlogger(&p).args(["wait", "--bogus"]));
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn send_rejects_malformed_frames_with_the_position_and_exit_2() {
    let p = common::free_port();
    for (frame, needle) in
        [("123#DEADBEE", "character"), ("123#001122334455667788", "8"), ("800#01", "0x7FF")]
    {
        let out = run(canlogger(&p).args(["send", "123#01", frame]));
        assert_eq!(out.status.code(), Some(2), "{frame}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle) && err.starts_with("canlogger: "), "{frame}: {err}");
    }
}

#[test]
fn send_repeats_with_count_and_period() {
    let p = common::free_port();
    let (mut watch, _err) = start_watch(&p, &["--format", "log", "-n", "6", "-T", "5s"]);
    let t0 = Instant::now();
    let out = run(canlogger(&p).args(["send", "100#01", "200#02", "--count", "3", "--period", "50ms"]));
    assert!(out.status.success());
    assert!(t0.elapsed() >= Duration::from_millis(100), "3 rounds 50ms apart take at least 100ms");
    assert!(wait_exit(&mut watch, Duration::from_secs(10)).success());
    let text = stdout_of(&mut watch);
    let frames: Vec<&str> = text.lines().map(|l| l.split(' ').nth(2).unwrap_or("")).collect();
    assert_eq!(frames, ["100#01", "200#02", "100#01", "200#02", "100#01", "200#02"]);
}

#[test]
fn send_accepts_bytes_as_humans_type_them() {
    let p = common::free_port();
    let (mut watch, _err) = start_watch(&p, &["--format", "log", "-n", "1", "-T", "5s"]);
    assert!(run(canlogger(&p).args(["send", "--id", "7DF", "--data", "0x02, 0x01, 0x0C"])).status.success());
    assert!(wait_exit(&mut watch, Duration::from_secs(10)).success());
    assert!(stdout_of(&mut watch).contains(" 7DF#02010C"));
}

#[test]
fn unknown_interface_and_bad_config_file_are_usage_errors() {
    let p = common::free_port();
    let out = run(canlogger(&p).args(["-i", "pcan", "send", "123#"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown interface 'pcan'"));

    let mut cfg = tempfile::NamedTempFile::new().unwrap();
    writeln!(cfg, "[default]\ninterface = udp_multicast\nnot a setting").unwrap();
    let out = run(canlogger(&p).arg("--config").arg(cfg.path()).args(["send", "123#"]));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:3:", cfg.path().display())), "{err}");
}

#[test]
fn verbose_says_where_each_setting_came_from() {
    let p = common::free_port();
    let mut cfg = tempfile::NamedTempFile::new().unwrap();
    writeln!(cfg, "[default]\ninterface = virtual\nbitrate = 500k").unwrap();
    let out = run(canlogger(&p)
        .env("CAN_CHANNEL", "bench")
        .arg("--config")
        .arg(cfg.path())
        .args(["-v", "send", "123#"]));
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("opened virtual 'bench'"), "{err}");
    assert!(err.contains("channel = bench  (environment CAN_CHANNEL)"), "{err}");
    assert!(err.contains("bitrate = 500k") && err.contains(":3 [default]"), "{err}");
    assert!(err.contains("port = ") && err.contains("(command line --port)"), "{err}");
}

#[test]
fn garbage_datagrams_are_counted_and_skipped() {
    let p = common::free_port();
    let (mut watch, mut err) = start_watch(&p, &["--format", "log", "-n", "1", "-T", "5s"]);
    // A raw socket on the loopback interface with TTL 0, like the bus itself.
    let sock = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None).unwrap();
    sock.set_multicast_if_v4(&std::net::Ipv4Addr::LOCALHOST).unwrap();
    sock.set_multicast_ttl_v4(0).unwrap();
    let group: std::net::SocketAddr = format!("239.74.163.2:{p}").parse().unwrap();
    for junk in [&b"hello"[..], &[0x81, 0xa1, b'x', 0x01], &[0xc1]] {
        sock.send_to(junk, &group.into()).unwrap();
    }
    std::thread::sleep(Duration::from_millis(100));
    assert!(run(canlogger(&p).args(["send", "123#AA"])).status.success());
    assert!(wait_exit(&mut watch, Duration::from_secs(10)).success());
    assert!(stdout_of(&mut watch).contains("123#AA"));
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert_eq!(rest.matches("ignored invalid datagram").count(), 3, "{rest}");
}
