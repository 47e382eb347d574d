//! `canserver` spoken to byte for byte over raw TCP, as the socketcand daemon is: many clients
//! on one bus, the BCM, RAW and CONTROL modes, `< list >`, and everything a careless or hostile
//! client can do (garbage, oversized and half elements, unknown commands, wrong byte counts,
//! invalid ids, silence, never reading, one client too many, sending to a read-only server).
//! After each, the server must still run, serve the other clients, and have named the peer in
//! its log. No peer program is needed: canserver serves a private udp_multicast bus and
//! `canlogger --port N` is the bus's other end.

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::canserver::{run_ok, Raw, Server, Watch};

const T: Duration = Duration::from_secs(20);

/// The tests that load both cores (floods, 100 clients) run one at a time, so that each measures
/// canserver rather than the machine's load.
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY.lock().unwrap_or_else(|e| e.into_inner())
}

/// `< frame ID SEC.USEC HEX >` (RAW mode) as `ID#HEX`; `None` for anything else. The time must
/// be seconds, a dot and exactly 6 digits.
fn raw_frame(element: &str) -> Option<String> {
    let inner = element.strip_prefix("< ")?.strip_suffix(" >")?;
    let mut w = inner.split(' ');
    if w.next()? != "frame" {
        return None;
    }
    let id = w.next()?;
    assert_time(w.next()?, element);
    let data = w.next().unwrap_or("");
    assert!(w.next().is_none(), "extra words in {element:?}");
    Some(format!("{id}#{data}"))
}

/// `< frame ID SEC.USEC B0 B1 …  >` (BCM mode: each byte followed by a space, so two spaces before
/// `>`) as `ID#HEX`.
fn bcm_frame(element: &str) -> Option<String> {
    let inner = element.strip_prefix("< frame ")?.strip_suffix("  >").or_else(|| {
        // A frame without data: `< frame 123 1700000000.000000  >`.
        element.strip_prefix("< frame ")?.strip_suffix(" >")
    })?;
    let mut w = inner.split(' ');
    let id = w.next()?;
    assert_time(w.next()?, element);
    let bytes: Vec<&str> = w.filter(|b| !b.is_empty()).collect();
    for b in &bytes {
        assert!(
            b.len() == 2 && b.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()),
            "{element:?}"
        );
    }
    Some(format!("{id}#{}", bytes.concat()))
}

fn assert_time(t: &str, element: &str) {
    let (sec, usec) = t.split_once('.').unwrap_or_else(|| panic!("no time in {element:?}"));
    assert!(!sec.is_empty() && sec.bytes().all(|b| b.is_ascii_digit()), "time in {element:?}");
    assert!(usec.len() == 6 && usec.bytes().all(|b| b.is_ascii_digit()), "time in {element:?}");
}

/// The RAW frames among `elements` (everything else must be absent).
fn raw_frames(elements: &[String]) -> Vec<String> {
    elements.iter().map(|e| raw_frame(e).unwrap_or_else(|| panic!("not a frame: {e:?}"))).collect()
}

fn send_on_bus(server: &Server, frames: &[String]) {
    run_ok(server.on_bus(common::canlogger()).arg("send").args(frames), T);
}

// ---------------------------------------------------------------------------------------------
// Many clients
// ---------------------------------------------------------------------------------------------

#[test]
fn a_hundred_clients_each_receive_every_frame_of_a_burst_in_order() {
    let _heavy = heavy();
    let server = Server::start(&[]);
    let mut clients: Vec<Raw> = (0..100)
        .map(|_| {
            let mut c = server.raw();
            c.raw_mode("can0");
            c
        })
        .collect();
    let burst: Vec<String> = (0..200u32)
        .map(|i| {
            if i % 2 == 0 {
                format!("{:03X}#{i:08X}", 0x100 + i)
            } else {
                format!("{:08X}#{i:04X}", 0x1000_0000 + i)
            }
        })
        .collect();
    let start = Instant::now();
    send_on_bus(&server, &burst);
    for (n, client) in clients.iter_mut().enumerate() {
        let mut got = Vec::new();
        while got.len() < burst.len() {
            let Some(e) = client.element(Duration::from_secs(30)) else { break };
            got.push(raw_frame(&e).unwrap_or_else(|| panic!("client {n}: not a frame: {e:?}")));
        }
        assert_eq!(got.len(), burst.len(), "client {n} received {} of {} frames", got.len(), burst.len());
        assert_eq!(got, burst, "client {n}");
    }
    eprintln!("100 clients x 200 frames in {:?}", start.elapsed());
    assert_eq!(server.log().matches("opened can0").count(), 100, "{}", server.log());
    assert!(!server.log().contains("not keeping up"), "{}", server.log());
}

