"""The other end of canserver's CAN-to-UDP bridge, written from the formats' own descriptions with
the struct module alone: Linux `struct can_frame` / `struct canfd_frame` datagrams (can_id
little-endian, as the seed's adaptor sent them from a Raspberry Pi) or cannelloni data packets
(version 2, op code DATA, sequence number, big-endian count; per frame a big-endian can_id, a
length byte with 0x80 for CAN FD followed by the flags byte, the data; none for remote frames).

Usage: udp_bridge_peer.py FORMAT BIND_PORT SERVER_PORT; then commands on stdin, one a line:
  send FRAME...          frames (candump syntax) to canserver; cannelloni: in one packet
  seq N                  cannelloni: the next packet's sequence number
  raw HEX                these bytes as one datagram
  foreign FRAME          the frame from another address (127.0.0.2), not the peer's
  recv N SECONDS         print up to N frames received (candump syntax), then "done"
Answers "ok" to every command but recv; prints "ready" once bound.
"""

import socket
import struct
import sys

EFF, RTR, ERR = 0x80000000, 0x40000000, 0x20000000
BRS, ESI, FDF = 0x01, 0x02, 0x04

fmt, bind_port, server_port = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
server = ("127.0.0.1", server_port)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", bind_port))
sequence = 0


def parse(text):
    """(can_id with flags, data, fd flags or None, remote length)"""
    ident, rest = text.split("#", 1)
    can_id = int(ident, 16)
    if len(ident) == 8:
        can_id |= EFF
    if rest.startswith("#"):
        flags = int(rest[1], 16)
        return can_id, bytes.fromhex(rest[2:]), flags | FDF, 0
    if rest.startswith("R"):
        return can_id | RTR, b"", None, int(rest[1:] or "0")
    return can_id, bytes.fromhex(rest), None, 0


def show(can_id, data, fd_flags, length):
    if can_id & ERR:
        ident = "%08X" % (can_id & 0x1FFFFFFF | ERR)
    elif can_id & EFF:
        ident = "%08X" % (can_id & 0x1FFFFFFF)
    else:
        ident = "%03X" % (can_id & 0x7FF)
    if fd_flags is not None:
        return "%s##%X%s" % (ident, (fd_flags | FDF) & 0xF, data.hex().upper())
    if can_id & RTR:
        return "%s#R%s" % (ident, length if length else "")
    return "%s#%s" % (ident, data.hex().upper())


def socketcan_datagram(text):
    can_id, data, fd_flags, length = parse(text)
    if fd_flags is not None:
        return struct.pack("<IBBxx64s", can_id, len(data), fd_flags, data)
    return struct.pack("<IB3x8s", can_id, length if can_id & RTR else len(data), data)


def cannelloni_frame(text):
    can_id, data, fd_flags, length = parse(text)
    if fd_flags is not None:
        return struct.pack(">IBB", can_id, len(data) | 0x80, fd_flags) + data
    if can_id & RTR:
        return struct.pack(">IB", can_id, length)
    return struct.pack(">IB", can_id, len(data)) + data


def cannelloni_packet(texts):
    global sequence
    header = struct.pack(">BBBH", 2, 0, sequence, len(texts))
    sequence = (sequence + 1) % 256
    return header + b"".join(cannelloni_frame(t) for t in texts)


def decode(datagram):
    """The frames in a datagram from canserver, checking the format on the way."""
    if fmt == "socketcan":
        if len(datagram) == 16:
            can_id, length, pad, res0, len8_dlc, data = struct.unpack("<IBBBB8s", datagram)
            assert pad == 0 and res0 == 0, datagram.hex()
            return [show(can_id, data[: 0 if can_id & RTR else length], None, length)]
        assert len(datagram) == 72, "not a can_frame or canfd_frame: %s" % datagram.hex()
        can_id, length, flags, _, _, data = struct.unpack("<IBBBB64s", datagram)
        assert flags & FDF, "CANFD_FDF is set on FD frames"
        return [show(can_id, data[:length], flags, length)]
    version, op, seq, count = struct.unpack(">BBBH", datagram[:5])
    assert (version, op) == (2, 0), datagram.hex()
    print("packet seq=%d count=%d" % (seq, count), file=sys.stderr, flush=True)
    frames, at = [], 5
    for _ in range(count):
        can_id, length = struct.unpack(">IB", datagram[at : at + 5])
        at += 5
        flags = None
        if length & 0x80:
            flags, length = datagram[at], length & 0x7F
            at += 1
        data = b""
        if not can_id & RTR:
            data = datagram[at : at + length]
            at += length
        frames.append(show(can_id, data, flags, length))
    assert at == len(datagram), "trailing bytes"
    return frames


pending = []
print("ready", flush=True)
for line in sys.stdin:
    words = line.split()
    if not words:
        continue
    cmd = words[0]
    if cmd == "send":
        if fmt == "socketcan":
            for t in words[1:]:
                sock.sendto(socketcan_datagram(t), server)
        else:
            sock.sendto(cannelloni_packet(words[1:]), server)
    elif cmd == "seq":
        sequence = int(words[1])
    elif cmd == "raw":
        sock.sendto(bytes.fromhex(words[1]), server)
    elif cmd == "foreign":
        other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        other.bind(("127.0.0.2", 0))
        datagram = socketcan_datagram(words[1]) if fmt == "socketcan" else cannelloni_packet(words[1:])
        other.sendto(datagram, server)
        other.close()
    elif cmd == "recv":
        n, seconds = int(words[1]), float(words[2])
        sock.settimeout(seconds)
        try:
            while len(pending) < n:
                pending.extend(decode(sock.recv(65536)))
        except socket.timeout:
            pass
        for f in pending[:n]:
            print(f)
        del pending[:n]
        print("done", flush=True)
        continue
    else:
        print("unknown command %r" % cmd, flush=True)
        continue
    print("ok", flush=True)
