//! SDO abort codes (CiA 301 §7.2.4.3.17): what a server answers when a transfer cannot go on,
//! and what a client reports to its user. One table, used by the server, the master and the
//! gateways.

use std::fmt;

/// An SDO abort code with its meaning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Abort(pub u32);

impl Abort {
    pub const TOGGLE_BIT: Abort = Abort(0x0503_0000);
    pub const TIMEOUT: Abort = Abort(0x0504_0000);
    pub const COMMAND: Abort = Abort(0x0504_0001);
    pub const BLOCK_SIZE: Abort = Abort(0x0504_0002);
    pub const SEQUENCE: Abort = Abort(0x0504_0003);
    pub const CRC: Abort = Abort(0x0504_0004);
    pub const OUT_OF_MEMORY: Abort = Abort(0x0504_0005);
    pub const UNSUPPORTED_ACCESS: Abort = Abort(0x0601_0000);
    pub const WRITE_ONLY: Abort = Abort(0x0601_0001);
    pub const READ_ONLY: Abort = Abort(0x0601_0002);
    pub const NO_OBJECT: Abort = Abort(0x0602_0000);
    pub const NOT_MAPPABLE: Abort = Abort(0x0604_0041);
    pub const PDO_LENGTH: Abort = Abort(0x0604_0042);
    pub const PARAMETER_INCOMPATIBLE: Abort = Abort(0x0604_0043);
    pub const DEVICE_INCOMPATIBLE: Abort = Abort(0x0604_0047);
    pub const HARDWARE: Abort = Abort(0x0606_0000);
    pub const TYPE_LENGTH: Abort = Abort(0x0607_0010);
    pub const LENGTH_TOO_HIGH: Abort = Abort(0x0607_0012);
    pub const LENGTH_TOO_LOW: Abort = Abort(0x0607_0013);
    pub const NO_SUB_INDEX: Abort = Abort(0x0609_0011);
    pub const INVALID_VALUE: Abort = Abort(0x0609_0030);
    pub const VALUE_TOO_HIGH: Abort = Abort(0x0609_0031);
    pub const VALUE_TOO_LOW: Abort = Abort(0x0609_0032);
    pub const MAX_BELOW_MIN: Abort = Abort(0x0609_0036);
    pub const NO_RESOURCE: Abort = Abort(0x060A_0023);
    pub const GENERAL: Abort = Abort(0x0800_0000);
    pub const CANNOT_STORE: Abort = Abort(0x0800_0020);
    pub const LOCAL_CONTROL: Abort = Abort(0x0800_0021);
    pub const DEVICE_STATE: Abort = Abort(0x0800_0022);
    pub const NO_DICTIONARY: Abort = Abort(0x0800_0023);
    pub const NO_DATA: Abort = Abort(0x0800_0024);

    /// What the code means, in CiA 301's words; "unknown abort code" for codes it does not define.
    pub fn meaning(self) -> &'static str {
        match self.0 {
            0x0503_0000 => "toggle bit not alternated",
            0x0504_0000 => "SDO protocol timed out",
            0x0504_0001 => "client/server command specifier not valid or unknown",
            0x0504_0002 => "invalid block size",
            0x0504_0003 => "invalid sequence number",
            0x0504_0004 => "CRC error",
            0x0504_0005 => "out of memory",
            0x0601_0000 => "unsupported access to an object",
            0x0601_0001 => "attempt to read a write-only object",
            0x0601_0002 => "attempt to write a read-only object",
            0x0602_0000 => "object does not exist in the object dictionary",
            0x0604_0041 => "object cannot be mapped to the PDO",
            0x0604_0042 => "the number and length of the objects to be mapped would exceed PDO length",
            0x0604_0043 => "general parameter incompatibility",
            0x0604_0047 => "general internal incompatibility in the device",
            0x0606_0000 => "access failed due to a hardware error",
            0x0607_0010 => "data type does not match, length of service parameter does not match",
            0x0607_0012 => "data type does not match, length of service parameter too high",
            0x0607_0013 => "data type does not match, length of service parameter too low",
            0x0609_0011 => "sub-index does not exist",
            0x0609_0030 => "invalid value for parameter",
            0x0609_0031 => "value of parameter written too high",
            0x0609_0032 => "value of parameter written too low",
            0x0609_0036 => "maximum value is less than minimum value",
            0x060A_0023 => "resource not available: SDO connection",
            0x0800_0000 => "general error",
            0x0800_0020 => "data cannot be transferred or stored to the application",
            0x0800_0021 => "data cannot be transferred or stored to the application because of local control",
            0x0800_0022 => {
                "data cannot be transferred or stored to the application because of the present device state"
            }
            0x0800_0023 => "object dictionary dynamic generation fails or no object dictionary is present",
            0x0800_0024 => "no data available",
            _ => "unknown abort code",
        }
    }
}

impl fmt::Display for Abort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:08X} ({})", self.0, self.meaning())
    }
}

impl std::error::Error for Abort {}
