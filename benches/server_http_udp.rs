//! `cargo bench --bench server_http_udp`: `canserver`'s HTTP adaptor (server-sent events out,
//! `GET /?id=…` in) and its UDP bridges (`--udp-format socketcan|cannelloni`), both ways.
//!
//! canserver serves the loopback udp_multicast bus (as root in a private network namespace with
//! only `lo`, else on a private port) with `--no-socketcand --no-remote --no-beacon`. A feeder
//! puts frames on the bus at a paced rate, each carrying its sequence number as its (29-bit) id
//! and the feeder's `CLOCK_REALTIME` at sending as its 8 data bytes (as `server_fanout` does), so
//! every receiver counts what it lost and measures latency itself. Rows:
//!
//! * `sse`: N raw-TCP clients of `GET /` (chunked transfer encoding decoded, `data:{…}` events
//!   parsed), one thread each; lost per client (worst), latency feeder → bus → server → client;
//! * `http-send`: N keep-alive connections, one thread each, issuing `GET /?id=…&data=[…]` one
//!   after the other as fast as the server answers; requests/s, request latency, and a receiver
//!   on the bus counting the frames that arrived (`lost` = answered 204 but not on the bus);
//! * `udp→bus`: a UDP peer sends datagrams (one `struct can_frame` each, or cannelloni packets
//!   with as many frames as were due, at most a 1472-byte payload) to canserver's `--udp-listen`;
//!   a receiver on the bus counts and measures latency;
//! * `bus→udp`: the feeder on the bus, the peer's socket at `--udp-peer` counts.
//!
//! Per row: server CPU per frame (the scheduler's clock of the server process,
//! `clock_getcpuclockid`) and as a share of one core, `oth%` = what else the machine ran (from
//! `/proc/stat`, minus the server and this process), the server's RSS at the end, and the
//! kernel's drop counter on the server's UDP sockets.
//!
//! In User-Mode Linux (`tests/uml/run.sh`, one CPU; this binary runs inside with `--guest`): a
//! tunnel vcan0 → UDP → vcan1, with the real cannelloni at both ends (built by
//! `../shared/peers/build-peers.sh` when missing; its default 100 ms buffer timeout, and `-t 1000`)
//! and with canserver at both ends (`--udp-format cannelloni` and `socketcan`): a feeder on vcan0,
//! a receiver on vcan1, loss and latency, and canserver's figures over cannelloni's.
//!
//! Options (environment): `BENCH_SECONDS` of traffic per row (default 3), `BENCH_SSE_CLIENTS`
//! (default 1,10), `BENCH_SSE_RATE` frames/s (default 10000), `BENCH_HTTP_CONNS` (default 1,8),
//! `BENCH_UDP_RATES` (default 10000,100000,0; 0 = as fast as the sender goes, `BENCH_MAX_FRAMES`
//! frames, default 200000), `BENCH_UDP_FORMATS` (default socketcan,cannelloni), `BENCH_ROWS`
//! (sse,http,udp; default all), `BENCH_QUIET_WAIT` seconds to wait for a quiet machine before
//! each row (default 5), `BENCH_CANSERVER_ARGS` (more canserver options); `BENCH_PLACES`
//! (loopback,uml; default both), `BENCH_UML_RATES` (default 1000,2500,10000), `BENCH_UML_SECONDS`
//! (default 3), `CANNELLONI` (the program; default $CARGO_TARGET_DIR/peers/bin/cannelloni).
//! About 3 minutes.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cankit::{Bus, BusConfig, BusEvent, Frame};

mod support;

use support::measure::*;
use support::{enter_private_netns, env_or, peer_binary, root, terminate, uml_command};

/// Private ports, away from the defaults and from the other benchmarks'.
const BUS_PORT: u16 = 43196;
const HTTP_PORT: u16 = 28091;
const UDP_LISTEN: u16 = 29111;
const UDP_PEER: u16 = 29112;
/// A receiver that got nothing for this long after the sender finished has got all it will.
const IDLE: Duration = Duration::from_secs(1);
const CAN_EFF_FLAG: u32 = 0x8000_0000;
/// cannelloni's payload for a 1500-byte MTU over IPv4.
const CANNELLONI_PAYLOAD: usize = 1472;

fn loadavg() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

