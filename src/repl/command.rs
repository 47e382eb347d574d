//! The repl's commands as text: one line in, one [`Command`] out, or a [`CommandError`] that
//! names what is wrong and which command's usage line to show. Pure: nothing here touches a bus,
//! a terminal or a clock, so every form is unit-tested; running commands is the session's.
//!
//! Two kinds of users are at home here. can-utils users write frames as cansend does
//! (`send 123#DEADBEEF 1F334455#R`) and filters as candump does (`filter 123:7FF`, `wait
//! 7E8:7F8`). Users of python caneth's repl (the seed) write its forms: `send 0x123 01 02 03
//! [ext|std] [rtr]`, `on 0x7E8 03 41`, `wait 0x7E8 03 41 2.5`, `list`, `unwatch 1|all|watch`,
//! with bytes typed as they like (`"12 34"`, `0x12,0xFF`, `12-34`, `1234`).
//!
//! Numbers are hex, as in every can-utils tool and the rest of cankit (`123` is 0x123);
//! `0x123` works too, and a decimal number takes WinDbg's `0n` prefix (`0n291`). Python caneth
//! reads bare digits as decimal, so its `on 291` is cankit's `on 0n291` or `on 123`.

use std::fmt;
use std::time::Duration;

use crate::filter::{DataMatch, FilterSet, IdFilter};
use crate::frame::{Frame, MAX_CLASSIC_DATA, MAX_EXTENDED_ID, MAX_STANDARD_ID};
use crate::text;

/// One command, parsed and checked.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Send these frames, in order.
    Send(Vec<Frame>),
    /// Print every frame that matches, from now on.
    On(Match),
    /// List the matches and whether watch is on (`on` or `list` alone).
    ListMatches,
    /// Remove matches; `stop_watch` as well turns watch off (python caneth's `unwatch all`).
    Off { which: Which, stop_watch: bool },
    /// Turn live printing on or off; `None` toggles.
    Watch(Option<bool>),
    /// Wait for the first matching frame and print it; `None` waits forever.
    Wait { matcher: Match, timeout: Option<Duration> },
    /// Let frames print for a while before the next command (for scripts).
    Sleep(Duration),
    /// Show, set or clear the filter of live printing.
    Filter(FilterChange),
    /// Frames seen since the start, the busiest ids, the bus's counters.
    Stats,
    /// What is open, its state and counters.
    Bus,
    /// Every command, or one in detail.
    Help(Option<&'static CommandHelp>),
    /// Leave the repl.
    Quit,
}

/// Which matches `off` removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// The match with this number (as `on` lists them).
    Number(u32),
    All,
}

/// What `filter` does.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterChange {
    Show,
    Clear,
    /// candump filter expressions, and how the user wrote them.
    Set {
        filter: FilterSet,
        text: String,
    },
}

/// Frames to look for: an identifier (or candump filter expressions) and optionally the first
/// two payload bytes. Shown as the user wrote it, in cankit's spelling (`7E8 d0=03`).
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    filter: FilterSet,
    text: String,
}

impl Match {
    /// Frames with exactly this identifier (of this width), data and remote frames alike.
    pub fn id(id: u32, extended: bool, d0: Option<u8>, d1: Option<u8>) -> Match {
        let mut filter = FilterSet::none();
        filter.add(IdFilter::exact(id, extended));
        let text = if extended { format!("{id:08X}") } else { format!("{id:03X}") };
        Match::with_bytes(filter, text, d0, d1)
    }

    /// Frames that pass candump filter expressions (`7E8:7F8`, `100~700`).
    pub fn filter(exprs: &str, d0: Option<u8>, d1: Option<u8>) -> Result<Match, crate::filter::FilterError> {
        let filter = FilterSet::parse(&[exprs])?;
        Ok(Match::with_bytes(filter, exprs.to_string(), d0, d1))
    }

    fn with_bytes(mut filter: FilterSet, mut text: String, d0: Option<u8>, d1: Option<u8>) -> Match {
        for (offset, byte) in [d0, d1].into_iter().enumerate() {
            if let Some(value) = byte {
                filter.add_data_match(DataMatch { offset, value, mask: 0xFF });
                text.push_str(&format!(" d{offset}={value:02X}"));
            }
        }
        Match { filter, text }
    }

    pub fn matches(&self, frame: &Frame) -> bool {
        self.filter.matches(frame)
    }
}

