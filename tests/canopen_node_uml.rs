//! `canopen-node` mastered by CANopenNode's own C programs on a real kernel SocketCAN `vcan0`
//! inside User-Mode Linux guests (`tests/uml/run.sh`): `canopend` (CANopenLinux, a CANopen device
//! with the CiA 309-3 ASCII gateway on a local socket) is the SDO client and NMT master, and
//! `cocomm` sends it gateway commands, exactly as a user would type them. The tests assert what
//! cocomm prints (`-o flat`: the gateway's replies, `[seq] value`), what `candump -L vcan0` saw and
//! what canopend logs: SDO reads and writes of every type cocomm knows with their abort codes,
//! block and segmented transfers of a domain, NMT states in the node's heartbeats, and canopend's
//! heartbeat consumer following the node until it is stopped with SIGTERM.
//!
//! The peers are built from source by `../shared/peers/build-peers.sh` into `target/peers`
//! (`tools/test-all.sh` does it; a test does it too when they are missing). Without them or
//! without UML, a test is skipped on a developer machine and fails in CI.

mod common;

use std::path::PathBuf;

use common::uml::{cli_script, in_order, run_in_guest, GuestRun};

/// `target/peers/bin`, holding the peers this file runs.
fn peers() -> Option<PathBuf> {
    common::c_peers(&["canopend", "cocomm"])
}

/// The start of every guest script: helpers, then `candump -L vcan0` into /tmp/dump (with a
/// receive buffer that holds a whole SDO block of 127 back-to-back frames), the node
/// (id 5, the fixture's dictionary, JSON events in /tmp/node.out) and canopend (id 1, gateway on
/// /tmp/co.sock, storage files in the guest's /tmp), each waited for.
///
/// * `wait_log FILE TEXT` waits (20 s at most, by the clock: the guest may be slow) until FILE
///   contains TEXT, or says what FILE holds and fails;
/// * `co COMMAND…` runs cocomm with a timeout, one gateway command per argument, replies on stdout;
/// * `stop_node` sends SIGTERM to the node, waits for it (10 s, then SIGKILL) and prints its exit
///   status as a section;
/// * `finish` stops canopend and candump and waits for them, so their files are complete.
///
/// canopend's SDO client times out after 500 ms by default; 5 s keeps a loaded host from failing
/// a test (the NMT test lowers it for the one timeout it waits for).
fn start(bin: &std::path::Path, body: &str) -> String {
    let setup = format!(
        r#"
CANOPEND='{bin}/canopend'
COCOMM='{bin}/cocomm'
NODE='{node}'
wait_log() {{
  end=$(( $(date +%s) + 20 ))
  until grep -qF -- "$2" "$1" 2>/dev/null; do
    if [ "$(date +%s)" -ge $end ]; then echo "no '$2' in $1:" >&2; cat "$1" >&2; exit 96; fi
    sleep 0.05
  done
}}
co() {{ timeout 30 "$COCOMM" -s /tmp/co.sock -o flat "$@"; }}
stop_node() {{
  kill -TERM $node; ( sleep 10; kill -KILL $node 2>/dev/null ) & watchdog=$!
  wait $node; status=$?; kill $watchdog 2>/dev/null; echo "=== node exit"; echo $status
}}
finish() {{ kill $canopend $dump; wait $canopend $dump; }}
candump -L -r 8000000 vcan0 > /tmp/dump & dump=$!
wait_for_sockets vcan0 1
"$NODE" --node-id 5 --eds tests/fixtures/canopen/device.eds -i socketcan -c vcan0 --no-store \
  --events json --control /tmp/node.sock > /tmp/node.out 2> /tmp/node.err & node=$!
wait_log /tmp/node.err "control socket"
"$CANOPEND" vcan0 -i 1 -c local-/tmp/co.sock -s /tmp/canopend. > /tmp/canopend.out 2>&1 & canopend=$!
wait_log /tmp/canopend.out "running ..."
wait_log /tmp/canopend.out "command interface on local socket"
co 'set sdo_timeout 5000' > /dev/null || exit 97
"#,
        bin = bin.display(),
        node = env!("CARGO_BIN_EXE_canopen-node"),
    );
    cli_script(&format!("{setup}{body}"))
}

