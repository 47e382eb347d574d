
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'canopen-node' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'canopen-node'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'canopen-node' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Node-ID, 1..127 (a DCF''s [DeviceComissioning] NodeID when omitted)')
            [CompletionResult]::new('--node-id', '--node-id', [CompletionResultType]::ParameterName, 'Node-ID, 1..127 (a DCF''s [DeviceComissioning] NodeID when omitted)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'The object dictionary: an EDS or DCF file (CiA 306)')
            [CompletionResult]::new('--eds', '--eds', [CompletionResultType]::ParameterName, 'The object dictionary: an EDS or DCF file (CiA 306)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Directory of the stored-parameters file (0x1010 "save") [default: the EDS''s directory]')
            [CompletionResult]::new('--on-write', '--on-write', [CompletionResultType]::ParameterName, 'Run COMMAND (with sh -c) when INDEX[:SUB] is written; the value is in $CANOPEN_VALUE (also $CANOPEN_INDEX, $CANOPEN_SUB, $CANOPEN_NAME, $CANOPEN_TYPE, $CANOPEN_RAW, $CANOPEN_SOURCE, $CANOPEN_NODE_ID). Repeatable')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Print every dictionary write, NMT change, EMCY and heartbeat event on stdout')
            [CompletionResult]::new('--sdo-timeout', '--sdo-timeout', [CompletionResultType]::ParameterName, 'How long the SDO server waits for the client''s next request')
            [CompletionResult]::new('--control', '--control', [CompletionResultType]::ParameterName, 'The control socket `set`/`get` use [default: $XDG_RUNTIME_DIR/cankit/canopen-node-ID.sock]')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Refuse to store parameters (0x1010 answers abort 0x08000021)')
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'Go to Operational after boot-up without waiting for an NMT start')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the node (the default command)')
            [CompletionResult]::new('eds', 'eds', [CompletionResultType]::ParameterValue, 'Work with EDS and DCF files')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Write a value into a running node''s dictionary (as its application: read-only inputs too)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print a value of a running node''s dictionary')
            [CompletionResult]::new('emcy', 'emcy', [CompletionResultType]::ParameterValue, 'Make a running node send an EMCY (code 0: error reset)')
            [CompletionResult]::new('sdo', 'sdo', [CompletionResultType]::ParameterValue, 'Read or write another node''s dictionary over SDO (the master''s side)')
            [CompletionResult]::new('nmt', 'nmt', [CompletionResultType]::ParameterValue, 'Send an NMT command: start, stop, preop, reset, reset-comm; to a node or all')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Send SYNC: once, or every --period')
            [CompletionResult]::new('time', 'time', [CompletionResultType]::ParameterValue, 'Send a TIME stamp: now (UTC), as milliseconds after midnight and days since 1984-01-01')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Find the nodes on the bus: who answers an SDO read of 0x1000, with identity and state')
            [CompletionResult]::new('dump', 'dump', [CompletionResultType]::ParameterValue, 'Read every readable object of NODE into a DCF (its ParameterValues), for backups and diffs')
            [CompletionResult]::new('load', 'load', [CompletionResultType]::ParameterValue, 'Write a DCF''s values into NODE: every writable entry, PDOs in CiA 301''s order')
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'Serve CiA 309-3 (ASCII, as canopend -c) and CiA 309-5 (HTTP) gateways to the bus')
            [CompletionResult]::new('monitor', 'monitor', [CompletionResultType]::ParameterValue, 'Decode CANopen traffic live or from a log file: NMT, SDO transactions, PDOs, EMCY, heartbeats')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'canopen-node;run' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Node-ID, 1..127 (a DCF''s [DeviceComissioning] NodeID when omitted)')
            [CompletionResult]::new('--node-id', '--node-id', [CompletionResultType]::ParameterName, 'Node-ID, 1..127 (a DCF''s [DeviceComissioning] NodeID when omitted)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'The object dictionary: an EDS or DCF file (CiA 306)')
            [CompletionResult]::new('--eds', '--eds', [CompletionResultType]::ParameterName, 'The object dictionary: an EDS or DCF file (CiA 306)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--store', '--store', [CompletionResultType]::ParameterName, 'Directory of the stored-parameters file (0x1010 "save") [default: the EDS''s directory]')
            [CompletionResult]::new('--on-write', '--on-write', [CompletionResultType]::ParameterName, 'Run COMMAND (with sh -c) when INDEX[:SUB] is written; the value is in $CANOPEN_VALUE (also $CANOPEN_INDEX, $CANOPEN_SUB, $CANOPEN_NAME, $CANOPEN_TYPE, $CANOPEN_RAW, $CANOPEN_SOURCE, $CANOPEN_NODE_ID). Repeatable')
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'Print every dictionary write, NMT change, EMCY and heartbeat event on stdout')
            [CompletionResult]::new('--sdo-timeout', '--sdo-timeout', [CompletionResultType]::ParameterName, 'How long the SDO server waits for the client''s next request')
            [CompletionResult]::new('--control', '--control', [CompletionResultType]::ParameterName, 'The control socket `set`/`get` use [default: $XDG_RUNTIME_DIR/cankit/canopen-node-ID.sock]')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--no-store', '--no-store', [CompletionResultType]::ParameterName, 'Refuse to store parameters (0x1010 answers abort 0x08000021)')
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'Go to Operational after boot-up without waiting for an NMT start')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;eds' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check an EDS or DCF file: print its dictionary and every problem found')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'canopen-node;eds;check' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Resolve $NODEID with this node-ID')
            [CompletionResult]::new('--node-id', '--node-id', [CompletionResultType]::ParameterName, 'Resolve $NODEID with this node-ID')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Exit 1 when the file has warnings')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;eds;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check an EDS or DCF file: print its dictionary and every problem found')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'canopen-node;eds;help;check' {
            break
        }
        'canopen-node;eds;help;help' {
            break
        }
        'canopen-node;set' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The node''s id (finds its default control socket)')
            [CompletionResult]::new('--node-id', '--node-id', [CompletionResultType]::ParameterName, 'The node''s id (finds its default control socket)')
            [CompletionResult]::new('--control', '--control', [CompletionResultType]::ParameterName, 'The node''s control socket (its --control)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;get' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The node''s id (finds its default control socket)')
            [CompletionResult]::new('--node-id', '--node-id', [CompletionResultType]::ParameterName, 'The node''s id (finds its default control socket)')
            [CompletionResult]::new('--control', '--control', [CompletionResultType]::ParameterName, 'The node''s control socket (its --control)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;emcy' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'The node''s id (finds its default control socket)')
            [CompletionResult]::new('--node-id', '--node-id', [CompletionResultType]::ParameterName, 'The node''s id (finds its default control socket)')
            [CompletionResult]::new('--control', '--control', [CompletionResultType]::ParameterName, 'The node''s control socket (its --control)')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;sdo' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Read INDEX[:SUB] of NODE and print it by its type')
            [CompletionResult]::new('write', 'write', [CompletionResultType]::ParameterValue, 'Write VALUE to INDEX:SUB of NODE')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'canopen-node;sdo;read' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'The value''s type: b, i8..i64, u8..u64, x8..x64 (hex display), r32, r64, vs, os, us, t, td, d (domain); or a CiA 301 name (UNSIGNED32)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'The value''s type: b, i8..i64, u8..u64, x8..x64 (hex display), r32, r64, vs, os, us, t, td, d (domain); or a CiA 301 name (UNSIGNED32)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'The node''s EDS or DCF: the entry''s type comes from it')
            [CompletionResult]::new('--eds', '--eds', [CompletionResultType]::ParameterName, 'The node''s EDS or DCF: the entry''s type comes from it')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'How long to wait for each answer of the node')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for each answer of the node')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the value''s bytes to FILE instead of printing it')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the value''s bytes to FILE instead of printing it')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--block', '--block', [CompletionResultType]::ParameterName, 'A block transfer (CRC-checked), whatever the size')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;sdo;write' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The value''s bytes from FILE (a domain)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'The value''s type: b, i8..i64, u8..u64, x8..x64 (hex display), r32, r64, vs, os, us, t, td, d (domain); or a CiA 301 name (UNSIGNED32)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'The value''s type: b, i8..i64, u8..u64, x8..x64 (hex display), r32, r64, vs, os, us, t, td, d (domain); or a CiA 301 name (UNSIGNED32)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'The node''s EDS or DCF: the entry''s type comes from it')
            [CompletionResult]::new('--eds', '--eds', [CompletionResultType]::ParameterName, 'The node''s EDS or DCF: the entry''s type comes from it')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'How long to wait for each answer of the node')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for each answer of the node')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--block', '--block', [CompletionResultType]::ParameterName, 'A block transfer (CRC-checked), whatever the size')
            [CompletionResult]::new('--no-block', '--no-block', [CompletionResultType]::ParameterName, 'Never a block transfer (by default values above 256 bytes go in one)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;sdo;help' {
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Read INDEX[:SUB] of NODE and print it by its type')
            [CompletionResult]::new('write', 'write', [CompletionResultType]::ParameterValue, 'Write VALUE to INDEX:SUB of NODE')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'canopen-node;sdo;help;read' {
            break
        }
        'canopen-node;sdo;help;write' {
            break
        }
        'canopen-node;sdo;help;help' {
            break
        }
        'canopen-node;nmt' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;sync' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--period', '--period', [CompletionResultType]::ParameterName, 'Send every TIME until Ctrl-C (or -n)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many SYNCs (with --period)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many SYNCs (with --period)')
            [CompletionResult]::new('--counter', '--counter', [CompletionResultType]::ParameterName, 'A counter byte running 1..=N (the producer''s 0x1019, 2..240)')
            [CompletionResult]::new('--cob-id', '--cob-id', [CompletionResultType]::ParameterName, 'The SYNC COB-ID (0x1005)')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;time' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--cob-id', '--cob-id', [CompletionResultType]::ParameterName, 'The TIME COB-ID (0x1012)')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;scan' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'How long each node has to answer')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long each node has to answer')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per node instead of a table')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;dump' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'The node''s EDS (or a DCF): which objects to read, and their types')
            [CompletionResult]::new('--eds', '--eds', [CompletionResultType]::ParameterName, 'The node''s EDS (or a DCF): which objects to read, and their types')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the DCF to FILE [default: stdout]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the DCF to FILE [default: stdout]')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'How long to wait for each answer of the node')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for each answer of the node')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;load' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'How long to wait for each answer of the node')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for each answer of the node')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;gateway' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--ascii', '--ascii', [CompletionResultType]::ParameterName, 'The CiA 309-3 ASCII gateway: tcp:PORT, tcp:ADDRESS:PORT, unix:PATH or stdio. Repeatable')
            [CompletionResult]::new('--http', '--http', [CompletionResultType]::ParameterName, 'The CiA 309-5 HTTP gateway: PORT or ADDRESS:PORT')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'The address PORT-only endpoints bind (0.0.0.0 for every interface)')
            [CompletionResult]::new('--node', '--node', [CompletionResultType]::ParameterName, 'The default node: commands without one address it (as `set node`)')
            [CompletionResult]::new('--sdo-timeout', '--sdo-timeout', [CompletionResultType]::ParameterName, 'How long an SDO transfer waits for each answer (as `set sdo_timeout`)')
            [CompletionResult]::new('--max-clients', '--max-clients', [CompletionResultType]::ParameterName, 'Clients served at once, per gateway (HTTP: requests in progress)')
            [CompletionResult]::new('--client-timeout', '--client-timeout', [CompletionResultType]::ParameterName, 'Close an ASCII connection that sends nothing for this long (canopend''s -T) [default: never]')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--block', '--block', [CompletionResultType]::ParameterName, 'Block transfers on from the start (as `set sdo_block 1`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;monitor' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'A node''s EDS or DCF: entry names, value types, PDO mappings (repeatable)')
            [CompletionResult]::new('--eds', '--eds', [CompletionResultType]::ParameterName, 'A node''s EDS or DCF: entry names, value types, PDO mappings (repeatable)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read a log file (any format `canlogger convert` reads) instead of the bus')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read a log file (any format `canlogger convert` reads) instead of the bus')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The file''s format when its extension does not say: asc, blf, log, trc, csv, db')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Time zone of naive dates in the file''s header: local (default), utc, +02:00')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR''ed)')
            [CompletionResult]::new('--sdo-timeout', '--sdo-timeout', [CompletionResultType]::ParameterName, 'An SDO transfer with no frame for this long (in the log''s time) is reported as incomplete')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per line (fields below) instead of text')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Naive dates in the file''s header are UTC (same as --tz utc)')
            [CompletionResult]::new('--hide-unknown', '--hide-unknown', [CompletionResultType]::ParameterName, 'Do not show frames CANopen does not define')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'canopen-node;help' {
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run the node (the default command)')
            [CompletionResult]::new('eds', 'eds', [CompletionResultType]::ParameterValue, 'Work with EDS and DCF files')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Write a value into a running node''s dictionary (as its application: read-only inputs too)')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print a value of a running node''s dictionary')
            [CompletionResult]::new('emcy', 'emcy', [CompletionResultType]::ParameterValue, 'Make a running node send an EMCY (code 0: error reset)')
            [CompletionResult]::new('sdo', 'sdo', [CompletionResultType]::ParameterValue, 'Read or write another node''s dictionary over SDO (the master''s side)')
            [CompletionResult]::new('nmt', 'nmt', [CompletionResultType]::ParameterValue, 'Send an NMT command: start, stop, preop, reset, reset-comm; to a node or all')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Send SYNC: once, or every --period')
            [CompletionResult]::new('time', 'time', [CompletionResultType]::ParameterValue, 'Send a TIME stamp: now (UTC), as milliseconds after midnight and days since 1984-01-01')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Find the nodes on the bus: who answers an SDO read of 0x1000, with identity and state')
            [CompletionResult]::new('dump', 'dump', [CompletionResultType]::ParameterValue, 'Read every readable object of NODE into a DCF (its ParameterValues), for backups and diffs')
            [CompletionResult]::new('load', 'load', [CompletionResultType]::ParameterValue, 'Write a DCF''s values into NODE: every writable entry, PDOs in CiA 301''s order')
            [CompletionResult]::new('gateway', 'gateway', [CompletionResultType]::ParameterValue, 'Serve CiA 309-3 (ASCII, as canopend -c) and CiA 309-5 (HTTP) gateways to the bus')
            [CompletionResult]::new('monitor', 'monitor', [CompletionResultType]::ParameterValue, 'Decode CANopen traffic live or from a log file: NMT, SDO transactions, PDOs, EMCY, heartbeats')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'canopen-node;help;run' {
            break
        }
        'canopen-node;help;eds' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check an EDS or DCF file: print its dictionary and every problem found')
            break
        }
        'canopen-node;help;eds;check' {
            break
        }
        'canopen-node;help;set' {
            break
        }
        'canopen-node;help;get' {
            break
        }
        'canopen-node;help;emcy' {
            break
        }
        'canopen-node;help;sdo' {
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Read INDEX[:SUB] of NODE and print it by its type')
            [CompletionResult]::new('write', 'write', [CompletionResultType]::ParameterValue, 'Write VALUE to INDEX:SUB of NODE')
            break
        }
        'canopen-node;help;sdo;read' {
            break
        }
        'canopen-node;help;sdo;write' {
            break
        }
        'canopen-node;help;nmt' {
            break
        }
        'canopen-node;help;sync' {
            break
        }
        'canopen-node;help;time' {
            break
        }
        'canopen-node;help;scan' {
            break
        }
        'canopen-node;help;dump' {
            break
        }
        'canopen-node;help;load' {
            break
        }
        'canopen-node;help;gateway' {
            break
        }
        'canopen-node;help;monitor' {
            break
        }
        'canopen-node;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
