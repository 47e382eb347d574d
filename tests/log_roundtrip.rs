//! Round-trip properties for every log format, through the public API only: records go through
//! `cankit::log::create_writer` into a temporary file and back through `cankit::log::open_reader`.
//!
//! The property, for every format: each record written comes back identical, in order, after the
//! normalisation the format's representation implies (below); a record that does not come back
//! identical (dropped, or altered in any other field) must be counted in the writer's `losses()`.
//! So a format may lose what it cannot hold, but never silently.
//!
//! What is normalised, per format:
//!
//! | format          | timestamps                         | channels generated / normalised            |
//! |-----------------|------------------------------------|--------------------------------------------|
//! | candump `.log`  | µs (6 decimals written)            | any; bus number n prints as `can(n-1)`, none as `vcan0`, whitespace in names as `_` |
//! | ASC `.asc`      | µs                                 | numbers 1–8 (ASC channels are numbers)     |
//! | BLF `.blf`      | 10 µs (v1 object headers) or better | numbers 1–8 (BLF channels are numbers)    |
//! | TRC 2.1 `.trc`  | 10 µs (`$STARTTIME` is a fraction of a day with 10 decimals) | numbers 1–8 (bus column) |
//! | TRC 1.1         | 100 µs (offsets with one decimal of ms) | ignored: TRC 1.x has no bus column     |
//! | CSV `.csv`      | µs                                 | any                                        |
//! | SQLite `.db`    | 1 µs (REAL seconds: a double holds a UNIX time to ~0.24 µs) | any             |
//!
//! Timestamps compare as equal when they differ by less than the resolution (writers may round or
//! truncate). Events (markers, comments, drop reports) carry no channel in ASC and BLF; their
//! channel is not compared there. Event texts are generated without leading or trailing blanks,
//! which text formats cannot keep apart from the separators. The `.gz` variants of the text
//! formats behave as the plain ones.

use std::path::Path;

use cankit::frame::{Channel, Direction, Frame, Timestamp};
use cankit::log::{
    create_writer, open_reader, Event, EventKind, LogError, ReadOptions, Record, TimeZone, WriteOptions,
};
use proptest::prelude::*;

