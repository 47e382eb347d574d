"""python canopen's LocalNode as a device, for `cargo bench --bench canopen_node`.

    canopen_localnode.py EDS NODE_ID HEARTBEAT_MS

A `canopen.LocalNode` on python-can's udp_multicast bus (its defaults), with the heartbeat
producer started at HEARTBEAT_MS (0: off). Prints READY, then serves until killed.
"""

import sys
import time

import canopen

eds, node_id, heartbeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
network = canopen.Network()
network.connect(interface="udp_multicast", channel="239.74.163.2")
node = canopen.LocalNode(node_id, eds)
network.add_node(node)
if heartbeat:
    node.nmt.start_heartbeat(heartbeat)
print("READY", flush=True)
try:
    while True:
        time.sleep(1)
finally:
    network.disconnect()
