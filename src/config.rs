//! Where bus settings come from, and the record of where each one came from.
//!
//! Each setting resolves on its own, first hit wins: command-line flags > environment
//! (`CAN_INTERFACE`, `CAN_CHANNEL`, `CAN_BITRATE`) > python-can's config file > the built-in
//! default (the `udp_multicast` bus on loopback). The config file format is python-can's: an INI
//! file with a `[default]` section (or the one `--config-section` names) holding `interface`,
//! `channel`, `bitrate` and any backend keyword (`port`, `fd`, `receive_own_messages`, ...). Without
//! `--config FILE`, python-can's search path is read in order, later files overriding earlier ones:
//! `/etc/can.conf`, `~/.can`, `~/.canrc`.
//!
//! This module only resolves settings; opening the bus is [`crate::bus::Bus::open`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::bus::{self, BusConfig};

/// Where a setting's value came from (printed by `-v`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Flag(String),
    Env(&'static str),
    File { path: PathBuf, section: String, line: usize },
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Flag(flag) => write!(f, "command line {flag}"),
            Source::Env(var) => write!(f, "environment {var}"),
            Source::File { path, section, line } => write!(f, "{}:{line} [{section}]", path.display()),
            Source::Default => f.write_str("built-in default"),
        }
    }
}

/// A bad setting or config file; messages name the file and line where there is one.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}:{line}: {message}", path = path.display())]
    File { path: PathBuf, line: usize, message: String },
    #[error("cannot read config file {path}: {source}", path = path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("config file {path} has no section [{section}]", path = path.display())]
    NoSection { path: PathBuf, section: String },
    #[error("{source_desc}: {message}")]
    Value { source_desc: String, message: String },
}

/// What the command line said about the bus; `None` = not given.
#[derive(Clone, Debug, Default)]
pub struct FlagSettings {
    pub interface: Option<String>,
    pub channel: Option<String>,
    pub bitrate: Option<String>,
    pub fd: Option<bool>,
    pub data_bitrate: Option<String>,
    pub receive_own_messages: Option<bool>,
    /// Backend options as python-can keywords, from dedicated flags or `--bus-option KEY=VALUE`.
    pub options: BTreeMap<String, String>,
    pub config_file: Option<PathBuf>,
    pub config_section: Option<String>,
}

/// A resolved configuration and where each setting came from.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub config: BusConfig,
    /// `(setting, value, source)` for every setting that has a value, in a stable order.
    pub provenance: Vec<(String, String, Source)>,
    /// Config files that were read.
    pub files_read: Vec<PathBuf>,
}

impl Resolved {
    /// The lines `-v` prints.
    pub fn explain(&self) -> String {
        let mut s = String::new();
        for (key, value, source) in &self.provenance {
            s.push_str(&format!("  {key} = {value}  ({source})\n"));
        }
        s
    }
}

/// python-can's config file search path.
pub fn default_config_paths() -> Vec<PathBuf> {
    let mut paths = vec![PathBuf::from("/etc/can.conf")];
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        paths.push(home.join(".can"));
        paths.push(home.join(".canrc"));
    }
    paths
}

/// One `key = value` from a config file, with its line.
#[derive(Clone, Debug)]
struct FileValue {
    value: String,
    path: PathBuf,
    section: String,
    line: usize,
}

/// The keys of one config file section: value and line number.
pub type SectionValues = BTreeMap<String, (String, usize)>;

