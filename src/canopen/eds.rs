//! CiA 306 EDS and DCF files: read into an [`ObjectDictionary`] (with the quirks real files
//! have, each tolerated with a [`Warning`] that names file, line, section and key), written back
//! as a DCF ([`to_dcf`], which [`parse`] reads back to the same values), and described for a
//! human ([`report`]). The INI syntax is read by hand, as python's `configparser` reads it
//! (case-insensitive keys, whole-line `;`/`#` comments, inline ` ;` comments); what the values
//! mean is [`super::types`]'s business, and what the node does with them is [`super::node`]'s.
//! A file is refused only when it is hopeless: too large, binary, not INI, or without a single
//! object section.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::{self, Write as _};
use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::od::{Access, DeviceInfo, Entry, Object, ObjectDictionary, ObjectKind};
use super::types::{self, DataType, Number};

/// The largest file read; real EDS files are well under 1 MiB, and this bounds what a hostile
/// file can make us allocate.
pub const MAX_FILE_SIZE: usize = 16 << 20;

/// Warnings kept per file; a garbage file could otherwise make one per line. The rest are counted
/// in a last warning.
const MAX_WARNINGS: usize = 1000;

/// The object lists of CiA 306 §4.5.3; every object section should be in one of them.
const OBJECT_LISTS: [&str; 3] = ["MandatoryObjects", "OptionalObjects", "ManufacturerObjects"];

/// The objects CiA 301 requires of every device.
const MANDATORY: [u16; 3] = [0x1000, 0x1001, 0x1018];

/// The bit rates (kbit/s) `[DeviceInfo]` may offer as `BaudRate_<rate>=1`.
const BAUD_RATES: [u32; 8] = [10, 20, 50, 125, 250, 500, 800, 1000];

/// Where a problem is: file, line (1-based), section, key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: Option<usize>,
    pub section: Option<String>,
    pub key: Option<String>,
}

impl Location {
    fn file(file: &str) -> Location {
        Location { file: file.to_string(), line: None, section: None, key: None }
    }
}

impl fmt::Display for Location {
    /// `device.eds:57: [1018sub1] DefaultValue`, leaving out what is not known.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        match (&self.section, &self.key) {
            (Some(section), Some(key)) => write!(f, ": [{section}] {key}"),
            (Some(section), None) => write!(f, ": [{section}]"),
            (None, Some(key)) => write!(f, ": {key}"),
            (None, None) => Ok(()),
        }
    }
}

/// A tolerated quirk: `device.eds:57: [1018sub1] DefaultValue: <message>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// A file that cannot be read as an EDS or DCF at all.
#[derive(Debug, thiserror::Error)]
pub enum EdsError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{location}: {size} bytes, more than the {MAX_FILE_SIZE} an EDS may have")]
    TooLarge { location: Location, size: u64 },
    #[error("{location}: {message}")]
    NotIni { location: Location, message: String },
    #[error("{location}: no object sections ([1000], [1018sub1], ...): not an EDS or DCF")]
    NoObjects { location: Location },
}

impl EdsError {
    /// Where the problem is (the path, for I/O errors).
    pub fn location(&self) -> Location {
        match self {
            EdsError::Io { path, .. } => Location::file(&path.display().to_string()),
            EdsError::TooLarge { location, .. }
            | EdsError::NotIni { location, .. }
            | EdsError::NoObjects { location } => location.clone(),
        }
    }
}

/// What [`load`] and [`parse`] give: the dictionary and everything that was odd about the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub dictionary: ObjectDictionary,
    pub warnings: Vec<Warning>,
    /// A DCF's `[DeviceComissioning] NodeID`.
    pub node_id: Option<u8>,
    /// The file is a DCF (has `[DeviceComissioning]` or a `.dcf` name).
    pub is_dcf: bool,
}

/// Read an EDS or DCF from a file; `node_id` resolves `$NODEID` (1..=127). Without it, a DCF's
/// `[DeviceComissioning] NodeID` does; with neither, `$NODEID` is 0 and one warning says so.
/// Text that is not UTF-8 is read as Latin-1 (as vendors' Windows tools write it), with a warning.
pub fn load(path: &Path, node_id: Option<u8>) -> Result<Loaded, EdsError> {
    let io = |source| EdsError::Io { path: path.to_path_buf(), source };
    let file_name = path.display().to_string();
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_FILE_SIZE as u64 {
        return Err(EdsError::TooLarge { location: Location::file(&file_name), size });
    }
    // take() bounds the read even when the file grows after the check.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_SIZE as u64 + 1).read_to_end(&mut bytes))
        .map_err(io)?;
    if bytes.len() > MAX_FILE_SIZE {
        return Err(EdsError::TooLarge { location: Location::file(&file_name), size: bytes.len() as u64 });
    }
    let (text, latin1) = match String::from_utf8(bytes) {
        Ok(text) => (text, false),
        Err(e) => (e.into_bytes().iter().map(|&b| char::from(b)).collect::<String>(), true),
    };
    // Latin-1 text grows in UTF-8, so the size was checked on the bytes, not again here.
    let mut loaded = parse_unchecked(&text, &file_name, node_id)?;
    if latin1 {
        let warning =
            Warning { location: Location::file(&file_name), message: "not UTF-8; read as Latin-1".into() };
        loaded.warnings.insert(0, warning);
    }
    loaded.dictionary.source = Some(path.to_path_buf());
    Ok(loaded)
}

/// Read an EDS or DCF from its text; `file_name` is for messages.
pub fn parse(text: &str, file_name: &str, node_id: Option<u8>) -> Result<Loaded, EdsError> {
    if text.len() > MAX_FILE_SIZE {
        return Err(EdsError::TooLarge { location: Location::file(file_name), size: text.len() as u64 });
    }
    parse_unchecked(text, file_name, node_id)
}

/// [`parse`] without the size check. No more than 65536 objects can come out: an object section
/// is named by 4 hex digits, and a repeated one is merged.
fn parse_unchecked(text: &str, file_name: &str, node_id: Option<u8>) -> Result<Loaded, EdsError> {
    let mut diag = Diag { file: file_name.to_string(), warnings: Vec::new(), suppressed: 0 };
    let ini = read_ini(text, &mut diag)?;
    let mut reader = Reader {
        ini: &ini,
        diag,
        node_id: node_id.unwrap_or(0),
        node_id_known: node_id.is_some(),
        node_id_warned: false,
        referenced_types: BTreeSet::new(),
    };
    let loaded = reader.read(node_id, file_name)?;
    Ok(loaded)
}

// ---------------------------------------------------------------------------------------------
// The INI layer.

/// One `Key=Value` line.
struct Value {
    /// The key as written, for messages.
    key: String,
    text: String,
    line: usize,
}

/// One `[Section]`, with its keys by lower-cased name (duplicates merged, last wins).
struct Section {
    /// The name as written, for messages.
    name: String,
    line: usize,
    keys: HashMap<String, Value>,
}

impl Section {
    fn get(&self, key: &str) -> Option<&Value> {
        self.keys.get(&key.to_ascii_lowercase())
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.get(key).map(|v| v.text.as_str())
    }
}

struct Ini {
    /// In file order (a repeated section keeps its first place).
    sections: Vec<Section>,
    by_name: HashMap<String, usize>,
}

impl Ini {
    fn section(&self, name: &str) -> Option<&Section> {
        self.by_name.get(&name.to_ascii_lowercase()).and_then(|&i| self.sections.get(i))
    }
}

/// Collects warnings with their locations, up to [`MAX_WARNINGS`].
struct Diag {
    file: String,
    warnings: Vec<Warning>,
    suppressed: usize,
}

impl Diag {
    fn warn(
        &mut self,
        line: Option<usize>,
        section: Option<&str>,
        key: Option<&str>,
        message: impl Into<String>,
    ) {
        if self.warnings.len() >= MAX_WARNINGS {
            self.suppressed += 1;
            return;
        }
        let location = Location {
            file: self.file.clone(),
            line,
            section: section.map(str::to_string),
            key: key.map(str::to_string),
        };
        self.warnings.push(Warning { location, message: message.into() });
    }

