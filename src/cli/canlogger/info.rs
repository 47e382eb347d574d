//! `canlogger info FILE`: what a log holds: frames by kind, extended share, channels, distinct
//! ids with counts, time span, average and peak rate, skipped records and warnings. `--json` for
//! scripts. The same pipe as `convert` ([`crate::pipe::run_files`]) with a summary as its sink:
//! it streams the file once; memory grows only with the number of distinct ids and channels.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::cli::{describe_counts, exit, ReadArgs, Stderr};
use crate::frame::{Channel, FrameKind, Timestamp, MAX_STANDARD_ID};
use crate::log::{self, EventKind, Record};
use crate::pipe::{self, run_files, LogInput, PipeError, Select, Sink};
use crate::print::json_string;
use crate::shutdown::Shutdown;

const AFTER_HELP: &str = "\
Examples:
  canlogger info trace.blf
  canlogger info capture.log.gz --json | jq .frames.total
  canlogger info --from asc - < trace.asc";

/// Summarise a log file.
#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct InfoArgs {
    /// Log file (- = standard input, with --from)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub read: ReadArgs,
    /// One JSON object instead of text
    #[arg(long = "json")]
    pub json: bool,
    /// How many of the most frequent ids to list in the text output (all in JSON)
    #[arg(long = "top", value_name = "N", default_value_t = 20)]
    pub top: usize,
}

struct Summary {
    data: u64,
    remote: u64,
    fd: u64,
    error: u64,
    extended: u64,
    events: u64,
    markers: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    /// Frames per whole second of the recording, to find the peak rate without keeping times.
    current_second: i64,
    in_current_second: u64,
    peak_per_second: u64,
    /// Frames per 11-bit id, indexed by the id: a lookup per frame costs nothing.
    standard_ids: Vec<u64>,
    /// Frames per 29-bit id.
    extended_ids: HashMap<u32, u64>,
    /// Frames per channel; a log has a handful, so a short list beats hashing names per frame.
    channels: Vec<(Channel, u64)>,
}

impl Default for Summary {
    fn default() -> Self {
        Summary {
            data: 0,
            remote: 0,
            fd: 0,
            error: 0,
            extended: 0,
            events: 0,
            markers: 0,
            first: None,
            last: None,
            current_second: 0,
            in_current_second: 0,
            peak_per_second: 0,
            standard_ids: vec![0; MAX_STANDARD_ID as usize + 1],
            extended_ids: HashMap::new(),
            channels: Vec::new(),
        }
    }
}

impl Sink for Summary {
    fn put(&mut self, record: &Record) -> Result<(), PipeError> {
        self.add(record);
        Ok(())
    }
}

impl Summary {
    /// Every id seen with its count, most frequent first (ties by id, standard ids first).
    fn ids(&self) -> Vec<((bool, u32), u64)> {
        let standard =
            (0u32..).zip(&self.standard_ids).filter(|(_, n)| **n > 0).map(|(id, n)| ((false, id), *n));
        let extended = self.extended_ids.iter().map(|(id, n)| ((true, *id), *n));
        let mut ids: Vec<_> = standard.chain(extended).collect();
        ids.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        ids
    }

    fn total(&self) -> u64 {
        self.data + self.remote + self.fd + self.error
    }

    fn add(&mut self, record: &Record) {
        let f = match record {
            Record::Frame(f) => f,
            Record::Event(e) => {
                self.events += 1;
                if matches!(e.kind, EventKind::Marker(_)) {
                    self.markers += 1;
                }
                return;
            }
        };
        match f.kind() {
            FrameKind::Data => self.data += 1,
            FrameKind::Remote => self.remote += 1,
            FrameKind::Fd => self.fd += 1,
            FrameKind::Error => self.error += 1,
        }
        if !f.is_error() {
            if f.is_extended() {
                self.extended += 1;
                *self.extended_ids.entry(f.id()).or_insert(0) += 1;
            } else {
                // An 11-bit id is at most MAX_STANDARD_ID: the frame type guarantees it.
                self.standard_ids[f.id() as usize & MAX_STANDARD_ID as usize] += 1;
            }
        }
        match self.channels.iter_mut().find(|(c, _)| *c == f.channel) {
            Some((_, n)) => *n += 1,
            None => self.channels.push((f.channel, 1)),
        }
        let t = f.timestamp;
        self.first = Some(self.first.map_or(t, |x| x.min(t)));
        self.last = Some(self.last.map_or(t, |x| x.max(t)));
        let second = t.secs();
        if second != self.current_second || self.in_current_second == 0 {
            self.current_second = second;
            self.in_current_second = 0;
        }
        self.in_current_second += 1;
        self.peak_per_second = self.peak_per_second.max(self.in_current_second);
    }

    /// Channels by name (`-` for none), sorted, with their frame counts.
    fn channel_counts(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (c, n) in &self.channels {
            let name = if c.is_none() { "-".to_string() } else { c.to_string() };
            *out.entry(name).or_insert(0) += n;
        }
        out
    }

    fn span_secs(&self) -> f64 {
        match (self.first, self.last) {
            (Some(a), Some(b)) => (b.0 - a.0) as f64 / 1e9,
            _ => 0.0,
        }
    }

    fn average_rate(&self) -> f64 {
        let span = self.span_secs();
        if span > 0.0 {
            self.total() as f64 / span
        } else {
            0.0
        }
    }
}

