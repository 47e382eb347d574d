"""A python-can client of a CAN server, driven line by line by tests/canserver_python.rs.

Usage: canserver_peer.py KIND ARGS...
  socketcand HOST PORT CHANNEL     python-can 4.x interface='socketcand'
  remote URL [json]                python-can-remote 0.3 (interface='remote', ws://...); with
                                   `json` the client offers only can.json.v1
  remote2 HOST:PORT                python-can 2.0.0a2's RemoteBus (bustype='remote')

Prints READY once the bus is open, then reads commands from stdin, one per line:
  recv N SECONDS     print up to N received frames (`F ID EXT ERR RTR DLC HEX`), then `END k`
  drain SECONDS      print every frame received within SECONDS, then `END k`
  send ID EXT HEX    send one data frame (ID hex, EXT 0/1, HEX data or -), print SENT
  periodic ID EXT HEX PERIOD   start a cyclic transmission, print STARTED
  stop               stop it, print STOPPED
  warnings           print `W n` and the log records python-can's socketcand client wrote at
                     warning level or above (free text it could not parse)
  quit               shut the bus down cleanly, print BYE
Works with python-can 2.0 (Message(extended_id=...)) and 4.x (is_extended_id=...).
"""
import logging
import sys
import time

import can

V2 = can.__version__.startswith("2.")


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


RECORDS = Records()
logging.getLogger().addHandler(RECORDS)
logging.getLogger().setLevel(logging.WARNING)


def message(can_id, ext, data):
    if V2:
        return can.Message(arbitration_id=can_id, extended_id=ext, data=data, dlc=len(data))
    return can.Message(arbitration_id=can_id, is_extended_id=ext, data=data)


def is_ext(msg):
    return msg.id_type if V2 else msg.is_extended_id


def line(msg):
    data = bytes(msg.data).hex().upper() or "-"
    return "F %X %d %d %d %d %s" % (
        msg.arbitration_id,
        int(bool(is_ext(msg))),
        int(bool(msg.is_error_frame)),
        int(bool(msg.is_remote_frame)),
        msg.dlc,
        data,
    )


def out(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def open_bus(kind, args):
    if kind == "socketcand":
        host, port, channel = args
        return can.Bus(interface="socketcand", host=host, port=int(port), channel=channel)
    if kind == "remote":
        url = args[0]
        if len(args) > 1 and args[1] == "json":
            import can_remote.client as client
            from can_remote.websocket import WebSocket

            client.WebSocket = lambda u, protocols, **kw: WebSocket(u, ["can.json.v1"], **kw)
        bus = can.Bus(url, interface="remote", bitrate=500000)
        binary = bus.remote_protocol._use_binary
        if len(args) > 1 and args[1] == "json":
            assert not binary, "the server chose the binary protocol though only JSON was offered"
        else:
            assert binary, "the server did not choose can.binary+json.v1"
        return bus
    if kind == "remote2":
        return can.interface.Bus(channel=args[0], bustype="remote", bitrate=250000)
    raise SystemExit("unknown kind " + kind)


def main():
    kind, args = sys.argv[1], sys.argv[2:]
    bus = open_bus(kind, args)
    out("READY " + str(getattr(bus, "channel_info", "")))
    task = None
    for cmd in sys.stdin:
        words = cmd.split()
        if not words:
            continue
        op = words[0]
        if op in ("recv", "drain"):
            n = int(words[1]) if op == "recv" else 1 << 30
            seconds = float(words[-1])
            deadline = time.time() + seconds
            got = 0
            while got < n:
                left = deadline - time.time()
                if left <= 0:
                    break
                msg = bus.recv(left)
                if msg is None:
                    continue
                got += 1
                out(line(msg))
            out("END %d" % got)
        elif op == "send":
            data = bytes.fromhex(words[3]) if words[3] != "-" else b""
            bus.send(message(int(words[1], 16), words[2] == "1", data))
            out("SENT")
        elif op == "periodic":
            data = bytes.fromhex(words[3]) if words[3] != "-" else b""
            msg = message(int(words[1], 16), words[2] == "1", data)
            period = float(words[4])
            if kind == "remote2":
                from can.interfaces.remote.client import CyclicSendTask

                task = CyclicSendTask(args[0], msg, period)
            else:
                task = bus.send_periodic(msg, period)
            out("STARTED")
        elif op == "stop":
            task.stop()
            out("STOPPED")
        elif op == "warnings":
            out("W %d" % len(RECORDS.records))
            for r in RECORDS.records:
                out("  " + r.replace("\n", " | "))
        elif op == "quit":
            bus.shutdown()
            out("BYE")
            return
        else:
            raise SystemExit("unknown command " + op)


main()