impl fmt::Display for Match {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A command line that cannot be run: what is wrong, and the command whose usage line to show
/// (none for an unknown command).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", command.map(|c| format!("{}: ", c.name)).unwrap_or_default())]
pub struct CommandError {
    pub command: Option<&'static CommandHelp>,
    pub message: String,
}

impl CommandError {
    fn new(command: &'static CommandHelp, message: impl Into<String>) -> CommandError {
        CommandError { command: Some(command), message: message.into() }
    }
}

/// One command's documentation: `help` prints it, completion offers its name.
#[derive(Debug, PartialEq, Eq)]
pub struct CommandHelp {
    pub name: &'static str,
    /// Other names for it (python caneth's among them).
    pub aliases: &'static [&'static str],
    pub usage: &'static str,
    pub summary: &'static str,
    /// The rest of `help NAME`: forms, defaults, examples.
    pub details: &'static str,
}

/// Every command, in the order `help` lists them.
pub const COMMANDS: &[CommandHelp] = &[
    CommandHelp {
        name: "send",
        aliases: &[],
        usage: "send FRAME... | send ID [BYTES...] [ext|std] [rtr]",
        summary: "send frames",
        details: "\
Frames in cansend syntax, several at once:
  send 123#DEADBEEF             standard id, 4 bytes (also 123#DE.AD.BE.EF)
  send 1F334455#1122 123#R      extended id (8 hex digits); a remote frame
  send 123##1DEADBEEF           CAN FD; the digit after ## is 1 BRS, 2 ESI
Or an identifier and bytes as python caneth takes them:
  send 0x123 01 02 03           hex id (0x optional; 0n291 is decimal), bytes as typed:
  send 7DF \"02 01 0C\"           \"12 34\", 0x12,0xFF, 12-34, 1234
  send 123 11 22 ext            ext/std: extended or standard id (default: by its size)
  send 123 00 00 rtr            rtr: a remote frame as long as the bytes given
More than 8 bytes make a CAN FD frame. Nothing is sent when any frame is malformed.",
    },
    CommandHelp {
        name: "on",
        aliases: &["list"],
        usage: "on [ID|FILTER [D0 [D1]]]",
        summary: "print every frame that matches; alone: list the matches",
        details: "\
Adds a numbered match: every frame with this id (and first bytes D0, D1) is printed, whether
watch is on or not. The id may be a candump filter instead (7E8:7F8, 100~700).
  on 7E8                        every frame with id 0x7E8
  on 0x7E8 03 41                ... whose first two bytes are 03 41
  on 18DAF110                   an extended id (8 digits, or any id above 7FF)
  on                            list the matches (also: list); off N removes one",
    },
    CommandHelp {
        name: "off",
        aliases: &["unwatch"],
        usage: "off N|all",
        summary: "remove match N, or every match",
        details: "\
  off 2                         remove match #2 (as on lists them)
  off all                       remove every match
python caneth's unwatch works too: unwatch N, unwatch all (also stops watch), unwatch watch.",
    },
    CommandHelp {
        name: "watch",
        aliases: &[],
        usage: "watch [on|off]",
        summary: "print every frame (that passes the filter); alone: toggle",
        details: "\
Live frames are printed in the repl's format (--format: human, log or json); at a terminal they
appear above the prompt without disturbing the line being typed. See also: filter.",
    },
    CommandHelp {
        name: "wait",
        aliases: &[],
        usage: "wait ID|FILTER [D0 [D1]] [TIMEOUT]",
        summary: "wait for a matching frame and print it (status 1 on timeout)",
        details: "\
Blocks the next command until a matching frame arrives (status 0; the frame is printed) or the
timeout passes (status 1). TIMEOUT: 2s, 500ms, 1.5 (seconds); 0s waits forever; default 5s; also
-T 2s. Right after the id a bare number is a byte, as in python caneth (wait 7E8 2 waits for
d0=02): give the unit. Ctrl-C cancels a wait at the terminal. Frames go on printing meanwhile.
In a script the waits take the frames in order: each the first matching frame after the one the
previous wait ended with, even if it came before the wait's line was read.
  wait 7E8                      id 0x7E8, up to 5 s
  wait 7E8 03 41 2s             ... starting with 03 41, up to 2 s
  wait 0x7E8 03 41 2.5          python caneth's form: the 4th argument is seconds
  wait 7E8:7F8 -T 10s           a candump filter: 0x7E8-0x7EF",
    },
    CommandHelp {
        name: "sleep",
        aliases: &[],
        usage: "sleep DURATION",
        summary: "let frames print for a while before the next command",
        details: "\
For scripts: printf 'watch on\\nsleep 2s\\n' | canlogger repl prints the frames of two seconds.",
    },
    CommandHelp {
        name: "filter",
        aliases: &[],
        usage: "filter [EXPR...|off]",
        summary: "candump filters for watch; alone: show them",
        details: "\
The filter decides what watch prints (matches and waits print regardless). candump syntax,
several expressions OR'ed:
  filter 123:7FF                id 0x123 (standard or extended)
  filter 100:700 400~7F0        0x100-0x1FF, and everything but 0x400-0x40F
  filter 0~0,#FFFFFFFF          error frames only
  filter off                    every frame again",
    },
    CommandHelp {
        name: "stats",
        aliases: &[],
        usage: "stats",
        summary: "frames seen since the start, the busiest ids, the bus's counters",
        details: "Counts every frame the repl received, whether it was printed or not.",
    },
    CommandHelp {
        name: "bus",
        aliases: &[],
        usage: "bus",
        summary: "what is open, its state and counters",
        details: "The bus as opened, its controller state, its counters and the repl's settings.",
    },
    CommandHelp {
        name: "help",
        aliases: &["?"],
        usage: "help [COMMAND]",
        summary: "the commands, or one in detail",
        details: "",
    },
    CommandHelp {
        name: "quit",
        aliases: &["exit"],
        usage: "quit",
        summary: "leave (also Ctrl-D); the exit status is the last command's",
        details: "\
At a terminal Ctrl-C abandons the line being typed or cancels a running wait; on an empty line a
second Ctrl-C leaves.",
    },
];

