"""A CiA 309-5 client that follows gocanopen's `pkg/gateway/http/client.go` and replays the
requests of gocanopen's own server tests (`server_test.go`) against a gateway, adapted to the
device behind it (node NODE with cankit's tests/fixtures/canopen/device.eds).

Like gocanopen's client: every request goes to BASE/cia309-5/1.0/<sequence>/<network><uri>, the
sequence counts up from 1, the JSON reply is decoded, "ERROR:x" is raised as a GatewayError with
its code, and a reply with another sequence number is an error.

Usage: cia309_5_client.py BASE_URL NODE
Prints one line per check, "ok ..." or "FAIL ...", and exits 1 if any failed.
"""

import json
import sys
import urllib.request


class GatewayError(Exception):
    def __init__(self, code):
        super().__init__(f"gateway error {code:#x}" if code > 999 else f"gateway error {code}")
        self.code = code


class GatewayClient:
    def __init__(self, base_url, api_version="1.0", network_id=1):
        self.base_url = base_url
        self.api_version = api_version
        self.network_id = network_id
        self.sequence = 0

    def do(self, method, uri, body=None):
        self.sequence += 1
        url = f"{self.base_url}/cia309-5/{self.api_version}/{self.sequence}/{self.network_id}{uri}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as reply:
            response = json.load(reply)
        text = response.get("response", "")
        if text.startswith("ERROR:"):
            parts = text.split(":")
            if len(parts) != 2:
                raise ValueError(f"error decoding error field {text!r}")
            raise GatewayError(int(parts[1], 0))
        if int(response.get("sequence", "-1")) != self.sequence:
            raise ValueError(f"wrong sequence number {response.get('sequence')} expected {self.sequence}")
        return response

    def read_raw(self, node, index, sub):
        response = self.do("GET", f"/{node}/r/{index}/{sub}")
        return response["data"], response.get("length", 0)

    def write_raw(self, node, index, sub, value, datatype):
        return self.do("PUT", f"/{node}/w/{index}/{sub}", {"value": value, "datatype": datatype})

    def set_sdo_timeout(self, ms):
        return self.do("PUT", "/all/set/sdo-timeout", {"value": f"{ms:#x}"})

    def get_version(self):
        return self.do("GET", "/none/info/version")


failures = 0


def check(name, condition, detail=""):
    global failures
    print(("ok " if condition else "FAIL ") + name + ("" if condition else f": {detail}"), flush=True)
    if not condition:
        failures += 1


def expect_error(name, code, call):
    try:
        call()
    except GatewayError as e:
        check(name, e.code == code, f"error {e.code}, expected {code}")
        return
    except Exception as e:  # noqa: BLE001 - report anything else as a failure
        check(name, False, f"{type(e).__name__}: {e}")
        return
    check(name, False, "no error")


def main():
    base, node = sys.argv[1], int(sys.argv[2])
    client = GatewayClient(base)

    # TestInvalidURIs
    expect_error("invalid uri /", 101, lambda: client.do("GET", "/"))
    expect_error("invalid uri /10/strt//", 100, lambda: client.do("GET", "/10/strt//"))

    # TestNMTCommand: every command to a node, all, none and default.
    commands = ["start", "stop", "preop", "preoperational", "reset/node", "reset/comm", "reset/communication"]
    for target in [str(node), "all", "none", "default"]:
        for command in commands:
            try:
                response = client.do("PUT", f"/{target}/{command}")
                check(f"nmt /{target}/{command}", response["response"] == "OK", response)
            except Exception as e:  # noqa: BLE001
                check(f"nmt /{target}/{command}", False, e)
    # Let the node finish its reset before the SDO requests.
    import time

    time.sleep(0.5)

    # TestRead: 0x2001..0x2009 exist in the fixture.
    for index in range(0x2001, 0x200A):
        try:
            data, length = client.read_raw(node, index, 0)
            check(f"read {index:#x}", data.startswith("0x") and length > 0, (data, length))
        except Exception as e:  # noqa: BLE001
            check(f"read {index:#x}", False, e)

    # TestWriteRead, on the fixture's INTEGER16 (0x2003, -100..100) and UNSIGNED32 (0x2001).
    client.write_raw(node, 0x2003, 0, "0x32", "i16")
    data, length = client.read_raw(node, 0x2003, 0)
    check("write i16 0x32, read back", (data, length) == ("0x0032", 2), (data, length))
    client.write_raw(node, 0x2001, 0, "0x5432", "u32")
    data, length = client.read_raw(node, 0x2001, 0)
    check("write u32 0x5432, read back", (data, length) == ("0x00005432", 4), (data, length))
    client.write_raw(node, 0x2002, 0, "hello gateway", "vs")
    data, _ = client.read_raw(node, 0x2002, 0)
    check("write vs, read back", bytes.fromhex(data[2:])[::-1] == b"hello gateway", data)
    expect_error("write above the limit", 0x06090031, lambda: client.write_raw(node, 0x2003, 0, "101", "i16"))
    expect_error("read a missing object", 0x06020000, lambda: client.read_raw(node, 0x3000, 0))
    expect_error("unknown datatype", 100, lambda: client.write_raw(node, 0x2003, 0, "1", "u24"))
    expect_error("value that does not parse", 0x06070010, lambda: client.write_raw(node, 0x2003, 0, "x", "i16"))

    # TestSDOTimeout
    check("set sdo-timeout", client.set_sdo_timeout(1222)["response"] == "OK")

    # TestGetVersion
    version = client.get_version()
    check("info/version", version.get("ProtocolVersion") == "02.01", version)

    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
