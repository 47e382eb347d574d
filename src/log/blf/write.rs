//! Writing BLF as Vector's tools do: the 144-byte header, then zlib LOG_CONTAINERs of at most
//! 128 KiB of objects each. Classic frames become CAN_MESSAGE2, CAN FD frames CAN_FD_MESSAGE_64,
//! error frames CAN_ERROR_EXT, markers GLOBAL_MARKER and comments APP_TEXT.
//!
//! The caller's thread only lays out objects (no allocation per frame: containers are reused);
//! compression runs on a pool of threads, one per core (`log::pool`), while the caller fills the
//! next container, and finished containers are written in order. After each container the header
//! is rewritten in place, so a writer killed at any point leaves a file whose header matches its
//! complete containers; objects never straddle containers, so every complete container reads on
//! its own.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::Path;

use libdeflater::{CompressionLvl, Compressor};

use super::objects as obj;
use crate::frame::{Channel, FrameKind, Timestamp};
use crate::log::pool::{Limits, Lost, Pool};
use crate::log::time::TimeZone;
use crate::log::{count, Counts, EventKind, LogError, LogWriter, Record, WriteOptions};

/// Largest uncompressed container payload (what python-can and Vector use).
pub const CONTAINER_LIMIT: usize = 128 * 1024;
/// Largest object the writer lays out: a CAN FD frame with 64 bytes, with room to spare.
const MAX_FRAME_OBJECT: usize = 160;
/// Longest marker or comment text kept (longer ones are cut and counted).
const MAX_TEXT: usize = 60 * 1024;
/// Times before 1990 are taken as relative to an unknown start (python-can's rule).
const EARLIEST_ABSOLUTE: i64 = 631_152_000 * 1_000_000_000;

const LOSS_CHANNEL_NAME: &str =
    "channel names (BLF numbers channels; a name ending in N is written as channel N+1)";
const LOSS_FD_CHANNEL: &str = "CAN FD frames on channels above 255 (written as 255)";
const LOSS_CHANNEL_NUMBER: &str = "channel numbers above 65535 (written as 65535)";
const LOSS_EARLY: &str = "records timestamped before the first one (written at the start time)";
const LOSS_LONG_TEXT: &str = "marker and comment texts longer than 60 KiB (cut)";

/// A container on its way through compression: its objects, and the buffer its LOG_CONTAINER
/// object is made in.
struct Job {
    raw: Vec<u8>,
    out: Vec<u8>,
}

/// Containers written so far and those in flight, for the header.
#[derive(Clone, Copy, Default)]
struct Totals {
    objects: u32,
    uncompressed: u64,
    last_time: Option<i64>,
}

/// Compression on a [`Pool`]: whichever thread is free takes the next container, so a thread the
/// system slows down holds nobody up, and containers come back in file order.
struct Workers {
    pool: Pool<Job, Job>,
    /// What each container in flight adds to the header (applied once it is on disk), oldest
    /// first.
    in_flight: VecDeque<Totals>,
    free_raw: Vec<Vec<u8>>,
    free_out: Vec<Vec<u8>>,
}

impl Workers {
    fn start(level: u32, count: usize) -> std::io::Result<Workers> {
        let limits = Limits { threads: count, ahead: CONTAINERS_PER_THREAD * count, per_job: 1 };
        let pool = Pool::start(
            limits,
            |i| format!("blf-deflate-{i}"),
            // Levels 1-9 are valid libdeflate levels (checked by the writer).
            move || Compressor::new(CompressionLvl::new(level as i32).unwrap_or_default()),
            |zlib, mut job: Job, _| {
                compress_container(zlib, &job.raw, &mut job.out);
                job
            },
        )?;
        Ok(Workers { pool, in_flight: VecDeque::new(), free_raw: Vec::new(), free_out: Vec::new() })
    }

    /// Containers handed over before the caller waits for the oldest: enough that no thread
    /// runs dry while the caller fills the next one.
    fn max_in_flight(&self) -> usize {
        CONTAINERS_PER_THREAD * self.pool.threads()
    }
}

/// See [`Workers::max_in_flight`].
const CONTAINERS_PER_THREAD: usize = 3;