    /// A warning about a key of a section: at the key's line, or the section's if it is missing.
    fn at_key(&mut self, section: &Section, key: &str, message: impl Into<String>) {
        let (line, key) = match section.get(key) {
            Some(v) => (v.line, v.key.as_str()),
            None => (section.line, key),
        };
        self.warn(Some(line), Some(&section.name), Some(key), message);
    }

    fn at_section(&mut self, section: &Section, message: impl Into<String>) {
        self.warn(Some(section.line), Some(&section.name), None, message);
    }

    /// The warnings in file order (whole-file ones last), as a reader of the file expects them.
    fn finish(mut self) -> Vec<Warning> {
        self.warnings.sort_by_key(|w| w.location.line.unwrap_or(usize::MAX));
        if self.suppressed > 0 {
            let message = format!("{} more warnings not shown", self.suppressed);
            self.warnings.push(Warning { location: Location::file(&self.file), message });
        }
        self.warnings
    }
}

fn not_ini(diag: &Diag, line: usize, message: &str) -> EdsError {
    let location = Location { file: diag.file.clone(), line: Some(line), section: None, key: None };
    EdsError::NotIni { location, message: message.to_string() }
}

/// Split the text into sections and keys as `configparser` would, warning where it would not
/// have been so lenient. Binary data, or text with no `[Section]` before its first key, is not
/// INI at all.
fn read_ini(text: &str, diag: &mut Diag) -> Result<Ini, EdsError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut ini = Ini { sections: Vec::new(), by_name: HashMap::new() };
    let mut current: Option<usize> = None;
    for (number, raw) in text.split('\n').enumerate() {
        let line = number + 1;
        if raw.contains('\0') {
            return Err(not_ini(diag, line, "binary data (a NUL byte), not an INI file"));
        }
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with(';') || trimmed.starts_with('#') {
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let Some(end) = rest.find(']') else {
                diag.warn(
                    Some(line),
                    None,
                    None,
                    format!("{trimmed:?}: a section header without ']'; ignored"),
                );
                current = None;
                continue;
            };
            let name = rest[..end].trim();
            let lower = name.to_ascii_lowercase();
            match ini.by_name.get(&lower) {
                Some(&i) => {
                    diag.warn(
                        Some(line),
                        Some(name),
                        None,
                        "section repeated; its keys are merged, the last value wins",
                    );
                    current = Some(i);
                }
                None => {
                    ini.by_name.insert(lower, ini.sections.len());
                    current = Some(ini.sections.len());
                    ini.sections.push(Section { name: name.to_string(), line, keys: HashMap::new() });
                }
            }
            continue;
        }
        let Some(i) = current else {
            if ini.sections.is_empty() {
                return Err(not_ini(diag, line, "a line before any [Section]: not an INI file"));
            }
            diag.warn(Some(line), None, None, "a line after a broken section header; ignored");
            continue;
        };
        let Some(section) = ini.sections.get_mut(i) else { continue };
        let Some((key, value)) = trimmed.split_once('=') else {
            diag.warn(
                Some(line),
                Some(&section.name),
                None,
                format!("{trimmed:?} is not Key=Value; ignored"),
            );
            continue;
        };
        let key = key.trim();
        let mut value = value.trim();
        // configparser's inline_comment_prefixes=(';',): a ';' after whitespace starts a comment.
        if let Some(at) = inline_comment(value) {
            value = value[..at].trim_end();
            diag.warn(
                Some(line),
                Some(&section.name),
                Some(key),
                "a comment after the value (CiA 306 has only whole-line comments); ignored",
            );
        }
        let value = Value { key: key.to_string(), text: value.to_string(), line };
        if let Some(old) = section.keys.insert(key.to_ascii_lowercase(), value) {
            let message = format!("key repeated (first on line {}); the last value wins", old.line);
            diag.warn(Some(line), Some(&section.name), Some(key), message);
        }
    }
    if ini.sections.is_empty() {
        return Err(not_ini(diag, 1, "no [Section] at all: not an INI file"));
    }
    Ok(ini)
}

/// Where a `;` preceded by whitespace starts a trailing comment.
fn inline_comment(value: &str) -> Option<usize> {
    let bytes = value.as_bytes();
    (1..bytes.len()).find(|&i| bytes[i] == b';' && bytes[i - 1].is_ascii_whitespace())
}

// ---------------------------------------------------------------------------------------------
// Sections into objects.

/// What a section's name says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SectionKind {
    Object(u16),
    Sub(u16, u8),
    Names(u16),
    Values(u16),
    Other,
}

fn classify(name: &str) -> SectionKind {
    let (Some(head), Some(tail)) = (name.get(..4), name.get(4..)) else { return SectionKind::Other };
    let Some(index) = hex4(head) else { return SectionKind::Other };
    if tail.is_empty() {
        return SectionKind::Object(index);
    }
    let lower = tail.to_ascii_lowercase();
    if let Some(sub) = lower.strip_prefix("sub") {
        // More than two digits (sub100) is not a sub-index; such a section is reported as unknown.
        if !sub.is_empty() && sub.len() <= 2 && sub.bytes().all(|b| b.is_ascii_hexdigit()) {
            if let Ok(sub) = u8::from_str_radix(sub, 16) {
                return SectionKind::Sub(index, sub);
            }
        }
        return SectionKind::Other;
    }
    match lower.as_str() {
        "name" => SectionKind::Names(index),
        "value" => SectionKind::Values(index),
        _ => SectionKind::Other,
    }
}

fn hex4(text: &str) -> Option<u16> {
    if text.len() == 4 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        u16::from_str_radix(text, 16).ok()
    } else {
        None
    }
}

/// The sections every EDS may have besides the objects; others are vendor extensions, ignored.
const KNOWN_SECTIONS: [&str; 10] = [
    "FileInfo",
    "DeviceInfo",
    "DummyUsage",
    "Comments",
    "MandatoryObjects",
    "OptionalObjects",
    "ManufacturerObjects",
    "DeviceComissioning",
    "Tools",
    "DynamicChannels",
];

struct Reader<'a> {
    ini: &'a Ini,
    diag: Diag,
    node_id: u8,
    /// Whether `node_id` came from the caller or the DCF; `$NODEID` without one warns once.
    node_id_known: bool,
    node_id_warned: bool,
    /// Non-basic `DataType` codes that entries used, so their DEFTYPE sections are not reported.
    referenced_types: BTreeSet<u16>,
}