fn list(name: &str, default: &str) -> Vec<String> {
    std::env::var(name)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn nums(name: &str, default: &str) -> Vec<u64> {
    list(name, default).iter().filter_map(|s| s.parse().ok()).collect()
}

/// What one receiver (SSE client, bus receiver, UDP peer) saw.
#[derive(Clone)]
struct Stats {
    received: u64,
    reordered: u64,
    /// Other events (SSE overflow events, garbage, cannelloni sequence gaps).
    other: u64,
    hist: Hist,
    last_rx: Option<Instant>,
    error: Option<String>,
}

impl Stats {
    fn new() -> Stats {
        Stats { received: 0, reordered: 0, other: 0, hist: Hist::new(), last_rx: None, error: None }
    }

    /// A frame with sequence `seq` sent at `sent` (ns, CLOCK_REALTIME), received at `now`.
    fn frame(&mut self, seq: u64, sent: Option<u64>, now: u64, last_seq: &mut Option<u64>) {
        if last_seq.is_some_and(|l| seq < l) {
            self.reordered += 1;
        }
        *last_seq = Some(seq);
        self.received += 1;
        if let Some(sent) = sent {
            self.hist.add(now.saturating_sub(sent));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Senders: the feeder on the bus, the UDP peer.

/// `count` frames due by now at `rate` (0: all of them), sleeping until the next one is due.
fn pace(start: Instant, sent: u64, rate: u64, frames: u64) -> u64 {
    let Some(at_ns) = (sent * 1_000_000_000).checked_div(rate) else { return frames };
    let next = start + Duration::from_nanos(at_ns);
    let now = Instant::now();
    if next > now {
        std::thread::sleep(next - now);
    }
    ((start.elapsed().as_nanos() * rate as u128 / 1_000_000_000) as u64 + 1).min(frames)
}

fn bus_config() -> BusConfig {
    let mut bus = BusConfig::new("udp_multicast", None);
    bus.options.insert("port".into(), BUS_PORT.to_string());
    bus
}

/// Put `frames` frames on the bus at `rate`: id = sequence number (extended), data = the
/// CLOCK_REALTIME at sending, big-endian. Returns the seconds it took.
fn feed(bus: &BusConfig, rate: u64, frames: u64) -> f64 {
    // SAFETY: prctl(PR_SET_TIMERSLACK) on this thread only.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0) };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let bus = rt.block_on(Bus::open(bus)).expect("open the feeder's bus");
    let start = Instant::now();
    let mut sent = 0u64;
    while sent < frames {
        let due = pace(start, sent, rate, frames);
        while sent < due {
            let frame =
                Frame::new_data(sent as u32 & 0x1FFF_FFFF, true, &realtime_ns().to_be_bytes()).unwrap();
            rt.block_on(bus.send(&frame)).expect("feeder send");
            sent += 1;
        }
    }
    start.elapsed().as_secs_f64()
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Socketcan,
    Cannelloni,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Socketcan => "socketcan",
            Format::Cannelloni => "cannelloni",
        }
    }
}

/// The UDP peer: `frames` frames to `to` at `rate`; socketcan: one 16-byte `struct can_frame`
/// (little-endian can_id) per datagram; cannelloni: the frames due go out together, 13 bytes each
/// after the 5-byte header, as many per packet as the payload holds. Returns (seconds, datagrams).
fn udp_send(sock: &UdpSocket, to: SocketAddr, format: Format, rate: u64, frames: u64) -> (f64, u64) {
    // SAFETY: prctl(PR_SET_TIMERSLACK) on this thread only.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0) };
    let start = Instant::now();
    let mut sent = 0u64;
    let mut datagrams = 0u64;
    let mut seqno = 0u8;
    let mut buf = Vec::with_capacity(CANNELLONI_PAYLOAD);
    let send = |buf: &[u8]| {
        // ENOBUFS/EAGAIN on loopback: try again (the datagram is not lost then).
        while sock.send_to(buf, to).is_err() {
            std::thread::yield_now();
        }
    };
    while sent < frames {
        let due = pace(start, sent, rate, frames);
        while sent < due {
            let can_id = (sent as u32 & 0x1FFF_FFFF) | CAN_EFF_FLAG;
            buf.clear();
            match format {
                Format::Socketcan => {
                    buf.extend_from_slice(&can_id.to_le_bytes());
                    buf.extend_from_slice(&[8, 0, 0, 0]);
                    buf.extend_from_slice(&realtime_ns().to_be_bytes());
                    sent += 1;
                }
                Format::Cannelloni => {
                    let n = ((CANNELLONI_PAYLOAD - 5) / 13).min((due - sent) as usize);
                    buf.extend_from_slice(&[2, 0, seqno]);
                    buf.extend_from_slice(&(n as u16).to_be_bytes());
                    for _ in 0..n {
                        let can_id = (sent as u32 & 0x1FFF_FFFF) | CAN_EFF_FLAG;
                        buf.extend_from_slice(&can_id.to_be_bytes());
                        buf.push(8);
                        buf.extend_from_slice(&realtime_ns().to_be_bytes());
                        sent += 1;
                    }
                    seqno = seqno.wrapping_add(1);
                }
            }
            send(&buf);
            datagrams += 1;
        }
    }
    (start.elapsed().as_secs_f64(), datagrams)
}

// ---------------------------------------------------------------------------------------------
// Receivers: on the bus, at the UDP peer, SSE clients. Each publishes its count in `count`.

struct Shared {
    count: AtomicU64,
    stop: AtomicBool,
}

impl Shared {
    fn new() -> Arc<Shared> {
        Arc::new(Shared { count: AtomicU64::new(0), stop: AtomicBool::new(false) })
    }
}

/// A receiver on the bus: frames with 8 data bytes carry their send time (`timed`).
fn bus_receiver(bus: BusConfig, shared: Arc<Shared>, timed: bool) -> std::thread::JoinHandle<Stats> {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let bus = Bus::open(&bus).await.expect("open the receiver's bus");
            tx.send(()).unwrap();
            let mut st = Stats::new();
            let mut last_seq = None;
            while !shared.stop.load(Ordering::Acquire) {
                match tokio::time::timeout(Duration::from_millis(100), bus.recv()).await {
                    Ok(Ok(BusEvent::Frame(f))) => {
                        let now = realtime_ns();
                        st.last_rx = Some(Instant::now());
                        let sent =
                            if timed { f.data().try_into().ok().map(u64::from_be_bytes) } else { None };
                        st.frame(f.id() as u64, sent, now, &mut last_seq);
                        shared.count.store(st.received, Ordering::Relaxed);
                    }
                    Ok(Ok(BusEvent::Dropped { count })) => st.other += count,
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => {
                        st.error = Some(e.to_string());
                        break;
                    }
                    Err(_) => {}
                }
            }
            st
        })
    });
    let _ = rx.recv_timeout(Duration::from_secs(10));
    handle
}

