//! `canopen-node`'s master commands against CANopenNode's `canopend` as the device (node 5, its
//! example dictionary `DS301_profile.eds`), on a kernel `vcan0` inside User-Mode Linux: `sdo
//! read|write` of every type canopend's dictionary has (by `--type` and by `--eds`), expedited
//! and block transfers in both directions and a segmented download it refuses, abort codes and
//! time-outs with their exit codes, NMT seen in canopend's heartbeats, `scan`, and `dump`/`load`
//! of its dictionary as a DCF. candump shows the protocol each transfer used.
//!
//! The peers are built from source by `../shared/peers/build-peers.sh` into `target/peers`.
//! Without them or without UML, a test is skipped on a developer machine and fails in CI.

mod common;

use std::path::{Path, PathBuf};

use common::uml::{cli_script, in_order, run_in_guest};

fn peers() -> Option<PathBuf> {
    common::c_peers(&["canopend"])
}

/// canopend's own dictionary, from the CANopenNode sources build-peers.sh unpacked.
fn canopend_eds(bin: &Path) -> PathBuf {
    let src = bin.parent().expect("target/peers").join("src");
    std::fs::read_dir(&src)
        .ok()
        .and_then(|dirs| {
            dirs.flatten()
                .map(|d| d.path().join("CANopenNode/example/DS301_profile.eds"))
                .find(|p| p.exists())
        })
        .unwrap_or_else(|| panic!("no CANopenNode/example/DS301_profile.eds under {}", src.display()))
}

