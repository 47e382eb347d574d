"""python canopen as the master, for `cargo bench --bench canopen_master`.

    canopen_master.py sdo NODE N WARMUP   N uploads of 0x1018:01 (after WARMUP untimed ones)
    canopen_master.py block NODE FILE     FILE's bytes into 0x2000:00 in one block download

A `RemoteNode` without a dictionary (raw SDO) on python-can's socketcan bus vcan0, with the same
2 s response time-out the bench gives every master. Prints one line: `OK T...` (nanoseconds per
upload, or for the download, by time.perf_counter_ns) or `ERROR why`.
"""

import sys
import time

import canopen


def main():
    mode, node_id = sys.argv[1], int(sys.argv[2])
    network = canopen.Network()
    network.connect(interface="socketcan", channel="vcan0")
    try:
        node = network.add_node(node_id)
        node.sdo.RESPONSE_TIMEOUT = 2.0
        times = []
        if mode == "sdo":
            for _ in range(int(sys.argv[4])):
                node.sdo.upload(0x1018, 1)
            for _ in range(int(sys.argv[3])):
                start = time.perf_counter_ns()
                node.sdo.upload(0x1018, 1)
                times.append(time.perf_counter_ns() - start)
        else:
            with open(sys.argv[3], "rb") as f:
                data = f.read()
            start = time.perf_counter_ns()
            with node.sdo.open(0x2000, 0, "wb", size=len(data), block_transfer=True) as stream:
                stream.write(data)
            times.append(time.perf_counter_ns() - start)
        print("OK", *times, flush=True)
        return 0
    except Exception as e:  # the bench prints why instead of failing
        why = f"{type(e).__name__}: {e}".replace("\n", " ")
        print("ERROR", why, flush=True)
        return 1
    finally:
        network.disconnect()


sys.exit(main())
