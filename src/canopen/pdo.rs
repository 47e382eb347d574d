//! PDO configuration (CiA 301 §7.2.2): what the communication (0x1400/0x1800) and mapping
//! (0x1600/0x1A00) parameters of one PDO say, read from the dictionary, and the checks a master's
//! reconfiguration must pass (the mapped objects exist, may be mapped, fit in 64 bits). Packing
//! mapped values into a frame and back is here too; when PDOs are sent and received is the node's.

use super::abort::Abort;
use super::od::ObjectDictionary;

/// COB-ID bit 31: the PDO is not valid (disabled).
pub const COB_INVALID: u32 = 1 << 31;
/// COB-ID bit 30 of a TPDO: no RTR allowed.
pub const COB_NO_RTR: u32 = 1 << 30;
/// COB-ID bit 29: a 29-bit CAN-ID.
pub const COB_EXTENDED: u32 = 1 << 29;

/// Receive or transmit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Receive,
    Transmit,
}

impl Direction {
    /// The communication parameter index of PDO number `n` (0-based).
    pub fn communication(self, n: u16) -> u16 {
        match self {
            Direction::Receive => 0x1400 + n,
            Direction::Transmit => 0x1800 + n,
        }
    }

    pub fn mapping(self, n: u16) -> u16 {
        self.communication(n) + 0x200
    }
}

/// Which PDO an index configures, if any: its direction, its number (0-based) and whether the
/// index is the mapping parameter.
pub fn pdo_of(index: u16) -> Option<(Direction, u16, bool)> {
    match index {
        0x1400..=0x15FF => Some((Direction::Receive, index - 0x1400, false)),
        0x1600..=0x17FF => Some((Direction::Receive, index - 0x1600, true)),
        0x1800..=0x19FF => Some((Direction::Transmit, index - 0x1800, false)),
        0x1A00..=0x1BFF => Some((Direction::Transmit, index - 0x1A00, true)),
        _ => None,
    }
}

/// One mapped object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapped {
    pub index: u16,
    pub sub: u8,
    pub bits: u8,
}

impl Mapped {
    pub fn from_u32(raw: u32) -> Mapped {
        Mapped { index: (raw >> 16) as u16, sub: (raw >> 8) as u8, bits: raw as u8 }
    }

    /// A dummy entry: an RPDO skips these bits (indices 0x0001–0x0007 name the basic types).
    pub fn is_dummy(self) -> bool {
        (1..=7).contains(&self.index)
    }
}

/// A PDO's parameters as the dictionary holds them now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pdo {
    pub direction: Direction,
    /// 0-based: TPDO1 is 0.
    pub number: u16,
    /// The raw COB-ID entry (validity and flags included).
    pub cob_id: u32,
    pub transmission_type: u8,
    /// TPDO: minimum time between two transmissions, in 100 µs.
    pub inhibit_time: u16,
    /// TPDO: period of event-driven transmission; RPDO: deadline, in ms (0 = off).
    pub event_timer: u16,
    /// TPDO: the SYNC counter value that starts synchronous transmission (0 = any).
    pub sync_start: u8,
    pub mapping: Vec<Mapped>,
}

impl Pdo {
    /// Read PDO `number` from `od`; `None` when its communication parameter is missing.
    pub fn read(od: &ObjectDictionary, direction: Direction, number: u16) -> Option<Pdo> {
        let comm = direction.communication(number);
        let cob_id = od.u32(comm, 1)?;
        let count = od.u64(direction.mapping(number), 0).unwrap_or(0).min(64) as u8;
        let mapping = (1..=count)
            .filter_map(|sub| od.u32(direction.mapping(number), sub))
            .map(Mapped::from_u32)
            .collect();
        Some(Pdo {
            direction,
            number,
            cob_id,
            transmission_type: od.u64(comm, 2).unwrap_or(255) as u8,
            inhibit_time: od.u64(comm, 3).unwrap_or(0) as u16,
            event_timer: od.u64(comm, 5).unwrap_or(0) as u16,
            sync_start: od.u64(comm, 6).unwrap_or(0) as u8,
            mapping,
        })
    }

    pub fn valid(&self) -> bool {
        self.cob_id & COB_INVALID == 0
    }

    pub fn can_id(&self) -> u32 {
        if self.extended() {
            self.cob_id & 0x1FFF_FFFF
        } else {
            self.cob_id & 0x7FF
        }
    }

    pub fn extended(&self) -> bool {
        self.cob_id & COB_EXTENDED != 0
    }

    pub fn rtr_allowed(&self) -> bool {
        self.cob_id & COB_NO_RTR == 0
    }

    /// Bytes the mapped objects take.
    pub fn length(&self) -> usize {
        let bits: usize = self.mapping.iter().map(|m| usize::from(m.bits)).sum();
        bits.div_ceil(8)
    }

