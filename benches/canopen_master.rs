//! `cargo bench --bench canopen_master`: cankit as a CANopen master beside CANopenNode's
//! (`canopend` as the master behind its CiA 309-3 gateway, the path `cocomm` takes) and python
//! canopen's (2.4, from PyPI, in target/venv), side by side in one run, in User-Mode Linux (one
//! CPU, the kernel's vcan0): the bench re-runs itself in the guest with `--guest`.
//!
//! Rows, each master alone on the bus with the device while it is measured:
//! * SDO read of 0x1018:01 from `canopend -i 5` (CANopenNode as the device), `BENCH_SDO_N` round
//!   trips one at a time (p50, p99, rate) by (a) cankit's [`SdoClient`] in this process, (b)
//!   cankit's gateway (`canopen-node gateway --ascii unix:…`) and (c) canopend's gateway
//!   (`canopend -i 1 -c local-…`), both driven by the same client in this process (one
//!   connection, `[n] 5 r 0x1018 1 u32` and its reply line, one at a time), and (d) python
//!   canopen's `RemoteNode.sdo.upload`, timed in python. `cocomm -f` with the same N lines
//!   through each gateway is timed as a whole.
//! * A block download of `BENCH_BLOCK_BYTES` (default 1 MiB) into the DOMAIN 0x2000 of
//!   `canopen-node -n 5` (canopend's dictionary has no domain), `BENCH_BLOCK_RUNS` times (median):
//!   (a) [`SdoClient::download_block`], (b) and (c) `set sdo_block 1` then `w 0x2000 0 d BASE64`
//!   on one line, (d) python canopen's `sdo.open(…, 'wb', block_transfer=True)`. Before each run
//!   the domain is set to 3 bytes; after it, its length is read (an upload's initiate response,
//!   then an abort); after each master's last run, the whole value is read back by a block upload
//!   and compared.
//!
//! Ratios compare with canopend's gateway and with python canopen: how many times faster (p50
//! for round trips, KiB/s for downloads). Every master gets a 2 s SDO response time-out.
//!
//! Options (environment): `BENCH_SDO_N` (default 2000), `BENCH_BLOCK_BYTES` (default 1048576),
//! `BENCH_BLOCK_RUNS` (default 3), `CANKIT_PYTHON`, `CANOPEND` and `COCOMM` (default
//! `$CARGO_TARGET_DIR/peers/bin/…`, built by ../shared/peers/build-peers.sh).

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod support;

use cankit::bus::hub::{Hub, SubscribeOptions};
use cankit::canopen::client::SdoClient;
use cankit::canopen::gateway::ascii::base64_encode;
use cankit::filter::FilterSet;
use cankit::{Bus, BusConfig, BusEvent, Frame};
use support::{env_or, peer_binary, root, terminate, uml_command};

/// The device's node-ID in both rows; canopend as the gateway's master is node 1.
const NODE: u8 = 5;
/// Untimed requests before each master's timed ones (connections, first-use set-up).
const WARMUP: usize = 10;
/// Every master's SDO response time-out.
const SDO_TIMEOUT: Duration = Duration::from_secs(2);

fn canopen_node() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_canopen-node"))
}

fn eds() -> PathBuf {
    root().join("tests/fixtures/canopen/device.eds")
}