impl Reader<'_> {
    fn read(&mut self, node_id: Option<u8>, file_name: &str) -> Result<Loaded, EdsError> {
        let ini = self.ini;
        let mut od = ObjectDictionary::new();
        let mut dcf_node_id = None;
        let mut is_dcf = file_name.to_ascii_lowercase().ends_with(".dcf");
        if let Some(s) = ini.section("DeviceComissioning") {
            is_dcf = true;
            dcf_node_id = self.dcf_node_id(s);
        }
        if node_id.is_none() {
            if let Some(id) = dcf_node_id {
                self.node_id = id;
                self.node_id_known = true;
            }
        }
        match ini.section("DeviceInfo") {
            Some(s) => od.device = self.device_info(s),
            None => self.diag.warn(None, Some("DeviceInfo"), None, "missing (CiA 306 requires it)"),
        }
        if let Some(s) = ini.section("DummyUsage") {
            od.dummy_usage = self.dummy_usage(s);
        }

        // Group the sections by what they describe.
        let mut objects: Vec<(u16, &Section)> = Vec::new();
        let mut subs: BTreeMap<u16, BTreeMap<u8, &Section>> = BTreeMap::new();
        let mut extra: HashMap<u16, &Section> = HashMap::new();
        for s in &ini.sections {
            match classify(&s.name) {
                SectionKind::Object(index) => objects.push((index, s)),
                SectionKind::Sub(index, sub) => {
                    if s.name.get(4..7) != Some("sub") {
                        self.diag.at_section(s, "CiA 306 spells sub-object sections with a lower-case 'sub'");
                    }
                    if subs.entry(index).or_default().insert(sub, s).is_some() {
                        self.diag
                            .at_section(s, format!("sub-index 0x{sub:02X} described twice; the last wins"));
                    }
                }
                SectionKind::Names(index) | SectionKind::Values(index) => {
                    extra.insert(index, s);
                }
                SectionKind::Other => {
                    if !KNOWN_SECTIONS.iter().any(|k| k.eq_ignore_ascii_case(&s.name)) {
                        self.unknown_section(s);
                    }
                }
            }
        }
        if objects.is_empty() {
            return Err(EdsError::NoObjects { location: Location::file(file_name) });
        }
        let object_indices: BTreeSet<u16> = objects.iter().map(|(i, _)| *i).collect();
        for (index, s) in
            &ini.sections.iter().filter_map(|s| sub_orphan(s, &object_indices)).collect::<Vec<_>>()
        {
            self.diag.at_section(
                s,
                format!("a sub-object of 0x{index:04X}, which has no [{index:04X}] section; skipped"),
            );
        }

        let mut skipped_types: Vec<(u16, &Section)> = Vec::new();
        for &(index, s) in &objects {
            let empty = BTreeMap::new();
            let object_subs = subs.get(&index).unwrap_or(&empty);
            match self.object(index, s, object_subs) {
                Built::Object(object) => od.insert(index, object),
                Built::TypeDefinition => skipped_types.push((index, s)),
                Built::Skipped => {}
            }
        }
        for (index, s) in skipped_types {
            if !self.referenced_types.contains(&index) {
                self.diag.at_key(
                    s,
                    "ObjectType",
                    "a type definition (NULL, DEFTYPE or DEFSTRUCT) no entry uses; skipped",
                );
            }
        }
        for (index, s) in extra {
            if !object_indices.contains(&index) {
                self.diag.at_section(
                    s,
                    format!("names or values for 0x{index:04X}, which has no [{index:04X}] section; ignored"),
                );
            }
        }
        self.check_lists(&objects);
        for index in MANDATORY {
            if !od.contains(index) {
                self.diag.warn(
                    None,
                    None,
                    None,
                    format!("mandatory object 0x{index:04X} is missing or unusable"),
                );
            }
        }
        let warnings = std::mem::replace(
            &mut self.diag,
            Diag { file: String::new(), warnings: Vec::new(), suppressed: 0 },
        )
        .finish();
        Ok(Loaded { dictionary: od, warnings, node_id: dcf_node_id, is_dcf })
    }

    fn unknown_section(&mut self, s: &Section) {
        let lower = s.name.to_ascii_lowercase();
        // [1018sub100] and the like look like objects but are not; plain vendor sections are fine.
        if s.name.get(..4).and_then(hex4).is_some() && lower.get(4..).is_some_and(|t| t.starts_with("sub")) {
            self.diag
                .at_section(s, "not a sub-object section (the sub-index must be 1 or 2 hex digits); ignored");
        }
    }

    fn dcf_node_id(&mut self, s: &Section) -> Option<u8> {
        let text = s.text("NodeID")?;
        if text.is_empty() {
            return None;
        }
        match types::parse_integer(text, 0) {
            Ok(id @ 1..=127) => u8::try_from(id).ok(),
            Ok(id) => {
                self.diag.at_key(s, "NodeID", format!("{id} is not a node-ID (1..=127); ignored"));
                None
            }
            Err(e) => {
                self.diag.at_key(s, "NodeID", format!("{e}; ignored"));
                None
            }
        }
    }

    /// An integer key of a header section; blank is absent (editors leave `VendorNumber=`).
    fn header_number(&mut self, s: &Section, key: &str) -> Option<i128> {
        let text = s.text(key)?;
        if text.is_empty() {
            return None;
        }
        match types::parse_integer(text, 0) {
            Ok(n) => Some(n),
            Err(e) => {
                self.diag.at_key(s, key, format!("{e}; ignored"));
                None
            }
        }
    }

    fn header_u32(&mut self, s: &Section, key: &str) -> Option<u32> {
        let n = self.header_number(s, key)?;
        let v = u32::try_from(n).ok();
        if v.is_none() {
            self.diag.at_key(s, key, format!("{n} does not fit 32 bits; ignored"));
        }
        v
    }

    fn device_info(&mut self, s: &Section) -> DeviceInfo {
        let text = |key: &str| s.text(key).unwrap_or_default().to_string();
        let mut info = DeviceInfo {
            vendor_name: text("VendorName"),
            product_name: text("ProductName"),
            order_code: text("OrderCode"),
            ..DeviceInfo::default()
        };
        info.vendor_number = self.header_u32(s, "VendorNumber");
        info.product_number = self.header_u32(s, "ProductNumber");
        info.revision_number = self.header_u32(s, "RevisionNumber");
        for rate in BAUD_RATES {
            if self.header_number(s, &format!("BaudRate_{rate}")).is_some_and(|n| n != 0) {
                info.baud_rates.push(rate);
            }
        }
        let count = |reader: &mut Self, key: &str| {
            let n = reader.header_number(s, key)?;
            let v = u16::try_from(n).ok();
            if v.is_none() {
                reader.diag.at_key(s, key, format!("{n} is not a PDO count; ignored"));
            }
            v
        };
        info.nr_of_rx_pdo = count(self, "NrOfRXPDO").unwrap_or(0);
        info.nr_of_tx_pdo = count(self, "NrOfTXPDO").unwrap_or(0);
        info.lss_supported = self.header_number(s, "LSS_Supported").is_some_and(|n| n != 0);
        info
    }

    fn dummy_usage(&mut self, s: &Section) -> u8 {
        let mut bits = 0u8;
        for n in 1..=7u8 {
            if self.header_number(s, &format!("Dummy{n:04}")).is_some_and(|v| v != 0) {
                bits |= 1 << n;
            }
        }
        bits
    }

    /// Warn about objects missing from the object lists, and listed objects without a section.
    fn check_lists(&mut self, objects: &[(u16, &Section)]) {
        let ini = self.ini;
        let mut listed: BTreeSet<u16> = BTreeSet::new();
        let mut any_list = false;
        let present: BTreeSet<u16> = objects.iter().map(|(i, _)| *i).collect();
        for list in OBJECT_LISTS {
            let Some(s) = ini.section(list) else { continue };
            any_list = true;
            let declared = self.header_number(s, "SupportedObjects");
            let mut keys: Vec<&Value> =
                s.keys.iter().filter(|(k, _)| k.as_str() != "supportedobjects").map(|(_, v)| v).collect();
            keys.sort_by_key(|v| v.line);
            for v in &keys {
                let index = match types::parse_integer(&v.text, 0).ok().and_then(|i| u16::try_from(i).ok()) {
                    Some(index) => index,
                    None => {
                        self.diag.at_key(s, &v.key, format!("{:?} is not an object index; ignored", v.text));
                        continue;
                    }
                };
                if !listed.insert(index) {
                    self.diag.at_key(s, &v.key, format!("0x{index:04X} is listed twice"));
                }
                if !present.contains(&index) {
                    self.diag.at_key(
                        s,
                        &v.key,
                        format!("lists 0x{index:04X}, which has no [{index:04X}] section"),
                    );
                }
            }
            if let Some(n) = declared {
                if usize::try_from(n).ok() != Some(keys.len()) {
                    self.diag.at_key(
                        s,
                        "SupportedObjects",
                        format!("says {n}, but {} objects are listed", keys.len()),
                    );
                }
            }
        }
        if !any_list {
            self.diag.warn(
                None,
                None,
                None,
                "no [MandatoryObjects], [OptionalObjects] or [ManufacturerObjects] list",
            );
            return;
        }
        for &(index, s) in objects {
            // The data type area (below 0x1000) is not listed by CiA 306.
            if index >= 0x1000 && !listed.contains(&index) {
                self.diag.at_section(
                    s,
                    "not listed in [MandatoryObjects], [OptionalObjects] or [ManufacturerObjects]",
                );
            }
        }
    }

    fn object(&mut self, index: u16, s: &Section, subs: &BTreeMap<u8, &Section>) -> Built {
        let name = match s.text("ParameterName").filter(|n| !n.is_empty()) {
            Some(name) => name.to_string(),
            None => {
                self.diag.at_key(s, "ParameterName", "missing; named by its index");
                format!("0x{index:04X}")
            }
        };
        let object_type = match s.text("ObjectType") {
            None => 0x7,
            Some(text) => match types::parse_integer(text, 0) {
                Ok(code) => code,
                Err(e) => {
                    self.diag.at_key(s, "ObjectType", format!("{e}; object skipped"));
                    return Built::Skipped;
                }
            },
        };
        match object_type {
            0x7 | 0x2 => {
                if !subs.is_empty() {
                    self.diag.at_section(s, "a VAR has no sub-objects; its sub-object sections are ignored");
                }
                // A DOMAIN object (ObjectType 0x2) is a variable whose type goes without saying.
                let implied = (object_type == 0x2).then_some(DataType::Domain);
                match self.entry(s, &name, implied) {
                    Some(entry) => Built::Object(Object {
                        name,
                        kind: ObjectKind::Var,
                        entries: BTreeMap::from([(0, entry)]),
                    }),
                    None => Built::Skipped,
                }
            }
            0x8 | 0x9 => {
                let kind = if object_type == 0x8 { ObjectKind::Array } else { ObjectKind::Record };
                let entries = if s.get("CompactSubObj").is_some() {
                    self.compact(index, s, &name, kind, subs)
                } else {
                    self.described_subs(s, subs)
                };
                match entries {
                    Some(entries) if !entries.is_empty() => Built::Object(Object { name, kind, entries }),
                    Some(_) => {
                        self.diag.at_section(s, format!("an {} without sub-objects; skipped", kind.as_str()));
                        Built::Skipped
                    }
                    None => Built::Skipped,
                }
            }
            0x0 | 0x5 | 0x6 => Built::TypeDefinition,
            code => {
                self.diag.at_key(
                    s,
                    "ObjectType",
                    format!("0x{code:X} is not an object type; object skipped"),
                );
                Built::Skipped
            }
        }
    }

    /// The sub-objects of an ARRAY or RECORD from their `[XXXXsubY]` sections.
    fn described_subs(&mut self, s: &Section, subs: &BTreeMap<u8, &Section>) -> Option<BTreeMap<u8, Entry>> {
        match self.header_number(s, "SubNumber") {
            None if s.get("SubNumber").is_none() => {
                self.diag.at_key(
                    s,
                    "SubNumber",
                    format!("missing; {} sub-object sections found", subs.len()),
                );
            }
            None => {}
            Some(n) if usize::try_from(n).ok() != Some(subs.len()) => {
                self.diag.at_key(
                    s,
                    "SubNumber",
                    format!("says {n}, but {} sub-object sections were found", subs.len()),
                );
            }
            Some(_) => {}
        }
        let mut entries = BTreeMap::new();
        for (&sub, sub_section) in subs {
            let fallback = sub_section.name.clone();
            if let Some(entry) = self.entry(sub_section, &fallback, None) {
                entries.insert(sub, entry);
            }
        }
        if !entries.is_empty() && !entries.contains_key(&0) {
            let highest = entries.keys().next_back().copied().unwrap_or(0);
            self.diag.at_section(s, format!("no sub-index 0; one saying {highest} is assumed"));
            let sub0 = Entry::new("Highest sub-index supported", DataType::Unsigned8, Access::ReadOnly)
                .with_value(vec![highest]);
            entries.insert(0, sub0);
        }
        Some(entries)
    }

    /// `CompactSubObj=N`: sub-indices 1..=N are the parent section's entry, named by
    /// `[XXXXName]` and valued by `[XXXXValue]` where those say so.
    fn compact(
        &mut self,
        index: u16,
        s: &Section,
        name: &str,
        kind: ObjectKind,
        subs: &BTreeMap<u8, &Section>,
    ) -> Option<BTreeMap<u8, Entry>> {
        if kind == ObjectKind::Record {
            self.diag.at_key(s, "CompactSubObj", "CiA 306 allows it only on an ARRAY; read as one");
        }
        let count = match self.header_number(s, "CompactSubObj") {
            Some(n @ 1..=254) => n as u8,
            Some(n) => {
                self.diag.at_key(s, "CompactSubObj", format!("{n} is not 1..=254; object skipped"));
                return None;
            }
            None => {
                self.diag.at_key(s, "CompactSubObj", "not a number; object skipped");
                return None;
            }
        };
        if !subs.is_empty() {
            self.diag.at_key(s, "CompactSubObj", "the object also has sub-object sections; they are ignored");
        }
        let template = self.entry(s, name, None)?;
        // Each sub-index gets a copy of the default: a large DOMAIN default times 254 would
        // make a small file take gigabytes.
        if template.default.len().saturating_mul(usize::from(count)) > MAX_FILE_SIZE {
            let message = format!(
                "{count} copies of a {}-byte default are too many; object skipped",
                template.default.len()
            );
            self.diag.at_key(s, "CompactSubObj", message);
            return None;
        }
        let ini = self.ini;
        let names = ini.section(&format!("{index:04X}Name"));
        let values = ini.section(&format!("{index:04X}Value"));
        for extra in [names, values].into_iter().flatten() {
            self.check_compact_keys(extra, count);
        }
        let sub0 = Entry::new("Highest sub-index supported", DataType::Unsigned8, Access::ReadOnly)
            .with_value(vec![count]);
        let mut entries = BTreeMap::from([(0, sub0)]);
        for sub in 1..=count {
            let mut entry = template.clone();
            entry.name = names
                .and_then(|n| n.text(&sub.to_string()))
                .map_or_else(|| format!("{name}{sub}"), str::to_string);
            if let Some(v) = values {
                if let Some(bytes) = self.value(v, &sub.to_string(), entry.data_type) {
                    entry.default.clone_from(&bytes);
                    entry.value = bytes;
                }
            }
            entries.insert(sub, entry);
        }
        Some(entries)
    }

    fn check_compact_keys(&mut self, s: &Section, count: u8) {
        let mut keys: Vec<&Value> = s.keys.values().collect();
        keys.sort_by_key(|v| v.line);
        let mut n_keys = 0usize;
        for v in &keys {
            if v.key.eq_ignore_ascii_case("NrOfEntries") {
                continue;
            }
            n_keys += 1;
            if !v.key.parse::<u8>().is_ok_and(|k| (1..=count).contains(&k)) {
                self.diag.at_key(
                    s,
                    &v.key,
                    format!("not a sub-index 1..={count} of the compact array; ignored"),
                );
            }
        }
        match self.header_number(s, "NrOfEntries") {
            Some(n) if usize::try_from(n).ok() != Some(n_keys) => {
                self.diag.at_key(s, "NrOfEntries", format!("says {n}, but {n_keys} entries are given"));
            }
            None if s.get("NrOfEntries").is_none() => self.diag.at_key(s, "NrOfEntries", "missing"),
            _ => {}
        }
    }

    /// One variable or sub-object from its section; `None` (warned) when it is unusable.
    fn entry(&mut self, s: &Section, fallback_name: &str, implied: Option<DataType>) -> Option<Entry> {
        let name = match s.text("ParameterName").filter(|n| !n.is_empty()) {
            Some(name) => name.to_string(),
            None => {
                // An object's own name was already warned about.
                if matches!(classify(&s.name), SectionKind::Sub(..)) {
                    self.diag.at_key(s, "ParameterName", "missing; named by its section");
                }
                fallback_name.to_string()
            }
        };
        let data_type = match (s.text("DataType"), implied) {
            (None, Some(t)) => t,
            (None, None) => {
                self.diag.at_key(s, "DataType", "missing; entry skipped");
                return None;
            }
            (Some(text), _) => self.data_type(s, text)?,
        };
        let access = match s.text("AccessType") {
            None => {
                self.diag.at_key(s, "AccessType", "missing; read as ro");
                Access::ReadOnly
            }
            Some(text) => Access::parse(text).unwrap_or_else(|| {
                self.diag.at_key(
                    s,
                    "AccessType",
                    format!("{text:?} is not ro, wo, rw, rwr, rww or const; read as ro"),
                );
                Access::ReadOnly
            }),
        };
        let mut entry = Entry::new(name, data_type, access);
        entry.pdo_mappable = match self.header_number(s, "PDOMapping") {
            None | Some(0) => false,
            Some(1) => true,
            Some(n) => {
                self.diag.at_key(s, "PDOMapping", format!("{n} is not 0 or 1; read as 0"));
                false
            }
        };
        if let Some(bytes) = self.value(s, "DefaultValue", data_type) {
            entry = entry.with_value(bytes);
        }
        // A DCF's configured value is what the node starts with after a reset.
        if let Some(bytes) = self.value(s, "ParameterValue", data_type) {
            entry = entry.with_value(bytes);
        }
        entry.denotation = s.text("Denotation").map(str::to_string);
        let low = self.limit(s, "LowLimit", data_type);
        let high = self.limit(s, "HighLimit", data_type);
        if let (Some(l), Some(h)) = (low, high) {
            if l > h {
                self.diag.at_key(s, "LowLimit", format!("{l} is above HighLimit {h}; both limits ignored"));
                return Some(entry);
            }
        }
        entry.low = low;
        entry.high = high;
        if let Some(n) = data_type.number(&entry.value) {
            if low.is_some_and(|l| n < l) || high.is_some_and(|h| n > h) {
                let key = if s.get("ParameterValue").is_some() { "ParameterValue" } else { "DefaultValue" };
                self.diag.at_key(s, key, format!("{n} is outside LowLimit..HighLimit"));
            }
        }
        Some(entry)
    }

    /// A `DataType=` code: a basic type, or (as CANFestival writes) the index of a type
    /// definition section whose `sub1` names a basic type.
    fn data_type(&mut self, s: &Section, text: &str) -> Option<DataType> {
        let code = match types::parse_integer(text, 0).ok().and_then(|c| u16::try_from(c).ok()) {
            Some(code) => code,
            None => {
                self.diag.at_key(s, "DataType", format!("{text:?} is not a data type code; entry skipped"));
                return None;
            }
        };
        if let Some(t) = DataType::from_code(code) {
            return Some(t);
        }
        let defined = self
            .ini
            .section(&format!("{code:X}sub1"))
            .or_else(|| self.ini.section(&format!("{code:04X}sub1")))
            .and_then(|d| d.text("DefaultValue"))
            .and_then(|v| types::parse_integer(v, 0).ok())
            .and_then(|c| u16::try_from(c).ok())
            .and_then(DataType::from_code);
        match defined {
            Some(t) => {
                self.referenced_types.insert(code);
                Some(t)
            }
            None => {
                self.diag.at_key(
                    s,
                    "DataType",
                    format!("0x{code:04X} is not a data type this reader knows; entry skipped"),
                );
                None
            }
        }
    }

    /// The bytes of a value key (`None` when absent, or unusable and warned about).
    fn value(&mut self, s: &Section, key: &str, data_type: DataType) -> Option<Vec<u8>> {
        let text = s.text(key)?;
        let fixed = data_type.size().is_some();
        if text.is_empty() {
            if fixed {
                self.diag.at_key(s, key, format!("blank; {} 0 used", data_type.name()));
            }
            return if fixed { None } else { Some(Vec::new()) };
        }
        if fixed
            && text.to_ascii_uppercase().contains("$NODEID")
            && !self.node_id_known
            && !self.node_id_warned
        {
            self.node_id_warned = true;
            self.diag.at_key(
                s,
                key,
                "$NODEID, but no node-ID was given (nor a DCF NodeID); 0 used here and everywhere",
            );
        }
        match data_type.parse(text, self.node_id) {
            Ok(bytes) => Some(bytes),
            Err(e) => {
                let fallback = if key.eq_ignore_ascii_case("ParameterValue") { "the default" } else { "0" };
                self.diag.at_key(s, key, format!("{e}; {fallback} used"));
                None
            }
        }
    }

    fn limit(&mut self, s: &Section, key: &str, data_type: DataType) -> Option<Number> {
        let text = s.text(key)?;
        // Editors write blank limits for unlimited entries.
        if text.is_empty() {
            return None;
        }
        if !data_type.is_numeric() {
            self.diag.at_key(s, key, format!("{} has no limits; ignored", data_type.name()));
            return None;
        }
        match data_type.parse(text, self.node_id) {
            Ok(bytes) => data_type.number(&bytes),
            Err(e) => {
                self.diag.at_key(s, key, format!("{e}; ignored"));
                None
            }
        }
    }
}

