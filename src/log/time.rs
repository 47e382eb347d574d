//! Calendar dates in log headers (ASC `date`, BLF SYSTEMTIME, TRC `$STARTTIME`) to and from UNIX
//! time. A naive date is local time unless the user says `--utc` or `--tz +02:00`; local time
//! is the system's zone as `jiff` finds it (`TZ`, else /etc/localtime), so DST and the zone's
//! rules apply as the C library's `mktime`/`localtime_r` apply them. Civil-date arithmetic for
//! UTC and fixed offsets is Howard Hinnant's algorithm.

/// How to interpret (and write) dates that carry no zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TimeZone {
    /// The system's local time zone (TZ / /etc/localtime).
    #[default]
    Local,
    Utc,
    /// A fixed offset east of UTC, in seconds.
    Fixed(i32),
}

impl TimeZone {
    /// Parse `utc`, `local`, `+02:00`, `-0530`, `+2`.
    pub fn parse(s: &str) -> Result<TimeZone, String> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "utc" | "z" | "gmt" => return Ok(TimeZone::Utc),
            "local" => return Ok(TimeZone::Local),
            _ => {}
        }
        let bad = || format!("'{s}' is not a time zone (utc, local, +02:00, -0530)");
        let (sign, rest) = match t.as_bytes().first() {
            Some(b'+') => (1, &t[1..]),
            Some(b'-') => (-1, &t[1..]),
            _ => return Err(bad()),
        };
        let digits: String = rest.chars().filter(|c| *c != ':').collect();
        if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let (h, m) = if digits.len() <= 2 {
            (digits.parse::<i32>().map_err(|_| bad())?, 0)
        } else {
            let split = digits.len() - 2;
            (
                digits[..split].parse::<i32>().map_err(|_| bad())?,
                digits[split..].parse::<i32>().map_err(|_| bad())?,
            )
        };
        if h > 14 || m > 59 {
            return Err(bad());
        }
        Ok(TimeZone::Fixed(sign * (h * 3600 + m * 60)))
    }
}

/// A calendar date and time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    pub year: i32,
    /// 1–12
    pub month: u32,
    /// 1–31
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub nanos: u32,
    /// 0 = Sunday … 6 = Saturday (filled by [`from_unix`]; ignored by [`to_unix`]).
    pub weekday: u32,
}

pub const MONTHS_EN: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
pub const WEEKDAYS_EN: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// Month number (1–12) from an English or German abbreviation or full name, any case
/// (`Mar`, `Mär`, `Mrz`, `Mai`, `Okt`, `Dez`, `March`).
pub fn month_from_name(name: &str) -> Option<u32> {
    let n = name.to_lowercase();
    let n = n.trim_end_matches('.');
    const NAMES: [(&str, u32); 16] = [
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("mär", 3),
        ("mrz", 3),
        ("apr", 4),
        ("may", 5),
        ("mai", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("okt", 10),
        ("nov", 11),
        ("dec", 12),
    ];
    if n.starts_with("dez") {
        return Some(12);
    }
    NAMES.iter().find(|(abbr, _)| n.starts_with(abbr)).map(|(_, m)| *m)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i64 {
    let y = year as i64 - if month <= 2 { 1 } else { 0 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01: (year, month, day).
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + if m <= 2 { 1 } else { 0 }) as i32, m, d)
}

fn valid(c: &Civil) -> bool {
    (1..=12).contains(&c.month)
        && (1..=31).contains(&c.day)
        && c.hour < 24
        && c.minute < 60
        && c.second < 61
        && c.nanos < 1_000_000_000
}

/// UNIX time in nanoseconds of a civil date in `tz`; `None` if the date is impossible.
pub fn to_unix(c: &Civil, tz: TimeZone) -> Option<i64> {
    if !valid(c) {
        return None;
    }
    let secs = match tz {
        TimeZone::Utc => utc_secs(c),
        TimeZone::Fixed(off) => utc_secs(c) - off as i64,
        TimeZone::Local => local_secs(c)?,
    };
    secs.checked_mul(1_000_000_000)?.checked_add(c.nanos as i64)
}

fn utc_secs(c: &Civil) -> i64 {
    days_from_civil(c.year, c.month, c.day) * 86_400 + (c.hour * 3600 + c.minute * 60 + c.second) as i64
}

fn local_secs(c: &Civil) -> Option<i64> {
    // The wall-clock time normalised as mktime normalises it (31 February is 3 March, second 60
    // the next minute), then placed in the zone. A time a DST change skips is read with the
    // offset before the change, as mktime reads it; one it repeats is its first occurrence (RFC
    // 5545's and Python's choice: glibc's mktime picks either, depending on its earlier calls).
    let wall = jiff::tz::TimeZone::UTC.to_datetime(jiff::Timestamp::from_second(utc_secs(c)).ok()?);
    let local = jiff::tz::TimeZone::system().to_ambiguous_timestamp(wall).compatible().ok()?;
    Some(local.as_second())
}

/// The civil date of a UNIX time (nanoseconds) in `tz`.
pub fn from_unix(nanos: i64, tz: TimeZone) -> Civil {
    let secs = nanos.div_euclid(1_000_000_000);
    let sub = nanos.rem_euclid(1_000_000_000) as u32;
    let offset = match tz {
        TimeZone::Utc => 0,
        TimeZone::Fixed(off) => off as i64,
        TimeZone::Local => local_offset_at(secs),
    };
    let local = secs + offset;
    let days = local.div_euclid(86_400);
    let rem = local.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: rem / 60 % 60,
        second: rem % 60,
        nanos: sub,
        weekday: (days + 4).rem_euclid(7) as u32,
    }
}

