//! `canopen-node gateway --ascii` against CANopenNode's own gateway, with CANopenNode's own
//! client: inside a User-Mode Linux guest with a kernel `vcan0`, `cocomm` runs the same command
//! file once through `canopend -c local-…` (CANopenLinux's CiA 309-3 gateway) and once through
//! cankit's, both talking to a `canopen-node` device (node 5). Every reply must be the same, byte
//! for byte: values of every type, abort codes and their descriptions, syntax errors, comments and
//! empty lines, default nodes, NMT, block transfers, time-outs. A second test runs the master
//! side of `canopen-node` (`sdo read|write`, `nmt`, `scan`) against canopend as the device.
//!
//! The peers are built from source by `../shared/peers/build-peers.sh` into `target/peers`.
//! Without them or without UML, a test is skipped on a developer machine and fails in CI.

mod common;

use std::path::PathBuf;

use common::uml::{cli_script, run_in_guest};

fn peers() -> Option<PathBuf> {
    common::c_peers(&["canopend", "cocomm"])
}

/// The start of the guest script: node 5 (the fixture dictionary) and canopend (node 1, its
/// gateway on /tmp/co.sock), each waited for, and `wait_log FILE TEXT`.
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
wait_for_sockets vcan0 0
"$NODE" --node-id 5 --eds tests/fixtures/canopen/device.eds -i socketcan -c vcan0 --no-store \
  --control /tmp/node.sock > /tmp/node.out 2> /tmp/node.err & node=$!
wait_log /tmp/node.err "control socket"
"$CANOPEND" vcan0 -i 1 -c local-/tmp/co.sock -s /tmp/canopend. > /tmp/canopend.out 2>&1 & canopend=$!
wait_log /tmp/canopend.out "command interface on local socket"
"#,
        bin = bin.display(),
        node = env!("CARGO_BIN_EXE_canopen-node"),
    );
    cli_script(&format!("{setup}{body}"))
}

/// The command file both gateways get. It starts by resetting node 5 so both runs see the same
/// dictionary, and it sets every gateway setting it relies on.
const COMMANDS: &str = r#"[1] 5 reset node
# a comment line, then an empty one

[2] r 0x1017 0 u16
[3] set node 5
[4] r 0x1017 0 u16
[5] set sdo_timeout 5000
[6] 5 read 0x1018 1 u32
[7] 5 read 0x1018 1 x32
[8] 5 READ 0x1000 0 X32
[9] 1 5 r 0x1018 0 u8   # with a net and a comment
[10] 5 r 4119 0 u16
[11] 5 w 0x1017 0 u16 1000
[12] 5 r 0x1017 0 u16
[13] 5 r 0x1017 0
[14] 5 r 0x2001 0 u32
[15] 5 write 0x2001 0 u32 4000000000
[16] 5 r 0x2001 0 x32
[17] 5 w 0x2001 0 u32 0x12345678
[18] 5 w 0x2003 0 i16 -100
[19] 5 r 0x2003 0 i16
[20] 5 w 0x2003 0 i16 101
[21] 5 w 0x2003 0 i16 -101
[22] 5 r 0x2004 0 r32
[23] 5 w 0x2004 0 r32 -2.75
[24] 5 r 0x2004 0 r32
[25] 5 w 0x2004 0 r32 1.5
[26] 5 r 0x200E 0 r64
[27] 5 r 0x2005 0 x64
[28] 5 r 0x2005 0 u64
[29] 5 r 0x2005 0 i64
[30] 5 r 0x2006 0 hex
[31] 5 w 0x2006 0 hex 00 00 80
[32] 5 r 0x2006 0 hex
[33] 5 w 0x2006 0 hex FBFFFF
[34] 5 r 0x200C 0 b
[35] 5 r 0x2009 0 os
[36] 5 r 0x2009 0 hex
[37] 5 r 0x2002 0 vs
[38] 5 w 0x2002 0 vs "hello CANopen, ""quoted"", #not a comment"
[39] 5 r 0x2002 0 vs
[40] 5 w 0x2002 0 vs single_word
[41] 5 r 0x2002 0 vs
[42] 5 w 0x2002 0 vs hello
[43] 5 r 0x2000 0 d
[44] 5 w 0x2000 0 d AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=
[45] 5 r 0x2000 0 d
[46] 5 r 0x2000 0 hex
[47] 5 w 0x2000 0 d AQID
[48] 5 r 0x3000 0 u8
[49] 5 r 0x1018 9 u32
[50] 5 w 0x1000 0 u32 1
[51] 5 w 0x2001 0 u16 1
[52] 5 r 0x1018 1 u16
[53] 5 r 0x200C 0 vs
[54] 5 w 0x1017 0 u8 256
[55] 5 w 0x1017 0 i8 -129
[56] 5 w 0x1017 0 u16
[57] 5 w 0x1017 0 u16 1 2
[58] 5 w 0x2002 0 vs ""
[59] 5 w 0x2002 0 vs "unterminated
[60] 5 w 0x1017 0 u24 1
[61] 5 r 0x1017
[62] 5 r 0x10000 0
[63] 5 r 0x1017 0 u16 extra
[64] 128 r 0x1017 0
[65] 70000 5 r 0x1017 0
[66] 1 2 3 r 0x1017 0
[67] 5 jump
[68] 0 r 0x1017 0
[69] set foo 1
[70] set node 0
[71] set sdo_block 2
[72] 5 start now
[73] 5 reset
[74] 5 reset everything
[75] 5 preop
[76] 5 start
[77] 0 preoperational
[78] 5 reset comm
[79] set sdo_block 1
[80] 5 r 0x1018 1 u32
[81] 5 w 0x2000 0 d AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSYnKCkqKywtLi8w
[82] 5 r 0x2000 0 d
[83] 5 w 0x2002 0 vs "a string long enough for a block download"
[84] 5 r 0x2002 0 vs
[85] set sdo_block 0
[86] set sdo_timeout 200
[87] 9 r 0x1000 0 u32
[88] set sdo_timeout 5000
[x] 5 start
[12x] 5 start
this is not a command
[89]
[4294967295] 5 r 0x1018 1 u32
[90] 00000000000000000005 r 0x1018 1 u32
[91] 5 r 0x1018 1 u32
"#;

