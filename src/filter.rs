//! Which frames to keep: candump's filter syntax (`123:7FF`, `123~7FF`, `#errmask`, `j`), also
//! accepted by python-can's `can.logger --filter`, plus data matchers on the first payload bytes
//! (caneth's `--d0/--d1`, `--data-prefix`).
//!
//! A [`FilterSet`] matches exactly as the kernel's `CAN_RAW` filters do, on the full SocketCAN
//! `can_id` including the `EFF`/`RTR` flag bits, so applying it in user space gives the same result
//! as installing it in the kernel. The SocketCAN backend installs [`FilterSet::id_filters`] and
//! [`FilterSet::error_mask`] in the kernel; the bus applies the whole set in user space anyway
//! (data matchers have no kernel equivalent).

use std::fmt;

use crate::frame::{Frame, CAN_EFF_FLAG, CAN_ERR_FLAG};

/// All SocketCAN error classes (`CAN_ERR_MASK`).
pub const ALL_ERRORS: u32 = 0x1FFF_FFFF;

/// One id/mask filter as `struct can_filter`: passes when `can_id & mask == id & mask`, or when it
/// does not, if inverted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdFilter {
    /// Filter id including `CAN_EFF_FLAG`/`CAN_RTR_FLAG` bits where they should match.
    pub id: u32,
    pub mask: u32,
    pub inverted: bool,
}

impl IdFilter {
    pub fn matches(&self, can_id: u32) -> bool {
        let hit = can_id & self.mask == self.id & self.mask;
        hit != self.inverted
    }

    /// Exactly this identifier (standard or extended), data and remote frames alike.
    pub fn exact(id: u32, extended: bool) -> IdFilter {
        IdFilter::masked(id, if extended { 0x1FFF_FFFF } else { 0x7FF }, extended)
    }

    /// `id & mask` on identifiers of one width (standard or extended).
    pub fn masked(id: u32, mask: u32, extended: bool) -> IdFilter {
        let eff = if extended { CAN_EFF_FLAG } else { 0 };
        IdFilter { id: (id & 0x1FFF_FFFF) | eff, mask: (mask & 0x1FFF_FFFF) | CAN_EFF_FLAG, inverted: false }
    }
}

/// The payload byte at `offset`, compared under `mask`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataMatch {
    pub offset: usize,
    pub value: u8,
    pub mask: u8,
}

/// A set of filters: id filters OR'ed (AND'ed with `join`), an error-class mask for error frames,
/// and data matchers that must all hold. The default passes every frame, error frames included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterSet {
    id_filters: Vec<IdFilter>,
    error_mask: u32,
    join: bool,
    data: Vec<DataMatch>,
}

impl Default for FilterSet {
    fn default() -> Self {
        FilterSet::pass_all()
    }
}

/// A filter expression that could not be parsed, with the position of the offending character.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter '{input}' at character {}: {message} (expected <id>:<mask>, <id>~<mask>, #<errmask> or j)", pos + 1)]
pub struct FilterError {
    pub input: String,
    pub pos: usize,
    pub message: String,
}

impl FilterSet {
    /// Every data frame and every error frame.
    pub fn pass_all() -> FilterSet {
        FilterSet { id_filters: Vec::new(), error_mask: ALL_ERRORS, join: false, data: Vec::new() }
    }

    /// No error frames, and every data frame until id filters are added (the kernel's default).
    /// Error frames pass only if [`set_error_mask`] says so.
    ///
    /// [`set_error_mask`]: FilterSet::set_error_mask
    pub fn none() -> FilterSet {
        FilterSet { id_filters: Vec::new(), error_mask: 0, join: false, data: Vec::new() }
    }

    /// Parse candump filter expressions, each comma-separated (`123:7FF,400~700,#FF,j`). As in
    /// candump: when any expression is given, error frames pass only through a `#mask`; without
    /// id filters every data frame passes (a lone `#mask` adds error frames to all data frames;
    /// `0~0,#mask` means error frames only), and an empty list passes everything.
    pub fn parse<S: AsRef<str>>(exprs: &[S]) -> Result<FilterSet, FilterError> {
        let mut set = FilterSet::none();
        let mut any = false;
        for expr in exprs {
            let expr = expr.as_ref();
            let mut start = 0;
            for part in expr.split(',') {
                set.add_candump(expr, start, part)?;
                any = true;
                start += part.len() + 1;
            }
        }
        if !any {
            return Ok(FilterSet::pass_all());
        }
        Ok(set)
    }

