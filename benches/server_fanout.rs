//! `cargo bench --bench server_fanout`: `canserver` fanning one bus out to many socketcand
//! clients, side by side with the real socketcand daemon.
//!
//! A feeder puts frames on the bus at a paced rate; each frame carries its sequence number as
//! its (29-bit) id and the feeder's `CLOCK_REALTIME` at sending as its 8 data bytes, so every
//! client counts what it lost and measures bus-to-client latency itself (feeder → bus → server →
//! TCP → client). Clients are real socketcand clients (`< open >`, `< rawmode >`, then
//! `< frame … >` elements), all served by one thread of this process (an epoll loop), as cheap
//! as a reader can be; its CPU share is printed, so a row where the readers were the limit shows.
//! Per row the server is started afresh; figures:
//!
//! * frames lost per client (worst client and the mean), latency p50/p99/max over every frame
//!   every client received, each client's delivered rate (frames / time from the first frame sent
//!   to its last frame received);
//! * CPU time per bus frame and per delivery (one frame to one client), and as a share of one
//!   core: on loopback the server's process tree's, by the scheduler's clocks
//!   (`clock_getcpuclockid`, nanoseconds), with the machine's other load beside it (`oth%`: the
//!   figures are not clean when it is high); in User-Mode Linux the whole guest's, measured from
//!   the host between marks the guest writes around each row's traffic (the guest's own
//!   accounting, ticks and scheduler clocks alike, charges next to nothing to the processes that
//!   ran), so the two servers compare with each other under the same feeder and clients;
//! * memory: the server's resident set (and proportional set: socketcand forks one process per
//!   client) before any client, with the clients connected and idle (→ kB per idle client), and
//!   at the end of the traffic; where the losses happened when the server can tell (canserver's
//!   disconnect lines; the kernel's drop counter of its UDP bus socket).
//!
//! A baseline row per rate has no server: one receiver on the bus itself, the platform's own
//! latency and loss.
//!
//! Places: canserver on the loopback udp_multicast bus of this machine (as root in a private
//! network namespace with only `lo`, else on a private port), and — both servers in one User-Mode
//! Linux guest (`tests/uml/run.sh`: one CPU, vcan0), fed by this binary running inside the guest
//! (`--guest`) — canserver (`-i socketcan -c vcan0`) and the socketcand daemon (built by
//! `../shared/peers/build-peers.sh` when missing).
//!
//! Options (environment): `BENCH_SECONDS` of traffic per loopback row (default 3),
//! `BENCH_RATES` frames/s on loopback (default 10000,100000; 0 = as fast as the feeder goes,
//! `BENCH_MAX_FRAMES` frames, default 300000), `BENCH_CLIENTS` on loopback (default 1,10,100);
//! in the guest `BENCH_UML_SECONDS` (default 4), `BENCH_UML_RATES` (default 1000,10000: one
//! guest CPU runs feeder, server and clients, and 10,000 frames/s is already beyond it for both
//! servers), `BENCH_UML_CLIENTS` (default 1,10), `BENCH_UML_IDLE` clients for an idle-only
//! memory row per server (default 100, 0 = none); `BENCH_PLACES` (loopback,uml; default both),
//! `SOCKETCAND` (the daemon; default $CARGO_TARGET_DIR/peers/bin/socketcand),
//! `BENCH_CANSERVER_ARGS` (more canserver options, e.g. `--threads 2`),
//! `BENCH_QUIET_WAIT` seconds to wait before each row for the machine to be quiet (default 20;
//! the `oth%` column shows what else ran). About 2.5 minutes in all.

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use cankit::{Bus, BusConfig, BusEvent, Frame};

mod support;

use support::measure::*;
use support::{enter_private_netns, env_or, peer_binary, root, terminate, uml_command};

/// A client that received nothing for this long after the feeder finished has got all it will.
const IDLE: Duration = Duration::from_secs(1);
/// The loopback bus's port and the servers' ports: private, away from the defaults and from the
/// other benchmarks' (43198, 43199).
const BUS_PORT: u16 = 43197;
const SOCKETCAND_PORT: u16 = 29736;
const REMOTE_PORT: u16 = 54901;

/// CPU time of the calling thread. Like every CPU time here it is the scheduler's own count
/// (nanoseconds on the host), not the tick sampling of `/proc/PID/stat`: User-Mode Linux's
/// tick accounting charges almost nothing to the processes that ran.
fn thread_cpu_seconds() -> f64 {
    clock_seconds(libc::CLOCK_THREAD_CPUTIME_ID).unwrap_or(0.0)
}

// ---------------------------------------------------------------------------------------------
// The clients: one thread, one current-thread tokio runtime, N socketcand connections.

/// What the client thread and the conductor share.
struct Control {
    /// Per client: frames received so far (published once per read).
    received: Vec<AtomicU64>,
    /// Clients through their handshake; and those that failed it.
    ready: AtomicUsize,
    failed: AtomicUsize,
    /// Cancelled when the conductor ends the run (clients still waiting for frames stop).
    stop: tokio_util::sync::CancellationToken,
}

#[derive(Clone)]
struct ClientStats {
    received: u64,
    /// Frames whose sequence number was below the previous one's (never expected).
    reordered: u64,
    /// Elements other than frames after the handshake (errors, ...).
    other: u64,
    hist: Hist,
    /// When the last frame arrived, on the conductor's clock.
    last_rx: Option<Instant>,
    error: Option<String>,
}

impl ClientStats {
    fn new() -> ClientStats {
        ClientStats { received: 0, reordered: 0, other: 0, hist: Hist::new(), last_rx: None, error: None }
    }
}

struct ClientsResult {
    clients: Vec<ClientStats>,
    cpu_seconds: f64,
    errors: Vec<String>,
}

