
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'caneth' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'caneth'
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
        'caneth' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The gateway''s address (name, IPv4 or IPv6)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The TCP port of the gateway''s CAN channel (20001: CAN1, 20002: CAN2)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the first connection (and, for send, for the frame to go out)')
            [CompletionResult]::new('--reconnect-initial', '--reconnect-initial', [CompletionResultType]::ParameterName, 'First reconnect delay in seconds (doubling, then growing by a second)')
            [CompletionResult]::new('--reconnect-max', '--reconnect-max', [CompletionResultType]::ParameterName, 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap')
            [CompletionResult]::new('--reconnect-cap', '--reconnect-cap', [CompletionResultType]::ParameterName, 'The delay''s cap when --reconnect-max is 0')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Print every frame the gateway receives, until Ctrl-C')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send one frame and exit')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait for a matching frame, print it and exit 0; exit 1 on timeout')
            [CompletionResult]::new('repl', 'repl', [CompletionResultType]::ParameterValue, 'Interactive console on the gateway: send, on, watch, wait, filter, stats, bus (help inside)')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Simulate a gateway: listen like the device and bridge each channel to a cankit bus')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caneth;watch' {
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after COUNT frames')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after COUNT frames')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR''ed)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The gateway''s address (name, IPv4 or IPv6)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The TCP port of the gateway''s CAN channel (20001: CAN1, 20002: CAN2)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the first connection (and, for send, for the frame to go out)')
            [CompletionResult]::new('--reconnect-initial', '--reconnect-initial', [CompletionResultType]::ParameterName, 'First reconnect delay in seconds (doubling, then growing by a second)')
            [CompletionResult]::new('--reconnect-max', '--reconnect-max', [CompletionResultType]::ParameterName, 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap')
            [CompletionResult]::new('--reconnect-cap', '--reconnect-cap', [CompletionResultType]::ParameterName, 'The delay''s cap when --reconnect-max is 0')
            [CompletionResult]::new('--nanos', '--nanos', [CompletionResultType]::ParameterName, 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'caneth;send' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'CAN id: decimal or hex (291, 0x123, 7E8); above 0x7FF it is extended unless --std')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Data bytes in hex: "12 34 56", "0x12,0xFF", "12-34-56", "123456"')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The gateway''s address (name, IPv4 or IPv6)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The TCP port of the gateway''s CAN channel (20001: CAN1, 20002: CAN2)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the first connection (and, for send, for the frame to go out)')
            [CompletionResult]::new('--reconnect-initial', '--reconnect-initial', [CompletionResultType]::ParameterName, 'First reconnect delay in seconds (doubling, then growing by a second)')
            [CompletionResult]::new('--reconnect-max', '--reconnect-max', [CompletionResultType]::ParameterName, 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap')
            [CompletionResult]::new('--reconnect-cap', '--reconnect-cap', [CompletionResultType]::ParameterName, 'The delay''s cap when --reconnect-max is 0')
            [CompletionResult]::new('--extended', '--extended', [CompletionResultType]::ParameterName, 'Extended (29-bit) id')
            [CompletionResult]::new('--std', '--std', [CompletionResultType]::ParameterName, 'Standard (11-bit) id')
            [CompletionResult]::new('--rtr', '--rtr', [CompletionResultType]::ParameterName, 'Remote frame (the data''s length is the length asked for)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'caneth;wait' {
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'CAN id to match: decimal or hex')
            [CompletionResult]::new('--d0', '--d0', [CompletionResultType]::ParameterName, 'The first data byte must be this (decimal or hex)')
            [CompletionResult]::new('--d1', '--d1', [CompletionResultType]::ParameterName, 'The second data byte must be this; needs --d0')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait (default: forever)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The gateway''s address (name, IPv4 or IPv6)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The TCP port of the gateway''s CAN channel (20001: CAN1, 20002: CAN2)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the first connection (and, for send, for the frame to go out)')
            [CompletionResult]::new('--reconnect-initial', '--reconnect-initial', [CompletionResultType]::ParameterName, 'First reconnect delay in seconds (doubling, then growing by a second)')
            [CompletionResult]::new('--reconnect-max', '--reconnect-max', [CompletionResultType]::ParameterName, 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap')
            [CompletionResult]::new('--reconnect-cap', '--reconnect-cap', [CompletionResultType]::ParameterName, 'The delay''s cap when --reconnect-max is 0')
            [CompletionResult]::new('--nanos', '--nanos', [CompletionResultType]::ParameterName, 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'caneth;repl' {
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'History file [default: $XDG_STATE_HOME/cankit/repl_history, else ~/.local/state/cankit/repl_history]')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The gateway''s address (name, IPv4 or IPv6)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The TCP port of the gateway''s CAN channel (20001: CAN1, 20002: CAN2)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the first connection (and, for send, for the frame to go out)')
            [CompletionResult]::new('--reconnect-initial', '--reconnect-initial', [CompletionResultType]::ParameterName, 'First reconnect delay in seconds (doubling, then growing by a second)')
            [CompletionResult]::new('--reconnect-max', '--reconnect-max', [CompletionResultType]::ParameterName, 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap')
            [CompletionResult]::new('--reconnect-cap', '--reconnect-cap', [CompletionResultType]::ParameterName, 'The delay''s cap when --reconnect-max is 0')
            [CompletionResult]::new('--nanos', '--nanos', [CompletionResultType]::ParameterName, 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Start with watch on: every frame is printed')
            [CompletionResult]::new('--no-history', '--no-history', [CompletionResultType]::ParameterName, 'Keep no history')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'caneth;simulate' {
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
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where CAN1 listens; CAN2 listens on the next port')
            [CompletionResult]::new('--channels', '--channels', [CompletionResultType]::ParameterName, 'Channels to simulate: 1 or 2')
            [CompletionResult]::new('--can2', '--can2', [CompletionResultType]::ParameterName, 'CAN2''s bus, INTERFACE[:CHANNEL] [default: virtual:caneth-can2]')
            [CompletionResult]::new('--drop-every', '--drop-every', [CompletionResultType]::ParameterName, 'Close each client''s connection this long after it was made (e.g. 5s), to test reconnects')
            [CompletionResult]::new('--max-clients', '--max-clients', [CompletionResultType]::ParameterName, 'Clients served at once')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The gateway''s address (name, IPv4 or IPv6)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the first connection (and, for send, for the frame to go out)')
            [CompletionResult]::new('--reconnect-initial', '--reconnect-initial', [CompletionResultType]::ParameterName, 'First reconnect delay in seconds (doubling, then growing by a second)')
            [CompletionResult]::new('--reconnect-max', '--reconnect-max', [CompletionResultType]::ParameterName, 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap')
            [CompletionResult]::new('--reconnect-cap', '--reconnect-cap', [CompletionResultType]::ParameterName, 'The delay''s cap when --reconnect-max is 0')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--read-only', '--read-only', [CompletionResultType]::ParameterName, 'Clients only receive: what they send does not reach the bus')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Say nothing on stderr about clients')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Say nothing on stderr about clients')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'caneth;help' {
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Print every frame the gateway receives, until Ctrl-C')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send one frame and exit')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait for a matching frame, print it and exit 0; exit 1 on timeout')
            [CompletionResult]::new('repl', 'repl', [CompletionResultType]::ParameterValue, 'Interactive console on the gateway: send, on, watch, wait, filter, stats, bus (help inside)')
            [CompletionResult]::new('simulate', 'simulate', [CompletionResultType]::ParameterValue, 'Simulate a gateway: listen like the device and bridge each channel to a cankit bus')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'caneth;help;watch' {
            break
        }
        'caneth;help;send' {
            break
        }
        'caneth;help;wait' {
            break
        }
        'caneth;help;repl' {
            break
        }
        'caneth;help;simulate' {
            break
        }
        'caneth;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