/// The UDP peer's receiving side (`sock` bound at `--udp-peer`).
fn udp_receiver(sock: UdpSocket, format: Format, shared: Arc<Shared>) -> std::thread::JoinHandle<Stats> {
    std::thread::spawn(move || {
        sock.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
        let mut st = Stats::new();
        let mut last_seq = None;
        let mut last_packet: Option<u8> = None;
        let mut buf = [0u8; 2048];
        while !shared.stop.load(Ordering::Acquire) {
            let Ok((n, _)) = sock.recv_from(&mut buf) else { continue };
            let now = realtime_ns();
            st.last_rx = Some(Instant::now());
            let d = &buf[..n];
            match format {
                Format::Socketcan if n == 16 => {
                    let can_id = u32::from_le_bytes(d[..4].try_into().unwrap()) & 0x1FFF_FFFF;
                    let sent = (d[4] == 8).then(|| u64::from_be_bytes(d[8..16].try_into().unwrap()));
                    st.frame(can_id as u64, sent, now, &mut last_seq);
                }
                Format::Cannelloni if n >= 5 && d[0] == 2 && d[1] == 0 => {
                    if let Some(l) = last_packet {
                        if d[2] != l.wrapping_add(1) {
                            st.other += 1;
                        }
                    }
                    last_packet = Some(d[2]);
                    let count = u16::from_be_bytes([d[3], d[4]]) as usize;
                    let mut at = 5;
                    for _ in 0..count {
                        let Some(head) = d.get(at..at + 5) else { break };
                        let can_id = u32::from_be_bytes(head[..4].try_into().unwrap()) & 0x1FFF_FFFF;
                        let len = (head[4] & 0x7F) as usize + usize::from(head[4] & 0x80 != 0);
                        let data = d.get(at + 5..at + 5 + len).unwrap_or(&[]);
                        let sent = data.try_into().ok().map(u64::from_be_bytes);
                        st.frame(can_id as u64, sent, now, &mut last_seq);
                        at += 5 + len;
                    }
                }
                _ => st.other += 1,
            }
            shared.count.store(st.received, Ordering::Relaxed);
        }
        st
    })
}

/// Decode chunked transfer encoding from `raw` into `body`; false when the stream ended.
fn dechunk(raw: &mut Vec<u8>, body: &mut Vec<u8>) -> bool {
    let mut pos = 0;
    let alive = loop {
        let Some(eol) = raw[pos..].windows(2).position(|w| w == b"\r\n") else { break true };
        let line = std::str::from_utf8(&raw[pos..pos + eol]).unwrap_or("");
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        if size == 0 {
            break false;
        }
        let start = pos + eol + 2;
        if raw.len() < start + size + 2 {
            break true;
        }
        body.extend_from_slice(&raw[start..start + size]);
        pos = start + size + 2;
    };
    raw.drain(..pos);
    alive
}

/// One `data:{"bus": 0, "id": N, "data":[…], "ts":"…"}` event: (id, the 8 data bytes as a time).
fn parse_event(event: &[u8]) -> Option<(u64, Option<u64>)> {
    let text = std::str::from_utf8(event).ok()?.strip_prefix("data:{")?;
    let id_at = text.find("\"id\": ")? + 6;
    let id_end = id_at + text[id_at..].find(',')?;
    let id: u64 = text[id_at..id_end].trim().parse().ok()?;
    let data_at = text.find("\"data\":[")? + 8;
    let data_end = data_at + text[data_at..].find(']')?;
    let bytes: Vec<u8> = text[data_at..data_end].split(',').filter_map(|b| b.trim().parse().ok()).collect();
    let sent = <[u8; 8]>::try_from(bytes.as_slice()).ok().map(u64::from_be_bytes);
    Some((id, sent))
}

/// An SSE client: `GET /`, headers, then chunked events until told to stop.
fn sse_client(shared: Arc<Shared>, ready: std::sync::mpsc::Sender<Result<(), String>>) -> Stats {
    let mut st = Stats::new();
    let fail = |e: String| {
        let _ = ready.send(Err(e.clone()));
        let mut st = Stats::new();
        st.error = Some(e);
        st
    };
    let mut s = match TcpStream::connect(("127.0.0.1", HTTP_PORT)) {
        Ok(s) => s,
        Err(e) => return fail(format!("connect: {e}")),
    };
    s.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    if let Err(e) = s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n") {
        return fail(format!("request: {e}"));
    }
    let mut raw = Vec::new();
    let mut buf = vec![0u8; 1 << 16];
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
            if !head.starts_with("http/1.1 200") || !head.contains("transfer-encoding: chunked") {
                return fail(format!("unexpected answer: {}", head.lines().next().unwrap_or("")));
            }
            raw.drain(..end + 4);
            break;
        }
        if Instant::now() > deadline {
            return fail("no answer within 10 s".into());
        }
        match s.read(&mut buf) {
            Ok(0) => return fail("closed before the headers".into()),
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    let _ = ready.send(Ok(()));
    let mut body = Vec::new();
    let mut last_seq = None;
    while !shared.stop.load(Ordering::Acquire) {
        let n = match s.read(&mut buf) {
            Ok(0) => {
                st.error = Some("the server closed the stream".into());
                break;
            }
            Ok(n) => n,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                continue
            }
            Err(e) => {
                st.error = Some(e.to_string());
                break;
            }
        };
        let now = realtime_ns();
        st.last_rx = Some(Instant::now());
        raw.extend_from_slice(&buf[..n]);
        let alive = dechunk(&mut raw, &mut body);
        let mut pos = 0;
        while let Some(end) = body[pos..].windows(2).position(|w| w == b"\n\n") {
            let event = &body[pos..pos + end];
            pos += end + 2;
            match parse_event(event) {
                Some((id, sent)) => st.frame(id, sent, now, &mut last_seq),
                // Keep-alive comments are not events worth counting.
                None if event.starts_with(b":") => {}
                None => st.other += 1,
            }
        }
        body.drain(..pos);
        shared.count.store(st.received, Ordering::Relaxed);
        if !alive {
            st.error = Some("the stream ended".into());
            break;
        }
    }
    st
}

