//! Names of recording files and their rotation: which name the next file gets, which older files
//! `--keep` deletes, and sizes as people write them (`100MB`, `1GiB`).
//!
//! A name may carry `{time}` (the file's UTC start, `2026-11-22T023000Z`) and `{n}` (its number in
//! this recording, from `001`). A rotating recording whose name has neither gets `_{time}` before
//! the extension: `trace.blf` → `trace_2026-11-22T023000Z.blf`. When that name is taken (two files
//! started within a second), `_002`, `_003`, ... follow the time, so names sort by start.

use std::path::{Path, PathBuf};

use crate::frame::Timestamp;
use crate::log::time::{from_unix, TimeZone};

/// One piece of a file name pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Time,
    Number,
}

/// How recording files are named.
#[derive(Clone, Debug)]
pub(crate) struct Namer {
    /// The path as given: what a name without placeholders becomes (`-` stays stdout).
    given: PathBuf,
    dir: PathBuf,
    parts: Vec<Part>,
    /// Files made so far in this recording.
    made: u64,
    /// The `{time}` of the last file and its collision number (1 = none): a later file of the
    /// same second never takes a lower number, even when `--keep` has freed the name.
    last: Option<(String, u32)>,
}

/// Extensions that belong together at the end of a name (`.log.gz`).
fn split_extension(name: &str) -> (&str, &str) {
    let lower = name.to_ascii_lowercase();
    let mut cut = name.len();
    if lower.ends_with(".gz") {
        cut -= 3;
    }
    match name[..cut].rfind('.') {
        Some(dot) if dot > 0 => (&name[..dot], &name[dot..]),
        _ => (&name[..cut], &name[cut..]),
    }
}

impl Namer {
    /// `rotating`: several files will be made, so a name without `{time}` or `{n}` gets `_{time}`.
    pub fn new(path: &Path, rotating: bool) -> Namer {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut template = name.clone();
        if rotating && !name.contains("{time}") && !name.contains("{n}") {
            let (stem, ext) = split_extension(&name);
            template = format!("{stem}_{{time}}{ext}");
        }
        Namer { given: path.to_path_buf(), dir, parts: parse_template(&template), made: 0, last: None }
    }

    /// True when names change from file to file.
    pub fn is_pattern(&self) -> bool {
        self.parts.iter().any(|p| !matches!(p, Part::Literal(_)))
    }

    /// The name of the next file, started at `start`; never the name of an existing file when the
    /// name is a pattern.
    pub fn next(&mut self, start: Timestamp) -> PathBuf {
        self.made += 1;
        if !self.is_pattern() {
            return self.given.clone();
        }
        let time = format_time(start);
        let mut k = match &self.last {
            Some((t, k)) if *t == time && !self.parts.contains(&Part::Number) => k + 1,
            _ => 1,
        };
        let with = |k: u32| if k == 1 { time.clone() } else { format!("{time}_{k:03}") };
        let mut candidate = self.render(&with(k));
        while self.is_pattern() && candidate.exists() {
            k += 1;
            candidate = self.render(&with(k));
        }
        self.last = Some((time, k));
        candidate
    }

    fn render(&self, time: &str) -> PathBuf {
        let mut name = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(s) => name.push_str(s),
                Part::Time => name.push_str(time),
                Part::Number => name.push_str(&format!("{:03}", self.made)),
            }
        }
        self.dir.join(name)
    }

    /// Does `name` (a file name, no directory) look like one this namer makes?
    fn matches(&self, name: &str) -> bool {
        matches_parts(&self.parts, name)
    }

    /// Files in the directory that this naming scheme made (in this or an earlier recording),
    /// oldest first (by modification time, then name).
    pub fn existing(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut found: Vec<(std::time::SystemTime, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
            .filter(|e| e.file_name().to_str().is_some_and(|n| self.matches(n)))
            .map(|e| {
                let modified = e.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
                (modified, e.path())
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, p)| p).collect()
    }
}

