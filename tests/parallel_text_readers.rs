//! The candump, CSV (python-can's and SavvyCAN's layouts), TRC (PEAK's and CANHacker's) and ASC
//! readers parse blocks of lines on helper threads by default; these tests hold them to exactly what reading line by line on one thread gives: the same records,
//! the same errors with file and line, the same skipped counts and start time, across block
//! boundaries, CRLF, lines longer than a block, a last line without a line break, empty input,
//! gzip and malformed lines.

use std::io::{Cursor, Write};

use cankit::log::asc::AscReader;
use cankit::log::candump::CandumpReader;
use cankit::log::csv::CsvReader;
use cankit::log::trc::TrcReader;
use cankit::log::{self, Counts, LogReader, ReadOptions, Record, TimeZone};

/// What a reader hands out, errors as their messages, with the skipped counts at the end.
fn drain(mut r: Box<dyn LogReader>) -> (Vec<Result<Record, String>>, Counts, Option<i64>) {
    let items = r.by_ref().map(|item| item.map_err(|e| e.to_string())).collect();
    (items, r.skipped().clone(), r.start_time().map(|t| t.0))
}

fn options() -> ReadOptions {
    ReadOptions { tz: TimeZone::Utc, ..Default::default() }
}

/// The file extension of a sample format: the dialects share their format's.
fn ext(format: &str) -> &str {
    match format {
        "savvycan" => "csv",
        "canhacker" => "trc",
        other => other,
    }
}

/// Every way to read `text` as `format`, each with a label.
fn readers(format: &str, text: &[u8]) -> Vec<(&'static str, Box<dyn LogReader>)> {
    let input = || Box::new(Cursor::new(text.to_vec()));
    let name = format!("t.{}", ext(format));
    match ext(format) {
        "log" => vec![
            ("sequential", Box::new(CandumpReader::sequential(input(), &name)) as Box<dyn LogReader>),
            ("blocks here", Box::new(CandumpReader::with_threads(input(), &name, 0))),
            ("1 thread", Box::new(CandumpReader::with_threads(input(), &name, 1))),
            ("3 threads", Box::new(CandumpReader::with_threads(input(), &name, 3))),
            ("default", Box::new(CandumpReader::new(input(), &name))),
        ],
        "csv" => vec![
            ("sequential", Box::new(CsvReader::sequential(input(), &name)) as Box<dyn LogReader>),
            ("blocks here", Box::new(CsvReader::with_threads(input(), &name, 0))),
            ("1 thread", Box::new(CsvReader::with_threads(input(), &name, 1))),
            ("3 threads", Box::new(CsvReader::with_threads(input(), &name, 3))),
            ("default", Box::new(CsvReader::new(input(), &name))),
        ],
        "trc" => vec![
            ("sequential", Box::new(TrcReader::sequential(input(), &name, &options())) as Box<dyn LogReader>),
            ("blocks here", Box::new(TrcReader::with_threads(input(), &name, &options(), 0))),
            ("1 thread", Box::new(TrcReader::with_threads(input(), &name, &options(), 1))),
            ("3 threads", Box::new(TrcReader::with_threads(input(), &name, &options(), 3))),
            ("default", Box::new(TrcReader::new(input(), &name, &options()))),
        ],
        "asc" => vec![
            ("sequential", Box::new(AscReader::sequential(input(), &name, &options())) as Box<dyn LogReader>),
            ("blocks here", Box::new(AscReader::with_threads(input(), &name, &options(), 0))),
            ("1 thread", Box::new(AscReader::with_threads(input(), &name, &options(), 1))),
            ("3 threads", Box::new(AscReader::with_threads(input(), &name, &options(), 3))),
            ("default", Box::new(AscReader::new(input(), &name, &options()))),
        ],
        _ => unreachable!(),
    }
}

