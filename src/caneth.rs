//! A Waveshare gateway client with the Python `caneth` client's API in Rust terms: observers of
//! every frame ([`Client::on_frame`]), callbacks on an id and the first data bytes
//! ([`Client::register`]), awaiting the next matching frame ([`Client::wait_for`]),
//! [`Client::send`], [`Client::wait_connected`] and [`Client::close`]; reconnects as the
//! `waveshare` bus does ([`crate::bus::waveshare`]), which it is built on, shared through a
//! [`Hub`] so that other subscribers (a recorder, a server) can use the same connection.
//!
//! ```no_run
//! use std::time::Duration;
//! use cankit::caneth::{Client, ClientOptions};
//!
//! # #[tokio::main] async fn main() -> anyhow::Result<()> {
//! let client = Client::connect("192.168.0.7", 20001, ClientOptions::default()).await?;
//! client.on_frame(|f| println!("[RX] {f:?}"));
//! client.register(0x123, Some(0x01), Some(0x02), |f| println!("[MATCH] {f:?}"))?;
//! client.send(0x123, &[1, 2, 3, 4], None, false).await?;
//! let reply = client.wait_for(0x7E8, Some(0x10), None, Some(Duration::from_secs(5))).await?;
//! println!("{reply:?}");
//! client.close();
//! # Ok(()) }
//! ```
//!
//! Callbacks run one after the other on the client's receiving task: keep them short (or spawn
//! your own tasks), as the Python client advises.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::bus::hub::{Hub, SubscribeOptions};
use crate::bus::waveshare::{Backoff, Settings, WaveshareBus};
use crate::bus::{Bus, BusConfig, BusError, BusEvent};
use crate::frame::{Frame, MAX_STANDARD_ID};

/// How to reach the gateway and stay connected.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientOptions {
    /// How long [`Client::connect`] keeps trying.
    pub connect_timeout: Duration,
    pub backoff: Backoff,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions { connect_timeout: Duration::from_secs(10), backoff: Backoff::default() }
    }
}

/// What [`Client`] calls.
pub type Callback = Box<dyn Fn(&Frame) + Send + Sync>;

/// An id and optionally the first one or two data bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Match {
    pub id: u32,
    pub d0: Option<u8>,
    pub d1: Option<u8>,
}

impl Match {
    /// `d1` needs `d0`, as in the Python client.
    pub fn new(id: u32, d0: Option<u8>, d1: Option<u8>) -> Result<Match, ClientError> {
        if d1.is_some() && d0.is_none() {
            return Err(ClientError::D1WithoutD0);
        }
        Ok(Match { id, d0, d1 })
    }

    pub fn matches(&self, f: &Frame) -> bool {
        let data = f.data();
        f.id() == self.id
            && self.d0.is_none_or(|b| data.first() == Some(&b))
            && self.d1.is_none_or(|b| data.get(1) == Some(&b))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("d1 given without d0: give the first byte to match the second")]
    D1WithoutD0,
    #[error("no matching frame within {0:?}")]
    Timeout(Duration),
    #[error("the client is closed")]
    Closed,
    #[error(transparent)]
    Bus(#[from] BusError),
}

#[derive(Default)]
struct Registry {
    observers: Vec<Callback>,
    callbacks: Vec<(Match, Callback)>,
    waiters: Vec<(Match, tokio::sync::oneshot::Sender<Frame>)>,
}

/// A connected gateway client. See the module docs.
pub struct Client {
    hub: Arc<Hub>,
    registry: Arc<Mutex<Registry>>,
    link: tokio::sync::watch::Receiver<bool>,
    peer: String,
    dispatch: tokio::task::JoinHandle<()>,
}

impl Client {
    /// Connect to the gateway's channel at `host:port`, trying for `options.connect_timeout`.
    pub async fn connect(host: &str, port: u16, options: ClientOptions) -> Result<Client, ClientError> {
        let mut config = BusConfig::new("waveshare", None);
        config.options.insert("host".into(), host.to_string());
        config.options.insert("port".into(), port.to_string());
        let settings = Settings {
            connect_timeout: options.connect_timeout,
            backoff: options.backoff,
            ..Settings::from_config(&config)?
        };
        let backend = WaveshareBus::open_with(settings)?;
        let link = backend.link();
        let peer = backend.settings().peer();
        let hub = Arc::new(Hub::new(Bus::with_backend(Box::new(backend))));
        let registry = Arc::new(Mutex::new(Registry::default()));
        let mut sub = hub.subscribe(SubscribeOptions { capacity: 65536, ..Default::default() });
        let dispatch = {
            let registry = Arc::clone(&registry);
            tokio::spawn(async move {
                while let Ok(event) = sub.recv().await {
                    let BusEvent::Frame(f) = event else { continue };
                    let mut r = registry.lock().unwrap_or_else(|e| e.into_inner());
                    for observe in &r.observers {
                        observe(&f);
                    }
                    for (m, call) in &r.callbacks {
                        if m.matches(&f) {
                            call(&f);
                        }
                    }
                    let waiters = std::mem::take(&mut r.waiters);
                    for (m, tx) in waiters {
                        if tx.is_closed() {
                            continue;
                        }
                        if m.matches(&f) {
                            let _ = tx.send(f);
                        } else {
                            r.waiters.push((m, tx));
                        }
                    }
                }
            })
        };
        Ok(Client { hub, registry, link, peer, dispatch })
    }

    /// `host:port` of the gateway.
    pub fn peer(&self) -> &str {
        &self.peer
    }

    /// The hub the client shares its connection through: subscribe to it for every event
    /// (link notices included), or hand it to a recorder or a server.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// Call `f` with every frame received.
    pub fn on_frame(&self, f: impl Fn(&Frame) + Send + Sync + 'static) {
        self.registry.lock().unwrap_or_else(|e| e.into_inner()).observers.push(Box::new(f));
    }

