# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_caneth_global_optspecs
    string join \n host= port= timeout= reconnect-initial= reconnect-max= reconnect-cap= h/help V/version
end

function __fish_caneth_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_caneth_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_caneth_using_subcommand
    set -l cmd (__fish_caneth_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c caneth -n "__fish_caneth_needs_command" -l host -d 'The gateway\'s address (name, IPv4 or IPv6)' -r
complete -c caneth -n "__fish_caneth_needs_command" -l port -d 'The TCP port of the gateway\'s CAN channel (20001: CAN1, 20002: CAN2)' -r
complete -c caneth -n "__fish_caneth_needs_command" -l timeout -d 'Seconds to wait for the first connection (and, for send, for the frame to go out)' -r
complete -c caneth -n "__fish_caneth_needs_command" -l reconnect-initial -d 'First reconnect delay in seconds (doubling, then growing by a second)' -r
complete -c caneth -n "__fish_caneth_needs_command" -l reconnect-max -d 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap' -r
complete -c caneth -n "__fish_caneth_needs_command" -l reconnect-cap -d 'The delay\'s cap when --reconnect-max is 0' -r
complete -c caneth -n "__fish_caneth_needs_command" -s h -l help -d 'Print help'
complete -c caneth -n "__fish_caneth_needs_command" -s V -l version -d 'Print version'
complete -c caneth -n "__fish_caneth_needs_command" -f -a "watch" -d 'Print every frame the gateway receives, until Ctrl-C'
complete -c caneth -n "__fish_caneth_needs_command" -f -a "send" -d 'Send one frame and exit'
complete -c caneth -n "__fish_caneth_needs_command" -f -a "wait" -d 'Wait for a matching frame, print it and exit 0; exit 1 on timeout'
complete -c caneth -n "__fish_caneth_needs_command" -f -a "repl" -d 'Interactive console on the gateway: send, on, watch, wait, filter, stats, bus (help inside)'
complete -c caneth -n "__fish_caneth_needs_command" -f -a "simulate" -d 'Simulate a gateway: listen like the device and bridge each channel to a cankit bus'
complete -c caneth -n "__fish_caneth_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c caneth -n "__fish_caneth_using_subcommand watch" -s F -l format -d 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)' -r -f -a "human\t''
log\t''
json\t''"
complete -c caneth -n "__fish_caneth_using_subcommand watch" -s n -l count -d 'Stop after COUNT frames' -r
complete -c caneth -n "__fish_caneth_using_subcommand watch" -l filter -d 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR\'ed)' -r
complete -c caneth -n "__fish_caneth_using_subcommand watch" -l host -d 'The gateway\'s address (name, IPv4 or IPv6)' -r
complete -c caneth -n "__fish_caneth_using_subcommand watch" -l port -d 'The TCP port of the gateway\'s CAN channel (20001: CAN1, 20002: CAN2)' -r
complete -c caneth -n "__fish_caneth_using_subcommand watch" -l timeout -d 'Seconds to wait for the first connection (and, for send, for the frame to go out)' -r
complete -c caneth -n "__fish_caneth_using_subcommand watch" -l reconnect-initial -d 'First reconnect delay in seconds (doubling, then growing by a second)' -r
complete -c caneth -n "__fish_caneth_using_subcommand watch" -l reconnect-max -d 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap' -r
complete -c caneth -n "__fish_caneth_using_subcommand watch" -l reconnect-cap -d 'The delay\'s cap when --reconnect-max is 0' -r
complete -c caneth -n "__fish_caneth_using_subcommand watch" -l nanos -d 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N'
complete -c caneth -n "__fish_caneth_using_subcommand watch" -s h -l help -d 'Print help'
complete -c caneth -n "__fish_caneth_using_subcommand watch" -s V -l version -d 'Print version'
complete -c caneth -n "__fish_caneth_using_subcommand send" -l id -d 'CAN id: decimal or hex (291, 0x123, 7E8); above 0x7FF it is extended unless --std' -r
complete -c caneth -n "__fish_caneth_using_subcommand send" -l data -d 'Data bytes in hex: "12 34 56", "0x12,0xFF", "12-34-56", "123456"' -r
complete -c caneth -n "__fish_caneth_using_subcommand send" -l host -d 'The gateway\'s address (name, IPv4 or IPv6)' -r
complete -c caneth -n "__fish_caneth_using_subcommand send" -l port -d 'The TCP port of the gateway\'s CAN channel (20001: CAN1, 20002: CAN2)' -r
complete -c caneth -n "__fish_caneth_using_subcommand send" -l timeout -d 'Seconds to wait for the first connection (and, for send, for the frame to go out)' -r
complete -c caneth -n "__fish_caneth_using_subcommand send" -l reconnect-initial -d 'First reconnect delay in seconds (doubling, then growing by a second)' -r
complete -c caneth -n "__fish_caneth_using_subcommand send" -l reconnect-max -d 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap' -r
complete -c caneth -n "__fish_caneth_using_subcommand send" -l reconnect-cap -d 'The delay\'s cap when --reconnect-max is 0' -r
complete -c caneth -n "__fish_caneth_using_subcommand send" -l extended -d 'Extended (29-bit) id'
complete -c caneth -n "__fish_caneth_using_subcommand send" -l std -d 'Standard (11-bit) id'
complete -c caneth -n "__fish_caneth_using_subcommand send" -l rtr -d 'Remote frame (the data\'s length is the length asked for)'
complete -c caneth -n "__fish_caneth_using_subcommand send" -s h -l help -d 'Print help'
complete -c caneth -n "__fish_caneth_using_subcommand send" -s V -l version -d 'Print version'
complete -c caneth -n "__fish_caneth_using_subcommand wait" -s F -l format -d 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)' -r -f -a "human\t''
log\t''
json\t''"
complete -c caneth -n "__fish_caneth_using_subcommand wait" -l id -d 'CAN id to match: decimal or hex' -r
complete -c caneth -n "__fish_caneth_using_subcommand wait" -l d0 -d 'The first data byte must be this (decimal or hex)' -r
complete -c caneth -n "__fish_caneth_using_subcommand wait" -l d1 -d 'The second data byte must be this; needs --d0' -r
complete -c caneth -n "__fish_caneth_using_subcommand wait" -l wait-timeout -d 'Seconds to wait (default: forever)' -r
complete -c caneth -n "__fish_caneth_using_subcommand wait" -l host -d 'The gateway\'s address (name, IPv4 or IPv6)' -r
complete -c caneth -n "__fish_caneth_using_subcommand wait" -l port -d 'The TCP port of the gateway\'s CAN channel (20001: CAN1, 20002: CAN2)' -r
complete -c caneth -n "__fish_caneth_using_subcommand wait" -l timeout -d 'Seconds to wait for the first connection (and, for send, for the frame to go out)' -r
complete -c caneth -n "__fish_caneth_using_subcommand wait" -l reconnect-initial -d 'First reconnect delay in seconds (doubling, then growing by a second)' -r
complete -c caneth -n "__fish_caneth_using_subcommand wait" -l reconnect-max -d 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap' -r
complete -c caneth -n "__fish_caneth_using_subcommand wait" -l reconnect-cap -d 'The delay\'s cap when --reconnect-max is 0' -r
complete -c caneth -n "__fish_caneth_using_subcommand wait" -l nanos -d 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N'
complete -c caneth -n "__fish_caneth_using_subcommand wait" -s h -l help -d 'Print help'
complete -c caneth -n "__fish_caneth_using_subcommand wait" -s V -l version -d 'Print version'
complete -c caneth -n "__fish_caneth_using_subcommand repl" -s F -l format -d 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)' -r -f -a "human\t''
log\t''
json\t''"
complete -c caneth -n "__fish_caneth_using_subcommand repl" -l history -d 'History file [default: $XDG_STATE_HOME/cankit/repl_history, else ~/.local/state/cankit/repl_history]' -r -F
complete -c caneth -n "__fish_caneth_using_subcommand repl" -l host -d 'The gateway\'s address (name, IPv4 or IPv6)' -r
complete -c caneth -n "__fish_caneth_using_subcommand repl" -l port -d 'The TCP port of the gateway\'s CAN channel (20001: CAN1, 20002: CAN2)' -r
complete -c caneth -n "__fish_caneth_using_subcommand repl" -l timeout -d 'Seconds to wait for the first connection (and, for send, for the frame to go out)' -r
complete -c caneth -n "__fish_caneth_using_subcommand repl" -l reconnect-initial -d 'First reconnect delay in seconds (doubling, then growing by a second)' -r
complete -c caneth -n "__fish_caneth_using_subcommand repl" -l reconnect-max -d 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap' -r
complete -c caneth -n "__fish_caneth_using_subcommand repl" -l reconnect-cap -d 'The delay\'s cap when --reconnect-max is 0' -r
complete -c caneth -n "__fish_caneth_using_subcommand repl" -l nanos -d 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N'
complete -c caneth -n "__fish_caneth_using_subcommand repl" -l watch -d 'Start with watch on: every frame is printed'
complete -c caneth -n "__fish_caneth_using_subcommand repl" -l no-history -d 'Keep no history'
complete -c caneth -n "__fish_caneth_using_subcommand repl" -s h -l help -d 'Print help'
complete -c caneth -n "__fish_caneth_using_subcommand repl" -s V -l version -d 'Print version'
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l config-section -d 'Section of the config file to use' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l listen -d 'Where CAN1 listens; CAN2 listens on the next port' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l channels -d 'Channels to simulate: 1 or 2' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l can2 -d 'CAN2\'s bus, INTERFACE[:CHANNEL] [default: virtual:caneth-can2]' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l drop-every -d 'Close each client\'s connection this long after it was made (e.g. 5s), to test reconnects' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l max-clients -d 'Clients served at once' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l host -d 'The gateway\'s address (name, IPv4 or IPv6)' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l timeout -d 'Seconds to wait for the first connection (and, for send, for the frame to go out)' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l reconnect-initial -d 'First reconnect delay in seconds (doubling, then growing by a second)' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l reconnect-max -d 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l reconnect-cap -d 'The delay\'s cap when --reconnect-max is 0' -r
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l receive-own -d 'Also receive the frames this process sends'
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -l read-only -d 'Clients only receive: what they send does not reach the bus'
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -s q -l quiet -d 'Say nothing on stderr about clients'
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -s h -l help -d 'Print help'
complete -c caneth -n "__fish_caneth_using_subcommand simulate" -s V -l version -d 'Print version'
complete -c caneth -n "__fish_caneth_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl simulate help" -f -a "watch" -d 'Print every frame the gateway receives, until Ctrl-C'
complete -c caneth -n "__fish_caneth_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl simulate help" -f -a "send" -d 'Send one frame and exit'
complete -c caneth -n "__fish_caneth_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl simulate help" -f -a "wait" -d 'Wait for a matching frame, print it and exit 0; exit 1 on timeout'
complete -c caneth -n "__fish_caneth_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl simulate help" -f -a "repl" -d 'Interactive console on the gateway: send, on, watch, wait, filter, stats, bus (help inside)'
complete -c caneth -n "__fish_caneth_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl simulate help" -f -a "simulate" -d 'Simulate a gateway: listen like the device and bridge each channel to a cankit bus'
complete -c caneth -n "__fish_caneth_using_subcommand help; and not __fish_seen_subcommand_from watch send wait repl simulate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
