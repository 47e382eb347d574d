
use builtin;
use str;

set edit:completion:arg-completer[canserver] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'canserver'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'canserver'= {
            cand -i 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]'
            cand --interface 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]'
            cand -c 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]'
            cand --channel 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]'
            cand -b 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]'
            cand --bitrate 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]'
            cand --data-bitrate 'CAN FD data-phase bit rate, e.g. 2M'
            cand --port 'udp_multicast: UDP port (default 43113)'
            cand --ttl 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host'
            cand --multicast-interface 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)'
            cand --bus-option 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114'
            cand --config 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc'
            cand --config-section 'Section of the config file to use'
            cand --bus 'Serve this bus under NAME (repeatable): INTERFACE:CHANNEL, e.g. can0=socketcan:can0, test=virtual:bench; the other bus options (-b, --fd, --bus-option) apply to each'
            cand --listen 'Address to listen on (repeatable; IPv4 or IPv6) [default: 127.0.0.1]'
            cand --socketcand-port 'TCP port of the socketcand protocol'
            cand --remote-port 'TCP port of python-can''s remote protocols (binary and WebSocket)'
            cand --http-port 'TCP port of the CAN-to-HTTP adaptor (server-sent events at /, GET /?id=…&data=[…] sends)'
            cand --udp-peer 'Bridge a bus to this UDP peer (repeatable: the first pair of --udp-peer/--udp-listen bridges the first served bus, the second the second): its frames go to the peer as datagrams'
            cand --udp-listen 'Receive a bridge''s datagrams on this address (and send from it); frames in them go onto the bus (repeatable, paired with --udp-peer in order) [default: an ephemeral port]'
            cand --udp-format 'The bridges'' datagrams: socketcan (one Linux struct can_frame/canfd_frame each, can_id little-endian, as the seed''s adaptor) or cannelloni (the cannelloni tunnel''s packets)'
            cand --waveshare-port 'Act as a Waveshare CAN-to-Ethernet gateway: 13-byte records over TCP on this port for the first served bus, the next port for the second, … (the device''s 20001, 20002) [default: off]'
            cand --description 'The beacon''s description'
            cand --max-clients 'Clients served at once; more are refused with the protocol''s error'
            cand --queue 'Frames queued per client before its oldest are dropped'
            cand --slow-client 'What happens to a client whose queue is full: drop-oldest (counted, logged) or disconnect'
            cand --handshake-timeout 'Time a client has to open a bus or send its bus request'
            cand --idle-timeout 'Disconnect a client that sends nothing for this long (default: never; TCP keep-alive finds vanished peers)'
            cand -e 'socketcand RAW mode: forward error frames of these classes (hex CAN_ERR_* mask, as the daemon''s -e; 1FFFFFFF for all)'
            cand --error-mask 'socketcand RAW mode: forward error frames of these classes (hex CAN_ERR_* mask, as the daemon''s -e; 1FFFFFFF for all)'
            cand --threads 'Worker threads serving the clients. One has the fewest wake-ups between threads and the lowest latency (measured: benches/server_fanout.rs); more spread a fan-out to hundreds of busy clients over more cores'
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand --no-socketcand 'Do not serve the socketcand protocol'
            cand --no-remote 'Do not serve python-can''s remote protocols'
            cand --no-http 'Do not serve HTTP'
            cand --udp-accept-any 'Take bridge datagrams from any sender, not only the peer''s address'
            cand --no-beacon 'Do not send the socketcand discovery beacon (UDP 42000, every 3 s)'
            cand --read-only 'Clients only receive: nothing they send reaches the bus (they are told)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand serve 'Serve (the default action)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'canserver;serve'= {
            cand -i 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]'
            cand --interface 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]'
            cand -c 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]'
            cand --channel 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]'
            cand -b 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]'
            cand --bitrate 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]'
            cand --data-bitrate 'CAN FD data-phase bit rate, e.g. 2M'
            cand --port 'udp_multicast: UDP port (default 43113)'
            cand --ttl 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host'
            cand --multicast-interface 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)'
            cand --bus-option 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114'
            cand --config 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc'
            cand --config-section 'Section of the config file to use'
            cand --bus 'Serve this bus under NAME (repeatable): INTERFACE:CHANNEL, e.g. can0=socketcan:can0, test=virtual:bench; the other bus options (-b, --fd, --bus-option) apply to each'
            cand --listen 'Address to listen on (repeatable; IPv4 or IPv6) [default: 127.0.0.1]'
            cand --socketcand-port 'TCP port of the socketcand protocol'
            cand --remote-port 'TCP port of python-can''s remote protocols (binary and WebSocket)'
            cand --http-port 'TCP port of the CAN-to-HTTP adaptor (server-sent events at /, GET /?id=…&data=[…] sends)'
            cand --udp-peer 'Bridge a bus to this UDP peer (repeatable: the first pair of --udp-peer/--udp-listen bridges the first served bus, the second the second): its frames go to the peer as datagrams'
            cand --udp-listen 'Receive a bridge''s datagrams on this address (and send from it); frames in them go onto the bus (repeatable, paired with --udp-peer in order) [default: an ephemeral port]'
            cand --udp-format 'The bridges'' datagrams: socketcan (one Linux struct can_frame/canfd_frame each, can_id little-endian, as the seed''s adaptor) or cannelloni (the cannelloni tunnel''s packets)'
            cand --waveshare-port 'Act as a Waveshare CAN-to-Ethernet gateway: 13-byte records over TCP on this port for the first served bus, the next port for the second, … (the device''s 20001, 20002) [default: off]'
            cand --description 'The beacon''s description'
            cand --max-clients 'Clients served at once; more are refused with the protocol''s error'
            cand --queue 'Frames queued per client before its oldest are dropped'
            cand --slow-client 'What happens to a client whose queue is full: drop-oldest (counted, logged) or disconnect'
            cand --handshake-timeout 'Time a client has to open a bus or send its bus request'
            cand --idle-timeout 'Disconnect a client that sends nothing for this long (default: never; TCP keep-alive finds vanished peers)'
            cand -e 'socketcand RAW mode: forward error frames of these classes (hex CAN_ERR_* mask, as the daemon''s -e; 1FFFFFFF for all)'
            cand --error-mask 'socketcand RAW mode: forward error frames of these classes (hex CAN_ERR_* mask, as the daemon''s -e; 1FFFFFFF for all)'
            cand --threads 'Worker threads serving the clients. One has the fewest wake-ups between threads and the lowest latency (measured: benches/server_fanout.rs); more spread a fan-out to hundreds of busy clients over more cores'
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand --no-socketcand 'Do not serve the socketcand protocol'
            cand --no-remote 'Do not serve python-can''s remote protocols'
            cand --no-http 'Do not serve HTTP'
            cand --udp-accept-any 'Take bridge datagrams from any sender, not only the peer''s address'
            cand --no-beacon 'Do not send the socketcand discovery beacon (UDP 42000, every 3 s)'
            cand --read-only 'Clients only receive: nothing they send reaches the bus (they are told)'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'canserver;help'= {
            cand serve 'Serve (the default action)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'canserver;help;serve'= {
        }
        &'canserver;help;help'= {
        }
    ]
    $completions[$command]
}
