//! `contrib/systemd/` as a Raspberry Pi user installs it: every unit passes `systemd-analyze
//! verify` (with `/usr/local/bin/…` pointing at the binaries built here, and the man pages its
//! `Documentation=` names taken from `man/`), every `ExecStart=` is accepted by its binary as
//! written (with the unit's `Environment=` defaults and the example files' values), the example
//! `CAN_IF` specs mean what the seed's `can_if` meant, and the systemd-networkd example uses only
//! keys `systemd.network(5)` documents. Without systemd-analyze (Debian's `systemd` package) the
//! verify test is skipped on a developer machine and fails in CI.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Every unit in contrib/systemd, with the instance a template is verified as, and the example
/// environment file that goes with it.
const UNITS: [(&str, Option<&str>, Option<&str>); 5] = [
    ("cankit-can-if.service", None, Some("can-if.conf")),
    ("canserver.service", None, Some("canserver.conf")),
    ("canlogger-record@.service", Some("can0"), None),
    ("canopen-node@.service", Some("example"), Some("canopen-node-example.conf")),
    ("canopen-gateway.service", None, Some("canopen-gateway.conf")),
];

/// Where the units say the binaries are, and where this test run built them.
const BINARIES: [(&str, &str); 3] = [
    ("/usr/local/bin/canlogger", env!("CARGO_BIN_EXE_canlogger")),
    ("/usr/local/bin/canserver", env!("CARGO_BIN_EXE_canserver")),
    ("/usr/local/bin/canopen-node", env!("CARGO_BIN_EXE_canopen-node")),
];

fn contrib() -> PathBuf {
    common::root().join("contrib/systemd")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(contrib().join(name)).unwrap_or_else(|e| panic!("contrib/systemd/{name}: {e}"))
}

/// The unit's `Key=value` lines by section, in order (comments and blank lines left out).
fn parse_ini(text: &str) -> Vec<(String, String, String)> {
    let mut section = String::new();
    let mut entries = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
            continue;
        }
        assert!(!line.ends_with('\\'), "no continuation lines, to keep this parser honest: {line}");
        let (key, value) = line.split_once('=').unwrap_or_else(|| panic!("not Key=value: {line}"));
        entries.push((section.clone(), key.trim().to_string(), value.trim().to_string()));
    }
    entries
}

fn values<'a>(entries: &'a [(String, String, String)], key: &str) -> Vec<&'a str> {
    entries.iter().filter(|(_, k, _)| k == key).map(|(_, _, v)| v.as_str()).collect()
}

/// `VAR=value` assignments as `Environment=` and environment files write them (one pair of
/// double quotes around the whole assignment or around the value).
fn assignment(text: &str) -> (String, String) {
    let text = text.trim().trim_matches('"');
    let (name, value) = text.split_once('=').unwrap_or_else(|| panic!("not VAR=value: {text}"));
    (name.to_string(), value.trim_matches('"').to_string())
}

/// The environment a unit's commands see: its `Environment=` defaults, then the example file.
fn environment(unit: &str, example: Option<&str>) -> BTreeMap<String, String> {
    let entries = parse_ini(&read(unit));
    let mut env: BTreeMap<String, String> =
        values(&entries, "Environment").into_iter().map(assignment).collect();
    if let Some(file) = example {
        for line in read(file).lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (name, value) = assignment(line);
            env.insert(name, value);
        }
    }
    env
}

/// A command line as systemd expands it: `%i` the instance, `${VAR}` one word, `$VAR` alone as a
/// word split at white space (the units use no quoting inside command lines).
fn expand(command: &str, instance: &str, env: &BTreeMap<String, String>) -> Vec<String> {
    let mut words = Vec::new();
    for word in command.split_whitespace() {
        let word = word.replace("%i", instance);
        let env: BTreeMap<String, String> =
            env.iter().map(|(name, value)| (name.clone(), value.replace("%i", instance))).collect();
        if let Some(name) = word.strip_prefix('$').filter(|n| !n.starts_with('{')) {
            let value = env.get(name).unwrap_or_else(|| panic!("${name} is not set"));
            words.extend(value.split_whitespace().map(String::from));
            continue;
        }
        let mut expanded = word.clone();
        while let Some(start) = expanded.find("${") {
            let end = expanded[start..].find('}').expect("closing brace") + start;
            let name = &expanded[start + 2..end];
            let value = env.get(name).unwrap_or_else(|| panic!("${{{name}}} is not set"));
            expanded = format!("{}{value}{}", &expanded[..start], &expanded[end + 1..]);
        }
        words.push(expanded);
    }
    words
}

