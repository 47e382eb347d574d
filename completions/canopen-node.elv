
use builtin;
use str;

set edit:completion:arg-completer[canopen-node] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'canopen-node'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'canopen-node'= {
            cand -n 'Node-ID, 1..127 (a DCF''s [DeviceComissioning] NodeID when omitted)'
            cand --node-id 'Node-ID, 1..127 (a DCF''s [DeviceComissioning] NodeID when omitted)'
            cand -e 'The object dictionary: an EDS or DCF file (CiA 306)'
            cand --eds 'The object dictionary: an EDS or DCF file (CiA 306)'
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
            cand --store 'Directory of the stored-parameters file (0x1010 "save") [default: the EDS''s directory]'
            cand --on-write 'Run COMMAND (with sh -c) when INDEX[:SUB] is written; the value is in $CANOPEN_VALUE (also $CANOPEN_INDEX, $CANOPEN_SUB, $CANOPEN_NAME, $CANOPEN_TYPE, $CANOPEN_RAW, $CANOPEN_SOURCE, $CANOPEN_NODE_ID). Repeatable'
            cand --events 'Print every dictionary write, NMT change, EMCY and heartbeat event on stdout'
            cand --sdo-timeout 'How long the SDO server waits for the client''s next request'
            cand --control 'The control socket `set`/`get` use [default: $XDG_RUNTIME_DIR/cankit/canopen-node-ID.sock]'
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand --no-store 'Refuse to store parameters (0x1010 answers abort 0x08000021)'
            cand --start 'Go to Operational after boot-up without waiting for an NMT start'
            cand -q 'Say nothing on stderr but errors'
            cand --quiet 'Say nothing on stderr but errors'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand run 'Run the node (the default command)'
            cand eds 'Work with EDS and DCF files'
            cand set 'Write a value into a running node''s dictionary (as its application: read-only inputs too)'
            cand get 'Print a value of a running node''s dictionary'
            cand emcy 'Make a running node send an EMCY (code 0: error reset)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'canopen-node;run'= {
            cand -n 'Node-ID, 1..127 (a DCF''s [DeviceComissioning] NodeID when omitted)'
            cand --node-id 'Node-ID, 1..127 (a DCF''s [DeviceComissioning] NodeID when omitted)'
            cand -e 'The object dictionary: an EDS or DCF file (CiA 306)'
            cand --eds 'The object dictionary: an EDS or DCF file (CiA 306)'
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
            cand --store 'Directory of the stored-parameters file (0x1010 "save") [default: the EDS''s directory]'
            cand --on-write 'Run COMMAND (with sh -c) when INDEX[:SUB] is written; the value is in $CANOPEN_VALUE (also $CANOPEN_INDEX, $CANOPEN_SUB, $CANOPEN_NAME, $CANOPEN_TYPE, $CANOPEN_RAW, $CANOPEN_SOURCE, $CANOPEN_NODE_ID). Repeatable'
            cand --events 'Print every dictionary write, NMT change, EMCY and heartbeat event on stdout'
            cand --sdo-timeout 'How long the SDO server waits for the client''s next request'
            cand --control 'The control socket `set`/`get` use [default: $XDG_RUNTIME_DIR/cankit/canopen-node-ID.sock]'
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand --no-store 'Refuse to store parameters (0x1010 answers abort 0x08000021)'
            cand --start 'Go to Operational after boot-up without waiting for an NMT start'
            cand -q 'Say nothing on stderr but errors'
            cand --quiet 'Say nothing on stderr but errors'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'canopen-node;eds'= {
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
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand check 'Check an EDS or DCF file: print its dictionary and every problem found'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'canopen-node;eds;check'= {
            cand -n 'Resolve $NODEID with this node-ID'
            cand --node-id 'Resolve $NODEID with this node-ID'
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
            cand --strict 'Exit 1 when the file has warnings'
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'canopen-node;eds;help'= {
            cand check 'Check an EDS or DCF file: print its dictionary and every problem found'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'canopen-node;eds;help;check'= {
        }
        &'canopen-node;eds;help;help'= {
        }
        &'canopen-node;set'= {
            cand -n 'The node''s id (finds its default control socket)'
            cand --node-id 'The node''s id (finds its default control socket)'
            cand --control 'The node''s control socket (its --control)'
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
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'canopen-node;get'= {
            cand -n 'The node''s id (finds its default control socket)'
            cand --node-id 'The node''s id (finds its default control socket)'
            cand --control 'The node''s control socket (its --control)'
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
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'canopen-node;emcy'= {
            cand -n 'The node''s id (finds its default control socket)'
            cand --node-id 'The node''s id (finds its default control socket)'
            cand --control 'The node''s control socket (its --control)'
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
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'canopen-node;help'= {
            cand run 'Run the node (the default command)'
            cand eds 'Work with EDS and DCF files'
            cand set 'Write a value into a running node''s dictionary (as its application: read-only inputs too)'
            cand get 'Print a value of a running node''s dictionary'
            cand emcy 'Make a running node send an EMCY (code 0: error reset)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'canopen-node;help;run'= {
        }
        &'canopen-node;help;eds'= {
            cand check 'Check an EDS or DCF file: print its dictionary and every problem found'
        }
        &'canopen-node;help;eds;check'= {
        }
        &'canopen-node;help;set'= {
        }
        &'canopen-node;help;get'= {
        }
        &'canopen-node;help;emcy'= {
        }
        &'canopen-node;help;help'= {
        }
    ]
    $completions[$command]
}