/// Read elements (`<` … `>`) from `pending`; returns how many bytes were consumed.
fn elements(pending: &[u8], mut each: impl FnMut(&[u8])) -> usize {
    let mut pos = 0;
    loop {
        let Some(lt) = memchr::memchr(b'<', &pending[pos..]) else { return pending.len() };
        let start = pos + lt;
        let Some(gt) = memchr::memchr(b'>', &pending[start..]) else { return start };
        each(&pending[start + 1..start + gt]);
        pos = start + gt + 1;
    }
}

fn hex_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 16 {
        return None;
    }
    let mut v = 0u64;
    for &c in s {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'F' => c - b'A' + 10,
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        v = v << 4 | d as u64;
    }
    Some(v)
}

/// One element's inside, e.g. ` frame 0000002A 1700000000.123456 0011223344556677 `.
fn on_element(el: &[u8], now_ns: u64, last_seq: &mut Option<u64>, st: &mut ClientStats) {
    let mut words = el.split(|&b| b == b' ').filter(|w| !w.is_empty());
    if words.next() != Some(b"frame") {
        st.other += 1;
        return;
    }
    let (Some(id), Some(_time), Some(data)) = (words.next(), words.next(), words.next()) else {
        st.other += 1;
        return;
    };
    let (Some(seq), Some(sent)) = (hex_u64(id), hex_u64(data).filter(|_| data.len() == 16)) else {
        st.other += 1;
        return;
    };
    if last_seq.is_some_and(|l| seq < l) {
        st.reordered += 1;
    }
    *last_seq = Some(seq);
    st.received += 1;
    st.hist.add(now_ns.saturating_sub(sent));
}

/// Read the next element; it must be `want`. What follows it stays in `pending`.
async fn expect(s: &mut tokio::net::TcpStream, pending: &mut Vec<u8>, want: &str) -> Result<(), String> {
    use tokio::io::AsyncReadExt;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(lt) = memchr::memchr(b'<', pending) {
            if let Some(gt) = memchr::memchr(b'>', &pending[lt..]) {
                let text = String::from_utf8_lossy(&pending[lt..lt + gt + 1]).into_owned();
                pending.drain(..lt + gt + 1);
                return if text == want { Ok(()) } else { Err(format!("expected {want}, got {text}")) };
            }
        }
        let mut buf = [0u8; 512];
        let n = tokio::time::timeout_at(deadline, s.read(&mut buf))
            .await
            .map_err(|_| format!("no {want} within 10 s"))?
            .map_err(|e| format!("reading {want}: {e}"))?;
        if n == 0 {
            return Err(format!("connection closed before {want}"));
        }
        pending.extend_from_slice(&buf[..n]);
    }
}

async fn handshake(addr: SocketAddr, bus: &str) -> Result<(tokio::net::TcpStream, Vec<u8>), String> {
    use tokio::io::AsyncWriteExt;
    let mut s = tokio::net::TcpStream::connect(addr).await.map_err(|e| format!("connect {addr}: {e}"))?;
    let _ = s.set_nodelay(true);
    let mut pending = Vec::new();
    expect(&mut s, &mut pending, "< hi >").await?;
    s.write_all(format!("< open {bus} >").as_bytes()).await.map_err(|e| e.to_string())?;
    expect(&mut s, &mut pending, "< ok >").await?;
    s.write_all(b"< rawmode >").await.map_err(|e| e.to_string())?;
    expect(&mut s, &mut pending, "< ok >").await?;
    Ok((s, pending))
}

async fn read_loop(
    mut s: tokio::net::TcpStream,
    mut pending: Vec<u8>,
    index: usize,
    ctl: Arc<Control>,
) -> ClientStats {
    use tokio::io::AsyncReadExt;
    let mut st = ClientStats::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut last_seq = None;
    // Until the conductor says the run is over: a client that has everything stays connected,
    // so the server's memory is measured with its clients.
    loop {
        let n = tokio::select! {
            biased;
            _ = ctl.stop.cancelled() => break,
            r = s.read(&mut buf) => match r {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => {
                    st.error = Some(e.to_string());
                    break;
                }
            },
        };
        let now = realtime_ns();
        st.last_rx = Some(Instant::now());
        pending.extend_from_slice(&buf[..n]);
        let used = elements(&pending, |el| on_element(el, now, &mut last_seq, &mut st));
        pending.drain(..used);
        ctl.received[index].store(st.received, Ordering::Relaxed);
    }
    st
}

/// Connect `n` clients one after the other (socketcand's listen backlog is 3), then read.
fn start_clients(
    addr: SocketAddr,
    bus: String,
    n: usize,
    ctl: Arc<Control>,
) -> std::thread::JoinHandle<ClientsResult> {
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let mut errors = Vec::new();
            let mut tasks = Vec::new();
            for i in 0..n {
                match handshake(addr, &bus).await {
                    Ok((s, pending)) => {
                        tasks.push(tokio::spawn(read_loop(s, pending, i, Arc::clone(&ctl))));
                        ctl.ready.fetch_add(1, Ordering::AcqRel);
                    }
                    Err(e) => {
                        errors.push(format!("client {i}: {e}"));
                        ctl.failed.fetch_add(1, Ordering::AcqRel);
                    }
                }
            }
            let cpu0 = thread_cpu_seconds();
            let mut clients = Vec::new();
            for t in tasks {
                let st = t.await.unwrap();
                if let Some(e) = &st.error {
                    errors.push(e.clone());
                }
                clients.push(st);
            }
            ClientsResult { clients, cpu_seconds: thread_cpu_seconds() - cpu0, errors }
        })
    })
}

// ---------------------------------------------------------------------------------------------
// The feeder.

