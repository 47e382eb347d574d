//! The CAN-to-HTTP adaptor, exactly the seed's API: `GET /` without a query string is a
//! `text/event-stream` of every frame of every served bus (one data-only JSON event per frame)
//! and of bus-health events; `GET /?id=123&data=[255,128,5]` sends a frame and answers
//! `204 No Content`; a query with missing or invalid parameters answers `400 Bad Request`; other
//! errors are `200` with a JSON API body (`{"errors":[{"detail":"…"}]}`).
//!
//! `GET /ui` is a live page on the same API (the stream stays at `/`): the latest frame per id
//! with count and rate, a log that can be paused, bus-health banners, and a form that sends.
//!
//! Beyond the seed, on parameters and lines its clients never send or read: `bus=N` sends on
//! another bus (0 by default), `ext=1` takes a 29-bit id, `fd=1` a CAN FD frame of up to 64 bytes
//! (`brs=1` with the bit-rate switch); the stream carries `: keep-alive` comments every 15 s when
//! idle, and a `Last-Event-ID` header is ignored (events have no ids). Each stream is a client:
//! it counts against `--max-clients` and has its own queue (a hub subscription per bus, of
//! `--queue` frames at least); a client that does not keep up loses the oldest frames and is told with
//! the seed's overflow event.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

use super::{ClientSlot, Shared};
use crate::bus::hub::Subscription;
use crate::bus::{BusEvent, BusState};
use crate::frame::{fd_len_to_dlc, Frame, Timestamp, MAX_EXTENDED_ID, MAX_STANDARD_ID};

/// How often an idle stream gets a comment line, so that proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Serve HTTP on `listener` until the shutdown.
pub(crate) async fn serve(shared: Arc<Shared>, listener: TcpListener) {
    let stop = shared.shutdown.clone();
    let app = Router::new().route("/", get(root)).route("/ui", get(ui)).with_state(Arc::clone(&shared));
    let served = axum::serve(listener, app).with_graceful_shutdown(async move { stop.triggered().await });
    if let Err(e) = served.await {
        shared.log(format!("HTTP server failed: {e}"));
    }
}

/// The live page: one self-contained file in the binary (no CDN), built on the same API.
const UI: &str = include_str!("ui.html");

async fn ui() -> Response {
    let mut response = UI.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn cors(mut response: Response) -> Response {
    response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

async fn root(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    match query.as_deref() {
        None | Some("") => stream(shared),
        Some(q) => send(&shared, q).await,
    }
}

/// What a send request asks for.
#[derive(Debug, PartialEq)]
pub(crate) struct SendRequest {
    pub bus: usize,
    pub frame: Frame,
}

/// Parse a send request's query string; `Err` is a reason for `400 Bad Request`.
pub(crate) fn parse_query(query: &str, buses: usize) -> Result<SendRequest, String> {
    let mut id: Option<u32> = None;
    let mut data: Option<Vec<u8>> = None;
    let mut bus = 0usize;
    let (mut ext, mut fd, mut brs) = (false, false, false);
    let mut seen = Vec::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if seen.contains(&key) {
            return Err(format!("'{key}' given twice"));
        }
        seen.push(key.clone());
        let flag = |v: &str| match v {
            "1" | "true" => Ok(true),
            "0" | "false" => Ok(false),
            _ => Err(format!("'{key}' must be 0 or 1, not '{v}'")),
        };
        match key.as_ref() {
            "id" => {
                let v = value.trim();
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) || v.len() > 10 {
                    return Err(format!("id '{value}' is not a base-10 number"));
                }
                id = Some(v.parse().map_err(|_| format!("id '{value}' is too large"))?);
            }
            "data" => data = Some(parse_data(&value)?),
            "bus" => {
                bus = value.trim().parse().map_err(|_| format!("bus '{value}' is not a bus index"))?;
                if bus >= buses {
                    return Err(format!("bus {bus}: only buses 0 to {} are served", buses - 1));
                }
            }
            "ext" => ext = flag(&value)?,
            "fd" => fd = flag(&value)?,
            "brs" => brs = flag(&value)?,
            other => return Err(format!("unknown parameter '{other}'")),
        }
    }
    let id = id.ok_or("the id parameter is missing")?;
    let max = if ext { MAX_EXTENDED_ID } else { MAX_STANDARD_ID };
    if id > max {
        return Err(format!("id {id} is above {max}"));
    }
    let data = data.unwrap_or_default();
    let frame = if fd {
        if fd_len_to_dlc(data.len()).is_none() {
            return Err(format!(
                "{} data bytes is not a CAN FD length (0-8, 12, 16, 20, 24, 32, 48, 64)",
                data.len()
            ));
        }
        Frame::new_fd(id, ext, &data, brs, false)
    } else {
        if data.len() > 8 {
            return Err(format!("{} data bytes; at most 8 (fd=1 for CAN FD)", data.len()));
        }
        if brs {
            return Err("brs=1 needs fd=1".into());
        }
        Frame::new_data(id, ext, &data)
    }
    .map_err(|e| e.to_string())?;
    Ok(SendRequest { bus, frame })
}