/// The command named `name` (or one of its aliases), case-insensitively.
pub fn lookup(name: &str) -> Option<&'static CommandHelp> {
    let name = name.to_ascii_lowercase();
    COMMANDS.iter().find(|c| c.name == name || c.aliases.contains(&name.as_str()))
}

/// Parse one line. Blank lines and `#` comments are `Ok(None)`.
pub fn parse(line: &str) -> Result<Option<Command>, CommandError> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let words = split_words(trimmed)?;
    let Some((name, args)) = words.split_first() else { return Ok(None) };
    let Some(help) = lookup(name) else {
        let hint =
            if name.contains('#') { format!("; to send that frame: send {name}") } else { String::new() };
        return Err(CommandError {
            command: None,
            message: format!("unknown command '{name}'{hint} (type help for the commands)"),
        });
    };
    let fail = |message: String| CommandError::new(help, message);
    let alias = name.to_ascii_lowercase();
    let parsed = match help.name {
        "send" => parse_send(args).map(Command::Send),
        "on" if alias == "list" => no_arguments(args).map(|()| Command::ListMatches),
        "on" => parse_on(args),
        "off" => parse_off(args, alias == "unwatch"),
        "watch" => parse_watch(args),
        "wait" => parse_wait(args),
        "sleep" => match args {
            [d] => parse_duration(d).map(Command::Sleep),
            _ => Err("give one duration, e.g. sleep 2s".into()),
        },
        "filter" => parse_filter(args),
        "stats" => no_arguments(args).map(|()| Command::Stats),
        "bus" => no_arguments(args).map(|()| Command::Bus),
        "help" => match args {
            [] => Ok(Command::Help(None)),
            [topic] => lookup(topic)
                .map(|c| Command::Help(Some(c)))
                .ok_or_else(|| format!("no command '{topic}' (type help for the commands)")),
            _ => Err("name one command, e.g. help send".into()),
        },
        "quit" => no_arguments(args).map(|()| Command::Quit),
        other => unreachable!("COMMANDS lists {other} but parse does not handle it"),
    };
    parsed.map(Some).map_err(fail)
}

fn no_arguments(args: &[String]) -> Result<(), String> {
    match args.first() {
        None => Ok(()),
        Some(a) => Err(format!("takes no arguments (found '{a}')")),
    }
}

/// Words separated by blanks; `'...'` and `"..."` group words (`send 7DF "02 01 0C"`).
fn split_words(line: &str) -> Result<Vec<String>, CommandError> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<(char, usize)> = None;
    for (i, c) in line.char_indices() {
        match quote {
            Some((q, _)) if c == q => quote = None,
            Some(_) => word.get_or_insert_with(String::new).push(c),
            None if c == '"' || c == '\'' => {
                quote = Some((c, i));
                word.get_or_insert_with(String::new);
            }
            None if c.is_whitespace() => words.extend(word.take()),
            None => word.get_or_insert_with(String::new).push(c),
        }
    }
    if let Some((q, at)) = quote {
        return Err(CommandError {
            command: line.split_whitespace().next().and_then(lookup),
            message: format!("the quote {q} at character {} is not closed", at + 1),
        });
    }
    words.extend(word);
    Ok(words)
}