// ---------------------------------------------------------------------------------------------
// Modes and commands
// ---------------------------------------------------------------------------------------------

#[test]
fn list_names_the_offered_buses_and_open_refuses_others() {
    let server = Server::start(&["--bus", "alpha=udp_multicast", "--bus", "beta=udp_multicast"]);
    let mut c = server.raw();
    c.expect("< hi >");
    c.send("< list >");
    c.expect("< interfaces alpha beta >");
    c.send("< open gamma >");
    c.expect("< error could not open bus >");
    assert!(c.closed_within(T), "the connection stays open after a refused open");
    server.expect_line(&[&c.local(), "gamma"], T);

    // The default bus is offered as can0 too.
    let server = Server::start(&[]);
    let mut c = server.raw();
    c.expect("< hi >");
    c.send("< list >");
    let list = c.element(T).expect("an answer to < list >");
    assert!(list.starts_with("< interfaces ") && list.contains(" can0 "), "{list}");
}

#[test]
fn echo_mode_switches_and_unknown_commands_answer_as_the_daemon() {
    let mut server = Server::start(&[]);
    let mut c = server.raw();
    c.bcm_mode("can0");
    c.send("< echo >");
    c.expect("< echo >");
    // The mode already active is not a switch: an unknown command.
    c.send("< bcmmode >");
    c.expect("< error unknown command >");
    c.send("< rawmode >");
    c.expect("< ok >");
    c.send("< rawmode >");
    c.expect("< error unknown command >");
    c.send("< frobnicate 1 2 3 >");
    c.expect("< error unknown command >");
    // BCM commands are unknown in RAW mode.
    c.send("< add 1 0 123 1 11 >");
    c.expect("< error unknown command >");
    c.send("< controlmode >");
    c.expect("< ok >");
    c.send("< send 123 1 11 >");
    c.expect("< error unknown command >");
    c.send("< bcmmode >");
    c.expect("< ok >");
    c.send("< echo >");
    c.expect("< echo >");
    server.expect_line(&[&c.local(), "frobnicate"], T);
    server.assert_running();
}

#[test]
fn wrong_byte_counts_and_invalid_ids_are_silent_and_send_nothing() {
    let mut server = Server::start(&[]);
    let mut watch = Watch::start(&mut server.on_bus(common::canlogger()));
    let mut c = server.raw();
    c.raw_mode("can0");
    for bad in [
        "< send 123 3 11 22 >",             // fewer bytes than the length
        "< send 123 1 11 22 >",             // more
        "< send XYZ 1 11 >",                // not a hex id
        "< send 123 1 1G >",                // not a hex byte
        "< send 123 1 123 >",               // a byte of 3 digits
        "< send 123 9 1 2 3 4 5 6 7 8 9 >", // neither classic nor a CAN FD length
        "< send 123 >",                     // no length
        "< send 1FFFFFFFFF 1 11 >",         // more than 32 bits
    ] {
        c.send(bad);
    }
    // The daemon answers syntax errors with silence.
    assert_eq!(c.elements_for(Duration::from_millis(1000)), Vec::<String>::new());
    // Then a good one, which alone reaches the bus; 8 characters make an extended id, python-
    // can's unpadded lowercase bytes and hex length are fine.
    c.send("< send 123 2 11 22 >< send 00000456 1 a >");
    assert_eq!(watch.frames(2, T), ["123#1122", "00000456#0A"]);
    assert_eq!(watch.frames_for(Duration::from_millis(500)), Vec::<String>::new());
    watch.stop();
    let peer = c.local();
    server.expect_line(&[&peer, "ignored", "< send 123 3 11 22 >"], T);
    server.assert_running();
}