fn id_text(extended: bool, id: u32) -> String {
    if extended {
        format!("{id:08X}")
    } else {
        format!("{id:03X}")
    }
}

fn time_text(t: Option<Timestamp>) -> String {
    match t {
        None => "-".into(),
        Some(t) => {
            let c = log::time::from_unix(t.0, log::TimeZone::Utc);
            format!(
                "{}.{:06} ({:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06} UTC)",
                t.secs(),
                t.subsec_nanos() / 1000,
                c.year,
                c.month,
                c.day,
                c.hour,
                c.minute,
                c.second,
                c.nanos / 1000
            )
        }
    }
}

pub fn run(args: InfoArgs, shutdown: &Shutdown) -> anyhow::Result<u8> {
    let mut input = args.read.open(&args.file)?;
    let mut s = Summary::default();
    let mut report = Stderr::new("canlogger").with_progress(true);
    let passed = run_files(&mut input, &mut Select::default(), &mut s, shutdown, &mut report);
    report.finish();
    if passed?.interrupted {
        eprintln!("canlogger: interrupted");
        return Ok(130);
    }
    let name = log::display_name(&args.file, "<stdin>");
    let mut out = Vec::new();
    let ids = s.ids();
    if args.json {
        write_json(&mut out, &name, &s, &ids, &input);
    } else {
        let total = s.total();
        let pct = |n: u64| if total > 0 { n as f64 * 100.0 / total as f64 } else { 0.0 };
        let _ = writeln!(out, "file:        {name}");
        let _ = writeln!(
            out,
            "frames:      {total} (data {}, remote {}, FD {}, error {})",
            s.data, s.remote, s.fd, s.error
        );
        let _ = writeln!(out, "extended:    {} ({:.1}%)", s.extended, pct(s.extended));
        if s.events > 0 {
            let _ = writeln!(out, "events:      {} ({} markers)", s.events, s.markers);
        }
        let channels: Vec<String> = s.channel_counts().iter().map(|(c, n)| format!("{c} ({n})")).collect();
        let _ = writeln!(
            out,
            "channels:    {}",
            if channels.is_empty() { "-".into() } else { channels.join(", ") }
        );
        let _ = writeln!(out, "first:       {}", time_text(s.first));
        let _ = writeln!(out, "last:        {}", time_text(s.last));
        let _ = writeln!(out, "span:        {:.6} s", s.span_secs());
        let _ = writeln!(
            out,
            "rate:        {:.1} frames/s average, {} frames/s peak",
            s.average_rate(),
            s.peak_per_second
        );
        let _ = writeln!(out, "distinct ids: {}", ids.len());
        for ((ext, id), n) in ids.iter().take(args.top) {
            let _ = writeln!(out, "  {:>8}  {n}", id_text(*ext, *id));
        }
        if ids.len() > args.top {
            let _ = writeln!(out, "  ... {} more (--top N, or --json for all)", ids.len() - args.top);
        }
        let _ = writeln!(out, "malformed:   {}", input.malformed);
        if !input.skipped().is_empty() {
            let _ = writeln!(out, "skipped:     {}", describe_counts(input.skipped()));
        }
        if !input.repaired().is_empty() {
            let _ = writeln!(out, "repaired:    {}", describe_counts(input.repaired()));
        }
    }
    // A closed pipe (`| head`) is a normal end.
    pipe::write_out(&mut std::io::stdout().lock(), &mut out)?;
    Ok(exit::OK)
}

fn write_json(out: &mut Vec<u8>, name: &str, s: &Summary, ids: &[((bool, u32), u64)], source: &LogInput) {
    out.extend_from_slice(b"{\"file\":");
    json_string(out, name);
    let ts = |t: Option<Timestamp>| {
        t.map_or("null".to_string(), |t| format!("{}.{:09}", t.secs(), t.subsec_nanos()))
    };
    let _ = write!(
        out,
        ",\"frames\":{{\"total\":{},\"data\":{},\"remote\":{},\"fd\":{},\"error\":{}}},\"extended\":{},\
         \"events\":{},\"markers\":{},\"first\":{},\"last\":{},\"span\":{:.9},\"average_rate\":{:.3},\
         \"peak_rate\":{},\"channels\":{{",
        s.total(),
        s.data,
        s.remote,
        s.fd,
        s.error,
        s.extended,
        s.events,
        s.markers,
        ts(s.first),
        ts(s.last),
        s.span_secs(),
        s.average_rate(),
        s.peak_per_second
    );
    for (i, (c, n)) in s.channel_counts().iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_string(out, c);
        let _ = write!(out, ":{n}");
    }
    out.extend_from_slice(b"},\"ids\":[");
    for (i, ((ext, id), n)) in ids.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let _ = write!(out, "{{\"id\":\"{}\",\"extended\":{ext},\"count\":{n}}}", id_text(*ext, *id));
    }
    let _ = write!(out, "],\"malformed\":{},\"skipped\":{{", source.malformed);
    for (i, (why, n)) in source.skipped().iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_string(out, why);
        let _ = write!(out, ":{n}");
    }
    out.extend_from_slice(b"},\"repaired\":{");
    for (i, (why, n)) in source.repaired().iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json_string(out, why);
        let _ = write!(out, ":{n}");
    }
    out.extend_from_slice(b"}}\n");
}
