//! Stored parameters (CiA 301 0x1010 "save" / 0x1011 "load"): the values a node keeps across
//! restarts, in a small text file next to its EDS. One line per entry, `1017 00 e803` (index,
//! sub-index, value bytes in hex), written to a temporary file and renamed, so a power cut leaves
//! either the old or the new file. A line that cannot be read is skipped and reported; the rest
//! still loads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::types::{hex, parse_hex_bytes};

/// Stored values by (index, sub-index).
pub type Values = BTreeMap<(u16, u8), Vec<u8>>;

/// The groups 0x1010/0x1011 sub-indices name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Sub 1: every parameter.
    All,
    /// Sub 2: communication parameters, 0x1000–0x1FFF.
    Communication,
    /// Sub 3: application parameters, 0x6000–0x9FFF.
    Application,
    /// Sub 4 and above: manufacturer-specific parameters, 0x2000–0x5FFF.
    Manufacturer,
}

impl Group {
    pub fn from_sub(sub: u8) -> Option<Group> {
        match sub {
            1 => Some(Group::All),
            2 => Some(Group::Communication),
            3 => Some(Group::Application),
            4..=0x7F => Some(Group::Manufacturer),
            _ => None,
        }
    }

    pub fn contains(self, index: u16) -> bool {
        match self {
            Group::All => (0x1000..=0x9FFF).contains(&index),
            Group::Communication => (0x1000..=0x1FFF).contains(&index),
            Group::Application => (0x6000..=0x9FFF).contains(&index),
            Group::Manufacturer => (0x2000..=0x5FFF).contains(&index),
        }
    }
}

/// The file holding a node's stored parameters.
#[derive(Clone, Debug)]
pub struct Store {
    pub path: PathBuf,
}

impl Store {
    pub fn new(path: impl Into<PathBuf>) -> Store {
        Store { path: path.into() }
    }

    /// The default place: next to the EDS, `device.eds` → `device.node5.stored`.
    pub fn beside(eds: &Path, node_id: u8, dir: Option<&Path>) -> Store {
        let stem = eds.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "node".into());
        let name = format!("{stem}.node{node_id}.stored");
        let dir =
            dir.map(Path::to_path_buf).or_else(|| eds.parent().map(Path::to_path_buf)).unwrap_or_default();
        Store::new(dir.join(name))
    }

    /// The stored values; an absent file holds none. Lines that cannot be read are returned as
    /// messages naming the file and line.
    pub fn load(&self) -> std::io::Result<(Values, Vec<String>)> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Values::new(), Vec::new())),
            Err(e) => return Err(e),
        };
        let mut values = Values::new();
        let mut problems = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.splitn(3, ' ');
            let parsed = (|| {
                let index = u16::from_str_radix(parts.next()?, 16).ok()?;
                let sub = u8::from_str_radix(parts.next()?, 16).ok()?;
                let bytes = parse_hex_bytes(parts.next().unwrap_or("")).ok()?;
                Some(((index, sub), bytes))
            })();
            match parsed {
                Some((key, bytes)) => {
                    values.insert(key, bytes);
                }
                None => {
                    problems.push(format!("{}:{}: not `INDEX SUB HEX`: {line:?}", self.path.display(), n + 1))
                }
            }
        }
        Ok((values, problems))
    }

    /// Replace the file's contents with `values`, atomically.
    pub fn save(&self, values: &Values) -> std::io::Result<()> {
        let mut text = String::from("# cankit canopen-node stored parameters: INDEX SUB VALUE (hex)\n");
        for ((index, sub), bytes) in values {
            text.push_str(&format!("{index:04x} {sub:02x} {}\n", hex(bytes).replace(' ', "")));
        }
        let tmp = self.path.with_extension("stored.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_a_save_and_bad_lines_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::beside(&dir.path().join("device.eds"), 5, None);
        assert_eq!(store.path.file_name().unwrap(), "device.node5.stored");
        assert!(store.load().unwrap().0.is_empty());
        let values = Values::from([((0x1017, 0), vec![0xE8, 3]), ((0x2002, 0), b"hi".to_vec())]);
        store.save(&values).unwrap();
        assert_eq!(store.load().unwrap().0, values);
        std::fs::write(&store.path, "1017 00 e803\nzz\n").unwrap();
        let (values, problems) = store.load().unwrap();
        assert_eq!(values.len(), 1);
        assert!(problems[0].ends_with(":2: not `INDEX SUB HEX`: \"zz\""), "{problems:?}");
    }
}