#[test]
fn bcm_cyclic_jobs_reach_other_clients_and_stop_when_deleted() {
    let mut server = Server::start(&[]);
    let mut bcm = server.raw();
    bcm.bcm_mode("can0");
    let mut other = server.raw();
    other.raw_mode("can0");
    let mut watch = Watch::start(&mut server.on_bus(common::canlogger()));

    bcm.send("< add 0 100000 123 2 11 22 >");
    let seen = raw_frames(&other.elements_for(Duration::from_millis(1500)));
    assert!(seen.len() >= 5 && seen.iter().all(|f| f == "123#1122"), "{seen:?}");
    let on_bus = watch.frames_for(Duration::from_millis(200));
    assert!(!on_bus.is_empty() && on_bus.iter().all(|f| f == "123#1122"), "{on_bus:?}");

    // update: new data, same timer.
    bcm.send("< update 123 2 33 44 >");
    std::thread::sleep(Duration::from_millis(300));
    let _ = other.elements_for(Duration::from_millis(50));
    let seen = raw_frames(&other.elements_for(Duration::from_millis(1000)));
    assert!(seen.len() >= 3 && seen.iter().all(|f| f == "123#3344"), "{seen:?}");

    // An extended job next to it, then both deleted.
    bcm.send("< add 0 100000 1ABCDEF0 1 55 >");
    let seen = raw_frames(&other.elements_for(Duration::from_millis(1000)));
    assert!(seen.contains(&"1ABCDEF0#55".to_string()) && seen.contains(&"123#3344".to_string()), "{seen:?}");
    bcm.send("< delete 123 >< delete 1ABCDEF0 >");
    std::thread::sleep(Duration::from_millis(300));
    let _ = other.elements_for(Duration::from_millis(50));
    assert_eq!(
        other.elements_for(Duration::from_millis(1000)),
        Vec::<String>::new(),
        "jobs still run after delete"
    );
    let _ = watch.frames_for(Duration::from_millis(100));
    assert_eq!(watch.frames_for(Duration::from_millis(500)), Vec::<String>::new());
    watch.stop();
    // The sender hears nothing of its own jobs (it subscribed to nothing).
    assert_eq!(bcm.elements_for(Duration::from_millis(200)), Vec::<String>::new());
    server.assert_running();
}

#[test]
fn bcm_jobs_end_with_the_connection() {
    let server = Server::start(&[]);
    let mut other = server.raw();
    other.raw_mode("can0");
    {
        let mut bcm = server.raw();
        bcm.bcm_mode("can0");
        bcm.send("< add 0 50000 321 1 01 >");
        let seen = raw_frames(&other.elements_for(Duration::from_millis(500)));
        assert!(!seen.is_empty(), "the job never ran");
    }
    server.expect_line(&["socketcand client disconnected", "client closed the connection"], T);
    std::thread::sleep(Duration::from_millis(200));
    let _ = other.elements_for(Duration::from_millis(50));
    assert_eq!(other.elements_for(Duration::from_millis(800)), Vec::<String>::new());
}

#[test]
fn bcm_subscribe_and_filter_deliver_bcm_format_frames() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    c.bcm_mode("can0");
    c.send("< subscribe 0 0 123 >< subscribe 0 0 1ABCDEF0 >< filter 0 0 200 1 F0 >");
    // Let the commands be read before frames come.
    c.send("< echo >");
    c.expect("< echo >");
    let frames: Vec<String> =
        ["124#01", "123#AABB", "1ABCDEF0#", "200#01", "200#02", "200#12", "123#CC", "200#13", "200#23"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    send_on_bus(&server, &frames);
    let got = c.elements_for(Duration::from_millis(1500));
    for e in &got {
        assert!(e.ends_with("  >"), "BCM frames end with two spaces: {e:?}");
    }
    let got: Vec<String> = got.iter().map(|e| bcm_frame(e).unwrap_or_else(|| panic!("{e:?}"))).collect();
    // subscribe: every frame of the id; filter: the first, then changes of the masked bits.
    assert_eq!(got, ["123#AABB", "1ABCDEF0#", "200#01", "200#12", "123#CC", "200#23"]);

    c.send("< unsubscribe 123 >< echo >");
    c.expect("< echo >");
    send_on_bus(&server, &["123#01".to_string(), "1ABCDEF0#02".to_string()]);
    let got: Vec<String> =
        c.elements_for(Duration::from_millis(1000)).iter().filter_map(|e| bcm_frame(e)).collect();
    assert_eq!(got, ["1ABCDEF0#02"]);
}

