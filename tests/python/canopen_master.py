"""python `canopen` as the master of a cankit canopen-node (tests/canopen_node_python.rs).

    canopen_master.py EDS NODE_ID TOOL STEP...

Each STEP is a function below; each prints lines `STEP: what value` that the Rust test checks,
and raises (exit 1) on anything unexpected. The bus is python-can's udp_multicast with its
defaults, so the test runs this inside a private network namespace, next to the node. TOOL is the
canopen-node binary, for `canopen-node set/emcy` (the application's side) and its CONTROL socket
in $CANOPEN_CONTROL.
"""

import os
import subprocess
import sys
import time

import can
import canopen
from canopen.sdo.exceptions import SdoAbortedError, SdoCommunicationError

EDS, NODE_ID, TOOL = sys.argv[1], int(sys.argv[2]), sys.argv[3]
CONTROL = os.environ["CANOPEN_CONTROL"]


def out(step, *words):
    print(step + ":", *words, flush=True)


def tool(*args):
    done = subprocess.run([TOOL, *args, "--control", CONTROL], capture_output=True, text=True, timeout=20)
    if done.returncode != 0:
        raise RuntimeError(f"canopen-node {' '.join(args)}: {done.returncode} {done.stderr}")
    return done.stdout.strip()


def abort_code(f):
    try:
        f()
    except SdoAbortedError as e:
        return hex(e.code)
    return "none"


def reset(node, network, command):
    """Send an NMT reset and wait for the boot-up it causes. (`nmt.wait_for_bootup` waits for
    a boot-up that comes after it is called: a fast node's may already be there.)"""
    seen = []

    def heard(cob, data, ts):
        seen.append(bytes(data))

    network.subscribe(0x700 + NODE_ID, heard)
    node.nmt.state = command
    deadline = time.monotonic() + 5
    while b"\x00" not in seen:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no boot-up within 5 s of {command}; heard {seen}")
        time.sleep(0.01)
    network.unsubscribe(0x700 + NODE_ID, heard)


def sdo(node):
    # Expedited both ways.
    out("sdo", "vendor", hex(node.sdo[0x1018][1].raw))
    node.sdo[0x1017].raw = 1000
    out("sdo", "heartbeat", node.sdo[0x1017].raw)
    # Every type, written and read back.
    for index, value in [
        (0x2001, 0xDEADBEEF),
        (0x2003, -100),
        (0x2004, 1.5),
        (0x2005, 0x0123456789ABCDEF),
        (0x2006, -8000000),
        (0x2007, 0xFFFFFFFFFF),
        (0x2008, -(2**55)),
        (0x200C, True),
        (0x200E, -2.25),
    ]:
        node.sdo[index].raw = value
        back = node.sdo[index].raw
        out("sdo", "type", hex(index), "same" if back == value else f"different {back!r} != {value!r}")
    # Segmented: strings longer than 4 bytes.
    text = "a visible string longer than one segment"
    node.sdo[0x2002].raw = text
    out("sdo", "segmented", "same" if node.sdo[0x2002].raw == text else "different")
    node.sdo[0x2009].raw = bytes(range(20))
    out("sdo", "octets", node.sdo[0x2009].raw.hex())
    node.sdo[0x200A].raw = "grüße"
    out("sdo", "unicode", node.sdo[0x200A].raw)
    # A forced segmented download of a 4-byte value.
    node.sdo.download(0x2001, 0, (7).to_bytes(4, "little"), force_segment=True)
    out("sdo", "forced-segment", node.sdo[0x2001].raw)


def aborts(node):
    out("aborts", "read-only", abort_code(lambda: node.sdo.download(0x1000, 0, b"\x01\x00\x00\x00")))
    out("aborts", "write-only", abort_code(lambda: node.sdo.upload(0x200D, 0)))
    out("aborts", "no-object", abort_code(lambda: node.sdo.upload(0x3000, 0)))
    out("aborts", "no-sub", abort_code(lambda: node.sdo.upload(0x1018, 9)))
    out("aborts", "too-long", abort_code(lambda: node.sdo.download(0x1017, 0, b"\x01\x02\x03\x04")))
    out("aborts", "too-short", abort_code(lambda: node.sdo.download(0x2001, 0, b"\x01\x02")))
    out("aborts", "too-high", abort_code(lambda: node.sdo.download(0x2003, 0, (101).to_bytes(2, "little", signed=True))))
    out("aborts", "too-low", abort_code(lambda: node.sdo.download(0x2003, 0, (-101).to_bytes(2, "little", signed=True))))
    out("aborts", "store-magic", abort_code(lambda: node.sdo.download(0x1010, 1, b"nope")))
    # The node still answers after all that.
    out("aborts", "after", hex(node.sdo[0x1018][1].raw))