/// The built binary for a unit's `/usr/local/bin/…` path.
fn built(path: &str) -> &'static str {
    BINARIES
        .iter()
        .find(|(installed, _)| *installed == path)
        .unwrap_or_else(|| panic!("unknown binary {path}"))
        .1
}

fn exec_start(unit: &str) -> String {
    let entries = parse_ini(&read(unit));
    let lines = values(&entries, "ExecStart");
    assert_eq!(lines.len(), 1, "{unit}: one ExecStart");
    lines[0].to_string()
}

#[test]
fn every_unit_file_is_checked_here() {
    let mut found: Vec<String> = std::fs::read_dir(contrib())
        .expect("contrib/systemd")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".service"))
        .collect();
    found.sort();
    let mut listed: Vec<String> = UNITS.iter().map(|(name, _, _)| name.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed);
}

#[test]
fn every_unit_passes_systemd_analyze_verify() {
    let Some(analyze) =
        common::require("systemd-analyze (apt-get install systemd)", common::program("systemd-analyze"))
    else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut arguments = Vec::new();
    for (unit, instance, _) in UNITS {
        let mut text = read(unit);
        for (installed, built) in BINARIES {
            text = text.replace(installed, built);
        }
        std::fs::write(dir.path().join(unit), text).expect("write the unit");
        arguments.push(match instance {
            Some(instance) => unit.replace("@.", &format!("@{instance}.")),
            None => unit.to_string(),
        });
    }
    // `Documentation=man:…` pages are looked up with man(1): the ones generated in man/.
    let man1 = dir.path().join("man/man1");
    std::fs::create_dir_all(&man1).expect("man dir");
    for page in std::fs::read_dir(common::root().join("man")).expect("man/") {
        let page = page.expect("entry").path();
        std::os::unix::fs::symlink(&page, man1.join(page.file_name().expect("name"))).expect("link the page");
    }
    let mut verify = Command::new(analyze);
    verify.arg("verify");
    if common::program("man").is_none() {
        // tools/test-all.sh installs man-db; without it, systemd-analyze cannot look pages up.
        eprintln!("note: no man(1) here: the Documentation= pages are not checked");
        verify.arg("--man=no");
    }
    let output = verify
        .args(&arguments)
        .current_dir(dir.path())
        .env("SYSTEMD_UNIT_PATH", format!("{}:", dir.path().display()))
        .env("MANPATH", dir.path().join("man"))
        .output()
        .expect("run systemd-analyze");
    let printed =
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let ours = |line: &&str| {
        line.contains(&dir.path().display().to_string())
            || UNITS.iter().any(|(unit, _, _)| line.contains(unit.split('@').next().expect("a name")))
    };
    let about_ours: Vec<&str> = printed.lines().filter(ours).collect();
    assert!(about_ours.is_empty(), "systemd-analyze verify about our units:\n{}", about_ours.join("\n"));
    assert!(output.status.success(), "systemd-analyze verify failed:\n{printed}");
}

#[test]
fn the_example_can_if_specs_mean_what_the_seeds_can_if_meant() {
    let env = environment("cankit-can-if.service", Some("can-if.conf"));
    assert_eq!(env["CAN_IF"], "can0@1000000,2000 can1@1000000,2000", "the seed's own example");
    for (line, action) in [(exec_start("cankit-can-if.service"), "up"), (stop_line(), "down")] {
        let words = expand(&line, "", &env);
        assert_eq!(words[1..3], ["link".to_string(), action.to_string()], "{line}");
        let output = common::tool(built(&words[0])).args(&words[1..]).arg("--dry-run").output().expect("run");
        assert_eq!(output.status.code(), Some(0), "{line}: {}", String::from_utf8_lossy(&output.stderr));
        let expected = match action {
            "up" => {
                "ip link set can0 down\n\
                 ip link set can0 type can bitrate 1000000 restart-ms 2000\n\
                 ip link set can0 up\n\
                 ip link set can1 down\n\
                 ip link set can1 type can bitrate 1000000 restart-ms 2000\n\
                 ip link set can1 up\n"
            }
            _ => "ip link set can0 down\nip link set can1 down\n",
        };
        assert_eq!(String::from_utf8_lossy(&output.stdout), expected, "{line}");
    }
    // Without the file, the unit's own default: can0 alone.
    let default = environment("cankit-can-if.service", None);
    let words = expand(&exec_start("cankit-can-if.service"), "", &default);
    let output = common::tool(built(&words[0])).args(&words[1..]).arg("--dry-run").output().expect("run");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "ip link set can0 down\nip link set can0 type can bitrate 1000000 restart-ms 2000\nip link set can0 up\n"
    );
}

