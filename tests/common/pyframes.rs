//! Frames as python-can sees them, and running the python-can scripts of `tests/python`: a frame
//! travels between a test and python-can as one JSON line (`log_read.py` prints them,
//! `log_write.py` reads them).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cankit::frame::{Direction, Frame};

/// One frame as the scripts print and read it.
#[derive(Clone, Debug, PartialEq)]
pub struct PyFrame {
    pub t: f64,
    pub id: u32,
    pub ext: bool,
    pub rtr: bool,
    pub err: bool,
    pub fd: bool,
    pub brs: bool,
    pub esi: bool,
    pub dlc: u32,
    pub data: Vec<u8>,
    pub channel: PyChannel,
    pub rx: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum PyChannel {
    None,
    Int(i64),
    Str(String),
}

/// A cankit frame as python-can's `Message` would have it (numbered channels are 0-based there).
pub fn to_py(f: &Frame) -> PyFrame {
    let channel = if let Some(n) = f.channel.as_number() {
        PyChannel::Int(n as i64 - 1)
    } else if let Some(name) = f.channel.as_name() {
        PyChannel::Str(name.to_string())
    } else {
        PyChannel::None
    };
    PyFrame {
        t: f.timestamp.as_secs_f64(),
        id: f.id(),
        ext: f.is_extended(),
        rtr: f.is_remote(),
        err: f.is_error(),
        fd: f.is_fd(),
        brs: f.brs(),
        esi: f.esi(),
        dlc: f.len() as u32,
        data: f.data().to_vec(),
        channel,
        rx: f.direction == Direction::Rx,
    }
}

// ------------------------------------------------------------------------------------------------
// JSON lines (flat objects with known keys; enough for what the scripts print)

pub fn to_json(f: &PyFrame) -> String {
    let channel = match &f.channel {
        PyChannel::None => "null".to_string(),
        PyChannel::Int(n) => n.to_string(),
        PyChannel::Str(s) => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
    };
    let hex: String = f.data.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{{\"t\": {:.9}, \"id\": {}, \"ext\": {}, \"rtr\": {}, \"err\": {}, \"fd\": {}, \"brs\": {}, \"esi\": {}, \
         \"dlc\": {}, \"data\": \"{hex}\", \"channel\": {channel}, \"rx\": {}}}",
        f.t, f.id, f.ext, f.rtr, f.err, f.fd, f.brs, f.esi, f.dlc, f.rx
    )
}

pub fn from_json(line: &str) -> Result<PyFrame, String> {
    let body = line.trim().strip_prefix('{').and_then(|s| s.strip_suffix('}')).ok_or("not an object")?;
    let mut f = PyFrame {
        t: 0.0,
        id: 0,
        ext: false,
        rtr: false,
        err: false,
        fd: false,
        brs: false,
        esi: false,
        dlc: 0,
        data: Vec::new(),
        channel: PyChannel::None,
        rx: true,
    };
    let mut rest = body;
    while !rest.trim().is_empty() {
        let s = rest.trim_start().trim_start_matches(',').trim_start();
        let s = s.strip_prefix('"').ok_or("key")?;
        let end = s.find('"').ok_or("key end")?;
        let key = &s[..end];
        let s = s[end + 1..].trim_start().strip_prefix(':').ok_or("colon")?.trim_start();
        let (value, after) = if let Some(v) = s.strip_prefix('"') {
            let end = v.find('"').ok_or("string end")?;
            (&v[..end], &v[end + 1..])
        } else {
            let end = s.find(',').unwrap_or(s.len());
            (s[..end].trim(), &s[end..])
        };
        let is_string = s.starts_with('"');
        let boolean = || value == "true";
        match key {
            "t" => f.t = value.parse().map_err(|_| format!("t: {value}"))?,
            "id" => f.id = value.parse().map_err(|_| format!("id: {value}"))?,
            "ext" => f.ext = boolean(),
            "rtr" => f.rtr = boolean(),
            "err" => f.err = boolean(),
            "fd" => f.fd = boolean(),
            "brs" => f.brs = boolean(),
            "esi" => f.esi = boolean(),
            "rx" => f.rx = boolean(),
            "dlc" => f.dlc = value.parse().map_err(|_| format!("dlc: {value}"))?,
            "data" => {
                f.data = (0..value.len() / 2)
                    .map(|i| u8::from_str_radix(&value[2 * i..2 * i + 2], 16))
                    .collect::<Result<_, _>>()
                    .map_err(|_| format!("data: {value}"))?
            }
            "channel" => {
                f.channel = if is_string {
                    PyChannel::Str(value.to_string())
                } else if value == "null" {
                    PyChannel::None
                } else {
                    PyChannel::Int(value.parse().map_err(|_| format!("channel: {value}"))?)
                }
            }
            _ => {}
        }
        rest = after;
    }
    Ok(f)
}

// ------------------------------------------------------------------------------------------------
// Running the scripts

pub fn script(name: &str) -> PathBuf {
    super::root().join("tests/python").join(name)
}

pub fn python_reads(python: &Path, path: &Path) -> Result<Vec<PyFrame>, String> {
    let out = Command::new(python)
        .arg(script("log_read.py"))
        .arg(path)
        .output()
        .map_err(|e| format!("running python: {e}"))?;
    if !out.status.success() {
        return Err(format!("python-can failed to read: {}", String::from_utf8_lossy(&out.stderr)));
    }
    String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.trim().is_empty()).map(from_json).collect()
}

/// What python-can keeps of a file: the frames its reader yields before it gives up, and why it
/// gave up (python-can's readers raise on lines they do not understand, losing the rest).
pub fn python_reads_partial(python: &Path, path: &Path) -> Result<(Vec<PyFrame>, Option<String>), String> {
    let out = Command::new(python)
        .arg(script("log_read.py"))
        .arg("--partial")
        .arg(path)
        .output()
        .map_err(|e| format!("running python: {e}"))?;
    if !out.status.success() {
        return Err(format!("python-can failed to read: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let mut frames = Vec::new();
    let mut failure = None;
    for line in String::from_utf8_lossy(&out.stdout).lines().filter(|l| !l.trim().is_empty()) {
        match line.strip_prefix("{\"error\": ") {
            Some(error) => failure = Some(error.trim_end_matches('}').to_string()),
            None => frames.push(from_json(line)?),
        }
    }
    Ok((frames, failure))
}

pub fn python_writes(python: &Path, path: &Path, frames: &[PyFrame]) -> Result<(), String> {
    let mut child = Command::new(python)
        .arg(script("log_write.py"))
        .arg(path)
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running python: {e}"))?;
    {
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        for f in frames {
            writeln!(stdin, "{}", to_json(f)).map_err(|e| format!("writing to python: {e}"))?;
        }
    }
    let out = child.wait_with_output().map_err(|e| format!("waiting for python: {e}"))?;
    if !out.status.success() {
        return Err(format!("python-can failed to write: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(())
}
