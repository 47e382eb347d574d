//! The Waveshare gateway's side of its TCP protocol: each listener is one CAN channel of a
//! 2-CH-CAN-TO-ETH (port 20001 CAN1, 20002 CAN2) bridged to one served bus, and each client a
//! stream of 13-byte records both ways ([`crate::net::waveshare`]). This is `caneth simulate`,
//! and `canserver --waveshare-port` offers any bus to the gateway's clients the same way.
//!
//! As on the device, a client's frames go onto the bus and are not echoed back to it; other
//! clients of the channel hear them, as other nodes on a bus would. Frames are written as they
//! come, and whatever is queued when the socket takes more goes in one write: under load several
//! records share a TCP segment, as the device batches them. What the format cannot carry (CAN FD,
//! error frames, bus-state events) is not sent, and counted. Records a client sends that are not
//! frames are logged with their byte offset and skipped; nothing a client sends ends the session.
//! `drop_every` closes each connection that long after it was made, for testing reconnects.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpStream;
use tokio::time::Instant;

use super::{fell_behind, lost, Outbox, ServedBus, Shared};
use crate::bus::BusEvent;
use crate::frame::Timestamp;
use crate::net::waveshare::{encode, Decoder, RECORD};

/// One channel: where it listens, which served bus it bridges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaveshareChannel {
    pub listen: SocketAddr,
    /// Index into the served buses.
    pub bus: usize,
}

/// How many of each kind of trouble a session describes in the log; more are only counted.
const DESCRIBED: u64 = 5;
/// Events taken from the hub per turn, written together.
const EVENTS_PER_TURN: usize = 256;

/// Serve one client of a channel until it leaves, the shutdown, or `drop_every`.
pub(crate) async fn session(
    shared: Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
    refuse: bool,
    bus: ServedBus,
) {
    if refuse {
        // The format has no way to say why; the refusal is logged by the acceptor.
        return;
    }
    let name = bus.names.first().cloned().unwrap_or_default();
    shared.log(format!("{peer}: Waveshare client connected to {name}"));
    let mut sub = shared.subscribe(&bus);
    let mut outbox = Outbox::new(shared.options.queue);
    let mut decoder = Decoder::new();
    let mut decoded = Vec::new();
    let mut buf = vec![0u8; 8192];
    let mut record = [0u8; RECORD];
    let (mut frames_in, mut frames_out, mut bad, mut unsendable, mut refused) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut slow_logged = false;
    let mut end: Option<String> = None;
    let drop_at = shared.options.drop_every.map(|d| Instant::now() + d);
    let stop = shared.shutdown.triggered();
    tokio::pin!(stop);
    while end.is_none() {
        tokio::select! {
            biased;
            _ = &mut stop => end = Some("server shutting down".into()),
            _ = sleep_until(drop_at) => {
                end = Some(format!("dropped after {} s (--drop-every)", shared.options.drop_every.unwrap_or_default().as_secs_f64()));
            }
            r = stream.readable() => {
                if r.is_err() {
                    end = Some("connection failed".into());
                    continue;
                }
                let n = match stream.try_read(&mut buf) {
                    Ok(0) => {
                        end = Some(match decoder.pending() {
                            0 => "closed the connection".into(),
                            k => format!("closed the connection in the middle of a record ({k} of 13 bytes)"),
                        });
                        continue;
                    }
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
                    Err(e) => {
                        end = Some(format!("connection lost: {e}"));
                        continue;
                    }
                };
                decoder.push(&buf[..n], Timestamp::now(), &mut decoded);
                for result in decoded.drain(..) {
                    match result {
                        Ok(_) if shared.options.read_only => {
                            refused += 1;
                            if refused == 1 {
                                shared.log(format!("{peer}: read-only server: frames from this client are not sent"));
                            }
                        }
                        Ok(frame) => match sub.send(&frame).await {
                            Ok(()) => frames_in += 1,
                            Err(e) => {
                                end = Some(format!("the bus failed: {e}"));
                                break;
                            }
                        },
                        Err(e) => {
                            bad += 1;
                            if bad <= DESCRIBED {
                                shared.log(format!("{peer}: skipped a {e}"));
                            }
                        }
                    }
                }
            }
            event = sub.recv() => {
                let mut event = Some(event);
                let mut taken = 0;
                while let Some(e) = event.take() {
                    match e {
                        Ok(BusEvent::Frame(f)) => match encode(&f, &mut record) {
                            Ok(()) => {
                                frames_out += 1;
                                if outbox.push(&record) {
                                    fell_behind(&shared, &peer, &mut slow_logged, &mut end);
                                }
                            }
                            Err(why) => {
                                unsendable += 1;
                                if unsendable <= DESCRIBED {
                                    shared.log(format!("{peer}: a frame was not sent to this client: {why}"));
                                }
                            }
                        },
                        Ok(BusEvent::Dropped { .. }) if sub.dropped() > 0 => {
                            fell_behind(&shared, &peer, &mut slow_logged, &mut end);
                        }
                        Ok(_) => {}
                        Err(e) => {
                            end = Some(format!("the bus stopped: {e}"));
                            break;
                        }
                    }
                    taken += 1;
                    if taken < EVENTS_PER_TURN {
                        event = sub.try_recv().transpose();
                    }
                }
                if let Err(e) = outbox.write_to(&stream) {
                    end.get_or_insert(format!("connection lost: {e}"));
                }
            }
            r = stream.writable(), if !outbox.is_empty() => {
                if r.is_err() {
                    end = Some("connection failed".into());
                } else if let Err(e) = outbox.write_to(&stream) {
                    end = Some(format!("connection lost: {e}"));
                }
            }
        }
    }
    outbox.drain(&stream, Duration::from_secs(1)).await;
    let mut also = String::new();
    if bad > 0 {
        also += &format!(", {bad} bad records skipped");
    }
    if unsendable > 0 {
        also += &format!(", {unsendable} frames the format cannot carry not sent");
    }
    if refused > 0 {
        also += &format!(", {refused} frames refused (read-only)");
    }
    shared.log(format!(
        "{peer}: Waveshare client disconnected ({}): {frames_in} frames from it, {frames_out} to it{also}{}",
        end.unwrap_or_default(),
        lost(outbox.dropped, sub.dropped())
    ));
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