fn stop_line() -> String {
    let entries = parse_ini(&read("cankit-can-if.service"));
    values(&entries, "ExecStop")[0].to_string()
}

/// Run a service's command for a moment: its arguments are accepted when it is still running
/// after `grace`, or has stopped on something other than a usage error (no CAN interface here).
fn accepted(mut command: Command, grace: Duration) -> (bool, String) {
    let mut child =
        command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("start the service's command");
    let end = Instant::now() + grace;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if Instant::now() > end {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if status.is_none() {
        let _ = child.kill();
    }
    let Output { stderr, .. } = child.wait_with_output().expect("collect");
    let stderr = String::from_utf8_lossy(&stderr).into_owned();
    let usage_error = status.is_some_and(|s| s.code() == Some(2)) || stderr.contains("Usage:");
    (!usage_error, stderr)
}

#[test]
fn the_recorder_and_the_server_take_their_command_lines_as_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (unit, instance, example) in [
        ("canlogger-record@.service", "can0", None),
        ("canserver.service", "", None),
        ("canserver.service", "", Some("canserver.conf")),
    ] {
        let words = expand(&exec_start(unit), instance, &environment(unit, example));
        let mut command = common::tool(built(&words[0]));
        command.args(&words[1..]).current_dir(dir.path());
        let (ok, stderr) = accepted(command, Duration::from_secs(2));
        assert!(ok, "{unit} with {example:?}: {words:?}\n{stderr}");
        // On this host there is no can0: the one error is that, named.
        if !stderr.is_empty() {
            assert!(stderr.contains("no CAN interface 'can0'"), "{unit}: {stderr}");
        }
    }
}

