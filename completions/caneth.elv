
use builtin;
use str;

set edit:completion:arg-completer[caneth] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'caneth'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'caneth'= {
            cand --host 'The gateway''s address (name, IPv4 or IPv6)'
            cand --port 'The TCP port of the gateway''s CAN channel (20001: CAN1, 20002: CAN2)'
            cand --timeout 'Seconds to wait for the first connection (and, for send, for the frame to go out)'
            cand --reconnect-initial 'First reconnect delay in seconds (doubling, then growing by a second)'
            cand --reconnect-max 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap'
            cand --reconnect-cap 'The delay''s cap when --reconnect-max is 0'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand watch 'Print every frame the gateway receives, until Ctrl-C'
            cand send 'Send one frame and exit'
            cand wait 'Wait for a matching frame, print it and exit 0; exit 1 on timeout'
            cand repl 'Interactive console on the gateway: send, on, watch, wait, filter, stats, bus (help inside)'
            cand simulate 'Simulate a gateway: listen like the device and bridge each channel to a cankit bus'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caneth;watch'= {
            cand -F 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)'
            cand --format 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)'
            cand -n 'Stop after COUNT frames'
            cand --count 'Stop after COUNT frames'
            cand --filter 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR''ed)'
            cand --host 'The gateway''s address (name, IPv4 or IPv6)'
            cand --port 'The TCP port of the gateway''s CAN channel (20001: CAN1, 20002: CAN2)'
            cand --timeout 'Seconds to wait for the first connection (and, for send, for the frame to go out)'
            cand --reconnect-initial 'First reconnect delay in seconds (doubling, then growing by a second)'
            cand --reconnect-max 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap'
            cand --reconnect-cap 'The delay''s cap when --reconnect-max is 0'
            cand --nanos 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'caneth;send'= {
            cand --id 'CAN id: decimal or hex (291, 0x123, 7E8); above 0x7FF it is extended unless --std'
            cand --data 'Data bytes in hex: "12 34 56", "0x12,0xFF", "12-34-56", "123456"'
            cand --host 'The gateway''s address (name, IPv4 or IPv6)'
            cand --port 'The TCP port of the gateway''s CAN channel (20001: CAN1, 20002: CAN2)'
            cand --timeout 'Seconds to wait for the first connection (and, for send, for the frame to go out)'
            cand --reconnect-initial 'First reconnect delay in seconds (doubling, then growing by a second)'
            cand --reconnect-max 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap'
            cand --reconnect-cap 'The delay''s cap when --reconnect-max is 0'
            cand --extended 'Extended (29-bit) id'
            cand --std 'Standard (11-bit) id'
            cand --rtr 'Remote frame (the data''s length is the length asked for)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'caneth;wait'= {
            cand -F 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)'
            cand --format 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)'
            cand --id 'CAN id to match: decimal or hex'
            cand --d0 'The first data byte must be this (decimal or hex)'
            cand --d1 'The second data byte must be this; needs --d0'
            cand --wait-timeout 'Seconds to wait (default: forever)'
            cand --host 'The gateway''s address (name, IPv4 or IPv6)'
            cand --port 'The TCP port of the gateway''s CAN channel (20001: CAN1, 20002: CAN2)'
            cand --timeout 'Seconds to wait for the first connection (and, for send, for the frame to go out)'
            cand --reconnect-initial 'First reconnect delay in seconds (doubling, then growing by a second)'
            cand --reconnect-max 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap'
            cand --reconnect-cap 'The delay''s cap when --reconnect-max is 0'
            cand --nanos 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'caneth;repl'= {
            cand -F 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)'
            cand --format 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)'
            cand --history 'History file [default: $XDG_STATE_HOME/cankit/repl_history, else ~/.local/state/cankit/repl_history]'
            cand --host 'The gateway''s address (name, IPv4 or IPv6)'
            cand --port 'The TCP port of the gateway''s CAN channel (20001: CAN1, 20002: CAN2)'
            cand --timeout 'Seconds to wait for the first connection (and, for send, for the frame to go out)'
            cand --reconnect-initial 'First reconnect delay in seconds (doubling, then growing by a second)'
            cand --reconnect-max 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap'
            cand --reconnect-cap 'The delay''s cap when --reconnect-max is 0'
            cand --nanos 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N'
            cand --watch 'Start with watch on: every frame is printed'
            cand --no-history 'Keep no history'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'caneth;simulate'= {
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
            cand --listen 'Where CAN1 listens; CAN2 listens on the next port'
            cand --channels 'Channels to simulate: 1 or 2'
            cand --can2 'CAN2''s bus, INTERFACE[:CHANNEL] [default: virtual:caneth-can2]'
            cand --drop-every 'Close each client''s connection this long after it was made (e.g. 5s), to test reconnects'
            cand --max-clients 'Clients served at once'
            cand --host 'The gateway''s address (name, IPv4 or IPv6)'
            cand --timeout 'Seconds to wait for the first connection (and, for send, for the frame to go out)'
            cand --reconnect-initial 'First reconnect delay in seconds (doubling, then growing by a second)'
            cand --reconnect-max 'Longest reconnect delay in seconds; 0: keep retrying with the delay capped at --reconnect-cap'
            cand --reconnect-cap 'The delay''s cap when --reconnect-max is 0'
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand --read-only 'Clients only receive: what they send does not reach the bus'
            cand -q 'Say nothing on stderr about clients'
            cand --quiet 'Say nothing on stderr about clients'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'caneth;help'= {
            cand watch 'Print every frame the gateway receives, until Ctrl-C'
            cand send 'Send one frame and exit'
            cand wait 'Wait for a matching frame, print it and exit 0; exit 1 on timeout'
            cand repl 'Interactive console on the gateway: send, on, watch, wait, filter, stats, bus (help inside)'
            cand simulate 'Simulate a gateway: listen like the device and bridge each channel to a cankit bus'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'caneth;help;watch'= {
        }
        &'caneth;help;send'= {
        }
        &'caneth;help;wait'= {
        }
        &'caneth;help;repl'= {
        }
        &'caneth;help;simulate'= {
        }
        &'caneth;help;help'= {
        }
    ]
    $completions[$command]
}
