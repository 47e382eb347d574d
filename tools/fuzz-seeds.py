"""Writes the checked-in seed corpus of every fuzz target, fuzz/seeds/<target>/: a few small,
valid inputs per format, so the fuzzers start inside the parsers instead of at their first
check (random bytes never pass an SQLite header, for one). Files written by cankit (the release
`canlogger`) and by python-can (target/venv), SQLite files with 512-byte pages among them.

    target/venv/bin/python tools/fuzz-seeds.py

tools/fuzz-all.sh runs every target with these seeds beside its own corpus (fuzz/corpus, not
checked in). Inputs the fuzzers found problems with are kept beside the seeds as found-*, and
this script leaves them alone. Run this again after a format changes; the files are small and deterministic but
for the times python-can's writers put in headers.
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

import can

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
CANLOGGER = os.path.join(ROOT, "target", "release", "canlogger")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "conformance")

# The frames every written seed holds: classic 11/29-bit, remote, CAN FD with BRS/ESI, an error
# frame, two channels, both directions (as a candump log cankit converts into each format).
CANDUMP = """\
(1700000000.000000) can0 123#DEADBEEF
(1700000000.001000) can1 1ABCDEF0#0102030405060708 T
(1700000000.002000) can0 7FF#R3
(1700000000.003000) can0 100##1112233445566778899AABB
(1700000000.004000) can1 10000000##3000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F
(1700000000.005000) can0 20000004#0004000000000000
(1700000000.006000) can0 001#
"""

MESSAGES = [
    can.Message(timestamp=1700000000.0, arbitration_id=0x123, is_extended_id=False, data=b"\xde\xad\xbe\xef", channel=0),
    can.Message(timestamp=1700000000.001, arbitration_id=0x1ABCDEF0, data=bytes(range(1, 9)), channel=1, is_rx=False),
    can.Message(timestamp=1700000000.002, arbitration_id=0x7FF, is_extended_id=False, is_remote_frame=True, dlc=3, channel=0),
    can.Message(timestamp=1700000000.003, arbitration_id=0x4444444, is_extended_id=False, data=b"\x11\x22", channel=0),
]


def put(target, name, data):
    os.makedirs(os.path.join(SEEDS, target), exist_ok=True)
    with open(os.path.join(SEEDS, target, name), "wb") as f:
        f.write(data)


def cankit_writes(tmp, ext):
    src = os.path.join(tmp, "seed.log")
    with open(src, "w") as f:
        f.write(CANDUMP)
    out = os.path.join(tmp, "cankit." + ext)
    subprocess.run([CANLOGGER, "convert", "--quiet", "--utc", src, out], check=True)
    with open(out, "rb") as f:
        return f.read()


def python_writes(tmp, ext):
    out = os.path.join(tmp, "python." + ext)
    writer = can.Logger(out)
    for m in MESSAGES:
        writer.on_message_received(m)
    writer.stop()
    with open(out, "rb") as f:
        return f.read()


def sqlite_with_small_pages(tmp, name, rows):
    """python-can's table layout in a database of 512-byte pages, so a few dozen rows make
    interior and overflow pages."""
    path = os.path.join(tmp, name)
    db = sqlite3.connect(path)
    db.execute("PRAGMA page_size = 512")
    db.execute(
        "CREATE TABLE messages (ts REAL, arbitration_id INTEGER, extended INTEGER, remote INTEGER, "
        "error INTEGER, dlc INTEGER, data BLOB)"
    )
    db.executemany("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()
    with open(path, "rb") as f:
        return f.read()


def main():
    if not os.path.exists(CANLOGGER):
        sys.exit("build the release canlogger first: cargo build --release")
    tmp = tempfile.mkdtemp()
    try:
        for ext, target in [("asc", "asc_reader"), ("blf", "blf_reader"), ("trc", "trc_reader")]:
            # trc_reader reads its first byte as a switch (odd: CANHacker header); even = as is.
            prefix = b"\x00" if target == "trc_reader" else b""
            put(target, "cankit." + ext, prefix + cankit_writes(tmp, ext))
            put(target, "python-can." + ext, prefix + python_writes(tmp, ext))
        for name in sorted(os.listdir(FIXTURES)):
            with open(os.path.join(FIXTURES, name), "rb") as f:
                data = f.read()
            if name.endswith(".asc"):
                put("asc_reader", name, data)
            elif name.endswith(".blf"):
                put("blf_reader", name, data)
            elif name == "canhacker.trc":
                # The target puts CANHacker's header in front for an odd first byte.
                put("trc_reader", name, b"\x01" + data.split(b"\n", 1)[1])
            elif name.endswith(".trc"):
                put("trc_reader", name, b"\x00" + data)
            elif name.endswith(".csv"):
                put("csv_reader", name, b"\x00" + data)
            elif name.endswith(".log"):
                put("parse_log_line", name, data.split(b"\n", 1)[0])
        # csv_reader: the first byte picks a header (0 none, 1 python-can, 2/3 SavvyCAN with and
        # without Dir); the rest is rows.
        put("csv_reader", "cankit.csv", b"\x00" + cankit_writes(tmp, "csv"))
        put("csv_reader", "python-can.csv", b"\x00" + python_writes(tmp, "csv"))
        put("csv_reader", "rows-python-can", b"\x01" + cankit_writes(tmp, "csv").split(b"\n", 1)[1])
        put("csv_reader", "rows-savvycan", b"\x02" + b"39747828,000005EB,false,Rx,0,8,E8,45,85,4B,4A,28,36,69,\n")
        put("csv_reader", "rows-savvycan-without-dir", b"\x03" + b"166064000,1CEBFF00,true,0,5,10,20,30,40,50,00,00,00,\n")
        # SQLite: as both tools write it, and with 512-byte pages (one and many pages).
        # cankit's file (with its cankit_runs table), rewritten with 512-byte pages: its own large
        # pages would make a 200 kB seed.
        cankit_db = os.path.join(tmp, "cankit-small.db")
        with open(cankit_db, "wb") as f:
            f.write(cankit_writes(tmp, "db"))
        db = sqlite3.connect(cankit_db)
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("PRAGMA page_size = 512")
        db.execute("VACUUM")
        db.close()
        with open(cankit_db, "rb") as f:
            put("sqlite_reader", "cankit.db", f.read())
        put("sqlite_reader", "python-can.db", python_writes(tmp, "db"))
        rows = [(1700000000.0 + i / 1000, 0x100 + i, i % 2, 0, 0, i % 9, bytes(range(i % 9))) for i in range(60)]
        put("sqlite_reader", "small-pages.db", sqlite_with_small_pages(tmp, "small.db", rows))
        put("sqlite_reader", "small-pages-one-row.db", sqlite_with_small_pages(tmp, "one.db", rows[:1]))
        # Text parsers.
        for i, line in enumerate(CANDUMP.splitlines()):
            put("parse_log_line", "line%d" % i, line.encode())
            put("parse_frame", "frame%d" % i, line.split(" ")[2].encode())
        put("config_file", "can.conf", b"[default]\ninterface = socketcan\nchannel = can0\nbitrate = 500000\n\n[fd]\nfd = True\ndata_bitrate = 2000000\n")
        from can.interfaces.udp_multicast import utils

        for i, m in enumerate(MESSAGES):
            put("udp_datagram", "python-can-%d" % i, utils.pack_message(m))
        fd = can.Message(timestamp=1700000000.5, arbitration_id=0x100, is_fd=True, bitrate_switch=True,
                         data=bytes(range(12)))
        put("udp_datagram", "python-can-fd", utils.pack_message(fd))
        protocol_seeds()
        eds_seeds()
        canopen_node_seeds()
    finally:
        shutil.rmtree(tmp)
    for target in sorted(os.listdir(SEEDS)):
        print(target, len(os.listdir(os.path.join(SEEDS, target))), "seeds")


def protocol_seeds():
    """The network protocols canserver speaks: what python-can and socketcandcl send (socketcand),
    python-can 2.0's binary remote events, python-can-remote's JSON and binary messages."""
    import struct

    put("socketcand_stream", "python-can", b"< open can0 >< rawmode >< send 123 0  >< send 1AAAAAAA 2 1 f1 >")
    put("socketcand_stream", "socketcandcl", b"< open vcan0 >< rawmode >< send 123 3 de ad be  >")
    put("socketcand_stream", "bcm", b"< open can0 >< add 1 0 123 2 11 22 >< update 123 1 33 >< delete 123 >"
        b"< filter 0 100000 123 2 FF 00 >< subscribe 0 0 1ABCDEF0 >< unsubscribe 123 >< echo >")
    put("socketcand_stream", "server", b"< hi >< ok >< frame 123 1700000000.000001 DEADBEEF >"
        b"< fdframe 010 1700000000.000001 000102030405060708090A0B >< error 004 1700000001.000000 >"
        b"< frame 123 1700000000.000001 DE AD  >< interfaces can0 vcan1 >< stat 1 2 3 4 >")
    put("socketcand_stream", "beacon", b'<CANBeacon name="pi" type="SocketCAN" description="socketcand">\n'
        b'<URL>can://127.0.0.1:29536</URL><Bus name="can0"/></CANBeacon>')
    put("socketcand_stream", "fd", b"< rawmode >< sendfd 123 12 0 1 2 3 4 5 6 7 8 9 a b >< fdsend 123 01 2 1 2 >")
    # python-can 2.0.0a2's client: BusRequest(4, 500000) + FilterConfig, a CanMessage, periodic.
    msg = struct.pack(">BdlBB8s", 3, 1700000000.25, 0x123, 3, 0, b"\x01\x02\x03")
    put("remote_stream", "client", struct.pack(">BBl", 1, 4, 500000) + b"\x0a\x01" + struct.pack(">LL", 0x123, 0x7FF) + msg)
    put("remote_stream", "server", b"\x02\x05hello" + msg + b"\x05\x06\x04oops")
    put("remote_stream", "periodic", struct.pack(">BdlBB8s", 7, 0.05, 0x55, 1, 0, b"\x09")
        + struct.pack(">BdlBB8s", 9, 0, 0x55, 1, 0, b"\x08") + struct.pack(">Bl", 8, 0x55))
    put("ws_remote_message", "bus_request", b'{"type": "bus_request", "payload": {"config": {"bitrate": 500000}}}')
    put("ws_remote_message", "message", b'{"type": "message", "payload": {"timestamp": 1700000000.25, '
        b'"arbitration_id": 291, "is_extended_id": false, "is_remote_frame": false, "is_error_frame": false, '
        b'"dlc": 3, "data": [1, 2, 3]}}')
    put("ws_remote_message", "periodic", b'{"type": "periodic_start", "payload": {"period": 0.1, "duration": null, '
        b'"msg": {"arbitration_id": 5, "is_extended_id": true, "is_remote_frame": false, "is_error_frame": false, '
        b'"is_fd": false, "bitrate_switch": false, "dlc": 1, "data": [1]}}}')
    put("ws_remote_message", "binary", bytes.fromhex("0141dac5b6d9d1d8dd01abcdef05010102030405"))
    put("ws_remote_message", "binary-fd", bytes.fromhex("01000000000000000000000010" + "0c18") + bytes(range(12)))
    # Waveshare records (the first byte is the fuzz target's segment size): the spec's examples,
    # then a DLC 9 record, a reserved bit, a standard id above 0x7FF and half a record.
    records = bytes.fromhex("0400000123010203040000000000" [:26] + "85123456781234567800000000"
                            + "48000007FF0000000000000000" + "C01FFFFFFF0000000000000000")
    put("waveshare_stream", "spec", b"\x05" + records)
    put("waveshare_stream", "bad", b"\x0d" + records[:13] + bytes.fromhex("09000001230000000000000000"
        + "14000001230000000000000000" + "01000008000000000000000000") + records[:6])


def eds_seeds():
    """CANopen EDS/DCF files: the hand-written fixtures (a full device, a DCF, every quirk the
    reader tolerates, a hopeless file), and small pieces that reach the rarer paths."""
    fixtures = os.path.join(ROOT, "tests", "fixtures", "canopen")
    for name in sorted(os.listdir(fixtures)):
        if name.endswith((".eds", ".dcf")):
            with open(os.path.join(fixtures, name), "rb") as f:
                put("eds_parse", name, f.read())
    put("eds_parse", "deftype", b"[0040]\nObjectType=0x5\n[0040sub1]\nDataType=0x0005\nDefaultValue=0x0007\n"
        b"[1000]\nParameterName=Device type\nDataType=0x0040\nAccessType=ro\nDefaultValue=$NODEID+1\n")
    put("eds_parse", "compact", b"[1016]\nObjectType=0x8\nCompactSubObj=2\nDataType=0x000B\nAccessType=rw\n"
        b"DefaultValue=abc ;x\n[1016Name]\nNrOfEntries=1\n2=Second\n[1016Value]\n1=\n[1016sub1]\n")


def canopen_node_seeds():
    """Traffic for the CANopen node (fuzz_targets/canopen_node.rs): 10-byte chunks, kind byte
    (0 time, 1 NMT, 2 SYNC, 3 TIME, 4 PDO, 5 heartbeat/guarding, 6-7 SDO), selector, 8 data bytes."""
    def frame(kind, selector, data=b""):
        return bytes([kind, selector]) + data.ljust(8, b"\0")[:8]

    def sdo(*data):
        return frame(6, 0, bytes(data))

    start = frame(1, 0, bytes([1, 0]))
    put("canopen_node", "expedited", sdo(0x40, 0x18, 0x10, 1) + sdo(0x2B, 0x17, 0x10, 0, 0x64, 0) + frame(0, 20))
    text = b"HELLO WORLD"
    put("canopen_node", "segmented", sdo(0x21, 0x02, 0x20, 0, 11) + sdo(0x00, *text[:7]) + sdo(0x17, *text[7:])
        + sdo(0x40, 0x02, 0x20, 0) + sdo(0x60) + sdo(0x70))
    put("canopen_node", "block-download", sdo(0xC6, 0x00, 0x20, 0, 14) + sdo(0x01, *range(7)) + sdo(0x82, *range(7))
        + sdo(0xC1, 0x12, 0x34))
    put("canopen_node", "block-upload", sdo(0xA4, 0x00, 0x20, 0, 4, 0) + sdo(0xA3) + sdo(0xA2, 4, 4) + sdo(0xA1))
    put("canopen_node", "pdo-sync", start + frame(4, 5, bytes([1, 2])) + frame(2, 0) + frame(2, 0) + frame(0, 15)
        + frame(5, 5, b"") + frame(5, 0xFF) + frame(3, 0, bytes(6)))
    put("canopen_node", "remap", sdo(0x23, 0x00, 0x18, 1, 0x85, 0x01, 0, 0xC0) + sdo(0x2F, 0x00, 0x1A, 0, 0)
        + sdo(0x23, 0x00, 0x1A, 1, 0x20, 0x00, 0x01, 0x20) + sdo(0x2F, 0x00, 0x1A, 0, 1)
        + sdo(0x23, 0x00, 0x18, 1, 0x85, 0x01, 0, 0x40) + start + frame(2, 0))


if __name__ == "__main__":
    main()
