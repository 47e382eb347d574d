//! The control socket: how `canopen-node set/get/emcy` in a shell reach a running node. A Unix
//! socket, one request line per connection, answered in CiA 309-3's style: the value, `OK`, or
//! `ERROR:0x06090031 value of parameter written too high`. Only the user who started the node
//! can connect (the socket's directory is private).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use crate::canopen::runner::NodeHandle;
use crate::canopen::types::parse_hex_bytes;
use crate::cli::{exit, usage};
use crate::shutdown::Shutdown;

/// A request line longer than this is refused (a domain value written from a shell fits).
const MAX_REQUEST: u64 = 1 << 20;

/// `$XDG_RUNTIME_DIR/cankit/canopen-node-ID.sock`, or under `/tmp/cankit-UID/` without one.
pub fn default_path(node_id: u8) -> PathBuf {
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("cankit"),
        // SAFETY: getuid has no preconditions and cannot fail.
        None => std::env::temp_dir().join(format!("cankit-{}", unsafe { libc::getuid() })),
    };
    dir.join(format!("canopen-node-{node_id}.sock"))
}

/// Listen on `path`; a socket left by a node that is gone is replaced, a live node's is not.
pub async fn listen(path: &Path) -> anyhow::Result<UnixListener> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() && !dir.exists() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            use std::os::unix::fs::PermissionsExt as _;
            let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        }
    }
    if path.exists() {
        if UnixStream::connect(path).await.is_ok() {
            return Err(usage(format!(
                "{}: another canopen-node is running with this control socket (give --control PATH)",
                path.display()
            )));
        }
        let _ = std::fs::remove_file(path);
    }
    UnixListener::bind(path).with_context(|| format!("control socket {}", path.display()))
}

/// Answer requests until `shutdown`.
pub async fn serve(listener: UnixListener, node: NodeHandle, shutdown: Shutdown) {
    loop {
        let stream = tokio::select! {
            _ = shutdown.triggered() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let node = node.clone();
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut line = String::new();
            let mut reader = BufReader::new(read.take(MAX_REQUEST));
            let read = tokio::time::timeout(Duration::from_secs(10), reader.read_line(&mut line)).await;
            let answer = match read {
                Ok(Ok(_)) if line.ends_with('\n') => answer(&node, line.trim()),
                Ok(Ok(_)) => "ERROR: the request must be one line, at most 1 MiB".into(),
                _ => return,
            };
            let _ = write.write_all(format!("{answer}\n").as_bytes()).await;
        });
    }
}

fn answer(node: &NodeHandle, request: &str) -> String {
    let (command, rest) = request.split_once(' ').unwrap_or((request, ""));
    let rest = rest.trim();
    let result = match command {
        "get" => get(node, rest),
        "set" => set(node, rest),
        "emcy" => emcy(node, rest),
        "state" => Ok(node.state().to_string()),
        _ => Err(format!("ERROR: unknown request '{command}' (get, set, emcy, state)")),
    };
    result.unwrap_or_else(|e| e)
}

fn entry(node: &NodeHandle, text: &str) -> Result<(u16, u8, crate::canopen::DataType), String> {
    let (index, sub) = super::parse_entry(text).map_err(|e| format!("ERROR: {e}"))?;
    let sub = sub.unwrap_or(0);
    node.read(|n| n.dictionary().entry(index, sub).map(|e| e.data_type))
        .map(|t| (index, sub, t))
        .map_err(|abort| format!("ERROR:0x{:08X} {}", abort.0, abort.meaning()))
}

fn get(node: &NodeHandle, text: &str) -> Result<String, String> {
    let (index, sub, data_type) = entry(node, text)?;
    let bytes =
        node.get(index, sub).map_err(|abort| format!("ERROR:0x{:08X} {}", abort.0, abort.meaning()))?;
    Ok(data_type.format(&bytes))
}

fn set(node: &NodeHandle, text: &str) -> Result<String, String> {
    let (target, value) = text.split_once(' ').ok_or("ERROR: set INDEX[:SUB] VALUE")?;
    let (index, sub, data_type) = entry(node, target)?;
    let bytes = data_type.parse(value, node.node_id()).map_err(|e| format!("ERROR: {e}"))?;
    node.set(index, sub, &bytes).map_err(|abort| format!("ERROR:0x{:08X} {}", abort.0, abort.meaning()))?;
    Ok("OK".into())
}

fn emcy(node: &NodeHandle, text: &str) -> Result<String, String> {
    let (code, info) = text.split_once(' ').unwrap_or((text, ""));
    let code = crate::canopen::types::parse_integer(code, 0)
        .ok()
        .and_then(|c| u16::try_from(c).ok())
        .ok_or_else(|| format!("ERROR: '{code}' is not an error code (0..0xFFFF)"))?;
    let bytes = parse_hex_bytes(info).map_err(|e| format!("ERROR: {e}"))?;
    if bytes.len() > 5 {
        return Err("ERROR: at most 5 bytes of manufacturer-specific error field".into());
    }
    let mut field = [0u8; 5];
    field[..bytes.len()].copy_from_slice(&bytes);
    node.emergency(code, field);
    Ok("OK".into())
}

/// Send one request to the node at `path` and print its answer: exit 0, 1 for an `ERROR:` with
/// an abort code, 2 for other errors, 3 when no node answers.
pub async fn request(path: &Path, line: &str) -> anyhow::Result<u8> {
    let mut stream = UnixStream::connect(path).await.map_err(|e| {
        anyhow::Error::new(e)
            .context(format!("no canopen-node answers on {} (is it running?)", path.display()))
    })?;
    stream.write_all(format!("{line}\n").as_bytes()).await?;
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), BufReader::new(stream).read_line(&mut answer))
        .await
        .map_err(|_| anyhow::anyhow!("the node at {} did not answer within 10 s", path.display()))??;
    let answer = answer.trim_end();
    if let Some(error) = answer.strip_prefix("ERROR:") {
        eprintln!("canopen-node: {}", error.trim());
        return Ok(if error.starts_with("0x") { exit::TIMEOUT } else { exit::USAGE });
    }
    println!("{answer}");
    Ok(exit::OK)
}