#[test]
fn control_mode_sends_statistics_until_stopped() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    c.bcm_mode("can0");
    c.send("< controlmode >");
    c.expect("< ok >");
    send_on_bus(&server, &["123#11".to_string(), "124#2233".to_string()]);
    c.send("< statistics 100 >");
    let stats = c.elements_for(Duration::from_millis(1500));
    assert!(stats.len() >= 5, "{stats:?}");
    for s in &stats {
        let w: Vec<&str> = s.split(' ').collect();
        assert!(w.len() == 7 && w[1] == "stat" && w[6] == ">", "{s:?}");
        assert!(w[2..6].iter().all(|n| n.parse::<u64>().is_ok()), "{s:?}");
    }
    // rbytes rpackets tbytes tpackets: the two frames received, 3 bytes.
    let last: Vec<u64> =
        stats.last().unwrap().split(' ').skip(2).take(4).map(|n| n.parse().unwrap()).collect();
    assert_eq!(&last[..2], &[3, 2], "{stats:?}");
    c.send("< statistics 0 >");
    std::thread::sleep(Duration::from_millis(300));
    let _ = c.elements_for(Duration::from_millis(50));
    assert_eq!(c.elements_for(Duration::from_millis(800)), Vec::<String>::new());
    // A mode switch stops them too, as the daemon's does: the `< ok >` comes alone.
    c.send("< statistics 50 >");
    std::thread::sleep(Duration::from_millis(200));
    c.send("< rawmode >");
    let mut rest = c.elements_for(Duration::from_millis(600));
    rest.retain(|e| !e.starts_with("< stat "));
    assert_eq!(rest, vec!["< ok >".to_string()]);
    assert!(c.elements_for(Duration::from_millis(500)).is_empty(), "statistics went on in RAW mode");
}

#[test]
fn the_daemons_quirks_empty_element_and_echoed_frames_stamped_when_sent() {
    let server = Server::start(&[]);
    let mut c = server.raw();
    c.expect("< hi >");
    // `< >` in NO_BUS mode: the daemon answers an unknown command and then `< ok >`.
    c.send("< >");
    c.expect("< error unknown command >");
    c.expect("< ok >");
    c.send("< open can0 >");
    c.expect("< ok >");
    c.send("< rawmode >");
    c.expect("< ok >");
    std::thread::sleep(Duration::from_millis(200));
    // A frame a remote client sends with an old timestamp (a replayed log) reaches the others
    // stamped with the time it was sent.
    let mut remote = server.raw_remote();
    remote.send(binary_bus_request());
    let mut old = binary_message(0x321, &[1]);
    old[1..9].copy_from_slice(&1_500_000_000.0f64.to_be_bytes());
    std::thread::sleep(Duration::from_millis(300));
    remote.send(old);
    let e = c.element(T).expect("the frame");
    let secs: f64 = e.split(' ').nth(3).unwrap().parse().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    assert!((now - secs).abs() < 60.0, "{e} carries the sender's time, not the time it was sent");
}

