
use builtin;
use str;

set edit:completion:arg-completer[canplayer] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'canplayer'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'canplayer'= {
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
            cand -I 'Input file (can-utils'' -I; python-can''s -f); repeatable, played before FILE arguments'
            cand -f 'Input file (can-utils'' -I; python-can''s -f); repeatable, played before FILE arguments'
            cand --input 'Input file (can-utils'' -I; python-can''s -f); repeatable, played before FILE arguments'
            cand --map 'Send frames recorded on channel SRC to channel DST of the selected backend, or to INTERFACE:CHANNEL; repeatable. Frames of unmapped channels are skipped'
            cand --from 'Input format when the extension does not say: asc, blf, log, trc, csv, db (CSV layouts and TRC dialects are told apart by their headers)'
            cand --tz 'Time zone of naive dates in headers: local (default), utc, +02:00'
            cand --speed 'Replay speed factor: 2 plays twice as fast, 0.5 half as fast'
            cand -g 'Minimum gap between two frames in milliseconds (can-utils'' -g), e.g. 1 or 0.2'
            cand --gap 'Minimum gap between two frames in milliseconds (can-utils'' -g), e.g. 1 or 0.2'
            cand -s 'Cut pauses longer than this (seconds, or 500ms, 2m) to this length (python-can''s -s)'
            cand --skip 'Cut pauses longer than this (seconds, or 500ms, 2m) to this length (python-can''s -s)'
            cand --start 'Drop frames before this time: UNIX seconds, a date (2024-03-01T12:00:00, UTC), or an offset from the first frame (10s, 1m30s)'
            cand --end 'Drop frames after this time (same forms as --start)'
            cand --filter 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR''ed)'
            cand -l 'Play everything N times; i = forever (until Ctrl-C)'
            cand --loop 'Play everything N times; i = forever (until Ctrl-C)'
            cand --realtime 'Replay with real-time priority (SCHED_FIFO; --realtime=PRIORITY for 1-99, default 50; needs root or CAP_SYS_NICE) so a busy machine delays frames less'
            cand --fd 'Open the bus for CAN FD frames (the default)'
            cand --no-fd 'Classic CAN only: FD frames are neither sent nor received'
            cand --receive-own 'Also receive the frames this process sends'
            cand -v 'Print the bus opened and where each setting came from (on stderr)'
            cand --verbose 'Print the bus opened and where each setting came from (on stderr)'
            cand --strict 'Stop at the first malformed record (exit code 1) instead of skipping it'
            cand --utc 'Naive dates in headers are UTC (same as --tz utc)'
            cand -t 'Ignore timestamps: send frames back to back (--gap apart)'
            cand --ignore-timestamps 'Ignore timestamps: send frames back to back (--gap apart)'
            cand --error-frames 'Also send error frames (skipped by default, as python-can''s player does)'
            cand -q 'No summary on stderr'
            cand --quiet 'No summary on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
    ]
    $completions[$command]
}