/// `send FRAME...` (cansend syntax) or `send ID [BYTES...] [ext|std] [rtr]` (python caneth's).
fn parse_send(args: &[String]) -> Result<Vec<Frame>, String> {
    let Some(first) = args.first() else {
        return Err(
            "nothing to send: give frames (send 123#DEADBEEF) or an id and bytes (send 123 DE AD)".into()
        );
    };
    if first.contains('#') {
        return args
            .iter()
            .map(|a| {
                if !a.contains('#') {
                    return Err(format!(
                        "'{a}' is not a frame such as 123#DEADBEEF (the id-and-bytes form is send ID BYTES...)"
                    ));
                }
                text::parse_frame(a).map_err(|e| e.to_string())
            })
            .collect();
    }
    let (id, by_size) = parse_id(first)?;
    let mut extended = None;
    let mut remote = false;
    let mut bytes = Vec::new();
    for a in &args[1..] {
        match a.to_ascii_lowercase().as_str() {
            "ext" | "extended" => extended = Some(true),
            "std" | "standard" => extended = Some(false),
            "rtr" | "remote" => remote = true,
            _ => bytes.push(a.as_str()),
        }
    }
    let extended = extended.unwrap_or(by_size);
    if !extended && id > MAX_STANDARD_ID {
        return Err(format!("std: 0x{id:X} does not fit in 11 bits (standard ids go up to 7FF)"));
    }
    let joined = bytes.join(" ");
    let (data, len) = text::parse_data_bytes(&joined).map_err(|e| e.to_string())?;
    let frame = if remote {
        if len > MAX_CLASSIC_DATA {
            return Err(format!("rtr: a remote frame is at most 8 bytes long, {len} given"));
        }
        // At most 8, checked above.
        Frame::new_remote(id, extended, len as u8)
    } else if len > MAX_CLASSIC_DATA {
        Frame::new_fd_padded(id, extended, &data[..len], false, false)
    } else {
        Frame::new_data(id, extended, &data[..len])
    };
    frame.map(|f| vec![f]).map_err(|e| e.to_string())
}

/// The matcher of `on` and `wait`: an id or candump filter expressions.
fn parse_matcher(text: &str, d0: Option<u8>, d1: Option<u8>) -> Result<Match, String> {
    if text.contains([':', '~']) || text.starts_with('#') {
        return Match::filter(text, d0, d1).map_err(|e| e.to_string());
    }
    let (id, extended) = parse_id(text)?;
    Ok(Match::id(id, extended, d0, d1))
}

fn parse_on(args: &[String]) -> Result<Command, String> {
    match args {
        [] => Ok(Command::ListMatches),
        [id, bytes @ ..] if bytes.len() <= 2 => {
            let d0 = bytes.first().map(|b| parse_byte(b, "d0")).transpose()?;
            let d1 = bytes.get(1).map(|b| parse_byte(b, "d1")).transpose()?;
            parse_matcher(id, d0, d1).map(Command::On)
        }
        _ => Err("at most an id and two bytes, e.g. on 7E8 03 41".into()),
    }
}

fn parse_off(args: &[String], unwatch: bool) -> Result<Command, String> {
    let which = match args {
        [] if unwatch => return Ok(Command::Watch(Some(false))),
        [] => return Err("which match? off N (as on lists them) or off all".into()),
        [w] => w.to_ascii_lowercase(),
        [_, extra, ..] => return Err(format!("one match at a time (found '{extra}')")),
    };
    match which.as_str() {
        "all" => Ok(Command::Off { which: Which::All, stop_watch: unwatch }),
        "watch" | "global" if unwatch => Ok(Command::Watch(Some(false))),
        n => n
            .trim_start_matches('#')
            .parse::<u32>()
            .map(|n| Command::Off { which: Which::Number(n), stop_watch: false })
            .map_err(|_| format!("'{n}' is not a match number (on lists them) nor 'all'")),
    }
}

fn parse_watch(args: &[String]) -> Result<Command, String> {
    match args {
        [] => Ok(Command::Watch(None)),
        [w] if w.eq_ignore_ascii_case("on") => Ok(Command::Watch(Some(true))),
        [w] if w.eq_ignore_ascii_case("off") => Ok(Command::Watch(Some(false))),
        [w, ..] => Err(format!("'{w}': expected on or off")),
    }
}