/// A sub-object section whose object has no section, with its index.
fn sub_orphan<'s>(s: &'s Section, objects: &BTreeSet<u16>) -> Option<(u16, &'s Section)> {
    match classify(&s.name) {
        SectionKind::Sub(index, _) if !objects.contains(&index) => Some((index, s)),
        _ => None,
    }
}

/// What became of an object section.
enum Built {
    Object(Object),
    /// NULL, DEFTYPE or DEFSTRUCT: reported at the end unless an entry used it.
    TypeDefinition,
    /// Unusable, already warned about.
    Skipped,
}

// ---------------------------------------------------------------------------------------------
// Writing.

/// Write the dictionary as a DCF: the device description, the object lists, every object with
/// its sub-objects, `DefaultValue` = default and `ParameterValue` = current value (so [`parse`]
/// reads back the current values), and `[DeviceComissioning] NodeID`.
pub fn to_dcf(od: &ObjectDictionary, node_id: u8) -> String {
    let mut out = String::new();
    // fmt::Write into a String cannot fail; the results are ignored for that reason.
    let file_name = od
        .source
        .as_ref()
        .and_then(|p| p.file_stem())
        .map_or_else(|| "device.dcf".to_string(), |s| format!("{}.dcf", s.to_string_lossy()));
    let _ = writeln!(
        out,
        "[FileInfo]\nFileName={}\nFileVersion=1\nFileRevision=0\nEDSVersion=4.0",
        one_line(&file_name)
    );
    let _ = writeln!(out, "Description=written by cankit\n");

    let d = &od.device;
    let _ = writeln!(out, "[DeviceInfo]\nVendorName={}", one_line(&d.vendor_name));
    let number = |n: Option<u32>| n.map(|n| format!("0x{n:08X}")).unwrap_or_default();
    let _ = writeln!(out, "VendorNumber={}", number(d.vendor_number));
    let _ = writeln!(out, "ProductName={}", one_line(&d.product_name));
    let _ = writeln!(out, "ProductNumber={}", number(d.product_number));
    let _ = writeln!(out, "RevisionNumber={}", number(d.revision_number));
    let _ = writeln!(out, "OrderCode={}", one_line(&d.order_code));
    for rate in BAUD_RATES {
        let _ = writeln!(out, "BaudRate_{rate}={}", u8::from(d.baud_rates.contains(&rate)));
    }
    let _ = writeln!(out, "NrOfRXPDO={}\nNrOfTXPDO={}", d.nr_of_rx_pdo, d.nr_of_tx_pdo);
    let _ = writeln!(out, "LSS_Supported={}\n", u8::from(d.lss_supported));

    let _ = writeln!(out, "[DummyUsage]");
    for n in 1..=7u8 {
        let _ = writeln!(out, "Dummy{n:04}={}", (od.dummy_usage >> n) & 1);
    }
    let _ = writeln!(out, "\n[DeviceComissioning]\nNodeID=0x{node_id:02X}\n");

    let mut lists: [Vec<u16>; 3] = Default::default();
    for (index, _) in od.iter().filter(|(i, _)| *i >= 0x1000) {
        let list = if MANDATORY.contains(&index) {
            0
        } else if (0x2000..0x6000).contains(&index) {
            2
        } else {
            1
        };
        lists[list].push(index);
    }
    for (name, indices) in OBJECT_LISTS.iter().zip(&lists) {
        let _ = writeln!(out, "[{name}]\nSupportedObjects={}", indices.len());
        for (n, index) in indices.iter().enumerate() {
            let _ = writeln!(out, "{}=0x{index:04X}", n + 1);
        }
        out.push('\n');
    }

    for (index, object) in od.iter() {
        match object.kind {
            ObjectKind::Var => {
                let Some(entry) = object.entries.get(&0) else { continue };
                let _ = writeln!(out, "[{index:04X}]");
                write_entry(&mut out, entry, 0x7);
            }
            kind => {
                let code = if kind == ObjectKind::Array { 0x8 } else { 0x9 };
                let _ = writeln!(out, "[{index:04X}]\nParameterName={}", one_line(&object.name));
                let _ = writeln!(out, "ObjectType=0x{code:X}\nSubNumber=0x{:X}\n", object.entries.len());
                for (sub, entry) in &object.entries {
                    let _ = writeln!(out, "[{index:04X}sub{sub:X}]");
                    write_entry(&mut out, entry, 0x7);
                }
            }
        }
    }
    out
}

