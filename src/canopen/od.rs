//! The object dictionary: every object a node has, by index and sub-index, with its type,
//! access, limits, default and current value (as the bytes SDO and PDO carry). Reading and
//! writing check what CiA 301 says a remote access must respect and answer with its abort codes;
//! what a write *means* to the node (a PDO reconfigured, a heartbeat period changed) is the
//! node's business ([`super::node`]), and where the objects come from is the EDS reader's
//! ([`super::eds`]).

use std::collections::BTreeMap;

use super::abort::Abort;
use super::types::{DataType, Number};

/// Bytes a string or domain may grow to through SDO; a larger download is refused with
/// [`Abort::OUT_OF_MEMORY`] before any byte is kept.
pub const MAX_VALUE_SIZE: usize = 16 << 20;

/// Who may read and write an entry (CiA 306 `AccessType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    ReadOnly,
    WriteOnly,
    ReadWrite,
    /// Read-write, a process input: may be mapped to a TPDO.
    ReadWriteInput,
    /// Read-write, a process output: may be mapped to an RPDO.
    ReadWriteOutput,
    /// Never changes.
    Const,
}

impl Access {
    /// The access an EDS spells (`ro`, `wo`, `rw`, `rwr`, `rww`, `const`, any case).
    pub fn parse(text: &str) -> Option<Access> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "ro" => Access::ReadOnly,
            "wo" => Access::WriteOnly,
            "rw" => Access::ReadWrite,
            "rwr" => Access::ReadWriteInput,
            "rww" => Access::ReadWriteOutput,
            "const" => Access::Const,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Access::ReadOnly => "ro",
            Access::WriteOnly => "wo",
            Access::ReadWrite => "rw",
            Access::ReadWriteInput => "rwr",
            Access::ReadWriteOutput => "rww",
            Access::Const => "const",
        }
    }

    pub fn readable(self) -> bool {
        self != Access::WriteOnly
    }

    pub fn writable(self) -> bool {
        !matches!(self, Access::ReadOnly | Access::Const)
    }
}

/// What kind of object an index holds (CiA 306 `ObjectType`; DOMAIN objects are variables).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    Var,
    Array,
    Record,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Var => "VAR",
            ObjectKind::Array => "ARRAY",
            ObjectKind::Record => "RECORD",
        }
    }
}

/// One value in the dictionary: a variable, or one sub-index of an array or record.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub name: String,
    pub data_type: DataType,
    pub access: Access,
    /// May be mapped into a PDO.
    pub pdo_mappable: bool,
    pub low: Option<Number>,
    pub high: Option<Number>,
    /// The value after a reset (the EDS `DefaultValue`, or a DCF's `ParameterValue`).
    pub default: Vec<u8>,
    /// The value now.
    pub value: Vec<u8>,
    /// A DCF's application name for the entry.
    pub denotation: Option<String>,
}

impl Entry {
    /// An entry of `data_type` whose value is the type's zero (or empty).
    pub fn new(name: impl Into<String>, data_type: DataType, access: Access) -> Entry {
        let zero = vec![0; data_type.size().unwrap_or(0)];
        Entry {
            name: name.into(),
            data_type,
            access,
            pdo_mappable: false,
            low: None,
            high: None,
            default: zero.clone(),
            value: zero,
            denotation: None,
        }
    }

    /// Set default and value.
    pub fn with_value(mut self, bytes: Vec<u8>) -> Entry {
        self.default = bytes.clone();
        self.value = bytes;
        self
    }

    pub fn mappable(mut self, yes: bool) -> Entry {
        self.pdo_mappable = yes;
        self
    }

    /// The value as an unsigned number (integers up to 64 bits), if it is one.
    pub fn as_u64(&self) -> Option<u64> {
        match self.data_type.number(&self.value)? {
            Number::Int(i) => u64::try_from(i).ok(),
            Number::Real(_) => None,
        }
    }

