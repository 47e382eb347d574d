"""python-can writes a log file for cankit's interop tests (tests/log_python_interop.rs).

    log_write.py PATH < FRAMES.jsonl

Each input line is one frame as JSON:
    {"t": seconds, "id": int, "ext": bool, "rtr": bool, "err": bool, "fd": bool, "brs": bool,
     "esi": bool, "dlc": int, "data": "hex", "channel": null | int | "name", "rx": bool}

The writer is the one python-can picks for the file's extension (can.Logger): .asc, .blf, .log,
.trc, .csv, .db. The file is complete when the script exits.
"""

import json
import sys

import can


def message(d):
    return can.Message(
        timestamp=d["t"],
        arbitration_id=d["id"],
        is_extended_id=d["ext"],
        is_remote_frame=d["rtr"],
        is_error_frame=d["err"],
        is_fd=d["fd"],
        bitrate_switch=d["brs"],
        error_state_indicator=d["esi"],
        dlc=d["dlc"],
        data=bytes.fromhex(d["data"]),
        channel=d["channel"],
        is_rx=d["rx"],
        check=True,
    )


def main():
    path = sys.argv[1]
    writer = can.Logger(path)
    for line in sys.stdin:
        if line.strip():
            writer.on_message_received(message(json.loads(line)))
    writer.stop()


if __name__ == "__main__":
    main()