fn write_entry(out: &mut String, entry: &Entry, object_type: u8) {
    let t = entry.data_type;
    let _ = writeln!(out, "ParameterName={}", one_line(&entry.name));
    let _ = writeln!(
        out,
        "ObjectType=0x{object_type:X}\nDataType=0x{:04X}\nAccessType={}",
        t.code(),
        entry.access.as_str()
    );
    let _ = writeln!(out, "DefaultValue={}", value_text(t, &entry.default));
    let _ = writeln!(out, "ParameterValue={}", value_text(t, &entry.value));
    let _ = writeln!(out, "PDOMapping={}", u8::from(entry.pdo_mappable));
    if let Some(low) = entry.low {
        let _ = writeln!(out, "LowLimit={}", number_text(t, low));
    }
    if let Some(high) = entry.high {
        let _ = writeln!(out, "HighLimit={}", number_text(t, high));
    }
    if let Some(denotation) = &entry.denotation {
        let _ = writeln!(out, "Denotation={}", one_line(denotation));
    }
    out.push('\n');
}

/// A value as an EDS writes it: unsigned integers in hex padded to their size, as every EDS
/// editor does (COB-IDs and identities read best so), everything else as [`DataType::format`].
fn value_text(t: DataType, bytes: &[u8]) -> String {
    match t.number(bytes) {
        Some(n) if t.is_unsigned() && t != DataType::Boolean => number_text(t, n),
        // The 6 bytes of a time as one hex integer, which python canopen reads too (it reads
        // every type that is not a string or a real with int(text, 0)).
        _ if matches!(t, DataType::TimeOfDay | DataType::TimeDifference) && bytes.len() == 6 => {
            let mut raw = [0u8; 8];
            raw[..6].copy_from_slice(bytes);
            format!("0x{:012X}", u64::from_le_bytes(raw))
        }
        _ => one_line(&t.format(bytes)),
    }
}

