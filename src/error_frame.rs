//! Decoding SocketCAN error frames (class bits in the id, details in the 8 data bytes) into words a
//! person understands ("bus-off", "error-passive", "ACK error"), and into bus-state changes.
//!
//! The constants mirror `linux/can/error.h`. An error frame's [`Frame::id`] is the class mask
//! (without `CAN_ERR_FLAG`); its 8 data bytes carry the details of some classes. This module only
//! interprets; building error frames and printing them as text are left to [`crate::frame`] and
//! [`crate::text`].

use crate::bus::BusState;
use crate::frame::Frame;

/// Length of the data of every error frame.
pub const CAN_ERR_DLC: usize = 8;

// Error classes: bits of the error frame's id.
/// TX timeout (by netdevice driver).
pub const CAN_ERR_TX_TIMEOUT: u32 = 0x001;
/// Lost arbitration; data[0] = bit number.
pub const CAN_ERR_LOSTARB: u32 = 0x002;
/// Controller problems; details in data[1].
pub const CAN_ERR_CRTL: u32 = 0x004;
/// Protocol violations; type in data[2], location in data[3].
pub const CAN_ERR_PROT: u32 = 0x008;
/// Transceiver status; details in data[4].
pub const CAN_ERR_TRX: u32 = 0x010;
/// Received no ACK on transmission.
pub const CAN_ERR_ACK: u32 = 0x020;
/// Bus off.
pub const CAN_ERR_BUSOFF: u32 = 0x040;
/// Bus error (may flood!).
pub const CAN_ERR_BUSERROR: u32 = 0x080;
/// Controller restarted.
pub const CAN_ERR_RESTARTED: u32 = 0x100;
/// TX error counter in data[6], RX error counter in data[7] are valid.
pub const CAN_ERR_CNT: u32 = 0x200;

/// Arbitration lost in an unspecified bit (data[0]).
pub const CAN_ERR_LOSTARB_UNSPEC: u8 = 0x00;

// Controller problems (data[1]).
pub const CAN_ERR_CRTL_UNSPEC: u8 = 0x00;
pub const CAN_ERR_CRTL_RX_OVERFLOW: u8 = 0x01;
pub const CAN_ERR_CRTL_TX_OVERFLOW: u8 = 0x02;
/// Reached the warning level for RX errors.
pub const CAN_ERR_CRTL_RX_WARNING: u8 = 0x04;
/// Reached the warning level for TX errors.
pub const CAN_ERR_CRTL_TX_WARNING: u8 = 0x08;
/// Reached the error-passive level for RX errors.
pub const CAN_ERR_CRTL_RX_PASSIVE: u8 = 0x10;
/// Reached the error-passive level for TX errors.
pub const CAN_ERR_CRTL_TX_PASSIVE: u8 = 0x20;
/// Recovered to the error-active state.
pub const CAN_ERR_CRTL_ACTIVE: u8 = 0x40;

// Protocol violation types (data[2]).
pub const CAN_ERR_PROT_UNSPEC: u8 = 0x00;
pub const CAN_ERR_PROT_BIT: u8 = 0x01;
pub const CAN_ERR_PROT_FORM: u8 = 0x02;
pub const CAN_ERR_PROT_STUFF: u8 = 0x04;
/// Unable to send a dominant bit.
pub const CAN_ERR_PROT_BIT0: u8 = 0x08;
/// Unable to send a recessive bit.
pub const CAN_ERR_PROT_BIT1: u8 = 0x10;
pub const CAN_ERR_PROT_OVERLOAD: u8 = 0x20;
/// Active error announcement.
pub const CAN_ERR_PROT_ACTIVE: u8 = 0x40;
/// Error occurred on transmission.
pub const CAN_ERR_PROT_TX: u8 = 0x80;

