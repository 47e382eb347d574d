"""python-can reads a log file for cankit's interop tests (tests/log_python_interop.rs).

    log_read.py PATH > FRAMES.jsonl

Prints every message can.LogReader yields as one JSON line, in the shape log_write.py reads:
    {"t": seconds, "id": int, "ext": bool, "rtr": bool, "err": bool, "fd": bool, "brs": bool,
     "esi": bool, "dlc": int, "data": "hex", "channel": null | int | "name", "rx": bool}
"""

import json
import sys

import can


def main():
    for m in can.LogReader(sys.argv[1]):
        channel = m.channel
        if channel is not None and not isinstance(channel, (int, str)):
            channel = str(channel)
        print(json.dumps({
            "t": m.timestamp,
            "id": m.arbitration_id,
            "ext": m.is_extended_id,
            "rtr": m.is_remote_frame,
            "err": m.is_error_frame,
            "fd": m.is_fd,
            "brs": m.bitrate_switch,
            "esi": m.error_state_indicator,
            "dlc": m.dlc,
            "data": bytes(m.data).hex(),
            "channel": channel,
            "rx": m.is_rx,
        }))


if __name__ == "__main__":
    main()