def block(node):
    data = bytes((i * 7 + i // 256) & 0xFF for i in range(65536))
    start = time.monotonic()
    with node.sdo[0x2000].open("wb", size=len(data), block_transfer=True) as f:
        f.write(data)
    down = time.monotonic() - start
    start = time.monotonic()
    with node.sdo[0x2000].open("rb", block_transfer=True) as f:
        back = f.read()
    up = time.monotonic() - start
    out("block", "download-upload", "same" if back == data else f"different {len(back)}")
    # Segmented transfers of the same domain agree with the block ones.
    with node.sdo[0x2000].open("rb") as f:
        segmented = f.read()
    out("block", "segmented-upload", "same" if segmented == data else f"different {len(segmented)}")
    out("block", "seconds", f"{down:.3f}", f"{up:.3f}")


def nmt(node, network):
    node.sdo[0x1017].raw = 100
    out("nmt", "heartbeat", node.nmt.wait_for_heartbeat(5))
    node.nmt.state = "OPERATIONAL"
    time.sleep(0.3)
    out("nmt", "heartbeat", node.nmt.wait_for_heartbeat(5))
    node.nmt.state = "STOPPED"
    time.sleep(0.3)
    out("nmt", "heartbeat", node.nmt.wait_for_heartbeat(5))
    # Stopped: no SDO.
    node.sdo.RESPONSE_TIMEOUT = 0.5
    try:
        node.sdo.upload(0x1018, 1)
        out("nmt", "sdo-when-stopped", "answered")
    except SdoCommunicationError:
        out("nmt", "sdo-when-stopped", "silent")
    node.sdo.RESPONSE_TIMEOUT = 3.0
    # An NMT command for another node changes nothing.
    network.send_message(0x000, bytes([0x01, NODE_ID + 1]))
    time.sleep(0.3)
    out("nmt", "other-node", node.nmt.wait_for_heartbeat(5))
    # Reset communication: a boot-up, then pre-operational; the heartbeat period survives a
    # reset only if stored, so it goes back to the EDS default (0: off).
    reset(node, network, "RESET COMMUNICATION")
    out("nmt", "boot-up", "seen")
    out("nmt", "after-reset", node.sdo[0x1017].raw)


def pdo(node, network):
    node.tpdo.read()
    node.rpdo.read()
    # TPDO1: synchronous every 2nd SYNC, three inputs.
    t1 = node.tpdo[1]
    t1.clear()
    t1.add_variable(0x6000, 1)
    t1.add_variable(0x6000, 2)
    t1.add_variable(0x6401, 1)
    t1.trans_type = 2
    t1.enabled = True
    # RPDO1: two outputs, asynchronous.
    r1 = node.rpdo[1]
    r1.clear()
    r1.add_variable(0x6200, 1)
    r1.add_variable(0x6200, 2)
    r1.trans_type = 255
    r1.enabled = True
    node.tpdo.save()
    node.rpdo.save()
    out("pdo", "mapping", hex(node.sdo[0x1A00][1].raw), hex(node.sdo[0x1A00][3].raw), node.sdo[0x1A00][0].raw)
    node.nmt.state = "OPERATIONAL"
    time.sleep(0.2)
    # The application feeds the inputs from a shell.
    tool("set", "6000:01", "42")
    tool("set", "6000:02", "0x17")
    tool("set", "6401:01", "-1234")
    received = []
    network.subscribe(t1.cob_id, lambda cob, data, ts: received.append(bytes(data)))
    network.sync.transmit()
    time.sleep(0.2)
    out("pdo", "after-one-sync", len(received))
    network.sync.transmit()
    t1.wait_for_reception(3)
    out("pdo", "tpdo1", t1[0].raw, t1[1].raw, t1[2].raw, len(received))
    # RPDO1 writes the outputs.
    r1[0].raw = 7
    r1[1].raw = 9
    r1.transmit()
    time.sleep(0.3)
    out("pdo", "rpdo1", node.sdo[0x6200][1].raw, node.sdo[0x6200][2].raw)
    # TPDO2 (EDS: event-driven, maps 0x2001): sent on its own when the value changes.
    node.tpdo.read()
    t2 = node.tpdo[2]
    node.sdo[0x2001].raw = 0x01020304
    t2.wait_for_reception(3)
    out("pdo", "tpdo2", hex(t2[0].raw))
    # A valid PDO's mapping cannot change: the node answers with CiA 301's abort.
    out("pdo", "remap-valid", abort_code(lambda: node.sdo.download(0x1A00, 0, b"\x00")))
    # Mapping more than 64 bits is refused.
    node.sdo.download(0x1801, 1, (0x80000280 + NODE_ID).to_bytes(4, "little"))
    node.sdo.download(0x1A01, 0, b"\x00")
    for sub in range(1, 4):
        node.sdo.download(0x1A01, sub, (0x20010020).to_bytes(4, "little"))
    out("pdo", "too-long", abort_code(lambda: node.sdo.download(0x1A01, 0, b"\x03")))
    out("pdo", "not-mappable", abort_code(lambda: node.sdo.download(0x1A01, 1, (0x10000020).to_bytes(4, "little"))))


def emcy_seen(node, code, timeout=5):
    """The first EMCY with `code` in the consumer's log (which also holds those that came before
    anyone waited: `emcy.wait` sees only later ones)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for e in node.emcy.log:
            if e.code == code:
                return e
        time.sleep(0.02)
    raise RuntimeError(f"no EMCY {code:#06x} within {timeout} s; log: {[hex(e.code) for e in node.emcy.log]}")


def emcy(node, network):
    node.nmt.state = "OPERATIONAL"
    tool("emcy", "0x4210", "01 02")
    e = emcy_seen(node, 0x4210)
    out("emcy", "produced", hex(e.code), hex(e.register), e.data.hex())
    out("emcy", "register", hex(node.sdo[0x1001].raw), "history", hex(node.sdo[0x1003][1].raw))
    # Heartbeat consumer: watch node 0x7E for 300 ms, which beats twice and goes silent.
    node.sdo[0x1016][1].raw = (0x7E << 16) | 300
    for _ in range(2):
        network.send_message(0x77E, b"\x05")
        time.sleep(0.1)
    e = emcy_seen(node, 0x8130)
    out("emcy", "heartbeat-lost", hex(e.code), hex(e.register))
    # A short RPDO: EMCY 0x8210 and the value stays.
    node.rpdo.read()
    r1 = node.rpdo[1]
    network.send_message(r1.cob_id, b"\x01")
    e = emcy_seen(node, 0x8210)
    out("emcy", "short-rpdo", hex(e.code))


def store(node, network):
    node.sdo[0x1017].raw = 250
    node.sdo[0x2001].raw = 77
    node.sdo[0x1010][1].raw = 0x65766173  # "save"
    node.sdo[0x2001].raw = 78
    reset(node, network, "RESET")
    out("store", "after-reset", node.sdo[0x1017].raw, node.sdo[0x2001].raw)
    node.sdo[0x1011][1].raw = 0x64616F6C  # "load"
    reset(node, network, "RESET")
    out("store", "after-restore", node.sdo[0x1017].raw, node.sdo[0x2001].raw)


def bad(node, network):
    """Requests a master would never send, written as raw frames."""
    replies = []
    network.subscribe(0x580 + NODE_ID, lambda cob, data, ts: replies.append(bytes(data)))

    def request(data, wait=0.3):
        replies.clear()
        network.send_message(0x600 + NODE_ID, bytes(data))
        deadline = time.monotonic() + wait
        while not replies and time.monotonic() < deadline:
            time.sleep(0.01)
        return replies[0].hex() if replies else "none"

    out("bad", "unknown-command", request([0xE0, 0x00, 0x20, 0, 0, 0, 0, 0]))
    out("bad", "truncated", request([0x40, 0x18]))
    # A segmented download whose second segment repeats the toggle bit.
    request([0x21, 0x02, 0x20, 0, 14, 0, 0, 0])
    request([0x00, 1, 2, 3, 4, 5, 6, 7])
    out("bad", "toggle", request([0x00, 1, 2, 3, 4, 5, 6, 7]))
    # A block download with a wrong CRC.
    request([0xC6, 0x02, 0x20, 0, 3, 0, 0, 0])
    network.send_message(0x600 + NODE_ID, bytes([0x81, ord("a"), ord("b"), ord("c"), 0, 0, 0, 0]))
    time.sleep(0.1)
    out("bad", "crc", request([0xC1 | (4 << 2), 0x34, 0x12, 0, 0, 0, 0, 0]))
    # A block download with sequence number 0.
    request([0xC6, 0x02, 0x20, 0, 3, 0, 0, 0])
    out("bad", "sequence", request([0x00, 1, 2, 3, 4, 5, 6, 7]))
    # A segmented download the client abandons: the server aborts it by itself.
    request([0x21, 0x02, 0x20, 0, 14, 0, 0, 0])
    replies.clear()
    time.sleep(1.6)
    out("bad", "timeout", replies[0].hex() if replies else "none")
    out("bad", "after", hex(node.sdo[0x1018][1].raw))


def main():
    network = canopen.Network()
    network.connect(interface="udp_multicast", channel="239.74.163.2")
    try:
        node = network.add_node(NODE_ID, EDS)
        node.sdo.RESPONSE_TIMEOUT = 3.0
        print("READY", flush=True)
        for step in sys.argv[4:]:
            f = globals()[step]
            f(node) if f.__code__.co_argcount == 1 else f(node, network)
    finally:
        network.disconnect()


main()
