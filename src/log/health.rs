//! Bus health in formats that have no object for it: receive overflows (and, in BLF, bus-state
//! changes) are written as comment text in one fixed wording, which the readers turn back into
//! [`EventKind::Dropped`] and [`EventKind::BusState`] events, and which people reading the file
//! in CANoe or a text editor understand:
//!
//! * `cankit: 12 frames dropped (receive buffer overflow)`
//! * `cankit: bus state error-passive`

use super::EventKind;
use crate::bus::BusState;

const PREFIX: &str = "cankit: ";
const DROPPED: &str = " frames dropped (receive buffer overflow)";
const STATE: &str = "bus state ";

/// The comment text for a drop or bus-state event; `None` for other events.
pub(crate) fn text(kind: &EventKind) -> Option<String> {
    match kind {
        EventKind::Dropped(n) => Some(format!("{PREFIX}{n}{DROPPED}")),
        EventKind::BusState(s) => Some(format!("{PREFIX}{STATE}{s}")),
        EventKind::Marker(_) | EventKind::Comment(_) => None,
    }
}

/// The event a comment written by [`text`] stands for.
pub(crate) fn parse(comment: &str) -> Option<EventKind> {
    let rest = comment.trim().strip_prefix(PREFIX)?;
    if let Some(n) = rest.strip_suffix(DROPPED) {
        return n.parse().ok().map(EventKind::Dropped);
    }
    let state = rest.strip_prefix(STATE)?;
    [BusState::ErrorActive, BusState::ErrorWarning, BusState::ErrorPassive, BusState::BusOff]
        .into_iter()
        .find(|s| s.to_string() == state)
        .map(EventKind::BusState)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_events_survive_as_text() {
        let kinds = [
            EventKind::Dropped(0),
            EventKind::Dropped(123_456),
            EventKind::BusState(BusState::ErrorActive),
            EventKind::BusState(BusState::ErrorWarning),
            EventKind::BusState(BusState::ErrorPassive),
            EventKind::BusState(BusState::BusOff),
        ];
        for k in kinds {
            assert_eq!(parse(&text(&k).unwrap()), Some(k.clone()), "{k:?}");
        }
        assert_eq!(text(&EventKind::Comment("x".into())), None);
        for other in [
            "cankit: bus state sleepy",
            "12 frames dropped",
            "cankit: x frames dropped (receive buffer overflow)",
        ] {
            assert_eq!(parse(other), None, "{other}");
        }
    }
}
