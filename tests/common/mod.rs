//! Shared by the integration tests: finding the real peers (python-can in the project's venv,
//! can-utils, User-Mode Linux) and the rule for a missing one: on a developer's machine the test
//! says it is skipped and why; in CI (`CI=true`) it fails.
#![allow(dead_code)]

pub mod canserver;
pub mod netns;
pub mod pyframes;
pub mod pypeer;
pub mod running;
pub mod uml;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// True when running in CI, where every peer must be present.
pub fn in_ci() -> bool {
    std::env::var("CI").map(|v| v == "true" || v == "1").unwrap_or(false)
}

/// Handle a missing peer: panic in CI, otherwise print why the test is skipped.
/// Returns `None` so callers can write `let Some(py) = require(...) else { return };`.
pub fn require<T>(peer: &str, found: Option<T>) -> Option<T> {
    if found.is_some() {
        return found;
    }
    let how = "run `tools/test-all.sh` once to install it";
    if in_ci() {
        panic!("required peer missing in CI: {peer} ({how})");
    }
    eprintln!("SKIPPED (developer machine only; fails in CI): {peer} is missing; {how}");
    None
}

/// The Python interpreter of the project's venv (`target/venv`, or `$CANKIT_PYTHON`) if it can
/// import python-can and msgpack.
pub fn python() -> Option<PathBuf> {
    let candidate = std::env::var_os("CANKIT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/venv/bin/python"));
    let ok = Command::new(&candidate)
        .args(["-c", "import can, msgpack"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    ok.then_some(candidate)
}

/// A program on PATH, if present.
pub fn program(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|p| p.join(name)).find(|p| is_executable(p)))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}

/// The canlogger binary built for this test run.
pub fn canlogger() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_canlogger"))
}

/// A UDP port nobody on this host uses right now: a test's private udp_multicast bus, so tests
/// running in parallel never hear each other.
pub fn free_port() -> String {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind an ephemeral port");
    socket.local_addr().expect("local address").port().to_string()
}

/// A cankit tool as a user runs it, without the developer's own settings: no `CAN_*`
/// environment, and an empty HOME keeps a `~/.canrc` out.
pub fn tool(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut c = Command::new(program);
    c.env_remove("CAN_INTERFACE").env_remove("CAN_CHANNEL").env_remove("CAN_BITRATE");
    c.env("HOME", "/nonexistent");
    c
}

/// A candump log (`candump -L` lines): `(offset seconds, channel, frame)` from a base UNIX time.
pub fn candump_log(base: f64, frames: &[(f64, &str, &str)]) -> String {
    frames.iter().map(|(t, c, f)| format!("({:.6}) {c} {f}\n", base + t)).collect()
}

/// Spawns a cankit tool started with `-v` (stdout as given, stderr piped) and waits until it says
/// it opened its bus, so nothing sent after this call is missed. The stderr reader is handed back
/// for the rest of its output.
pub fn spawn_opened(
    cmd: &mut Command,
    stdout: std::process::Stdio,
) -> (std::process::Child, std::io::BufReader<std::process::ChildStderr>) {
    use std::io::BufRead;
    let mut child =
        cmd.stdout(stdout).stderr(std::process::Stdio::piped()).spawn().expect("spawn a cankit tool");
    let mut err = std::io::BufReader::new(child.stderr.take().expect("stderr piped"));
    let mut line = String::new();
    err.read_line(&mut line).expect("read the tool's stderr");
    assert!(line.contains("opened"), "{cmd:?} did not open its bus: {line}");
    (child, err)
}

/// Threads of this process whose name starts with `prefix`.
#[allow(dead_code)] // not every test binary looks at threads
pub fn threads_named(prefix: &str) -> usize {
    let tasks = std::fs::read_dir("/proc/self/task").expect("/proc/self/task");
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with(prefix))
        .count()
}

/// `target/peers/bin` when it holds every program in `names` (the C peers
/// `../shared/peers/build-peers.sh` builds, run once here if one is missing), else `None` after
/// [`require`]: a failure in CI, a skip with the reason on a developer's machine.
pub fn c_peers(names: &[&str]) -> Option<PathBuf> {
    static BUILT: std::sync::Mutex<bool> = std::sync::Mutex::new(false);
    let bin = root().join("target/peers/bin");
    let complete = || names.iter().all(|n| bin.join(n).exists());
    let mut tried = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !complete() && !*tried {
        *tried = true;
        let script = root().join("../shared/peers/build-peers.sh");
        if script.exists() {
            eprintln!("building the C peers with {}", script.display());
            let _ = Command::new("bash").arg(&script).arg("target/peers").current_dir(root()).status();
        }
    }
    drop(tried);
    require(
        &format!("{} in target/peers/bin (../shared/peers/build-peers.sh target/peers)", names.join(" and ")),
        complete().then_some(bin),
    )
}

/// RFC 4648 base64 with padding, as CiA 309-3's `d`, `os` and `us` types read and print it.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The venv's python when it has python `canopen` 2.4, and the right to make network namespaces
/// (python-can's udp_multicast bus cannot be kept on loopback by options).
pub fn python_canopen() -> Option<PathBuf> {
    let python = python().filter(|p| {
        Command::new(p)
            .args(["-c", "import canopen; assert canopen.__version__.startswith('2.4')"])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let python = require("python canopen 2.4 in target/venv", python)?;
    netns::available()?;
    Some(python)
}