fn number_text(t: DataType, n: Number) -> String {
    match n {
        Number::Int(i) if t.is_unsigned() && t != DataType::Boolean && i >= 0 => {
            format!("0x{i:0width$X}", width = t.size().unwrap_or(1) * 2)
        }
        n => n.to_string(),
    }
}

/// A value on one INI line: line breaks would end it, so they become spaces.
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

// ---------------------------------------------------------------------------------------------
// The human report.

/// A human report for `canopen-node eds check FILE`: the file, device and object count, one
/// line per entry (`0x1018:01  Vendor-ID  UNSIGNED32 ro  = 0x000001A2`, variables without a
/// sub-index), whether it may be mapped to a PDO, its limits, then every warning.
pub fn report(loaded: &Loaded) -> String {
    let od = &loaded.dictionary;
    let mut out = String::new();
    let file = od.source.as_ref().map_or_else(|| "(text)".to_string(), |p| p.display().to_string());
    let kind = if loaded.is_dcf { "DCF" } else { "EDS" };
    let _ = write!(out, "{file}: {kind}");
    if let Some(id) = loaded.node_id {
        let _ = write!(out, ", node-ID {id}");
    }
    out.push('\n');
    let d = &od.device;
    let hex = |n: Option<u32>| n.map_or_else(|| "?".to_string(), |n| format!("0x{n:08X}"));
    let _ = writeln!(out, "vendor:   {} ({})", or_unknown(&d.vendor_name), hex(d.vendor_number));
    let _ = writeln!(
        out,
        "product:  {} ({}), revision {}",
        or_unknown(&d.product_name),
        hex(d.product_number),
        hex(d.revision_number)
    );
    let entries: usize = od.iter().map(|(_, o)| o.entries.len()).sum();
    let _ = writeln!(out, "objects:  {} ({entries} entries)\n", od.len());
    for (index, object) in od.iter() {
        if object.kind != ObjectKind::Var {
            let _ = writeln!(out, "0x{index:04X}     {}  {}", object.name, object.kind.as_str());
        }
        for (sub, entry) in &object.entries {
            let place = if object.kind == ObjectKind::Var {
                format!("0x{index:04X}   ")
            } else {
                format!("0x{index:04X}:{sub:02X}")
            };
            let t = entry.data_type;
            let _ = write!(
                out,
                "{place}  {}  {} {}  = {}",
                entry.name,
                t.name(),
                entry.access.as_str(),
                shown_value(t, &entry.value)
            );
            if entry.pdo_mappable {
                out.push_str("  [mappable]");
            }
            if entry.low.is_some() || entry.high.is_some() {
                let show = |n: Option<Number>| n.map(|n| n.to_string()).unwrap_or_default();
                let _ = write!(out, "  [{}..{}]", show(entry.low), show(entry.high));
            }
            if let Some(d) = &entry.denotation {
                let _ = write!(out, "  ({d})");
            }
            out.push('\n');
        }
    }
    let _ = writeln!(out, "\n{} warnings", loaded.warnings.len());
    for w in &loaded.warnings {
        let _ = writeln!(out, "{w}");
    }
    out
}

fn or_unknown(text: &str) -> &str {
    if text.is_empty() {
        "?"
    } else {
        text
    }
}