/// cocomm's numbering of its arguments: `[1] reply`, `[2] reply`, …
fn numbered(replies: &[&str]) -> Vec<String> {
    replies.iter().enumerate().map(|(i, r)| format!("[{}] {r}", i + 1)).collect()
}

/// The gateway commands as shell words for `co`.
fn quoted<'a>(commands: impl IntoIterator<Item = &'a str>) -> String {
    commands.into_iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(" ")
}

/// Gateway commands (canopend's node 1 is the SDO client, our node is 5) and the replies cocomm
/// prints for them (`vs` values come back quoted, with or without spaces). cocomm has no 24-bit
/// types: INTEGER24 goes through its `hex` type (the raw little-endian bytes).
const SDO_EXCHANGE: &[(&str, &str)] = &[
    ("5 read 0x1018 1 u32", "418"),
    ("5 read 0x1018 1 x32", "0x000001A2"),
    ("5 read 0x1000 0 x32", "0x00000191"),
    ("5 read 0x1018 0 u8", "4"),
    ("5 read 0x1017 0 u16", "0"),
    ("5 write 0x1017 0 u16 1000", "OK"),
    ("5 read 0x1017 0 u16", "1000"),
    ("5 read 0x2001 0 u32", "305419896"),
    ("5 write 0x2001 0 u32 4000000000", "OK"),
    ("5 read 0x2001 0 x32", "0xEE6B2800"),
    ("5 write 0x2003 0 i16 -100", "OK"),
    ("5 read 0x2003 0 i16", "-100"),
    ("5 write 0x2003 0 i16 100", "OK"),
    ("5 read 0x2003 0 i16", "100"),
    ("5 read 0x2004 0 r32", "1.5"),
    ("5 write 0x2004 0 r32 -2.75", "OK"),
    ("5 read 0x2004 0 r32", "-2.75"),
    ("5 read 0x200E 0 r64", "2.25"),
    ("5 read 0x2005 0 x64", "0x0123456789ABCDEF"),
    ("5 write 0x2005 0 u64 18446744073709551615", "OK"),
    ("5 read 0x2005 0 u64", "18446744073709551615"),
    ("5 read 0x2006 0 hex", "FB FF FF"),
    ("5 write 0x2006 0 hex 00 00 80", "OK"),
    ("5 read 0x2006 0 hex", "00 00 80"),
    ("5 read 0x200C 0 b", "1"),
    ("5 read 0x2009 0 os", "3q2+7w=="),
    ("5 read 0x2002 0 vs", r#""hello""#),
    (r#"5 write 0x2002 0 vs "hello CANopen, more than one segment""#, "OK"),
    ("5 read 0x2002 0 vs", r#""hello CANopen, more than one segment""#),
    ("5 write 0x2003 0 i16 101", "ERROR:0x06090031 #Value range of parameter written too high."),
    ("5 write 0x2003 0 i16 -101", "ERROR:0x06090032 #Value range of parameter written too low."),
    ("5 read 0x2003 0 i16", "100"),
    ("5 read 0x3000 0 u8", "ERROR:0x06020000 #Object does not exist."),
    ("5 read 0x1018 9 u32", "ERROR:0x06090011 #Sub index does not exist."),
    ("5 write 0x1000 0 u32 1", "ERROR:0x06010002 #Attempt to write a read only object."),
    (
        "5 write 0x2001 0 u16 1",
        "ERROR:0x06070013 #Data type does not match, length of service parameter too short.",
    ),
    ("5 read 0x1018 1 u32", "418"),
];

#[test]
fn cocomm_reads_and_writes_every_type_through_canopends_sdo_client() {
    let Some(bin) = peers() else { return };
    let commands = quoted(SDO_EXCHANGE.iter().map(|(c, _)| *c));
    let body = format!(
        r#"
echo "=== sdo"; co {commands}
stop_node
finish
show events /tmp/node.out
"#
    );
    let Some(run) = run_in_guest(&start(&bin, &body)) else { return };
    run.assert_success();
    let context = run.context();
    let want = numbered(&SDO_EXCHANGE.iter().map(|(_, r)| *r).collect::<Vec<_>>());
    assert_eq!(run.lines("sdo"), want, "{context}");
    assert_eq!(run.lines("node exit"), ["0"], "{context}");
    // The segmented string reached the application whole, and INTEGER24 kept its sign.
    let events = run.lines("events");
    let has = |parts: &[&str]| events.iter().any(|l| parts.iter().all(|p| l.contains(p)));
    assert!(has(&[r#""index":"0x2002""#, r#""value":"hello CANopen, more than one segment""#]), "{context}");
    assert!(has(&[r#""index":"0x2006""#, r#""value":-8388608"#]), "{context}");
    assert!(has(&[r#""code":"0x06090031""#, r#""by":"server""#]), "{context}");
}

/// `len` bytes no two tests share: an xorshift stream from `seed`.
fn data(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

#[test]
fn block_and_segmented_domain_transfers_round_trip_through_cocomm() {
    let Some(bin) = peers() else { return };
    let block = data(4000, 0x2000_0001);
    let segmented = data(3000, 0x2000_0002);
    let body = format!(
        r#"
printf '%s' '{block}' > /tmp/block.b64
printf '%s' '{segmented}' > /tmp/segmented.b64
echo "=== block"
co 'set sdo_block 1'
timeout 30 "$COCOMM" -s /tmp/co.sock -o flat -i '5 write 0x2000 0 d' < /tmp/block.b64
echo "=== block back"
timeout 30 "$COCOMM" -s /tmp/co.sock -o data '5 read 0x2000 0 d'; echo
echo "=== segmented"
co 'set sdo_block 0'
timeout 30 "$COCOMM" -s /tmp/co.sock -o flat -i '5 write 0x2000 0 d' < /tmp/segmented.b64
echo "=== segmented back"
timeout 30 "$COCOMM" -s /tmp/co.sock -o data '5 read 0x2000 0 d'; echo
stop_node
finish
show dump /tmp/dump
"#,
        block = common::base64(&block),
        segmented = common::base64(&segmented),
    );
    let Some(run) = run_in_guest(&start(&bin, &body)) else { return };
    run.assert_success();
    let context = run.context();
    assert_eq!(run.lines("block"), ["[1] OK", "[1] OK"], "{context}");
    assert_eq!(run.lines("block back"), [common::base64(&block)], "{context}");
    assert_eq!(run.lines("segmented"), ["[1] OK", "[1] OK"], "{context}");
    assert_eq!(run.lines("segmented back"), [common::base64(&segmented)], "{context}");

    // The wire shows which protocol ran. CiA 301 block CRC: CRC-16-CCITT, initial value 0.
    let crc = |d: &[u8]| crc::Crc::<u16>::new(&crc::CRC_16_XMODEM).checksum(d).to_le_bytes();
    let sdo = run.frames("dump", |id| id == 0x585 || id == 0x605);
    let [b0, b1] = crc(&block);
    let want: Vec<String> = [
        // Block download: the gateway streams base64, so the size is not indicated; CRC on.
        "605#C400200000000000",
        "585#A40020007F000000",
        // Four full blocks of 127 segments and one of 64 (4000 = 571 × 7 + 3), each acknowledged.
        "585#A27F7F0000000000",
        "585#A27F7F0000000000",
        "585#A27F7F0000000000",
        "585#A27F7F0000000000",
        "585#A2407F0000000000",
        // End: 4 bytes of the last segment unused, and the CRC both sides computed.
        &format!("605#D1{b0:02X}{b1:02X}0000000000"),
        "585#A100000000000000",
        // Block upload: blksize 127, protocol switch threshold 21; the node indicates the size.
        "605#A40020007F150000",
        "585#C6002000A00F0000",
        "605#A300000000000000",
        "605#A2407F0000000000",
        &format!("585#D1{b0:02X}{b1:02X}0000000000"),
        "605#A100000000000000",
        // Segmented download without size, and upload with it (3000 bytes = 0x0BB8).
        "605#2000200000000000",
        "585#6000200000000000",
        "605#4000200000000000",
        "585#41002000B80B0000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert!(in_order(&sdo, &want), "expected in order:\n{want:#?}\n{context}");
}

/// The NMT commands, boot-ups and heartbeat states in a candump section, one entry per change:
/// repeated heartbeats are folded, and so is a heartbeat that still carries the old state right
/// after an NMT command (the node's heartbeat timer runs on its own, and may have sent while the
/// command was on its way).
fn nmt_and_heartbeats(run: &GuestRun) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut stale: Option<String> = None;
    for frame in run.frames("dump", |id| id == 0x000 || id == 0x705) {
        if frame.starts_with("000#") {
            stale = out.iter().rev().find(|f| f.starts_with("705#")).cloned();
            out.push(frame);
            continue;
        }
        if frame != "705#00" && stale.as_ref() == Some(&frame) {
            continue;
        }
        stale = None;
        if out.last() != Some(&frame) {
            out.push(frame);
        }
    }
    out
}

#[test]
fn nmt_commands_from_cocomm_show_in_the_nodes_heartbeats() {
    let Some(bin) = peers() else { return };
    let body = r#"
echo "=== setup"; co '5 write 0x1017 0 u16 100' '5 write 0x2001 0 u32 7'
sleep 0.8
echo "=== nmt"
co '5 start'; sleep 0.8
co '5 preop'; sleep 0.8
co '5 stop'; sleep 0.8
co 'set sdo_timeout 1000' '5 read 0x1018 1 x32' 'set sdo_timeout 5000'
co '5 start'; sleep 0.8
co '5 reset comm'; sleep 0.8
co '5 read 0x1017 0 u16' '5 read 0x2001 0 u32'
co '5 reset node'; sleep 0.8
co '5 read 0x2001 0 u32'
stop_node
finish
show dump /tmp/dump
show events /tmp/node.out
"#;
    let Some(run) = run_in_guest(&start(&bin, body)) else { return };
    run.assert_success();
    let context = run.context();
    assert_eq!(run.lines("setup"), ["[1] OK", "[2] OK"], "{context}");
    assert_eq!(
        run.lines("nmt"),
        [
            "[1] OK",
            "[1] OK",
            "[1] OK",
            // Stopped: no SDO answer, the client gives up.
            "[1] OK",
            "[2] ERROR:0x05040000 #SDO protocol timed out.",
            "[3] OK",
            "[1] OK",
            "[1] OK",
            // Reset communication restores 0x1000..0x1FFF (no heartbeat), keeps the application's.
            "[1] 0",
            "[2] 7",
            "[1] OK",
            // Reset node restores the application's too.
            "[1] 305419896",
        ],
        "{context}"
    );
    assert_eq!(
        nmt_and_heartbeats(&run),
        [
            "705#00", "705#7F", "000#0105", "705#05", "000#8005", "705#7F", "000#0205", "705#04", "000#0105",
            "705#05", "000#8205", "705#00", "000#8105", "705#00",
        ],
        "{context}"
    );
    // While stopped the SDO request went unanswered, until the client aborted (0x05040000).
    let dump = run.frames("dump", |id| matches!(id, 0x000 | 0x585 | 0x605));
    let stop = dump.iter().position(|f| f == "000#0205").unwrap_or_else(|| panic!("{context}"));
    let restart =
        stop + dump[stop..].iter().position(|f| f == "000#0105").unwrap_or_else(|| panic!("{context}"));
    assert_eq!(dump[stop + 1..restart], ["605#4018100100000000", "605#8018100100000405"], "{context}");
    // The application heard every command.
    let causes: Vec<String> = run
        .lines("events")
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|e| e["event"] == "nmt")
        .map(|e| format!("{} -> {}", e["cause"].as_str().unwrap_or("?"), e["to"].as_str().unwrap_or("?")))
        .collect();
    assert_eq!(
        causes,
        [
            "power-on -> pre-operational",
            "NMT start -> operational",
            "NMT enter pre-operational -> pre-operational",
            "NMT stop -> stopped",
            "NMT start -> operational",
            "NMT reset communication -> pre-operational",
            "NMT reset node -> pre-operational",
        ],
        "{context}"
    );
}

#[test]
fn canopends_heartbeat_consumer_follows_the_node_until_sigterm_silences_it() {
    let Some(bin) = peers() else { return };
    let body = r#"
# canopend (node 1) monitors node 5 with a 500 ms timeout; the node beats every 100 ms.
echo "=== setup"; co '1 write 0x1016 1 u32 0x000501F4' '5 write 0x1017 0 u16 100' '1 read 0x1016 1 x32'
wait_log /tmp/canopend.out '(index = 0): NMT state changed to: "pre-operational" (127)'
co '5 start' > /dev/null
wait_log /tmp/canopend.out '"operational" (5)'
co '5 reset comm' > /dev/null
wait_log /tmp/canopend.out 'errorBit=0x1C'
co '5 write 0x1017 0 u16 100' > /dev/null
wait_log /tmp/canopend.out 'errorCode=0x0000'
stop_node
# The node has exited: whatever it sent is on the bus before this marker.
cansend vcan0 7FF#
wait_log /tmp/canopend.out 'errorBit=0x1B'
sleep 0.3  # room for anything late
finish
show canopend /tmp/canopend.out
show dump /tmp/dump
"#;
    let Some(run) = run_in_guest(&start(&bin, body)) else { return };
    run.assert_success();
    let context = run.context();
    assert_eq!(run.lines("setup"), ["[1] OK", "[2] OK", "[3] 0x000501F4"], "{context}");
    assert_eq!(run.lines("node exit"), ["0"], "{context}");
    // canopend logs as `canopend[PID]: message`; its own start-up EMCY (0x5000: no storage files
    // yet) is not about the node.
    let log: Vec<String> = run
        .lines("canopend")
        .iter()
        .filter_map(|l| l.split_once("]: ").map(|(_, m)| m.to_string()))
        .filter(|m| {
            m.contains("Remote node ID = 0x05")
                || m.contains("errorCode=0x8130")
                || m.contains("errorCode=0x0000")
        })
        .collect();
    let state = |s: &str| format!("CANopen Remote node ID = 0x05 (index = 0): NMT state changed to: {s}");
    let emcy = |code: &str, register: &str, bit: &str| {
        format!(
            "CANopen Emergency message from node 0x01: errorCode={code}, errorRegister={register}, \
             errorBit={bit}, infoCode=0x00000000"
        )
    };
    assert_eq!(
        log,
        [
            state(r#""pre-operational" (127)"#),
            state(r#""operational" (5)"#),
            // The node's boot-up after reset communication: CANopenNode's "remote reset" EMCY.
            state(r#""initializing" (0)"#),
            emcy("0x8130", "0x11", "0x1C"),
            state(r#""pre-operational" (127)"#),
            // Heartbeats again: the error is reset (the generic bit stays: canopend's own 0x5000).
            emcy("0x0000", "0x01", "0x1C"),
            // SIGTERM: the heartbeats stop, canopend times out and sends its heartbeat EMCY.
            state(r#""unknown" (-1)"#),
            emcy("0x8130", "0x11", "0x1B"),
        ],
        "{context}"
    );
    let dump = run.frames("dump", |_| true);
    let marker = dump.iter().position(|f| f == "7FF#").unwrap_or_else(|| panic!("no marker:\n{context}"));
    let after: Vec<&String> = dump[marker..]
        .iter()
        .filter(|f| u32::from_str_radix(f.split('#').next().unwrap_or(""), 16).is_ok_and(|id| id & 0x7F == 5))
        .collect();
    assert!(after.is_empty(), "the node sent {after:?} after it exited:\n{context}");
    assert!(dump[marker..].iter().any(|f| f == "081#3081111B00000000"), "{context}");
    assert!(dump[..marker].iter().any(|f| f == "081#3081111C00000000"), "{context}");
}
