//! What `canopen-node run` says about its node: events as JSON lines or text on stdout
//! (`--events`), the important ones on stderr otherwise, and the `--on-write` hooks — each hook
//! a task that runs its command once per write, in order, so a slow command delays only itself.

use std::io::Write as _;

use serde_json::json;
use tokio::sync::{broadcast, mpsc};

use crate::canopen::node::{emcy_meaning, Event, WriteSource};
use crate::canopen::runner::NodeHandle;
use crate::canopen::types::hex;

/// Writes queued for a hook whose command is still running; more are dropped and reported.
const HOOK_QUEUE: usize = 256;

/// `--on-write INDEX[:SUB]=COMMAND`.
#[derive(Debug, Clone)]
pub struct Hook {
    index: u16,
    sub: Option<u8>,
    command: String,
}

impl Hook {
    pub fn parse(spec: &str) -> Result<Hook, String> {
        let (entry, command) = spec
            .split_once('=')
            .ok_or_else(|| format!("--on-write '{spec}': expected INDEX[:SUB]=COMMAND"))?;
        let (index, sub) = super::parse_entry(entry).map_err(|e| format!("--on-write: {e}"))?;
        if command.trim().is_empty() {
            return Err(format!("--on-write '{spec}': the command is empty"));
        }
        Ok(Hook { index, sub, command: command.to_string() })
    }

    fn matches(&self, index: u16, sub: u8) -> bool {
        self.index == index && self.sub.is_none_or(|s| s == sub)
    }
}

/// One write, with what a hook's environment and a JSON line need.
struct Write {
    index: u16,
    sub: u8,
    name: String,
    type_name: &'static str,
    value: String,
    raw: String,
    json: serde_json::Value,
    source: WriteSource,
}

/// Start printing `node`'s events and running the hooks; the task ends with the node's events.
pub fn spawn(
    node: &NodeHandle,
    format: Option<&str>,
    quiet: bool,
    hooks: Vec<Hook>,
) -> tokio::task::JoinHandle<()> {
    let mut events = node.events();
    let node = node.clone();
    let format = format.map(str::to_string);
    let node_id = node.node_id();
    let runners: Vec<(Hook, mpsc::Sender<Write>)> = hooks
        .into_iter()
        .map(|hook| {
            let (tx, rx) = mpsc::channel(HOOK_QUEUE);
            tokio::spawn(run_hook(hook.clone(), node_id, rx));
            (hook, tx)
        })
        .collect();
    tokio::spawn(async move {
        loop {
            let event = match events.recv().await {
                Ok(event) => event,
                Err(broadcast::error::RecvError::Lagged(n)) => {
                    eprintln!("canopen-node: {n} events were not printed (the output is too slow)");
                    continue;
                }
                Err(broadcast::error::RecvError::Closed) => break,
            };
            let write = match &event {
                Event::Written { index, sub, value, source } => Some(node.read(|n| {
                    let entry = n.dictionary().entry(*index, *sub).ok();
                    Write {
                        index: *index,
                        sub: *sub,
                        name: entry.map(|e| e.name.clone()).unwrap_or_default(),
                        type_name: entry.map_or("DOMAIN", |e| e.data_type.name()),
                        value: shorten(
                            entry.map(|e| e.data_type.format(value)).unwrap_or_else(|| hex(value)),
                        ),
                        raw: shorten(hex(value).replace(' ', "")),
                        json: match entry {
                            Some(e) if value.len() * 3 <= MAX_SHOWN => e.data_type.to_json(value),
                            _ => serde_json::Value::String(shorten(hex(value))),
                        },
                        source: *source,
                    }
                })),
                _ => None,
            };
            match format.as_deref() {
                Some("json") => {
                    let line = to_json(&event, node_id, write.as_ref());
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "{line}");
                    let _ = out.flush();
                }
                Some(_) => {
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "{}", to_text(&event, write.as_ref()));
                    let _ = out.flush();
                }
                None if !quiet && important(&event) => {
                    eprintln!("canopen-node: {}", to_text(&event, write.as_ref()))
                }
                None => {}
            }
            if let Some(w) = write {
                for (hook, tx) in &runners {
                    if hook.matches(w.index, w.sub) {
                        let copy = Write {
                            name: w.name.clone(),
                            value: w.value.clone(),
                            raw: w.raw.clone(),
                            json: serde_json::Value::Null,
                            ..w
                        };
                        if tx.try_send(copy).is_err() {
                            eprintln!(
                                "canopen-node: --on-write {:04X}: the command is still busy with {HOOK_QUEUE} writes; this one is skipped",
                                w.index
                            );
                        }
                    }
                }
            }
        }
    })
}

/// Values beyond this many characters are cut in events and hook environments (a domain can
/// hold megabytes; `canopen-node get` reads all of it).
const MAX_SHOWN: usize = 4096;

fn shorten(mut text: String) -> String {
    if text.len() > MAX_SHOWN {
        let total = text.len();
        let mut cut = MAX_SHOWN;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str(&format!("… ({total} characters)"));
    }
    text
}

