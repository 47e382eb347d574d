//! The WebSocket protocol of `python-can-remote` (PyPI `python-can-remote`, module `can_remote`):
//! JSON events `{"type": …, "payload": …}` in text messages, and with the `can.binary+json.v1`
//! subprotocol CAN messages as compact binary messages. Notes: `specs/python-can-remote.md`,
//! part B. The WebSocket layer itself is tokio-tungstenite's.

use serde_json::{json, Map, Value};

use crate::frame::{fd_len_to_dlc, Frame, Timestamp};

/// The subprotocols, in the order a server prefers them.
pub const BINARY_JSON: &str = "can.binary+json.v1";
pub const JSON: &str = "can.json.v1";

/// One event of the protocol.
#[derive(Clone, Debug, PartialEq)]
pub enum WsEvent {
    BusRequest(Map<String, Value>),
    BusResponse(String),
    Message(Frame),
    PeriodicStart { period: f64, duration: Option<f64>, frame: Frame },
    PeriodicStop(u32),
    Error(String),
}

/// A python-can `Message` object as JSON.
pub fn message_json(frame: &Frame, with_timestamp: bool) -> Value {
    let mut m = Map::new();
    if with_timestamp {
        m.insert("timestamp".into(), json!(frame.timestamp.as_secs_f64()));
    }
    m.insert("arbitration_id".into(), json!(frame.id()));
    m.insert("is_extended_id".into(), json!(frame.is_extended()));
    m.insert("is_remote_frame".into(), json!(frame.is_remote()));
    m.insert("is_error_frame".into(), json!(frame.is_error()));
    let dlc = if frame.is_remote() { frame.len() } else { frame.data().len() };
    m.insert("dlc".into(), json!(dlc));
    m.insert("data".into(), json!(if frame.is_remote() { &[][..] } else { frame.data() }));
    if frame.is_fd() || !with_timestamp {
        m.insert("is_fd".into(), json!(frame.is_fd()));
        m.insert("bitrate_switch".into(), json!(frame.brs()));
    }
    if frame.is_fd() {
        m.insert("error_state_indicator".into(), json!(frame.esi()));
    }
    Value::Object(m)
}

/// A frame from a python-can `Message` object; missing keys take python-can's defaults
/// (`is_extended_id` true, no data).
pub fn frame_from_json(v: &Value) -> Result<Frame, String> {
    let m = v.as_object().ok_or("a message must be a JSON object")?;
    const KNOWN: &[&str] = &[
        "timestamp",
        "arbitration_id",
        "is_extended_id",
        "is_remote_frame",
        "is_error_frame",
        "channel",
        "dlc",
        "data",
        "is_fd",
        "is_rx",
        "bitrate_switch",
        "error_state_indicator",
        "check",
    ];
    if let Some(k) = m.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(format!("unexpected message key '{k}'"));
    }
    let flag = |k: &str, default: bool| -> Result<bool, String> {
        match m.get(k) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Number(n)) => Ok(n.as_f64() != Some(0.0)),
            Some(_) => Err(format!("'{k}' must be true or false")),
        }
    };
    let id = match m.get("arbitration_id") {
        None => 0,
        Some(v) => v.as_u64().filter(|&n| n <= 0x1FFF_FFFF).ok_or("'arbitration_id' must be an id")? as u32,
    };
    let extended = flag("is_extended_id", true)?;
    let remote = flag("is_remote_frame", false)?;
    let error = flag("is_error_frame", false)?;
    let fd = flag("is_fd", false)?;
    let data: Vec<u8> = match m.get("data") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|b| b.as_u64().filter(|&n| n <= 255).map(|n| n as u8).ok_or("data bytes must be 0..255"))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("'data' must be a list of bytes".into()),
    };
    let dlc = match m.get("dlc") {
        None | Some(Value::Null) => data.len(),
        Some(v) => v.as_u64().filter(|&n| n <= 64).ok_or("'dlc' must be 0..64")? as usize,
    };
    let frame = if error {
        let mut d = [0u8; 8];
        for (s, b) in d.iter_mut().zip(&data) {
            *s = *b;
        }
        Frame::new_error(id, d)
    } else if remote {
        Frame::new_remote(id, extended, dlc.min(8) as u8)
    } else if fd {
        if fd_len_to_dlc(data.len()).is_none() {
            return Err(format!("{} bytes is not a CAN FD length", data.len()));
        }
        Frame::new_fd(
            id,
            extended,
            &data,
            flag("bitrate_switch", false)?,
            flag("error_state_indicator", false)?,
        )
    } else {
        Frame::new_data(id, extended, &data[..data.len().min(dlc.max(data.len().min(8)))])
    }
    .map_err(|e| e.to_string())?;
    let ts = m.get("timestamp").and_then(Value::as_f64).filter(|t| t.is_finite() && t.abs() < 1e12);
    Ok(frame.with_timestamp(ts.map(Timestamp::from_secs_f64).unwrap_or(Timestamp::ZERO)))
}