/// How long `wait` waits unless told otherwise, as `canlogger wait`.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// `wait ID|FILTER [D0 [D1]] [TIMEOUT]`: up to two bytes, then a timeout (the seed's fourth
/// argument, in seconds); `-T`/`--timeout` anywhere after the id.
fn parse_wait(args: &[String]) -> Result<Command, String> {
    let Some((target, rest)) = args.split_first() else {
        return Err("wait for what? give an id, e.g. wait 7E8 2s".into());
    };
    let mut bytes: Vec<u8> = Vec::new();
    let mut timeout = None;
    let mut words = rest.iter();
    let mut position = 0;
    while let Some(word) = words.next() {
        position += 1;
        if timeout.is_some() {
            return Err(format!("unexpected '{word}' after the timeout"));
        }
        let flag_value = match word.as_str() {
            "-T" | "--timeout" => {
                Some(words.next().ok_or_else(|| format!("{word} needs a duration, e.g. 2s"))?)
            }
            w => w.strip_prefix("--timeout=").map(|_| word),
        };
        if let Some(value) = flag_value {
            let value = value.strip_prefix("--timeout=").unwrap_or(value);
            timeout = Some(parse_duration(value)?);
        } else if position <= 2 && parse_byte(word, "d0").is_ok() {
            bytes.push(parse_byte(word, "d0")?);
        } else {
            timeout = Some(parse_duration(word).map_err(|e| {
                if position <= 2 {
                    format!("'{word}' is neither a byte (00..FF) nor a timeout (2s, 500ms, 1.5)")
                } else {
                    e
                }
            })?);
        }
    }
    let matcher = parse_matcher(target, bytes.first().copied(), bytes.get(1).copied())?;
    let timeout = timeout.unwrap_or(DEFAULT_WAIT);
    Ok(Command::Wait { matcher, timeout: (!timeout.is_zero()).then_some(timeout) })
}

fn parse_filter(args: &[String]) -> Result<Command, String> {
    match args {
        [] => Ok(Command::Filter(FilterChange::Show)),
        [w] if ["off", "none", "clear"].contains(&w.to_ascii_lowercase().as_str()) => {
            Ok(Command::Filter(FilterChange::Clear))
        }
        exprs => {
            let filter = FilterSet::parse(exprs).map_err(|e| e.to_string())?;
            Ok(Command::Filter(FilterChange::Set { filter, text: exprs.join(",") }))
        }
    }
}

/// An identifier: hex (`7E8`, `0x7E8`, `18DAF110`) or decimal with `0n` (`0n2024`); extended
/// when above 0x7FF or written with 8 hex digits (`00000123`, as cansend).
pub fn parse_id(text: &str) -> Result<(u32, bool), String> {
    let bad = || {
        format!("'{text}' is not an identifier: write it in hex (7E8, 0x7E8, 18DAF110) or in decimal with 0n (0n2024)")
    };
    let (value, digits) = if let Some(dec) = strip_prefix_ci(text, "0n") {
        if dec.is_empty() || !dec.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        (dec.parse::<u64>().map_err(|_| bad())?, 0)
    } else {
        let hex = strip_prefix_ci(text, "0x").unwrap_or(text);
        if hex.is_empty() || hex.len() > 8 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(bad());
        }
        (u64::from_str_radix(hex, 16).map_err(|_| bad())?, hex.len())
    };
    if value > u64::from(MAX_EXTENDED_ID) {
        return Err(format!("'{text}': 0x{value:X} does not fit in 29 bits (ids go up to 1FFFFFFF)"));
    }
    // At most 0x1FFFFFFF, checked above.
    let id = value as u32;
    Ok((id, id > MAX_STANDARD_ID || digits == 8))
}

/// One byte: 1–2 hex digits (`3`, `41`, `0x41`) or decimal with `0n` (`0n65`).
pub fn parse_byte(text: &str, what: &str) -> Result<u8, String> {
    let bad =
        || format!("{what} '{text}' is not a byte: write it in hex (00..FF, 0x41) or decimal with 0n (0n65)");
    if let Some(dec) = strip_prefix_ci(text, "0n") {
        if dec.is_empty() || !dec.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        return dec.parse::<u8>().map_err(|_| bad());
    }
    let hex = strip_prefix_ci(text, "0x").unwrap_or(text);
    if hex.is_empty() || hex.len() > 2 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad());
    }
    u8::from_str_radix(hex, 16).map_err(|_| bad())
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// A duration as `canlogger` takes them: a bare number of seconds (`1.5`, the seed's form) or
/// humantime (`500ms`, `2s`, `1m30s`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    if let Ok(secs) = text.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Ok(Duration::from_secs_f64(secs));
        }
    }
    humantime::parse_duration(text).map_err(|_| format!("'{text}' is not a duration (e.g. 2s, 500ms, 1.5)"))
}