/// Send `frames` frames at `rate` per second (0: as fast as it goes), scheduled against the start
/// so the rate does not drift: id = sequence number (extended), data = CLOCK_REALTIME at sending.
/// Returns the seconds it took.
fn feed(config: &BusConfig, rate: u64, frames: u64) -> f64 {
    // SAFETY: prctl(PR_SET_TIMERSLACK) on this thread only: wake-ups within 1 ns of asked.
    unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0) };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let bus = rt.block_on(Bus::open(config)).expect("open the feeder's bus");
    let start = Instant::now();
    let mut sent = 0u64;
    while sent < frames {
        // When frame `sent` is due; rate 0: now, all of them.
        let due = if let Some(at_ns) = (sent * 1_000_000_000).checked_div(rate) {
            let next = start + Duration::from_nanos(at_ns);
            let now = Instant::now();
            if next > now {
                std::thread::sleep(next - now);
            }
            ((start.elapsed().as_nanos() * rate as u128 / 1_000_000_000) as u64 + 1).min(frames)
        } else {
            frames
        };
        while sent < due {
            let frame =
                Frame::new_data(sent as u32 & 0x1FFF_FFFF, true, &realtime_ns().to_be_bytes()).unwrap();
            rt.block_on(bus.send(&frame)).expect("feeder send");
            sent += 1;
        }
    }
    start.elapsed().as_secs_f64()
}

// ---------------------------------------------------------------------------------------------
// The servers.

struct Server {
    name: &'static str,
    child: Child,
    log: PathBuf,
    addr: SocketAddr,
    /// The bus name clients open.
    bus: String,
}

#[derive(Clone, Copy, Default)]
struct Mem {
    rss_kb: u64,
    pss_kb: u64,
}

/// (parent, state) of a process.
fn proc_stat(pid: u32) -> Option<(u32, char)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let mut f = rest.split_whitespace();
    let state = f.next()?.chars().next()?;
    Some((f.next()?.parse().ok()?, state))
}

impl Server {
    fn start_canserver(bus_args: &[&str], bus: &str, dir: &Path) -> Server {
        let log = dir.join("canserver.log");
        let child = Command::new(canserver())
            .args(bus_args)
            .args(["--socketcand-port", &SOCKETCAND_PORT.to_string()])
            .args(["--remote-port", &REMOTE_PORT.to_string(), "--no-beacon", "--no-http"])
            .args(std::env::var("BENCH_CANSERVER_ARGS").unwrap_or_default().split_whitespace())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("start canserver");
        Server {
            name: "canserver",
            child,
            log,
            addr: ([127, 0, 0, 1], SOCKETCAND_PORT).into(),
            bus: bus.into(),
        }
    }

