//! The CiA 309-3 gateway's transports: TCP, a Unix socket, or standard input and output. Each
//! connection is a client with its own settings; its commands run one after the other, as
//! CANopenNode's gateway runs them; clients run side by side.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};

use super::ascii::{self, GatewayError};
use super::Gateway;
use crate::shutdown::Shutdown;

/// Where the ASCII gateway listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AsciiEndpoint {
    Tcp(SocketAddr),
    Unix(PathBuf),
    Stdio,
}

impl AsciiEndpoint {
    /// `tcp:127.0.0.1:6000`, `tcp:6000` (127.0.0.1), `unix:/run/co.sock`, `stdio` (or `-`).
    pub fn parse(spec: &str) -> Result<AsciiEndpoint, String> {
        if spec == "stdio" || spec == "-" {
            return Ok(AsciiEndpoint::Stdio);
        }
        if let Some(path) = spec.strip_prefix("unix:") {
            if path.is_empty() {
                return Err(format!("'{spec}': unix:PATH needs a path"));
            }
            return Ok(AsciiEndpoint::Unix(PathBuf::from(path)));
        }
        if let Some(addr) = spec.strip_prefix("tcp:") {
            if let Ok(port) = addr.parse::<u16>() {
                return Ok(AsciiEndpoint::Tcp(SocketAddr::from(([127, 0, 0, 1], port))));
            }
            return addr
                .parse()
                .map(AsciiEndpoint::Tcp)
                .map_err(|_| format!("'{spec}': tcp:ADDRESS:PORT (tcp:127.0.0.1:6000) or tcp:PORT"));
        }
        Err(format!("'{spec}': tcp:127.0.0.1:6000, tcp:PORT, unix:PATH or stdio"))
    }
}

impl std::fmt::Display for AsciiEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AsciiEndpoint::Tcp(addr) => write!(f, "tcp:{addr}"),
            AsciiEndpoint::Unix(path) => write!(f, "unix:{}", path.display()),
            AsciiEndpoint::Stdio => f.write_str("stdio"),
        }
    }
}

/// Limits of the ASCII gateway's clients.
#[derive(Clone)]
pub struct ServeOptions {
    /// Connections served at once; more are told so and closed.
    pub max_clients: usize,
    /// Close a connection that sends nothing for this long (canopend's `-T`).
    pub idle_timeout: Option<Duration>,
    /// The longest command line (a base64 domain is one line); longer ones are answered
    /// "ERROR:600" and skipped.
    pub max_line: usize,
    /// Where connects, disconnects and refusals are reported.
    pub log: Arc<dyn Fn(&str) + Send + Sync>,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions { max_clients: 16, idle_timeout: None, max_line: 4 << 20, log: Arc::new(|_| {}) }
    }
}

/// Serve the ASCII gateway on `endpoint` until `shutdown` (or, for stdio, the end of input).
pub async fn serve_ascii(
    gateway: Arc<Gateway>,
    endpoint: AsciiEndpoint,
    options: ServeOptions,
    shutdown: Shutdown,
) -> std::io::Result<()> {
    match endpoint {
        AsciiEndpoint::Stdio => {
            let input = BufReader::new(tokio::io::stdin());
            let output = tokio::io::stdout();
            tokio::select! {
                _ = shutdown.triggered() => Ok(()),
                result = client(&gateway, input, output, &options) => result,
            }
        }
        AsciiEndpoint::Tcp(addr) => {
            let listener = tokio::net::TcpListener::bind(addr).await?;
            (options.log)(&format!("CiA 309-3 gateway on tcp:{}", listener.local_addr()?));
            let active = Arc::new(AtomicUsize::new(0));
            loop {
                let (stream, peer) = tokio::select! {
                    _ = shutdown.triggered() => return Ok(()),
                    accepted = listener.accept() => match accepted {
                        Ok(accepted) => accepted,
                        Err(e) => {
                            (options.log)(&format!("accept: {e}"));
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            continue;
                        }
                    },
                };
                let _ = stream.set_nodelay(true);
                let (read, write) = stream.into_split();
                spawn_client(
                    &gateway,
                    &options,
                    &shutdown,
                    &active,
                    peer.to_string(),
                    BufReader::new(read),
                    write,
                );
            }
        }
        AsciiEndpoint::Unix(path) => {
            // A stale socket file from a previous run is replaced; a live one is not.
            if tokio::net::UnixStream::connect(&path).await.is_ok() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AddrInUse,
                    format!("{}: another gateway is listening there", path.display()),
                ));
            }
            let _ = std::fs::remove_file(&path);
            let listener = tokio::net::UnixListener::bind(&path)
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            (options.log)(&format!("CiA 309-3 gateway on unix:{}", path.display()));
            let active = Arc::new(AtomicUsize::new(0));
            let result = loop {
                let stream = tokio::select! {
                    _ = shutdown.triggered() => break Ok(()),
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => stream,
                        Err(e) => {
                            (options.log)(&format!("accept: {e}"));
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            continue;
                        }
                    },
                };
                let (read, write) = stream.into_split();
                let name = format!("unix:{}", path.display());
                spawn_client(&gateway, &options, &shutdown, &active, name, BufReader::new(read), write);
            };
            let _ = std::fs::remove_file(&path);
            result
        }
    }
}