/// A value for people: strings quoted, unsigned numbers in hex.
fn shown_value(t: DataType, bytes: &[u8]) -> String {
    match t {
        DataType::VisibleString | DataType::UnicodeString => format!("{:?}", t.format(bytes)),
        DataType::OctetString | DataType::Domain if bytes.len() > 32 => {
            format!("{} ... ({} bytes)", t.format(bytes.get(..32).unwrap_or(bytes)), bytes.len())
        }
        _ => value_text(t, bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEVICE_EDS: &str = include_str!("../../tests/fixtures/canopen/device.eds");
    const DEVICE_DCF: &str = include_str!("../../tests/fixtures/canopen/device.dcf");
    const QUIRKS_EDS: &str = include_str!("../../tests/fixtures/canopen/quirks.eds");
    const BROKEN_EDS: &str = include_str!("../../tests/fixtures/canopen/broken.eds");

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/canopen").join(name)
    }

    fn texts(loaded: &Loaded) -> Vec<String> {
        loaded.warnings.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn device_eds_loads_every_type_and_resolves_node_id() {
        let loaded = load(&fixture("device.eds"), Some(5)).unwrap();
        assert_eq!(texts(&loaded), Vec::<String>::new());
        assert!(!loaded.is_dcf);
        let od = &loaded.dictionary;
        assert_eq!(od.source.as_deref(), Some(fixture("device.eds").as_path()));
        assert_eq!(od.len(), 52);
        assert_eq!(od.u32(0x1018, 1), Some(0x1A2));
        assert_eq!(od.u32(0x1014, 0), Some(0x85));
        assert_eq!(od.u32(0x1200, 1), Some(0x605));
        assert_eq!(od.u32(0x1200, 2), Some(0x585));
        assert_eq!(od.u32(0x1400, 1), Some(0x205));
        assert_eq!(od.u32(0x1401, 1), Some(0x8000_0305));
        assert_eq!(od.u32(0x1800, 1), Some(0x4000_0185));
        assert_eq!(od.u32(0x1801, 1), Some(0x4000_0285));
        assert_eq!(od.u64(0x1801, 5), Some(100));
        assert_eq!(od.u32(0x1A00, 3), Some(0x6401_0110));
        // A record with a gap: sub-indices 3 and 4 are not there.
        assert_eq!(od.object(0x1400).unwrap().entries.keys().copied().collect::<Vec<_>>(), vec![0, 1, 2, 5]);
        let e = od.entry(0x1008, 0).unwrap();
        assert_eq!(
            (e.data_type, e.access, e.value.as_slice()),
            (DataType::VisibleString, Access::Const, &b"cankit device"[..])
        );
        assert_eq!(od.entry(0x2000, 0).unwrap().value, vec![1, 2, 3]);
        assert_eq!(od.entry(0x2004, 0).unwrap().value, 1.5f32.to_le_bytes());
        assert_eq!(od.u64(0x2005, 0), Some(0x0123_4567_89AB_CDEF));
        assert_eq!(od.entry(0x2006, 0).unwrap().value, vec![0xFB, 0xFF, 0xFF]);
        assert_eq!(od.u64(0x2007, 0), Some(0x12_3456_789A));
        let i56 = od.entry(0x2008, 0).unwrap();
        assert_eq!(i56.data_type.number(&i56.value), Some(Number::Int(-1_234_567_890_123)));
        assert_eq!(od.entry(0x2009, 0).unwrap().value, vec![0xDE, 0xAD, 0xBE, 0xEF]);
        assert_eq!(od.entry(0x200A, 0).unwrap().value, DataType::UnicodeString.parse("unicode", 0).unwrap());
        assert_eq!(od.entry(0x200B, 0).unwrap().value, vec![0; 6]);
        assert_eq!(od.entry(0x200C, 0).unwrap().value, vec![1]);
        assert_eq!(od.entry(0x200D, 0).unwrap().access, Access::WriteOnly);
        assert_eq!(od.entry(0x200E, 0).unwrap().value, 2.25f64.to_le_bytes());
        let inputs = od.entry(0x6000, 1).unwrap();
        assert!(inputs.pdo_mappable && inputs.access == Access::ReadOnly);
        assert_eq!(od.entry(0x6200, 2).unwrap().access, Access::ReadWriteOutput);
        assert_eq!(od.entry(0x6401, 1).unwrap().access, Access::ReadWriteInput);
        assert_eq!(od.object(0x6401).unwrap().kind, ObjectKind::Array);
        assert_eq!(od.object(0x1018).unwrap().kind, ObjectKind::Record);
        let d = &od.device;
        assert_eq!(
            (d.vendor_number, d.product_number, d.revision_number),
            (Some(0x1A2), Some(0xC4E), Some(0x0001_0002))
        );
        assert_eq!(d.baud_rates, vec![125, 250, 500, 1000]);
        assert_eq!((d.nr_of_rx_pdo, d.nr_of_tx_pdo, d.lss_supported), (4, 4, true));
        assert_eq!(od.dummy_usage, 0b1111_1100);
    }

    #[test]
    fn limits_become_numbers_and_bound_writes() {
        let loaded = parse(DEVICE_EDS, "device.eds", Some(5)).unwrap();
        let limited = loaded.dictionary.entry(0x2003, 0).unwrap();
        assert_eq!((limited.low, limited.high), (Some(Number::Int(-100)), Some(Number::Int(100))));
        assert!(loaded.dictionary.check_write(0x2003, 0, &101i16.to_le_bytes()).is_err());
        assert!(loaded.dictionary.check_write(0x2003, 0, &(-100i16).to_le_bytes()).is_ok());
    }

    #[test]
    fn compact_array_takes_parent_entry_names_and_values() {
        let device = parse(DEVICE_EDS, "device.eds", Some(5)).unwrap().dictionary;
        let hb = device.object(0x1016).unwrap();
        assert_eq!(hb.entries.len(), 5);
        assert_eq!(device.u64(0x1016, 0), Some(4));
        assert_eq!(hb.entries[&0].access, Access::ReadOnly);
        assert_eq!(hb.entries[&4].name, "Consumer heartbeat time4");
        assert_eq!(
            (hb.entries[&4].data_type, hb.entries[&4].access),
            (DataType::Unsigned32, Access::ReadWrite)
        );

        let quirks = parse(QUIRKS_EDS, "quirks.eds", Some(5)).unwrap().dictionary;
        let hb = quirks.object(0x1016).unwrap();
        let names: Vec<&str> = hb.entries.values().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Highest sub-index supported",
                "Heartbeat of node 1",
                "Consumer heartbeat time2",
                "Heartbeat of node 3"
            ]
        );
        assert_eq!(quirks.u32(0x1016, 1), Some(0));
        assert_eq!(quirks.u32(0x1016, 2), Some(0x0002_03E8));
    }

    #[test]
    fn quirks_are_read_and_each_warned_about_with_its_place() {
        let loaded = parse(QUIRKS_EDS, "quirks.eds", Some(5)).unwrap();
        assert_eq!(
            texts(&loaded),
            [
                "quirks.eds:10: [deviceinfo] ProductName: a comment after the value (CiA 306 has only whole-line comments); ignored",
                "quirks.eds:37: [1018] SubNumber: missing; 3 sub-object sections found",
                "quirks.eds:47: [1018SUB1]: CiA 306 spells sub-object sections with a lower-case 'sub'",
                "quirks.eds:53: [1018Sub2]: CiA 306 spells sub-object sections with a lower-case 'sub'",
                "quirks.eds:63: [OptionalObjects] 3: lists 0x1200, which has no [1200] section",
                "quirks.eds:65: [OptionalObjects] 5: lists 0x1A00, which has no [1A00] section",
                "quirks.eds:89: [1017] DefaultValue: blank; UNSIGNED16 0 used",
                "quirks.eds:123: [2000] ParameterName: missing; named by its index",
                "quirks.eds:132: [2001] DataType: 0x0017 is not a data type this reader knows; entry skipped",
                "quirks.eds:140: [2002] DefaultValue: 300 is out of range for UNSIGNED8 (0..=255); 0 used",
                "quirks.eds:142: [2003] DataType: missing; entry skipped",
                "quirks.eds:150: [2004] AccessType: \"readwrite\" is not ro, wo, rw, rwr, rww or const; read as ro",
                "quirks.eds:152: [2004] LowLimit: 10 is above HighLimit -10; both limits ignored",
                "quirks.eds:155: [2005]: not listed in [MandatoryObjects], [OptionalObjects] or [ManufacturerObjects]",
                "quirks.eds:160: [2005] DefaultValue: key repeated (first on line 159); the last value wins",
                "quirks.eds:162: [2100sub1]: a sub-object of 0x2100, which has no [2100] section; skipped",
            ]
        );
        let od = &loaded.dictionary;
        // Odd-case keys and section names, octal, hex, CRLF, a BOM and `0x180+$NODEID` are no quirks.
        assert_eq!(od.u32(0x1000, 0), Some(0x191));
        assert_eq!(od.entry(0x1000, 0).unwrap().access, Access::ReadOnly);
        assert_eq!(od.u64(0x1001, 0), Some(0o17));
        assert_eq!(od.u64(0x1800, 2), Some(0o376));
        assert_eq!(od.u32(0x1800, 1), Some(0x185));
        assert_eq!(od.device.vendor_number, Some(0x10));
        assert_eq!(od.device.product_name, "Odd");
        assert_eq!(od.u32(0x1018, 2), Some(0x20));
        assert_eq!(od.object(0x2000).unwrap().name, "0x2000");
        assert!(!od.contains(0x2001) && !od.contains(0x2003) && !od.contains(0x2100));
        assert_eq!(od.u64(0x2002, 0), Some(0));
        assert_eq!(od.u64(0x1017, 0), Some(0));
        let odd = od.entry(0x2004, 0).unwrap();
        assert_eq!((odd.access, odd.low, odd.high), (Access::ReadOnly, None, None));
        assert_eq!(od.entry(0x2005, 0).unwrap().value, 0.25f32.to_le_bytes());
    }

    #[test]
    fn dcf_parameter_values_win_and_its_node_id_resolves_nodeid() {
        let loaded = parse(DEVICE_DCF, "device.dcf", None).unwrap();
        assert_eq!(texts(&loaded), Vec::<String>::new());
        assert!(loaded.is_dcf);
        assert_eq!(loaded.node_id, Some(0x10));
        let od = &loaded.dictionary;
        assert_eq!(od.u32(0x1200, 1), Some(0x610));
        assert_eq!(od.u32(0x1800, 1), Some(0x4000_0190));
        let hb = od.entry(0x1017, 0).unwrap();
        assert_eq!(
            (hb.default.as_slice(), hb.value.as_slice()),
            (&1000u16.to_le_bytes()[..], &1000u16.to_le_bytes()[..])
        );
        assert_eq!(hb.denotation.as_deref(), Some("Door heartbeat"));
        assert_eq!(od.entry(0x2003, 0).unwrap().value, (-42i16).to_le_bytes());
        assert_eq!(od.dummy_usage, 1 << 5);
        // The caller's node-ID wins over the DCF's.
        let loaded = parse(DEVICE_DCF, "device.dcf", Some(3)).unwrap();
        assert_eq!(loaded.dictionary.u32(0x1200, 2), Some(0x583));
        assert_eq!(loaded.node_id, Some(0x10));
    }

    #[test]
    fn nodeid_without_a_node_id_is_zero_with_one_warning() {
        let loaded = parse(DEVICE_EDS, "device.eds", None).unwrap();
        assert_eq!(loaded.dictionary.u32(0x1200, 1), Some(0x600));
        assert_eq!(
            texts(&loaded),
            ["device.eds:331: [1014] DefaultValue: $NODEID, but no node-ID was given (nor a DCF NodeID); 0 used here and everywhere"]
        );
    }

    #[test]
    fn dcf_round_trip_keeps_every_value() {
        let first = load(&fixture("device.eds"), Some(5)).unwrap();
        let dcf = to_dcf(&first.dictionary, 5);
        let again = parse(&dcf, "device.dcf", None).unwrap();
        assert_eq!(texts(&again), Vec::<String>::new());
        assert_eq!(again.node_id, Some(5));
        let mut expected = first.dictionary.clone();
        expected.source = None;
        assert_eq!(again.dictionary, expected);
        // A value changed since the EDS is the DCF's value after a reset.
        let mut od = first.dictionary;
        od.store(0x1017, 0, &500u16.to_le_bytes()).unwrap();
        od.entry_mut(0x2002, 0).unwrap().denotation = Some("greeting".into());
        od.store(0x200B, 0, &[1, 2, 3, 4, 5, 6]).unwrap();
        let dcf = to_dcf(&od, 5);
        assert!(dcf.contains("[200B]\nParameterName=Time of day\nObjectType=0x7\nDataType=0x000C\nAccessType=rw\nDefaultValue=0x000000000000\nParameterValue=0x060504030201\n"), "{dcf}");
        assert!(dcf.contains("[1200sub1]\nParameterName=COB-ID client to server\nObjectType=0x7\nDataType=0x0007\nAccessType=ro\nDefaultValue=0x00000605\nParameterValue=0x00000605\nPDOMapping=0\n"), "{dcf}");
        let again = parse(&dcf, "device.dcf", None).unwrap().dictionary;
        assert_eq!(again.entry(0x200B, 0).unwrap().value, [1, 2, 3, 4, 5, 6]);
        assert_eq!(again.u64(0x1017, 0), Some(500));
        assert_eq!(again.entry(0x1017, 0).unwrap().default, 500u16.to_le_bytes());
        assert_eq!(again.entry(0x2002, 0).unwrap().denotation.as_deref(), Some("greeting"));
    }

    #[test]
    fn hopeless_files_are_refused_with_their_place() {
        let e = load(&fixture("broken.eds"), Some(1)).unwrap_err();
        assert!(matches!(e, EdsError::NoObjects { .. }));
        assert!(
            e.to_string().starts_with(&format!("{}: no object sections", fixture("broken.eds").display())),
            "{e}"
        );
        let e = parse(BROKEN_EDS, "broken.eds", None).unwrap_err();
        assert_eq!(e.location(), Location::file("broken.eds"));

        let e = parse("[1000]\nDataType=0x0007\n\u{0}\u{1}garbage", "bin.eds", None).unwrap_err();
        assert_eq!(e.to_string(), "bin.eds:3: binary data (a NUL byte), not an INI file");
        let e = parse("just some text\n[1000]\n", "text.eds", None).unwrap_err();
        assert_eq!(e.to_string(), "text.eds:1: a line before any [Section]: not an INI file");
        let e = parse("", "empty.eds", None).unwrap_err();
        assert!(matches!(e, EdsError::NotIni { .. }));
        let e = load(Path::new("/nonexistent/x.eds"), None).unwrap_err();
        assert!(e.to_string().starts_with("/nonexistent/x.eds: "), "{e}");
        let huge = " ".repeat(MAX_FILE_SIZE + 1);
        let compact = format!(
            "[1016]\nObjectType=0x8\nCompactSubObj=254\nDataType=0xF\nDefaultValue={}\n",
            "00".repeat(70_000)
        );
        let loaded = parse(&compact, "big.eds", None).unwrap();
        assert!(!loaded.dictionary.contains(0x1016));
        assert!(texts(&loaded).iter().any(|w| w.contains("254 copies of a 70000-byte default are too many")));
        assert!(matches!(parse(&huge, "huge.eds", None), Err(EdsError::TooLarge { .. })));
    }

    #[test]
    fn latin1_files_are_read_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin1.eds");
        let text =
            b"[DeviceInfo]\nVendorName=M\xfcller\n[1000]\nParameterName=x\nDataType=7\nAccessType=ro\n";
        std::fs::write(&path, text).unwrap();
        let loaded = load(&path, Some(1)).unwrap();
        assert_eq!(loaded.dictionary.device.vendor_name, "M\u{fc}ller");
        assert_eq!(loaded.warnings[0].to_string(), format!("{}: not UTF-8; read as Latin-1", path.display()));
    }

    #[test]
    fn type_definitions_are_skipped_unless_used() {
        let text = "[MandatoryObjects]\nSupportedObjects=1\n1=0x1000\n\
            [0040]\nParameterName=My type\nObjectType=0x5\n[0040sub1]\nParameterName=type\nDataType=0x0005\nDefaultValue=0x0007\n\
            [0041]\nParameterName=Unused type\nObjectType=0x6\n\
            [1000]\nParameterName=Device type\nDataType=0x0040\nAccessType=ro\nDefaultValue=7\n";
        let loaded = parse(text, "t.eds", Some(1)).unwrap();
        assert_eq!(loaded.dictionary.entry(0x1000, 0).unwrap().data_type, DataType::Unsigned32);
        assert!(!loaded.dictionary.contains(0x0040));
        let warnings = texts(&loaded);
        assert!(warnings.contains(&"t.eds:13: [0041] ObjectType: a type definition (NULL, DEFTYPE or DEFSTRUCT) no entry uses; skipped".to_string()), "{warnings:#?}");
        assert!(!warnings.iter().any(|w| w.contains("[0040] ObjectType")), "{warnings:#?}");
    }

    #[test]
    fn report_lists_entries_and_warnings() {
        let loaded = load(&fixture("quirks.eds"), Some(5)).unwrap();
        let text = report(&loaded);
        assert!(text.contains("quirks.eds: EDS\n"), "{text}");
        assert!(text.contains("0x1018:01  Vendor-ID  UNSIGNED32 ro  = 0x00000010\n"), "{text}");
        assert!(text.contains("0x1017     Producer heartbeat time  UNSIGNED16 rw  = 0x0000\n"), "{text}");
        assert!(text.contains("16 warnings\n"), "{text}");
        assert!(
            text.ends_with("[2100sub1]: a sub-object of 0x2100, which has no [2100] section; skipped\n"),
            "{text}"
        );
        let device = report(&parse(DEVICE_EDS, "device.eds", Some(5)).unwrap());
        assert!(
            device.contains("0x2003     Limited  INTEGER16 rw  = 0  [mappable]  [-100..100]\n"),
            "{device}"
        );
    }
}