    fn start_socketcand(path: &Path, dir: &Path) -> Server {
        let log = dir.join("socketcand.log");
        let child = Command::new(path)
            .args(["-i", "vcan0", "-l", "lo", "-n", "-p", &SOCKETCAND_PORT.to_string()])
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::from(std::fs::File::options().append(true).open(&log).unwrap()))
            .spawn()
            .expect("start socketcand");
        Server {
            name: "socketcand",
            child,
            log,
            addr: ([127, 0, 0, 1], SOCKETCAND_PORT).into(),
            bus: "vcan0".into(),
        }
    }

    /// Until the port answers `< hi >` (that probe connection is closed again).
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return Err(format!(
                    "{} exited ({st}): {}",
                    self.name,
                    std::fs::read_to_string(&self.log).unwrap_or_default()
                ));
            }
            if let Ok(mut s) = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                let mut b = [0u8; 16];
                if s.read(&mut b).map(|n| n > 0).unwrap_or(false) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(format!("{} did not answer on {} within 10 s", self.name, self.addr));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server and its children (socketcand forks one per client), zombies left out.
    fn pids(&self) -> Vec<u32> {
        let me = self.child.id();
        let mut pids = vec![me];
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
            if let Some((ppid, state)) = proc_stat(pid) {
                if ppid == me && state != 'Z' {
                    pids.push(pid);
                }
            }
        }
        pids
    }

    /// CPU time of the server and its children (those that ended are not counted: with
    /// socketcand, only the probe connections of `wait_ready`).
    fn cpu_seconds(&self) -> f64 {
        self.pids().iter().filter_map(|&p| process_cpu_seconds(p)).sum()
    }

    fn mem(&self) -> Mem {
        let mut m = Mem::default();
        for p in self.pids() {
            let rss = status_kb(p, "status", "VmRSS:").unwrap_or(0);
            m.rss_kb += rss;
            m.pss_kb += status_kb(p, "smaps_rollup", "Pss:").unwrap_or(rss);
        }
        m
    }

    fn peak_rss_kb(&self) -> u64 {
        status_kb(self.child.id(), "status", "VmHWM:").unwrap_or(0)
    }

    /// Drops counted by the kernel on the server's UDP sockets (the loopback bus), if any.
    fn udp_drops(&self) -> Option<u64> {
        let pid = self.child.id();
        let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
            .ok()?
            .flatten()
            .filter_map(|e| std::fs::read_link(e.path()).ok())
            .filter_map(|l| l.to_str()?.strip_prefix("socket:[")?.strip_suffix(']').map(str::to_string))
            .collect();
        let mut total = None;
        for table in ["udp", "udp6"] {
            let Ok(text) = std::fs::read_to_string(format!("/proc/{pid}/net/{table}")) else { continue };
            for line in text.lines().skip(1) {
                let f: Vec<&str> = line.split_whitespace().collect();
                if f.len() >= 13 && inodes.iter().any(|i| i == f[9]) {
                    *total.get_or_insert(0) += f[12].parse::<u64>().unwrap_or(0);
                }
            }
        }
        total
    }

    /// SIGTERM, wait, the log.
    fn stop(mut self) -> String {
        terminate(&mut self.child, Duration::from_secs(5));
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// One row: a fresh server, N clients, idle memory, traffic, figures.

#[derive(Clone, Debug, Default)]
struct Row {
    place: String,
    server: String,
    clients: usize,
    /// Asked rate (0: flat out, or an idle-only row when `sent` is 0).
    rate: u64,
    sent: u64,
    fed_rate: f64,
    recv_min: u64,
    recv_mean: f64,
    p50_us: f64,
    p99_us: f64,
    max_us: f64,
    /// Mean over clients of frames received / (last frame received − first frame sent).
    delivered_rate: f64,
    cpu_s: f64,
    /// From the first frame sent to the last frame received (or the feeder's end).
    wall_s: f64,
    /// Over which the CPU times were taken (includes the wait for stragglers).
    window_s: f64,
    client_cpu_s: f64,
    /// This process (clients, feeder) and the whole machine over the traffic, in CPU seconds.
    bench_cpu_s: f64,
    machine_cpu_s: f64,
    mem0: (u64, u64),
    mem_idle: (u64, u64),
    mem_end: (u64, u64),
    peak_rss_kb: u64,
    /// Frames canserver says it dropped for slow clients (its disconnect lines); clients that
    /// overflowed (its "not keeping up" lines).
    server_drops: Option<u64>,
    slow_clients: Option<u64>,
    /// The kernel's drop counter on the server's UDP bus socket.
    bus_drops: Option<u64>,
    reordered: u64,
    other: u64,
    notes: String,
}

impl Row {
    const FIELDS: usize = 30;

    fn to_line(&self) -> String {
        let o = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
        let f = [
            self.place.clone(),
            self.server.clone(),
            self.clients.to_string(),
            self.rate.to_string(),
            self.sent.to_string(),
            self.fed_rate.to_string(),
            self.recv_min.to_string(),
            self.recv_mean.to_string(),
            self.p50_us.to_string(),
            self.p99_us.to_string(),
            self.max_us.to_string(),
            self.delivered_rate.to_string(),
            self.cpu_s.to_string(),
            self.wall_s.to_string(),
            self.window_s.to_string(),
            self.client_cpu_s.to_string(),
            self.bench_cpu_s.to_string(),
            self.machine_cpu_s.to_string(),
            self.mem0.0.to_string(),
            self.mem0.1.to_string(),
            self.mem_idle.0.to_string(),
            self.mem_idle.1.to_string(),
            self.mem_end.0.to_string(),
            self.mem_end.1.to_string(),
            self.peak_rss_kb.to_string(),
            o(self.server_drops),
            o(self.slow_clients),
            o(self.bus_drops),
            format!("{}/{}", self.reordered, self.other),
            self.notes.replace(['\t', '\n'], " "),
        ];
        debug_assert_eq!(f.len(), Self::FIELDS);
        format!("ROW\t{}", f.join("\t"))
    }

    fn from_line(line: &str) -> Option<Row> {
        let f: Vec<&str> = line.strip_prefix("ROW\t")?.split('\t').collect();
        if f.len() != Self::FIELDS {
            return None;
        }
        let o = |s: &str| s.parse::<u64>().ok();
        let (reordered, other) = f[28].split_once('/')?;
        Some(Row {
            place: f[0].into(),
            server: f[1].into(),
            clients: f[2].parse().ok()?,
            rate: f[3].parse().ok()?,
            sent: f[4].parse().ok()?,
            fed_rate: f[5].parse().ok()?,
            recv_min: f[6].parse().ok()?,
            recv_mean: f[7].parse().ok()?,
            p50_us: f[8].parse().ok()?,
            p99_us: f[9].parse().ok()?,
            max_us: f[10].parse().ok()?,
            delivered_rate: f[11].parse().ok()?,
            cpu_s: f[12].parse().ok()?,
            wall_s: f[13].parse().ok()?,
            window_s: f[14].parse().ok()?,
            client_cpu_s: f[15].parse().ok()?,
            bench_cpu_s: f[16].parse().ok()?,
            machine_cpu_s: f[17].parse().ok()?,
            mem0: (f[18].parse().ok()?, f[19].parse().ok()?),
            mem_idle: (f[20].parse().ok()?, f[21].parse().ok()?),
            mem_end: (f[22].parse().ok()?, f[23].parse().ok()?),
            peak_rss_kb: f[24].parse().ok()?,
            server_drops: o(f[25]),
            slow_clients: o(f[26]),
            bus_drops: o(f[27]),
            reordered: reordered.parse().ok()?,
            other: other.parse().ok()?,
            notes: f[29].into(),
        })
    }
}

/// Sum of the `N frames dropped` in canserver's disconnect lines, and its "not keeping up" lines.
fn canserver_drops(log: &str) -> (u64, u64) {
    let mut dropped = 0;
    let mut slow = 0;
    for line in log.lines() {
        if let Some(i) = line.find(" frames dropped because it did not keep up") {
            dropped += line[..i].rsplit(' ').next().and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
        }
        if line.contains("not keeping up") {
            slow += 1;
        }
    }
    (dropped, slow)
}

struct Setup<'a> {
    place: &'a str,
    bus: BusConfig,
    dir: &'a Path,
    /// Wait until this many CAN sockets listen on vcan0 before feeding (SocketCAN only).
    can_sockets: Option<usize>,
}

