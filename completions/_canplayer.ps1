
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'canplayer' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'canplayer'
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
        'canplayer' {
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
            [CompletionResult]::new('-I', '-I ', [CompletionResultType]::ParameterName, 'Input file (can-utils'' -I; python-can''s -f); repeatable, played before FILE arguments')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Input file (can-utils'' -I; python-can''s -f); repeatable, played before FILE arguments')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'Input file (can-utils'' -I; python-can''s -f); repeatable, played before FILE arguments')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'Send frames recorded on channel SRC to channel DST of the selected backend, or to INTERFACE:CHANNEL; repeatable. Frames of unmapped channels are skipped')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Input format when the extension does not say: asc, blf, log, trc, csv, db (CSV layouts and TRC dialects are told apart by their headers)')
            [CompletionResult]::new('--tz', '--tz', [CompletionResultType]::ParameterName, 'Time zone of naive dates in headers: local (default), utc, +02:00')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'Replay speed factor: 2 plays twice as fast, 0.5 half as fast')
            [CompletionResult]::new('-g', '-g', [CompletionResultType]::ParameterName, 'Minimum gap between two frames in milliseconds (can-utils'' -g), e.g. 1 or 0.2')
            [CompletionResult]::new('--gap', '--gap', [CompletionResultType]::ParameterName, 'Minimum gap between two frames in milliseconds (can-utils'' -g), e.g. 1 or 0.2')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Cut pauses longer than this (seconds, or 500ms, 2m) to this length (python-can''s -s)')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Cut pauses longer than this (seconds, or 500ms, 2m) to this length (python-can''s -s)')
            [CompletionResult]::new('--start', '--start', [CompletionResultType]::ParameterName, 'Drop frames before this time: UNIX seconds, a date (2024-03-01T12:00:00, UTC), or an offset from the first frame (10s, 1m30s)')
            [CompletionResult]::new('--end', '--end', [CompletionResultType]::ParameterName, 'Drop frames after this time (same forms as --start)')
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR''ed)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Play everything N times; i = forever (until Ctrl-C)')
            [CompletionResult]::new('--loop', '--loop', [CompletionResultType]::ParameterName, 'Play everything N times; i = forever (until Ctrl-C)')
            [CompletionResult]::new('--realtime', '--realtime', [CompletionResultType]::ParameterName, 'Replay with real-time priority (SCHED_FIFO; --realtime=PRIORITY for 1-99, default 50; needs root or CAP_SYS_NICE) so a busy machine delays frames less')
            [CompletionResult]::new('--fd', '--fd', [CompletionResultType]::ParameterName, 'Open the bus for CAN FD frames (the default)')
            [CompletionResult]::new('--no-fd', '--no-fd', [CompletionResultType]::ParameterName, 'Classic CAN only: FD frames are neither sent nor received')
            [CompletionResult]::new('--receive-own', '--receive-own', [CompletionResultType]::ParameterName, 'Also receive the frames this process sends')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print the bus opened and where each setting came from (on stderr)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Stop at the first malformed record (exit code 1) instead of skipping it')
            [CompletionResult]::new('--utc', '--utc', [CompletionResultType]::ParameterName, 'Naive dates in headers are UTC (same as --tz utc)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'Ignore timestamps: send frames back to back (--gap apart)')
            [CompletionResult]::new('--ignore-timestamps', '--ignore-timestamps', [CompletionResultType]::ParameterName, 'Ignore timestamps: send frames back to back (--gap apart)')
            [CompletionResult]::new('--error-frames', '--error-frames', [CompletionResultType]::ParameterName, 'Also send error frames (skipped by default, as python-can''s player does)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'No summary on stderr')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'No summary on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