/// How a format stores what the test generates.
#[derive(Clone, Copy, Debug)]
struct Spec {
    /// File name to write (the extension picks the format).
    file: &'static str,
    /// Timestamps within this many nanoseconds are equal.
    resolution_ns: i64,
    channels: Channels,
    /// Events keep their channel.
    event_channels: bool,
    trc_version: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Channels {
    /// None, numbers and names; compared exactly.
    Any,
    /// None, numbers and names; normalised as candump prints them.
    Candump,
    /// Numbers 1–8 only; compared exactly.
    Numbered,
    /// One channel; not compared.
    Ignored,
}

const CANDUMP: Spec = Spec {
    file: "t.log",
    resolution_ns: 1_000,
    channels: Channels::Candump,
    event_channels: true,
    trc_version: "2.1",
};
const ASC: Spec = Spec {
    file: "t.asc",
    resolution_ns: 1_000,
    channels: Channels::Numbered,
    event_channels: false,
    trc_version: "2.1",
};
const BLF: Spec = Spec {
    file: "t.blf",
    resolution_ns: 10_000,
    channels: Channels::Numbered,
    event_channels: false,
    trc_version: "2.1",
};
const TRC: Spec = Spec {
    file: "t.trc",
    resolution_ns: 10_000,
    channels: Channels::Numbered,
    event_channels: true,
    trc_version: "2.1",
};
const TRC_11: Spec = Spec {
    file: "t.trc",
    resolution_ns: 100_000,
    channels: Channels::Ignored,
    event_channels: true,
    trc_version: "1.1",
};
const CSV: Spec = Spec {
    file: "t.csv",
    resolution_ns: 1_000,
    channels: Channels::Any,
    event_channels: true,
    trc_version: "2.1",
};
const SQLITE: Spec = Spec {
    file: "t.db",
    resolution_ns: 1_000,
    channels: Channels::Any,
    event_channels: true,
    trc_version: "2.1",
};

fn gz(spec: Spec) -> Spec {
    let file = match spec.file {
        "t.log" => "t.log.gz",
        "t.asc" => "t.asc.gz",
        "t.trc" => "t.trc.gz",
        "t.csv" => "t.csv.gz",
        other => panic!("{other} is not a text format"),
    };
    Spec { file, ..spec }
}

// ------------------------------------------------------------------------------------------------
// Generators

fn channel(channels: Channels) -> BoxedStrategy<Channel> {
    match channels {
        Channels::Any | Channels::Candump => prop_oneof![
            Just(Channel::NONE),
            (0u32..100).prop_map(Channel::number),
            "[a-z][a-z0-9_]{0,9}".prop_map(|s| Channel::name(&s)),
        ]
        .boxed(),
        Channels::Numbered => (1u32..=8).prop_map(Channel::number).boxed(),
        Channels::Ignored => Just(Channel::number(1)).boxed(),
    }
}

fn id() -> impl Strategy<Value = (u32, bool)> {
    prop_oneof![3 => (0u32..=0x7FF).prop_map(|i| (i, false)), 1 => (0u32..=0x1FFF_FFFF).prop_map(|i| (i, true))]
}

const FD_LENGTHS: [usize; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64];

fn frame(channels: Channels) -> impl Strategy<Value = Frame> {
    let data =
        prop_oneof![
            // classic data, sometimes with a raw DLC 9–15 on 8 bytes
            (id(), prop::collection::vec(any::<u8>(), 0..=8), prop::option::weighted(0.1, 9u8..=15))
                .prop_map(|((id, ext), data, raw)| {
                    let f = Frame::new_data(id, ext, &data).unwrap();
                    raw.map_or(f, |dlc| f.with_len8_dlc(dlc))
                }),
            (id(), 0u8..=8).prop_map(|((id, ext), len)| Frame::new_remote(id, ext, len).unwrap()),
            (id(), prop::sample::select(&FD_LENGTHS[..]), any::<u8>(), any::<bool>(), any::<bool>())
                .prop_map(|((id, ext), len, byte, brs, esi)| {
                    let data: Vec<u8> = (0..len).map(|i| byte.wrapping_add(i as u8)).collect();
                    Frame::new_fd(id, ext, &data, brs, esi).unwrap()
                }),
            (0u32..=0x1FF, any::<[u8; 8]>()).prop_map(|(class, data)| Frame::new_error(class, data).unwrap()),
        ];
    (data, channel(channels), any::<bool>()).prop_map(|(f, c, tx)| {
        f.with_channel(c).with_direction(if tx { Direction::Tx } else { Direction::Rx })
    })
}

fn event(channels: Channels) -> impl Strategy<Value = Event> {
    let kind = prop_oneof![
        "[A-Za-z0-9]([A-Za-z0-9 ]{0,18}[A-Za-z0-9])?".prop_map(EventKind::Marker),
        "[A-Za-z0-9]([A-Za-z0-9 ]{0,18}[A-Za-z0-9])?".prop_map(EventKind::Comment),
        (1u64..1000).prop_map(EventKind::Dropped),
    ];
    (kind, channel(channels)).prop_map(|(kind, channel)| Event { timestamp: Timestamp::ZERO, channel, kind })
}

/// Records in time order: the first at a UNIX time in 2001–2033, then gaps of up to 2 s.
fn records(channels: Channels) -> impl Strategy<Value = Vec<Record>> {
    let one = prop_oneof![9 => frame(channels).prop_map(Record::Frame), 1 => event(channels).prop_map(Record::Event)];
    (
        1_000_000_000i64..2_000_000_000,
        0u32..1_000_000_000,
        prop::collection::vec((one, 0i64..2_000_000_000), 1..40),
    )
        .prop_map(|(secs, nanos, items)| {
            let mut t = Timestamp::from_parts(secs, nanos).as_nanos();
            items
                .into_iter()
                .map(|(mut record, gap)| {
                    t += gap;
                    match &mut record {
                        Record::Frame(f) => *f = f.with_timestamp(Timestamp(t)),
                        Record::Event(e) => e.timestamp = Timestamp(t),
                    }
                    record
                })
                .collect()
        })
}

// ------------------------------------------------------------------------------------------------
// The property

fn write_options(spec: Spec) -> WriteOptions {
    WriteOptions { trc_version: spec.trc_version.into(), tz: TimeZone::Utc, ..WriteOptions::default() }
}

fn read_options() -> ReadOptions {
    ReadOptions { tz: TimeZone::Utc, ..ReadOptions::default() }
}

/// The channel as the format gives it back.
fn normal_channel(spec: Spec, c: Channel) -> Channel {
    match spec.channels {
        Channels::Candump => {
            if let Some(n) = c.as_number() {
                // Bus numbers are 1-based: bus 1 is can0, as python-can pairs them.
                Channel::name(&format!("can{}", n.saturating_sub(1)))
            } else if c.is_none() {
                Channel::name("vcan0")
            } else {
                c
            }
        }
        Channels::Ignored => Channel::NONE,
        Channels::Any | Channels::Numbered => c,
    }
}

fn same(spec: Spec, written: &Record, read: &Record) -> bool {
    let close = |a: Timestamp, b: Timestamp| (a.as_nanos() - b.as_nanos()).abs() < spec.resolution_ns;
    match (written, read) {
        (Record::Frame(w), Record::Frame(r)) => {
            close(w.timestamp, r.timestamp)
                && normal_channel(spec, w.channel) == normal_channel(spec, r.channel)
                && w.with_timestamp(Timestamp::ZERO).with_channel(Channel::NONE)
                    == r.with_timestamp(Timestamp::ZERO).with_channel(Channel::NONE)
        }
        (Record::Event(w), Record::Event(r)) => {
            close(w.timestamp, r.timestamp)
                && (!spec.event_channels
                    || normal_channel(spec, w.channel) == normal_channel(spec, r.channel))
                && w.kind == r.kind
        }
        _ => false,
    }
}

/// Write `records`, read them back; returns (what came back, total losses reported).
fn round_trip(spec: Spec, records: &[Record]) -> Result<(Vec<Record>, u64), LogError> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join(spec.file);
    let losses = {
        let mut writer = create_writer(&path, None, &write_options(spec))?;
        for r in records {
            writer.write(r)?;
        }
        writer.finish()?;
        writer.losses().values().sum::<u64>()
    };
    let back = read_all(&path)?;
    Ok((back, losses))
}

