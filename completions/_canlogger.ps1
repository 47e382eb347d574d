
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'canlogger' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'canlogger'
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
        'canlogger' {
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
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Record into FILE; the format comes from the extension (asc, blf, log, trc, csv, db, and .gz on the text formats). Without it, frames are printed on stdout as `watch` does')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Record into FILE; the format comes from the extension (asc, blf, log, trc, csv, db, and .gz on the text formats). Without it, frames are printed on stdout as `watch` does')
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Start a new file when the current one reaches SIZE, e.g. 100MB, 1GiB, 5000000 (python-can''s -s/--file-size, in bytes)')
            [CompletionResult]::new('--rotate-size', '--rotate-size', [CompletionResultType]::ParameterName, 'Start a new file when the current one reaches SIZE, e.g. 100MB, 1GiB, 5000000 (python-can''s -s/--file-size, in bytes)')
            [CompletionResult]::new('--file-size', '--file-size', [CompletionResultType]::ParameterName, 'Start a new file when the current one reaches SIZE, e.g. 100MB, 1GiB, 5000000 (python-can''s -s/--file-size, in bytes)')
            [CompletionResult]::new('--rotate-interval', '--rotate-interval', [CompletionResultType]::ParameterName, 'Start a new file when the current one is this old, e.g. 1h, 15m')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'With rotation: keep only the newest N files of this name, deleting older ones')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after COUNT frames')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after COUNT frames')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long, e.g. 10m, 2h')
            [CompletionResult]::new('--flush-interval', '--flush-interval', [CompletionResultType]::ParameterName, 'Hand everything received to the file and the disk this often (0 = after every batch)')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR''ed)')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'zlib level for BLF and .gz files (0-9)')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--nanos', '--nanos', [CompletionResultType]::ParameterName, 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Append to FILE instead of replacing it (candump log and CSV; SQLite always appends, as python-can does)')
            [CompletionResult]::new('--append', '--append', [CompletionResultType]::ParameterName, 'Append to FILE instead of replacing it (candump log and CSV; SQLite always appends, as python-can does)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No summary on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No summary on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Print live frames')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send one or more frames')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait for the first frame that matches')
            [CompletionResult]::new('repl', 'repl', [CompletionResultType]::ParameterValue, 'Interactive console: send, watch, match and wait for frames')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Convert a log file to another format')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Summarise a log file')
            [CompletionResult]::new('list-servers', 'list-servers', [CompletionResultType]::ParameterValue, 'List the socketcand servers on the network (their discovery beacons on UDP 42000)')
            [CompletionResult]::new('link', 'link', [CompletionResultType]::ParameterValue, 'Bring SocketCAN interfaces up (bit rate, restart-ms, CAN FD), down, or show them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'canlogger;watch' {
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Stop after COUNT frames')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after COUNT frames')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Stop when no frame arrived for this long (like candump -T), e.g. 500ms, 5s')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop when no frame arrived for this long (like candump -T), e.g. 500ms, 5s')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR''ed)')
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
            [CompletionResult]::new('--nanos', '--nanos', [CompletionResultType]::ParameterName, 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'canlogger;send' {
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Instead of FRAME: the identifier in hex (8 digits or above 7FF: extended)')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'With --id: payload bytes as people type them: "12 34", "0x12,0xFF", "12-34", "1234"')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many rounds to send (0 = until interrupted)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many rounds to send (0 = until interrupted)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Time between rounds, e.g. 10ms, 1s (humantime)')
            [CompletionResult]::new('--period', '--period', [CompletionResultType]::ParameterName, 'Time between rounds, e.g. 10ms, 1s (humantime)')
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
            [CompletionResult]::new('--ext', '--ext', [CompletionResultType]::ParameterName, 'With --id: send an extended (29-bit) frame even for a small id')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'canlogger;wait' {
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('--id', '--id', [CompletionResultType]::ParameterName, 'Identifier to wait for, in hex (8 digits or above 7FF: extended)')
            [CompletionResult]::new('--mask', '--mask', [CompletionResultType]::ParameterName, 'With --id: compare only these id bits (hex), e.g. 7F0')
            [CompletionResult]::new('--d0', '--d0', [CompletionResultType]::ParameterName, 'First data byte must equal this (hex)')
            [CompletionResult]::new('--d1', '--d1', [CompletionResultType]::ParameterName, 'Second data byte must equal this (hex)')
            [CompletionResult]::new('--data-prefix', '--data-prefix', [CompletionResultType]::ParameterName, 'The payload must start with these bytes: "02 41", "0x02,0x41", "0241"')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR''ed)')
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'Give up after this long (0 = wait forever)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up after this long (0 = wait forever)')
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
            [CompletionResult]::new('--nanos', '--nanos', [CompletionResultType]::ParameterName, 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N')
            [CompletionResult]::new('--ext', '--ext', [CompletionResultType]::ParameterName, 'With --id: the id is extended (29-bit) even if small')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'canlogger;repl' {
            [CompletionResult]::new('-F', '-F ', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)')
            [CompletionResult]::new('--history', '--history', [CompletionResultType]::ParameterName, 'History file [default: $XDG_STATE_HOME/cankit/repl_history, else ~/.local/state/cankit/repl_history]')
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
            [CompletionResult]::new('--nanos', '--nanos', [CompletionResultType]::ParameterName, 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Start with watch on: every frame is printed')
            [CompletionResult]::new('--no-history', '--no-history', [CompletionResultType]::ParameterName, 'Keep no history')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'canlogger;convert' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Input format when the extension does not say: asc, blf, log, trc, csv, db (CSV layouts and TRC dialects are told apart by their headers)')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Time zone of naive dates in headers: local (default), utc, +02:00')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Output format when OUT''s extension does not say: asc, blf, log, trc, csv, savvycan, db')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR''ed)')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Keep only frames of this channel (name such as can0, or number as in ASC/BLF); repeatable')
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'Drop frames before this time: UNIX seconds, a date (2024-03-01T12:00:00, UTC), or an offset from the first frame (10s, 1m30s)')
            [CompletionResult]::new('--end', '--end', [CompletionResultType]::ParameterName, 'Drop frames after this time (same forms as --start)')
            [CompletionResult]::new('--level', '--level', [CompletionResultType]::ParameterName, 'zlib level for BLF and .gz output (0-9)')
            [CompletionResult]::new('--trc-version', '--trc-version', [CompletionResultType]::ParameterName, 'TRC version to write: 2.1 or 1.1')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('--interface', '--interface', [CompletionResultType]::ParameterName, 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]')
            [CompletionResult]::new('-b', '-b', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--bitrate', '--bitrate', [CompletionResultType]::ParameterName, 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]')
            [CompletionResult]::new('--data-bitrate', '--data-bitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 2M')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'udp_multicast: UDP port (default 43113)')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host')
            [CompletionResult]::new('--multicast-interface', '--multicast-interface', [CompletionResultType]::ParameterName, 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)')
            [CompletionResult]::new('--bus-option', '--bus-option', [CompletionResultType]::ParameterName, 'Any backend option as python-can''s keyword, e.g. --bus-option port=43114')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc')
            [CompletionResult]::new('--config-section', '--config-section', [CompletionResultType]::ParameterName, 'Section of the config file to use')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Stop at the first malformed record (exit code 1) instead of skipping it')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Naive dates in headers are UTC (same as --tz utc)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No summary on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No summary on stderr')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'canlogger;info' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Input format when the extension does not say: asc, blf, log, trc, csv, db (CSV layouts and TRC dialects are told apart by their headers)')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Time zone of naive dates in headers: local (default), utc, +02:00')
            [CompletionResult]::new('--top', '--top', [CompletionResultType]::ParameterName, 'How many of the most frequent ids to list in the text output (all in JSON)')
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
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Stop at the first malformed record (exit code 1) instead of skipping it')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Naive dates in headers are UTC (same as --tz utc)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object instead of text')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'canlogger;list-servers' {
            [CompletionResult]::new('-T', '-T ', [CompletionResultType]::ParameterName, 'How long to listen for beacons (servers send one every 3 s)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to listen for beacons (servers send one every 3 s)')
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
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per bus, python-can''s config keys (interface, host, port, channel)')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'canlogger;link' {
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
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Configure interfaces and bring them up: down, bit timing, up (-b/--bitrate sets the bit rate, --fd/--no-fd the CAN FD mode)')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Bring interfaces down (takes the same specs as `up`; their settings are ignored)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the state of CAN interfaces (all of them without INTERFACE): up or down, controller state, bit rate, restart-ms, error counters')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'canlogger;link;up' {
            [CompletionResult]::new('--restart-ms', '--restart-ms', [CompletionResultType]::ParameterName, 'Restart this many ms after bus-off (0: stay bus-off until set down and up)')
            [CompletionResult]::new('--sample-point', '--sample-point', [CompletionResultType]::ParameterName, 'Nominal sample point, e.g. 0.875 or 87.5% (default: the driver''s choice)')
            [CompletionResult]::new('--dbitrate', '--dbitrate', [CompletionResultType]::ParameterName, 'CAN FD data-phase bit rate, e.g. 5M (turns CAN FD on; the same as --data-bitrate)')
            [CompletionResult]::new('--dsample-point', '--dsample-point', [CompletionResultType]::ParameterName, 'CAN FD data-phase sample point, e.g. 0.75')
            [CompletionResult]::new('--txqueuelen', '--txqueuelen', [CompletionResultType]::ParameterName, 'Transmit queue length in frames (ip''s txqueuelen; drivers default to 10)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Wait up to TIME for each interface to appear (at boot, adapters'' drivers create them late)')
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
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the equivalent ip commands and change nothing')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'canlogger;link;down' {
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
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the equivalent ip command and change nothing')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'canlogger;link;show' {
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
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per interface')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'canlogger;link;help' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Configure interfaces and bring them up: down, bit timing, up (-b/--bitrate sets the bit rate, --fd/--no-fd the CAN FD mode)')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Bring interfaces down (takes the same specs as `up`; their settings are ignored)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the state of CAN interfaces (all of them without INTERFACE): up or down, controller state, bit rate, restart-ms, error counters')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'canlogger;link;help;up' {
            break
        }
        'canlogger;link;help;down' {
            break
        }
        'canlogger;link;help;show' {
            break
        }
        'canlogger;link;help;help' {
            break
        }
        'canlogger;help' {
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Print live frames')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Send one or more frames')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait for the first frame that matches')
            [CompletionResult]::new('repl', 'repl', [CompletionResultType]::ParameterValue, 'Interactive console: send, watch, match and wait for frames')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Convert a log file to another format')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Summarise a log file')
            [CompletionResult]::new('list-servers', 'list-servers', [CompletionResultType]::ParameterValue, 'List the socketcand servers on the network (their discovery beacons on UDP 42000)')
            [CompletionResult]::new('link', 'link', [CompletionResultType]::ParameterValue, 'Bring SocketCAN interfaces up (bit rate, restart-ms, CAN FD), down, or show them')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'canlogger;help;watch' {
            break
        }
        'canlogger;help;send' {
            break
        }
        'canlogger;help;wait' {
            break
        }
        'canlogger;help;repl' {
            break
        }
        'canlogger;help;convert' {
            break
        }
        'canlogger;help;info' {
            break
        }
        'canlogger;help;list-servers' {
            break
        }
        'canlogger;help;link' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Configure interfaces and bring them up: down, bit timing, up (-b/--bitrate sets the bit rate, --fd/--no-fd the CAN FD mode)')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Bring interfaces down (takes the same specs as `up`; their settings are ignored)')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show the state of CAN interfaces (all of them without INTERFACE): up or down, controller state, bit rate, restart-ms, error counters')
            break
        }
        'canlogger;help;link;up' {
            break
        }
        'canlogger;help;link;down' {
            break
        }
        'canlogger;help;link;show' {
            break
        }
        'canlogger;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