/// Reads `text` every way and checks each against line-by-line reading; returns that.
fn all_agree(format: &str, text: &[u8]) -> (Vec<Result<Record, String>>, Counts, Option<i64>) {
    let mut all = readers(format, text).into_iter();
    let (_, sequential) = all.next().unwrap();
    let want = drain(sequential);
    for (label, reader) in all {
        let got = drain(reader);
        assert_eq!(got.0.len(), want.0.len(), "{format} {label}: item count");
        for (i, (g, w)) in got.0.iter().zip(&want.0).enumerate() {
            assert_eq!(g, w, "{format} {label}: item {i}");
        }
        assert_eq!(got.1, want.1, "{format} {label}: skipped");
        assert_eq!(got.2, want.2, "{format} {label}: start time");
    }
    // The same through open_reader, gzipped on disk.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("t.{}.gz", ext(format)));
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), Default::default());
    gz.write_all(text).unwrap();
    gz.finish().unwrap();
    let got = drain(log::open_reader(&path, None, &options()).unwrap());
    let rename = |items: &[Result<Record, String>]| -> Vec<Result<Record, String>> {
        let from = format!("t.{}:", ext(format));
        let to = format!("{}:", path.display());
        items.iter().map(|i| i.clone().map_err(|e| e.replacen(&from, &to, 1))).collect()
    };
    assert_eq!(got.0, rename(&want.0), "{format} gz");
    assert_eq!(got.1, want.1, "{format} gz: skipped");
    want
}

/// A small deterministic generator, so the files are the same in every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 24
    }
}

/// About `lines` lines of `format`, mostly frames, with the odd line of every other kind.
fn sample(format: &str, lines: usize, seed: u64) -> Vec<u8> {
    let mut rng = Lcg(seed);
    let mut out = Vec::new();
    // TRC: whether the current `$COLUMNS` has the reserved column `R`.
    let mut reserved_column = true;
    match format {
        "csv" => out.extend_from_slice(b"timestamp,arbitration_id,extended,remote,error,dlc,data\n"),
        "trc" => out.extend_from_slice(
            b";$FILEVERSION=2.1\r\n;$STARTTIME=45244.925925925926\r\n;$COLUMNS=N,O,T,B,I,d,R,L,D\r\n;\r\n",
        ),
        "savvycan" => out.extend_from_slice(b"Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8\n"),
        "canhacker" => out.extend_from_slice(b"Time   ID     DLC Data                    Comment\r\n"),
        _ => {}
    }
    for i in 0..lines {
        let r = rng.next();
        let eol: &[u8] = if r % 7 == 0 { b"\r\n" } else { b"\n" };
        let line: Vec<u8> = match (r >> 8) % 40 {
            0 => b"".to_vec(),
            1 => b"   ".to_vec(),
            2 => vec![b'(', 0xFF, 0xFE, b'1'],
            7 => match format {
                "log" => format!("({i}.5) can0 123#1").into_bytes(),
                "csv" => b"1.0,0xZZ,0,0,0,0,".to_vec(),
                "savvycan" => b"1,ZZ,false,Rx,0,0,".to_vec(),
                "canhacker" => b"12,345 GGG 1 00".to_vec(),
                _ => format!("{i} 1.000 DT 1 GGGG Rx - 1 01").into_bytes(),
            },
            3 => b"garbage, not a line of this format".to_vec(),
            4 => match format {
                "log" => b"DROPCOUNT: 3".to_vec(),
                "csv" => b"1.0,0x1,0,0".to_vec(),
                "savvycan" => b"1,123".to_vec(),
                "canhacker" => b"1,000 123".to_vec(),
                _ => format!("{i} 1.000 ST 1 - Rx - 4 00 00 00 08").into_bytes(),
            },
            5 if format == "trc" && i % 3 == 0 => {
                // A header change in the middle: the lines after it parse with the new columns.
                reserved_column = !reserved_column;
                let columns = if reserved_column { "N,O,T,B,I,d,R,L,D" } else { "N,O,T,B,I,d,L,D" };
                format!(";$COLUMNS={columns}").into_bytes()
            }
            6 if i % 50 == 0 => vec![b'A'; 300_000 + (r % 70_000) as usize],
            _ => {
                let id = r % 0x7FF;
                let data: Vec<u8> = (0..(r % 9)).map(|k| (r >> k) as u8).collect();
                let hex: String = data.iter().map(|b| format!("{b:02X}")).collect();
                let spaced: Vec<String> = data.iter().map(|b| format!("{b:02X}")).collect();
                let us = i as u64 * 1000 + r % 1000;
                match format {
                    "log" => {
                        format!("({}.{:06}) can{} {id:03X}#{hex}", us / 1_000_000, us % 1_000_000, r % 3)
                    }
                    "savvycan" => {
                        let padded: String =
                            (0..8).map(|k| format!("{:02X},", data.get(k).copied().unwrap_or(0))).collect();
                        format!(
                            "{us},{id:08X},false,{},{},{},{padded}",
                            if r % 5 == 0 { "Tx" } else { "Rx" },
                            r % 3,
                            data.len()
                        )
                    }
                    // Times within the minute: they wrap every 60 s (every 60,000 lines here).
                    "canhacker" => format!(
                        "{:02},{:03} {id:03X}    {} {}",
                        us / 1_000_000 % 60,
                        us / 1000 % 1000,
                        data.len(),
                        spaced.join(" ")
                    ),
                    "csv" => {
                        use base64_free::encode;
                        format!(
                            "{}.{:06},0x{id:x},0,0,0;ch={},{},{}",
                            us / 1_000_000,
                            us % 1_000_000,
                            r % 3 + 1,
                            data.len(),
                            encode(&data)
                        )
                    }
                    _ => format!(
                        "{i:7} {:13.3} DT {:2} {id:08X} Rx {} {}    {}",
                        us as f64 / 1000.0,
                        r % 3 + 1,
                        if reserved_column { "- " } else { "" },
                        data.len(),
                        spaced.join(" ")
                    ),
                }
                .into_bytes()
            }
        };
        out.extend_from_slice(&line);
        out.extend_from_slice(eol);
    }
    out
}