fn read_all(path: &Path) -> Result<Vec<Record>, LogError> {
    open_reader(path, None, &read_options())?.collect()
}

/// The property: every written record comes back identical (after normalisation) in order, or is
/// counted in the losses; nothing comes back that was not written, except extra events a reader
/// may report.
fn check(spec: Spec, records: &[Record]) -> Result<(), TestCaseError> {
    let (back, losses) =
        round_trip(spec, records).map_err(|e| TestCaseError::fail(format!("{spec:?}: {e}")))?;
    let mut unmatched = 0u64;
    let mut next = 0;
    for w in records {
        match back[next..].iter().position(|r| same(spec, w, r)) {
            Some(i) => {
                // Frames skipped over were read back but not written as such.
                for skipped in &back[next..next + i] {
                    prop_assert!(
                        matches!(skipped, Record::Event(_)) || losses > 0,
                        "{}: read back a frame that was not written: {skipped:?}",
                        spec.file
                    );
                }
                next += i + 1;
            }
            None => unmatched += 1,
        }
    }
    prop_assert!(
        unmatched <= losses,
        "{}: {unmatched} records did not come back identical but losses() reports {losses}\nwritten: {records:#?}\nread:    {back:#?}",
        spec.file
    );
    if losses == 0 {
        let frames_back = back.iter().filter(|r| matches!(r, Record::Frame(_))).count();
        let frames_written = records.iter().filter(|r| matches!(r, Record::Frame(_))).count();
        prop_assert_eq!(frames_back, frames_written, "{}: frame count", spec.file);
    }
    Ok(())
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: 48, max_shrink_iters: 200, ..ProptestConfig::default() }
}

macro_rules! round_trip_tests {
    ($($name:ident => $spec:expr,)*) => {
        $(
            proptest! {
                #![proptest_config(config())]
                #[test]
                fn $name(records in records($spec.channels)) {
                    check($spec, &records)?;
                }
            }
        )*
    };
}

round_trip_tests! {
    candump_round_trips_or_counts_losses => CANDUMP,
    candump_gz_round_trips_or_counts_losses => gz(CANDUMP),
    asc_round_trips_or_counts_losses => ASC,
    asc_gz_round_trips_or_counts_losses => gz(ASC),
    blf_round_trips_or_counts_losses => BLF,
    trc_round_trips_or_counts_losses => TRC,
    trc_gz_round_trips_or_counts_losses => gz(TRC),
    trc_1_1_round_trips_or_counts_losses => TRC_11,
    csv_round_trips_or_counts_losses => CSV,
    csv_gz_round_trips_or_counts_losses => gz(CSV),
    sqlite_round_trips_or_counts_losses => SQLITE,
}

