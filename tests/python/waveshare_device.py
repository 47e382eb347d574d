"""A fake Waveshare 2-CH-CAN-TO-ETH channel, written from the record format alone (as the seed's
README does): a TCP server speaking 13-byte records. Used to test cankit's client against
something cankit did not write.

    waveshare_device.py PORT [sink]

With `sink`, the first connection's records are printed as `RX <13 bytes hex>` lines until the
client goes, then `CLOSED`. Otherwise, first connection: three records in one write (batched), one record split across two writes
100 ms apart, a record with DLC 9 (bad), one more good record, then the connection is closed
(a device dropping it). Second connection: one record, then everything received is printed on
stdout as `RX <13 bytes hex>` lines until the client goes. Prints `LISTENING` when ready and
`CONNECTION n` for each client.
"""

import socket
import sys
import time


def record(can_id, data, extended=None, rtr=False, dlc=None):
    if extended is None:
        extended = can_id > 0x7FF
    n = len(data) if dlc is None else dlc
    b0 = (0x80 if extended else 0) | (0x40 if rtr else 0) | (n & 0x0F)
    buf = bytearray(13)
    buf[0] = b0
    buf[1:5] = can_id.to_bytes(4, "big")
    buf[5:5 + len(data)] = data
    return bytes(buf)


def sink(conn):
    buf = b""
    while True:
        chunk = conn.recv(4096)
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 13:
            print("RX " + buf[:13].hex(" ").upper(), flush=True)
            buf = buf[13:]
    conn.close()
    print("CLOSED", flush=True)


def main():
    port = int(sys.argv[1])
    mode = sys.argv[2] if len(sys.argv) > 2 else "script"
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(4)
    print("LISTENING", flush=True)
    for n in (1, 2):
        conn, _ = server.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        print(f"CONNECTION {n}", flush=True)
        if mode == "sink":
            sink(conn)
            return
        if n == 1:
            time.sleep(0.3)
            conn.sendall(record(0x101, b"\x01") + record(0x102, b"\x02\x02") + record(0x12345678, b"\x03\x03\x03"))
            split = record(0x7FF, b"", rtr=True, dlc=8)
            conn.sendall(split[:5])
            time.sleep(0.1)
            conn.sendall(split[5:])
            conn.sendall(record(0x123, b"", dlc=9))
            conn.sendall(record(0x104, b"\x04" * 8))
            time.sleep(0.3)
            conn.close()
        else:
            time.sleep(0.3)
            conn.sendall(record(0x201, b"\xAA\xBB"))
            sink(conn)


if __name__ == "__main__":
    main()