fn parse_template(template: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = template;
    let mut literal = String::new();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("{time}") {
            parts.push(Part::Literal(std::mem::take(&mut literal)));
            parts.push(Part::Time);
            rest = r;
        } else if let Some(r) = rest.strip_prefix("{n}") {
            parts.push(Part::Literal(std::mem::take(&mut literal)));
            parts.push(Part::Number);
            rest = r;
        } else {
            let c = rest.chars().next().expect("not empty");
            literal.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    parts.push(Part::Literal(literal));
    parts.retain(|p| !matches!(p, Part::Literal(s) if s.is_empty()));
    parts
}

/// Does `name` match the parts? `{time}` stands for one or more of `0-9 T Z - _`, `{n}` for
/// digits.
fn matches_parts(parts: &[Part], name: &str) -> bool {
    match parts.split_first() {
        None => name.is_empty(),
        Some((Part::Literal(s), rest)) => {
            name.strip_prefix(s.as_str()).is_some_and(|r| matches_parts(rest, r))
        }
        Some((placeholder, rest)) => {
            let allowed = |c: char| match placeholder {
                Part::Time => c.is_ascii_digit() || matches!(c, 'T' | 'Z' | '-' | '_'),
                _ => c.is_ascii_digit(),
            };
            let run = name.char_indices().find(|&(_, c)| !allowed(c)).map_or(name.len(), |(i, _)| i);
            (1..=run).rev().any(|k| matches_parts(rest, &name[k..]))
        }
    }
}

/// A UTC time for file names: `2026-11-22T023000Z` (no colons, sorts by time).
pub(crate) fn format_time(t: Timestamp) -> String {
    let c = from_unix(t.as_nanos(), TimeZone::Utc);
    format!("{:04}-{:02}-{:02}T{:02}{:02}{:02}Z", c.year, c.month, c.day, c.hour, c.minute, c.second)
}

/// Parse a size: bytes, or with a unit `k`/`KB` (1000), `KiB` (1024), `M`/`MB`, `MiB`, `G`/`GB`,
/// `GiB`; fractions allowed (`1.5GB`).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let bad = || format!("'{s}' is not a size (e.g. 1000000, 100MB, 512KiB, 1.5GB)");
    let value: f64 = number.parse().map_err(|_| bad())?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        "t" | "tb" => 1_000_000_000_000,
        "tib" => 1 << 40,
        _ => return Err(bad()),
    };
    let bytes = value * factor as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes > u64::MAX as f64 {
        return Err(format!("'{s}': a size must be at least 1 byte"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timestamp = Timestamp(1_700_000_000_123_456_789); // 2023-11-14 22:13:20 UTC

    #[test]
    fn rotating_names_carry_the_utc_start_before_the_extension() {
        let dir = tempfile::tempdir().unwrap();
        let mut n = Namer::new(&dir.path().join("trace.log.gz"), true);
        assert_eq!(n.next(T), dir.path().join("trace_2023-11-14T221320Z.log.gz"));
        std::fs::write(dir.path().join("trace_2023-11-14T221320Z.log.gz"), b"").unwrap();
        assert_eq!(n.next(T), dir.path().join("trace_2023-11-14T221320Z_002.log.gz"));
        let mut plain = Namer::new(&dir.path().join("trace.blf"), false);
        assert!(!plain.is_pattern());
        assert_eq!(plain.next(T), dir.path().join("trace.blf"));
    }

    #[test]
    fn patterns_number_files_and_recognise_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let mut n = Namer::new(&dir.path().join("run-{n}-{time}.asc"), true);
        let a = n.next(T);
        let b = n.next(T);
        assert_eq!(a.file_name().unwrap(), "run-001-2023-11-14T221320Z.asc");
        assert_eq!(b.file_name().unwrap(), "run-002-2023-11-14T221320Z.asc");
        for name in ["run-001-2023-11-14T221320Z.asc", "run-7-2023-11-14T221320Z_3.asc"] {
            assert!(n.matches(name), "{name}");
        }
        for name in ["run-001-2023-11-14T221320Z.asc.bak", "run--x.asc", "other.asc", "run-001-.asc"] {
            assert!(!n.matches(name), "{name}");
        }
        std::fs::write(&a, b"a").unwrap();
        std::fs::write(dir.path().join("unrelated.asc"), b"").unwrap();
        assert_eq!(n.existing(), vec![a]);
    }

    #[test]
    fn sizes_take_decimal_and_binary_units() {
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert_eq!(parse_size("100MB").unwrap(), 100_000_000);
        assert_eq!(parse_size("1.5 GB").unwrap(), 1_500_000_000);
        assert_eq!(parse_size("512KiB").unwrap(), 524_288);
        assert_eq!(parse_size("2m").unwrap(), 2_000_000);
        for bad in ["", "MB", "1XB", "0", "-5", "1..2MB"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