    /// Would `data` be accepted as this entry's new value? The length and range checks of an SDO
    /// download (access is checked by the caller, who knows whether it is remote).
    pub fn check(&self, data: &[u8]) -> Result<(), Abort> {
        match self.data_type.size() {
            Some(size) if data.len() > size => return Err(Abort::LENGTH_TOO_HIGH),
            Some(size) if data.len() < size => return Err(Abort::LENGTH_TOO_LOW),
            None if data.len() > MAX_VALUE_SIZE => return Err(Abort::OUT_OF_MEMORY),
            _ => {}
        }
        if let Some(n) = self.data_type.number(data) {
            if let Number::Real(r) = n {
                if r.is_nan() && (self.low.is_some() || self.high.is_some()) {
                    return Err(Abort::INVALID_VALUE);
                }
            }
            if self.low.is_some_and(|low| n < low) {
                return Err(Abort::VALUE_TOO_LOW);
            }
            if self.high.is_some_and(|high| n > high) {
                return Err(Abort::VALUE_TOO_HIGH);
            }
        }
        if self.data_type == DataType::Boolean && data.first().is_some_and(|&b| b > 1) {
            return Err(Abort::INVALID_VALUE);
        }
        Ok(())
    }
}

/// An object: a variable (its value at sub-index 0), or an array or record of entries.
#[derive(Clone, Debug, PartialEq)]
pub struct Object {
    pub name: String,
    pub kind: ObjectKind,
    pub entries: BTreeMap<u8, Entry>,
}

impl Object {
    /// A variable holding `entry`.
    pub fn var(entry: Entry) -> Object {
        Object { name: entry.name.clone(), kind: ObjectKind::Var, entries: BTreeMap::from([(0, entry)]) }
    }

    /// An array or record whose sub-index 0 says how many sub-indices follow.
    pub fn compound(name: impl Into<String>, kind: ObjectKind, entries: Vec<(u8, Entry)>) -> Object {
        Object { name: name.into(), kind, entries: entries.into_iter().collect() }
    }
}

/// Where the device comes from: what an EDS's `[DeviceInfo]` says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DeviceInfo {
    pub vendor_name: String,
    pub vendor_number: Option<u32>,
    pub product_name: String,
    pub product_number: Option<u32>,
    pub revision_number: Option<u32>,
    pub order_code: String,
    /// Bit rates the device supports, in kbit/s.
    pub baud_rates: Vec<u32>,
    pub nr_of_rx_pdo: u16,
    pub nr_of_tx_pdo: u16,
    pub lss_supported: bool,
}

/// A dictionary: objects by index, and the device description they came with.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObjectDictionary {
    objects: BTreeMap<u16, Object>,
    pub device: DeviceInfo,
    /// Dummy data-type indices (0x0001–0x0007) an RPDO may map to skip bytes (`[DummyUsage]`);
    /// bit n set = index n usable.
    pub dummy_usage: u8,
    /// Where the dictionary was read from, for messages.
    pub source: Option<std::path::PathBuf>,
}

impl ObjectDictionary {
    pub fn new() -> ObjectDictionary {
        ObjectDictionary::default()
    }

    /// Add or replace an object.
    pub fn insert(&mut self, index: u16, object: Object) {
        self.objects.insert(index, object);
    }

    pub fn remove(&mut self, index: u16) -> Option<Object> {
        self.objects.remove(&index)
    }

    pub fn object(&self, index: u16) -> Option<&Object> {
        self.objects.get(&index)
    }

    pub fn object_mut(&mut self, index: u16) -> Option<&mut Object> {
        self.objects.get_mut(&index)
    }

    pub fn contains(&self, index: u16) -> bool {
        self.objects.contains_key(&index)
    }