/// Events shown on stderr without `--events`: what an operator wants to know.
fn important(event: &Event) -> bool {
    !matches!(event, Event::Written { .. } | Event::Time { .. } | Event::HeartbeatSeen { state: Some(_), .. })
}

async fn run_hook(hook: Hook, node_id: u8, mut writes: mpsc::Receiver<Write>) {
    while let Some(w) = writes.recv().await {
        let status = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(&hook.command)
            .env("CANOPEN_NODE_ID", node_id.to_string())
            .env("CANOPEN_INDEX", format!("0x{:04X}", w.index))
            .env("CANOPEN_SUB", w.sub.to_string())
            .env("CANOPEN_NAME", &w.name)
            .env("CANOPEN_TYPE", w.type_name)
            .env("CANOPEN_VALUE", &w.value)
            .env("CANOPEN_RAW", &w.raw)
            .env("CANOPEN_SOURCE", w.source.as_str())
            .stdin(std::process::Stdio::null())
            .status()
            .await;
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                eprintln!("canopen-node: --on-write {:04X}:{:02X}: `{}` {s}", w.index, w.sub, hook.command)
            }
            Err(e) => eprintln!("canopen-node: --on-write {:04X}:{:02X}: cannot run sh: {e}", w.index, w.sub),
        }
    }
}

fn now() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

fn to_json(event: &Event, node: u8, write: Option<&Write>) -> serde_json::Value {
    let time = now();
    match event {
        Event::Written { .. } => {
            let w = write.expect("a write event comes with its description");
            json!({"time": time, "node": node, "event": "write", "index": format!("0x{:04X}", w.index), "sub": w.sub,
                   "name": w.name, "type": w.type_name, "value": w.json, "raw": w.raw, "source": w.source.as_str()})
        }
        Event::Nmt { from, to, cause } => {
            json!({"time": time, "node": node, "event": "nmt", "from": from.as_str(), "to": to.as_str(), "cause": cause})
        }
        Event::Emergency { code, register, info } => json!({"time": time, "node": node, "event": "emcy",
            "code": format!("0x{code:04X}"), "register": format!("0x{register:02X}"), "info": hex(info),
            "meaning": emcy_meaning(*code)}),
        Event::HeartbeatLost { node: other } => {
            json!({"time": time, "node": node, "event": "heartbeat-lost", "monitored": other})
        }
        Event::HeartbeatSeen { node: other, state } => {
            json!({"time": time, "node": node, "event": "heartbeat",
            "monitored": other, "state": state.map(|s| s.as_str())})
        }
        Event::LifeGuardLost => json!({"time": time, "node": node, "event": "life-guard-lost"}),
        Event::Time { milliseconds, days } => {
            json!({"time": time, "node": node, "event": "time", "milliseconds": milliseconds, "days": days})
        }
        Event::SdoAborted { index, sub, abort, by_client } => {
            json!({"time": time, "node": node, "event": "sdo-abort",
            "index": format!("0x{index:04X}"), "sub": sub, "code": format!("0x{:08X}", abort.0),
            "meaning": abort.meaning(), "by": if *by_client { "client" } else { "server" }})
        }
        Event::Stored { restore, error } => json!({"time": time, "node": node,
            "event": if *restore { "restore" } else { "store" }, "error": error}),
        Event::Warning(message) => {
            json!({"time": time, "node": node, "event": "warning", "message": message})
        }
    }
}

fn to_text(event: &Event, write: Option<&Write>) -> String {
    match event {
        Event::Written { .. } => {
            let w = write.expect("a write event comes with its description");
            format!("{:04X}:{:02X} {} = {} (by {})", w.index, w.sub, w.name, w.value, w.source.as_str())
        }
        Event::Nmt { from, to, cause } => format!("NMT {from} -> {to} ({cause})"),
        Event::Emergency { code, register, info } => format!(
            "EMCY 0x{code:04X} {} (error register 0x{register:02X}, info {})",
            emcy_meaning(*code),
            hex(info)
        ),
        Event::HeartbeatLost { node } => format!("heartbeat of node {node} lost"),
        Event::HeartbeatSeen { node, state } => match state {
            Some(s) => format!("heartbeat of node {node}: {s}"),
            None => format!("heartbeat of node {node}: an unknown state"),
        },
        Event::LifeGuardLost => "life guarding: the master stopped guarding".into(),
        Event::Time { milliseconds, days } => format!("TIME {days} days since 1984-01-01, {milliseconds} ms"),
        Event::SdoAborted { index, sub, abort, by_client } => format!(
            "SDO {:04X}:{:02X} aborted by the {}: {abort}",
            index,
            sub,
            if *by_client { "client" } else { "server" }
        ),
        Event::Stored { restore, error: None } => if *restore {
            "parameters restored to defaults (from the next reset)"
        } else {
            "parameters stored"
        }
        .into(),
        Event::Stored { error: Some(e), .. } => format!("storing parameters failed: {e}"),
        Event::Warning(message) => format!("warning: {message}"),
    }
}
