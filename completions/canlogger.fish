# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_canlogger_global_optspecs
    string join \n i/interface= c/channel= b/bitrate= fd no-fd data-bitrate= receive-own port= ttl= multicast-interface= bus-option= config= config-section= v/verbose f/file= F/format= nanos a/append s/rotate-size= rotate-interval= keep= n/count= duration= flush-interval= filter= level= q/quiet h/help V/version
end

function __fish_canlogger_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_canlogger_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_canlogger_using_subcommand
    set -l cmd (__fish_canlogger_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c canlogger -n "__fish_canlogger_needs_command" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canlogger -n "__fish_canlogger_needs_command" -l config-section -d 'Section of the config file to use' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -s f -l file -d 'Record into FILE; the format comes from the extension (asc, blf, log, trc, csv, db, and .gz on the text formats). Without it, frames are printed on stdout as `watch` does' -r -F
complete -c canlogger -n "__fish_canlogger_needs_command" -s F -l format -d 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)' -r -f -a "human\t''
log\t''
json\t''"
complete -c canlogger -n "__fish_canlogger_needs_command" -s s -l rotate-size -l file-size -d 'Start a new file when the current one reaches SIZE, e.g. 100MB, 1GiB, 5000000 (python-can\'s -s/--file-size, in bytes)' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l rotate-interval -d 'Start a new file when the current one is this old, e.g. 1h, 15m' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l keep -d 'With rotation: keep only the newest N files of this name, deleting older ones' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -s n -l count -d 'Stop after COUNT frames' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l duration -d 'Stop after this long, e.g. 10m, 2h' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l flush-interval -d 'Hand everything received to the file and the disk this often (0 = after every batch)' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l filter -d 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR\'ed)' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l level -d 'zlib level for BLF and .gz files (0-9)' -r
complete -c canlogger -n "__fish_canlogger_needs_command" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canlogger -n "__fish_canlogger_needs_command" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canlogger -n "__fish_canlogger_needs_command" -l receive-own -d 'Also receive the frames this process sends'
complete -c canlogger -n "__fish_canlogger_needs_command" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canlogger -n "__fish_canlogger_needs_command" -l nanos -d 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N'
complete -c canlogger -n "__fish_canlogger_needs_command" -s a -l append -d 'Append to FILE instead of replacing it (candump log and CSV; SQLite always appends, as python-can does)'
complete -c canlogger -n "__fish_canlogger_needs_command" -s q -l quiet -d 'No summary on stderr'
complete -c canlogger -n "__fish_canlogger_needs_command" -s h -l help -d 'Print help'
complete -c canlogger -n "__fish_canlogger_needs_command" -s V -l version -d 'Print version'
complete -c canlogger -n "__fish_canlogger_needs_command" -f -a "watch" -d 'Print live frames'
complete -c canlogger -n "__fish_canlogger_needs_command" -f -a "send" -d 'Send one or more frames'
complete -c canlogger -n "__fish_canlogger_needs_command" -f -a "wait" -d 'Wait for the first frame that matches'
complete -c canlogger -n "__fish_canlogger_needs_command" -f -a "repl" -d 'Interactive console: send, watch, match and wait for frames'
complete -c canlogger -n "__fish_canlogger_needs_command" -f -a "convert" -d 'Convert a log file to another format'
complete -c canlogger -n "__fish_canlogger_needs_command" -f -a "info" -d 'Summarise a log file'
complete -c canlogger -n "__fish_canlogger_needs_command" -f -a "list-servers" -d 'List the socketcand servers on the network (their discovery beacons on UDP 42000)'
complete -c canlogger -n "__fish_canlogger_needs_command" -f -a "link" -d 'Bring SocketCAN interfaces up (bit rate, restart-ms, CAN FD), down, or show them'
complete -c canlogger -n "__fish_canlogger_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -s F -l format -d 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)' -r -f -a "human\t''
log\t''
json\t''"
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -s n -l count -d 'Stop after COUNT frames' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -s T -l timeout -d 'Stop when no frame arrived for this long (like candump -T), e.g. 500ms, 5s' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -l filter -d 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR\'ed)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -l config-section -d 'Section of the config file to use' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -l nanos -d 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N'
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -l receive-own -d 'Also receive the frames this process sends'
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -s h -l help -d 'Print help'
complete -c canlogger -n "__fish_canlogger_using_subcommand watch" -s V -l version -d 'Print version'
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l id -d 'Instead of FRAME: the identifier in hex (8 digits or above 7FF: extended)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l data -d 'With --id: payload bytes as people type them: "12 34", "0x12,0xFF", "12-34", "1234"' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -s n -l count -d 'How many rounds to send (0 = until interrupted)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -s p -l period -d 'Time between rounds, e.g. 10ms, 1s (humantime)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l config-section -d 'Section of the config file to use' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l ext -d 'With --id: send an extended (29-bit) frame even for a small id'
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -l receive-own -d 'Also receive the frames this process sends'
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -s h -l help -d 'Print help'
complete -c canlogger -n "__fish_canlogger_using_subcommand send" -s V -l version -d 'Print version'
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -s F -l format -d 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)' -r -f -a "human\t''
log\t''
json\t''"
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l id -d 'Identifier to wait for, in hex (8 digits or above 7FF: extended)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l mask -d 'With --id: compare only these id bits (hex), e.g. 7F0' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l d0 -d 'First data byte must equal this (hex)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l d1 -d 'Second data byte must equal this (hex)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l data-prefix -d 'The payload must start with these bytes: "02 41", "0x02,0x41", "0241"' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l filter -d 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR\'ed)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -s T -l timeout -d 'Give up after this long (0 = wait forever)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l config-section -d 'Section of the config file to use' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l nanos -d 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N'
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l ext -d 'With --id: the id is extended (29-bit) even if small'
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -l receive-own -d 'Also receive the frames this process sends'
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -s h -l help -d 'Print help'
complete -c canlogger -n "__fish_canlogger_using_subcommand wait" -s V -l version -d 'Print version'
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -s F -l format -d 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)' -r -f -a "human\t''
log\t''
json\t''"
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l history -d 'History file [default: $XDG_STATE_HOME/cankit/repl_history, else ~/.local/state/cankit/repl_history]' -r -F
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l config-section -d 'Section of the config file to use' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l nanos -d 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N'
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l watch -d 'Start with watch on: every frame is printed'
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l no-history -d 'Keep no history'
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -l receive-own -d 'Also receive the frames this process sends'
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -s h -l help -d 'Print help'
complete -c canlogger -n "__fish_canlogger_using_subcommand repl" -s V -l version -d 'Print version'
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l from -d 'Input format when the extension does not say: asc, blf, log, trc, csv, db (CSV layouts and TRC dialects are told apart by their headers)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l tz -d 'Time zone of naive dates in headers: local (default), utc, +02:00' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l to -d 'Output format when OUT\'s extension does not say: asc, blf, log, trc, csv, savvycan, db' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l filter -d 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR\'ed)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l channel -d 'Keep only frames of this channel (name such as can0, or number as in ASC/BLF); repeatable' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l start -d 'Drop frames before this time: UNIX seconds, a date (2024-03-01T12:00:00, UTC), or an offset from the first frame (10s, 1m30s)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l end -d 'Drop frames after this time (same forms as --start)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l level -d 'zlib level for BLF and .gz output (0-9)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l trc-version -d 'TRC version to write: 2.1 or 1.1' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l config-section -d 'Section of the config file to use' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l strict -d 'Stop at the first malformed record (exit code 1) instead of skipping it'
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l utc -d 'Naive dates in headers are UTC (same as --tz utc)'
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -s q -l quiet -d 'No summary on stderr'
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -l receive-own -d 'Also receive the frames this process sends'
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -s h -l help -d 'Print help'
complete -c canlogger -n "__fish_canlogger_using_subcommand convert" -s V -l version -d 'Print version'
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l from -d 'Input format when the extension does not say: asc, blf, log, trc, csv, db (CSV layouts and TRC dialects are told apart by their headers)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l tz -d 'Time zone of naive dates in headers: local (default), utc, +02:00' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l top -d 'How many of the most frequent ids to list in the text output (all in JSON)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l config-section -d 'Section of the config file to use' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l strict -d 'Stop at the first malformed record (exit code 1) instead of skipping it'
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l utc -d 'Naive dates in headers are UTC (same as --tz utc)'
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l json -d 'One JSON object instead of text'
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -l receive-own -d 'Also receive the frames this process sends'
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -s h -l help -d 'Print help'
complete -c canlogger -n "__fish_canlogger_using_subcommand info" -s V -l version -d 'Print version'
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -s T -l timeout -d 'How long to listen for beacons (servers send one every 3 s)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -l config-section -d 'Section of the config file to use' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -l json -d 'One JSON object per bus, python-can\'s config keys (interface, host, port, channel)'
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -l receive-own -d 'Also receive the frames this process sends'
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -s h -l help -d 'Print help'
complete -c canlogger -n "__fish_canlogger_using_subcommand list-servers" -s V -l version -d 'Print version'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -l config-section -d 'Section of the config file to use' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -l receive-own -d 'Also receive the frames this process sends'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -s h -l help -d 'Print help'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -s V -l version -d 'Print version'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -f -a "up" -d 'Configure interfaces and bring them up: down, bit timing, up (-b/--bitrate sets the bit rate, --fd/--no-fd the CAN FD mode)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -f -a "down" -d 'Bring interfaces down (takes the same specs as `up`; their settings are ignored)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -f -a "show" -d 'Show the state of CAN interfaces (all of them without INTERFACE): up or down, controller state, bit rate, restart-ms, error counters'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and not __fish_seen_subcommand_from up down show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l restart-ms -d 'Restart this many ms after bus-off (0: stay bus-off until set down and up)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l sample-point -d 'Nominal sample point, e.g. 0.875 or 87.5% (default: the driver\'s choice)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l dbitrate -d 'CAN FD data-phase bit rate, e.g. 5M (turns CAN FD on; the same as --data-bitrate)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l dsample-point -d 'CAN FD data-phase sample point, e.g. 0.75' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l txqueuelen -d 'Transmit queue length in frames (ip\'s txqueuelen; drivers default to 10)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l wait -d 'Wait up to TIME for each interface to appear (at boot, adapters\' drivers create them late)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l config-section -d 'Section of the config file to use' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l dry-run -d 'Print the equivalent ip commands and change nothing'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -l receive-own -d 'Also receive the frames this process sends'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -s h -l help -d 'Print help'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from up" -s V -l version -d 'Print version'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -l config-section -d 'Section of the config file to use' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -l dry-run -d 'Print the equivalent ip command and change nothing'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -l receive-own -d 'Also receive the frames this process sends'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -s h -l help -d 'Print help'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from down" -s V -l version -d 'Print version'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -l config-section -d 'Section of the config file to use' -r
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -l json -d 'One JSON object per interface'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -l receive-own -d 'Also receive the frames this process sends'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from help" -f -a "up" -d 'Configure interfaces and bring them up: down, bit timing, up (-b/--bitrate sets the bit rate, --fd/--no-fd the CAN FD mode)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from help" -f -a "down" -d 'Bring interfaces down (takes the same specs as `up`; their settings are ignored)'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show the state of CAN interfaces (all of them without INTERFACE): up or down, controller state, bit rate, restart-ms, error counters'
complete -c canlogger -n "__fish_canlogger_using_subcommand link; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c canlogger -n "__fish_canlogger_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl convert info list-servers link help" -f -a "watch" -d 'Print live frames'
complete -c canlogger -n "__fish_canlogger_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl convert info list-servers link help" -f -a "send" -d 'Send one or more frames'
complete -c canlogger -n "__fish_canlogger_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl convert info list-servers link help" -f -a "wait" -d 'Wait for the first frame that matches'
complete -c canlogger -n "__fish_canlogger_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl convert info list-servers link help" -f -a "repl" -d 'Interactive console: send, watch, match and wait for frames'
complete -c canlogger -n "__fish_canlogger_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl convert info list-servers link help" -f -a "convert" -d 'Convert a log file to another format'
complete -c canlogger -n "__fish_canlogger_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl convert info list-servers link help" -f -a "info" -d 'Summarise a log file'
complete -c canlogger -n "__fish_canlogger_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl convert info list-servers link help" -f -a "list-servers" -d 'List the socketcand servers on the network (their discovery beacons on UDP 42000)'
complete -c canlogger -n "__fish_canlogger_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl convert info list-servers link help" -f -a "link" -d 'Bring SocketCAN interfaces up (bit rate, restart-ms, CAN FD), down, or show them'
complete -c canlogger -n "__fish_canlogger_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl convert info list-servers link help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c canlogger -n "__fish_canlogger_using_subcommand help; and __fish_seen_subcommand_from link" -f -a "up" -d 'Configure interfaces and bring them up: down, bit timing, up (-b/--bitrate sets the bit rate, --fd/--no-fd the CAN FD mode)'
complete -c canlogger -n "__fish_canlogger_using_subcommand help; and __fish_seen_subcommand_from link" -f -a "down" -d 'Bring interfaces down (takes the same specs as `up`; their settings are ignored)'
complete -c canlogger -n "__fish_canlogger_using_subcommand help; and __fish_seen_subcommand_from link" -f -a "show" -d 'Show the state of CAN interfaces (all of them without INTERFACE): up or down, controller state, bit rate, restart-ms, error counters'
