"""python-can reads a log file for cankit's interop tests (tests/log_python_interop.rs).

    log_read.py [--partial] PATH > FRAMES.jsonl

Prints every message can.LogReader yields as one JSON line, in the shape log_write.py reads:
    {"t": seconds, "id": int, "ext": bool, "rtr": bool, "err": bool, "fd": bool, "brs": bool,
     "esi": bool, "dlc": int, "data": "hex", "channel": null | int | "name", "rx": bool}

With --partial, a reader that fails part-way (python-can's readers raise on lines they do not
understand) ends the output with {"error": "..."} and exit status 0: the frames before it are
what python-can keeps of the file.
"""

import json
import sys

import can


def main():
    args = sys.argv[1:]
    partial = args[0] == "--partial"
    path = args[-1]
    try:
        print_frames(path)
    except Exception as e:  # noqa: BLE001 - any failure of python-can's reader
        if not partial:
            raise
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))


def print_frames(path):
    for m in can.LogReader(path):
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