/// The JSON text of an event.
pub fn event_json(event: &WsEvent) -> String {
    let (kind, payload) = match event {
        WsEvent::BusRequest(config) => ("bus_request", json!({ "config": config })),
        WsEvent::BusResponse(info) => ("bus_response", json!({ "channel_info": info })),
        WsEvent::Message(f) => ("message", message_json(f, true)),
        WsEvent::PeriodicStart { period, duration, frame } => (
            "periodic_start",
            json!({ "period": period, "duration": duration, "msg": message_json(frame, false) }),
        ),
        WsEvent::PeriodicStop(id) => ("periodic_stop", json!(id)),
        WsEvent::Error(text) => ("error", json!(text)),
    };
    json!({ "type": kind, "payload": payload }).to_string()
}

/// An event from a text message.
pub fn parse_event(text: &str) -> Result<WsEvent, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let m = v.as_object().ok_or("an event must be a JSON object")?;
    let kind = m.get("type").and_then(Value::as_str).ok_or("an event needs a \"type\"")?;
    let payload = m.get("payload").unwrap_or(&Value::Null);
    match kind {
        "bus_request" => {
            let config = payload.get("config").and_then(Value::as_object).cloned().unwrap_or_default();
            Ok(WsEvent::BusRequest(config))
        }
        "bus_response" => Ok(WsEvent::BusResponse(
            payload.get("channel_info").and_then(Value::as_str).unwrap_or_default().to_string(),
        )),
        "message" => Ok(WsEvent::Message(frame_from_json(payload)?)),
        "periodic_start" => {
            let period =
                payload.get("period").and_then(Value::as_f64).ok_or("periodic_start needs a period")?;
            if !(period.is_finite() && period > 0.0 && period < 1e6) {
                return Err(format!("period {period} is not a positive number of seconds"));
            }
            let duration =
                payload.get("duration").and_then(Value::as_f64).filter(|d| d.is_finite() && *d > 0.0);
            let frame = frame_from_json(payload.get("msg").ok_or("periodic_start needs a msg")?)?;
            Ok(WsEvent::PeriodicStart { period, duration, frame })
        }
        "periodic_stop" => {
            let id = payload
                .as_u64()
                .filter(|&n| n <= 0x1FFF_FFFF)
                .ok_or("periodic_stop needs an arbitration id")?;
            Ok(WsEvent::PeriodicStop(id as u32))
        }
        "error" => {
            Ok(WsEvent::Error(payload.as_str().map(str::to_string).unwrap_or_else(|| payload.to_string())))
        }
        other => Err(format!("unknown event type '{other}'")),
    }
}

/// A CAN message as a binary message (`can.binary+json.v1`).
pub fn encode_binary(out: &mut Vec<u8>, frame: &Frame) {
    out.push(1);
    out.extend_from_slice(&frame.timestamp.as_secs_f64().to_be_bytes());
    out.extend_from_slice(&frame.id().to_be_bytes());
    let data: &[u8] = if frame.is_remote() { &[] } else { frame.data() };
    let dlc = if frame.is_remote() { frame.len() } else { data.len() };
    out.push(dlc as u8);
    let flags = u8::from(frame.is_extended())
        | (u8::from(frame.is_remote()) << 1)
        | (u8::from(frame.is_error()) << 2)
        | (u8::from(frame.is_fd()) << 3)
        | (u8::from(frame.brs()) << 4)
        | (u8::from(frame.esi()) << 5);
    out.push(flags);
    out.extend_from_slice(data);
}