/// A JSON array of bytes in base 10: `[255,128,5]`, `[]`.
fn parse_data(text: &str) -> Result<Vec<u8>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| format!("data '{text}' is not a JSON array"))?;
    let items = value.as_array().ok_or_else(|| format!("data '{text}' is not a JSON array"))?;
    if items.len() > 64 {
        return Err(format!("{} data bytes; at most 64", items.len()));
    }
    items
        .iter()
        .map(|b| {
            b.as_u64()
                .filter(|&n| n <= 255)
                .map(|n| n as u8)
                .ok_or_else(|| format!("data byte {b} is not 0 to 255"))
        })
        .collect()
}

fn json_error(detail: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "detail": detail }] }).to_string();
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/vnd.api+json"));
    cors(response)
}

async fn send(shared: &Shared, query: &str) -> Response {
    let request = match parse_query(query, shared.buses.len()) {
        Ok(r) => r,
        Err(why) => {
            let mut response = (StatusCode::BAD_REQUEST, why).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
            return cors(response);
        }
    };
    if shared.options.read_only {
        return json_error("read-only server: the frame was not sent");
    }
    let bus = &shared.buses[request.bus];
    if let Err(e) = bus.hub.send(&request.frame).await {
        return json_error(&format!("Message not sent on bus {}: {e}", request.bus));
    }
    // The seed's example: the frame went out, but a bus is in trouble.
    let off = shared.buses.iter().position(|b| b.hub.state() == BusState::BusOff);
    if let Some(n) = off {
        return json_error(&format!(
            "Message sent on bus {}, but bus {n} is in the bus-off state",
            request.bus
        ));
    }
    cors(StatusCode::NO_CONTENT.into_response())
}

/// The seed's frame event: `data:{"bus": 0, "id": 123, "data":[255,128,5], "ts":"2015-12-21T10:36:30.123Z"}`.
pub(crate) fn frame_event(out: &mut String, bus: usize, frame: &Frame) {
    let _ = write!(out, "data:{{\"bus\": {bus}, \"id\": {}, \"data\":[", frame.id());
    for (i, b) in frame.data().iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{b}");
    }
    out.push_str("], \"ts\":\"");
    iso_millis(out, frame.timestamp);
    out.push_str("\"}\n\n");
}

/// `2015-12-21T10:36:30.123Z`.
fn iso_millis(out: &mut String, t: Timestamp) {
    let t = if t == Timestamp::ZERO { Timestamp::now() } else { t };
    let secs = t.secs();
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = crate::log::time::civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        t.subsec_nanos() / 1_000_000
    );
}

/// The seed's bus-health events, once per change.
fn state_event(out: &mut String, bus: usize, state: BusState) {
    let _ = match state {
        BusState::BusOff => write!(out, "event: error\ndata: Bus {bus} is in the bus-off state\n\n"),
        BusState::ErrorWarning => write!(out, "event: warning\ndata: Bus {bus} is in the warning state\n\n"),
        BusState::ErrorPassive => {
            write!(out, "event: warning\ndata: Bus {bus} is in the error-passive state\n\n")
        }
        BusState::ErrorActive => write!(out, "event: notice\ndata: Bus {bus} is now in a normal state\n\n"),
    };
}

/// Events formatted into one chunk of the stream at most (per bus), so a burst becomes a few
/// large writes rather than one per frame.
const EVENTS_PER_CHUNK: usize = 256;

/// One bus of a stream: its subscription and the health last reported from it.
struct Feed {
    index: usize,
    sub: Subscription,
    reported: BusState,
}

impl Feed {
    /// Append `event` to `out` as the stream carries it (nothing for what the stream leaves out).
    fn format(&mut self, event: &BusEvent, out: &mut String) {
        let state = match event {
            BusEvent::State(s) => Some(*s),
            BusEvent::Frame(f) if f.is_error() => crate::error_frame::bus_state(f),
            _ => None,
        };
        if let Some(s) = state.filter(|s| *s != self.reported) {
            self.reported = s;
            state_event(out, self.index, s);
        }
        match event {
            BusEvent::Frame(f) if !f.is_error() && !f.is_remote() => frame_event(out, self.index, f),
            BusEvent::Dropped { .. } => {
                let _ = write!(out, "event: error\ndata: CAN RX buffer overflow on bus {}\n\n", self.index);
            }
            _ => {}
        }
    }

    /// Format what is queued now, up to [`EVENTS_PER_CHUNK`]; `false` once the bus has stopped.
    fn drain(&mut self, out: &mut String) -> bool {
        for _ in 0..EVENTS_PER_CHUNK {
            match self.sub.try_recv() {
                Ok(Some(event)) => self.format(&event, out),
                Ok(None) => return true,
                Err(_) => return false,
            }
        }
        true
    }
}

/// A stream's state between chunks: its buses, and its client slot, held until the client goes.
struct Streaming {
    feeds: Vec<Feed>,
    /// Formatted and not yet sent (the health of unwell buses when the client connects).
    pending: String,
    /// A bus stopped: end the stream once what is formatted has gone.
    ended: bool,
    _slot: ClientSlot,
}

