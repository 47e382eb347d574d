//! The pipe as a Rust user drives it: recording a hub subscription while other users share the
//! bus, stopping it with the shutdown, converting the file with a custom sink, and the option
//! letters the tools agree on.

mod common;

use std::time::Duration;

use cankit::bus::hub::{Hub, SubscribeOptions};
use cankit::log::{Record, TimeZone};
use cankit::pipe::{run_files, LogInput, PipeError, Quiet, Select, Sink};
use cankit::record::{record, RecordOptions};
use cankit::shutdown::Shutdown;
use cankit::{Bus, BusConfig, BusEvent, FilterSet, Frame};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_records_beside_other_users_and_the_shutdown_finishes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.asc");
    let config = BusConfig::new("virtual", Some("pipe-library-record"));
    let hub = Hub::new(Bus::open(&config).await.unwrap());
    let sender = Bus::open(&config).await.unwrap();
    // One subscriber records only 0x100-0x1FF; another (a console, say) sees everything.
    let mut recorded = hub.subscribe(SubscribeOptions {
        filter: FilterSet::parse(&["100:700"]).unwrap(),
        capacity: 4096,
        ..SubscribeOptions::default()
    });
    let mut console = hub.subscribe(SubscribeOptions { capacity: 4096, ..SubscribeOptions::default() });
    let shutdown = Shutdown::new();
    let recording = {
        let shutdown = shutdown.clone();
        let path = path.clone();
        let mut options = RecordOptions::new(path);
        options.flush_interval = Duration::from_millis(50);
        tokio::spawn(async move { record(&mut recorded, options, &shutdown, &mut Quiet).await })
    };
    for i in 0..1000u32 {
        let id = if i % 2 == 0 { 0x100 + (i % 256) } else { 0x300 };
        sender.send(&Frame::new_data(id, false, &i.to_le_bytes()).unwrap()).await.unwrap();
    }
    // Every frame reached the console; then stop the recording as Ctrl-C would.
    for _ in 0..1000 {
        let event = tokio::time::timeout(Duration::from_secs(20), console.recv()).await.unwrap().unwrap();
        assert!(matches!(event, BusEvent::Frame(_)), "{event:?}");
    }
    // The recorder may still be working through its queue: wait until the file (flushed every
    // 50 ms) has every line (generous for a loaded machine), then trigger.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if std::fs::read_to_string(&path)
            .is_ok_and(|text| text.lines().filter(|l| l.contains(" Rx ")).count() == 500)
        {
            break;
        }
    }
    shutdown.trigger();
    let report = tokio::time::timeout(Duration::from_secs(20), recording).await.unwrap().unwrap().unwrap();
    assert!(report.error.is_none(), "{:?}", report.error);
    assert_eq!((report.frames, report.files.len()), (500, 1));
    // The file is finished (ASC's trailer comes only from finishing it) and holds exactly the
    // subscription's frames.
    assert!(std::fs::read_to_string(&path).unwrap().trim_end().ends_with("End TriggerBlock"));
    let input = LogInput::open(&path, None, TimeZone::Utc).unwrap();
    assert_eq!(count(input), 500);
}

fn count(mut input: LogInput) -> u64 {
    let mut n = 0;
    while let Some(record) = input.next_record(&mut Quiet).unwrap() {
        if let Record::Frame(f) = record {
            assert!((0x100..0x200).contains(&f.id()), "{f:?}");
            n += 1;
        }
    }
    n
}

/// A sink of the user's own: what `canlogger info` is to the pipe.
#[derive(Default)]
struct Ids(Vec<u32>, bool);

impl Sink for Ids {
    fn put(&mut self, record: &Record) -> Result<(), PipeError> {
        if let Record::Frame(f) = record {
            self.0.push(f.id());
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<(), PipeError> {
        self.1 = true;
        Ok(())
    }
}

#[test]
fn run_files_selects_into_any_sink_and_finishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.log");
    std::fs::write(
        &path,
        common::candump_log(
            100.0,
            &[(0.0, "can0", "100#01"), (0.5, "can1", "101#02"), (1.0, "can0", "200#03")],
        ),
    )
    .unwrap();
    let mut input = LogInput::open(&path, None, TimeZone::Utc).unwrap();
    let mut select =
        Select::new().filter(FilterSet::parse(&["100:700"]).unwrap()).channels(vec!["can0".into()]);
    let mut ids = Ids::default();
    let passed = run_files(&mut input, &mut select, &mut ids, &Shutdown::new(), &mut Quiet).unwrap();
    assert_eq!((passed.frames, passed.interrupted), (1, false));
    assert_eq!((ids.0.as_slice(), ids.1, select.dropped()), (&[0x100][..], true, 2));
    // A triggered shutdown stops it, and the sink is still finished.
    let shutdown = Shutdown::new();
    shutdown.trigger();
    let mut input = LogInput::open(&path, None, TimeZone::Utc).unwrap();
    let mut ids = Ids::default();
    let passed = run_files(&mut input, &mut Select::new(), &mut ids, &shutdown, &mut Quiet).unwrap();
    assert!(passed.interrupted && ids.0.is_empty() && ids.1, "{passed:?}");
}

#[test]
fn minus_f_names_a_file_in_every_tool_and_filters_take_no_letter() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rec.log");
    let port = common::free_port();
    let out = common::tool(common::canlogger())
        .args(["--port", &port, "-q", "-n", "0", "-f"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success() && file.exists(), "{}", String::from_utf8_lossy(&out.stderr));
    for args in [
        &["watch", "-f", "123:7FF"][..],
        &["wait", "-f", "123:7FF"],
        &["convert", "-f", "1:1", "a.log", "b.log"],
    ] {
        let out = common::tool(common::canlogger()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("'-f'"), "{args:?}");
    }
}