/// `frames == 0`: connect the clients, measure memory, no traffic.
fn run_row(setup: &Setup, mut server: Server, clients: usize, rate: u64, frames: u64) -> Row {
    let mut row = Row {
        place: setup.place.into(),
        server: server.name.into(),
        clients,
        rate,
        sent: frames,
        ..Row::default()
    };
    if let Err(e) = server.wait_ready() {
        row.notes = e;
        server.stop();
        return row;
    }
    std::thread::sleep(Duration::from_millis(200));
    let m = server.mem();
    row.mem0 = (m.rss_kb, m.pss_kb);

    let ctl = Arc::new(Control {
        received: (0..clients).map(|_| AtomicU64::new(0)).collect(),
        ready: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        stop: tokio_util::sync::CancellationToken::new(),
    });
    let reader = start_clients(server.addr, server.bus.clone(), clients, Arc::clone(&ctl));
    let deadline = Instant::now() + Duration::from_secs(30);
    while ctl.ready.load(Ordering::Acquire) + ctl.failed.load(Ordering::Acquire) < clients
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut notes = Vec::new();
    if let Some(want) = setup.can_sockets.map(|n| if server.name == "socketcand" { clients } else { n }) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while can_sockets("vcan0") < want && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        if can_sockets("vcan0") < want {
            notes.push(format!("only {} of {want} CAN sockets on vcan0", can_sockets("vcan0")));
        }
    }
    // canserver holds the first frames 50 ms after `< rawmode >`; let every client be past that.
    std::thread::sleep(Duration::from_millis(300));
    let m = server.mem();
    row.mem_idle = (m.rss_kb, m.pss_kb);

    let cpu0 = server.cpu_seconds();
    mark("start");
    let (bench0, machine0) = (own_cpu_seconds(), machine_cpu_seconds());
    let t0 = Instant::now();
    if frames > 0 {
        let bus = setup.bus.clone();
        let feeder = std::thread::spawn(move || feed(&bus, rate, frames));
        let fed_seconds = feeder.join().unwrap();
        row.fed_rate = frames as f64 / fed_seconds;
        row.wall_s = fed_seconds;
        // Until every client has everything, or nothing more arrives for IDLE.
        let want = frames * clients as u64;
        let mut last_total = u64::MAX;
        let mut last_change = Instant::now();
        loop {
            let total: u64 = ctl.received.iter().map(|r| r.load(Ordering::Relaxed)).sum();
            if total >= want || ctl.ready.load(Ordering::Acquire) == 0 {
                break;
            }
            if total != last_total {
                last_total = total;
                last_change = Instant::now();
            } else if last_change.elapsed() > IDLE {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    row.window_s = t0.elapsed().as_secs_f64();
    row.cpu_s = server.cpu_seconds() - cpu0;
    row.bench_cpu_s = own_cpu_seconds() - bench0;
    row.machine_cpu_s = machine_cpu_seconds() - machine0;
    mark("end");
    let m = server.mem();
    row.mem_end = (m.rss_kb, m.pss_kb);
    row.peak_rss_kb = server.peak_rss_kb();
    row.bus_drops = server.udp_drops();

    ctl.stop.cancel();
    let result = reader.join().unwrap();
    // Let the server see the disconnects and log them.
    std::thread::sleep(Duration::from_millis(300));
    let log = server.stop();
    if row.server == "canserver" {
        let (dropped, slow) = canserver_drops(&log);
        row.server_drops = Some(dropped);
        row.slow_clients = Some(slow);
    }

    summarize(&mut row, &result.clients, t0);
    row.client_cpu_s = result.cpu_seconds;
    if result.clients.len() < clients {
        notes.push(format!("{} of {clients} clients connected", result.clients.len()));
    }
    notes.extend(result.errors.into_iter().take(3));
    row.notes = notes.join("; ");
    row
}

/// Loss, latency and delivered rate over every client.
fn summarize(row: &mut Row, clients: &[ClientStats], t0: Instant) {
    let mut hist = Hist::new();
    let mut recv = Vec::new();
    let mut rates = Vec::new();
    for c in clients {
        hist.merge(&c.hist);
        recv.push(c.received);
        row.reordered += c.reordered;
        row.other += c.other;
        if let Some(last) = c.last_rx {
            let active = last.duration_since(t0).as_secs_f64();
            rates.push(c.received as f64 / active);
            row.wall_s = row.wall_s.max(active);
        }
    }
    row.recv_min = recv.iter().copied().min().unwrap_or(0);
    row.recv_mean = if recv.is_empty() { 0.0 } else { recv.iter().sum::<u64>() as f64 / recv.len() as f64 };
    row.p50_us = hist.quantile_us(0.5);
    row.p99_us = hist.quantile_us(0.99);
    row.max_us = hist.max as f64 / 1e3;
    row.delivered_rate = if rates.is_empty() { 0.0 } else { rates.iter().sum::<f64>() / rates.len() as f64 };
}

/// The baseline: no server, one receiver on the bus itself (cankit's bus in this process), so the
/// platform's own latency and loss show beside the servers'.
fn run_direct(setup: &Setup, rate: u64, frames: u64) -> Row {
    let mut row = Row {
        place: setup.place.into(),
        server: "no server".into(),
        clients: 1,
        rate,
        sent: frames,
        notes: "a receiver on the bus itself (baseline)".into(),
        ..Row::default()
    };
    let config = setup.bus.clone();
    let fed = Arc::new(AtomicBool::new(false));
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let receiver = {
        let fed = Arc::clone(&fed);
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async move {
                let bus = Bus::open(&config).await.expect("open the receiver's bus");
                ready_tx.send(()).unwrap();
                let mut st = ClientStats::new();
                let cpu0 = thread_cpu_seconds();
                let mut last_seq = None;
                while st.received < frames {
                    match tokio::time::timeout(IDLE, bus.recv()).await {
                        Ok(Ok(BusEvent::Frame(f))) => {
                            let now = realtime_ns();
                            st.last_rx = Some(Instant::now());
                            let seq = f.id() as u64;
                            if last_seq.is_some_and(|l| seq < l) {
                                st.reordered += 1;
                            }
                            last_seq = Some(seq);
                            st.received += 1;
                            let sent = u64::from_be_bytes(f.data().try_into().unwrap_or([0; 8]));
                            st.hist.add(now.saturating_sub(sent));
                        }
                        Ok(Ok(BusEvent::Dropped { count })) => st.other += count,
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => {
                            st.error = Some(e.to_string());
                            break;
                        }
                        Err(_) if fed.load(Ordering::Acquire) => break,
                        Err(_) => {}
                    }
                }
                (st, thread_cpu_seconds() - cpu0)
            })
        })
    };
    let _ = ready_rx.recv_timeout(Duration::from_secs(10));
    std::thread::sleep(Duration::from_millis(200));
    mark("start");
    let (bench0, machine0) = (own_cpu_seconds(), machine_cpu_seconds());
    let t0 = Instant::now();
    let bus = setup.bus.clone();
    let fed_seconds = std::thread::spawn(move || feed(&bus, rate, frames)).join().unwrap();
    fed.store(true, Ordering::Release);
    row.fed_rate = frames as f64 / fed_seconds;
    row.wall_s = fed_seconds;
    let (st, cpu) = receiver.join().unwrap();
    row.window_s = t0.elapsed().as_secs_f64();
    row.bench_cpu_s = own_cpu_seconds() - bench0;
    row.machine_cpu_s = machine_cpu_seconds() - machine0;
    mark("end");
    row.client_cpu_s = cpu;
    if st.other > 0 {
        row.notes = format!("{}; the kernel dropped {} before the receiver read them", row.notes, st.other);
    }
    if let Some(e) = &st.error {
        row.notes = format!("{}; {e}", row.notes);
    }
    let st = ClientStats { other: 0, ..st };
    summarize(&mut row, std::slice::from_ref(&st), t0);
    row
}