#[test]
fn the_canopen_node_unit_runs_a_node_from_the_example_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut env = environment("canopen-node@.service", Some("canopen-node-example.conf"));
    assert_eq!((env["CAN_INTERFACE"].as_str(), env["CAN_CHANNEL"].as_str()), ("socketcan", "can0"));
    // A device.eds of our own, and a bus that exists on any host: the in-process virtual one.
    env.insert("EDS".into(), common::root().join("tests/fixtures/canopen/device.eds").display().to_string());
    let words: Vec<String> = expand(&exec_start("canopen-node@.service"), "example", &env)
        .into_iter()
        .map(|w| relocate(&w, dir.path()))
        .collect();
    let socket = dir.path().join("run/cankit/canopen-node-example/control.sock");
    std::fs::create_dir_all(socket.parent().expect("parent")).expect("runtime dir");
    std::fs::create_dir_all(dir.path().join("lib/cankit/canopen-node-example")).expect("state dir");
    let mut node = common::tool(built(&words[0]))
        .args(&words[1..])
        .env("CAN_INTERFACE", "virtual")
        .env("CAN_CHANNEL", "contrib-systemd")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the node");
    // `canopen-node get` through the control socket the unit's header comment shows.
    let end = Instant::now() + Duration::from_secs(10);
    let answer = loop {
        let output = common::tool(built("/usr/local/bin/canopen-node"))
            .args(["get", "1018:01", "--control"])
            .arg(&socket)
            .output()
            .expect("run canopen-node get");
        if output.status.success() || Instant::now() > end {
            break output;
        }
        if let Some(status) = node.try_wait().expect("wait") {
            let stderr = node.wait_with_output().expect("collect").stderr;
            panic!("the node stopped ({status}): {words:?}\n{}", String::from_utf8_lossy(&stderr));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = node.kill();
    let _ = node.wait();
    assert!(answer.status.success(), "{}", String::from_utf8_lossy(&answer.stderr));
    let vendor = String::from_utf8_lossy(&answer.stdout);
    assert!(vendor.contains("1A2") || vendor.contains("418"), "the vendor-ID of device.eds: {vendor}");
}

/// The unit's absolute paths under /var/lib and /run, moved under `dir`.
fn relocate(word: &str, dir: &Path) -> String {
    for (from, to) in [("/var/lib/", "lib/"), ("/run/", "run/")] {
        if let Some(rest) = word.strip_prefix(from) {
            return dir.join(to).join(rest).display().to_string();
        }
    }
    word.to_string()
}

/// The keys systemd.network(5) documents for the sections the example uses.
const MATCH_KEYS: &[&str] = &[
    "MACAddress",
    "PermanentMACAddress",
    "Path",
    "Driver",
    "Type",
    "Kind",
    "Property",
    "Name",
    "WLANInterfaceType",
    "SSID",
    "BSSID",
    "Host",
    "Virtualization",
    "KernelCommandLine",
    "KernelVersion",
    "Credential",
    "Architecture",
    "Firmware",
];
const CAN_KEYS: &[&str] = &[
    "BitRate",
    "SamplePoint",
    "TimeQuantaNSec",
    "PropagationSegment",
    "PhaseBufferSegment1",
    "PhaseBufferSegment2",
    "SyncJumpWidth",
    "DataBitRate",
    "DataSamplePoint",
    "DataTimeQuantaNSec",
    "DataPropagationSegment",
    "DataPhaseBufferSegment1",
    "DataPhaseBufferSegment2",
    "DataSyncJumpWidth",
    "FDMode",
    "FDNonISO",
    "RestartSec",
    "Termination",
    "TripleSampling",
    "BusErrorReporting",
    "ListenOnly",
    "Loopback",
    "OneShot",
    "PresumeAck",
    "ClassicDataLengthCode",
];

#[test]
fn the_networkd_example_uses_only_documented_keys() {
    let entries = parse_ini(&read("80-can.network"));
    let sections: Vec<&str> = entries.iter().map(|(s, _, _)| s.as_str()).collect();
    assert!(sections.contains(&"Match") && sections.contains(&"CAN"), "{sections:?}");
    for (section, key, value) in &entries {
        let known = match section.as_str() {
            "Match" => MATCH_KEYS,
            "CAN" => CAN_KEYS,
            other => panic!("80-can.network: section [{other}] is not expected here"),
        };
        assert!(
            known.contains(&key.as_str()),
            "80-can.network: [{section}] {key}= is not in systemd.network(5)"
        );
        assert!(!value.is_empty(), "[{section}] {key}= is empty");
    }
    let get = |key: &str| values(&entries, key)[0];
    assert_eq!(get("Name"), "can0");
    // The same settings as the bring-up service's default spec, can0@1000000,2000.
    assert_eq!(cankit::config::parse_bitrate(get("BitRate")), Ok(1_000_000));
    assert_eq!(get("RestartSec"), "2s");
    assert_eq!(cankit::link::parse_sample_point(get("SamplePoint")), Ok(875));
}

#[test]
fn the_gateway_unit_serves_both_gateways_as_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    for example in [None, Some("canopen-gateway.conf")] {
        let env = environment("canopen-gateway.service", example);
        assert_eq!(env["CAN_INTERFACE"], "socketcan");
        let port = common::free_port();
        // The unit's command line, with its socket under the temporary directory and a free port.
        let words: Vec<String> = expand(&exec_start("canopen-gateway.service"), "", &env)
            .into_iter()
            .map(|w| match w.strip_prefix("unix:") {
                Some(path) => format!("unix:{}", relocate(path, dir.path())),
                None if w == "8090" => port.clone(),
                None if w == "tcp:6000" => format!("tcp:{}", common::free_port()),
                None => w,
            })
            .collect();
        let socket = dir.path().join("run/cankit/canopen-gateway/CO_command_socket");
        std::fs::create_dir_all(socket.parent().expect("parent")).expect("runtime dir");
        // A bus that exists on any host: the in-process virtual one.
        let mut gateway = common::tool(built(&words[0]))
            .args(&words[1..])
            .env("CAN_INTERFACE", "virtual")
            .env("CAN_CHANNEL", "contrib-systemd")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the gateway");
        let end = Instant::now() + Duration::from_secs(10);
        let reply = loop {
            if let Ok(mut stream) = std::os::unix::net::UnixStream::connect(&socket) {
                use std::io::{Read, Write};
                stream.write_all(b"[1] set node 5\n").expect("write");
                stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
                let mut reply = [0u8; 8];
                stream.read_exact(&mut reply).expect("read");
                break String::from_utf8_lossy(&reply).into_owned();
            }
            assert!(Instant::now() < end, "no gateway on {}", socket.display());
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(reply, "[1] OK\r\n");
        let mut http = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).expect("the HTTP gateway");
        {
            use std::io::{Read, Write};
            http.write_all(b"GET /cia309-5/1.0/2/1/none/info/version HTTP/1.1\r\nconnection: close\r\n\r\n")
                .expect("request");
            let mut answer = String::new();
            http.read_to_string(&mut answer).expect("answer");
            assert!(answer.contains(r#""ProtocolVersion":"02.01""#), "{answer}");
        }
        let _ = gateway.kill();
        let _ = gateway.wait();
    }
}