/// Parse an INI file as python-can's `configparser` reads it: `[section]`, `key = value` or
/// `key: value`, `#`/`;` comment lines, keys case-insensitive, indented lines continue a value.
/// Returns the key/values of `section`, or `None` if the file has no such section.
pub fn parse_config_section(
    text: &str,
    path: &Path,
    section: &str,
) -> Result<Option<SectionValues>, ConfigError> {
    let mut current: Option<String> = None;
    let mut found = false;
    let mut values = BTreeMap::new();
    let mut last_key: Option<String> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let err = |message: String| ConfigError::File { path: path.to_path_buf(), line: line_no, message };
        let line = raw.trim_end_matches('\r');
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let (Some(key), Some(cur)) = (&last_key, &current) {
                if cur == section {
                    if let Some((v, _)) = values.get_mut(key) {
                        let v: &mut String = v;
                        v.push('\n');
                        v.push_str(trimmed);
                    }
                }
                continue;
            }
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .ok_or_else(|| err(format!("section header '{trimmed}' is missing its closing ']'")))?;
            current = Some(name.trim().to_string());
            if name.trim() == section {
                found = true;
            }
            last_key = None;
            continue;
        }
        let Some(sep) = trimmed.find(['=', ':']) else {
            return Err(err(format!("expected 'key = value' or '[section]', found '{trimmed}'")));
        };
        let key = trimmed[..sep].trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(err("empty key before '='".to_string()));
        }
        let value = trimmed[sep + 1..].trim().to_string();
        if current.is_none() {
            return Err(err(format!("'{key}' appears before any [section] header")));
        }
        if current.as_deref() == Some(section) {
            values.insert(key.clone(), (value, line_no));
        }
        last_key = Some(key);
    }
    Ok(found.then_some(values))
}

fn read_files(
    paths: &[PathBuf],
    explicit: bool,
    section: &str,
) -> Result<(BTreeMap<String, FileValue>, Vec<PathBuf>), ConfigError> {
    let mut merged = BTreeMap::new();
    let mut read = Vec::new();
    for path in paths {
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if !explicit && e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(ConfigError::Read { path: path.clone(), source: e }),
        };
        read.push(path.clone());
        match parse_config_section(&text, path, section)? {
            Some(values) => {
                for (key, (value, line)) in values {
                    merged.insert(
                        key,
                        FileValue { value, path: path.clone(), section: section.to_string(), line },
                    );
                }
            }
            None if explicit && section != "default" => {
                return Err(ConfigError::NoSection { path: path.clone(), section: section.to_string() })
            }
            None => {}
        }
    }
    Ok((merged, read))
}