// ------------------------------------------------------------------------------------------------
// Exact expectations where a format holds everything

fn sample_frames(spec: Spec) -> Vec<Frame> {
    let ch = |n: u32, name: &str| match spec.channels {
        Channels::Numbered | Channels::Ignored => Channel::number(n),
        _ => Channel::name(name),
    };
    let t = |us: i64| Timestamp::from_parts(1_700_000_000, 0).as_nanos() + us * 1_000;
    vec![
        Frame::new_data(0x123, false, &[0xDE, 0xAD])
            .unwrap()
            .with_channel(ch(1, "can0"))
            .with_timestamp(Timestamp(t(0))),
        Frame::new_data(0x1ABCDEF0, true, &[1; 8])
            .unwrap()
            .with_channel(ch(2, "can1"))
            .with_direction(Direction::Tx)
            .with_timestamp(Timestamp(t(1_500))),
        Frame::new_remote(0x7FF, false, 3)
            .unwrap()
            .with_channel(ch(1, "can0"))
            .with_timestamp(Timestamp(t(2_000))),
        Frame::new_fd(0x42, false, &[0x55; 64], true, true)
            .unwrap()
            .with_channel(ch(1, "can0"))
            .with_timestamp(Timestamp(t(1_000_000))),
    ]
}

/// Every frame kind a modern format holds comes back unchanged, with no losses.
fn check_lossless(spec: Spec) {
    let records: Vec<Record> = sample_frames(spec).into_iter().map(Record::Frame).collect();
    let (back, losses) = round_trip(spec, &records).unwrap_or_else(|e| panic!("{}: {e}", spec.file));
    assert_eq!(losses, 0, "{}: losses", spec.file);
    assert_eq!(back.len(), records.len(), "{}: {back:#?}", spec.file);
    for (w, r) in records.iter().zip(&back) {
        assert!(same(spec, w, r), "{}: wrote {w:?}, read {r:?}", spec.file);
    }
}

#[test]
fn candump_keeps_every_kind_of_frame() {
    check_lossless(CANDUMP);
}

#[test]
fn asc_keeps_classic_remote_and_fd_frames() {
    check_lossless(ASC);
}

#[test]
fn blf_keeps_classic_remote_and_fd_frames() {
    check_lossless(BLF);
}

#[test]
fn trc_2_1_keeps_classic_remote_and_fd_frames() {
    check_lossless(TRC);
}

#[test]
fn csv_keeps_classic_remote_and_fd_frames() {
    check_lossless(CSV);
}

#[test]
fn sqlite_keeps_classic_remote_and_fd_frames() {
    check_lossless(SQLITE);
}

#[test]
fn trc_1_1_counts_fd_frames_it_cannot_hold() {
    let records: Vec<Record> = sample_frames(TRC_11).into_iter().map(Record::Frame).collect();
    let (back, losses) = round_trip(TRC_11, &records).unwrap_or_else(|e| panic!("t.trc 1.1: {e}"));
    assert!(losses >= 1, "the CAN FD frame must be counted as lost");
    assert_eq!(back.iter().filter(|r| matches!(r, Record::Frame(f) if f.is_fd())).count(), 0);
}

#[test]
fn sqlite_keeps_every_frame_across_transactions_and_drop_commits() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.db");
    const N: u32 = 200_000;
    {
        let mut writer = create_writer(&path, None, &WriteOptions::default()).unwrap();
        for i in 0..N {
            let f = Frame::new_data(i & 0x7FF, false, &i.to_le_bytes())
                .unwrap()
                .with_timestamp(Timestamp::from_parts(
                    1_700_000_000 + i as i64 / 1000,
                    (i % 1000) * 1_000_000,
                ))
                .with_channel(Channel::number(i % 3));
            writer.write(&Record::Frame(f)).unwrap();
        }
        // Dropped without finish(): Drop commits.
    }
    let mut n = 0u32;
    for record in read_all(&path).unwrap() {
        let Record::Frame(f) = record else { panic!("unexpected event") };
        assert_eq!(f.data(), &n.to_le_bytes());
        assert_eq!(f.channel, Channel::number(n % 3));
        n += 1;
    }
    assert_eq!(n, N);
}