/// Base64 as Python writes it, for the CSV sample (no crate needed for a test).
mod base64_free {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(data: &[u8]) -> String {
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let v = chunk.iter().enumerate().fold(0u32, |v, (i, &b)| v | (b as u32) << (16 - 8 * i));
            for k in 0..4 {
                if k <= chunk.len() {
                    out.push(ALPHABET[(v >> (18 - 6 * k)) as usize & 63] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

#[test]
fn parallel_readers_match_line_by_line_reading_over_many_blocks() {
    for (format, seed, lines) in [
        ("log", 1, 30_000),
        ("csv", 2, 30_000),
        ("trc", 3, 30_000),
        ("savvycan", 4, 30_000),
        ("canhacker", 5, 130_000),
    ] {
        let text = sample(format, lines, seed);
        assert!(text.len() > 4 << 20, "{format}: several blocks ({} bytes)", text.len());
        let (items, skipped, _) = all_agree(format, &text);
        let frames = items.iter().filter(|i| matches!(i, Ok(Record::Frame(_)))).count();
        let errors = items.iter().filter(|i| i.is_err()).count();
        assert!(frames > 25_000 && errors > 500, "{format}: {frames} frames, {errors} errors");
        if matches!(format, "log" | "trc") {
            assert!(!skipped.is_empty(), "{format}: skipped lines are counted");
        }
        if format == "canhacker" {
            // Two minute wraps: the times keep rising.
            let times: Vec<i64> = items
                .iter()
                .filter_map(|i| match i {
                    Ok(Record::Frame(f)) => Some(f.timestamp.0),
                    _ => None,
                })
                .collect();
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "canhacker times rise");
            assert!(*times.last().unwrap() > 120_000_000_000, "{:?}", times.last());
        }
        if format == "trc" {
            // Frames after a `$COLUMNS` without `R` parse only with that header.
            let columns = text.windows(17).filter(|w| w == b";$COLUMNS=N,O,T,B").count();
            assert!(columns > 100, "{columns} header changes");
        }
        // Errors name the file and a line.
        let first_error = items.iter().find_map(|i| i.as_ref().err()).unwrap();
        assert!(first_error.starts_with(&format!("t.{}:line ", ext(format))), "{first_error}");
    }
}

#[test]
fn parallel_readers_match_on_small_and_odd_inputs() {
    for format in ["log", "csv", "trc", "savvycan", "canhacker"] {
        let full = sample(format, 300, 7);
        for text in [
            &b""[..],
            b"\n",
            b"\r\n\r\n",
            &full[..full.len() - 1],
            &full,
            &full[..full.len() / 2],
            b"(1.000000) can0 123#11",
            b"1.0,0x1,0,0,0,1,AQ==",
        ] {
            all_agree(format, text);
        }
    }
}

#[test]
fn trc_header_read_in_blocks_gives_the_start_time() {
    let text = sample("trc", 20_000, 11);
    let (items, _, start) = all_agree("trc", &text);
    assert_eq!(start, Some(1_700_000_000_000_000_000));
    let Some(Ok(Record::Frame(first))) = items.iter().find(|i| i.is_ok()) else { panic!("a frame") };
    assert!(first.timestamp.0 >= 1_700_000_000_000_000_000);
}

/// About `lines` lines of ASC with everything that carries state from line to line: `date`,
/// `Begin Triggerblock` with dates, `base dec`/`hex` switches (frames follow the base), comments
/// and markers (they take the time of the event line before them, possibly in an earlier block),
/// skipped event lines (`Start of measurement`, statistics: they move that time too), malformed
/// and very long lines. With `relative`, `timestamps relative` is switched on and off a few
/// times, with long stretches between without other header lines (so blocks parsed ahead start
/// from the right header state, and only the running time can be wrong).
fn asc_sample(lines: usize, seed: u64, relative: bool) -> Vec<u8> {
    let mut rng = Lcg(seed);
    let mut out = b"date Tue Nov 14 10:13:20.000 pm 2023\r\nbase hex  timestamps absolute\r\n".to_vec();
    out.extend_from_slice(b"// version 13.0.0\r\n// a header comment, not an event\r\n");
    let mut dec = false;
    let mut rel = false;
    for i in 0..lines {
        let r = rng.next();
        let eol: &[u8] = if r % 7 == 0 { b"\r\n" } else { b"\n" };
        let t = format!("{:11.6}", i as f64 * 0.001 + (r % 1000) as f64 * 1e-7);
        let kind = if relative && matches!((r >> 8) % 50, 9 | 10 | 13) { 99 } else { (r >> 8) % 50 };
        let kind = if relative && i % 6_000 == 100 { 11 } else { kind };
        let line: Vec<u8> = match kind {
            0 => b"".to_vec(),
            1 => vec![b'(', 0xFF, 0xFE, b'1'],
            2 => b"garbage, not a line of this format".to_vec(),
            3 => format!("{t} Start of measurement").into_bytes(),
            4 => format!("{t} 1 Statistic: D 0 R 0 XD 0 XR 0 E 0 O 0 B 0.00%").into_bytes(),
            5 | 6 => format!("// comment {i}").into_bytes(),
            7 => format!("// Marker: m{i}").into_bytes(),
            8 => format!("{t} 1  GGG  Rx   d 1 01").into_bytes(),
            9 if i % 4 == 0 => {
                format!("Begin Triggerblock Tue Nov 14 22:13:{:02}.{:03} 2023", r % 60, r % 1000).into_bytes()
            }
            10 | 11 if (kind == 10 && i % 3 == 0) || (kind == 11 && relative) => {
                if kind == 10 {
                    dec = !dec;
                } else {
                    rel = !rel;
                }
                let base = if dec { "dec" } else { "hex" };
                format!("base {base}  timestamps {}", if rel { "relative" } else { "absolute" }).into_bytes()
            }
            12 if i % 50 == 0 => vec![b'A'; 300_000 + (r % 70_000) as usize],
            13 => b"date Mi Nov 15 08:00:00.123 2023".to_vec(),
            _ => {
                let id = r % 0x7FF;
                let data: Vec<u8> = (0..(r % 9)).map(|k| (r >> k) as u8).collect();
                let bytes: Vec<String> =
                    data.iter().map(|b| if dec { format!("{b}") } else { format!("{b:02X}") }).collect();
                let id = if dec { format!("{id}") } else { format!("{id:X}") };
                let t = if rel { format!("{:11.6}", (r % 1000) as f64 * 1e-6) } else { t };
                format!("{t} {}  {id:<15} Rx   d {} {}", r % 3 + 1, data.len(), bytes.join(" ")).into_bytes()
            }
        };
        out.extend_from_slice(&line);
        out.extend_from_slice(eol);
    }
    out.extend_from_slice(b"End TriggerBlock\n");
    out
}

#[test]
fn parallel_asc_reading_matches_line_by_line_reading_with_state_across_blocks() {
    for (seed, relative) in [(11, false), (12, false), (13, true)] {
        let text = asc_sample(30_000, seed, relative);
        assert!(text.len() > 4 << 20, "several blocks ({} bytes)", text.len());
        let (items, skipped, start) = all_agree("asc", &text);
        let frames = items.iter().filter(|i| matches!(i, Ok(Record::Frame(_)))).count();
        let events = items.iter().filter(|i| matches!(i, Ok(Record::Event(_)))).count();
        let errors = items.iter().filter(|i| i.is_err()).count();
        assert!(
            frames > 20_000 && events > 1_000 && errors > 500,
            "{frames} frames, {events} events, {errors} errors"
        );
        assert!(skipped.values().sum::<u64>() > 1_000, "{skipped:?}");
        assert!(start.is_some());
    }
}