/// Seconds east of UTC of local time at `secs` (0 outside the years -9999 to 9999).
pub fn local_offset_at(secs: i64) -> i64 {
    jiff::Timestamp::from_second(secs)
        .map_or(0, |t| jiff::tz::TimeZone::system().to_offset(t).seconds() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_round_trip_and_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2023, 11, 14), 19_675);
        for d in [-800_000i64, -1, 0, 1, 19_675, 2_000_000] {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
        }
    }

    #[test]
    fn utc_and_fixed_offsets_convert_both_ways() {
        let c =
            Civil { year: 2023, month: 11, day: 14, hour: 22, minute: 13, second: 20, nanos: 5, weekday: 0 };
        let t = to_unix(&c, TimeZone::Utc).unwrap();
        assert_eq!(t, 1_700_000_000_000_000_005);
        let back = from_unix(t, TimeZone::Utc);
        assert_eq!((back.year, back.month, back.day, back.hour, back.weekday), (2023, 11, 14, 22, 2));
        let plus2 = to_unix(&c, TimeZone::Fixed(7200)).unwrap();
        assert_eq!(plus2, t - 7200 * 1_000_000_000);
        assert_eq!(from_unix(plus2, TimeZone::Fixed(7200)).hour, 22);
        assert!(to_unix(&Civil { month: 13, ..c }, TimeZone::Utc).is_none());
    }

    #[test]
    fn month_names_in_english_and_german() {
        assert_eq!(month_from_name("Mär"), Some(3));
        assert_eq!(month_from_name("Okt"), Some(10));
        assert_eq!(month_from_name("Dez"), Some(12));
        assert_eq!(month_from_name("May"), Some(5));
        assert_eq!(month_from_name("Mai"), Some(5));
        assert_eq!(month_from_name("Foo"), None);
    }

    #[test]
    fn time_zones_parse_like_people_write_them() {
        assert_eq!(TimeZone::parse("utc"), Ok(TimeZone::Utc));
        assert_eq!(TimeZone::parse("+02:00"), Ok(TimeZone::Fixed(7200)));
        assert_eq!(TimeZone::parse("-0530"), Ok(TimeZone::Fixed(-19800)));
        assert_eq!(TimeZone::parse("+2"), Ok(TimeZone::Fixed(7200)));
        assert!(TimeZone::parse("mars").is_err());
    }
}