/// Where the guest writes its marks (`--marks`), read by the host's [`MarkSampler`].
static MARKS: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// In the guest: tell the host a row's traffic starts or ends, so it reads the guest's CPU time.
fn mark(what: &str) {
    use std::io::Write;
    if let Some(path) = MARKS.get() {
        let mut f = std::fs::File::options().append(true).create(true).open(path).expect("marks file");
        f.write_all(format!("{what}\n").as_bytes()).expect("write a mark");
    }
}

/// CPU time of every process under `root`, by pid (host side: the whole User-Mode Linux guest).
fn tree_cpu(root: u32) -> std::collections::HashMap<u32, f64> {
    let mut children: std::collections::HashMap<u32, Vec<u32>> = Default::default();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else { continue };
        if let Some((ppid, _)) = proc_stat(pid) {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut out = std::collections::HashMap::new();
    let mut todo = vec![root];
    while let Some(pid) = todo.pop() {
        if let Some(cpu) = process_cpu_seconds(pid) {
            out.insert(pid, cpu);
        }
        todo.extend(children.get(&pid).into_iter().flatten());
    }
    out
}

/// On the host, while the guest runs: the guest's CPU time at each of its marks.
struct MarkSampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<std::collections::HashMap<u32, f64>>>,
}

impl MarkSampler {
    fn start(marks: PathBuf, root: u32) -> MarkSampler {
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut samples = Vec::new();
            loop {
                let finished = stopping.load(Ordering::Acquire);
                let text = std::fs::read_to_string(&marks).unwrap_or_default();
                let complete = text.matches('\n').count();
                while samples.len() < complete {
                    samples.push(tree_cpu(root));
                }
                if finished {
                    return samples;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        MarkSampler { stop, thread }
    }

    /// CPU seconds between marks 2k and 2k+1, for each k (a process that ended in between
    /// is left out; one that started counts from zero).
    fn finish(self) -> Vec<f64> {
        self.stop.store(true, Ordering::Release);
        let samples = self.thread.join().unwrap();
        samples
            .chunks(2)
            .filter(|pair| pair.len() == 2)
            .map(|pair| pair[1].iter().map(|(pid, end)| end - pair[0].get(pid).copied().unwrap_or(0.0)).sum())
            .collect()
    }
}

/// Sockets receiving on `dev` (distinct entries of the kernel's CAN receive lists).
fn can_sockets(dev: &str) -> usize {
    let mut socks = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir("/proc/net/can").into_iter().flatten().flatten() {
        if !entry.file_name().to_string_lossy().starts_with("rcvlist_") {
            continue;
        }
        for line in std::fs::read_to_string(entry.path()).unwrap_or_default().lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() >= 5 && f[0] == dev {
                socks.insert(f[4].to_string());
            }
        }
    }
    socks.len()
}

fn frames_for(rate: u64, seconds: f64) -> u64 {
    if rate == 0 {
        env_or("BENCH_MAX_FRAMES", 300_000)
    } else {
        (rate as f64 * seconds) as u64
    }
}

fn list(name: &str, default: &str) -> Vec<u64> {
    std::env::var(name)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Inside the guest: both servers on vcan0, rows printed for the host.

fn guest_main(args: &[String]) {
    let arg = |name: &str| -> String {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned().unwrap_or_default()
    };
    let nums = |s: String| -> Vec<u64> { s.split(',').filter_map(|x| x.parse().ok()).collect() };
    let socketcand = PathBuf::from(arg("--socketcand"));
    let seconds: f64 = arg("--seconds").parse().unwrap_or(3.0);
    let rates = nums(arg("--rates"));
    let clients = nums(arg("--clients"));
    let idle: usize = arg("--idle").parse().unwrap_or(0);
    let _ = MARKS.set(PathBuf::from(arg("--marks")));
    let dir = tempfile::tempdir().expect("temp dir");
    let setup = Setup {
        place: "UML vcan0",
        bus: BusConfig::new("socketcan", Some("vcan0")),
        dir: dir.path(),
        can_sockets: Some(1),
    };
    let start = |name: &str| -> Server {
        if name == "canserver" {
            Server::start_canserver(&["-i", "socketcan", "-c", "vcan0"], "vcan0", setup.dir)
        } else {
            Server::start_socketcand(&socketcand, setup.dir)
        }
    };
    let servers = ["canserver", "socketcand"];
    for &rate in &rates {
        println!("{}", run_direct(&setup, rate, frames_for(rate, seconds)).to_line());
    }
    for &n in &clients {
        for &rate in &rates {
            for name in servers {
                let row = run_row(&setup, start(name), n as usize, rate, frames_for(rate, seconds));
                println!("{}", row.to_line());
            }
        }
    }
    if idle > 0 {
        for name in servers {
            let row = run_row(&setup, start(name), idle, 0, 0);
            println!("{}", row.to_line());
        }
    }
}

/// Run the guest part in User-Mode Linux; its rows, or why not.
fn uml_rows(seconds: f64, exe: &Path, dir: &Path) -> Result<Vec<Row>, String> {
    let socketcand = peer_binary("socketcand", "SOCKETCAND")?;
    let rates = std::env::var("BENCH_UML_RATES").unwrap_or_else(|_| "1000,10000".into());
    let clients = std::env::var("BENCH_UML_CLIENTS").unwrap_or_else(|_| "1,10".into());
    let idle: usize = env_or("BENCH_UML_IDLE", 100);
    let rows = (2 * clients.split(',').count() + 1) * rates.split(',').count() + 2 * usize::from(idle > 0);
    let timeout = (rows as f64 * (seconds * 4.0 + 20.0) + 60.0) as u64;
    let mut command = uml_command(timeout, &[exe, &canserver(), &socketcand])?;
    let marks = dir.join("uml-marks");
    let _ = std::fs::remove_file(&marks);
    let child = command
        .arg(exe)
        .args(["--guest", "--socketcand"])
        .arg(&socketcand)
        .args(["--seconds", &seconds.to_string(), "--rates", &rates, "--clients", &clients])
        .args(["--idle", &idle.to_string(), "--marks"])
        .arg(&marks)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("tests/uml/run.sh: {e}"))?;
    let sampler = MarkSampler::start(marks, child.id());
    let out = child.wait_with_output().map_err(|e| format!("tests/uml/run.sh: {e}"))?;
    let guest_cpu = sampler.finish();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut rows: Vec<Row> = stdout.lines().filter_map(Row::from_line).collect();
    // Every row marked its traffic: what the whole guest spent then, measured from the host.
    for (row, cpu) in rows.iter_mut().zip(guest_cpu) {
        row.machine_cpu_s = cpu;
    }
    for line in stdout.lines().filter(|l| !l.starts_with("ROW\t")) {
        println!("  guest: {line}");
    }
    if !out.status.success() {
        return Err(format!(
            "the guest failed ({}) after {} rows: {}",
            out.status,
            rows.len(),
            String::from_utf8_lossy(&out.stderr).lines().rev().take(5).collect::<Vec<_>>().join(" | ")
        ));
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------------------------
// The table.

fn header() {
    println!(
        "{:<10} {:<10} {:>4} {:>7} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>7} {:>7} {:>5} {:>5} {:>5} {:>7} {:>7} {:>7} {:>8}",
        "place", "server", "cl", "rate", "fed f/s", "frames", "lost max", "lost avg", "p50 µs", "p99 µs", "max µs",
        "dlv f/s", "µs/frm", "µs/dlv", "CPU%", "cli%", "oth%", "RSS MB", "PSS MB", "kB/idle", "drops"
    );
}

fn kb_per_client(r: &Row) -> f64 {
    // socketcand forks: its proportional set is what it costs; canserver is one process.
    (r.mem_idle.1 as f64 - r.mem0.1 as f64) / r.clients.max(1) as f64
}

fn print_row(r: &Row) {
    let rate = if r.sent == 0 {
        "idle".into()
    } else if r.rate == 0 {
        "max".into()
    } else {
        r.rate.to_string()
    };
    let deliveries = r.recv_mean * r.clients as f64;
    // The baseline row has no server to measure.
    let srv = |text: String| if r.server == "no server" { "-".to_string() } else { text };
    // In the guest, the CPU columns are the whole guest's (measured from the host): feeder,
    // clients, kernel and server together; the processes' own counts are not to be trusted there.
    let uml = r.place.starts_with("UML");
    let cpu = if uml { r.machine_cpu_s } else { r.cpu_s };
    let cpu_col = |text: String| if uml { text } else { srv(text) };
    let drops = {
        let mut parts = Vec::new();
        if let Some(d) = r.server_drops {
            parts.push(format!("s{d}"));
        }
        if let Some(d) = r.bus_drops {
            parts.push(format!("k{d}"));
        }
        if parts.is_empty() {
            "-".into()
        } else {
            parts.join(",")
        }
    };
    if r.sent == 0 {
        println!(
            "{:<10} {:<10} {:>4} {:>7} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} {:>7} {:>7} {:>5} {:>5} {:>5} {:>7.1} {:>7.1} {:>7.1} {:>8}",
            r.place, r.server, r.clients, rate, "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-",
            r.mem_idle.0 as f64 / 1024.0, r.mem_idle.1 as f64 / 1024.0, kb_per_client(r), "-"
        );
    } else {
        println!(
            "{:<10} {:<10} {:>4} {:>7} {:>8.0} {:>9} {:>8} {:>8.1} {:>8.0} {:>8.0} {:>8.0} {:>9.0} {:>7} {:>7} {:>5} {:>5} {:>5} {:>7} {:>7} {:>7} {:>8}",
            r.place,
            r.server,
            r.clients,
            rate,
            r.fed_rate,
            r.sent,
            r.sent - r.recv_min.min(r.sent),
            r.sent as f64 - r.recv_mean,
            r.p50_us,
            r.p99_us,
            r.max_us,
            r.delivered_rate,
            cpu_col(format!("{:.2}", cpu * 1e6 / r.sent as f64)),
            cpu_col(format!("{:.3}", cpu * 1e6 / deliveries)),
            cpu_col(format!("{:.0}", cpu / r.wall_s * 100.0)),
            if uml { "-".to_string() } else { format!("{:.0}", r.client_cpu_s / r.wall_s * 100.0) },
            if uml || r.machine_cpu_s.is_nan() {
                "-".to_string()
            } else {
                format!("{:.0}", (r.machine_cpu_s - r.cpu_s - r.bench_cpu_s).max(0.0) / r.window_s * 100.0)
            },
            srv(format!("{:.1}", r.mem_end.0 as f64 / 1024.0)),
            srv(format!("{:.1}", r.mem_end.1 as f64 / 1024.0)),
            if r.clients >= 10 { format!("{:.1}", kb_per_client(r)) } else { "-".into() },
            drops
        );
    }
    let mut extra = Vec::new();
    if r.reordered > 0 || r.other > 0 {
        extra.push(format!("{} reordered, {} other elements", r.reordered, r.other));
    }
    if !r.notes.is_empty() {
        extra.push(r.notes.clone());
    }
    if !extra.is_empty() {
        println!("{:>23}^ {}", "", extra.join("; "));
    }
}

/// canserver's and socketcand's rows of one (clients, rate, frames).
type Pair<'a> = (Option<&'a Row>, Option<&'a Row>);

fn ratios(rows: &[Row]) {
    let mut pairs: BTreeMap<(usize, u64, u64), Pair> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.place.starts_with("UML")) {
        let e = pairs.entry((r.clients, r.rate, r.sent)).or_default();
        if r.server == "canserver" {
            e.0 = Some(r);
        } else {
            e.1 = Some(r);
        }
    }
    println!("\n## canserver / socketcand, same guest, same feeder (below 1: canserver uses less; dlv: above 1 = faster)");
    println!(
        "{:>4} {:>7} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10}",
        "cl", "rate", "dlv f/s", "lost avg", "p50", "p99", "CPU/dlv", "kB/idle"
    );
    let q = |a: f64, b: f64| {
        if b > 0.0 && a.is_finite() && b.is_finite() {
            format!("{:.2}", a / b)
        } else {
            "-".into()
        }
    };
    for ((clients, rate, sent), (c, s)) in pairs {
        let (Some(c), Some(s)) = (c, s) else { continue };
        let lost = |r: &Row| r.sent as f64 - r.recv_mean;
        let per_dlv = |r: &Row| r.machine_cpu_s / (r.recv_mean * r.clients as f64);
        let rate = if sent == 0 {
            "idle".into()
        } else if rate == 0 {
            "max".into()
        } else {
            rate.to_string()
        };
        println!(
            "{:>4} {:>7} {:>9} {:>9} {:>9} {:>9} {:>10} {:>10}",
            clients,
            rate,
            if sent == 0 { "-".into() } else { q(c.delivered_rate, s.delivered_rate) },
            if sent == 0 { "-".into() } else { format!("{:.0}/{:.0}", lost(c), lost(s)) },
            if sent == 0 { "-".into() } else { q(c.p50_us, s.p50_us) },
            if sent == 0 { "-".into() } else { q(c.p99_us, s.p99_us) },
            if sent == 0 { "-".into() } else { q(per_dlv(c), per_dlv(s)) },
            if clients >= 10 { q(kb_per_client(c), kb_per_client(s)) } else { "-".into() },
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--guest") {
        guest_main(&args);
        return;
    }
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this binary without it, and
    // a benchmark is not a test: do nothing then.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let seconds: f64 = env_or("BENCH_SECONDS", 3.0);
    let rates = list("BENCH_RATES", "10000,100000");
    let clients = list("BENCH_CLIENTS", "1,10,100");
    let places = std::env::var("BENCH_PLACES").unwrap_or_else(|_| "loopback,uml".into());
    let quiet_wait = Duration::from_secs(env_or("BENCH_QUIET_WAIT", 20));
    // Before any thread exists: every thread and child inherits the namespace.
    let netns = enter_private_netns();
    match &netns {
        Some(n) => println!("network: private namespace {n} (only lo), udp_multicast port {BUS_PORT}"),
        None => println!("network: host loopback, udp_multicast port {BUS_PORT}"),
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    println!(
        "{seconds} s of traffic per row. Columns: fed f/s = the feeder's achieved rate; frames = sent per client; \
         lost max/avg per client; latency feeder → client; dlv f/s = a client's delivered rate (mean); \
         µs/frm, µs/dlv = server CPU per bus frame and per frame delivered to one client; CPU% = server, \
         cli% = the client thread (100 = the readers were the limit), oth% = everything else the machine ran \
         besides the server and this process (other work on the machine: the figures are not clean when high); RSS/PSS at the end (socketcand: sum \
         of its processes); kB/idle = (PSS with the clients connected and idle − PSS before) / clients; \
         drops: s = canserver's own count (slow clients), k = kernel drops on its UDP bus socket. \
         In User-Mode Linux the CPU columns are the whole guest's (feeder, clients, kernel and server; \
         measured from the host: the guest's own accounting charges almost nothing to its processes): \
         compare the two servers' rows with each other and with the no-server row."
    );
    let dir = tempfile::tempdir_in(root().join("target")).expect("bench directory");
    let mut rows = Vec::new();
    header();
    if places.contains("loopback") {
        let mut bus = BusConfig::new("udp_multicast", None);
        bus.options.insert("port".into(), BUS_PORT.to_string());
        let setup = Setup { place: "loopback", bus, dir: dir.path(), can_sockets: None };
        let port = BUS_PORT.to_string();
        for &rate in &rates {
            wait_quiet(quiet_wait);
            let row = run_direct(&setup, rate, frames_for(rate, seconds));
            print_row(&row);
            rows.push(row);
        }
        for &n in &clients {
            for &rate in &rates {
                let busy = wait_quiet(quiet_wait);
                let server =
                    Server::start_canserver(&["-i", "udp_multicast", "--port", &port], "can0", dir.path());
                let mut row = run_row(&setup, server, n as usize, rate, frames_for(rate, seconds));
                if busy >= 15.0 {
                    row.notes = format!("machine {busy:.0}% busy before the row; {}", row.notes);
                }
                print_row(&row);
                rows.push(row);
            }
        }
    }
    if places.contains("uml") {
        let exe = std::env::current_exe().expect("bench path");
        let busy = wait_quiet(quiet_wait);
        if busy >= 15.0 {
            println!("(machine {busy:.0}% busy before the User-Mode Linux part)");
        }
        match uml_rows(env_or("BENCH_UML_SECONDS", 4.0), &exe, dir.path()) {
            Ok(r) => {
                for row in &r {
                    print_row(row);
                }
                rows.extend(r);
            }
            Err(e) => println!("(User-Mode Linux part skipped: {e})"),
        }
        ratios(&rows);
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("\nload average after: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
    if let Some(n) = netns {
        let _ = Command::new("ip").args(["netns", "del", &n]).status();
    }
}