    /// Call `f` with every frame with this id whose first bytes are `d0` and `d1` (when given).
    pub fn register(
        &self,
        id: u32,
        d0: Option<u8>,
        d1: Option<u8>,
        f: impl Fn(&Frame) + Send + Sync + 'static,
    ) -> Result<(), ClientError> {
        let m = Match::new(id, d0, d1)?;
        self.registry.lock().unwrap_or_else(|e| e.into_inner()).callbacks.push((m, Box::new(f)));
        Ok(())
    }

    /// Remove the callbacks registered for exactly this id and bytes; how many went.
    pub fn unregister(&self, id: u32, d0: Option<u8>, d1: Option<u8>) -> usize {
        let want = Match { id, d0, d1 };
        let mut r = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        let before = r.callbacks.len();
        r.callbacks.retain(|(m, _)| *m != want);
        before - r.callbacks.len()
    }

    /// The next frame that matches (received after this call), within `timeout` if given.
    pub async fn wait_for(
        &self,
        id: u32,
        d0: Option<u8>,
        d1: Option<u8>,
        timeout: Option<Duration>,
    ) -> Result<Frame, ClientError> {
        let m = Match::new(id, d0, d1)?;
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.registry.lock().unwrap_or_else(|e| e.into_inner()).waiters.push((m, tx));
        let got = match timeout {
            Some(t) => tokio::time::timeout(t, rx).await.map_err(|_| ClientError::Timeout(t))?,
            None => rx.await,
        };
        got.map_err(|_| ClientError::Closed)
    }

    /// Send a frame: `extended` `None` chooses extended above 0x7FF; `rtr` asks for
    /// `data.len()` bytes. Resolves when written to the gateway (waiting while it reconnects).
    pub async fn send(
        &self,
        id: u32,
        data: &[u8],
        extended: Option<bool>,
        rtr: bool,
    ) -> Result<(), ClientError> {
        let extended = extended.unwrap_or(id > MAX_STANDARD_ID);
        let frame = if rtr {
            Frame::new_remote(id, extended, data.len().min(u8::MAX as usize) as u8)
        } else {
            Frame::new_data(id, extended, data)
        }
        .map_err(|e| BusError::Unsupported { interface: "waveshare".into(), message: e.to_string() })?;
        self.send_frame(&frame).await
    }

    pub async fn send_frame(&self, frame: &Frame) -> Result<(), ClientError> {
        Ok(self.hub.send(frame).await?)
    }

    /// Whether the link is up now.
    pub fn is_connected(&self) -> bool {
        *self.link.borrow()
    }

    /// Wait until the link is up (at once if it is), within `timeout` if given.
    pub async fn wait_connected(&self, timeout: Option<Duration>) -> Result<(), ClientError> {
        let mut link = self.link.clone();
        let up = link.wait_for(|up| *up);
        match timeout {
            Some(t) => tokio::time::timeout(t, up).await.map_err(|_| ClientError::Timeout(t))?,
            None => up.await,
        }
        .map(|_| ())
        .map_err(|_| ClientError::Closed)
    }

    /// Stop: the connection is closed, waiters get [`ClientError::Closed`].
    pub fn close(self) {
        drop(self);
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.dispatch.abort();
        self.registry.lock().unwrap_or_else(|e| e.into_inner()).waiters.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn record(id: u32, data: &[u8]) -> [u8; 13] {
        let mut r = [0u8; 13];
        crate::net::waveshare::encode(&Frame::new_data(id, id > 0x7FF, data).unwrap(), &mut r).unwrap();
        r
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_seed_api_observers_callbacks_wait_for_and_send() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let device = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_millis(200)).await;
            let mut batch = Vec::new();
            for r in [
                record(0x100, &[1]),
                record(0x123, &[1, 2, 3]),
                record(0x123, &[1, 3]),
                record(0x7E8, &[0x10]),
            ] {
                batch.extend_from_slice(&r);
            }
            s.write_all(&batch).await.unwrap();
            let mut got = [0u8; 13];
            s.read_exact(&mut got).await.unwrap();
            got
        });
        let client = Client::connect("127.0.0.1", port, ClientOptions::default()).await.unwrap();
        assert!(client.is_connected());
        client.wait_connected(Some(Duration::from_secs(1))).await.unwrap();
        let all = Arc::new(AtomicUsize::new(0));
        let matched = Arc::new(AtomicUsize::new(0));
        {
            let all = Arc::clone(&all);
            client.on_frame(move |_| {
                all.fetch_add(1, Ordering::SeqCst);
            });
            let matched = Arc::clone(&matched);
            client
                .register(0x123, Some(1), Some(2), move |f| {
                    assert_eq!(f.data(), [1, 2, 3]);
                    matched.fetch_add(1, Ordering::SeqCst);
                })
                .unwrap();
        }
        assert!(matches!(client.register(1, None, Some(2), |_| {}), Err(ClientError::D1WithoutD0)));
        let f = client.wait_for(0x7E8, Some(0x10), None, Some(Duration::from_secs(5))).await.unwrap();
        assert_eq!(f.data(), [0x10]);
        assert_eq!((all.load(Ordering::SeqCst), matched.load(Ordering::SeqCst)), (4, 1));
        let timeout = client.wait_for(0x555, None, None, Some(Duration::from_millis(50))).await;
        assert!(matches!(timeout, Err(ClientError::Timeout(_))));
        client.send(0x12345678, &[0xDE, 0xAD], None, false).await.unwrap();
        let sent = device.await.unwrap();
        assert_eq!(sent[..7], [0x82, 0x12, 0x34, 0x56, 0x78, 0xDE, 0xAD]);
        client.close();
    }
}
