
use builtin;
use str;

set edit:completion:arg-completer[canlogger] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'canlogger'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'canlogger'= {
            cand -i 'Bus backend: udp_multicast (default: a bus shared by processes on this host), socketcan, virtual [env: CAN_INTERFACE]'
            cand --interface 'Bus backend: udp_multicast (default: a bus shared by processes on this host), socketcan, virtual [env: CAN_INTERFACE]'
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
            cand -V 'Print version'
            cand --version 'Print version'
            cand watch 'Print live frames'
            cand send 'Send one or more frames'
            cand wait 'Wait for the first frame that matches'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'canlogger;watch'= {
            cand -F 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)'
            cand --format 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)'
            cand -n 'Stop after COUNT frames'
            cand --count 'Stop after COUNT frames'
            cand -T 'Stop when no frame arrived for this long (like candump -T), e.g. 500ms, 5s'
            cand --timeout 'Stop when no frame arrived for this long (like candump -T), e.g. 500ms, 5s'
            cand -f 'candump filter expression(s), e.g. 123:7FF,400~700,#FF,j'
            cand --filter 'candump filter expression(s), e.g. 123:7FF,400~700,#FF,j'
            cand -i 'Bus backend: udp_multicast (default: a bus shared by processes on this host), socketcan, virtual [env: CAN_INTERFACE]'
            cand --interface 'Bus backend: udp_multicast (default: a bus shared by processes on this host), socketcan, virtual [env: CAN_INTERFACE]'
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
            cand --nanos 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N'
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'canlogger;send'= {
            cand --id 'Instead of FRAME: the identifier in hex (8 digits or above 7FF: extended)'
            cand --data 'With --id: payload bytes as people type them: "12 34", "0x12,0xFF", "12-34", "1234"'
            cand -n 'How many rounds to send (0 = until interrupted)'
            cand --count 'How many rounds to send (0 = until interrupted)'
            cand -p 'Time between rounds, e.g. 10ms, 1s (humantime)'
            cand --period 'Time between rounds, e.g. 10ms, 1s (humantime)'
            cand -i 'Bus backend: udp_multicast (default: a bus shared by processes on this host), socketcan, virtual [env: CAN_INTERFACE]'
            cand --interface 'Bus backend: udp_multicast (default: a bus shared by processes on this host), socketcan, virtual [env: CAN_INTERFACE]'
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
            cand --ext 'With --id: send an extended (29-bit) frame even for a small id'
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'canlogger;wait'= {
            cand -F 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)'
            cand --format 'Output format: human (aligned columns), log (candump -L lines), json (one object per line)'
            cand --id 'Identifier to wait for, in hex (8 digits or above 7FF: extended)'
            cand --mask 'With --id: compare only these id bits (hex), e.g. 7F0'
            cand --d0 'First data byte must equal this (hex)'
            cand --d1 'Second data byte must equal this (hex)'
            cand --data-prefix 'The payload must start with these bytes: "02 41", "0x02,0x41", "0241"'
            cand -f 'candump filter expression(s) instead of --id (e.g. 123:7FF,#40)'
            cand --filter 'candump filter expression(s) instead of --id (e.g. 123:7FF,#40)'
            cand -T 'Give up after this long (0 = wait forever)'
            cand --timeout 'Give up after this long (0 = wait forever)'
            cand -i 'Bus backend: udp_multicast (default: a bus shared by processes on this host), socketcan, virtual [env: CAN_INTERFACE]'
            cand --interface 'Bus backend: udp_multicast (default: a bus shared by processes on this host), socketcan, virtual [env: CAN_INTERFACE]'
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
            cand --nanos 'log format: 9 fractional digits (nanoseconds) instead of 6, like candump -N'
            cand --ext 'With --id: the id is extended (29-bit) even if small'
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'canlogger;help'= {
            cand watch 'Print live frames'
            cand send 'Send one or more frames'
            cand wait 'Wait for the first frame that matches'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'canlogger;help;watch'= {
        }
        &'canlogger;help;send'= {
        }
        &'canlogger;help;wait'= {
        }
        &'canlogger;help;help'= {
        }
    ]
    $completions[$command]
}