/// Resolve settings from flags, the environment (through `env`, so tests can supply their own)
/// and config files (`search_paths` when no `--config` was given).
pub fn resolve_with(
    flags: &FlagSettings,
    env: &dyn Fn(&str) -> Option<String>,
    search_paths: &[PathBuf],
) -> Result<Resolved, ConfigError> {
    let section = flags.config_section.clone().unwrap_or_else(|| "default".to_string());
    let (file, files_read) = match &flags.config_file {
        Some(path) => read_files(std::slice::from_ref(path), true, &section)?,
        None => read_files(search_paths, false, &section)?,
    };

    let mut provenance = Vec::new();
    // Pick one setting: flag > env > file (under any of its names) > default.
    let mut pick = |name: &str,
                    flag: Option<&String>,
                    flag_name: &str,
                    env_var: Option<&'static str>,
                    file_keys: &[&str],
                    default: Option<&str>|
     -> Option<(String, Source)> {
        let hit = if let Some(v) = flag {
            Some((v.clone(), Source::Flag(flag_name.to_string())))
        } else if let Some((var, v)) = env_var.and_then(|var| env(var).map(|v| (var, v))) {
            Some((v, Source::Env(var)))
        } else if let Some(fv) = file_keys.iter().find_map(|k| file.get(*k)) {
            Some((
                fv.value.clone(),
                Source::File { path: fv.path.clone(), section: fv.section.clone(), line: fv.line },
            ))
        } else {
            default.map(|d| (d.to_string(), Source::Default))
        };
        if let Some((v, s)) = &hit {
            provenance.push((name.to_string(), v.clone(), s.clone()));
        }
        hit
    };

    let (interface, interface_src) = pick(
        "interface",
        flags.interface.as_ref(),
        "-i/--interface",
        Some("CAN_INTERFACE"),
        &["interface", "bustype"],
        Some("udp_multicast"),
    )
    .unwrap_or_else(|| ("udp_multicast".to_string(), Source::Default));
    let interface = normalize_interface(&interface)
        .ok_or_else(|| ConfigError::Value {
            source_desc: interface_src.to_string(),
            message: format!(
                "unknown interface '{interface}'; known interfaces: {}",
                bus::interfaces().join(", ")
            ),
        })?
        .to_string();

    let channel =
        pick("channel", flags.channel.as_ref(), "-c/--channel", Some("CAN_CHANNEL"), &["channel"], None);
    let bitrate =
        pick("bitrate", flags.bitrate.as_ref(), "-b/--bitrate", Some("CAN_BITRATE"), &["bitrate"], None);
    let fd_flag = flags.fd.map(|b| b.to_string());
    let fd = pick("fd", fd_flag.as_ref(), "--fd/--no-fd", None, &["fd"], Some("true"));
    let data_bitrate =
        pick("data_bitrate", flags.data_bitrate.as_ref(), "--data-bitrate", None, &["data_bitrate"], None);
    let own_flag = flags.receive_own_messages.map(|b| b.to_string());
    let own = pick(
        "receive_own_messages",
        own_flag.as_ref(),
        "--receive-own",
        None,
        &["receive_own_messages"],
        Some("false"),
    );

    let mut config = BusConfig::new(&interface, None);
    config.channel = channel.map(|(v, _)| v);
    config.bitrate = bitrate.map(|(v, s)| parse_bitrate(&v).map_err(|m| value_error(&s, m))).transpose()?;
    config.data_bitrate =
        data_bitrate.map(|(v, s)| parse_bitrate(&v).map_err(|m| value_error(&s, m))).transpose()?;
    if let Some((v, s)) = fd {
        config.fd = parse_bool(&v).map_err(|m| value_error(&s, m))?;
    }
    if let Some((v, s)) = own {
        config.receive_own_messages = parse_bool(&v).map_err(|m| value_error(&s, m))?;
    }

    // Everything else in the file is a backend keyword, as python-can passes them to the bus.
    const KNOWN: &[&str] =
        &["interface", "bustype", "channel", "bitrate", "fd", "data_bitrate", "receive_own_messages"];
    for (key, fv) in &file {
        if !KNOWN.contains(&key.as_str()) {
            config.options.insert(key.clone(), fv.value.clone());
            provenance.push((
                key.clone(),
                fv.value.clone(),
                Source::File { path: fv.path.clone(), section: fv.section.clone(), line: fv.line },
            ));
        }
    }
    for (key, value) in &flags.options {
        config.options.insert(key.clone(), value.clone());
        provenance.push((key.clone(), value.clone(), Source::Flag(format!("--{}", key.replace('_', "-")))));
    }
    Ok(Resolved { config, provenance, files_read })
}

/// Resolve against the real environment and python-can's search path.
pub fn resolve(flags: &FlagSettings) -> Result<Resolved, ConfigError> {
    resolve_with(flags, &|k| std::env::var(k).ok().filter(|v| !v.is_empty()), &default_config_paths())
}

fn value_error(source: &Source, message: String) -> ConfigError {
    ConfigError::Value { source_desc: source.to_string(), message }
}

/// The registered backend a user's interface name means (python-can's names and its historical
/// aliases, any case; see [`crate::bus::backend`]).
pub fn normalize_interface(name: &str) -> Option<&'static str> {
    bus::backend::find(name).map(|entry| entry.name)
}

/// A bit rate as people write it: `500000`, `500k`, `500K`, `1M`, `2m`.
pub fn parse_bitrate(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let (digits, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1_000),
        Some((i, 'm' | 'M')) => (&t[..i], 1_000_000),
        _ => (t, 1),
    };
    let value: f64 =
        digits.parse().map_err(|_| format!("'{s}' is not a bit rate (e.g. 500000, 500k, 1M)"))?;
    let bits = value * mult as f64;
    if !(1.0..=20_000_000.0).contains(&bits) {
        return Err(format!("bit rate '{s}' is out of range (1 bit/s .. 20 Mbit/s)"));
    }
    Ok(bits.round() as u32)
}