fn spawn_client<R, W>(
    gateway: &Arc<Gateway>,
    options: &ServeOptions,
    shutdown: &Shutdown,
    active: &Arc<AtomicUsize>,
    peer: String,
    input: R,
    mut output: W,
) where
    R: AsyncBufRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let gateway = gateway.clone();
    let options = options.clone();
    let shutdown = shutdown.clone();
    let active = active.clone();
    tokio::spawn(async move {
        if active.fetch_add(1, Ordering::SeqCst) >= options.max_clients {
            active.fetch_sub(1, Ordering::SeqCst);
            (options.log)(&format!("{peer}: refused, already {} clients", options.max_clients));
            let _ = output.write_all(ascii::error(0, GatewayError::InternalState).as_bytes()).await;
            let _ = output.shutdown().await;
            return;
        }
        (options.log)(&format!("{peer}: connected"));
        let result = tokio::select! {
            _ = shutdown.triggered() => Ok(()),
            result = client(&gateway, input, output, &options) => result,
        };
        active.fetch_sub(1, Ordering::SeqCst);
        match result {
            Ok(()) => (options.log)(&format!("{peer}: disconnected")),
            Err(e) => (options.log)(&format!("{peer}: {e}")),
        }
    });
}

/// One client: lines in, replies out, in order, until the end of input or an idle time-out.
async fn client<R, W>(
    gateway: &Gateway,
    mut input: R,
    mut output: W,
    options: &ServeOptions,
) -> std::io::Result<()>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut session = gateway.session();
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = read_line(&mut input, &mut line, options.max_line);
        let read = match options.idle_timeout {
            Some(limit) => match tokio::time::timeout(limit, read).await {
                Ok(read) => read?,
                Err(_) => return Ok(()),
            },
            None => read.await?,
        };
        let reply = match read {
            Line::End => return Ok(()),
            Line::TooLong => ascii::error(session.sequence, GatewayError::OutOfMemory).into_bytes(),
            Line::Complete => gateway.ascii_line(&line, &mut session).await,
        };
        output.write_all(&reply).await?;
        output.flush().await?;
    }
}

enum Line {
    Complete,
    /// Longer than the limit: skipped up to its LF.
    TooLong,
    End,
}

/// Read up to LF (not kept) into `line`, at most `max` bytes; a last line without LF counts.
async fn read_line<R: AsyncBufRead + Unpin>(
    input: &mut R,
    line: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Line> {
    let mut too_long = false;
    loop {
        let buffer = input.fill_buf().await?;
        if buffer.is_empty() {
            return Ok(if too_long {
                Line::TooLong
            } else if line.is_empty() {
                Line::End
            } else {
                Line::Complete
            });
        }
        let (used, done) = match memchr::memchr(b'\n', buffer) {
            Some(at) => (at + 1, true),
            None => (buffer.len(), false),
        };
        let content = &buffer[..if done { used - 1 } else { used }];
        if !too_long && line.len() + content.len() <= max {
            line.extend_from_slice(content);
        } else {
            too_long = true;
            line.clear();
        }
        input.consume(used);
        if done {
            return Ok(if too_long { Line::TooLong } else { Line::Complete });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        assert_eq!(
            AsciiEndpoint::parse("tcp:6000"),
            Ok(AsciiEndpoint::Tcp("127.0.0.1:6000".parse().unwrap()))
        );
        assert_eq!(
            AsciiEndpoint::parse("tcp:0.0.0.0:60000"),
            Ok(AsciiEndpoint::Tcp("0.0.0.0:60000".parse().unwrap()))
        );
        assert_eq!(AsciiEndpoint::parse("unix:/tmp/co.sock"), Ok(AsciiEndpoint::Unix("/tmp/co.sock".into())));
        assert_eq!(AsciiEndpoint::parse("-"), Ok(AsciiEndpoint::Stdio));
        assert!(AsciiEndpoint::parse("tcp:nowhere").is_err());
        assert!(AsciiEndpoint::parse("serial:/dev/ttyS0").is_err());
    }

    #[tokio::test]
    async fn lines_are_bounded() {
        let data = b"short\nxxxxxxxxxxxxxxxxxxxx\nlast".to_vec();
        let mut input = BufReader::with_capacity(4, &data[..]);
        let mut line = Vec::new();
        assert!(matches!(read_line(&mut input, &mut line, 10).await.unwrap(), Line::Complete));
        assert_eq!(line, b"short");
        line.clear();
        assert!(matches!(read_line(&mut input, &mut line, 10).await.unwrap(), Line::TooLong));
        line.clear();
        assert!(matches!(read_line(&mut input, &mut line, 10).await.unwrap(), Line::Complete));
        assert_eq!(line, b"last");
        line.clear();
        assert!(matches!(read_line(&mut input, &mut line, 10).await.unwrap(), Line::End));
    }
}
