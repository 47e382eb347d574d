//! `canserver`'s CAN-to-HTTP adaptor spoken to byte for byte over raw TCP, as the seed's API
//! describes it: the event stream at `GET /` (frames, bus-health events, the overflow event),
//! sending with `GET /?id=…&data=[…]` (204), every 400 case, the JSON API error body, and what
//! goes beyond the seed (`bus`, `ext`, `fd`, keep-alive comments). No peer program is needed:
//! canserver serves a private udp_multicast bus and `canlogger --port N` is its other end.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::canserver::{run_ok, Server};

const T: Duration = Duration::from_secs(20);

/// A plain HTTP/1.1 GET; the status line, the headers (lower-case names) and the body.
fn get(server: &Server, target: &str) -> (String, Vec<(String, String)>, String) {
    let mut s = TcpStream::connect(("127.0.0.1", server.http)).expect("connect to the HTTP port");
    s.set_read_timeout(Some(T)).unwrap();
    write!(s, "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().unwrap_or_default().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// An open event stream: the response head has been read; `events` de-chunks the body.
struct Stream {
    reader: BufReader<TcpStream>,
    headers: Vec<(String, String)>,
    status: String,
    /// De-chunked body text not yet returned.
    pending: String,
}

impl Stream {
    fn open(server: &Server) -> Stream {
        Stream::open_with(server, |_| {})
    }

    fn open_with(server: &Server, tune: impl FnOnce(&TcpStream)) -> Stream {
        let s = TcpStream::connect(("127.0.0.1", server.http)).expect("connect to the HTTP port");
        tune(&s);
        let mut w = s.try_clone().unwrap();
        write!(
            w,
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nLast-Event-ID: 42\r\n\r\n"
        )
        .unwrap();
        s.set_read_timeout(Some(T)).unwrap();
        let mut reader = BufReader::new(s);
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        let mut headers = Vec::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        Stream { reader, headers, status: status.trim_end().to_string(), pending: String::new() }
    }

    /// Read one chunk of the chunked body into `pending`; false at the end or on a timeout.
    fn chunk(&mut self, within: Duration) -> bool {
        self.reader.get_ref().set_read_timeout(Some(within.max(Duration::from_millis(1)))).unwrap();
        let mut size = String::new();
        if self.reader.read_line(&mut size).unwrap_or(0) == 0 {
            return false;
        }
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else { return false };
        if n == 0 {
            return false;
        }
        let mut data = vec![0u8; n + 2];
        if self.reader.read_exact(&mut data).is_err() {
            return false;
        }
        self.pending.push_str(&String::from_utf8_lossy(&data[..n]));
        true
    }

    /// The next event (the text up to its blank line, without it), within `within`.
    fn event(&mut self, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(end) = self.pending.find("\n\n") {
                let event = self.pending[..end].to_string();
                self.pending.drain(..end + 2);
                return Some(event);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || !self.chunk(left) {
                return None;
            }
        }
    }

    /// The next event that is not a keep-alive comment.
    fn next(&mut self, within: Duration) -> Option<String> {
        let deadline = Instant::now() + within;
        loop {
            let e = self.event(deadline.saturating_duration_since(Instant::now()))?;
            if !e.starts_with(':') {
                return Some(e);
            }
        }
    }
}

/// `data:{"bus": B, "id": I, "data":[…], "ts":"…"}` without its time, which must be ISO 8601 UTC
/// with milliseconds.
fn without_ts(event: &str) -> String {
    let (head, ts) = event.rsplit_once(", \"ts\":\"").unwrap_or_else(|| panic!("no ts in {event}"));
    let ts = ts.strip_suffix("\"}").unwrap_or_else(|| panic!("bad end of {event}"));
    let b = ts.as_bytes();
    assert!(
        ts.len() == 24 && b[4] == b'-' && b[10] == b'T' && b[19] == b'.' && ts.ends_with('Z'),
        "not ISO 8601 UTC with milliseconds: {ts}"
    );
    format!("{head}}}")
}

fn send_on_bus(server: &Server, frames: &[&str]) {
    run_ok(server.on_bus(common::canlogger()).arg("send").args(frames), T);
}

#[test]
fn the_seeds_stream_and_send_examples_byte_for_byte() {
    let mut server = Server::start(&[]);
    let mut stream = Stream::open(&server);
    assert_eq!(stream.status, "HTTP/1.1 200 OK");
    assert_eq!(header(&stream.headers, "content-type"), Some("text/event-stream"));
    assert_eq!(header(&stream.headers, "cache-control"), Some("no-cache"));
    assert_eq!(header(&stream.headers, "access-control-allow-origin"), Some("*"));
    // Give the stream's subscription a moment to exist before the frames go out.
    std::thread::sleep(Duration::from_millis(300));

    send_on_bus(&server, &["07B#FF8005", "09D#"]);
    assert_eq!(
        without_ts(&stream.next(T).expect("an event")),
        r#"data:{"bus": 0, "id": 123, "data":[255,128,5]}"#
    );
    assert_eq!(without_ts(&stream.next(T).expect("an event")), r#"data:{"bus": 0, "id": 157, "data":[]}"#);

    let (status, headers, body) = get(&server, "/?id=123&data=[255,128,5]");
    assert_eq!(status, "HTTP/1.1 204 No Content");
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    assert_eq!(body, "");
    // The sent frame is on the bus: the stream (another client) hears it.
    assert_eq!(
        without_ts(&stream.next(T).expect("the frame sent by GET")),
        r#"data:{"bus": 0, "id": 123, "data":[255,128,5]}"#
    );
    // data is optional; a browser's percent-encoding works too.
    assert_eq!(get(&server, "/?id=5").0, "HTTP/1.1 204 No Content");
    assert_eq!(get(&server, "/?id=6&data=%5B1%2C2%5D").0, "HTTP/1.1 204 No Content");
    assert_eq!(without_ts(&stream.next(T).unwrap()), r#"data:{"bus": 0, "id": 5, "data":[]}"#);
    assert_eq!(without_ts(&stream.next(T).unwrap()), r#"data:{"bus": 0, "id": 6, "data":[1,2]}"#);
    server.assert_running();
}

#[test]
fn missing_or_invalid_parameters_are_400_with_cors() {
    let mut server = Server::start(&[]);
    for bad in [
        "/?badargument=1",
        "/?id=4096&data=[]",
        "/?id=2048",
        "/?id=123&data=[256]",
        "/?id=123&data=[0,0,0,0,0,0,0,0,0]",
        "/?id=123&data=1,2",
        "/?id=123&data=[1,",
        "/?data=[1]",
        "/?id=12x",
        "/?id=1&bus=1",
        "/?id=1&data[]",
    ] {
        let (status, headers, _) = get(&server, bad);
        assert_eq!(status, "HTTP/1.1 400 Bad Request", "{bad}");
        assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"), "{bad}");
    }
    server.assert_running();
}

#[test]
fn beyond_the_seed_extended_ids_and_can_fd_reach_the_bus() {
    let server = Server::start(&[]);
    let mut stream = Stream::open(&server);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(get(&server, "/?id=536870911&ext=1&data=[1]").0, "HTTP/1.1 204 No Content");
    assert_eq!(
        get(&server, "/?id=16&fd=1&brs=1&data=[0,1,2,3,4,5,6,7,8,9,10,11]").0,
        "HTTP/1.1 204 No Content"
    );
    assert_eq!(without_ts(&stream.next(T).unwrap()), r#"data:{"bus": 0, "id": 536870911, "data":[1]}"#);
    assert_eq!(
        without_ts(&stream.next(T).unwrap()),
        r#"data:{"bus": 0, "id": 16, "data":[0,1,2,3,4,5,6,7,8,9,10,11]}"#
    );
}

#[test]
fn bus_health_events_once_per_change_and_the_json_api_error() {
    let server = Server::start(&[]);
    let mut stream = Stream::open(&server);
    std::thread::sleep(Duration::from_millis(300));
    // A bus-off error frame on the bus (SocketCAN's CAN_ERR_BUSOFF), twice: one event.
    send_on_bus(&server, &["20000040#0000000000000000", "20000040#0000000000000000"]);
    assert_eq!(stream.next(T).unwrap(), "event: error\ndata: Bus 0 is in the bus-off state");
    // Sending now works but says the bus is off, with the seed's JSON API body.
    let (status, headers, body) = get(&server, "/?id=1&data=[]");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    assert_eq!(body, r#"{"errors":[{"detail":"Message sent on bus 0, but bus 0 is in the bus-off state"}]}"#);
    assert_eq!(without_ts(&stream.next(T).unwrap()), r#"data:{"bus": 0, "id": 1, "data":[]}"#);
    // A client connecting now hears of the state at once.
    let mut late = Stream::open(&server);
    assert_eq!(late.next(T).unwrap(), "event: error\ndata: Bus 0 is in the bus-off state");
    // Controller warning (CAN_ERR_CRTL with RX warning), then restarted: warning, then notice.
    send_on_bus(&server, &["20000004#0004000000000000", "20000100#0000000000000000"]);
    assert_eq!(stream.next(T).unwrap(), "event: warning\ndata: Bus 0 is in the warning state");
    assert_eq!(stream.next(T).unwrap(), "event: notice\ndata: Bus 0 is now in a normal state");
    assert_eq!(late.next(T).unwrap(), "event: warning\ndata: Bus 0 is in the warning state");
    assert_eq!(late.next(T).unwrap(), "event: notice\ndata: Bus 0 is now in a normal state");
    assert_eq!(get(&server, "/?id=2").0, "HTTP/1.1 204 No Content");
}

#[test]
fn two_streams_at_once_and_a_stream_that_does_not_read_hears_of_its_overflow() {
    let server = Server::start(&["--queue", "16"]);
    let mut a = Stream::open(&server);
    // A client that stops reading: a small receive buffer fills at once.
    let mut lazy = Stream::open_with(&server, |s| {
        socket2::SockRef::from(s).set_recv_buffer_size(4096).unwrap();
    });
    std::thread::sleep(Duration::from_millis(300));
    let frames: Vec<String> = (0..1500).map(|i| format!("{:03X}#{:08X}", i % 0x800, i)).collect();
    let refs: Vec<&str> = frames.iter().map(String::as_str).collect();
    for chunk in refs.chunks(500) {
        send_on_bus(&server, chunk);
        // The reading client keeps up with bursts larger than --queue.
        let mut got = 0;
        while got < chunk.len() {
            let e = a.next(T).expect("the reading stream gets every frame");
            if e.starts_with("data:") {
                got += 1;
            }
        }
    }
    // A flood larger than the socket buffers and the lazy client's queues.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("flood.log");
    let text: String = (0..60_000).map(|i| format!("(1700000000.{i:06}) can0 100#{i:08X}\n")).collect();
    std::fs::write(&log, text).unwrap();
    let mut player = common::tool(env!("CARGO_BIN_EXE_canplayer"));
    player.args(["--port", &server.bus_port, "-t"]).arg(&log);
    run_ok(&mut player, Duration::from_secs(60));
    // The lazy client now reads: somewhere in what it gets is the seed's overflow event.
    let mut overflow = false;
    while let Some(e) = lazy.next(Duration::from_secs(3)) {
        if e == "event: error\ndata: CAN RX buffer overflow on bus 0" {
            overflow = true;
            break;
        }
    }
    assert!(overflow, "no overflow event for a client that did not read");
}