/// What cankit's gateway must answer to COMMANDS, line by line, as cocomm prints it with
/// `-o flat` (checked on its own, so the comparison cannot pass with two equally wrong gateways).
const SOME_ANSWERS: &[&str] = &[
    "[2] ERROR:105 #No default node set.",
    "[4] 0",
    "[6] 418",
    "[7] 0x000001A2",
    "[13] E8 03",
    "[20] ERROR:0x06090031 #Value range of parameter written too high.",
    "[24] -2.75",
    "[38] OK",
    r#"[39] "hello CANopen, ""quoted"", #not a comment""#,
    "[45] AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
    "[48] ERROR:0x06020000 #Object does not exist.",
    "[52] A2 01 00 00",
    "[58] ERROR:101 #Syntax error.",
    "[64] ERROR:107 #Unsupported node.",
    "[67] ERROR:100 #Request not supported.",
    "[84] \"a string long enough for a block download\"",
    "[87] ERROR:0x05040000 #SDO protocol timed out.",
    // "[x]": C's strtoul reads 0, which CANopenNode keeps as the sequence; "[12x]" keeps 12,
    // and the two broken lines after it are answered with that.
    "[0] ERROR:101 #Syntax error.",
    "[12] ERROR:101 #Syntax error.",
    "[-1] 418",
    "[91] 418",
];

#[test]
fn cocomm_gets_the_same_answers_from_cankits_gateway_as_from_canopends() {
    let Some(bin) = peers() else { return };
    let body = format!(
        r#"
cat > /tmp/commands <<'EOF_COMMANDS'
{COMMANDS}EOF_COMMANDS
"$NODE" gateway --ascii unix:/tmp/ck.sock --ascii tcp:6000 -i socketcan -c vcan0 > /tmp/gw.out 2> /tmp/gw.err & gateway=$!
wait_log /tmp/gw.err "gateway on unix:/tmp/ck.sock"
wait_log /tmp/gw.err "gateway on tcp:127.0.0.1:6000"
echo "=== canopend"
timeout 60 "$COCOMM" -s /tmp/co.sock -o flat -f /tmp/commands; echo "exit $?"
echo "=== cankit"
timeout 60 "$COCOMM" -s /tmp/ck.sock -o flat -f /tmp/commands; echo "exit $?"
echo "=== tcp"
timeout 30 "$COCOMM" -t 127.0.0.1 -p 6000 -o flat '5 r 0x1018 1 u32' 'help datatype'; echo "exit $?"
echo "=== log"
timeout 30 "$COCOMM" -s /tmp/ck.sock -o flat 'log'
kill -TERM $gateway; wait $gateway; echo "=== gateway exit"; echo $?
kill -TERM $node $canopend; wait $node $canopend
"#
    );
    let Some(run) = run_in_guest(&start(&bin, &body)) else { return };
    run.assert_success();
    let context = run.context();
    let theirs = run.lines("canopend");
    let ours = run.lines("cankit");
    for (i, (a, b)) in theirs.iter().zip(&ours).enumerate() {
        assert_eq!(a, b, "reply {} differs (canopend, cankit)\n{context}", i + 1);
    }
    assert_eq!(theirs.len(), ours.len(), "{context}");
    for want in SOME_ANSWERS {
        assert!(ours.iter().any(|l| l == want), "no '{want}' from cankit's gateway\n{context}");
    }
    let tcp = run.lines("tcp");
    assert_eq!(tcp.first().map(String::as_str), Some("[1] 418"), "{context}");
    assert!(tcp.iter().any(|l| l.contains("x8, x16, x32, x64")), "{context}");
    // The log saw node 5 reset (its boot-up) and come back to pre-operational.
    let log = run.lines("log");
    assert!(
        log.iter()
            .any(|l| l.contains("CANopen Remote node ID = 0x05: NMT state changed to: \"pre-operational\"")),
        "{context}"
    );
    assert_eq!(run.lines("gateway exit"), ["0"], "{context}");
}
