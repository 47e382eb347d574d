//! SavvyCAN's own CSV log (its "GVRET" or native CSV, `.csv`), as SavvyCAN writes and reads it:
//! the header `Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8` (older files lack
//! `Dir`), then one row per frame: the time in microseconds, the id as 8 upper-case hex digits,
//! `true`/`false`, `Rx`/`Tx`, the bus number (from 0), the byte count and the data bytes in
//! hex, eight columns padded with `00` and a trailing comma:
//! `39747828,000005EB,false,Rx,0,8,E8,45,85,4B,4A,28,36,69,`.
//!
//! Reading: [`super::csv::CsvReader`] recognises the header and hands rows to `parse_row`;
//! columns are found by their header names, so the order may differ. The bus number `n` is
//! [`Channel::number`]`(n + 1)` (ASC/BLF channels count from 1, so bus 0 is ASC channel 1 and
//! candump's `can0`). A row marked `false` whose id needs 29 bits is kept as 29-bit and counted
//! (SavvyCAN does the same). More than 8 bytes (`LEN` up to 64, with as many data columns) is a
//! CAN FD frame: cankit writes FD frames that way; SavvyCAN itself reads their first 8 bytes.
//!
//! Writing (`--to savvycan`, [`super::csv::CsvWriter::savvycan`]) produces exactly SavvyCAN's
//! layout. The format has no place for
//! remote and error frames, BRS/ESI, events or channel names: those are counted in
//! [`LogWriter::losses`]. Remote frames are left out rather than written as data frames, which
//! would invent data bytes.

use std::io::Write;

use super::trc::{decimal_u32, hex_u32, scaled_decimal};
use super::{count, Counts};
use crate::digits::{push_hex, push_hex_byte};
use crate::frame::{Channel, Direction, Frame, FrameKind, Timestamp, MAX_DATA};

/// The header SavvyCAN writes.
pub const HEADER: &str = "Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8";

/// Most columns of a row this reader looks at: the six before the data and 64 data columns.
const MAX_FIELDS: usize = 6 + MAX_DATA;

/// Where each column of a SavvyCAN CSV is, from its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Columns {
    time: usize,
    id: usize,
    extended: usize,
    direction: Option<usize>,
    bus: usize,
    len: usize,
    /// `D1`; the data columns follow it.
    data: usize,
}

impl Columns {
    /// The columns named by `header` (a first line), if it is SavvyCAN's header: `Time Stamp`,
    /// `ID`, `Extended`, `Bus`, `LEN` and `D1` (any case, any order, `Dir` optional), with the
    /// data columns last.
    pub(crate) fn from_header(header: &[u8]) -> Option<Columns> {
        let mut found: [Option<usize>; 7] = [None; 7];
        const NAMES: [&[u8]; 7] = [b"time stamp", b"id", b"extended", b"dir", b"bus", b"len", b"d1"];
        for (i, name) in header.split(|&c| c == b',').enumerate() {
            let name = name.trim_ascii();
            if let Some(k) = NAMES.iter().position(|n| name.eq_ignore_ascii_case(n)) {
                found[k].get_or_insert(i);
            }
        }
        let [Some(time), Some(id), Some(extended), direction, Some(bus), Some(len), Some(data)] = found
        else {
            return None;
        };
        let before_data = [time, id, extended, bus, len].into_iter().chain(direction).all(|c| c < data);
        before_data.then_some(Columns { time, id, extended, direction, bus, len, data })
    }
}

