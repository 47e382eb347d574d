//! `--tz`/`--utc` reach BLF: the header's start time (a date without zone) is written and read
//! in the zone given (`WriteOptions::tz`, `ReadOptions::tz`), local time by default as Vector's
//! tools do, except that files python-can wrote are read as UTC.

use std::path::Path;

use cankit::log::{self, ReadOptions, Record, TimeZone, WriteOptions};
use cankit::{Channel, Frame, Timestamp};

/// 2023-11-14 22:13:20 UTC.
const T0: i64 = 1_700_000_000_000_000_000;
const HOUR: i64 = 3_600_000_000_000;

fn frames() -> Vec<Frame> {
    (0..5)
        .map(|i| {
            let f = Frame::new_data(0x100 + i, false, &[i as u8; 4]).unwrap();
            f.with_timestamp(Timestamp(T0 + i as i64 * 1_000_000)).with_channel(Channel::number(1))
        })
        .collect()
}

fn write(path: &Path, tz: TimeZone) {
    let mut w = log::create_writer(path, None, &WriteOptions { tz, ..WriteOptions::default() }).unwrap();
    for f in frames() {
        w.write(&Record::Frame(f)).unwrap();
    }
    w.finish().unwrap();
}

/// Start time and first frame's time when read with `tz`.
fn read(path: &Path, tz: TimeZone) -> (Option<Timestamp>, Timestamp) {
    let mut r = log::open_reader(path, None, &ReadOptions { tz, ..ReadOptions::default() }).unwrap();
    let Some(Ok(Record::Frame(first))) = r.next() else { panic!("no frame") };
    (r.start_time(), first.timestamp)
}

#[test]
fn blf_start_time_follows_the_zone_options() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plus2.blf");
    write(&path, TimeZone::Fixed(2 * 3600));
    // Read in the zone it was written in: the original times.
    assert_eq!(read(&path, TimeZone::Fixed(2 * 3600)), (Some(Timestamp(T0)), Timestamp(T0)));
    // Read as UTC (--utc): the naive 00:13:20 is taken as UTC, two hours later than written.
    assert_eq!(read(&path, TimeZone::Utc), (Some(Timestamp(T0 + 2 * HOUR)), Timestamp(T0 + 2 * HOUR)));
    assert_eq!(read(&path, TimeZone::Fixed(-3 * 3600)).1, Timestamp(T0 + 5 * HOUR));

    let utc = dir.path().join("utc.blf");
    write(&utc, TimeZone::Utc);
    assert_eq!(read(&utc, TimeZone::Utc).1, Timestamp(T0));
    assert_eq!(read(&utc, TimeZone::Fixed(3600)).1, Timestamp(T0 - HOUR));

    // A file with python-can's header bytes holds UTC whatever the option says.
    let mut bytes = std::fs::read(&utc).unwrap();
    bytes[8..16].copy_from_slice(&[5, 0, 0, 0, 2, 6, 8, 1]);
    let python = dir.path().join("python.blf");
    std::fs::write(&python, bytes).unwrap();
    for tz in [TimeZone::Utc, TimeZone::Local, TimeZone::Fixed(3600), TimeZone::Fixed(-8 * 3600)] {
        assert_eq!(read(&python, tz), (Some(Timestamp(T0)), Timestamp(T0)), "{tz:?}");
    }
}