// Protocol violation locations (data[3]).
pub const CAN_ERR_PROT_LOC_UNSPEC: u8 = 0x00;
pub const CAN_ERR_PROT_LOC_SOF: u8 = 0x03;
pub const CAN_ERR_PROT_LOC_ID28_21: u8 = 0x02;
pub const CAN_ERR_PROT_LOC_ID20_18: u8 = 0x06;
pub const CAN_ERR_PROT_LOC_SRTR: u8 = 0x04;
pub const CAN_ERR_PROT_LOC_IDE: u8 = 0x05;
pub const CAN_ERR_PROT_LOC_ID17_13: u8 = 0x07;
pub const CAN_ERR_PROT_LOC_ID12_05: u8 = 0x0F;
pub const CAN_ERR_PROT_LOC_ID04_00: u8 = 0x0E;
pub const CAN_ERR_PROT_LOC_RTR: u8 = 0x0C;
pub const CAN_ERR_PROT_LOC_RES1: u8 = 0x0D;
pub const CAN_ERR_PROT_LOC_RES0: u8 = 0x09;
pub const CAN_ERR_PROT_LOC_DLC: u8 = 0x0B;
pub const CAN_ERR_PROT_LOC_DATA: u8 = 0x0A;
pub const CAN_ERR_PROT_LOC_CRC_SEQ: u8 = 0x08;
pub const CAN_ERR_PROT_LOC_CRC_DEL: u8 = 0x18;
pub const CAN_ERR_PROT_LOC_ACK: u8 = 0x19;
pub const CAN_ERR_PROT_LOC_ACK_DEL: u8 = 0x1B;
pub const CAN_ERR_PROT_LOC_EOF: u8 = 0x1A;
pub const CAN_ERR_PROT_LOC_INTERM: u8 = 0x12;

// Transceiver status (data[4]): CANH in the low nibble, CANL in the high nibble.
pub const CAN_ERR_TRX_UNSPEC: u8 = 0x00;
pub const CAN_ERR_TRX_CANH_NO_WIRE: u8 = 0x04;
pub const CAN_ERR_TRX_CANH_SHORT_TO_BAT: u8 = 0x05;
pub const CAN_ERR_TRX_CANH_SHORT_TO_VCC: u8 = 0x06;
pub const CAN_ERR_TRX_CANH_SHORT_TO_GND: u8 = 0x07;
pub const CAN_ERR_TRX_CANL_NO_WIRE: u8 = 0x40;
pub const CAN_ERR_TRX_CANL_SHORT_TO_BAT: u8 = 0x50;
pub const CAN_ERR_TRX_CANL_SHORT_TO_VCC: u8 = 0x60;
pub const CAN_ERR_TRX_CANL_SHORT_TO_GND: u8 = 0x70;
pub const CAN_ERR_TRX_CANL_SHORT_TO_CANH: u8 = 0x80;

/// Error counter thresholds of the CAN fault confinement.
pub const CAN_ERROR_WARNING_THRESHOLD: u32 = 96;
pub const CAN_ERROR_PASSIVE_THRESHOLD: u32 = 128;
pub const CAN_BUS_OFF_THRESHOLD: u32 = 256;

/// The detail byte of an error frame, or 0 (= unspecified) for a frame that does not carry it.
fn byte(frame: &Frame, i: usize) -> u8 {
    frame.data().get(i).copied().unwrap_or(0)
}

/// The controller state an error frame announces, if it announces one: bus-off, a controller
/// problem that reaches error-passive or error-warning (or returns to error-active), or a restart
/// after bus-off. `None` for other error frames and for frames that are not error frames.
///
/// When one frame carries several announcements the most severe wins.
pub fn bus_state(frame: &Frame) -> Option<BusState> {
    if !frame.is_error() {
        return None;
    }
    let class = frame.id();
    if class & CAN_ERR_BUSOFF != 0 {
        return Some(BusState::BusOff);
    }
    if class & CAN_ERR_CRTL != 0 {
        let crtl = byte(frame, 1);
        if crtl & (CAN_ERR_CRTL_RX_PASSIVE | CAN_ERR_CRTL_TX_PASSIVE) != 0 {
            return Some(BusState::ErrorPassive);
        }
        if crtl & (CAN_ERR_CRTL_RX_WARNING | CAN_ERR_CRTL_TX_WARNING) != 0 {
            return Some(BusState::ErrorWarning);
        }
        if crtl & CAN_ERR_CRTL_ACTIVE != 0 {
            return Some(BusState::ErrorActive);
        }
    }
    if class & CAN_ERR_RESTARTED != 0 {
        return Some(BusState::ErrorActive);
    }
    None
}