    fn add_candump(&mut self, input: &str, start: usize, part: &str) -> Result<(), FilterError> {
        let err = |pos: usize, message: &str| FilterError {
            input: input.to_string(),
            pos: start + pos,
            message: message.to_string(),
        };
        let part_trim = part.trim();
        let lead = part.len() - part.trim_start().len();
        if part_trim.is_empty() {
            return Err(err(0, "empty filter"));
        }
        if part_trim.eq_ignore_ascii_case("j") {
            self.join = true;
            return Ok(());
        }
        if let Some(hex) = part_trim.strip_prefix('#') {
            let mask = parse_hex_u32(hex).map_err(|p| err(lead + 1 + p, "expected a hex error mask"))?;
            self.error_mask |= mask & ALL_ERRORS;
            return Ok(());
        }
        let sep = part_trim
            .find([':', '~'])
            .ok_or_else(|| err(lead + part_trim.len().min(part_trim.len()), "missing ':' or '~'"))?;
        let (id_text, rest) = part_trim.split_at(sep);
        let inverted = rest.starts_with('~');
        let mask_text = &rest[1..];
        let mut id = parse_hex_u32(id_text).map_err(|p| err(lead + p, "expected a hex identifier"))?;
        let mask = parse_hex_u32(mask_text).map_err(|p| err(lead + sep + 1 + p, "expected a hex mask"))?;
        if id_text.len() == 8 {
            id |= CAN_EFF_FLAG;
        }
        self.id_filters.push(IdFilter { id, mask: mask & !CAN_ERR_FLAG, inverted });
        Ok(())
    }

    /// Add an id filter (OR'ed with the others unless joined).
    pub fn add(&mut self, filter: IdFilter) -> &mut Self {
        self.id_filters.push(filter);
        self
    }

    /// Require the payload byte at `offset` to equal `value` under `mask`.
    pub fn add_data_match(&mut self, m: DataMatch) -> &mut Self {
        self.data.push(m);
        self
    }

    /// Pass error frames of these classes (OR'ed into the existing mask).
    pub fn set_error_mask(&mut self, mask: u32) -> &mut Self {
        self.error_mask = mask & ALL_ERRORS;
        self
    }

    /// Require every id filter to pass instead of any.
    pub fn set_join(&mut self, join: bool) -> &mut Self {
        self.join = join;
        self
    }

    /// The id filters as given; see [`kernel_id_filters`](Self::kernel_id_filters) for what to
    /// install in the kernel.
    pub fn id_filters(&self) -> &[IdFilter] {
        &self.id_filters
    }

    /// What to install with `CAN_RAW_FILTER`: the id filters, or `0:0` (every data frame, the
    /// kernel's own default, as candump leaves it) when there are none.
    pub fn kernel_id_filters(&self) -> Vec<IdFilter> {
        if self.id_filters.is_empty() {
            vec![IdFilter { id: 0, mask: 0, inverted: false }]
        } else {
            self.id_filters.clone()
        }
    }

    pub fn error_mask(&self) -> u32 {
        self.error_mask
    }

    pub fn join(&self) -> bool {
        self.join
    }

    pub fn data_matches(&self) -> &[DataMatch] {
        &self.data
    }

    /// True when the set lets everything through (nothing to do in user space).
    pub fn is_pass_all(&self) -> bool {
        self.id_filters.is_empty() && self.data.is_empty() && self.error_mask == ALL_ERRORS
    }

    /// Does the frame pass? Same answer the kernel gives for the id part.
    pub fn matches(&self, frame: &Frame) -> bool {
        if frame.is_error() {
            return frame.id() & self.error_mask != 0;
        }
        let can_id = frame.socketcan_id();
        let ids_pass = if self.id_filters.is_empty() {
            true
        } else if self.join {
            self.id_filters.iter().all(|f| f.matches(can_id))
        } else {
            self.id_filters.iter().any(|f| f.matches(can_id))
        };
        ids_pass && self.data_pass(frame)
    }

    fn data_pass(&self, frame: &Frame) -> bool {
        let data = frame.data();
        self.data.iter().all(|m| data.get(m.offset).is_some_and(|b| b & m.mask == m.value & m.mask))
    }
}

impl fmt::Display for FilterSet {
    /// candump syntax, comma-separated; data matchers as `d<offset>=<value>/<mask>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        for flt in &self.id_filters {
            let sep = if flt.inverted { '~' } else { ':' };
            if flt.id & CAN_EFF_FLAG != 0 {
                parts.push(format!("{:08X}{}{:X}", flt.id & !CAN_EFF_FLAG, sep, flt.mask));
            } else {
                parts.push(format!("{:03X}{}{:X}", flt.id, sep, flt.mask));
            }
        }
        if self.error_mask != 0 && !(self.id_filters.is_empty() && self.error_mask == ALL_ERRORS) {
            parts.push(format!("#{:X}", self.error_mask));
        }
        if self.join {
            parts.push("j".into());
        }
        for m in &self.data {
            parts.push(format!("d{}={:02X}/{:02X}", m.offset, m.value, m.mask));
        }
        if parts.is_empty() {
            return f.write_str("everything");
        }
        f.write_str(&parts.join(","))
    }
}