/// One row as a frame, or what is wrong with it; the second value says the frame was kept as
/// 29-bit although the row marks it 11-bit.
pub(crate) fn parse_row(line: &[u8], columns: &Columns) -> Result<(Frame, Option<&'static str>), String> {
    let mut fields: [&[u8]; MAX_FIELDS] = [b""; MAX_FIELDS];
    let mut n = 0;
    for field in line.split(|&c| c == b',') {
        if n == MAX_FIELDS {
            break;
        }
        fields[n] = field.trim_ascii();
        n += 1;
    }
    let fields = &fields[..n];
    if n <= columns.len {
        return Err(format!("expected the columns of SavvyCAN's CSV ({HEADER}), found {n}"));
    }
    let field = |i: usize| fields.get(i).copied().unwrap_or_default();
    let time = field(columns.time);
    // Microseconds; nanoseconds from three decimals if a tool wrote them.
    let timestamp = scaled_decimal(time, 3)
        .ok_or_else(|| format!("'{}' is not a time in microseconds", time.escape_ascii()))?;
    let id_text = field(columns.id);
    let id = hex_u32(id_text)
        .filter(|&id| id <= crate::frame::MAX_EXTENDED_ID)
        .ok_or_else(|| format!("'{}' is not a CAN id (hex, at most 1FFFFFFF)", id_text.escape_ascii()))?;
    let extended_text = field(columns.extended);
    let extended = if extended_text.eq_ignore_ascii_case(b"true") || extended_text == b"1" {
        true
    } else if extended_text.eq_ignore_ascii_case(b"false") || extended_text == b"0" {
        false
    } else {
        return Err(format!("'{}' is not true or false (Extended)", extended_text.escape_ascii()));
    };
    let (extended, repair) = super::mend_extended(id, extended);
    let direction = match columns.direction.map(field) {
        None => Direction::Rx,
        Some(d) if d.eq_ignore_ascii_case(b"rx") => Direction::Rx,
        Some(d) if d.eq_ignore_ascii_case(b"tx") => Direction::Tx,
        Some(d) => return Err(format!("'{}' is not a direction (Rx or Tx)", d.escape_ascii())),
    };
    let bus_text = field(columns.bus);
    let bus = decimal_u32(bus_text)
        .filter(|&b| b < u32::MAX)
        .ok_or_else(|| format!("'{}' is not a bus number", bus_text.escape_ascii()))?;
    let len_text = field(columns.len);
    let len = decimal_u32(len_text)
        .filter(|&l| l as usize <= MAX_DATA)
        .ok_or_else(|| format!("'{}' is not a data length (0-64)", len_text.escape_ascii()))?
        as usize;
    let mut data = [0u8; MAX_DATA];
    for (i, byte) in data[..len].iter_mut().enumerate() {
        let text = fields.get(columns.data + i).copied().ok_or_else(|| {
            format!("LEN says {len} bytes but the row has {} data columns", n.saturating_sub(columns.data))
        })?;
        *byte = hex_u32(text)
            .filter(|_| text.len() <= 2)
            .ok_or_else(|| format!("data byte {} is '{}', not a hex byte", i + 1, text.escape_ascii()))?
            as u8;
    }
    let frame = if len > 8 {
        Frame::new_fd_padded(id, extended, &data[..len], false, false)
    } else {
        Frame::new_data(id, extended, &data[..len])
    }
    .map_err(|e| e.to_string())?;
    let frame = frame
        .with_timestamp(Timestamp(timestamp))
        .with_channel(Channel::number(bus + 1))
        .with_direction(direction);
    Ok((frame, repair))
}

/// One frame as a row of SavvyCAN's layout at the end of `b` (see the module documentation);
/// what the layout cannot hold is counted in `losses`. [`super::csv::CsvWriter::savvycan`] is
/// the writer.
pub(crate) fn push_row(b: &mut Vec<u8>, losses: &mut Counts, f: &Frame) {
    match f.kind() {
        FrameKind::Remote => return count(losses, "remote frames (SavvyCAN CSV has no RTR column)"),
        FrameKind::Error => return count(losses, "error frames (SavvyCAN CSV holds only frames)"),
        FrameKind::Fd if f.len() <= 8 => {
            count(losses, "CAN FD frames of 8 bytes or less (written as classic frames)")
        }
        FrameKind::Fd if f.brs() || f.esi() => {
            count(losses, "BRS/ESI flags (SavvyCAN CSV has no column for them)")
        }
        _ => {}
    }
    if f.channel.as_name().is_some_and(|name| trailing_number(name).is_none()) {
        count(losses, "channel names without a number (written as bus 0)");
    }
    let micros = f.timestamp.0.div_euclid(1000);
    let _ = write!(b, "{micros},");
    push_hex(b, f.id(), 8);
    b.extend_from_slice(if f.is_extended() { b",true," } else { b",false," });
    b.extend_from_slice(if f.direction == Direction::Tx { b"Tx," } else { b"Rx," });
    let _ = write!(b, "{},{},", bus_of(&f.channel), f.len());
    for &byte in f.data() {
        push_hex_byte(b, byte);
        b.push(b',');
    }
    for _ in f.len()..8 {
        b.extend_from_slice(b"00,");
    }
    b.push(b'\n');
}

/// SavvyCAN's bus number of a channel: numbered channels count from 1 (bus 0 is channel 1),
/// named ones by their trailing number (`can1` is bus 1); none is bus 0.
fn bus_of(channel: &Channel) -> u32 {
    if let Some(n) = channel.as_number() {
        n.saturating_sub(1)
    } else {
        channel.as_name().and_then(trailing_number).unwrap_or(0)
    }
}