/// Tab completion: where the word under the cursor starts and what it can become. The first
/// word completes to command names; a few commands' first argument to their keywords.
pub fn complete(line: &str, pos: usize) -> (usize, Vec<String>) {
    let before = line.get(..pos).unwrap_or(line);
    let start = before.rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let word = &before[start..];
    let previous: Vec<&str> = before[..start].split_whitespace().collect();
    let offered: Vec<&str> = match previous.as_slice() {
        [] => COMMANDS.iter().map(|c| c.name).chain(["exit", "list", "unwatch"]).collect(),
        [cmd] => match lookup(cmd).map(|c| c.name) {
            Some("watch") => vec!["on", "off"],
            Some("off") => vec!["all"],
            Some("filter") => vec!["off"],
            Some("help") => COMMANDS.iter().map(|c| c.name).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let lower = word.to_ascii_lowercase();
    let mut words: Vec<String> =
        offered.into_iter().filter(|w| w.starts_with(&lower)).map(|w| format!("{w} ")).collect();
    words.sort();
    words.dedup();
    (start, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(line: &str) -> Command {
        match parse(line) {
            Ok(Some(c)) => c,
            other => panic!("{line:?} should parse: {other:?}"),
        }
    }

    /// The line fails, naming `command` (None: unknown command) and containing `word`.
    fn err(line: &str, command: Option<&str>, word: &str) {
        match parse(line) {
            Err(e) => {
                assert_eq!(e.command.map(|c| c.name), command, "{line:?}: {e}");
                assert!(e.to_string().contains(word), "{line:?}: {e:?} lacks {word:?}");
            }
            other => panic!("{line:?} should fail, got {other:?}"),
        }
    }

    fn sent(line: &str) -> Vec<String> {
        match ok(line) {
            Command::Send(frames) => frames
                .iter()
                .map(|f| {
                    let mut s = String::new();
                    text::write_frame(&mut s, f).expect("a String takes any text");
                    s
                })
                .collect(),
            other => panic!("{line:?}: {other:?}"),
        }
    }

    fn data(id: u32, extended: bool, bytes: &[u8]) -> Frame {
        Frame::new_data(id, extended, bytes).unwrap()
    }

    #[test]
    fn blank_lines_and_comments_are_no_command() {
        for line in ["", "   ", "\t", "# a comment", "  #send 123#11"] {
            assert_eq!(parse(line), Ok(None), "{line:?}");
        }
    }

    #[test]
    fn send_takes_cansend_frames_several_at_once() {
        assert_eq!(sent("send 123#DEADBEEF"), ["123#DEADBEEF"]);
        assert_eq!(sent("SEND 1F334455#1122 123#R 00000123#11"), ["1F334455#1122", "123#R", "00000123#11"]);
        assert_eq!(sent("send 123##1DEADBEEF"), ["123##5DEADBEEF"]);
        assert_eq!(sent("send 5A1#11.22.33"), ["5A1#112233"]);
    }

    #[test]
    fn send_takes_the_seeds_id_and_bytes_in_every_spelling() {
        let want = data(0x123, false, &[1, 2, 3]);
        for line in [
            "send 0x123 01 02 03",
            "send 123 010203",
            "send 123 \"01 02 03\"",
            "send 123 '0x01,0x02,0x03'",
            "send 123 01-02-03",
            "send 123 1 2 3",
            "send 0n291 01:02:03",
            "send 123 01 02 03 std",
        ] {
            assert_eq!(ok(line), Command::Send(vec![want]), "{line}");
        }
        assert_eq!(ok("send 123 11 ext"), Command::Send(vec![data(0x123, true, &[0x11])]));
        assert_eq!(
            ok("send 00000123 11"),
            Command::Send(vec![data(0x123, true, &[0x11])]),
            "8 digits: extended"
        );
        assert_eq!(ok("send 18DAF110 02 10 03"), Command::Send(vec![data(0x18DAF110, true, &[2, 0x10, 3])]));
        assert_eq!(ok("send 7DF"), Command::Send(vec![data(0x7DF, false, &[])]));
        assert_eq!(sent("send 123 00 00 std rtr"), ["123#R2"]);
        assert_eq!(sent("send 123 rtr"), ["123#R"]);
        let fd = sent("send 123 00 01 02 03 04 05 06 07 08");
        assert_eq!(fd, ["123##4000102030405060708000000"], "more than 8 bytes: CAN FD, padded to 12");
    }

    #[test]
    fn send_errors_say_what_is_wrong() {
        err("send", Some("send"), "nothing to send");
        err("send 123#DEADBEE", Some("send"), "character");
        err("send 123#11 456", Some("send"), "'456' is not a frame");
        err("send 800#11", Some("send"), "over 0x7FF");
        err("send 12G 11", Some("send"), "'12G' is not an identifier");
        err("send 123 1G", Some("send"), "expected a hex digit");
        err("send 123 123", Some("send"), "odd number of hex digits");
        err("send 800 11 std", Some("send"), "does not fit in 11 bits");
        err("send 20000000 11", Some("send"), "does not fit in 29 bits");
        err("send 123 00 00 00 00 00 00 00 00 00 rtr", Some("send"), "at most 8 bytes");
        err("send 7DF \"02 01", Some("send"), "quote \" at character 10 is not closed");
    }

    #[test]
    fn on_adds_a_match_by_id_and_first_bytes() {
        let Command::On(m) = ok("on 7E8") else { panic!() };
        assert_eq!(m.to_string(), "7E8");
        assert!(m.matches(&data(0x7E8, false, &[1])));
        assert!(!m.matches(&data(0x7E8, true, &[1])), "a 3-digit id is a standard id");
        assert!(!m.matches(&data(0x7E9, false, &[1])));
        let Command::On(m) = ok("on 0x7E8 03 0x41") else { panic!() };
        assert_eq!(m.to_string(), "7E8 d0=03 d1=41");
        assert!(m.matches(&data(0x7E8, false, &[3, 0x41, 9])));
        assert!(!m.matches(&data(0x7E8, false, &[3, 0x42])));
        assert!(!m.matches(&data(0x7E8, false, &[3])), "d1 needs a second byte");
        let Command::On(m) = ok("on 18DAF110 10") else { panic!() };
        assert_eq!(m.to_string(), "18DAF110 d0=10");
        assert!(m.matches(&data(0x18DAF110, true, &[0x10])));
        let Command::On(m) = ok("on 7E0:7F0") else { panic!() };
        assert!(m.matches(&data(0x7E5, false, &[])) && !m.matches(&data(0x7F0, false, &[])));
        assert_eq!(ok("on"), Command::ListMatches);
        assert_eq!(ok("list"), Command::ListMatches);
    }

    #[test]
    fn on_errors_name_the_argument() {
        err("on 7E8 1FF", Some("on"), "d0 '1FF' is not a byte");
        err("on 7E8 03 XY", Some("on"), "d1 'XY'");
        err("on 7E8 01 02 03", Some("on"), "at most an id and two bytes");
        err("on 7E8:", Some("on"), "invalid filter");
        err("list 1", Some("on"), "takes no arguments");
    }

    #[test]
    fn off_and_the_seeds_unwatch() {
        assert_eq!(ok("off 2"), Command::Off { which: Which::Number(2), stop_watch: false });
        assert_eq!(ok("off #3"), Command::Off { which: Which::Number(3), stop_watch: false });
        assert_eq!(ok("off ALL"), Command::Off { which: Which::All, stop_watch: false });
        assert_eq!(ok("unwatch 2"), Command::Off { which: Which::Number(2), stop_watch: false });
        assert_eq!(ok("unwatch all"), Command::Off { which: Which::All, stop_watch: true });
        assert_eq!(ok("unwatch"), Command::Watch(Some(false)));
        assert_eq!(ok("unwatch watch"), Command::Watch(Some(false)));
        err("off", Some("off"), "which match?");
        err("off x", Some("off"), "'x' is not a match number");
        err("off 1 2", Some("off"), "one match at a time");
    }

    #[test]
    fn watch_toggles_or_is_set() {
        assert_eq!(ok("watch"), Command::Watch(None));
        assert_eq!(ok("watch on"), Command::Watch(Some(true)));
        assert_eq!(ok("Watch OFF"), Command::Watch(Some(false)));
        err("watch maybe", Some("watch"), "expected on or off");
    }

    fn wait(line: &str) -> (String, Option<Duration>) {
        match ok(line) {
            Command::Wait { matcher, timeout } => (matcher.to_string(), timeout),
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn wait_takes_bytes_then_a_timeout_in_both_syntaxes() {
        let secs = |s: f64| Some(Duration::from_secs_f64(s));
        assert_eq!(wait("wait 7E8"), ("7E8".into(), secs(5.0)), "default 5 s as canlogger wait");
        assert_eq!(wait("wait 7E8 2s"), ("7E8".into(), secs(2.0)));
        assert_eq!(wait("wait 7E8 03 500ms"), ("7E8 d0=03".into(), secs(0.5)));
        assert_eq!(wait("wait 7E8 03 41 2s"), ("7E8 d0=03 d1=41".into(), secs(2.0)));
        assert_eq!(
            wait("wait 0x7E8 03 41 2.5"),
            ("7E8 d0=03 d1=41".into(), secs(2.5)),
            "the seed's 4th argument"
        );
        assert_eq!(wait("wait 0x7E8 03 41 2"), ("7E8 d0=03 d1=41".into(), secs(2.0)));
        assert_eq!(wait("wait 7E8 1.5"), ("7E8".into(), secs(1.5)));
        assert_eq!(wait("wait 7E8 2"), ("7E8 d0=02".into(), secs(5.0)), "a byte first, as the seed");
        assert_eq!(wait("wait 7E8 03 -T 1m"), ("7E8 d0=03".into(), secs(60.0)));
        assert_eq!(wait("wait 7E8 --timeout=3s"), ("7E8".into(), secs(3.0)));
        assert_eq!(wait("wait 7E8 0"), ("7E8 d0=00".into(), secs(5.0)));
        assert_eq!(wait("wait 7E8 -T 0"), ("7E8".into(), None), "0 waits forever");
        assert_eq!(wait("wait 7E8 0s"), ("7E8".into(), None));
        assert_eq!(wait("wait 7E0:7F0 10s").0, "7E0:7F0");
        err("wait", Some("wait"), "wait for what?");
        err("wait 7E8 2s 03", Some("wait"), "unexpected '03' after the timeout");
        err("wait 7E8 xyz", Some("wait"), "neither a byte");
        err("wait 7E8 01 02 xyz", Some("wait"), "'xyz' is not a duration");
        err("wait 7E8 -T", Some("wait"), "-T needs a duration");
        err("wait 7G8", Some("wait"), "'7G8' is not an identifier");
    }

    #[test]
    fn filter_sleep_stats_bus_help_quit() {
        assert_eq!(ok("filter"), Command::Filter(FilterChange::Show));
        assert_eq!(ok("filter off"), Command::Filter(FilterChange::Clear));
        let Command::Filter(FilterChange::Set { filter, text }) = ok("filter 123:7FF 400~7F0") else {
            panic!()
        };
        assert_eq!(text, "123:7FF,400~7F0");
        assert!(filter.matches(&data(0x123, false, &[])) && filter.matches(&data(0x500, false, &[])));
        assert!(!filter.matches(&data(0x405, false, &[])));
        err("filter 12G:7FF", Some("filter"), "invalid filter '12G:7FF' at character 3");
        assert_eq!(ok("sleep 250ms"), Command::Sleep(Duration::from_millis(250)));
        err("sleep", Some("sleep"), "give one duration");
        err("sleep soon", Some("sleep"), "not a duration");
        assert_eq!(ok("stats"), Command::Stats);
        assert_eq!(ok("bus"), Command::Bus);
        err("bus now", Some("bus"), "takes no arguments");
        assert_eq!(ok("help"), Command::Help(None));
        assert_eq!(ok("? wait"), Command::Help(lookup("wait")));
        assert_eq!(ok("help unwatch"), Command::Help(lookup("off")));
        err("help frob", Some("help"), "no command 'frob'");
        assert_eq!(ok("quit"), Command::Quit);
        assert_eq!(ok("EXIT"), Command::Quit);
    }

    #[test]
    fn unknown_commands_are_named_and_frames_get_a_hint() {
        err("frob 1", None, "unknown command 'frob'");
        err("123#11", None, "to send that frame: send 123#11");
        let e = parse("frob").unwrap_err();
        assert_eq!(e.to_string(), "unknown command 'frob' (type help for the commands)");
        assert_eq!(parse("on 7E8 1FF").unwrap_err().to_string().split(':').next(), Some("on"));
    }

    #[test]
    fn ids_and_bytes_are_hex_or_0n_decimal() {
        assert_eq!(parse_id("7E8"), Ok((0x7E8, false)));
        assert_eq!(parse_id("0X7e8"), Ok((0x7E8, false)));
        assert_eq!(parse_id("0n2024"), Ok((0x7E8, false)));
        assert_eq!(parse_id("0n2048"), Ok((0x800, true)));
        assert_eq!(parse_id("0n291"), Ok((0x123, false)));
        assert_eq!(parse_id("800"), Ok((0x800, true)));
        assert_eq!(parse_id("00000001"), Ok((1, true)));
        assert!(parse_id("123456789").is_err());
        assert!(parse_id("0n").is_err() && parse_id("0x").is_err() && parse_id("").is_err());
        assert_eq!(parse_byte("ff", "d0"), Ok(0xFF));
        assert_eq!(parse_byte("0n255", "d0"), Ok(255));
        assert!(parse_byte("0n256", "d0").is_err());
        assert!(parse_byte("100", "d0").is_err());
    }

    #[test]
    fn every_command_parses_and_has_help() {
        for c in COMMANDS {
            assert!(c.usage.starts_with(c.name), "{}", c.name);
            assert_eq!(lookup(&c.name.to_uppercase()), Some(c));
            for a in c.aliases {
                assert_eq!(lookup(a), Some(c));
            }
        }
    }

    #[test]
    fn completion_offers_commands_then_their_keywords() {
        assert_eq!(complete("wa", 2), (0, vec!["wait ".to_string(), "watch ".to_string()]));
        assert_eq!(complete("se", 2), (0, vec!["send ".to_string()]));
        assert_eq!(complete("watch o", 7), (6, vec!["off ".to_string(), "on ".to_string()]));
        assert_eq!(complete("off a", 5), (4, vec!["all ".to_string()]));
        assert_eq!(complete("help st", 7), (5, vec!["stats ".to_string()]));
        assert_eq!(complete("send 12", 7), (5, vec![]));
        assert_eq!(complete("", 0).1.len(), COMMANDS.len() + 3);
    }
}
