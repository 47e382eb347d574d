# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_canopen_node_global_optspecs
    string join \n n/node-id= e/eds= i/interface= c/channel= b/bitrate= fd no-fd data-bitrate= receive-own port= ttl= multicast-interface= bus-option= config= config-section= v/verbose store= no-store start on-write= events= sdo-timeout= control= q/quiet h/help V/version
end

function __fish_canopen_node_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_canopen_node_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_canopen_node_using_subcommand
    set -l cmd (__fish_canopen_node_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c canopen-node -n "__fish_canopen_node_needs_command" -s n -l node-id -d 'Node-ID, 1..127 (a DCF\'s [DeviceComissioning] NodeID when omitted)' -r
complete -c canopen-node -n "__fish_canopen_node_needs_command" -s e -l eds -d 'The object dictionary: an EDS or DCF file (CiA 306)' -r -F
complete -c canopen-node -n "__fish_canopen_node_needs_command" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_needs_command" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_needs_command" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l store -d 'Directory of the stored-parameters file (0x1010 "save") [default: the EDS\'s directory]' -r -F
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l on-write -d 'Run COMMAND (with sh -c) when INDEX[:SUB] is written; the value is in $CANOPEN_VALUE (also $CANOPEN_INDEX, $CANOPEN_SUB, $CANOPEN_NAME, $CANOPEN_TYPE, $CANOPEN_RAW, $CANOPEN_SOURCE, $CANOPEN_NODE_ID). Repeatable' -r
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l events -d 'Print every dictionary write, NMT change, EMCY and heartbeat event on stdout' -r -f -a "json\t''
text\t''"
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l sdo-timeout -d 'How long the SDO server waits for the client\'s next request' -r
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l control -d 'The control socket `set`/`get` use [default: $XDG_RUNTIME_DIR/cankit/canopen-node-ID.sock]' -r -F
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l no-store -d 'Refuse to store parameters (0x1010 answers abort 0x08000021)'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -l start -d 'Go to Operational after boot-up without waiting for an NMT start'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -s q -l quiet -d 'Say nothing on stderr but errors'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -s V -l version -d 'Print version'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "run" -d 'Run the node (the default command)'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "eds" -d 'Work with EDS and DCF files'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "set" -d 'Write a value into a running node\'s dictionary (as its application: read-only inputs too)'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "get" -d 'Print a value of a running node\'s dictionary'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "emcy" -d 'Make a running node send an EMCY (code 0: error reset)'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "sdo" -d 'Read or write another node\'s dictionary over SDO (the master\'s side)'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "nmt" -d 'Send an NMT command: start, stop, preop, reset, reset-comm; to a node or all'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "sync" -d 'Send SYNC: once, or every --period'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "time" -d 'Send a TIME stamp: now (UTC), as milliseconds after midnight and days since 1984-01-01'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "scan" -d 'Find the nodes on the bus: who answers an SDO read of 0x1000, with identity and state'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "dump" -d 'Read every readable object of NODE into a DCF (its ParameterValues), for backups and diffs'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "load" -d 'Write a DCF\'s values into NODE: every writable entry, PDOs in CiA 301\'s order'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "gateway" -d 'Serve CiA 309-3 (ASCII, as canopend -c) and CiA 309-5 (HTTP) gateways to the bus'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "monitor" -d 'Decode CANopen traffic live or from a log file: NMT, SDO transactions, PDOs, EMCY, heartbeats'
complete -c canopen-node -n "__fish_canopen_node_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -s n -l node-id -d 'Node-ID, 1..127 (a DCF\'s [DeviceComissioning] NodeID when omitted)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -s e -l eds -d 'The object dictionary: an EDS or DCF file (CiA 306)' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l store -d 'Directory of the stored-parameters file (0x1010 "save") [default: the EDS\'s directory]' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l on-write -d 'Run COMMAND (with sh -c) when INDEX[:SUB] is written; the value is in $CANOPEN_VALUE (also $CANOPEN_INDEX, $CANOPEN_SUB, $CANOPEN_NAME, $CANOPEN_TYPE, $CANOPEN_RAW, $CANOPEN_SOURCE, $CANOPEN_NODE_ID). Repeatable' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l events -d 'Print every dictionary write, NMT change, EMCY and heartbeat event on stdout' -r -f -a "json\t''
text\t''"
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l sdo-timeout -d 'How long the SDO server waits for the client\'s next request' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l control -d 'The control socket `set`/`get` use [default: $XDG_RUNTIME_DIR/cankit/canopen-node-ID.sock]' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l no-store -d 'Refuse to store parameters (0x1010 answers abort 0x08000021)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -l start -d 'Go to Operational after boot-up without waiting for an NMT start'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -s q -l quiet -d 'Say nothing on stderr but errors'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand run" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -f -a "check" -d 'Check an EDS or DCF file: print its dictionary and every problem found'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and not __fish_seen_subcommand_from check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -s n -l node-id -d 'Resolve $NODEID with this node-ID' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -l strict -d 'Exit 1 when the file has warnings'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from help" -f -a "check" -d 'Check an EDS or DCF file: print its dictionary and every problem found'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand eds; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -s n -l node-id -d 'The node\'s id (finds its default control socket)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -l control -d 'The node\'s control socket (its --control)' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand set" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -s n -l node-id -d 'The node\'s id (finds its default control socket)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -l control -d 'The node\'s control socket (its --control)' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand get" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -s n -l node-id -d 'The node\'s id (finds its default control socket)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -l control -d 'The node\'s control socket (its --control)' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand emcy" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -f -a "read" -d 'Read INDEX[:SUB] of NODE and print it by its type'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -f -a "write" -d 'Write VALUE to INDEX:SUB of NODE'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and not __fish_seen_subcommand_from read write help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -s t -l type -d 'The value\'s type: b, i8..i64, u8..u64, x8..x64 (hex display), r32, r64, vs, os, us, t, td, d (domain); or a CiA 301 name (UNSIGNED32)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -s e -l eds -d 'The node\'s EDS or DCF: the entry\'s type comes from it' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -s T -l timeout -d 'How long to wait for each answer of the node' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -s o -l output -d 'Write the value\'s bytes to FILE instead of printing it' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -l block -d 'A block transfer (CRC-checked), whatever the size'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from read" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l file -d 'The value\'s bytes from FILE (a domain)' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -s t -l type -d 'The value\'s type: b, i8..i64, u8..u64, x8..x64 (hex display), r32, r64, vs, os, us, t, td, d (domain); or a CiA 301 name (UNSIGNED32)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -s e -l eds -d 'The node\'s EDS or DCF: the entry\'s type comes from it' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -s T -l timeout -d 'How long to wait for each answer of the node' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l block -d 'A block transfer (CRC-checked), whatever the size'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -l no-block -d 'Never a block transfer (by default values above 256 bytes go in one)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from write" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from help" -f -a "read" -d 'Read INDEX[:SUB] of NODE and print it by its type'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from help" -f -a "write" -d 'Write VALUE to INDEX:SUB of NODE'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sdo; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand nmt" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l period -d 'Send every TIME until Ctrl-C (or -n)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -s n -l count -d 'How many SYNCs (with --period)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l counter -d 'A counter byte running 1..=N (the producer\'s 0x1019, 2..240)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l cob-id -d 'The SYNC COB-ID (0x1005)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand sync" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -l cob-id -d 'The TIME COB-ID (0x1012)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand time" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -s T -l timeout -d 'How long each node has to answer' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -l json -d 'One JSON object per node instead of a table'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand scan" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -s e -l eds -d 'The node\'s EDS (or a DCF): which objects to read, and their types' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -s o -l output -d 'Write the DCF to FILE [default: stdout]' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -s T -l timeout -d 'How long to wait for each answer of the node' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand dump" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -s T -l timeout -d 'How long to wait for each answer of the node' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand load" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l ascii -d 'The CiA 309-3 ASCII gateway: tcp:PORT, tcp:ADDRESS:PORT, unix:PATH or stdio. Repeatable' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l http -d 'The CiA 309-5 HTTP gateway: PORT or ADDRESS:PORT' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l listen -d 'The address PORT-only endpoints bind (0.0.0.0 for every interface)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l node -d 'The default node: commands without one address it (as `set node`)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l sdo-timeout -d 'How long an SDO transfer waits for each answer (as `set sdo_timeout`)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l max-clients -d 'Clients served at once, per gateway (HTTP: requests in progress)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l client-timeout -d 'Close an ASCII connection that sends nothing for this long (canopend\'s -T) [default: never]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -l block -d 'Block transfers on from the start (as `set sdo_block 1`)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -s q -l quiet -d 'Say nothing on stderr but errors'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand gateway" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l config-section -d 'Section of the config file to use' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -s e -l eds -d 'A node\'s EDS or DCF: entry names, value types, PDO mappings (repeatable)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -s f -l file -d 'Read a log file (any format `canlogger convert` reads) instead of the bus' -r -F
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l from -d 'The file\'s format when its extension does not say: asc, blf, log, trc, csv, db' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l tz -d 'Time zone of naive dates in the file\'s header: local (default), utc, +02:00' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l filter -d 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR\'ed)' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l sdo-timeout -d 'An SDO transfer with no frame for this long (in the log\'s time) is reported as incomplete' -r
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l receive-own -d 'Also receive the frames this process sends'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l json -d 'One JSON object per line (fields below) instead of text'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l utc -d 'Naive dates in the file\'s header are UTC (same as --tz utc)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -l hide-unknown -d 'Do not show frames CANopen does not define'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand monitor" -s h -l help -d 'Print help'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "run" -d 'Run the node (the default command)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "eds" -d 'Work with EDS and DCF files'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "set" -d 'Write a value into a running node\'s dictionary (as its application: read-only inputs too)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "get" -d 'Print a value of a running node\'s dictionary'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "emcy" -d 'Make a running node send an EMCY (code 0: error reset)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "sdo" -d 'Read or write another node\'s dictionary over SDO (the master\'s side)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "nmt" -d 'Send an NMT command: start, stop, preop, reset, reset-comm; to a node or all'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "sync" -d 'Send SYNC: once, or every --period'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "time" -d 'Send a TIME stamp: now (UTC), as milliseconds after midnight and days since 1984-01-01'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "scan" -d 'Find the nodes on the bus: who answers an SDO read of 0x1000, with identity and state'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "dump" -d 'Read every readable object of NODE into a DCF (its ParameterValues), for backups and diffs'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "load" -d 'Write a DCF\'s values into NODE: every writable entry, PDOs in CiA 301\'s order'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "gateway" -d 'Serve CiA 309-3 (ASCII, as canopend -c) and CiA 309-5 (HTTP) gateways to the bus'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "monitor" -d 'Decode CANopen traffic live or from a log file: NMT, SDO transactions, PDOs, EMCY, heartbeats'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and not __fish_seen_subcommand_from run eds set get emcy sdo nmt sync time scan dump load gateway monitor help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and __fish_seen_subcommand_from eds" -f -a "check" -d 'Check an EDS or DCF file: print its dictionary and every problem found'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and __fish_seen_subcommand_from sdo" -f -a "read" -d 'Read INDEX[:SUB] of NODE and print it by its type'
complete -c canopen-node -n "__fish_canopen_node_using_subcommand help; and __fish_seen_subcommand_from sdo" -f -a "write" -d 'Write VALUE to INDEX:SUB of NODE'
