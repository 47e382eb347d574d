"""python canopen's LocalNode as a CANopen device for cankit's master commands: node NODE with
the dictionary EDS on python-can's udp_multicast bus (defaults). It goes pre-operational, sends
a 100 ms heartbeat, follows NMT commands, and prints "ready", then every value a master writes
("written 0x2002:00 ...") until it is killed.

Usage: canopen_localnode.py EDS NODE
"""

import sys
import time

import canopen


def main():
    eds, node_id = sys.argv[1], int(sys.argv[2])
    network = canopen.Network()
    network.connect(interface="udp_multicast", channel="239.74.163.2")
    node = canopen.LocalNode(node_id, eds)
    network.add_node(node)

    def on_write(index, subindex, od, data):
        print(f"written 0x{index:04X}:{subindex:02X} {data.hex()}", flush=True)

    node.add_write_callback(on_write)
    node.nmt.send_command(0x80)  # initialising -> pre-operational
    node.nmt.start_heartbeat(100)
    print("ready", flush=True)
    try:
        while True:
            time.sleep(1)
    finally:
        network.disconnect()


if __name__ == "__main__":
    main()