#[test]
fn read_only_server_tells_the_client_and_sends_nothing() {
    let mut server = Server::start(&["--read-only"]);
    let mut watch = Watch::start(&mut server.on_bus(common::canlogger()));
    let mut c = server.raw();
    c.raw_mode("can0");
    c.send("< send 123 1 11 >");
    let told = c.element(T).expect("a reply");
    assert!(told.starts_with("< error ") && told.contains("read-only"), "{told}");
    c.send("< send 124 1 22 >");
    c.send("< bcmmode >");
    c.expect("< ok >");
    c.send("< add 0 10000 125 1 33 >");
    assert_eq!(watch.frames_for(Duration::from_millis(1000)), Vec::<String>::new(), "frames reached the bus");
    // Receiving still works.
    c.send("< rawmode >");
    c.expect("< ok >");
    send_on_bus(&server, &["321#AB".to_string()]);
    let got: Vec<String> =
        c.elements_for(Duration::from_millis(1000)).iter().filter_map(|e| raw_frame(e)).collect();
    assert_eq!(got, ["321#AB"]);
    watch.stop();
    server.expect_line(&[&c.local(), "read-only"], T);

    // A python-can 2.0 binary client sending a frame is told with TransmitFail/RemoteException.
    let mut r = server.raw_remote();
    r.send(binary_bus_request());
    let response = r.bytes_for(Duration::from_millis(1000));
    assert_eq!(response.first(), Some(&2), "BusResponse expected: {response:?}");
    r.send(binary_message(0x123, &[1]));
    let answer = r.bytes_for(Duration::from_millis(1000));
    assert!(answer.contains(&6) && String::from_utf8_lossy(&answer).contains("read-only"), "{answer:?}");
    server.assert_running();
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

#[test]
fn garbage_oversized_and_half_elements_do_not_hurt_the_server_or_others() {
    let mut server = Server::start(&[]);
    let mut bystander = server.raw();
    bystander.raw_mode("can0");

    let mut c = server.raw();
    c.expect("< hi >");
    // Bytes outside elements are thrown away, as the daemon does.
    c.send(b"GET / HTTP/1.0\r\n\r\n\x00\xff\xfe garbage without brackets\n".as_slice());
    c.send("< open can0 >");
    c.expect("< ok >");
    // An element longer than the daemon's buffer (8290 bytes) without '>' is discarded…
    let mut oversized = b"< send 123 1 ".to_vec();
    oversized.extend(std::iter::repeat_n(b'A', 20_000));
    c.send(&oversized);
    c.send(" 11 >");
    // …and the connection goes on.
    c.send("< echo >");
    c.expect("< echo >");
    server.expect_line(&[&c.local(), "longer than"], T);
    // A non-ASCII element is an unknown command, not a crash.
    c.send(b"< \xff\xfe\x00 >".as_slice());
    c.expect("< error unknown command >");

    // Half an element, then the client goes away.
    let mut half = server.raw();
    half.expect("< hi >");
    half.send("< open ca");
    let peer = half.local();
    drop(half);
    server.expect_line(&[&peer, "disconnected"], T);

    // Garbage on the remote port: not python-can's binary protocol nor a WebSocket.
    let mut r = server.raw_remote();
    r.send(b"\xee\xee\xee\xee garbage".as_slice());
    assert!(r.closed_within(T), "the remote port kept a garbage connection");
    server.expect_line(&[&r.local(), "protocol error"], T);
    let mut r = server.raw_remote();
    r.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(r.closed_within(T), "the remote port kept a plain HTTP request");
    server.expect_line(&[&r.local(), "WebSocket"], T);

    // The bystander is still served.
    send_on_bus(&server, &["7FF#01".to_string()]);
    let got: Vec<String> =
        bystander.elements_for(Duration::from_millis(1000)).iter().filter_map(|e| raw_frame(e)).collect();
    assert_eq!(got, ["7FF#01"]);
    server.assert_running();
}

#[test]
fn silent_clients_are_dropped_after_the_handshake_timeout() {
    let mut server = Server::start(&["--handshake-timeout", "1s"]);
    let started = Instant::now();
    let mut c = server.raw();
    c.expect("< hi >");
    let mut r = server.raw_remote();
    assert!(c.closed_within(T), "a socketcand client that said nothing was kept");
    assert!(r.closed_within(T), "a remote client that said nothing was kept");
    assert!(started.elapsed() >= Duration::from_millis(900), "closed before the timeout");
    server.expect_line(&[&c.local(), "handshake timeout"], T);
    server.expect_line(&[&r.local(), "handshake timeout"], T);

    // A client that opened a bus is not subject to it.
    let mut ok = server.raw();
    ok.raw_mode("can0");
    std::thread::sleep(Duration::from_millis(2000));
    ok.send("< echo >");
    ok.expect("< echo >");
    server.assert_running();
}

#[test]
fn idle_timeout_disconnects_a_client_that_sends_nothing() {
    let server = Server::start(&["--idle-timeout", "1s"]);
    let mut c = server.raw();
    c.raw_mode("can0");
    assert!(c.closed_within(T));
    server.expect_line(&[&c.local(), "idle timeout"], T);
}

#[test]
fn one_client_too_many_is_refused_with_the_protocols_error() {
    let mut server = Server::start(&["--max-clients", "2"]);
    let mut a = server.raw();
    a.raw_mode("can0");
    let mut b = server.raw();
    b.expect("< hi >");

    let mut c = server.raw();
    let refusal = c.element(T).expect("a refusal");
    assert!(refusal.starts_with("< error too many clients"), "{refusal}");
    assert!(c.closed_within(T));
    server.expect_line(&[&c.local(), "refused"], T);

    // python-can 2.0's binary protocol: a RemoteException event (6, length, text).
    let mut r = server.raw_remote();
    r.send(binary_bus_request());
    let bytes = r.bytes_for(Duration::from_millis(2000));
    assert_eq!(bytes.first(), Some(&6), "RemoteException expected: {bytes:?}");
    let n = usize::from(bytes[1]);
    let text = String::from_utf8_lossy(&bytes[2..2 + n]);
    assert!(text.contains("too many clients"), "{text}");
    server.expect_line(&[&r.local(), "refused"], T);

    // The clients already there are served; a slot that frees up is taken again.
    drop(b);
    server.expect_line(&["socketcand client disconnected"], T);
    let mut d = server.raw();
    d.raw_mode("can0");
    send_on_bus(&server, &["123#01".to_string()]);
    assert_eq!(raw_frames(&a.elements_for(Duration::from_millis(800))), ["123#01"]);
    assert_eq!(raw_frames(&d.elements_for(Duration::from_millis(800))), ["123#01"]);
    server.assert_running();
}

/// python-can 2.0.0a2's handshake: BusRequest (version 4, 500 kbit/s), FilterConfig (none).
fn binary_bus_request() -> Vec<u8> {
    let mut v = vec![1, 4];
    v.extend_from_slice(&500_000i32.to_be_bytes());
    v.extend_from_slice(&[10, 0]);
    v
}

/// A CanMessage event (standard id).
fn binary_message(id: u32, data: &[u8]) -> Vec<u8> {
    let mut v = vec![3];
    v.extend_from_slice(&0f64.to_be_bytes());
    v.extend_from_slice(&id.to_be_bytes());
    v.push(data.len() as u8);
    v.push(0);
    let mut padded = [0u8; 8];
    padded[..data.len()].copy_from_slice(data);
    v.extend_from_slice(&padded);
    v
}

/// A client that never reads while `frames` frames flow from another client; a third one
/// reads everything. Returns the never-reader's address, the reader's frames and canserver's
/// memory growth in kB.
fn flood_past_a_client_that_never_reads(server: &Server, frames: usize) -> (String, usize, i64) {
    // The never-reader: a small receive buffer so the kernel holds little for it.
    let addr: SocketAddr = ([127, 0, 0, 1], server.socketcand).into();
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&addr.into()).unwrap();
    let mut sleeper = Raw::from_stream(socket.into());
    sleeper.raw_mode("can0");
    let sleeper_addr = sleeper.local();

    let mut reader = server.raw();
    reader.raw_mode("can0");
    // Counts elements as fast as it can read them, until the last frame (id 7FF) or 30 s of
    // silence.
    let reader_thread = std::thread::spawn(move || {
        use std::io::Read;
        let mut n = 0usize;
        let mut buf = vec![0u8; 1 << 20];
        let mut tail = Vec::new();
        reader.stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        loop {
            match reader.stream.read(&mut buf) {
                Ok(0) | Err(_) => return n,
                Ok(k) => {
                    n += buf[..k].iter().filter(|&&b| b == b'>').count();
                    tail.extend_from_slice(&buf[..k]);
                    let keep = tail.len().saturating_sub(64);
                    tail.drain(..keep);
                    if tail.windows(12).any(|w| w == b"< frame 7FF ") && tail.ends_with(b">") {
                        return n;
                    }
                }
            }
        }
    });

    let rss_before = server.rss_kb() as i64;
    let mut sender = server.raw();
    sender.raw_mode("can0");
    // Paced at 25k frames/s (100 every 4 ms): within what canserver handles, so the reader keeps
    // up, and fast enough to fill the kernel's buffers for the never-reader (its server-side
    // send buffer grows to 4 MB, some 85 000 frames) within a few seconds.
    let started = Instant::now();
    let mut chunk = String::new();
    for (k, block) in (0..frames).collect::<Vec<_>>().chunks(100).enumerate() {
        chunk.clear();
        for i in block {
            chunk.push_str(&format!("< send 123 8 {:x} 1 2 3 4 5 6 7 >", i & 0xff));
        }
        sender.send(&chunk);
        let next = started + Duration::from_millis(4 * (k as u64 + 1));
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    sender.send("< send 7FF 0 >");
    let got = reader_thread.join().expect("reader");
    let rss_after = server.rss_kb() as i64;
    drop(sleeper);
    (sleeper_addr, got, rss_after - rss_before)
}

#[test]
fn a_client_that_never_reads_loses_its_oldest_frames_and_hurts_no_one() {
    let _heavy = heavy();
    let mut server = Server::start(&[]);
    let frames = 150_000;
    let (sleeper, got, growth_kb) = flood_past_a_client_that_never_reads(&server, frames);
    let log = server.log();
    eprintln!("reader got {got} of {} frames; canserver grew by {growth_kb} kB", frames + 1);
    assert_eq!(got, frames + 1, "the reading client lost frames:\n{log}");
    // ~50 bytes per frame element: 7 MB went to the never-reader, half of it at least dropped
    // (below) rather than held.
    assert!(growth_kb < 4_000, "canserver grew by {growth_kb} kB while a client did not read");
    server.expect_line(&[&sleeper, "not keeping up"], T);
    let line = server.expect_line(&[&sleeper, "disconnected", "frames dropped"], T);
    let dropped: u64 = line
        .split(", ")
        .find_map(|p| p.strip_suffix(" frames dropped because it did not keep up"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!(dropped as usize > frames / 4, "{line}");
    server.assert_running();
}

#[test]
fn slow_client_disconnect_policy_disconnects_the_client_that_never_reads() {
    let _heavy = heavy();
    let mut server = Server::start(&["--slow-client", "disconnect"]);
    let (sleeper, got, _) = flood_past_a_client_that_never_reads(&server, 150_000);
    assert_eq!(got, 150_001, "the reading client lost frames:\n{}", server.log());
    server.expect_line(&[&sleeper, "disconnected", "did not keep up"], T);
    server.assert_running();
}

// ---------------------------------------------------------------------------------------------
// Shutdown
// ---------------------------------------------------------------------------------------------

#[test]
fn sigterm_closes_every_connection_and_exits_0() {
    let server = Server::start(&[]);
    let mut raw = server.raw();
    raw.raw_mode("can0");
    let mut bcm = server.raw();
    bcm.bcm_mode("can0");
    let mut fresh = server.raw();
    fresh.expect("< hi >");
    let mut remote = server.raw_remote();
    remote.send(binary_bus_request());
    assert_eq!(remote.bytes_for(Duration::from_millis(1000)).first(), Some(&2));
    let mut ws = server.raw_remote();
    ws.send(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Protocol: can.json.v1\r\n\r\n",
    );
    let answer = String::from_utf8_lossy(&ws.bytes_for(Duration::from_millis(1000))).into_owned();
    assert!(answer.starts_with("HTTP/1.1 101"), "{answer}");
    server.wait_for_count("connected", 5, T);

    let started = Instant::now();
    let (status, log) = server.terminate(T);
    assert_eq!(status.code(), Some(0), "{log}");
    for (name, c) in [
        ("raw", &mut raw),
        ("bcm", &mut bcm),
        ("fresh", &mut fresh),
        ("remote", &mut remote),
        ("ws", &mut ws),
    ] {
        assert!(c.closed_within(Duration::from_secs(5)), "{name} connection still open");
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(log.matches("server shutting down").count(), 5, "{log}");
    let _ = std::io::stderr().flush();
}

/// One write of `n` frames from a BCM-mode client, then `< send 7FF 0 >`.
fn burst(sender: &mut Raw, n: usize) {
    let mut text: String = (0..n).map(|i| format!("< send 123 1 {:x} >", i & 0xff)).collect();
    text.push_str("< send 7FF 0 >");
    sender.send(&text);
}

/// Read elements as fast as they come until the frame with id 7FF, or 5 s of silence, or EOF.
fn read_until_last(reader: &mut Raw) -> Vec<String> {
    let mut got = Vec::new();
    while let Some(e) = reader.element(Duration::from_secs(5)) {
        let last = e.starts_with("< frame 7FF ");
        got.push(e);
        if last {
            break;
        }
    }
    got
}

#[test]
fn a_burst_larger_than_the_queue_reaches_a_client_that_reads_at_once() {
    // --queue bounds what canserver holds for a client that does not read; a client that reads
    // at once has the kernel's socket buffers (hundreds of kB) for a burst, as with the daemon.
    let server = Server::start(&["--queue", "100"]);
    let mut reader = server.raw();
    reader.raw_mode("can0");
    std::thread::sleep(Duration::from_millis(200)); // past the hold after `< rawmode >`
    let mut sender = server.raw();
    sender.bcm_mode("can0");
    burst(&mut sender, 1000);
    let got = read_until_last(&mut reader);
    assert_eq!(
        got.len(),
        1001,
        "a client reading at once lost {} of 1001 frames:\n{}",
        1001 - got.len(),
        server.log()
    );
}

#[test]
fn frames_lost_before_a_client_is_served_follow_the_slow_client_policy() {
    // After `< rawmode >` canserver holds frames back for 50 ms (python-can's handshake): a burst
    // then fills the client's queue (64 frames). What is lost must be handled as for any client
    // that falls behind: with --slow-client disconnect, a disconnect, logged with the peer.
    let server = Server::start(&["--queue", "64", "--slow-client", "disconnect"]);
    let mut reader = server.raw();
    reader.bcm_mode("can0");
    let mut sender = server.raw();
    sender.bcm_mode("can0");
    reader.send("< rawmode >");
    reader.expect("< ok >");
    burst(&mut sender, 500);
    let got = read_until_last(&mut reader);
    if got.len() < 501 {
        let peer = reader.local();
        let line = server.wait_for_line(&[&peer, "did not keep up"], Duration::from_secs(5));
        assert!(
            line.is_some() && reader.closed_within(Duration::from_secs(5)),
            "the client lost {} of 501 frames (the newest: it got {:?}), was not disconnected, and \
             the log does not say so:\n{}",
            501 - got.len(),
            got.last(),
            server.log()
        );
    }
}

#[test]
fn can_fd_travels_as_the_rawmode_canfd_extension_between_raw_clients_and_cankit() {
    let mut server = Server::start(&[]);
    let mut reader = server.raw();
    reader.raw_mode("can0");
    std::thread::sleep(Duration::from_millis(200)); // past the hold after `< rawmode >`
    let mut sender = server.raw();
    sender.raw_mode("can0");
    // The branch's sendfd (with BRS), PR #33's fdsend with flags, PR #72's send with an FD length.
    let twelve = "0 1 2 3 4 5 6 7 8 9 a b";
    sender.send(format!("< sendfd 123 12 {twelve} >"));
    sender.send(format!("< fdsend 1ABCDEF0 02 12 {twelve} >"));
    sender.send(format!("< send 321 12 {twelve} >"));
    // A length that is not an FD length is refused silently, as a wrong byte count is.
    sender.send("< sendfd 123 9 0 1 2 3 4 5 6 7 8 >");
    let hex = "000102030405060708090A0B";
    for id in ["123", "1ABCDEF0", "321"] {
        let e = reader.element(T).expect("an fdframe");
        let parts: Vec<&str> = e.split_whitespace().collect();
        assert_eq!((parts[1], parts[2], parts[4]), ("fdframe", id, hex), "{e}");
    }
    // cankit's socketcand bus sends FD frames as sendfd and reads fdframes back.
    let mut watch = Watch::start(&mut server.socketcand_client("can0"));
    run_ok(server.socketcand_client("can0").args(["send", "456##1000102030405060708090A0B"]), T);
    let e = reader.element(T).expect("the fdframe cankit sent");
    assert!(e.starts_with("< fdframe 456 ") && e.ends_with(&format!(" {hex} >")), "{e}");
    sender.send(format!("< sendfd 124 12 {twelve} >"));
    // The watching client hears the other cankit client's frame and the raw client's; fdframe
    // carries no flags, so both read back with the branch's bit-rate switch (candump prints FDF).
    let got = watch.frames(2, T);
    assert_eq!(got, vec![format!("456##5{hex}"), format!("124##5{hex}")], "{}", server.log());
    watch.stop();
    let e = reader.element(T).expect("the raw client hears the other raw client");
    assert!(e.starts_with("< fdframe 124 "), "{e}");
    assert!(reader.element(Duration::from_millis(300)).is_none(), "the refused sendfd sent nothing");
    server.expect_line(&["not a CAN FD length"], T);
    server.assert_running();
}