const CONTROLLER_PROBLEMS: [(u8, &str); 7] = [
    (CAN_ERR_CRTL_RX_OVERFLOW, "RX overflow"),
    (CAN_ERR_CRTL_TX_OVERFLOW, "TX overflow"),
    (CAN_ERR_CRTL_RX_WARNING, "RX error-warning"),
    (CAN_ERR_CRTL_TX_WARNING, "TX error-warning"),
    (CAN_ERR_CRTL_RX_PASSIVE, "RX error-passive"),
    (CAN_ERR_CRTL_TX_PASSIVE, "TX error-passive"),
    (CAN_ERR_CRTL_ACTIVE, "back to error-active"),
];

const PROTOCOL_VIOLATIONS: [(u8, &str); 8] = [
    (CAN_ERR_PROT_BIT, "single bit error"),
    (CAN_ERR_PROT_FORM, "frame format error"),
    (CAN_ERR_PROT_STUFF, "bit stuffing error"),
    (CAN_ERR_PROT_BIT0, "unable to send dominant bit"),
    (CAN_ERR_PROT_BIT1, "unable to send recessive bit"),
    (CAN_ERR_PROT_OVERLOAD, "bus overload"),
    (CAN_ERR_PROT_ACTIVE, "active error announcement"),
    (CAN_ERR_PROT_TX, "error on transmission"),
];

fn protocol_location(code: u8) -> Option<&'static str> {
    Some(match code {
        CAN_ERR_PROT_LOC_SOF => "start of frame",
        CAN_ERR_PROT_LOC_ID28_21 => "id bits 28-21 (SFF: 10-3)",
        CAN_ERR_PROT_LOC_ID20_18 => "id bits 20-18 (SFF: 2-0)",
        CAN_ERR_PROT_LOC_SRTR => "substitute RTR bit (SFF: RTR)",
        CAN_ERR_PROT_LOC_IDE => "identifier extension bit",
        CAN_ERR_PROT_LOC_ID17_13 => "id bits 17-13",
        CAN_ERR_PROT_LOC_ID12_05 => "id bits 12-5",
        CAN_ERR_PROT_LOC_ID04_00 => "id bits 4-0",
        CAN_ERR_PROT_LOC_RTR => "RTR bit",
        CAN_ERR_PROT_LOC_RES1 => "reserved bit 1",
        CAN_ERR_PROT_LOC_RES0 => "reserved bit 0",
        CAN_ERR_PROT_LOC_DLC => "data length code",
        CAN_ERR_PROT_LOC_DATA => "data section",
        CAN_ERR_PROT_LOC_CRC_SEQ => "CRC sequence",
        CAN_ERR_PROT_LOC_CRC_DEL => "CRC delimiter",
        CAN_ERR_PROT_LOC_ACK => "ACK slot",
        CAN_ERR_PROT_LOC_ACK_DEL => "ACK delimiter",
        CAN_ERR_PROT_LOC_EOF => "end of frame",
        CAN_ERR_PROT_LOC_INTERM => "intermission",
        _ => return None,
    })
}

/// One wire's transceiver status (the CANH or CANL nibble of data[4], shifted down).
fn wire_status(nibble: u8) -> Option<&'static str> {
    match nibble {
        0x4 => Some("no wire"),
        0x5 => Some("short to battery"),
        0x6 => Some("short to VCC"),
        0x7 => Some("short to ground"),
        0x8 => Some("short to CANH"),
        _ => None,
    }
}