/// A whole LOG_CONTAINER object (headers, zlib stream, padding) for `raw` into `out`.
///
/// A container is compressed in one call: libdeflate's whole-buffer deflate makes the same
/// zlib stream format as zlib at the same level, about twice as fast (and a little smaller).
fn compress_container(zlib: &mut Compressor, raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.resize(obj::CONTAINER_HEADER_SIZE + zlib.zlib_compress_bound(raw.len()), 0);
    let written = zlib
        .zlib_compress(raw, &mut out[obj::CONTAINER_HEADER_SIZE..])
        // The buffer is the bound libdeflate gives for this input, which it always fits.
        .unwrap_or_else(|e| unreachable!("deflate into its own bound failed: {e}"));
    out.truncate(obj::CONTAINER_HEADER_SIZE + written);
    finish_container(out, obj::METHOD_ZLIB, raw.len());
}

/// Fill in the container headers at the front of `out` (payload already after them) and pad.
fn finish_container(out: &mut Vec<u8>, method: u16, uncompressed: usize) {
    let size = out.len();
    out[..4].copy_from_slice(obj::OBJECT_SIGNATURE);
    out[4..6].copy_from_slice(&(obj::BASE_HEADER_SIZE as u16).to_le_bytes());
    out[6..8].copy_from_slice(&1u16.to_le_bytes());
    out[8..12].copy_from_slice(&(size as u32).to_le_bytes());
    out[12..16].copy_from_slice(&obj::LOG_CONTAINER.to_le_bytes());
    out[16..18].copy_from_slice(&method.to_le_bytes());
    out[18..24].fill(0);
    out[24..28].copy_from_slice(&(uncompressed as u32).to_le_bytes());
    out[28..32].fill(0);
    out.resize(size + obj::padding(size as u64) as usize, 0);
}

/// A BLF writer; see the module documentation.
pub struct BlfWriter {
    file: File,
    name: String,
    level: u32,
    /// Zone of the header's dates (local time unless told otherwise, as Vector's tools write).
    tz: TimeZone,
    losses: Counts,
    /// Objects of the container being filled.
    container: Vec<u8>,
    /// What the container being filled adds to the totals.
    pending: Totals,
    /// Totals of containers on disk (what the header says).
    written: Totals,
    file_size: u64,
    /// None at level 0: containers are stored, no threads.
    workers: Option<Workers>,
    /// Measurement start (UNIX ns, whole milliseconds; 0 for relative times), set by the first
    /// record.
    start: Option<i64>,
    finished: bool,
}

impl BlfWriter {
    /// Create (or truncate) `path` and write a valid header right away, so even a writer that
    /// never finishes leaves a file readers accept.
    pub fn create(path: &Path, name: &str, options: &WriteOptions) -> Result<BlfWriter, LogError> {
        let file = File::create(path).map_err(|e| LogError::io(name, "cannot create", e))?;
        let level = options.compression_level.min(9);
        let workers = if level == 0 {
            None
        } else {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
            Some(
                Workers::start(level, cores)
                    .map_err(|e| LogError::io(name, "starting compression threads", e))?,
            )
        };
        let mut w = BlfWriter {
            file,
            name: name.to_string(),
            level,
            tz: options.tz,
            losses: Counts::new(),
            container: Vec::with_capacity(CONTAINER_LIMIT),
            pending: Totals::default(),
            written: Totals::default(),
            file_size: obj::FILE_HEADER_SIZE as u64,
            workers,
            start: None,
            finished: false,
        };
        // Containers are appended at the file position; the header is rewritten in place.
        let header = w.header_bytes();
        w.file.write_all(&header).map_err(|e| w.io("writing the file header", e))?;
        Ok(w)
    }

    fn io(&self, context: &str, e: std::io::Error) -> LogError {
        LogError::io(&self.name, context, e)
    }

    fn header_bytes(&self) -> [u8; obj::FILE_HEADER_SIZE] {
        let absolute = |t: Option<i64>| t.filter(|_| self.start.is_some_and(|s| s != 0));
        obj::encode_file_header(&obj::HeaderFields {
            compression_level: self.level as u8,
            file_size: self.file_size,
            uncompressed_size: obj::FILE_HEADER_SIZE as u64 + self.written.uncompressed,
            object_count: self.written.objects,
            start: obj::unix_to_systemtime(absolute(self.start), self.tz),
            last: obj::unix_to_systemtime(absolute(self.written.last_time.or(self.start)), self.tz),
        })
    }