/// A frame from a binary message; `Ok(None)` for message types other than 1 (ignored, as the
/// python receiver ignores them).
pub fn decode_binary(bytes: &[u8]) -> Result<Option<Frame>, String> {
    let Some((&kind, _)) = bytes.split_first() else { return Err("empty binary message".into()) };
    if kind != 1 {
        return Ok(None);
    }
    if bytes.len() < 15 {
        return Err(format!("binary message of {} bytes, at least 15 expected", bytes.len()));
    }
    let ts = f64::from_be_bytes(bytes[1..9].try_into().expect("8 bytes"));
    let id = u32::from_be_bytes(bytes[9..13].try_into().expect("4 bytes"));
    let dlc = bytes[13];
    let flags = bytes[14];
    let data = &bytes[15..];
    let extended = flags & 0x01 != 0;
    let frame = if flags & 0x04 != 0 {
        let mut d = [0u8; 8];
        for (s, b) in d.iter_mut().zip(data) {
            *s = *b;
        }
        Frame::new_error(id & 0x1FFF_FFFF, d)
    } else if flags & 0x02 != 0 {
        Frame::new_remote(id, extended, dlc.min(8))
    } else if flags & 0x08 != 0 {
        if fd_len_to_dlc(data.len()).is_none() {
            return Err(format!("{} bytes is not a CAN FD length", data.len()));
        }
        Frame::new_fd(id, extended, data, flags & 0x10 != 0, flags & 0x20 != 0)
    } else {
        Frame::new_data(id, extended, data)
    }
    .map_err(|e| e.to_string())?;
    let ts = if ts.is_finite() && ts.abs() < 1e12 { Timestamp::from_secs_f64(ts) } else { Timestamp::ZERO };
    Ok(Some(frame.with_timestamp(ts)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_messages_match_the_specs_example() {
        let f = Frame::new_data(0x123, false, &[1, 2, 3]).unwrap();
        let mut out = Vec::new();
        encode_binary(&mut out, &f);
        assert_eq!(out, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x23, 3, 0, 1, 2, 3]);
        assert_eq!(decode_binary(&out).unwrap(), Some(f));
        let fd = Frame::new_fd(0x1234567, true, &[9; 12], true, false).unwrap();
        out.clear();
        encode_binary(&mut out, &fd);
        assert_eq!(decode_binary(&out).unwrap(), Some(fd));
        assert_eq!(decode_binary(&[2, 0]).unwrap(), None);
        assert!(decode_binary(&[1, 0]).is_err());
    }

    #[test]
    fn json_events_round_trip_and_python_defaults_apply() {
        let f =
            Frame::new_data(291, false, &[1, 2, 3]).unwrap().with_timestamp(Timestamp::from_secs_f64(1.25));
        for e in [
            WsEvent::Message(f),
            WsEvent::BusResponse("Virtual bus channel 0".into()),
            WsEvent::PeriodicStop(5),
            WsEvent::Error("boom".into()),
            WsEvent::PeriodicStart { period: 0.1, duration: None, frame: f.with_timestamp(Timestamp::ZERO) },
        ] {
            assert_eq!(parse_event(&event_json(&e)).unwrap(), e);
        }
        let e = parse_event(r#"{"type":"message","payload":{"arbitration_id":5,"data":[1]}}"#).unwrap();
        assert!(matches!(e, WsEvent::Message(f) if f.is_extended() && f.id() == 5));
        assert!(parse_event(r#"{"type":"message","payload":{"bogus":1}}"#).is_err());
        assert!(parse_event("[1]").is_err());
        assert!(parse_event(r#"{"type":"nope"}"#).is_err());
        let r = parse_event(r#"{"type":"bus_request","payload":{"config":{"bitrate":500000}}}"#).unwrap();
        assert!(matches!(r, WsEvent::BusRequest(c) if c["bitrate"] == 500000));
    }
}
