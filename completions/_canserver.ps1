
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'canserver' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'canserver'
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
        'canserver' {
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
            [CompletionResult]::new('--bus', '--bus', [CompletionResultType]::ParameterName, 'Serve this bus under NAME (repeatable): INTERFACE:CHANNEL, e.g. can0=socketcan:can0, test=virtual:bench; the other bus options (-b, --fd, --bus-option) apply to each')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (repeatable; IPv4 or IPv6) [default: 127.0.0.1]')
            [CompletionResult]::new('--socketcand-port', '--socketcand-port', [CompletionResultType]::ParameterName, 'TCP port of the socketcand protocol')
            [CompletionResult]::new('--remote-port', '--remote-port', [CompletionResultType]::ParameterName, 'TCP port of python-can''s remote protocols (binary and WebSocket)')
            [CompletionResult]::new('--http-port', '--http-port', [CompletionResultType]::ParameterName, 'TCP port of the CAN-to-HTTP adaptor (server-sent events at /, GET /?id=…&data=[…] sends)')
            [CompletionResult]::new('--udp-peer', '--udp-peer', [CompletionResultType]::ParameterName, 'Bridge a bus to this UDP peer (repeatable: the first pair of --udp-peer/--udp-listen bridges the first served bus, the second the second): its frames go to the peer as datagrams')
            [CompletionResult]::new('--udp-listen', '--udp-listen', [CompletionResultType]::ParameterName, 'Receive a bridge''s datagrams on this address (and send from it); frames in them go onto the bus (repeatable, paired with --udp-peer in order) [default: an ephemeral port]')
            [CompletionResult]::new('--udp-format', '--udp-format', [CompletionResultType]::ParameterName, 'The bridges'' datagrams: socketcan (one Linux struct can_frame/canfd_frame each, can_id little-endian, as the seed''s adaptor) or cannelloni (the cannelloni tunnel''s packets)')
            [CompletionResult]::new('--waveshare-port', '--waveshare-port', [CompletionResultType]::ParameterName, 'Act as a Waveshare CAN-to-Ethernet gateway: 13-byte records over TCP on this port for the first served bus, the next port for the second, … (the device''s 20001, 20002) [default: off]')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'The beacon''s description')
            [CompletionResult]::new('--max-clients', '--max-clients', [CompletionResultType]::ParameterName, 'Clients served at once; more are refused with the protocol''s error')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Frames queued per client before its oldest are dropped')
            [CompletionResult]::new('--slow-client', '--slow-client', [CompletionResultType]::ParameterName, 'What happens to a client whose queue is full: drop-oldest (counted, logged) or disconnect')
            [CompletionResult]::new('--handshake-timeout', '--handshake-timeout', [CompletionResultType]::ParameterName, 'Time a client has to open a bus or send its bus request')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Disconnect a client that sends nothing for this long (default: never; TCP keep-alive finds vanished peers)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'socketcand RAW mode: forward error frames of these classes (hex CAN_ERR_* mask, as the daemon''s -e; 1FFFFFFF for all)')
            [CompletionResult]::new('--error-mask', '--error-mask', [CompletionResultType]::ParameterName, 'socketcand RAW mode: forward error frames of these classes (hex CAN_ERR_* mask, as the daemon''s -e; 1FFFFFFF for all)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads serving the clients. One has the fewest wake-ups between threads and the lowest latency (measured: benches/server_fanout.rs); more spread a fan-out to hundreds of busy clients over more cores')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--no-socketcand', '--no-socketcand', [CompletionResultType]::ParameterName, 'Do not serve the socketcand protocol')
            [CompletionResult]::new('--no-remote', '--no-remote', [CompletionResultType]::ParameterName, 'Do not serve python-can''s remote protocols')
            [CompletionResult]::new('--no-http', '--no-http', [CompletionResultType]::ParameterName, 'Do not serve HTTP')
            [CompletionResult]::new('--udp-accept-any', '--udp-accept-any', [CompletionResultType]::ParameterName, 'Take bridge datagrams from any sender, not only the peer''s address')
            [CompletionResult]::new('--no-beacon', '--no-beacon', [CompletionResultType]::ParameterName, 'Do not send the socketcand discovery beacon (UDP 42000, every 3 s)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Clients only receive: nothing they send reaches the bus (they are told)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve (the default action)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'canserver;serve' {
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
            [CompletionResult]::new('--bus', '--bus', [CompletionResultType]::ParameterName, 'Serve this bus under NAME (repeatable): INTERFACE:CHANNEL, e.g. can0=socketcan:can0, test=virtual:bench; the other bus options (-b, --fd, --bus-option) apply to each')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (repeatable; IPv4 or IPv6) [default: 127.0.0.1]')
            [CompletionResult]::new('--socketcand-port', '--socketcand-port', [CompletionResultType]::ParameterName, 'TCP port of the socketcand protocol')
            [CompletionResult]::new('--remote-port', '--remote-port', [CompletionResultType]::ParameterName, 'TCP port of python-can''s remote protocols (binary and WebSocket)')
            [CompletionResult]::new('--http-port', '--http-port', [CompletionResultType]::ParameterName, 'TCP port of the CAN-to-HTTP adaptor (server-sent events at /, GET /?id=…&data=[…] sends)')
            [CompletionResult]::new('--udp-peer', '--udp-peer', [CompletionResultType]::ParameterName, 'Bridge a bus to this UDP peer (repeatable: the first pair of --udp-peer/--udp-listen bridges the first served bus, the second the second): its frames go to the peer as datagrams')
            [CompletionResult]::new('--udp-listen', '--udp-listen', [CompletionResultType]::ParameterName, 'Receive a bridge''s datagrams on this address (and send from it); frames in them go onto the bus (repeatable, paired with --udp-peer in order) [default: an ephemeral port]')
            [CompletionResult]::new('--udp-format', '--udp-format', [CompletionResultType]::ParameterName, 'The bridges'' datagrams: socketcan (one Linux struct can_frame/canfd_frame each, can_id little-endian, as the seed''s adaptor) or cannelloni (the cannelloni tunnel''s packets)')
            [CompletionResult]::new('--waveshare-port', '--waveshare-port', [CompletionResultType]::ParameterName, 'Act as a Waveshare CAN-to-Ethernet gateway: 13-byte records over TCP on this port for the first served bus, the next port for the second, … (the device''s 20001, 20002) [default: off]')
            [CompletionResult]::new('--description', '--description', [CompletionResultType]::ParameterName, 'The beacon''s description')
            [CompletionResult]::new('--max-clients', '--max-clients', [CompletionResultType]::ParameterName, 'Clients served at once; more are refused with the protocol''s error')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Frames queued per client before its oldest are dropped')
            [CompletionResult]::new('--slow-client', '--slow-client', [CompletionResultType]::ParameterName, 'What happens to a client whose queue is full: drop-oldest (counted, logged) or disconnect')
            [CompletionResult]::new('--handshake-timeout', '--handshake-timeout', [CompletionResultType]::ParameterName, 'Time a client has to open a bus or send its bus request')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Disconnect a client that sends nothing for this long (default: never; TCP keep-alive finds vanished peers)')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'socketcand RAW mode: forward error frames of these classes (hex CAN_ERR_* mask, as the daemon''s -e; 1FFFFFFF for all)')
            [CompletionResult]::new('--error-mask', '--error-mask', [CompletionResultType]::ParameterName, 'socketcand RAW mode: forward error frames of these classes (hex CAN_ERR_* mask, as the daemon''s -e; 1FFFFFFF for all)')
            [CompletionResult]::new('--threads', '--threads', [CompletionResultType]::ParameterName, 'Worker threads serving the clients. One has the fewest wake-ups between threads and the lowest latency (measured: benches/server_fanout.rs); more spread a fan-out to hundreds of busy clients over more cores')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--no-socketcand', '--no-socketcand', [CompletionResultType]::ParameterName, 'Do not serve the socketcand protocol')
            [CompletionResult]::new('--no-remote', '--no-remote', [CompletionResultType]::ParameterName, 'Do not serve python-can''s remote protocols')
            [CompletionResult]::new('--no-http', '--no-http', [CompletionResultType]::ParameterName, 'Do not serve HTTP')
            [CompletionResult]::new('--udp-accept-any', '--udp-accept-any', [CompletionResultType]::ParameterName, 'Take bridge datagrams from any sender, not only the peer''s address')
            [CompletionResult]::new('--no-beacon', '--no-beacon', [CompletionResultType]::ParameterName, 'Do not send the socketcand discovery beacon (UDP 42000, every 3 s)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Clients only receive: nothing they send reaches the bus (they are told)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'canserver;help' {
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve (the default action)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'canserver;help;serve' {
            break
        }
        'canserver;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
