//! Crash safety of BLF recording: once `flush()` returns, the file on disk is a complete BLF
//! file holding every frame written before the flush, whatever happens to the writer next: it
//! goes on writing, it is leaked without finishing, or its process is killed with SIGKILL.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use cankit::log::{self, LogWriter, ReadOptions, Record, WriteOptions};
use cankit::{Channel, Frame, Timestamp};

const FLUSHED: usize = 3_000;

fn frame(i: usize) -> Frame {
    let data = (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15).to_le_bytes();
    let f = Frame::new_data(i as u32 & 0x7FF, i % 4 == 0, &data[..i % 9]).unwrap();
    f.with_timestamp(Timestamp(1_700_000_000_000_000_000 + i as i64 * 1_000_000))
        .with_channel(Channel::number(1))
}

fn writer(path: &Path) -> Box<dyn LogWriter + Send> {
    log::create_writer(path, None, &WriteOptions::default()).unwrap()
}

/// Everything a fresh reader gets from `path` now: frames, and errors as text.
fn read(path: &Path) -> (Vec<Frame>, Vec<String>) {
    let mut frames = Vec::new();
    let mut errors = Vec::new();
    for item in log::open_reader(path, None, &ReadOptions::default()).unwrap() {
        match item {
            Ok(Record::Frame(f)) => frames.push(f),
            Ok(other) => panic!("unexpected {other:?}"),
            Err(e) => errors.push(e.to_string()),
        }
    }
    (frames, errors)
}

/// The frames read start with every frame written before the flush, in order.
fn assert_holds_flushed(frames: &[Frame]) {
    assert!(frames.len() >= FLUSHED, "{} frames on disk, {FLUSHED} flushed", frames.len());
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(*f, frame(i), "frame {i}");
    }
}

#[test]
fn flushed_frames_are_on_disk_while_writing_on_and_after_the_writer_is_leaked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.blf");
    let mut w = writer(&path);
    for i in 0..FLUSHED {
        w.write(&Record::Frame(frame(i))).unwrap();
    }
    w.flush().unwrap();
    let (frames, errors) = read(&path);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(frames.len(), FLUSHED, "flush writes out the container being filled");
    assert_holds_flushed(&frames);

    // Writing on: the file stays readable between calls and keeps what was flushed.
    for i in FLUSHED..FLUSHED + 20_000 {
        w.write(&Record::Frame(frame(i))).unwrap();
    }
    let (frames, errors) = read(&path);
    assert!(errors.is_empty(), "{errors:?}");
    assert_holds_flushed(&frames);

    // Leaked: no finish, no drop.
    std::mem::forget(w);
    let (frames, errors) = read(&path);
    assert!(errors.is_empty(), "{errors:?}");
    assert_holds_flushed(&frames);
    let bytes = std::fs::read(&path).unwrap();
    let count = u32::from_le_bytes(bytes[32..36].try_into().unwrap()) as usize;
    assert_eq!(count, frames.len(), "the header counts the objects on disk");
    let size = u64::from_le_bytes(bytes[16..24].try_into().unwrap());
    assert_eq!(size, bytes.len() as u64, "the header's fileSize is the size on disk");
}

/// Run by `flushed_frames_survive_sigkill` in a child process: write, flush, say so, then keep
/// writing until killed.
#[test]
#[ignore = "child process of flushed_frames_survive_sigkill"]
fn child_writes_flushes_and_writes_on_until_killed() {
    let path = std::env::var_os("BLF_FLUSH_CHILD").expect("run by flushed_frames_survive_sigkill");
    let mut w = writer(Path::new(&path));
    for i in 0..FLUSHED {
        w.write(&Record::Frame(frame(i))).unwrap();
    }
    w.flush().unwrap();
    println!("flushed");
    let mut i = FLUSHED;
    loop {
        w.write(&Record::Frame(frame(i))).unwrap();
        i += 1;
    }
}

#[test]
fn flushed_frames_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("killed.blf");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["child_writes_flushes_and_writes_on_until_killed", "--exact", "--ignored", "--nocapture"])
        .env("BLF_FLUSH_CHILD", &path)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.any(|l| l.unwrap().trim() == "flushed"), "the child never flushed");
    // Let it write on (containers in flight, the file growing), then kill it.
    let flushed_size = std::fs::metadata(&path).unwrap().len();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::fs::metadata(&path).unwrap().len() == flushed_size && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(20));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let (frames, errors) = read(&path);
    assert_holds_flushed(&frames);
    assert!(frames.len() > FLUSHED, "the child wrote on after the flush");
    // Killed in the middle of writing a container, the file may end with part of one.
    assert!(errors.len() <= 1, "{errors:?}");
    if let Some(e) = errors.first() {
        assert!(e.contains("truncated"), "{e}");
    }
}