/// python-can style booleans: configparser's `getboolean` words and Python literals.
pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Ok(true),
        "0" | "no" | "false" | "off" => Ok(false),
        _ => Err(format!("'{s}' is not a boolean (true/false, yes/no, on/off, 1/0)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn nothing_configured_gives_udp_multicast_on_loopback() {
        let r = resolve_with(&FlagSettings::default(), &no_env, &[]).unwrap();
        assert_eq!(r.config.interface, "udp_multicast");
        assert_eq!(r.config.channel, None);
        assert!(r.config.fd);
        assert_eq!(r.provenance[0].2, Source::Default);
    }

    #[test]
    fn flags_beat_environment_beats_file() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        writeln!(file, "[default]\ninterface = virtual\nchannel = fromfile\nbitrate = 250k\nport = 1234")
            .unwrap();
        let env = |k: &str| (k == "CAN_CHANNEL").then(|| "fromenv".to_string());
        let flags = FlagSettings { interface: Some("socketcan".into()), ..FlagSettings::default() };
        let r = resolve_with(&flags, &env, &[file.path().to_path_buf()]).unwrap();
        assert_eq!(r.config.interface, "socketcan");
        assert_eq!(r.config.channel.as_deref(), Some("fromenv"));
        assert_eq!(r.config.bitrate, Some(250_000));
        assert_eq!(r.config.options.get("port").map(String::as_str), Some("1234"));
        let bitrate_src = &r.provenance.iter().find(|p| p.0 == "bitrate").unwrap().2;
        assert!(matches!(bitrate_src, Source::File { line: 4, .. }), "{bitrate_src:?}");
    }

    #[test]
    fn later_search_files_override_earlier_ones_and_sections_are_selectable() {
        let mut a = tempfile::NamedTempFile::new().unwrap();
        writeln!(a, "[default]\ninterface = socketcan\nchannel = can0\n[bench]\nchannel = vcan9").unwrap();
        let mut b = tempfile::NamedTempFile::new().unwrap();
        writeln!(b, "# python-can config\n[default]\nchannel: can1").unwrap();
        let paths = [a.path().to_path_buf(), b.path().to_path_buf()];
        let r = resolve_with(&FlagSettings::default(), &no_env, &paths).unwrap();
        assert_eq!(r.config.interface, "socketcan");
        assert_eq!(r.config.channel.as_deref(), Some("can1"));
        let flags = FlagSettings {
            config_file: Some(a.path().to_path_buf()),
            config_section: Some("bench".into()),
            ..FlagSettings::default()
        };
        let r = resolve_with(&flags, &no_env, &[]).unwrap();
        assert_eq!(r.config.channel.as_deref(), Some("vcan9"));
    }

    #[test]
    fn bad_config_file_names_file_and_line() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "[default]\ninterface = socketcan\nthis line is wrong").unwrap();
        let flags = FlagSettings { config_file: Some(f.path().to_path_buf()), ..FlagSettings::default() };
        let e = resolve_with(&flags, &no_env, &[]).unwrap_err().to_string();
        assert!(e.contains(&format!("{}:3:", f.path().display())), "{e}");
        let mut g = tempfile::NamedTempFile::new().unwrap();
        writeln!(g, "[default]\ninterface = pcan").unwrap();
        let flags = FlagSettings { config_file: Some(g.path().to_path_buf()), ..FlagSettings::default() };
        let e = resolve_with(&flags, &no_env, &[]).unwrap_err().to_string();
        assert!(e.contains(":2 [default]") && e.contains("unknown interface 'pcan'"), "{e}");
    }

    #[test]
    fn missing_explicit_config_file_is_an_error() {
        let flags =
            FlagSettings { config_file: Some("/nonexistent/can.conf".into()), ..FlagSettings::default() };
        let e = resolve_with(&flags, &no_env, &[]).unwrap_err().to_string();
        assert!(e.contains("/nonexistent/can.conf"), "{e}");
    }

    #[test]
    fn bitrates_and_booleans_parse_like_people_write_them() {
        assert_eq!(parse_bitrate("500k"), Ok(500_000));
        assert_eq!(parse_bitrate("1M"), Ok(1_000_000));
        assert_eq!(parse_bitrate("125000"), Ok(125_000));
        assert!(parse_bitrate("fast").is_err());
        assert_eq!(parse_bool("Yes"), Ok(true));
        assert!(parse_bool("maybe").is_err());
    }
}
