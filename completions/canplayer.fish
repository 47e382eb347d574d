complete -c canplayer -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canplayer -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canplayer -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canplayer -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canplayer -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canplayer -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canplayer -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canplayer -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canplayer -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canplayer -l config-section -d 'Section of the config file to use' -r
complete -c canplayer -s I -s f -l input -d 'Input file (can-utils\' -I; python-can\'s -f); repeatable, played before FILE arguments' -r -F
complete -c canplayer -l map -d 'Send frames recorded on channel SRC to channel DST of the selected backend, or to INTERFACE:CHANNEL; repeatable. Frames of unmapped channels are skipped' -r
complete -c canplayer -l from -d 'Input format when the extension does not say: asc, blf, log, trc, csv, db (CSV layouts and TRC dialects are told apart by their headers)' -r
complete -c canplayer -l tz -d 'Time zone of naive dates in headers: local (default), utc, +02:00' -r
complete -c canplayer -l speed -d 'Replay speed factor: 2 plays twice as fast, 0.5 half as fast' -r
complete -c canplayer -s g -l gap -d 'Minimum gap between two frames in milliseconds (can-utils\' -g), e.g. 1 or 0.2' -r
complete -c canplayer -s s -l skip -d 'Cut pauses longer than this (seconds, or 500ms, 2m) to this length (python-can\'s -s)' -r
complete -c canplayer -l start -d 'Drop frames before this time: UNIX seconds, a date (2024-03-01T12:00:00, UTC), or an offset from the first frame (10s, 1m30s)' -r
complete -c canplayer -l end -d 'Drop frames after this time (same forms as --start)' -r
complete -c canplayer -l filter -d 'candump filter expression(s), e.g. 123:7FF,400~7F0,#FF,j; repeatable (OR\'ed)' -r
complete -c canplayer -s l -l loop -d 'Play everything N times; i = forever (until Ctrl-C)' -r
complete -c canplayer -l realtime -d 'Replay with real-time priority (SCHED_FIFO; --realtime=PRIORITY for 1-99, default 50; needs root or CAP_SYS_NICE) so a busy machine delays frames less' -r
complete -c canplayer -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canplayer -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canplayer -l receive-own -d 'Also receive the frames this process sends'
complete -c canplayer -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canplayer -l strict -d 'Stop at the first malformed record (exit code 1) instead of skipping it'
complete -c canplayer -l utc -d 'Naive dates in headers are UTC (same as --tz utc)'
complete -c canplayer -s t -l ignore-timestamps -d 'Ignore timestamps: send frames back to back (--gap apart)'
complete -c canplayer -l error-frames -d 'Also send error frames (skipped by default, as python-can\'s player does)'
complete -c canplayer -s q -l quiet -d 'No summary on stderr'
complete -c canplayer -s h -l help -d 'Print help'
complete -c canplayer -s V -l version -d 'Print version'