impl Streaming {
    /// The next chunk: what is queued now, else the next event to arrive, else a keep-alive
    /// comment after [`KEEP_ALIVE`]; `None` when the stream is over.
    ///
    /// The response body reads the subscriptions itself, so a client that does not read stops
    /// the reading: its subscriptions fill, lose their oldest frames and say so (the seed's
    /// overflow event) while the bus and the other clients go on.
    async fn next_chunk(&mut self) -> Option<String> {
        loop {
            let mut text = std::mem::take(&mut self.pending);
            for feed in &mut self.feeds {
                self.ended |= !feed.drain(&mut text);
            }
            if !text.is_empty() {
                return Some(text);
            }
            if self.ended {
                return None;
            }
            let waited = match self.feeds.as_mut_slice() {
                [] => return None,
                [feed] => tokio::time::timeout(KEEP_ALIVE, feed.sub.recv()).await.map(|e| (0, e)),
                feeds => {
                    let any =
                        futures_util::future::select_all(feeds.iter_mut().map(|f| Box::pin(f.sub.recv())));
                    tokio::time::timeout(KEEP_ALIVE, any).await.map(|(e, i, _)| (i, e))
                }
            };
            match waited {
                Err(_) => return Some(": keep-alive\n\n".to_string()),
                Ok((i, Ok(event))) => self.feeds[i].format(&event, &mut self.pending),
                Ok((_, Err(_))) => self.ended = true,
            }
        }
    }
}

fn stream(shared: Arc<Shared>) -> Response {
    let Some(slot) = ClientSlot::take(&shared) else {
        let response = json_error(&format!("too many clients, at most {}", shared.options.max_clients));
        let (mut parts, body) = response.into_parts();
        parts.status = StatusCode::SERVICE_UNAVAILABLE;
        return Response::from_parts(parts, body);
    };
    let mut pending = String::new();
    let feeds = shared
        .buses
        .iter()
        .enumerate()
        .map(|(index, bus)| {
            let sub = shared.subscribe(bus);
            let state = bus.hub.state();
            if state != BusState::ErrorActive {
                state_event(&mut pending, index, state);
            }
            Feed { index, sub, reported: state }
        })
        .collect();
    let streaming = Streaming { feeds, pending, ended: false, _slot: slot };
    let body = futures_util::stream::unfold(streaming, |mut streaming| async move {
        let chunk = streaming.next_chunk().await?;
        Some((Ok::<_, std::convert::Infallible>(chunk), streaming))
    });
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    cors(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_queries_follow_the_seed_and_its_400s() {
        let r = parse_query("id=123&data=[255,128,5]", 2).unwrap();
        assert_eq!((r.bus, r.frame.id(), r.frame.data()), (0, 123, &[255, 128, 5][..]));
        assert_eq!(parse_query("id=123", 1).unwrap().frame.len(), 0);
        assert_eq!(parse_query("id=123&data=%5B1%2C2%5D", 1).unwrap().frame.data(), &[1, 2]);
        for bad in [
            "badargument=1",
            "id=4096&data=[]",
            "id=2048",
            "id=123&data=[256]",
            "id=123&data=[0,0,0,0,0,0,0,0,0]",
            "id=123&data=1,2",
            "data=[1]",
            "id=abc",
            "id=-1",
            "id=1&id=2",
            "id=1&bus=2",
            "id=1&data[]",
        ] {
            assert!(parse_query(bad, 2).is_err(), "{bad} must be a 400");
        }
        let r = parse_query("id=123&bus=1", 2).unwrap();
        assert_eq!(r.bus, 1);
        let r = parse_query("id=536870911&ext=1", 1).unwrap();
        assert!(r.frame.is_extended());
        let r = parse_query("id=5&fd=1&brs=1&data=[1,2,3,4,5,6,7,8,9,10,11,12]", 1).unwrap();
        assert!(r.frame.is_fd() && r.frame.brs() && r.frame.len() == 12);
        assert!(parse_query("id=5&fd=1&data=[1,2,3,4,5,6,7,8,9]", 1).is_err());
    }

    #[test]
    fn events_are_the_seeds_bytes() {
        let t = Timestamp::from_parts(1_450_694_190, 123_456_789);
        let f = Frame::new_data(123, false, &[255, 128, 5]).unwrap().with_timestamp(t);
        let mut out = String::new();
        frame_event(&mut out, 0, &f);
        assert_eq!(
            out,
            "data:{\"bus\": 0, \"id\": 123, \"data\":[255,128,5], \"ts\":\"2015-12-21T10:36:30.123Z\"}\n\n"
        );
        out.clear();
        state_event(&mut out, 0, BusState::BusOff);
        state_event(&mut out, 1, BusState::ErrorWarning);
        state_event(&mut out, 1, BusState::ErrorActive);
        assert_eq!(
            out,
            "event: error\ndata: Bus 0 is in the bus-off state\n\nevent: warning\ndata: Bus 1 is in the warning state\n\nevent: notice\ndata: Bus 1 is now in a normal state\n\n"
        );
    }
}