// ---------------------------------------------------------------------------------------------
// The server.

struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    fn start(extra: &[String], dir: &Path) -> Result<Server, String> {
        let log = dir.join("canserver.log");
        let child = Command::new(canserver())
            .args(["-i", "udp_multicast", "--port", &BUS_PORT.to_string()])
            .args(["--no-socketcand", "--no-remote", "--no-beacon"])
            .args(extra)
            .args(std::env::var("BENCH_CANSERVER_ARGS").unwrap_or_default().split_whitespace())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .map_err(|e| format!("start canserver: {e}"))?;
        let mut server = Server { child, log };
        let http = extra.iter().any(|a| a == "--http-port");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(st)) = server.child.try_wait() {
                return Err(format!(
                    "canserver exited ({st}): {}",
                    std::fs::read_to_string(&server.log).unwrap_or_default()
                ));
            }
            let ready = if http {
                TcpStream::connect_timeout(&([127, 0, 0, 1], HTTP_PORT).into(), Duration::from_millis(200))
                    .is_ok()
            } else {
                server.udp_drops().is_some_and(|(n, _)| n >= 2)
            };
            if ready {
                break;
            }
            if Instant::now() > deadline {
                server.stop();
                return Err("canserver not ready within 10 s".into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(200));
        Ok(server)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn cpu_seconds(&self) -> f64 {
        process_cpu_seconds(self.pid()).unwrap_or(f64::NAN)
    }

    /// (the server's UDP sockets, the kernel's drops on them).
    fn udp_drops(&self) -> Option<(usize, u64)> {
        let pid = self.pid();
        let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .ok()?
            .flatten()
            .filter_map(|e| std::fs::read_link(e.path()).ok())
            .filter_map(|l| l.to_str()?.strip_prefix("socket:[")?.strip_suffix(']').map(str::to_string))
            .collect();
        let (mut sockets, mut drops) = (0, 0);
        for table in ["udp", "udp6"] {
            let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")) else { continue };
            for line in text.lines().skip(1) {
                let f: Vec<&str> = line.split_whitespace().collect();
                if f.len() >= 13 && inodes.iter().any(|i| i == f[9]) {
                    sockets += 1;
                    drops += f[12].parse::<u64>().unwrap_or(0);
                }
            }
        }
        Some((sockets, drops))
    }

    fn stop(mut self) -> String {
        terminate(&mut self.child, Duration::from_secs(5));
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// Rows.

#[derive(Default)]
struct Row {
    test: String,
    /// Clients or connections.
    n: usize,
    rate: u64,
    /// Frames sent (per client for SSE), requests answered for HTTP send.
    sent: u64,
    /// The sender's achieved rate (frames or requests per second).
    sent_rate: f64,
    recv_min: u64,
    recv_mean: f64,
    p50_us: f64,
    p99_us: f64,
    max_us: f64,
    /// Frames received per second (mean per receiver), from the start to its last frame.
    recv_rate: f64,
    cpu_s: f64,
    wall_s: f64,
    other_pct: f64,
    rss_kb: u64,
    kernel_drops: u64,
    notes: Vec<String>,
}

fn header() {
    println!(
        "{:<22} {:>3} {:>6} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>7} {:>5} {:>5} {:>6} {:>6}",
        "test",
        "n",
        "rate",
        "sent",
        "sent/s",
        "lost max",
        "lost avg",
        "p50 µs",
        "p99 µs",
        "max µs",
        "recv f/s",
        "µs/frm",
        "CPU%",
        "oth%",
        "RSS MB",
        "kdrops"
    );
}

fn print_row(r: &Row) {
    let rate = if r.rate == 0 { "max".to_string() } else { r.rate.to_string() };
    let frames = r.sent.max(1) as f64;
    // Rows that do not measure the server (User-Mode Linux) print "-" there.
    let measured = !r.cpu_s.is_nan();
    let or_dash = |text: String| if measured { text } else { "-".into() };
    println!(
        "{:<22} {:>3} {:>6} {:>8} {:>9.0} {:>8} {:>8.1} {:>8.0} {:>8.0} {:>8.0} {:>9.0} {:>7} {:>5} {:>5} {:>6} {:>6}",
        r.test,
        r.n,
        rate,
        r.sent,
        r.sent_rate,
        r.sent.saturating_sub(r.recv_min),
        r.sent as f64 - r.recv_mean,
        r.p50_us,
        r.p99_us,
        r.max_us,
        r.recv_rate,
        or_dash(format!("{:.2}", r.cpu_s * 1e6 / frames)),
        or_dash(format!("{:.0}", r.cpu_s / r.wall_s * 100.0)),
        or_dash(format!("{:.0}", r.other_pct)),
        or_dash(format!("{:.1}", r.rss_kb as f64 / 1024.0)),
        or_dash(r.kernel_drops.to_string()),
    );
    if !r.notes.is_empty() {
        println!("{:>27}^ {}", "", r.notes.join("; "));
    }
}

/// Wait until `count` reaches `want`, or nothing changed for IDLE.
fn wait_for(counts: &[Arc<Shared>], want: u64) {
    let mut last_total = u64::MAX;
    let mut last_change = Instant::now();
    loop {
        let total: u64 = counts.iter().map(|c| c.count.load(Ordering::Relaxed).min(want)).sum();
        if total >= want * counts.len() as u64 {
            return;
        }
        if total != last_total {
            last_total = total;
            last_change = Instant::now();
        } else if last_change.elapsed() > IDLE {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Fill in loss, latency and receive rate from the receivers' stats.
fn summarize(row: &mut Row, stats: &[Stats], t0: Instant) {
    let mut hist = Hist::new();
    let mut recv = Vec::new();
    let mut rates = Vec::new();
    let (mut reordered, mut other) = (0, 0);
    for s in stats {
        hist.merge(&s.hist);
        recv.push(s.received);
        reordered += s.reordered;
        other += s.other;
        if let Some(last) = s.last_rx {
            rates.push(s.received as f64 / last.duration_since(t0).as_secs_f64());
        }
        if let Some(e) = &s.error {
            row.notes.push(e.clone());
        }
    }
    row.recv_min = recv.iter().copied().min().unwrap_or(0);
    row.recv_mean = if recv.is_empty() { 0.0 } else { recv.iter().sum::<u64>() as f64 / recv.len() as f64 };
    row.p50_us = hist.quantile_us(0.5);
    row.p99_us = hist.quantile_us(0.99);
    row.max_us = hist.max as f64 / 1e3;
    row.recv_rate = if rates.is_empty() { 0.0 } else { rates.iter().sum::<f64>() / rates.len() as f64 };
    if reordered > 0 || other > 0 {
        row.notes.push(format!("{reordered} reordered, {other} other events (overflow, garbage, gaps)"));
    }
}

/// Measures the server's CPU and the machine's other load over a row's traffic.
struct Meter {
    t0: Instant,
    cpu0: f64,
    own0: f64,
    machine0: f64,
}

impl Meter {
    fn start(server: &Server) -> Meter {
        Meter {
            t0: Instant::now(),
            cpu0: server.cpu_seconds(),
            own0: own_cpu_seconds(),
            machine0: machine_cpu_seconds(),
        }
    }

    fn finish(&self, server: &Server, row: &mut Row) {
        row.wall_s = self.t0.elapsed().as_secs_f64();
        row.cpu_s = server.cpu_seconds() - self.cpu0;
        let own = own_cpu_seconds() - self.own0;
        let machine = machine_cpu_seconds() - self.machine0;
        row.other_pct = ((machine - row.cpu_s - own) / row.wall_s * 100.0).max(0.0);
        row.rss_kb = status_kb(server.pid(), "status", "VmRSS:").unwrap_or(0);
        row.kernel_drops = server.udp_drops().map_or(0, |(_, d)| d);
    }
}

fn log_notes(row: &mut Row, log: &str) {
    for line in log.lines() {
        // The bridges' closing summary only when something went missing.
        let summary = line.contains("frames to the peer in");
        let lossy = row.sent > row.recv_min || row.kernel_drops > 0;
        let interesting =
            line.contains("dropped") || line.contains("lost") || line.contains("not keeping up");
        if interesting && (!summary || lossy) && row.notes.len() < 4 {
            row.notes.push(format!("log: {}", line.trim()));
        }
    }
}

fn sse_row(clients: usize, rate: u64, frames: u64, dir: &Path) -> Row {
    let mut row = Row { test: "sse (GET /)".into(), n: clients, rate, sent: frames, ..Row::default() };
    let server = match Server::start(&["--http-port".into(), HTTP_PORT.to_string()], dir) {
        Ok(s) => s,
        Err(e) => {
            row.notes.push(e);
            return row;
        }
    };
    let (tx, rx) = std::sync::mpsc::channel();
    let mut handles = Vec::new();
    let mut shareds = Vec::new();
    for _ in 0..clients {
        let shared = Shared::new();
        shareds.push(Arc::clone(&shared));
        let tx = tx.clone();
        handles.push(std::thread::spawn(move || sse_client(shared, tx)));
    }
    for _ in 0..clients {
        match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => row.notes.push(e),
            Err(_) => row.notes.push("a client got no answer".into()),
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    let meter = Meter::start(&server);
    let fed = std::thread::spawn(move || feed(&bus_config(), rate, frames)).join().unwrap();
    row.sent_rate = frames as f64 / fed;
    wait_for(&shareds, frames);
    meter.finish(&server, &mut row);
    for s in &shareds {
        s.stop.store(true, Ordering::Release);
    }
    let stats: Vec<Stats> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let log = server.stop();
    summarize(&mut row, &stats, meter.t0);
    log_notes(&mut row, &log);
    row
}

/// One keep-alive connection sending `GET /?id=…&data=[…]` until `end`: (answered, errors, latency).
fn http_sender(index: usize, end: Instant) -> (u64, u64, Hist, Option<String>) {
    let mut hist = Hist::new();
    let (mut ok, mut errors) = (0u64, 0u64);
    let mut s = match TcpStream::connect(("127.0.0.1", HTTP_PORT)) {
        Ok(s) => s,
        Err(e) => return (0, 0, hist, Some(format!("connect: {e}"))),
    };
    let _ = s.set_nodelay(true);
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let request =
        format!("GET /?id={}&data=[1,2,3,4,5,6,7,8] HTTP/1.1\r\nHost: localhost\r\n\r\n", 0x100 + index);
    let mut buf = vec![0u8; 4096];
    let mut pending: Vec<u8> = Vec::new();
    while Instant::now() < end {
        let t = Instant::now();
        if let Err(e) = s.write_all(request.as_bytes()) {
            return (ok, errors, hist, Some(format!("write: {e}")));
        }
        // One response: headers, then a body if it has a Content-Length.
        loop {
            if let Some(h) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&pending[..h]).to_ascii_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if pending.len() >= h + 4 + len {
                    if head.starts_with("http/1.1 204") {
                        ok += 1;
                    } else {
                        errors += 1;
                    }
                    pending.drain(..h + 4 + len);
                    break;
                }
            }
            match s.read(&mut buf) {
                Ok(0) => return (ok, errors, hist, Some("the server closed the connection".into())),
                Ok(n) => pending.extend_from_slice(&buf[..n]),
                Err(e) => return (ok, errors, hist, Some(format!("read: {e}"))),
            }
        }
        hist.add(t.elapsed().as_nanos() as u64);
    }
    (ok, errors, hist, None)
}

fn http_row(conns: usize, seconds: f64, dir: &Path) -> Row {
    let mut row = Row { test: "http-send (GET /?id=)".into(), n: conns, ..Row::default() };
    let server = match Server::start(&["--http-port".into(), HTTP_PORT.to_string()], dir) {
        Ok(s) => s,
        Err(e) => {
            row.notes.push(e);
            return row;
        }
    };
    let bus = Shared::new();
    let receiver = bus_receiver(bus_config(), Arc::clone(&bus), false);
    std::thread::sleep(Duration::from_millis(200));
    let meter = Meter::start(&server);
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    let senders: Vec<_> = (0..conns).map(|i| std::thread::spawn(move || http_sender(i, end))).collect();
    let mut hist = Hist::new();
    let (mut ok, mut errors) = (0, 0);
    for s in senders {
        let (o, e, h, err) = s.join().unwrap();
        ok += o;
        errors += e;
        hist.merge(&h);
        if let Some(err) = err {
            row.notes.push(err);
        }
    }
    let sending = meter.t0.elapsed().as_secs_f64();
    wait_for(std::slice::from_ref(&bus), ok);
    meter.finish(&server, &mut row);
    bus.stop.store(true, Ordering::Release);
    let st = receiver.join().unwrap();
    let log = server.stop();
    row.sent = ok;
    row.sent_rate = ok as f64 / sending;
    row.recv_min = st.received;
    row.recv_mean = st.received as f64;
    row.recv_rate =
        st.received as f64 / st.last_rx.map_or(sending, |l| l.duration_since(meter.t0).as_secs_f64());
    row.p50_us = hist.quantile_us(0.5);
    row.p99_us = hist.quantile_us(0.99);
    row.max_us = hist.max as f64 / 1e3;
    if errors > 0 {
        row.notes.push(format!("{errors} answers other than 204"));
    }
    if st.other > 0 {
        row.notes.push(format!("the bus receiver's socket dropped {}", st.other));
    }
    log_notes(&mut row, &log);
    row
}

fn udp_args(format: Format) -> Vec<String> {
    vec![
        "--no-http".into(),
        "--udp-listen".into(),
        format!("127.0.0.1:{UDP_LISTEN}"),
        "--udp-peer".into(),
        format!("127.0.0.1:{UDP_PEER}"),
        "--udp-format".into(),
        format.name().into(),
    ]
}

fn udp_in_row(format: Format, rate: u64, frames: u64, dir: &Path) -> Row {
    let mut row =
        Row { test: format!("udp→bus {}", format.name()), n: 1, rate, sent: frames, ..Row::default() };
    let server = match Server::start(&udp_args(format), dir) {
        Ok(s) => s,
        Err(e) => {
            row.notes.push(e);
            return row;
        }
    };
    let sock = UdpSocket::bind(("127.0.0.1", UDP_PEER)).expect("bind the UDP peer");
    let bus = Shared::new();
    let receiver = bus_receiver(bus_config(), Arc::clone(&bus), true);
    std::thread::sleep(Duration::from_millis(200));
    let meter = Meter::start(&server);
    let to: SocketAddr = ([127, 0, 0, 1], UDP_LISTEN).into();
    let (secs, datagrams) = udp_send(&sock, to, format, rate, frames);
    row.sent_rate = frames as f64 / secs;
    wait_for(std::slice::from_ref(&bus), frames);
    meter.finish(&server, &mut row);
    bus.stop.store(true, Ordering::Release);
    let st = receiver.join().unwrap();
    let log = server.stop();
    summarize(&mut row, std::slice::from_ref(&st), meter.t0);
    if format == Format::Cannelloni {
        row.notes.push(format!("{datagrams} packets ({:.1} frames each)", frames as f64 / datagrams as f64));
    }
    log_notes(&mut row, &log);
    row
}

fn udp_out_row(format: Format, rate: u64, frames: u64, dir: &Path) -> Row {
    let mut row =
        Row { test: format!("bus→udp {}", format.name()), n: 1, rate, sent: frames, ..Row::default() };
    let sock = UdpSocket::bind(("127.0.0.1", UDP_PEER)).expect("bind the UDP peer");
    // A large receive buffer, so the peer's own socket is not where frames are lost.
    let _ = socket2::SockRef::from(&sock).set_recv_buffer_size(8 << 20);
    let server = match Server::start(&udp_args(format), dir) {
        Ok(s) => s,
        Err(e) => {
            row.notes.push(e);
            return row;
        }
    };
    let peer = Shared::new();
    let receiver = udp_receiver(sock, format, Arc::clone(&peer));
    std::thread::sleep(Duration::from_millis(200));
    let meter = Meter::start(&server);
    let fed = std::thread::spawn(move || feed(&bus_config(), rate, frames)).join().unwrap();
    row.sent_rate = frames as f64 / fed;
    wait_for(std::slice::from_ref(&peer), frames);
    meter.finish(&server, &mut row);
    peer.stop.store(true, Ordering::Release);
    let st = receiver.join().unwrap();
    let log = server.stop();
    summarize(&mut row, std::slice::from_ref(&st), meter.t0);
    log_notes(&mut row, &log);
    row
}

// ---------------------------------------------------------------------------------------------
// In User-Mode Linux: a vcan0 → UDP → vcan1 tunnel, canserver's bridges beside the real cannelloni.

/// The tunnel's UDP ports in the guest: the vcan0 end listens on the first, the vcan1 end on the
/// second, each sending to the other.
const TUNNEL_PORTS: [u16; 2] = [20101, 20102];

#[derive(Clone, Copy)]
enum Tunnel {
    /// The real cannelloni at both ends; `-t` microseconds (its default: 100 ms).
    Cannelloni(Option<u32>),
    /// canserver at both ends, one UDP bridge each.
    Canserver(Format),
}

impl Tunnel {
    fn name(self) -> String {
        match self {
            Tunnel::Cannelloni(None) => "cannelloni (default)".into(),
            Tunnel::Cannelloni(Some(t)) => format!("cannelloni -t {t}"),
            Tunnel::Canserver(f) => format!("canserver {}", f.name()),
        }
    }
}

/// One end of a tunnel, and where its output goes.
struct End {
    child: Child,
    log: PathBuf,
}

impl End {
    /// Start the end on `can`, listening on `listen` and sending to `peer`; wait until it says
    /// it is up.
    fn start(
        tunnel: Tunnel,
        cannelloni: &Path,
        can: &str,
        listen: u16,
        peer: u16,
        dir: &Path,
    ) -> Result<End, String> {
        let log = dir.join(format!("{can}.log"));
        let out = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let err = out.try_clone().map_err(|e| e.to_string())?;
        let (mut command, ready) = match tunnel {
            Tunnel::Cannelloni(timeout) => {
                let mut c = Command::new(cannelloni);
                c.args(["-I", can, "-R", "127.0.0.1", "-r", &peer.to_string(), "-l", &listen.to_string()]);
                if let Some(t) = timeout {
                    c.args(["-t", &t.to_string()]);
                }
                (c, "UDPThread up and running")
            }
            Tunnel::Canserver(format) => {
                let mut c = Command::new(canserver());
                c.args([
                    "-i",
                    "socketcan",
                    "-c",
                    can,
                    "--no-socketcand",
                    "--no-remote",
                    "--no-beacon",
                    "--no-http",
                ])
                .args(["--udp-listen", &format!("127.0.0.1:{listen}")])
                .args(["--udp-peer", &format!("127.0.0.1:{peer}"), "--udp-format", format.name()])
                .args(std::env::var("BENCH_CANSERVER_ARGS").unwrap_or_default().split_whitespace());
                (c, "UDP bridge (")
            }
        };
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("start {}: {e}", tunnel.name()))?;
        let mut end = End { child, log };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = std::fs::read_to_string(&end.log).unwrap_or_default();
            if text.contains(ready) {
                return Ok(end);
            }
            if end.child.try_wait().ok().flatten().is_some() || Instant::now() > deadline {
                end.stop();
                return Err(format!("{} on {can} did not come up: {}", tunnel.name(), text.trim()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn stop(&mut self) -> String {
        terminate(&mut self.child, Duration::from_secs(3));
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// In the guest: frames fed on vcan0 at `rate`, through the tunnel, counted on vcan1.
fn tunnel_row(tunnel: Tunnel, cannelloni: &Path, rate: u64, frames: u64, dir: &Path) -> Row {
    let mut row = Row { test: tunnel.name(), n: 1, rate, sent: frames, cpu_s: f64::NAN, ..Row::default() };
    let [a, b] = TUNNEL_PORTS;
    let mut ends = Vec::new();
    for (can, listen, peer) in [("vcan0", a, b), ("vcan1", b, a)] {
        match End::start(tunnel, cannelloni, can, listen, peer, dir) {
            Ok(end) => ends.push(end),
            Err(e) => {
                row.notes.push(e);
                for mut end in ends {
                    end.stop();
                }
                return row;
            }
        }
    }
    let seen = Shared::new();
    let receiver = bus_receiver(BusConfig::new("socketcan", Some("vcan1")), Arc::clone(&seen), true);
    std::thread::sleep(Duration::from_millis(200));
    let t0 = Instant::now();
    let fed = feed(&BusConfig::new("socketcan", Some("vcan0")), rate, frames);
    row.sent_rate = frames as f64 / fed;
    wait_for(std::slice::from_ref(&seen), frames);
    row.wall_s = t0.elapsed().as_secs_f64();
    seen.stop.store(true, Ordering::Release);
    let st = receiver.join().unwrap();
    let logs: Vec<String> = ends.iter_mut().map(End::stop).collect();
    summarize(&mut row, std::slice::from_ref(&st), t0);
    for log in &logs {
        log_notes(&mut row, log);
    }
    row
}

/// The guest's part: every tunnel at every rate, rows printed as the host prints them.
fn guest_main(args: &[String]) {
    let arg = |name: &str| -> String {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_default()
    };
    let cannelloni = PathBuf::from(arg("--cannelloni"));
    let seconds: f64 = arg("--seconds").parse().unwrap_or(3.0);
    let rates: Vec<u64> = arg("--rates").split(',').filter_map(|r| r.parse().ok()).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let tunnels = [
        Tunnel::Cannelloni(None),
        Tunnel::Cannelloni(Some(1000)),
        Tunnel::Canserver(Format::Cannelloni),
        Tunnel::Canserver(Format::Socketcan),
    ];
    let mut rows = Vec::new();
    for &rate in &rates {
        for tunnel in tunnels {
            let row = tunnel_row(tunnel, &cannelloni, rate, (rate as f64 * seconds) as u64, dir.path());
            print_row(&row);
            rows.push(row);
        }
    }
    println!("\ncanserver / cannelloni through the same tunnel (lost: fewer is better; p99: below 1 = canserver faster):");
    for pair in rows.chunks(tunnels.len()) {
        let lost = |r: &Row| r.sent.saturating_sub(r.recv_min);
        let base = &pair[0];
        for r in &pair[2..] {
            println!(
                "  {:>6} frames/s  {:<22} lost {} vs {} (cannelloni default), {} (cannelloni -t 1000); p99 {:.2}× / {:.2}×",
                r.rate,
                r.test,
                lost(r),
                lost(base),
                lost(&pair[1]),
                r.p99_us / base.p99_us,
                r.p99_us / pair[1].p99_us
            );
        }
    }
}

/// Run the guest part in User-Mode Linux and print its rows (or why not).
fn uml_rows(seconds: f64) -> Result<(), String> {
    let cannelloni = peer_binary("cannelloni", "CANNELLONI")?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let rates = std::env::var("BENCH_UML_RATES").unwrap_or_else(|_| "1000,2500,10000".into());
    let rows = 4 * rates.split(',').count() as u64;
    let mut command = uml_command(rows * (seconds as u64 * 3 + 15) + 60, &[&exe, &canserver(), &cannelloni])?;
    let out = command
        .arg(&exe)
        .args(["--guest", "--cannelloni"])
        .arg(&cannelloni)
        .args(["--seconds", &seconds.to_string(), "--rates", &rates])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("tests/uml/run.sh: {e}"))?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        return Err(format!(
            "the guest failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).lines().rev().take(5).collect::<Vec<_>>().join(" | ")
        ));
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--guest") {
        guest_main(&args);
        return;
    }
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this binary without it.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let seconds: f64 = env_or("BENCH_SECONDS", 3.0);
    let sse_clients = nums("BENCH_SSE_CLIENTS", "1,10");
    let sse_rate: u64 = env_or("BENCH_SSE_RATE", 10_000);
    let http_conns = nums("BENCH_HTTP_CONNS", "1,8");
    let udp_rates = nums("BENCH_UDP_RATES", "10000,100000,0");
    let max_frames: u64 = env_or("BENCH_MAX_FRAMES", 200_000);
    let formats: Vec<Format> = list("BENCH_UDP_FORMATS", "socketcan,cannelloni")
        .iter()
        .filter_map(|f| match f.as_str() {
            "socketcan" => Some(Format::Socketcan),
            "cannelloni" => Some(Format::Cannelloni),
            _ => None,
        })
        .collect();
    let rows = std::env::var("BENCH_ROWS").unwrap_or_else(|_| "sse,http,udp".into());
    let places = std::env::var("BENCH_PLACES").unwrap_or_else(|_| "loopback,uml".into());
    let quiet = Duration::from_secs(env_or("BENCH_QUIET_WAIT", 5));
    let frames_for = |rate: u64| if rate == 0 { max_frames } else { (rate as f64 * seconds) as u64 };

    // Before any thread exists: every thread and child inherits the namespace.
    match enter_private_netns() {
        Some(n) => println!("network: private namespace {n} (only lo), udp_multicast port {BUS_PORT}"),
        None => println!("network: host loopback, udp_multicast port {BUS_PORT}"),
    }
    println!("load average before: {}", loadavg());
    println!(
        "{seconds} s of traffic per row. sent = frames sent (per client for sse; requests answered with 204 for \
         http-send); sent/s = the sender's achieved rate; lost = sent − received (per client: worst, mean); \
         latency: sse/udp/bus = sender's clock in the frame → receiver, http-send = request → its answer; \
         recv f/s = a receiver's frames / time to its last frame; µs/frm = server CPU per frame received \
         (per frame and client for sse: divide by n for per delivery); CPU% = server's share of a core; \
         oth% = the rest of the machine besides the server and this process; kdrops = kernel drops on the \
         server's UDP sockets. The real cannelloni (it needs SocketCAN) is compared in User-Mode Linux below."
    );
    let dir = tempfile::tempdir_in(root().join("target")).expect("bench directory");
    header();
    let run = |row: Row| print_row(&row);
    if rows.contains("sse") && places.contains("loopback") {
        for &n in &sse_clients {
            wait_quiet(quiet);
            run(sse_row(n as usize, sse_rate, frames_for(sse_rate), dir.path()));
        }
    }
    if rows.contains("http") && places.contains("loopback") {
        for &n in &http_conns {
            wait_quiet(quiet);
            run(http_row(n as usize, seconds, dir.path()));
        }
    }
    if rows.contains("udp") && places.contains("loopback") {
        for &format in &formats {
            for &rate in &udp_rates {
                wait_quiet(quiet);
                run(udp_in_row(format, rate, frames_for(rate), dir.path()));
                wait_quiet(quiet);
                run(udp_out_row(format, rate, frames_for(rate), dir.path()));
            }
        }
    }
    if places.contains("uml") {
        let uml_seconds: f64 = env_or("BENCH_UML_SECONDS", 3.0);
        println!(
            "\nUser-Mode Linux (one CPU: feeder, both ends and receiver share it): frames fed on vcan0 \
             at the rate, tunnelled over UDP on the guest's loopback, counted on vcan1; latency feeder → \
             receiver. The same tunnel with the real cannelloni at both ends, and with canserver at both \
             ends ({uml_seconds} s per row; CPU not measured here)."
        );
        header();
        if let Err(e) = uml_rows(uml_seconds) {
            println!("User-Mode Linux rows not run: {e}");
        }
    }
    println!("load average after: {}", loadavg());
}