    /// Synchronous transmission types: 0 (acyclic) and 1–240 (every n-th SYNC); 252 samples at
    /// SYNC too.
    pub fn synchronous(&self) -> bool {
        self.transmission_type <= 240 || self.transmission_type == 252
    }

    /// Event-driven transmission types (254, 255).
    pub fn event_driven(&self) -> bool {
        self.transmission_type >= 254
    }

    /// The frame data of a TPDO: the mapped values, bit after bit, little-endian.
    pub fn pack(&self, od: &ObjectDictionary) -> Vec<u8> {
        let mut data = vec![0u8; self.length()];
        let mut bit = 0usize;
        for m in &self.mapping {
            let value = od.entry(m.index, m.sub).map(|e| e.value.as_slice()).unwrap_or(&[]);
            for i in 0..usize::from(m.bits) {
                let set = value.get(i / 8).is_some_and(|b| b >> (i % 8) & 1 == 1);
                if set {
                    data[(bit + i) / 8] |= 1 << ((bit + i) % 8);
                }
            }
            bit += usize::from(m.bits);
        }
        data
    }

    /// The values an RPDO's data carries, one per mapped object that is not a dummy.
    pub fn unpack(&self, data: &[u8]) -> Vec<(u16, u8, Vec<u8>)> {
        let mut values = Vec::with_capacity(self.mapping.len());
        let mut bit = 0usize;
        for m in &self.mapping {
            let bits = usize::from(m.bits);
            if !m.is_dummy() {
                let mut value = vec![0u8; bits.div_ceil(8)];
                for i in 0..bits {
                    let at = bit + i;
                    if data.get(at / 8).is_some_and(|b| b >> (at % 8) & 1 == 1) {
                        value[i / 8] |= 1 << (i % 8);
                    }
                }
                values.push((m.index, m.sub, value));
            }
            bit += bits;
        }
        values
    }
}

/// May `raw` be a mapping entry of a PDO in `direction`? The object must exist, be mappable,
/// be readable (TPDO) or writable (RPDO), and have exactly the bits mapped.
pub fn check_mapping_entry(od: &ObjectDictionary, direction: Direction, raw: u32) -> Result<(), Abort> {
    let m = Mapped::from_u32(raw);
    if m.is_dummy() {
        // A dummy is a basic type: its size must match, and only RPDOs may use it.
        let size = super::types::DataType::from_code(m.index).and_then(|t| t.bits());
        return match (direction, size) {
            (Direction::Receive, Some(bits)) if bits == u32::from(m.bits) => Ok(()),
            _ => Err(Abort::NOT_MAPPABLE),
        };
    }
    let entry = od.entry(m.index, m.sub)?;
    let access_ok = match direction {
        Direction::Transmit => entry.access.readable(),
        Direction::Receive => entry.access.writable(),
    };
    if !entry.pdo_mappable || !access_ok {
        return Err(Abort::NOT_MAPPABLE);
    }
    match entry.data_type.bits() {
        Some(bits) if bits == u32::from(m.bits) => Ok(()),
        _ => Err(Abort::NOT_MAPPABLE),
    }
}

/// May the mapping count be set to `count`, given the entries `od` holds now? Each entry is
/// checked and the total must fit a classic frame.
pub fn check_mapping_count(
    od: &ObjectDictionary,
    direction: Direction,
    number: u16,
    count: u8,
) -> Result<(), Abort> {
    if count > 64 {
        return Err(Abort::VALUE_TOO_HIGH);
    }
    let mut bits = 0u32;
    for sub in 1..=count {
        let raw = od.u32(direction.mapping(number), sub).ok_or(Abort::NO_SUB_INDEX)?;
        check_mapping_entry(od, direction, raw)?;
        bits += raw & 0xFF;
    }
    if bits > 64 {
        return Err(Abort::PDO_LENGTH);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_and_unpack_are_inverse_at_bit_offsets() {
        let pdo = Pdo {
            direction: Direction::Receive,
            number: 0,
            cob_id: 0x205,
            transmission_type: 255,
            inhibit_time: 0,
            event_timer: 0,
            sync_start: 0,
            mapping: vec![
                Mapped { index: 0x6200, sub: 1, bits: 8 },
                Mapped { index: 0x0005, sub: 0, bits: 8 },
                Mapped { index: 0x6401, sub: 1, bits: 16 },
            ],
        };
        assert_eq!(pdo.length(), 4);
        let values = pdo.unpack(&[0x11, 0xFF, 0x34, 0x12]);
        assert_eq!(values, vec![(0x6200, 1, vec![0x11]), (0x6401, 1, vec![0x34, 0x12])]);
        assert_eq!(Mapped::from_u32(0x6000_0108), Mapped { index: 0x6000, sub: 1, bits: 8 });
    }
}