/// The number at the end of a name (`vcan12` → 12).
fn trailing_number(name: &str) -> Option<u32> {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    name[name.len() - digits..].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::log::{LogWriter, Record};

    fn columns(header: &str) -> Columns {
        Columns::from_header(header.as_bytes()).unwrap()
    }

    #[test]
    fn headers_with_and_without_dir_are_recognised_and_others_are_not() {
        let v2 = columns(HEADER);
        assert_eq!((v2.direction, v2.bus, v2.len, v2.data), (Some(3), 4, 5, 6));
        let v1 = columns("Time Stamp,ID,Extended,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8");
        assert_eq!((v1.direction, v1.bus, v1.len, v1.data), (None, 3, 4, 5));
        assert!(Columns::from_header(b"timestamp,arbitration_id,extended,remote,error,dlc,data").is_none());
        assert!(Columns::from_header(b"Time Stamp,ID,Extended,Bus,D1,LEN").is_none());
    }

    #[test]
    fn rows_read_as_savvycan_reads_them() {
        let v2 = columns(HEADER);
        let (f, repair) = parse_row(b"39747828,000005EB,false,Rx,0,8,E8,45,85,4B,4A,28,36,69,", &v2).unwrap();
        assert_eq!(
            (f.id(), f.is_extended(), f.data()),
            (0x5EB, false, &[0xE8, 0x45, 0x85, 0x4B, 0x4A, 0x28, 0x36, 0x69][..])
        );
        assert_eq!(
            (f.timestamp, f.channel, f.direction, repair),
            (Timestamp(39_747_828_000), Channel::number(1), Direction::Rx, None)
        );
        let (f, repair) = parse_row(b"5,04444444,false,Tx,1,2,01,02,00,00,00,00,00,00,", &v2).unwrap();
        assert!(f.is_extended() && f.id() == 0x4444444 && f.data() == [1, 2]);
        assert_eq!(
            (f.channel, f.direction, repair),
            (Channel::number(2), Direction::Tx, Some(super::super::REPAIR_LONG_STANDARD_ID))
        );
        let v1 = columns("Time Stamp,ID,Extended,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8");
        let (f, _) = parse_row(b"1000,18FEF100,true,0,3,A,BB,CC,00,00,00,00,00,", &v1).unwrap();
        assert!(f.is_extended() && f.id() == 0x18FEF100 && f.data() == [0xA, 0xBB, 0xCC]);
        assert!(parse_row(b"1000,123,maybe,0,1,00", &v1).unwrap_err().contains("maybe"));
        assert!(parse_row(b"1000,123,false,0,3,00,01", &v1).unwrap_err().contains("LEN says 3"));
        assert!(parse_row(b"1000,123,false,0,1,GG", &v1).unwrap_err().contains("GG"));
        assert!(parse_row(b"x,123,false,0,1,00", &v1).unwrap_err().contains("microseconds"));
        assert!(parse_row(b"1000,123", &v1).unwrap_err().contains("found 2"));
    }

    #[test]
    fn writer_writes_savvycan_rows_and_counts_what_it_cannot_hold() {
        let path = tempfile::NamedTempFile::new().unwrap();
        let file = std::fs::File::create(path.path()).unwrap();
        let mut w = super::super::csv::CsvWriter::savvycan(Box::new(file), "out.csv");
        let frames = [
            Frame::new_data(0x5EB, false, &[0xE8, 0x45]).unwrap().with_timestamp(Timestamp(39_747_828_999)),
            Frame::new_data(0x18FEF100, true, &[1; 8])
                .unwrap()
                .with_channel(Channel::number(2))
                .with_direction(Direction::Tx),
            Frame::new_fd(0x10, false, &[7; 12], true, false).unwrap().with_channel(Channel::name("vcan1")),
            Frame::new_remote(0x10, false, 2).unwrap(),
        ];
        for f in frames {
            w.write(&Record::Frame(f)).unwrap();
        }
        w.finish().unwrap();
        let text = std::fs::read_to_string(path.path()).unwrap();
        let want = format!(
            "{HEADER}\n39747828,000005EB,false,Rx,0,2,E8,45,00,00,00,00,00,00,\n\
             0,18FEF100,true,Tx,1,8,01,01,01,01,01,01,01,01,\n\
             0,00000010,false,Rx,1,12,{}\n",
            "07,".repeat(12)
        );
        assert_eq!(text, want);
        assert_eq!(w.losses().values().sum::<u64>(), 2, "{:?}", w.losses());
        let columns = columns(HEADER);
        let back: Vec<Frame> =
            text.lines().skip(1).map(|l| parse_row(l.as_bytes(), &columns).unwrap().0).collect();
        assert_eq!(back[1].channel, Channel::number(2));
        assert!(back[2].is_fd() && back[2].data() == [7; 12]);
    }
}