    /// Objects in index order.
    pub fn iter(&self) -> impl Iterator<Item = (u16, &Object)> {
        self.objects.iter().map(|(i, o)| (*i, o))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (u16, &mut Object)> {
        self.objects.iter_mut().map(|(i, o)| (*i, o))
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The entry at `index:sub`, or the abort an SDO server answers when there is none.
    pub fn entry(&self, index: u16, sub: u8) -> Result<&Entry, Abort> {
        let object = self.objects.get(&index).ok_or(Abort::NO_OBJECT)?;
        object.entries.get(&sub).ok_or(Abort::NO_SUB_INDEX)
    }

    pub fn entry_mut(&mut self, index: u16, sub: u8) -> Result<&mut Entry, Abort> {
        let object = self.objects.get_mut(&index).ok_or(Abort::NO_OBJECT)?;
        object.entries.get_mut(&sub).ok_or(Abort::NO_SUB_INDEX)
    }

    /// The value at `index:sub` as an unsigned number, when it exists and is one.
    pub fn u64(&self, index: u16, sub: u8) -> Option<u64> {
        self.entry(index, sub).ok()?.as_u64()
    }

    pub fn u32(&self, index: u16, sub: u8) -> Option<u32> {
        self.u64(index, sub).and_then(|v| u32::try_from(v).ok())
    }

    /// Read for a remote client: write-only entries refuse.
    pub fn read(&self, index: u16, sub: u8) -> Result<&[u8], Abort> {
        let entry = self.entry(index, sub)?;
        if !entry.access.readable() {
            return Err(Abort::WRITE_ONLY);
        }
        Ok(&entry.value)
    }

    /// Would a remote client's write of `data` be taken? Access, length and range.
    pub fn check_write(&self, index: u16, sub: u8, data: &[u8]) -> Result<(), Abort> {
        let entry = self.entry(index, sub)?;
        if !entry.access.writable() {
            return Err(Abort::READ_ONLY);
        }
        entry.check(data)
    }

    /// Store a value, checking length and range but not access (the application writes its
    /// read-only inputs this way). Returns whether the value changed.
    pub fn store(&mut self, index: u16, sub: u8, data: &[u8]) -> Result<bool, Abort> {
        let entry = self.entry_mut(index, sub)?;
        entry.check(data)?;
        if entry.value == data {
            return Ok(false);
        }
        entry.value.clear();
        entry.value.extend_from_slice(data);
        Ok(true)
    }

    /// Set every value in `range` of indices back to its default.
    pub fn reset_values(&mut self, range: std::ops::RangeInclusive<u16>) {
        for (_, object) in self.objects.range_mut(range) {
            for entry in object.entries.values_mut() {
                entry.value.clone_from(&entry.default);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ObjectDictionary {
        let mut od = ObjectDictionary::new();
        od.insert(0x1000, Object::var(Entry::new("Device type", DataType::Unsigned32, Access::ReadOnly)));
        let mut limited = Entry::new("Limited", DataType::Integer16, Access::ReadWrite);
        limited.low = Some(Number::Int(-10));
        limited.high = Some(Number::Int(100));
        od.insert(0x2000, Object::var(limited));
        od.insert(0x2001, Object::var(Entry::new("Secret", DataType::Unsigned8, Access::WriteOnly)));
        od
    }

    #[test]
    fn remote_access_answers_with_cia301_aborts() {
        let od = sample();
        assert_eq!(od.read(0x3000, 0), Err(Abort::NO_OBJECT));
        assert_eq!(od.read(0x1000, 1), Err(Abort::NO_SUB_INDEX));
        assert_eq!(od.read(0x2001, 0), Err(Abort::WRITE_ONLY));
        assert_eq!(od.check_write(0x1000, 0, &[0; 4]), Err(Abort::READ_ONLY));
        assert_eq!(od.check_write(0x2000, 0, &[0; 3]), Err(Abort::LENGTH_TOO_HIGH));
        assert_eq!(od.check_write(0x2000, 0, &[0]), Err(Abort::LENGTH_TOO_LOW));
        assert_eq!(od.check_write(0x2000, 0, &101i16.to_le_bytes()), Err(Abort::VALUE_TOO_HIGH));
        assert_eq!(od.check_write(0x2000, 0, &(-11i16).to_le_bytes()), Err(Abort::VALUE_TOO_LOW));
        assert_eq!(od.check_write(0x2000, 0, &100i16.to_le_bytes()), Ok(()));
    }

    #[test]
    fn store_reports_changes_and_reset_restores_defaults() {
        let mut od = sample();
        assert_eq!(od.store(0x2000, 0, &5i16.to_le_bytes()), Ok(true));
        assert_eq!(od.store(0x2000, 0, &5i16.to_le_bytes()), Ok(false));
        od.reset_values(0x2000..=0x2FFF);
        assert_eq!(od.u64(0x2000, 0), Some(0));
    }
}