fn describe_transceiver(status: u8) -> String {
    if status == CAN_ERR_TRX_UNSPEC {
        return "transceiver error".to_string();
    }
    let mut parts = Vec::new();
    let canh = status & 0x0F;
    let canl = status >> 4;
    if canh != 0 {
        match wire_status(canh) {
            Some(w) => parts.push(format!("CANH {w}")),
            None => parts.push(format!("CANH status 0x{canh:X}")),
        }
    }
    if canl != 0 {
        match wire_status(canl) {
            Some(w) => parts.push(format!("CANL {w}")),
            None => parts.push(format!("CANL status 0x{canl:X}")),
        }
    }
    format!("transceiver: {}", parts.join(", "))
}

/// Words for the set bits of `value` according to `table`; leftover unknown bits in hex.
fn bit_words(value: u8, table: &[(u8, &str)]) -> Vec<String> {
    let mut words: Vec<String> =
        table.iter().filter(|(bit, _)| value & bit != 0).map(|(_, w)| (*w).to_string()).collect();
    let known = table.iter().fold(0u8, |acc, (bit, _)| acc | bit);
    if value & !known != 0 {
        words.push(format!("unknown 0x{:02X}", value & !known));
    }
    words
}

/// An error frame in words: one entry per set error class, in class-bit order, with the details
/// the data bytes carry ("lost arbitration at bit 5", "controller problem: RX error-passive").
/// Returns an empty list for frames that are not error frames.
pub fn describe(frame: &Frame) -> Vec<String> {
    let mut out = Vec::new();
    if !frame.is_error() {
        return out;
    }
    let class = frame.id();
    if class & CAN_ERR_TX_TIMEOUT != 0 {
        out.push("TX timeout".to_string());
    }
    if class & CAN_ERR_LOSTARB != 0 {
        match byte(frame, 0) {
            CAN_ERR_LOSTARB_UNSPEC => out.push("lost arbitration".to_string()),
            bit => out.push(format!("lost arbitration at bit {bit}")),
        }
    }
    if class & CAN_ERR_CRTL != 0 {
        let words = bit_words(byte(frame, 1), &CONTROLLER_PROBLEMS);
        if words.is_empty() {
            out.push("controller problem".to_string());
        } else {
            out.push(format!("controller problem: {}", words.join(", ")));
        }
    }
    if class & CAN_ERR_PROT != 0 {
        let words = bit_words(byte(frame, 2), &PROTOCOL_VIOLATIONS);
        let mut text = if words.is_empty() {
            "protocol violation".to_string()
        } else {
            format!("protocol violation: {}", words.join(", "))
        };
        let loc = byte(frame, 3);
        if loc != CAN_ERR_PROT_LOC_UNSPEC {
            match protocol_location(loc) {
                Some(l) => text.push_str(&format!(" (location {l})")),
                None => text.push_str(&format!(" (location 0x{loc:02X})")),
            }
        }
        out.push(text);
    }
    if class & CAN_ERR_TRX != 0 {
        out.push(describe_transceiver(byte(frame, 4)));
    }
    if class & CAN_ERR_ACK != 0 {
        out.push("ACK error (no ACK on transmission)".to_string());
    }
    if class & CAN_ERR_BUSOFF != 0 {
        out.push("bus-off".to_string());
    }
    if class & CAN_ERR_BUSERROR != 0 {
        out.push("bus error".to_string());
    }
    if class & CAN_ERR_RESTARTED != 0 {
        out.push("controller restarted".to_string());
    }
    if class & CAN_ERR_CNT != 0 {
        out.push(format!("error counters: tx {}, rx {}", byte(frame, 6), byte(frame, 7)));
    }
    let unknown = class & !0x3FF;
    if unknown != 0 {
        out.push(format!("unknown error class 0x{unknown:X}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(class: u32, data: [u8; 8]) -> Frame {
        Frame::new_error(class, data).expect("class fits in 29 bits")
    }

    #[test]
    fn bus_off_class_means_bus_off() {
        assert_eq!(bus_state(&err(CAN_ERR_BUSOFF, [0; 8])), Some(BusState::BusOff));
        // Bus-off wins over anything else in the same frame.
        let f = err(CAN_ERR_BUSOFF | CAN_ERR_CRTL, [0, CAN_ERR_CRTL_ACTIVE, 0, 0, 0, 0, 0, 0]);
        assert_eq!(bus_state(&f), Some(BusState::BusOff));
    }

    #[test]
    fn controller_problems_map_to_warning_passive_and_active() {
        let crtl = |d1: u8| bus_state(&err(CAN_ERR_CRTL, [0, d1, 0, 0, 0, 0, 0, 0]));
        assert_eq!(crtl(CAN_ERR_CRTL_RX_PASSIVE), Some(BusState::ErrorPassive));
        assert_eq!(crtl(CAN_ERR_CRTL_TX_PASSIVE), Some(BusState::ErrorPassive));
        assert_eq!(crtl(CAN_ERR_CRTL_RX_WARNING), Some(BusState::ErrorWarning));
        assert_eq!(crtl(CAN_ERR_CRTL_TX_WARNING), Some(BusState::ErrorWarning));
        assert_eq!(crtl(CAN_ERR_CRTL_TX_WARNING | CAN_ERR_CRTL_RX_PASSIVE), Some(BusState::ErrorPassive));
        assert_eq!(crtl(CAN_ERR_CRTL_ACTIVE), Some(BusState::ErrorActive));
        assert_eq!(crtl(CAN_ERR_CRTL_RX_OVERFLOW), None);
        assert_eq!(crtl(0), None);
    }

    #[test]
    fn restart_means_error_active_and_other_classes_imply_no_state() {
        assert_eq!(bus_state(&err(CAN_ERR_RESTARTED, [0; 8])), Some(BusState::ErrorActive));
        assert_eq!(bus_state(&err(CAN_ERR_BUSERROR | CAN_ERR_ACK, [0; 8])), None);
        // A controller problem without state bits does not hide the restart.
        let f = err(CAN_ERR_CRTL | CAN_ERR_RESTARTED, [0, CAN_ERR_CRTL_RX_OVERFLOW, 0, 0, 0, 0, 0, 0]);
        assert_eq!(bus_state(&f), Some(BusState::ErrorActive));
    }

    #[test]
    fn data_frames_have_no_bus_state_and_no_description() {
        let f = Frame::new_data(0x040, false, &[0, 0x20]).unwrap();
        assert_eq!(bus_state(&f), None);
        assert!(describe(&f).is_empty());
    }

    #[test]
    fn every_class_is_described_in_words() {
        let f = err(0x3FF, [5, 0x28, 0x04, CAN_ERR_PROT_LOC_ACK, 0x04, 0, 100, 7]);
        assert_eq!(
            describe(&f),
            vec![
                "TX timeout",
                "lost arbitration at bit 5",
                "controller problem: TX error-warning, TX error-passive",
                "protocol violation: bit stuffing error (location ACK slot)",
                "transceiver: CANH no wire",
                "ACK error (no ACK on transmission)",
                "bus-off",
                "bus error",
                "controller restarted",
                "error counters: tx 100, rx 7",
            ]
        );
    }

    #[test]
    fn unspecified_details_are_left_out() {
        let f = err(CAN_ERR_LOSTARB | CAN_ERR_CRTL | CAN_ERR_PROT | CAN_ERR_TRX, [0; 8]);
        assert_eq!(
            describe(&f),
            vec!["lost arbitration", "controller problem", "protocol violation", "transceiver error"]
        );
    }

    #[test]
    fn controller_recovery_and_overflow_are_named() {
        let f = err(CAN_ERR_CRTL, [0, CAN_ERR_CRTL_RX_OVERFLOW | CAN_ERR_CRTL_ACTIVE, 0, 0, 0, 0, 0, 0]);
        assert_eq!(describe(&f), vec!["controller problem: RX overflow, back to error-active"]);
    }

    #[test]
    fn unknown_codes_are_shown_in_hex() {
        let f = err(CAN_ERR_PROT | CAN_ERR_TRX | 0x400, [0, 0, CAN_ERR_PROT_TX, 0x77, 0x53, 0, 0, 0]);
        assert_eq!(
            describe(&f),
            vec![
                "protocol violation: error on transmission (location 0x77)",
                "transceiver: CANH status 0x3, CANL short to battery",
                "unknown error class 0x400",
            ]
        );
    }
}