    fn write_header(&mut self) -> Result<(), LogError> {
        let header = self.header_bytes();
        self.file.write_all_at(&header, 0).map_err(|e| self.io("writing the file header", e))
    }

    /// Object time of `t`: nanoseconds since the start, which the first record sets.
    #[inline]
    fn object_time(&mut self, t: Timestamp) -> Result<u64, LogError> {
        let start = match self.start {
            Some(s) => s,
            None => {
                let s = if t.0 < EARLIEST_ABSOLUTE { 0 } else { t.0 - t.0.rem_euclid(1_000_000) };
                self.start = Some(s);
                // The start time goes into the header at once: containers written before a
                // crash must not read back as relative times.
                self.write_header()?;
                s
            }
        };
        let last = self.pending.last_time.map_or(t.0, |l| l.max(t.0));
        self.pending.last_time = Some(last);
        if t.0 < start {
            count(&mut self.losses, LOSS_EARLY);
            return Ok(0);
        }
        Ok((t.0 - start) as u64)
    }

    #[inline]
    fn channel_number(&mut self, c: &Channel) -> u16 {
        if let Some(n) = c.as_number() {
            if n > u16::MAX as u32 {
                count(&mut self.losses, LOSS_CHANNEL_NUMBER);
                return u16::MAX;
            }
            return n as u16;
        }
        let Some(name) = c.as_name() else { return 1 };
        count(&mut self.losses, LOSS_CHANNEL_NAME);
        // python-can's channel2int: the trailing number, plus one (BLF channels start at 1).
        let digits = name.len() - name.trim_end_matches(|ch: char| ch.is_ascii_digit()).len();
        name[name.len() - digits..]
            .parse::<u32>()
            .map_or(1, |n| n.saturating_add(1).min(u16::MAX as u32) as u16)
    }

    /// Make room for an object of up to `size` bytes in the current container.
    #[inline]
    fn room_for(&mut self, size: usize) -> Result<(), LogError> {
        if self.container.len() + size > CONTAINER_LIMIT {
            self.close_container()?;
        }
        Ok(())
    }

    /// Hand the current container to compression (or store it at level 0).
    fn close_container(&mut self) -> Result<(), LogError> {
        if self.container.is_empty() {
            return Ok(());
        }
        let mut totals = std::mem::take(&mut self.pending);
        totals.uncompressed = (obj::CONTAINER_HEADER_SIZE + self.container.len()) as u64;
        let Some(workers) = self.workers.as_mut() else {
            let mut out = Vec::with_capacity(self.container.len() + 36);
            out.resize(obj::CONTAINER_HEADER_SIZE, 0);
            out.extend_from_slice(&self.container);
            finish_container(&mut out, obj::METHOD_NONE, self.container.len());
            self.container.clear();
            return self.write_container(&out, totals);
        };
        let raw = std::mem::replace(
            &mut self.container,
            workers.free_raw.pop().unwrap_or_else(|| Vec::with_capacity(CONTAINER_LIMIT)),
        );
        let out = workers.free_out.pop().unwrap_or_default();
        if workers.pool.submit(Job { raw, out }).is_err() {
            return Err(self.worker_stopped());
        }
        workers.in_flight.push_back(totals);
        // Write what is ready; wait only when too many containers are in flight.
        while self.collect(false)? {}
        let too_many = self.workers.as_ref().is_some_and(|w| w.in_flight.len() >= w.max_in_flight());
        if too_many {
            self.collect(true)?;
        }
        Ok(())
    }

    fn worker_stopped(&self) -> LogError {
        LogError::Invalid { path: self.name.clone(), message: "BLF compression thread stopped".into() }
    }