#[test]
fn master_commands_read_write_and_manage_canopend() {
    let Some(bin) = peers() else { return };
    let eds = canopend_eds(&bin);
    let body = format!(
        r#"
CANOPEND='{bin}/canopend'
N='{node}'
EDS='{eds}'
m() {{ timeout 30 "$N" "$@" -i socketcan -c vcan0; echo "exit $?"; }}
m2() {{ timeout 30 "$N" "$@" -i socketcan -c vcan0 2>&1; echo "exit $?"; }}
wait_for_sockets vcan0 0
candump -L -r 8000000 vcan0 > /tmp/dump & dump=$!
"$CANOPEND" vcan0 -i 5 -s /tmp/c5. > /tmp/canopend.out 2>&1 & canopend=$!
end=$(( $(date +%s) + 20 ))
until grep -q "running" /tmp/canopend.out; do [ "$(date +%s)" -ge $end ] && {{ cat /tmp/canopend.out >&2; exit 96; }}; sleep 0.05; done
echo "=== reads"
m sdo read 5 1018:00 --type u8
m sdo read 5 1000 --eds "$EDS"
m sdo read 5 1005 --type x32
m sdo read 5 1014 --eds "$EDS" --type x32
m sdo read 5 1017 --eds "$EDS"
m sdo read 5 1200:01 --type x32
m sdo read 5 1019 --type u8
echo "=== writes"
m sdo write 5 1017 100 --type u16
m sdo read 5 1017 --type u16
m sdo write 5 1016:01 0x000600C8 --eds "$EDS"
m sdo read 5 1016:01 --type x32
m sdo write 5 1015 10 --type u16
m sdo read 5 1015 --type u16
echo "=== block"
m sdo read 5 1018:00 --type u8 --block
m sdo write 5 1015 20 --type u16 --block
m sdo read 5 1015 --type u16 --block
echo "=== refused"
m2 sdo read 5 3000 --type u8
m2 sdo write 5 1000 1 --type u32
m2 sdo write 5 1017 1 --type u64
m2 sdo read 9 1000 --type u32 -T 300ms
m2 sdo read 5 1018:09 --type u32
echo "=== nmt"
m nmt stop 5
sleep 0.3
m nmt start 5
sleep 0.3
m nmt preop all
sleep 0.3
echo "=== scan"
m scan --json -T 300ms
echo "=== dump"
m2 dump 5 --eds "$EDS" -o /tmp/c5.dcf
grep -A20 -E '^\[1017\]' /tmp/c5.dcf | grep -m1 ParameterValue
echo "=== load"
m sdo write 5 1017 0 --type u16
m load 5 /tmp/c5.dcf
m sdo read 5 1017 --type u16
sleep 0.2
kill $canopend $dump; wait $canopend $dump
show dump /tmp/dump
echo "=== monitor"
"$N" monitor --file /tmp/dump --from log --eds 5="$EDS" --hide-unknown 2>/tmp/monitor.err; echo "exit $?"
"#,
        bin = bin.display(),
        node = env!("CARGO_BIN_EXE_canopen-node"),
        eds = eds.display(),
    );
    let Some(run) = run_in_guest(&cli_script(&body)) else { return };
    run.assert_success();
    let context = run.context();
    // canopend's example dictionary: identity with 4 entries, device type 0, SYNC 0x80, EMCY
    // 0x80 + node-ID, SDO server 0x600 + node-ID.
    assert_eq!(
        run.lines("reads"),
        [
            "4",
            "exit 0",
            "0",
            "exit 0",
            "0x00000080",
            "exit 0",
            "0x00000085",
            "exit 0",
            "0",
            "exit 0",
            "0x00000605",
            "exit 0",
            "0",
            "exit 0"
        ],
        "{context}"
    );
    assert_eq!(
        run.lines("writes"),
        ["exit 0", "100", "exit 0", "exit 0", "0x000600C8", "exit 0", "exit 0", "10", "exit 0"],
        "{context}"
    );
    assert_eq!(run.lines("block"), ["4", "exit 0", "exit 0", "20", "exit 0"], "{context}");
    let refused = run.lines("refused").join("\n");
    for want in [
        "0x3000:00: aborted: 0x06020000",
        "0x1000:00: aborted: 0x06010002",
        "0x1017:00: aborted: 0x06070012",
        "node 9: 0x1000:00: no answer within 300ms",
        "0x1018:09: aborted: 0x06090011",
    ] {
        assert!(refused.contains(want), "no '{want}' in:\n{refused}\n{context}");
    }
    assert_eq!(refused.matches("exit 1").count(), 5, "{context}");
    assert_eq!(run.lines("nmt"), ["exit 0", "exit 0", "exit 0"], "{context}");
    let scan = run.lines("scan");
    assert!(
        scan.iter().any(|l| l.contains(r#""node":5"#) && l.contains(r#""device_type":"0x00000000""#)),
        "{context}"
    );
    assert_eq!(scan.last().map(String::as_str), Some("exit 0"), "{context}");
    // canopend refuses to read the empty entries of its error history (0x1003:02..): dump names
    // them and exits 1; the values it read are in the DCF (in the EDS's hex notation).
    let dump = run.lines("dump");
    assert!(dump.iter().any(|l| l.contains("0x1003:02: aborted: 0x08000024")), "{context}");
    assert!(
        dump.iter().any(|l| l == "canopen-node: 15 entries not read (left at their defaults in the DCF)"),
        "{context}"
    );
    assert!(dump.iter().any(|l| l == "exit 1"), "{context}");
    assert!(dump.iter().any(|l| l == "ParameterValue=0x0064"), "{context}");
    assert_eq!(run.lines("load").last().map(String::as_str), Some("exit 0"), "{context}");
    assert!(run.lines("load").iter().any(|l| l == "100"), "{context}");

    // The wire: expedited and block transfers, the refused segmented download, and NMT states in
    // canopend's heartbeats (100 ms from the write of 0x1017 on).
    let sdo = run.frames("dump", |id| id == 0x585 || id == 0x605);
    let want = [
        "605#4018100000000000",
        // Block upload of 0x1018:00 (no protocol switch offered): canopend sends one segment.
        "605#A41810007F000000",
        "605#A300000000000000",
        // Block download of 0x1015 (2 bytes, size indicated, CRC on).
        "605#C615100002000000",
        // The u64 write: a segmented download of 8 bytes, refused (length too high).
        "605#2117100008000000",
        "585#8017100012000706",
    ];
    assert!(in_order(&sdo, &want), "expected in order:\n{want:#?}\n{sdo:#?}\n{context}");
    // `canopen-node monitor` decodes the recording of this session with canopend's EDS.
    let monitor = run.lines("monitor");
    assert_eq!(monitor.last().map(String::as_str), Some("exit 0"), "{context}");
    for want in [
        "EMCY       node 5  0x5000 device hardware  register 0x01  info 2f 14 00 00 00",
        "SDO        node 5  read 1018:00 Identity: Highest sub-index supported = 4  (1 byte, expedited)",
        "SDO        node 5  write 1017:00 Producer heartbeat time = 100  (2 bytes, expedited)",
        "SDO        node 5  write 1015:00 Inhibit time EMCY = 20  (2 bytes, block)",
        "SDO        node 5  read 3000:00  aborted by the server: 0x06020000 (object does not exist in the object dictionary)",
        "SDO        node 9  read 1000:00  aborted by the client: 0x05040000 (SDO protocol timed out)",
        "NMT        stop node 5",
        "HEARTBEAT  node 5  stopped",
        "NMT        enter pre-operational all nodes",
        "SDO        node 5  read 1018:04 Identity: Serial number = 0  (4 bytes, expedited)",
    ] {
        assert!(monitor.iter().any(|l| l.ends_with(want)), "monitor printed no '{want}':\n{}", monitor.join("\n"));
    }
    let nmt = run.frames("dump", |id| id == 0x000);
    assert_eq!(nmt, ["000#0205", "000#0105", "000#8000"], "{context}");
    // canopend stays pre-operational after "start": it reported a hardware error (EMCY 0x5000,
    // its storage in the guest) and CANopenNode does not start with an error register set.
    let beats = run.frames("dump", |id| id == 0x705);
    for state in ["705#04", "705#7F"] {
        assert!(beats.iter().any(|b| b == state), "no heartbeat {state}: {beats:?}\n{context}");
    }
}
