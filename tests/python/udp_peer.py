"""python-can peer for cankit's udp_multicast interop tests (tests/udp_multicast_python.rs).

Frames travel as one line each, in a format both sides can write and compare:

    ID EXT RTR ERR FD BRS ESI DLC DATA CHANNEL

ID in hex, the flags as 0/1, DLC the byte count (python-can's dlc), DATA in hex or "-" when empty,
CHANNEL "-" (None), "s:NAME" (str) or "i:N" (int).

    udp_peer.py send LINE...        send each frame, then exit
    udp_peer.py recv N SECONDS      print "READY", then the first N frames received; exit 1 if
                                    fewer than N arrived within SECONDS

The bus is python-can's own: can.Bus(interface="udp_multicast", channel=GROUP, fd=True) with every
other setting left at python-can's default (port 43113, TTL 1, default interface), which is why the
tests run this inside a private network namespace.
"""

import sys
import time

import can

GROUP = "239.74.163.2"


def parse(line):
    fields = line.split()
    ident, ext, rtr, err, fd, brs, esi, dlc, data, channel = fields
    if channel == "-":
        chan = None
    elif channel.startswith("s:"):
        chan = channel[2:]
    else:
        chan = int(channel[2:])
    return can.Message(
        arbitration_id=int(ident, 16),
        is_extended_id=ext == "1",
        is_remote_frame=rtr == "1",
        is_error_frame=err == "1",
        is_fd=fd == "1",
        bitrate_switch=brs == "1",
        error_state_indicator=esi == "1",
        dlc=int(dlc),
        data=b"" if data == "-" else bytes.fromhex(data),
        channel=chan,
        check=True,
    )


def format_message(m):
    if m.channel is None:
        channel = "-"
    elif isinstance(m.channel, int):
        channel = "i:%d" % m.channel
    else:
        channel = "s:%s" % m.channel
    flags = [m.is_extended_id, m.is_remote_frame, m.is_error_frame, m.is_fd, m.bitrate_switch,
             m.error_state_indicator]
    return " ".join(
        ["%X" % m.arbitration_id] + ["1" if f else "0" for f in flags]
        + [str(m.dlc), bytes(m.data).hex() or "-", channel]
    )


def main():
    mode = sys.argv[1]
    bus = can.Bus(interface="udp_multicast", channel=GROUP, fd=True)
    try:
        if mode == "send":
            for line in sys.argv[2:]:
                bus.send(parse(line))
            return 0
        count, seconds = int(sys.argv[2]), float(sys.argv[3])
        print("READY", flush=True)
        deadline = time.monotonic() + seconds
        got = 0
        while got < count and time.monotonic() < deadline:
            try:
                m = bus.recv(timeout=max(0.0, deadline - time.monotonic()))
            except can.CanOperationError as e:
                print("INVALID %s: %s" % (e, e.__cause__), flush=True)
                continue
            if m is None:
                break
            # The timestamp must be the receive time; the sender's is not kept.
            if abs(m.timestamp - time.time()) > 5:
                print("BAD-TIMESTAMP %r" % m.timestamp, flush=True)
            print(format_message(m), flush=True)
            got += 1
        return 0 if got == count else 1
    finally:
        bus.shutdown()


if __name__ == "__main__":
    sys.exit(main())