    /// Write the oldest compressed container if it is done (or, with `wait`, once it is).
    /// Returns whether one was written.
    fn collect(&mut self, wait: bool) -> Result<bool, LogError> {
        let Some(workers) = self.workers.as_mut() else { return Ok(false) };
        if workers.in_flight.is_empty() {
            return Ok(false);
        }
        let job = match if wait { workers.pool.take() } else { workers.pool.try_take() } {
            Some(Ok(job)) => job,
            None if !wait => return Ok(false),
            // A container lost to a panicking thread (or none in the pool while one is in flight).
            Some(Err(Lost)) | None => return Err(self.worker_stopped()),
        };
        // Not empty: checked above.
        let totals = workers.in_flight.pop_front().expect("in flight");
        let result = self.write_container(&job.out, totals);
        let workers = self.workers.as_mut().expect("workers exist");
        let Job { mut raw, out } = job;
        raw.clear();
        workers.free_raw.push(raw);
        workers.free_out.push(out);
        result.map(|_| true)
    }

    fn write_container(&mut self, bytes: &[u8], totals: Totals) -> Result<(), LogError> {
        self.file.write_all(bytes).map_err(|e| self.io("writing a container", e))?;
        self.file_size += bytes.len() as u64;
        self.written.objects += totals.objects;
        self.written.uncompressed += totals.uncompressed;
        if totals.last_time.is_some() {
            self.written.last_time = totals.last_time.max(self.written.last_time);
        }
        self.write_header()
    }

    fn text_bytes<'a>(&mut self, text: &'a str) -> &'a [u8] {
        if text.len() <= MAX_TEXT {
            return text.as_bytes();
        }
        count(&mut self.losses, LOSS_LONG_TEXT);
        let mut end = MAX_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        &text.as_bytes()[..end]
    }
}

impl LogWriter for BlfWriter {
    fn write(&mut self, record: &Record) -> Result<(), LogError> {
        if self.finished {
            return Err(LogError::Invalid { path: self.name.clone(), message: "write after finish".into() });
        }
        match record {
            Record::Frame(f) => {
                self.room_for(MAX_FRAME_OBJECT)?;
                let time = self.object_time(f.timestamp)?;
                let channel = self.channel_number(&f.channel);
                match f.kind() {
                    FrameKind::Data | FrameKind::Remote => {
                        obj::encode_can_message2(&mut self.container, f, channel, time)
                    }
                    FrameKind::Fd => {
                        let channel = if channel > u8::MAX as u16 {
                            count(&mut self.losses, LOSS_FD_CHANNEL);
                            u8::MAX
                        } else {
                            channel as u8
                        };
                        obj::encode_can_fd_message_64(&mut self.container, f, channel, time)
                    }
                    FrameKind::Error => obj::encode_can_error_ext(&mut self.container, f, channel, time),
                }
            }
            Record::Event(e) => {
                // Bus health has no BLF object of its own: an APP_TEXT comment in cankit's
                // wording, read back as the event (see `log::health`).
                let health = crate::log::health::text(&e.kind);
                let text = match (&e.kind, &health) {
                    (EventKind::Marker(t) | EventKind::Comment(t), _) => self.text_bytes(t),
                    (_, Some(t)) => t.as_bytes(),
                    (_, None) => return Ok(()),
                };
                self.room_for(text.len() + 80)?;
                let time = self.object_time(e.timestamp)?;
                if matches!(e.kind, EventKind::Marker(_)) {
                    obj::encode_global_marker(&mut self.container, text, time);
                } else {
                    obj::encode_app_text(&mut self.container, text, time);
                }
            }
        }
        self.pending.objects += 1;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), LogError> {
        if self.finished {
            return Ok(());
        }
        self.close_container()?;
        while self.workers.as_ref().is_some_and(|w| !w.in_flight.is_empty()) {
            self.collect(true)?;
        }
        self.file.flush().map_err(|e| self.io("flushing", e))
    }

    fn finish(&mut self) -> Result<(), LogError> {
        if self.finished {
            return Ok(());
        }
        let result = self.flush();
        self.finished = true;
        // Dropping the pool joins its threads.
        self.workers = None;
        result?;
        self.write_header()
    }

    fn losses(&self) -> &Counts {
        &self.losses
    }
}

impl Drop for BlfWriter {
    fn drop(&mut self) {
        // Never lose records already handed over; errors were reported by finish() if called.
        let _ = self.finish();
    }
}
