//! `canlogger link up | down | show` as a user and a systemd unit run it: on this host (bad
//! specs and flags, a missing interface, a non-CAN interface, `--dry-run`), and inside User-Mode
//! Linux guests (`tests/uml/run.sh`) against the kernel's own CAN interfaces: a `vcan` (no bit
//! rate; up, down, refused bit rates, an unprivileged user) and an `slcan` on a pseudo-terminal,
//! a real driver of the kernel's CAN device layer whose serial commands show the bit rate
//! netlink set. Without UML the guest tests are skipped on a developer machine and fail in CI.

mod common;

use std::process::Output;

use common::uml::{cli_script, run_in_guest, sections};

fn link(args: &[&str]) -> Output {
    common::tool(common::canlogger()).arg("link").args(args).output().expect("run canlogger link")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

// ---------------------------------------------------------------------------------------------
// On this host
// ---------------------------------------------------------------------------------------------

#[test]
fn dry_run_prints_the_ip_commands_for_the_seeds_specs() {
    let output = link(&["up", "can0@1000000,2000", "can1@500k", "--dry-run"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "ip link set can0 down\n\
         ip link set can0 type can bitrate 1000000 restart-ms 2000\n\
         ip link set can0 up\n\
         ip link set can1 down\n\
         ip link set can1 type can bitrate 500000\n\
         ip link set can1 up\n"
    );
}

#[test]
fn dry_run_shows_every_flag_as_ip_spells_it() {
    let output = link(&[
        "up",
        "can0",
        "--bitrate",
        "1M",
        "--sample-point",
        "0.875",
        "--dbitrate",
        "5M",
        "--restart-ms",
        "100",
        "--txqueuelen",
        "1000",
        "--dry-run",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "ip link set can0 down\n\
         ip link set can0 type can bitrate 1000000 sample-point 0.875 dbitrate 5000000 restart-ms 100 fd on\n\
         ip link set can0 txqueuelen 1000\n\
         ip link set can0 up\n"
    );
    let output = link(&["up", "vcan0", "--dry-run"]);
    assert_eq!(stdout(&output), "ip link set vcan0 up\n");
    let output = link(&["down", "can0@1000000,2000", "can1", "--dry-run"]);
    assert_eq!(stdout(&output), "ip link set can0 down\nip link set can1 down\n");
}

#[test]
fn a_bad_spec_is_a_usage_error_naming_it_and_nothing_is_touched() {
    // can0 comes first and is fine, but the bad second spec stops everything before netlink.
    let output = link(&["up", "nosuchcan0@500k", "can1@fast,2000"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "canlogger: link: 'can1@fast,2000': 'fast' is not a bit rate (e.g. 500000, 500k, 1M)\n"
    );
    for (spec, problem) in [
        ("can0@", "no bit rate after '@'"),
        ("@1000000", "no interface name"),
        ("can0@1000000,2s", "'2s' is not a restart delay in milliseconds"),
        ("can0@30M", "out of range"),
        ("a-very-long-can-name", "longer than 15 bytes"),
    ] {
        let output = link(&["up", spec, "--dry-run"]);
        assert_eq!(output.status.code(), Some(2), "{spec}");
        let message = stderr(&output);
        assert!(message.contains(&format!("'{spec}'")) && message.contains(problem), "{spec}: {message}");
    }
}

#[test]
fn contradicting_options_are_usage_errors() {
    for (args, problem) in [
        (&["up", "can0@500k", "--bitrate", "1M"][..], "gives a bit rate and so does --bitrate"),
        (&["up", "can0", "-b", "500k", "--dbitrate", "2M", "--no-fd"], "needs CAN FD: drop --no-fd"),
        (&["up", "can0", "--sample-point", "0.8"], "--sample-point needs a bit rate"),
        (&["up", "can0", "-b", "500k", "--sample-point", "1.2"], "out of range"),
        (&["up", "can0", "--restart-ms", "soon"], "not a restart delay"),
        (&["up", "can0", "--bitrate", "fast"], "--bitrate: 'fast' is not a bit rate"),
    ] {
        let output = link(&[args, &["--dry-run"]].concat());
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(stderr(&output).contains(problem), "{args:?}: {}", stderr(&output));
        assert_eq!(stdout(&output), "", "{args:?}");
    }
    let output = link(&["up"]);
    assert_eq!(output.status.code(), Some(2), "an interface is required");
}

#[test]
fn a_missing_interface_is_a_failure_that_names_it() {
    let output = link(&["up", "nosuchcan9", "--bitrate", "500k"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(
        stderr(&output),
        "canlogger: link up: nosuchcan9: no such network interface (`ip link show` lists them)\n"
    );
    let output = link(&["show", "nosuchcan9"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("nosuchcan9: no such network interface"));
}

#[test]
fn an_interface_that_is_not_can_is_left_alone() {
    let output = link(&["down", "lo"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output),
        "canlogger: link down: lo is not a CAN interface (its link type is 772; CAN is 280): left alone\n"
    );
}

/// This host as an unprivileged user (the tests may run as root: `setpriv` drops to nobody):
/// the same clear errors, no panic.
#[test]
fn an_unprivileged_user_gets_the_same_clear_errors() {
    let is_root = std::fs::read_to_string("/proc/self/status")
        .is_ok_and(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0")));
    let mut command = if is_root {
        let Some(setpriv) = common::require("setpriv (util-linux)", common::program("setpriv")) else {
            return;
        };
        let mut c = common::tool(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(common::canlogger());
        c
    } else {
        common::tool(common::canlogger())
    };
    let output = command.args(["link", "up", "nosuchcan9"]).output().expect("run canlogger");
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("nosuchcan9: no such network interface"), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------------------------
// In User-Mode Linux guests, as root and as nobody
// ---------------------------------------------------------------------------------------------

/// Run a guest script; each `show NAME FILE` becomes a section. `None` = skipped.
fn guest(body: &str) -> Option<std::collections::BTreeMap<String, Vec<String>>> {
    let run = run_in_guest(&cli_script(body))?;
    run.assert_success();
    Some(sections(&run.stdout))
}

fn text(lines: &[String]) -> String {
    lines.join("\n")
}

#[test]
fn vcan_goes_down_and_up_and_refuses_a_bitrate() {
    let Some(out) = guest(
        r#"
run() { name=$1; shift; "$CANLOGGER" link "$@" >/tmp/out 2>&1; echo "exit $?" >>/tmp/out; show "$name" /tmp/out; }
run down down vcan0
run show-down show vcan0
ip -o link show vcan0 > /tmp/ip; show ip-down /tmp/ip
run up up vcan0
run show-up show vcan0
run bitrate up vcan0 --bitrate 1M
run spec up vcan0@500000,100
run classic up vcan0 --no-fd --txqueuelen 50
ip -o link show vcan0 > /tmp/ip; show ip-classic /tmp/ip
# At boot the driver may create the interface after the service started: --wait.
( sleep 0.5; ip link add dev vcan2 type vcan ) &
run wait up vcan2 --wait 10s
ip -o link show vcan2 > /tmp/ip; show ip-wait /tmp/ip
run json show vcan1 --json
run all show
# An unprivileged user: EPERM from the kernel, said plainly.
setpriv --reuid=65534 --regid=65534 --clear-groups "$CANLOGGER" link down vcan1 >/tmp/out 2>&1
echo "exit $?" >>/tmp/out; show nobody /tmp/out
ip -o link show vcan1 > /tmp/ip; show ip-nobody /tmp/ip
"#,
    ) else {
        return;
    };
    assert_eq!(text(&out["down"]), "exit 0");
    assert_eq!(
        text(&out["show-down"]),
        "vcan0: state DOWN mtu 72 txqueuelen 1000\n    virtual CAN interface: no bitrate, CAN FD (mtu 72)\nexit 0"
    );
    assert!(text(&out["ip-down"]).contains("state DOWN"), "{:?}", out["ip-down"]);
    assert_eq!(text(&out["up"]), "exit 0");
    assert!(text(&out["show-up"]).starts_with("vcan0: state UP mtu 72"), "{:?}", out["show-up"]);
    assert_eq!(
        text(&out["bitrate"]),
        "canlogger: link up: vcan0 is a virtual CAN interface: it has no bitrate; only `link up vcan0` without \
         --bitrate\nexit 2"
    );
    assert!(text(&out["spec"]).contains("vcan0 is a virtual CAN interface: it has no bitrate"));
    assert_eq!(text(&out["classic"]), "exit 0");
    let ip = text(&out["ip-classic"]);
    assert!(ip.contains("<NOARP,UP,LOWER_UP> mtu 16") && ip.contains("qlen 50"), "{ip}");
    assert_eq!(text(&out["wait"]), "exit 0");
    assert!(text(&out["ip-wait"]).contains("<NOARP,UP,LOWER_UP>"), "{:?}", out["ip-wait"]);
    let json: serde_json::Value = serde_json::from_str(&out["json"][0]).expect("one JSON object");
    assert_eq!(json["name"], "vcan1");
    assert_eq!(
        (json["up"].as_bool(), json["virtual"].as_bool(), json["fd"].as_bool()),
        (Some(true), Some(true), Some(true))
    );
    let all = text(&out["all"]);
    assert!(all.contains("vcan0: state UP mtu 16 txqueuelen 50") && all.contains("vcan1: state UP"), "{all}");
    assert!(!all.contains("lo:"), "only CAN interfaces: {all}");
    assert_eq!(
        text(&out["nobody"]),
        "canlogger: link down: vcan1: setting it down: permission denied: configuring a network interface needs \
         root or CAP_NET_ADMIN (run it with sudo, or give the service AmbientCapabilities=CAP_NET_ADMIN)\nexit 3"
    );
    assert!(text(&out["ip-nobody"]).contains("UP"), "still up: {:?}", out["ip-nobody"]);
}

/// The guest half of the slcan test: load slcan, attach it to a pseudo-terminal whose other end
/// a Python helper copies into /tmp/wire (the commands slcan sends its adapter: `S6` = 500 kbit/s,
/// `S8` = 1 Mbit/s, `O` open, `C` close).
const SLCAN_SETUP: &str = r#"
modules=${CANKIT_UML_MODULES:-/usr/lib/uml/modules/$(/bin/busybox uname -r)/kernel}
if ! /bin/busybox insmod "$modules/drivers/net/can/slcan/slcan.ko" 2>/dev/null; then
  echo "=== no-slcan"; exit 0
fi
/bin/busybox mkdir -p /run/pts
/bin/busybox mount -t devpts -o ptmxmode=666 devpts /run/pts
python3 -c '
import fcntl, os, struct
master = os.open("/run/pts/ptmx", os.O_RDWR | os.O_NOCTTY)
fcntl.ioctl(master, 0x40045431, struct.pack("i", 0))  # TIOCSPTLCK: unlock
number = struct.unpack("I", fcntl.ioctl(master, 0x80045430, struct.pack("I", 0)))[0]  # TIOCGPTN
tty = os.open("/run/pts/%d" % number, os.O_RDWR | os.O_NOCTTY)
fcntl.ioctl(tty, 0x5423, struct.pack("i", 17))  # TIOCSETD: the N_SLCAN line discipline
open("/tmp/attached", "w").close()
with open("/tmp/wire", "ab", buffering=0) as wire:
    while True:
        wire.write(os.read(master, 4096))
' &
tries=0
while [ ! -e /tmp/attached ]; do
  tries=$((tries + 1)); if [ $tries -gt 250 ]; then echo "slcan not attached" >&2; exit 97; fi; sleep 0.02
done
# Kernels before 6.0 call it slcan0, later ones can0: can0 in any case.
for dev in /sys/class/net/*; do
  case "${dev##*/}" in lo|vcan0|vcan1|can0) ;; *) ip link set "${dev##*/}" name can0 ;; esac
done
"#;

#[test]
fn slcan_takes_a_bitrate_from_its_list_and_refuses_others() {
    if common::require("python3", common::program("python3")).is_none() {
        return;
    }
    let body = format!(
        r#"{SLCAN_SETUP}
run() {{ name=$1; shift; "$CANLOGGER" link "$@" >/tmp/out 2>&1; echo "exit $?" >>/tmp/out; show "$name" /tmp/out; }}
run show-new show can0
run up-500k up can0@500k,0
run show-500k show can0
ip -d link show can0 > /tmp/ip; show ip-500k /tmp/ip
run unsupported up can0 --bitrate 123456
run fd up can0 -b 1M --fd
run up-1M up can0 -b 1M --txqueuelen 100
run show-1M show can0
run down down can0@1000000,2000
run show-down show can0 --json
sleep 0.1; tr '\r' ' ' < /tmp/wire > /tmp/commands; show wire /tmp/commands
"#
    );
    let Some(out) = guest(&body) else { return };
    if out.contains_key("no-slcan") {
        common::require::<()>("the slcan module in the UML kernel", None);
        return;
    }
    assert!(text(&out["show-new"]).contains("bitrate not set"), "{:?}", out["show-new"]);
    assert_eq!(text(&out["up-500k"]), "exit 0");
    assert_eq!(
        text(&out["show-500k"]),
        "can0: state UP mtu 16 txqueuelen 10\n    can state ERROR-ACTIVE restart-ms 0 (no automatic restart)\n    \
         bitrate 500000\n    fixed bitrates 10000, 20000, 50000, 100000, 125000, 250000, 500000, 800000, 1000000\nexit 0"
    );
    let ip = text(&out["ip-500k"]);
    assert!(ip.contains("state UP") && ip.contains("bitrate 500000"), "iproute2 agrees: {ip}");
    assert_eq!(
        text(&out["unsupported"]),
        "canlogger: link up: can0 takes only these bit rates: 10000, 20000, 50000, 100000, 125000, 250000, 500000, \
         800000, 1000000 (not 123456)\nexit 2"
    );
    assert_eq!(
        text(&out["fd"]),
        "canlogger: link up: can0 does not support CAN FD (its driver says so): leave out --fd/--dbitrate\nexit 2"
    );
    assert_eq!(text(&out["up-1M"]), "exit 0");
    assert!(text(&out["show-1M"]).contains("state UP mtu 16 txqueuelen 100"), "{:?}", out["show-1M"]);
    assert!(text(&out["show-1M"]).contains("bitrate 1000000"), "{:?}", out["show-1M"]);
    assert_eq!(text(&out["down"]), "exit 0");
    let json: serde_json::Value = serde_json::from_str(&out["show-down"][0]).expect("one JSON object");
    assert_eq!((json["up"].as_bool(), json["state"].as_str()), (Some(false), Some("STOPPED")));
    // What the driver told the adapter: 500 kbit/s and open, closed, 1 Mbit/s and open, closed.
    let wire = text(&out["wire"]);
    assert!(wire.contains("S6 O ") && wire.contains("S8 O "), "slcan commands: {wire}");
    assert!(wire.find("S6 ") < wire.find("S8 "), "500k before 1M: {wire}");
}