/// Parse 1–8 hex digits (an optional `0x` is accepted); on error, the offset of the bad character.
pub fn parse_hex_u32(s: &str) -> Result<u32, usize> {
    let (digits, off) = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(d) => (d, 2),
        None => (s, 0),
    };
    if digits.is_empty() {
        return Err(off);
    }
    let mut v: u32 = 0;
    for (i, c) in digits.char_indices() {
        let d = c.to_digit(16).ok_or(off + i)?;
        if i >= 8 {
            return Err(off + i);
        }
        v = (v << 4) | d;
    }
    Ok(v)
}

/// Parse a number the way people type ids and bytes on a command line: hex by default (`123`,
/// `0x123`), decimal with a `d` prefix is not supported on purpose: CAN ids are always hex in
/// can-utils, so plain digits are hex too.
pub fn parse_hex_arg(s: &str) -> Result<u32, String> {
    parse_hex_u32(s.trim()).map_err(|p| format!("'{s}' is not a hex number (bad character at {})", p + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn std(id: u32) -> Frame {
        Frame::new_data(id, false, &[1, 2, 3]).unwrap()
    }
    fn ext(id: u32) -> Frame {
        Frame::new_data(id, true, &[1, 2, 3]).unwrap()
    }

    #[test]
    fn empty_filter_list_passes_everything_including_errors() {
        let f = FilterSet::parse::<&str>(&[]).unwrap();
        assert!(f.is_pass_all());
        assert!(f.matches(&std(0x123)));
        assert!(f.matches(&Frame::new_error(0x40, [0; 8]).unwrap()));
    }

    #[test]
    fn id_mask_matches_standard_and_extended_like_the_kernel() {
        let f = FilterSet::parse(&["123:7FF"]).unwrap();
        assert!(f.matches(&std(0x123)));
        assert!(f.matches(&ext(0x123)), "candump: 123:7FF includes EFF frames");
        assert!(!f.matches(&std(0x124)));
        assert!(!f.matches(&Frame::new_error(0x40, [0; 8]).unwrap()), "no #mask: no error frames");
        let only_ext = FilterSet::parse(&["12345678:DFFFFFFF"]).unwrap();
        assert!(only_ext.matches(&ext(0x12345678)));
        assert!(!only_ext.matches(&std(0x678)));
        let sff_no_rtr = FilterSet::parse(&["123:C00007FF"]).unwrap();
        assert!(sff_no_rtr.matches(&std(0x123)));
        assert!(!sff_no_rtr.matches(&Frame::new_remote(0x123, false, 0).unwrap()));
        assert!(!sff_no_rtr.matches(&ext(0x123)));
    }

    #[test]
    fn inverted_joined_and_error_filters() {
        let inv = FilterSet::parse(&["400~7F0"]).unwrap();
        assert!(!inv.matches(&std(0x405)));
        assert!(inv.matches(&std(0x123)));
        let errs = FilterSet::parse(&["0~0,#FFFFFFFF"]).unwrap();
        assert!(!errs.matches(&std(0x1)));
        assert!(errs.matches(&Frame::new_error(0x40, [0; 8]).unwrap()));
        let joined = FilterSet::parse(&["100:700,0~F,j"]).unwrap();
        assert!(joined.matches(&std(0x105)));
        assert!(!joined.matches(&std(0x100)));
        assert!(!joined.matches(&std(0x205)));
        let or = FilterSet::parse(&["100:7FF", "200:7FF"]).unwrap();
        assert!(or.matches(&std(0x100)) && or.matches(&std(0x200)) && !or.matches(&std(0x300)));
    }

    #[test]
    fn error_mask_alone_keeps_all_data_frames_like_candump() {
        let f = FilterSet::parse(&["#40"]).unwrap();
        assert_eq!(f.kernel_id_filters(), vec![IdFilter { id: 0, mask: 0, inverted: false }]);
        assert!(f.matches(&std(0x1)));
        assert!(f.matches(&Frame::new_error(0x40, [0; 8]).unwrap()));
        assert!(!f.matches(&Frame::new_error(0x2, [0; 8]).unwrap()));
    }

    #[test]
    fn data_matchers_need_the_bytes() {
        let mut f = FilterSet::pass_all();
        f.add_data_match(DataMatch { offset: 0, value: 1, mask: 0xFF });
        f.add_data_match(DataMatch { offset: 2, value: 3, mask: 0xFF });
        assert!(f.matches(&std(0x1)));
        assert!(!f.matches(&Frame::new_data(1, false, &[1, 2]).unwrap()));
        assert!(!f.matches(&Frame::new_data(1, false, &[2, 2, 3]).unwrap()));
    }

    #[test]
    fn bad_filters_point_at_the_character() {
        let e = FilterSet::parse(&["123:7FF,12G:7FF"]).unwrap_err();
        assert_eq!(e.pos, 10, "{e}");
        let e = FilterSet::parse(&["123"]).unwrap_err();
        assert!(e.to_string().contains("missing ':' or '~'"), "{e}");
        let e = FilterSet::parse(&["123:"]).unwrap_err();
        assert_eq!(e.pos, 4);
        assert!(FilterSet::parse(&["#"]).is_err());
        assert!(FilterSet::parse(&["123456789:7FF"]).is_err());
    }
}
