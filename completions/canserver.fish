# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_canserver_global_optspecs
    string join \n i/interface= c/channel= b/bitrate= fd no-fd data-bitrate= receive-own port= ttl= multicast-interface= bus-option= config= config-section= v/verbose bus= listen= socketcand-port= no-socketcand remote-port= no-remote http-port= no-http udp-peer= udp-listen= udp-format= udp-accept-any waveshare-port= no-beacon description= max-clients= read-only queue= slow-client= handshake-timeout= idle-timeout= e/error-mask= threads= q/quiet h/help V/version
end

function __fish_canserver_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_canserver_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_canserver_using_subcommand
    set -l cmd (__fish_canserver_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c canserver -n "__fish_canserver_needs_command" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canserver -n "__fish_canserver_needs_command" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canserver -n "__fish_canserver_needs_command" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canserver -n "__fish_canserver_needs_command" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canserver -n "__fish_canserver_needs_command" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canserver -n "__fish_canserver_needs_command" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canserver -n "__fish_canserver_needs_command" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canserver -n "__fish_canserver_needs_command" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canserver -n "__fish_canserver_needs_command" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canserver -n "__fish_canserver_needs_command" -l config-section -d 'Section of the config file to use' -r
complete -c canserver -n "__fish_canserver_needs_command" -l bus -d 'Serve this bus under NAME (repeatable): INTERFACE:CHANNEL, e.g. can0=socketcan:can0, test=virtual:bench; the other bus options (-b, --fd, --bus-option) apply to each' -r
complete -c canserver -n "__fish_canserver_needs_command" -l listen -d 'Address to listen on (repeatable; IPv4 or IPv6) [default: 127.0.0.1]' -r
complete -c canserver -n "__fish_canserver_needs_command" -l socketcand-port -d 'TCP port of the socketcand protocol' -r
complete -c canserver -n "__fish_canserver_needs_command" -l remote-port -d 'TCP port of python-can\'s remote protocols (binary and WebSocket)' -r
complete -c canserver -n "__fish_canserver_needs_command" -l http-port -d 'TCP port of the CAN-to-HTTP adaptor (server-sent events at /, GET /?id=…&data=[…] sends)' -r
complete -c canserver -n "__fish_canserver_needs_command" -l udp-peer -d 'Bridge a bus to this UDP peer (repeatable: the first pair of --udp-peer/--udp-listen bridges the first served bus, the second the second): its frames go to the peer as datagrams' -r
complete -c canserver -n "__fish_canserver_needs_command" -l udp-listen -d 'Receive a bridge\'s datagrams on this address (and send from it); frames in them go onto the bus (repeatable, paired with --udp-peer in order) [default: an ephemeral port]' -r
complete -c canserver -n "__fish_canserver_needs_command" -l udp-format -d 'The bridges\' datagrams: socketcan (one Linux struct can_frame/canfd_frame each, can_id little-endian, as the seed\'s adaptor) or cannelloni (the cannelloni tunnel\'s packets)' -r -f -a "socketcan\t''
cannelloni\t''"
complete -c canserver -n "__fish_canserver_needs_command" -l waveshare-port -d 'Act as a Waveshare CAN-to-Ethernet gateway: 13-byte records over TCP on this port for the first served bus, the next port for the second, … (the device\'s 20001, 20002) [default: off]' -r
complete -c canserver -n "__fish_canserver_needs_command" -l description -d 'The beacon\'s description' -r
complete -c canserver -n "__fish_canserver_needs_command" -l max-clients -d 'Clients served at once; more are refused with the protocol\'s error' -r
complete -c canserver -n "__fish_canserver_needs_command" -l queue -d 'Frames queued per client before its oldest are dropped' -r
complete -c canserver -n "__fish_canserver_needs_command" -l slow-client -d 'What happens to a client whose queue is full: drop-oldest (counted, logged) or disconnect' -r -f -a "drop-oldest\t''
disconnect\t''"
complete -c canserver -n "__fish_canserver_needs_command" -l handshake-timeout -d 'Time a client has to open a bus or send its bus request' -r
complete -c canserver -n "__fish_canserver_needs_command" -l idle-timeout -d 'Disconnect a client that sends nothing for this long (default: never; TCP keep-alive finds vanished peers)' -r
complete -c canserver -n "__fish_canserver_needs_command" -s e -l error-mask -d 'socketcand RAW mode: forward error frames of these classes (hex CAN_ERR_* mask, as the daemon\'s -e; 1FFFFFFF for all)' -r
complete -c canserver -n "__fish_canserver_needs_command" -l threads -d 'Worker threads serving the clients. One has the fewest wake-ups between threads and the lowest latency (measured: benches/server_fanout.rs); more spread a fan-out to hundreds of busy clients over more cores' -r
complete -c canserver -n "__fish_canserver_needs_command" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canserver -n "__fish_canserver_needs_command" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canserver -n "__fish_canserver_needs_command" -l receive-own -d 'Also receive the frames this process sends'
complete -c canserver -n "__fish_canserver_needs_command" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canserver -n "__fish_canserver_needs_command" -l no-socketcand -d 'Do not serve the socketcand protocol'
complete -c canserver -n "__fish_canserver_needs_command" -l no-remote -d 'Do not serve python-can\'s remote protocols'
complete -c canserver -n "__fish_canserver_needs_command" -l no-http -d 'Do not serve HTTP'
complete -c canserver -n "__fish_canserver_needs_command" -l udp-accept-any -d 'Take bridge datagrams from any sender, not only the peer\'s address'
complete -c canserver -n "__fish_canserver_needs_command" -l no-beacon -d 'Do not send the socketcand discovery beacon (UDP 42000, every 3 s)'
complete -c canserver -n "__fish_canserver_needs_command" -l read-only -d 'Clients only receive: nothing they send reaches the bus (they are told)'
complete -c canserver -n "__fish_canserver_needs_command" -s q -l quiet -d 'Print nothing but errors'
complete -c canserver -n "__fish_canserver_needs_command" -s h -l help -d 'Print help'
complete -c canserver -n "__fish_canserver_needs_command" -s V -l version -d 'Print version'
complete -c canserver -n "__fish_canserver_needs_command" -f -a "serve" -d 'Serve (the default action)'
complete -c canserver -n "__fish_canserver_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -s i -l interface -d 'Bus backend: udp_multicast, socketcan, virtual, socketcand, remote, waveshare (default udp_multicast: a bus shared by processes on this host) [env: CAN_INTERFACE]' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -s c -l channel -d 'Channel: SocketCAN interface (can0, vcan0), multicast group (239.74.163.2), virtual bus name [env: CAN_CHANNEL]' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -s b -l bitrate -d 'Nominal bit rate, e.g. 500000, 500k, 1M [env: CAN_BITRATE]' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l data-bitrate -d 'CAN FD data-phase bit rate, e.g. 2M' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l port -d 'udp_multicast: UDP port (default 43113)' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l ttl -d 'udp_multicast: multicast TTL; 0 (default) keeps datagrams on this host' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l multicast-interface -d 'udp_multicast: local IPv4 address of the interface to use (default 127.0.0.1)' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l bus-option -d 'Any backend option as python-can\'s keyword, e.g. --bus-option port=43114' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l config -d 'python-can config file to read instead of /etc/can.conf, ~/.can, ~/.canrc' -r -F
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l config-section -d 'Section of the config file to use' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l bus -d 'Serve this bus under NAME (repeatable): INTERFACE:CHANNEL, e.g. can0=socketcan:can0, test=virtual:bench; the other bus options (-b, --fd, --bus-option) apply to each' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l listen -d 'Address to listen on (repeatable; IPv4 or IPv6) [default: 127.0.0.1]' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l socketcand-port -d 'TCP port of the socketcand protocol' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l remote-port -d 'TCP port of python-can\'s remote protocols (binary and WebSocket)' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l http-port -d 'TCP port of the CAN-to-HTTP adaptor (server-sent events at /, GET /?id=…&data=[…] sends)' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l udp-peer -d 'Bridge a bus to this UDP peer (repeatable: the first pair of --udp-peer/--udp-listen bridges the first served bus, the second the second): its frames go to the peer as datagrams' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l udp-listen -d 'Receive a bridge\'s datagrams on this address (and send from it); frames in them go onto the bus (repeatable, paired with --udp-peer in order) [default: an ephemeral port]' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l udp-format -d 'The bridges\' datagrams: socketcan (one Linux struct can_frame/canfd_frame each, can_id little-endian, as the seed\'s adaptor) or cannelloni (the cannelloni tunnel\'s packets)' -r -f -a "socketcan\t''
cannelloni\t''"
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l waveshare-port -d 'Act as a Waveshare CAN-to-Ethernet gateway: 13-byte records over TCP on this port for the first served bus, the next port for the second, … (the device\'s 20001, 20002) [default: off]' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l description -d 'The beacon\'s description' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l max-clients -d 'Clients served at once; more are refused with the protocol\'s error' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l queue -d 'Frames queued per client before its oldest are dropped' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l slow-client -d 'What happens to a client whose queue is full: drop-oldest (counted, logged) or disconnect' -r -f -a "drop-oldest\t''
disconnect\t''"
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l handshake-timeout -d 'Time a client has to open a bus or send its bus request' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l idle-timeout -d 'Disconnect a client that sends nothing for this long (default: never; TCP keep-alive finds vanished peers)' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -s e -l error-mask -d 'socketcand RAW mode: forward error frames of these classes (hex CAN_ERR_* mask, as the daemon\'s -e; 1FFFFFFF for all)' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l threads -d 'Worker threads serving the clients. One has the fewest wake-ups between threads and the lowest latency (measured: benches/server_fanout.rs); more spread a fan-out to hundreds of busy clients over more cores' -r
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l fd -d 'Open the bus for CAN FD frames (the default)'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l no-fd -d 'Classic CAN only: FD frames are neither sent nor received'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l receive-own -d 'Also receive the frames this process sends'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -s v -l verbose -d 'Print the bus opened and where each setting came from (on stderr)'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l no-socketcand -d 'Do not serve the socketcand protocol'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l no-remote -d 'Do not serve python-can\'s remote protocols'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l no-http -d 'Do not serve HTTP'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l udp-accept-any -d 'Take bridge datagrams from any sender, not only the peer\'s address'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l no-beacon -d 'Do not send the socketcand discovery beacon (UDP 42000, every 3 s)'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -l read-only -d 'Clients only receive: nothing they send reaches the bus (they are told)'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -s q -l quiet -d 'Print nothing but errors'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -s h -l help -d 'Print help'
complete -c canserver -n "__fish_canserver_using_subcommand serve" -s V -l version -d 'Print version'
complete -c canserver -n "__fish_canserver_using_subcommand help; and not __fish_seen_subcommand_from serve help" -f -a "serve" -d 'Serve (the default action)'
complete -c canserver -n "__fish_canserver_using_subcommand help; and not __fish_seen_subcommand_from serve help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