/// python with canopen importable, or why not.
fn python() -> Result<PathBuf, String> {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"));
    let p = std::env::var_os("CANKIT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("venv/bin/python"));
    let ok = Command::new(&p).args(["-c", "import canopen"]).output().is_ok_and(|o| o.status.success());
    if ok {
        Ok(p)
    } else {
        Err(format!("no python canopen at {} (tools/test-all.sh makes the venv)", p.display()))
    }
}

/// A process of the bench's, its stdout and stderr in one file; stopped when dropped.
struct Peer {
    name: &'static str,
    child: Child,
    log: PathBuf,
}

impl Peer {
    fn start(name: &'static str, command: &mut Command) -> Result<Peer, String> {
        let log = std::env::temp_dir().join(format!("{}.log", name.replace(' ', "-")));
        let file = File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(file.try_clone().map_err(|e| e.to_string())?)
            .stderr(file)
            .spawn()
            .map_err(|e| format!("{name}: {e}"))?;
        Ok(Peer { name, child, log })
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The last lines it printed, for why something failed.
    fn tail(&self) -> String {
        let out = self.output();
        let lines: Vec<&str> = out.lines().rev().take(3).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join(" | ")
    }

    /// Wait for `needle` in its output.
    fn wait_for(&mut self, needle: &str) -> Result<(), String> {
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            if self.output().contains(needle) {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{} exited ({status}): {}", self.name, self.tail()));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!("{} did not say '{needle}' in 20 s: {}", self.name, self.tail()))
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(3));
    }
}

/// The bench's own bus and SDO client, open only while cankit's library is the master or the
/// bench prepares and checks: otherwise its reader would take CPU from the master measured.
struct Master {
    hub: Hub,
    client: SdoClient,
}

impl Master {
    async fn open(config: &BusConfig) -> Result<Master, String> {
        let hub = Hub::new(Bus::open(config).await.map_err(|e| format!("the bench's bus: {e}"))?);
        let mut client = SdoClient::new(&hub, NODE);
        client.timeout = SDO_TIMEOUT;
        Ok(Master { hub, client })
    }

    /// Until the device answers an SDO read (it says nothing when it is up).
    async fn wait_for_device(&mut self) -> Result<(), String> {
        let end = Instant::now() + Duration::from_secs(20);
        loop {
            match self.client.upload(0x1018, 1).await {
                Ok(_) => return Ok(()),
                Err(e) if Instant::now() > end => return Err(format!("the device does not answer: {e}")),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// 0x2000's length from an upload's initiate response (the upload is then aborted: only its
    /// size is wanted, and reading a megabyte back after every run would take longer than the run).
    async fn domain_length(&self) -> Result<usize, String> {
        let filter =
            FilterSet::parse(&[format!("{:03X}:7FF", 0x580 + u32::from(NODE))]).expect("a valid filter");
        let mut replies = self.hub.subscribe(SubscribeOptions { filter, ..Default::default() });
        let request = |data: &[u8]| Frame::new_data(0x600 + u32::from(NODE), false, data).expect("8 bytes");
        let send = |frame: Frame| async move { self.hub.send(&frame).await.map_err(|e| e.to_string()) };
        send(request(&[0x40, 0x00, 0x20, 0x00, 0, 0, 0, 0])).await?;
        let reply = loop {
            match tokio::time::timeout(SDO_TIMEOUT, replies.recv()).await {
                Ok(Ok(BusEvent::Frame(f))) if f.len() == 8 => break f,
                Ok(Ok(_)) => continue,
                Ok(Err(e)) => return Err(e.to_string()),
                Err(_) => return Err("no answer to an upload of 0x2000".into()),
            }
        };
        let d = reply.data();
        if d[0] & 0xE0 == 0x40 && d[0] & 0x02 == 0 {
            // General error (0x08000000): the client wanted the size only.
            send(request(&[0x80, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x08])).await?;
        }
        match d[0] {
            b if b & 0xE3 == 0x41 => Ok(u32::from_le_bytes([d[4], d[5], d[6], d[7]]) as usize),
            b if b & 0xE3 == 0x43 => Ok(4 - usize::from((b >> 2) & 0x03)),
            b if b & 0xE3 == 0x42 => Ok(4),
            0x80 => Err(format!("upload of 0x2000 aborted: {:02X?}", &d[4..8])),
            _ => Err(format!("unexpected answer to an upload of 0x2000: {d:02X?}")),
        }
    }

    /// The domain back to 3 bytes, so a run that writes nothing cannot pass the length check.
    async fn reset_domain(&mut self) -> Result<(), String> {
        self.client.download(0x2000, 0, &[1, 2, 3]).await.map_err(|e| format!("resetting 0x2000: {e}"))
    }

    async fn check_length(&self, expected: usize) -> Result<(), String> {
        match self.domain_length().await? {
            n if n == expected => Ok(()),
            n => Err(format!("0x2000 holds {n} bytes after the download, not {expected}")),
        }
    }

    async fn check_content(&mut self, blob: &[u8]) -> Result<(), String> {
        let back =
            self.client.upload_block(0x2000, 0).await.map_err(|e| format!("reading 0x2000 back: {e}"))?;
        if back == blob {
            Ok(())
        } else {
            let at = back.iter().zip(blob).position(|(a, b)| a != b).unwrap_or(back.len().min(blob.len()));
            Err(format!("0x2000 read back differs ({} bytes, first difference at {at})", back.len()))
        }
    }

    /// Close the bus, and let the runtime finish the hub's reader so its socket is closed too.
    fn close(self, runtime: &tokio::runtime::Runtime) {
        drop(self);
        runtime.block_on(async { tokio::time::sleep(Duration::from_millis(20)).await });
    }
}

/// A CiA 309-3 client on a unix socket: one connection, one request at a time, each reply line
/// timed from before the request's write to after its reply's read.
struct AsciiClient {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    sequence: u32,
    request: Vec<u8>,
    reply: String,
}

impl AsciiClient {
    fn connect(path: &Path) -> Result<AsciiClient, String> {
        let stream = UnixStream::connect(path).map_err(|e| format!("{}: {e}", path.display()))?;
        // A gateway that stops reading a long line must not hang the bench.
        stream.set_write_timeout(Some(Duration::from_secs(120))).map_err(|e| e.to_string())?;
        stream.set_read_timeout(Some(Duration::from_secs(120))).map_err(|e| e.to_string())?;
        let writer = stream.try_clone().map_err(|e| e.to_string())?;
        Ok(AsciiClient {
            reader: BufReader::new(stream),
            writer,
            sequence: 0,
            request: Vec::new(),
            reply: String::new(),
        })
    }

    /// `[n] COMMAND`, and its reply without the sequence number; an `ERROR:` reply is an error.
    fn request(&mut self, command: &[u8]) -> Result<&str, String> {
        self.sequence += 1;
        self.request.clear();
        write!(self.request, "[{}] ", self.sequence).expect("writing to a Vec");
        self.request.extend_from_slice(command);
        self.request.push(b'\n');
        self.writer.write_all(&self.request).map_err(|e| format!("sending: {e}"))?;
        self.reply.clear();
        match self.reader.read_line(&mut self.reply) {
            Ok(0) => return Err("the gateway closed the connection".into()),
            Ok(_) => {}
            Err(e) => return Err(format!("reading the reply: {e}")),
        }
        let prefix = format!("[{}] ", self.sequence);
        let reply = self.reply.trim_end();
        let Some(answer) = reply.strip_prefix(&prefix) else {
            return Err(format!("reply out of sequence: {reply:?}"));
        };
        if answer.starts_with("ERROR") {
            return Err(format!("the gateway answered {answer}"));
        }
        Ok(answer)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// Round trips, sorted.
struct Reads(Vec<Duration>);

impl Reads {
    fn p50(&self) -> Duration {
        percentile(&self.0, 0.5)
    }

    /// Round trips per second of time spent in them.
    fn rate(&self) -> f64 {
        self.0.len() as f64 / self.0.iter().sum::<Duration>().as_secs_f64()
    }
}

fn reads(mut times: Vec<Duration>) -> Reads {
    times.sort();
    Reads(times)
}

/// Downloads' times, in run order, and the bytes each moved.
struct Downloads {
    times: Vec<Duration>,
    bytes: usize,
}

impl Downloads {
    fn median(&self) -> Duration {
        let mut sorted = self.times.clone();
        sorted.sort();
        sorted[sorted.len() / 2]
    }

    fn kib_per_s(&self) -> f64 {
        self.bytes as f64 / 1024.0 / self.median().as_secs_f64()
    }
}

/// How many times faster than `reference` (`None`: the reference was not measured).
fn ratio(this: f64, reference: Option<f64>) -> String {
    match reference {
        Some(r) if r > 0.0 => format!("{:.2}×", this / r),
        _ => "—".into(),
    }
}

fn cankit_gateway(socket: &Path) -> Result<Peer, String> {
    let _ = std::fs::remove_file(socket);
    let mut peer = Peer::start(
        "cankit gateway",
        Command::new(canopen_node())
            .arg("gateway")
            .arg("--ascii")
            .arg(format!("unix:{}", socket.display()))
            .args(["-i", "socketcan", "-c", "vcan0"]),
    )?;
    peer.wait_for("CiA 309-3 gateway on unix")?;
    Ok(peer)
}

fn canopend_gateway(canopend: &Path, socket: &Path) -> Result<Peer, String> {
    let _ = std::fs::remove_file(socket);
    let mut peer = Peer::start(
        "canopend gateway",
        Command::new(canopend)
            .args(["vcan0", "-i", "1", "-c"])
            .arg(format!("local-{}", socket.display()))
            .arg("-s")
            .arg(std::env::temp_dir().join("canopend-gateway.")),
    )?;
    peer.wait_for("command interface on local socket")?;
    Ok(peer)
}

/// `n` reads through a gateway's socket by this process's client.
fn gateway_reads(socket: &Path, n: usize) -> Result<Reads, String> {
    let mut client = AsciiClient::connect(socket)?;
    client.request(b"set sdo_timeout 2000")?;
    let command = format!("{NODE} r 0x1018 1 u32");
    for _ in 0..WARMUP {
        client.request(command.as_bytes())?;
    }
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        client.request(command.as_bytes())?;
        times.push(t.elapsed());
    }
    Ok(reads(times))
}

/// `cocomm -f FILE` through a gateway: its wall time for the file's `n` reads.
fn cocomm_reads(cocomm: &Path, socket: &Path, file: &Path, n: usize) -> Result<Duration, String> {
    let t = Instant::now();
    let out = Command::new(cocomm)
        .arg("-s")
        .arg(socket)
        .arg("-f")
        .arg(file)
        .args(["-o", "flat"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cocomm: {e}"))?;
    let took = t.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    let answers = text.lines().filter(|l| l.starts_with('[')).count();
    if let Some(error) = text.lines().find(|l| l.contains("ERROR")) {
        return Err(format!("cocomm printed {error}"));
    }
    if !out.status.success() || answers != n {
        return Err(format!("cocomm exited {} with {answers} answers of {n}", out.status));
    }
    Ok(took)
}

/// Run the python script with `args`, and the nanosecond figures it printed.
fn python_times(python: &Path, args: &[&str]) -> Result<Vec<Duration>, String> {
    let out = Command::new(python)
        .arg(root().join("benches/python/canopen_master.py"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("python: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    if let Some(times) = line.strip_prefix("OK") {
        return times
            .split_whitespace()
            .map(|t| t.parse().map(Duration::from_nanos).map_err(|_| format!("python printed {t:?}")))
            .collect();
    }
    if let Some(why) = line.strip_prefix("ERROR ") {
        return Err(format!("python canopen: {why}"));
    }
    let err = String::from_utf8_lossy(&out.stderr);
    Err(format!("python exited {}: {}", out.status, err.lines().last().unwrap_or_default()))
}

/// Everything the guest measures, printed as a table at the end.
struct Results {
    n: usize,
    /// (master, reads or why not)
    reads: Vec<(&'static str, Result<Reads, String>)>,
    /// (how, wall time for n reads or why not)
    cocomm: Vec<(&'static str, Result<Duration, String>)>,
    bytes: usize,
    runs: usize,
    /// (master, downloads or why not, verification)
    downloads: Vec<(&'static str, Result<Downloads, String>, String)>,
}

const LIBRARY: &str = "cankit SdoClient (library)";
const CANKIT_GATEWAY: &str = "cankit gateway (unix socket)";
const CANOPEND_GATEWAY: &str = "canopend gateway (unix socket)";
const PYTHON: &str = "python canopen 2.4";

fn sdo_row(
    runtime: &tokio::runtime::Runtime,
    peers: &GuestPeers,
    results: &mut Results,
) -> Result<(), String> {
    let config = BusConfig::new("socketcan", Some("vcan0"));
    let n = results.n;
    let tmp = std::env::temp_dir();
    let _device = Peer::start(
        "canopend device",
        Command::new(&peers.canopend)
            .args(["vcan0", "-i", &NODE.to_string(), "-s"])
            .arg(tmp.join("canopend-device.")),
    )?;
    let mut master = runtime.block_on(Master::open(&config))?;
    runtime.block_on(master.wait_for_device())?;

    // (a) The library, in this process.
    let library = runtime.block_on(async {
        for _ in 0..WARMUP {
            master.client.upload(0x1018, 1).await.map_err(|e| e.to_string())?;
        }
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            master.client.upload(0x1018, 1).await.map_err(|e| e.to_string())?;
            times.push(t.elapsed());
        }
        Ok::<_, String>(reads(times))
    });
    master.close(runtime);
    results.reads.push((LIBRARY, library));

    let lines = tmp.join("reads.txt");
    let text: String = (1..=n).map(|i| format!("[{i}] {NODE} r 0x1018 1 u32\n")).collect();
    std::fs::write(&lines, text).map_err(|e| e.to_string())?;

    // (b) cankit's gateway, (c) canopend's: the same client, then cocomm.
    let socket = tmp.join("ck.sock");
    let (measured, cocomm) = match cankit_gateway(&socket) {
        Ok(_gateway) => (gateway_reads(&socket, n), cocomm_reads(&peers.cocomm, &socket, &lines, n)),
        Err(e) => (Err(e.clone()), Err(e)),
    };
    results.reads.push((CANKIT_GATEWAY, measured));
    results.cocomm.push(("cocomm -f through cankit's gateway", cocomm));
    let socket = tmp.join("co.sock");
    let (measured, cocomm) = match canopend_gateway(&peers.canopend, &socket) {
        Ok(_gateway) => (gateway_reads(&socket, n), cocomm_reads(&peers.cocomm, &socket, &lines, n)),
        Err(e) => (Err(e.clone()), Err(e)),
    };
    results.reads.push((CANOPEND_GATEWAY, measured));
    results.cocomm.push(("cocomm -f through canopend's gateway", cocomm));

    // (d) python canopen.
    let python = match &peers.python {
        Ok(python) => {
            python_times(python, &["sdo", &NODE.to_string(), &n.to_string(), &WARMUP.to_string()]).and_then(
                |t| if t.len() == n { Ok(reads(t)) } else { Err(format!("python timed {} reads", t.len())) },
            )
        }
        Err(why) => Err(why.clone()),
    };
    results.reads.push((PYTHON, python));
    Ok(())
}

/// One master's runs of the block download: `run` is timed, the domain reset before each run and
/// its length checked after; the content is compared after the last.
fn block_runs(
    runtime: &tokio::runtime::Runtime,
    config: &BusConfig,
    blob: &[u8],
    runs: usize,
    mut run: impl FnMut() -> Result<Duration, String>,
) -> (Result<Downloads, String>, String) {
    let mut times = Vec::new();
    for _ in 0..runs {
        let prepared = runtime.block_on(async {
            let mut master = Master::open(config).await?;
            master.reset_domain().await?;
            Ok::<_, String>(master)
        });
        match prepared {
            Ok(master) => master.close(runtime),
            Err(e) => return (Err(e), String::new()),
        }
        match run() {
            Ok(took) => times.push(took),
            Err(e) => return (Err(e), String::new()),
        }
        let checked = runtime.block_on(async {
            let master = Master::open(config).await?;
            master.check_length(blob.len()).await?;
            Ok::<_, String>(master)
        });
        match checked {
            Ok(master) => master.close(runtime),
            Err(e) => return (Err(e), String::new()),
        }
    }
    let verified = runtime.block_on(async {
        let mut master = Master::open(config).await?;
        master.check_content(blob).await?;
        Ok::<_, String>(master)
    });
    let verified = match verified {
        Ok(master) => {
            master.close(runtime);
            "length after each run, content after the last".to_string()
        }
        Err(e) => format!("FAILED: {e}"),
    };
    (Ok(Downloads { times, bytes: blob.len() }), verified)
}

/// Block downloads through a gateway: `set sdo_block 1`, then the value on one line.
fn gateway_block(
    runtime: &tokio::runtime::Runtime,
    config: &BusConfig,
    socket: &Path,
    blob: &[u8],
    runs: usize,
) -> (Result<Downloads, String>, String) {
    let mut client = match AsciiClient::connect(socket) {
        Ok(client) => client,
        Err(e) => return (Err(e), String::new()),
    };
    for setting in ["set sdo_timeout 2000", "set sdo_block 1"] {
        if let Err(e) = client.request(setting.as_bytes()) {
            return (Err(format!("{setting}: {e}")), String::new());
        }
    }
    let command = format!("{NODE} w 0x2000 0 d {}", base64_encode(blob)).into_bytes();
    block_runs(runtime, config, blob, runs, || {
        let t = Instant::now();
        client.request(&command)?;
        Ok(t.elapsed())
    })
}

fn block_row(
    runtime: &tokio::runtime::Runtime,
    peers: &GuestPeers,
    results: &mut Results,
) -> Result<(), String> {
    let config = BusConfig::new("socketcan", Some("vcan0"));
    let tmp = std::env::temp_dir();
    let blob: Vec<u8> = (0..results.bytes as u32).map(|i| (i * 7 + i / 251) as u8).collect();
    let runs = results.runs;
    let mut device = Peer::start(
        "canopen-node device",
        Command::new(canopen_node())
            .args(["-n", &NODE.to_string(), "-e"])
            .arg(eds())
            .args(["-i", "socketcan", "-c", "vcan0", "--no-store", "--control"])
            .arg(tmp.join("canopen-node.sock")),
    )?;
    device.wait_for("control socket")?;

    // (a) The library.
    let library = runtime.block_on(Master::open(&config)).and_then(|mut master| {
        let outcome = (|| {
            let mut times = Vec::new();
            for _ in 0..runs {
                runtime.block_on(master.reset_domain())?;
                let t = Instant::now();
                runtime
                    .block_on(master.client.download_block(0x2000, 0, &blob))
                    .map_err(|e| format!("download_block: {e}"))?;
                times.push(t.elapsed());
                runtime.block_on(master.check_length(blob.len()))?;
            }
            let verified = match runtime.block_on(master.check_content(&blob)) {
                Ok(()) => "length after each run, content after the last".to_string(),
                Err(e) => format!("FAILED: {e}"),
            };
            Ok::<_, String>((Downloads { times, bytes: blob.len() }, verified))
        })();
        master.close(runtime);
        outcome
    });
    results.downloads.push(match library {
        Ok((downloads, verified)) => (LIBRARY, Ok(downloads), verified),
        Err(e) => (LIBRARY, Err(e), String::new()),
    });

    // (b), (c): the gateways.
    let socket = tmp.join("ck.sock");
    let (measured, verified) = match cankit_gateway(&socket) {
        Ok(_gateway) => gateway_block(runtime, &config, &socket, &blob, runs),
        Err(e) => (Err(e), String::new()),
    };
    results.downloads.push((CANKIT_GATEWAY, measured, verified));
    let socket = tmp.join("co.sock");
    let (measured, verified) = match canopend_gateway(&peers.canopend, &socket) {
        Ok(_gateway) => gateway_block(runtime, &config, &socket, &blob, runs),
        Err(e) => (Err(e), String::new()),
    };
    results.downloads.push((CANOPEND_GATEWAY, measured, verified));

    // (d) python canopen, one process per run (its start-up is not timed).
    let (measured, verified) = match &peers.python {
        Ok(python) => {
            let file = tmp.join("blob.bin");
            match std::fs::write(&file, &blob) {
                Ok(()) => {
                    let file = file.display().to_string();
                    block_runs(runtime, &config, &blob, runs, || {
                        let times = python_times(python, &["block", &NODE.to_string(), &file])?;
                        times.first().copied().ok_or_else(|| "python timed nothing".to_string())
                    })
                }
                Err(e) => (Err(e.to_string()), String::new()),
            }
        }
        Err(why) => (Err(why.clone()), String::new()),
    };
    results.downloads.push((PYTHON, measured, verified));
    Ok(())
}

fn print_results(results: &Results) {
    let find = |name: &str| results.reads.iter().find(|(m, _)| *m == name).and_then(|(_, r)| r.as_ref().ok());
    let (gw, py) = (find(CANOPEND_GATEWAY), find(PYTHON));
    let inverse = |r: &Reads| 1.0 / r.p50().as_secs_f64();
    println!();
    println!(
        "SDO read of 0x1018:01 from canopend -i {NODE} (CANopenNode as the device): {} round trips one at a time",
        results.n
    );
    println!(
        "  {:<38} {:>9} {:>11} {:>11} {:>15} {:>11}",
        "master", "rate", "p50", "p99", "vs canopend gw", "vs python"
    );
    for (master, measured) in &results.reads {
        match measured {
            Ok(r) => println!(
                "  {master:<38} {:>7.0}/s {:>11} {:>11} {:>15} {:>11}",
                r.rate(),
                ms(r.p50()),
                ms(percentile(&r.0, 0.99)),
                ratio(inverse(r), gw.map(inverse)),
                ratio(inverse(r), py.map(inverse)),
            ),
            Err(why) => println!("  {master:<38} not measured: {why}"),
        }
    }
    for (how, measured) in &results.cocomm {
        match measured {
            Ok(took) => println!(
                "  {how:<38} {:>7.0}/s   ({} lines in {:.2} s, cocomm's start included)",
                results.n as f64 / took.as_secs_f64(),
                results.n,
                took.as_secs_f64()
            ),
            Err(why) => println!("  {how:<38} not measured: {why}"),
        }
    }
    println!("  (vs X: X's p50 ÷ this p50, above 1 is faster; rate: round trips per second spent in them)");

    let find = |name: &str| {
        results.downloads.iter().find(|(m, _, _)| *m == name).and_then(|(_, r, _)| r.as_ref().ok())
    };
    let (gw, py) = (find(CANOPEND_GATEWAY).map(Downloads::kib_per_s), find(PYTHON).map(Downloads::kib_per_s));
    println!();
    println!(
        "Block download of {} bytes into 0x2000 (DOMAIN) of canopen-node -n {NODE}: median of {} runs",
        results.bytes, results.runs
    );
    println!(
        "  {:<38} {:>11} {:>9} {:>15} {:>11}  runs (s); verified",
        "master", "KiB/s", "median", "vs canopend gw", "vs python"
    );
    for (master, measured, verified) in &results.downloads {
        match measured {
            Ok(d) => {
                let runs: Vec<String> = d.times.iter().map(|t| format!("{:.2}", t.as_secs_f64())).collect();
                println!(
                    "  {master:<38} {:>11.1} {:>7.2} s {:>15} {:>11}  {}; {verified}",
                    d.kib_per_s(),
                    d.median().as_secs_f64(),
                    ratio(d.kib_per_s(), gw),
                    ratio(d.kib_per_s(), py),
                    runs.join(" "),
                )
            }
            Err(why) => println!("  {master:<38} not measured: {why}"),
        }
    }
    println!("  (vs X: this KiB/s ÷ X's, above 1 is faster)");
}

/// The peers' paths, given to the guest by the host (the guest passes on no BENCH_ variable).
struct GuestPeers {
    canopend: PathBuf,
    cocomm: PathBuf,
    python: Result<PathBuf, String>,
}

fn guest_main(args: &[String]) {
    let value = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let number = |name: &str, default: usize| value(name).and_then(|v| v.parse().ok()).unwrap_or(default);
    let peers = GuestPeers {
        canopend: value("--canopend").expect("--canopend PATH").into(),
        cocomm: value("--cocomm").expect("--cocomm PATH").into(),
        python: match (value("--python"), value("--no-python")) {
            (Some(p), _) => Ok(p.into()),
            (None, why) => Err(why.unwrap_or_else(|| "no python canopen".into())),
        },
    };
    let mut results = Results {
        n: number("--sdo-n", 2000).max(1),
        reads: Vec::new(),
        cocomm: Vec::new(),
        bytes: number("--block-bytes", 1 << 20).max(1),
        runs: number("--block-runs", 3).max(1),
        downloads: Vec::new(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    if let Err(e) = sdo_row(&runtime, &peers, &mut results) {
        println!("  SDO read row not measured: {e}");
    }
    if let Err(e) = block_row(&runtime, &peers, &mut results) {
        println!("  block download row not measured: {e}");
    }
    print_results(&results);
}

fn uml_place() -> Result<(), String> {
    let canopend = peer_binary("canopend", "CANOPEND")?;
    let cocomm = peer_binary("cocomm", "COCOMM")?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = uml_command(1800, &[&exe, &canopen_node(), &canopend, &cocomm])?;
    command.arg(&exe).arg("--guest").arg("--canopend").arg(&canopend).arg("--cocomm").arg(&cocomm);
    match python() {
        Ok(python) => command.arg("--python").arg(python),
        Err(why) => command.arg("--no-python").arg(why),
    };
    for (flag, var, default) in [
        ("--sdo-n", "BENCH_SDO_N", 2000),
        ("--block-bytes", "BENCH_BLOCK_BYTES", 1 << 20),
        ("--block-runs", "BENCH_BLOCK_RUNS", 3),
    ] {
        command.arg(flag).arg(env_or::<usize>(var, default).to_string());
    }
    let out = command.stdin(Stdio::null()).output().map_err(|e| format!("tests/uml/run.sh: {e}"))?;
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
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    println!("User-Mode Linux (one CPU), kernel vcan0; every master alone with the device while measured");
    if let Err(e) = uml_place() {
        println!("  not measured: {e}");
    }
}
