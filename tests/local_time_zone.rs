//! Naive dates in log headers (here ASC's `date` line) are local time by default, and local time
//! is what `TZ` says, a POSIX rule or a zone name, with that zone's DST: written so by
//! `canlogger convert`, and read back so.

mod common;

use std::path::Path;

/// 2023-11-14 22:13:20 UTC (winter) and 2023-07-01 12:00:00 UTC (summer).
const WINTER: &str = "(1700000000.250000) can0 123#0102\n";
const SUMMER: &str = "(1688212800.250000) can0 123#0102\n";

fn convert(tz: &str, from: &Path, to: &Path) {
    let o = common::tool(common::canlogger())
        .env("TZ", tz)
        .args(["convert", "-q"])
        .arg(from)
        .arg(to)
        .output()
        .expect("run canlogger");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// The `date` line of an ASC file written from `log` under `tz`, and the log read back from it
/// under `tz` and under `read_tz`.
fn round_trip(tz: &str, log: &str, read_tz: &str) -> (String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (input, asc, back, shifted) = (
        dir.path().join("in.log"),
        dir.path().join("out.asc"),
        dir.path().join("back.log"),
        dir.path().join("shifted.log"),
    );
    std::fs::write(&input, log).unwrap();
    convert(tz, &input, &asc);
    convert(tz, &asc, &back);
    convert(read_tz, &asc, &shifted);
    let text = std::fs::read_to_string(&asc).unwrap();
    let date = text.lines().next().unwrap().to_string();
    (date, std::fs::read_to_string(back).unwrap(), std::fs::read_to_string(shifted).unwrap())
}

#[test]
fn asc_dates_follow_tz_rules_with_daylight_saving_time() {
    let cet = "CET-1CEST,M3.5.0,M10.5.0/3";
    let (date, back, as_utc) = round_trip(cet, WINTER, "UTC");
    assert_eq!(date, "date Tue Nov 14 23:13:20.250 2023");
    assert_eq!(back, WINTER);
    // The same naive date read as UTC is an hour later.
    assert_eq!(as_utc, "(1700003600.250000) can0 123#0102\n");
    let (date, back, _) = round_trip(cet, SUMMER, "UTC");
    assert_eq!(date, "date Sat Jul 01 14:00:00.250 2023");
    assert_eq!(back, SUMMER);

    let eastern = "EST5EDT,M3.2.0,M11.1.0";
    let (date, back, as_cet) = round_trip(eastern, WINTER, cet);
    assert_eq!(date, "date Tue Nov 14 17:13:20.250 2023");
    assert_eq!(back, WINTER);
    assert_eq!(as_cet, "(1699978400.250000) can0 123#0102\n");
    let (date, back, _) = round_trip(eastern, SUMMER, "UTC");
    assert_eq!(date, "date Sat Jul 01 08:00:00.250 2023");
    assert_eq!(back, SUMMER);
}

#[test]
fn asc_dates_follow_tz_zone_names() {
    // Zone names need the system's time zone database (Debian's tzdata; test-all installs it).
    let zoneinfo = Path::new("/usr/share/zoneinfo/Asia/Kolkata");
    if common::require("tzdata (/usr/share/zoneinfo)", zoneinfo.exists().then_some(())).is_none() {
        return;
    }
    let (date, back, _) = round_trip("Asia/Kolkata", WINTER, "UTC");
    assert_eq!(date, "date Wed Nov 15 03:43:20.250 2023");
    assert_eq!(back, WINTER);
    let (date, back, _) = round_trip("America/New_York", SUMMER, "UTC");
    assert_eq!(date, "date Sat Jul 01 08:00:00.250 2023");
    assert_eq!(back, SUMMER);
}
