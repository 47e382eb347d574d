//! What the repl remembers between commands and what it does with each: the watch switch and
//! its filter, the numbered matches, a running `wait` or `sleep`, the counters `stats` shows,
//! and the status of the last command. Commands arrive parsed ([`super::command`]), events from
//! the hub subscription; everything printed goes to a [`Console`]. Reading input and the loop
//! that interleaves input, events and timers are [`super::run`]'s.
//!
//! A frame is printed once, in the repl's format, when watch is on and it passes the filter,
//! when any match takes it, or when it ends a wait: the output of `--format log` stays a
//! candump log whatever mix of commands produced it.
//!
//! In a script the waits take the bus's frames in order: each takes the first matching frame
//! after the one the previous wait ended with (or after the start), even one that came before
//! the wait's line was read — the answer to a `send` may come within microseconds, before the
//! thread reading the script has handed over the next line. At a terminal a wait is for a frame
//! after Enter, as a person expects.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::time::Duration;

use tokio::time::Instant;

use super::command::{Command, CommandError, FilterChange, Match, Which, COMMANDS};
use super::{status, Console};
use crate::bus::hub::{Hub, Subscription};
use crate::bus::BusEvent;
use crate::filter::FilterSet;
use crate::frame::{Frame, CAN_EFF_FLAG};
use crate::print::{Format, Printer};

/// How many busiest ids `stats` lists.
const TOP_IDS: usize = 10;

/// How many invalid datagrams to describe before only counting them (as the other tools).
const SHOW_INVALID: u64 = 5;

/// Frames a script's `wait` looks back on, at most (those since the previous wait ended).
const BACKLOG: usize = 1024;

/// What to do after a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Quit,
}

/// A command that goes on after it was read: the next one waits for it to end.
#[derive(Debug)]
enum Pending {
    Wait { matcher: Match, timeout: Option<Duration>, deadline: Option<Instant> },
    Sleep { deadline: Instant },
}

/// A match `on` added, numbered as `on` lists it.
#[derive(Debug)]
struct Numbered {
    number: u32,
    matcher: Match,
    /// Frames it took, for the listing.
    hits: u64,
}

/// What `stats` counts: every frame the repl received, printed or not.
#[derive(Debug)]
struct Counters {
    started: Instant,
    frames: u64,
    error_frames: u64,
    /// Sent by this repl's `send`.
    sent: u64,
    /// Frames by identifier, with `CAN_EFF_FLAG` telling 0x123 from 0x00000123.
    by_id: HashMap<u32, u64>,
    invalid: u64,
}

pub(crate) struct Session<'h> {
    hub: &'h Hub,
    /// Names the tool in script messages (`canlogger: line 3: ...`).
    name: String,
    /// At a terminal messages are plain and confirmations shown; in a script they carry the
    /// tool and the line, and confirmations stay quiet.
    interactive: bool,
    printer: Printer,
    watch: bool,
    /// What watch prints, and how the user wrote it; `None` prints everything.
    filter: Option<(FilterSet, String)>,
    matches: Vec<Numbered>,
    next_number: u32,
    pending: Option<Pending>,
    /// Scripts: the frames since the previous wait ended, and whether each was printed, for the
    /// next `wait` to look back on.
    backlog: VecDeque<(Frame, bool)>,
    /// The last command's status: the exit status when the repl ends.
    status: u8,
    /// Line number of the command being run, counted over every line read (scripts).
    line: u64,
    /// Frames formatted and not yet handed to the console: one write per batch of events.
    out: Vec<u8>,
    counters: Counters,
}

impl<'h> Session<'h> {
    pub(crate) fn new(hub: &'h Hub, name: &str, interactive: bool, printer: Printer, watch: bool) -> Self {
        Session {
            hub,
            name: name.to_string(),
            interactive,
            printer,
            watch,
            filter: None,
            matches: Vec::new(),
            next_number: 1,
            pending: None,
            backlog: VecDeque::new(),
            status: status::OK,
            line: 0,
            out: Vec::with_capacity(1 << 14),
            counters: Counters {
                started: Instant::now(),
                frames: 0,
                error_frames: 0,
                sent: 0,
                by_id: HashMap::new(),
                invalid: 0,
            },
        }
    }

    pub(crate) fn status(&self) -> u8 {
        self.status
    }

    /// A wait or a sleep is running: the next command waits for it.
    pub(crate) fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Count one more line read (blank lines and comments too: script messages name lines as an
    /// editor numbers them).
    pub(crate) fn next_line(&mut self) {
        self.line += 1;
    }

    /// When the running wait or sleep ends by itself.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        match &self.pending {
            Some(Pending::Wait { deadline, .. }) => *deadline,
            Some(Pending::Sleep { deadline }) => Some(*deadline),
            None => None,
        }
    }

    /// Hand the frames formatted so far to the console.
    pub(crate) fn flush(&mut self, console: &mut dyn Console) -> io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let result = console.frames(&self.out);
        self.out.clear();
        result
    }

    /// A message about the command being run, as a script or a person wants it.
    fn located(&self, text: &str) -> String {
        if self.interactive {
            return text.to_string();
        }
        // Every line on stderr names the tool, as the other tools' messages do.
        let mut lines = text.lines();
        let mut located = format!("{}: line {}: {}", self.name, self.line, lines.next().unwrap_or_default());
        for more in lines {
            located.push_str(&format!("\n{}: {more}", self.name));
        }
        located
    }

    /// The command failed with `status`: say why (frames before it are printed first).
    fn fail(&mut self, console: &mut dyn Console, status: u8, text: &str) -> io::Result<()> {
        self.flush(console)?;
        self.status = status;
        console.error(&self.located(text));
        Ok(())
    }

    /// Something about the bus rather than a command.
    fn notice(&mut self, console: &mut dyn Console, text: &str) -> io::Result<()> {
        self.flush(console)?;
        if self.interactive {
            console.error(text);
        } else {
            console.error(&format!("{}: {text}", self.name));
        }
        Ok(())
    }

    /// A line that is not a command: explained with the usage line, status 2.
    pub(crate) fn usage_error(&mut self, error: &CommandError, console: &mut dyn Console) -> io::Result<()> {
        let mut text = error.to_string();
        if let Some(help) = error.command {
            text.push_str(&format!("\nusage: {}", help.usage));
        }
        self.fail(console, status::USAGE, &text)
    }

    /// Run one command; a wait or sleep goes on after this returns (see [`Session::busy`]).
    pub(crate) async fn execute(
        &mut self,
        command: Command,
        subscription: &Subscription,
        console: &mut dyn Console,
    ) -> io::Result<Flow> {
        self.flush(console)?;
        // A command that does not fail succeeds; a wait sets its own status when it ends.
        let mut status = status::OK;
        match command {
            Command::Send(frames) => {
                for frame in &frames {
                    if let Err(e) = subscription.send(frame).await {
                        return self
                            .fail(console, status::FAILURE, &format!("send: {e}"))
                            .map(|()| Flow::Continue);
                    }
                    self.counters.sent += 1;
                }
            }
            Command::On(matcher) => {
                let number = self.next_number;
                self.next_number += 1;
                console.note(&format!("on #{number}: {matcher}"));
                self.matches.push(Numbered { number, matcher, hits: 0 });
            }
            Command::ListMatches => console.show(&self.list_matches())?,
            Command::Off { which, stop_watch } => {
                match which {
                    Which::All => {
                        let n = self.matches.len();
                        self.matches.clear();
                        console.note(&format!("removed {n} match{}", if n == 1 { "" } else { "es" }));
                    }
                    Which::Number(n) => match self.matches.iter().position(|m| m.number == n) {
                        Some(i) => {
                            let m = self.matches.remove(i);
                            console.note(&format!("removed #{n}: {}", m.matcher));
                        }
                        None => {
                            let text = format!("off: no match #{n} (on lists them)");
                            return self.fail(console, status::USAGE, &text).map(|()| Flow::Continue);
                        }
                    },
                }
                if stop_watch {
                    self.set_watch(false, console);
                }
            }
            Command::Watch(on) => {
                let on = on.unwrap_or(!self.watch);
                self.set_watch(on, console);
            }
            Command::Wait { matcher, timeout } => {
                if let Some(i) = self.backlog.iter().position(|(f, _)| matcher.matches(f)) {
                    let (frame, printed) = self.backlog[i];
                    if !printed {
                        self.printer.frame(&mut self.out, &frame);
                    }
                    self.backlog.drain(..=i);
                } else {
                    let deadline = timeout.map(|t| Instant::now() + t);
                    self.pending = Some(Pending::Wait { matcher, timeout, deadline });
                    status = self.status;
                }
            }
            Command::Sleep(duration) => {
                self.pending = Some(Pending::Sleep { deadline: Instant::now() + duration });
                status = self.status;
            }
            Command::Filter(change) => {
                let asked = change == FilterChange::Show;
                match change {
                    FilterChange::Show => {}
                    FilterChange::Clear => self.filter = None,
                    FilterChange::Set { filter, text } => self.filter = Some((filter, text)),
                }
                let text = format!("filter: {}\n", self.filter_text());
                if asked {
                    console.show(&text)?;
                } else {
                    console.note(&text);
                }
            }
            Command::Stats => console.show(&self.stats())?,
            Command::Bus => console.show(&self.bus())?,
            Command::Help(topic) => console.show(&help(topic))?,
            Command::Quit => return Ok(Flow::Quit),
        }
        self.status = status;
        Ok(Flow::Continue)
    }

    fn set_watch(&mut self, on: bool, console: &mut dyn Console) {
        self.watch = on;
        let filter = match &self.filter {
            Some((_, text)) if on => format!(" (filter {text})"),
            _ => String::new(),
        };
        console.note(&format!("watch {}{filter}", if on { "on" } else { "off" }));
    }

    fn filter_text(&self) -> String {
        match &self.filter {
            Some((_, text)) => text.clone(),
            None => "off (watch prints every frame)".into(),
        }
    }

    fn list_matches(&self) -> String {
        let mut text =
            format!("watch: {}, filter: {}\n", if self.watch { "on" } else { "off" }, self.filter_text());
        if self.matches.is_empty() {
            text.push_str("no matches (add one: on ID [D0 [D1]])\n");
        }
        for m in &self.matches {
            text.push_str(&format!("#{:<3} {:<28} {}\n", m.number, m.matcher.to_string(), frames(m.hits)));
        }
        text
    }

    /// Take one event from the bus: count it, print it if anything asks for it, end a wait it
    /// matches. Returns whether it ended a wait (the next command must not see later events).
    pub(crate) fn on_event(&mut self, event: BusEvent, console: &mut dyn Console) -> io::Result<bool> {
        let frame = match event {
            BusEvent::Frame(frame) => frame,
            other => {
                self.on_bus_event(&other, console)?;
                return Ok(false);
            }
        };
        self.count(&frame);
        let mut print = self.watch && self.filter.as_ref().is_none_or(|(f, _)| f.matches(&frame));
        for m in self.matches.iter_mut().filter(|m| m.matcher.matches(&frame)) {
            m.hits += 1;
            print = true;
        }
        let ends_wait =
            matches!(&self.pending, Some(Pending::Wait { matcher, .. }) if matcher.matches(&frame));
        if print || ends_wait {
            self.printer.frame(&mut self.out, &frame);
        }
        if ends_wait {
            // The next wait looks for a frame after this one.
            self.backlog.clear();
        } else if !self.interactive {
            if self.backlog.len() == BACKLOG {
                self.backlog.pop_front();
            }
            self.backlog.push_back((frame, print));
        }
        if ends_wait {
            self.pending = None;
            self.status = status::OK;
        }
        Ok(ends_wait)
    }

    fn on_bus_event(&mut self, event: &BusEvent, console: &mut dyn Console) -> io::Result<()> {
        // JSON carries events on stdout too, when frames are being printed, as `canlogger watch`.
        if self.watch {
            self.printer.event(&mut self.out, event);
        }
        match event {
            BusEvent::Frame(_) => Ok(()),
            BusEvent::Dropped { count } => {
                self.notice(console, &format!("{count} frames dropped before the repl could read them"))
            }
            BusEvent::State(state) => self.notice(console, &format!("bus state is now {state}")),
            BusEvent::Invalid { source, reason } => {
                self.counters.invalid += 1;
                match self.counters.invalid {
                    n if n < SHOW_INVALID => {
                        self.notice(console, &format!("ignored invalid datagram from {source}: {reason}"))
                    }
                    SHOW_INVALID => self.notice(
                        console,
                        &format!(
                            "ignored invalid datagram from {source}: {reason}; further ones are counted (stats)"
                        ),
                    ),
                    _ => Ok(()),
                }
            }
            // A gateway's link going down and back: the repl goes on across it.
            BusEvent::Notice { source, message } => self.notice(console, &format!("{source}: {message}")),
        }
    }

    fn count(&mut self, frame: &Frame) {
        self.counters.frames += 1;
        if frame.is_error() {
            self.counters.error_frames += 1;
        } else {
            let key = frame.id() | if frame.is_extended() { CAN_EFF_FLAG } else { 0 };
            *self.counters.by_id.entry(key).or_default() += 1;
        }
    }

    /// The running wait or sleep reached its deadline.
    pub(crate) fn deadline_passed(&mut self, console: &mut dyn Console) -> io::Result<()> {
        match self.pending.take() {
            Some(Pending::Wait { matcher, timeout, .. }) => {
                self.backlog.clear();
                let within = timeout.map(|t| humantime::format_duration(t).to_string()).unwrap_or_default();
                self.fail(
                    console,
                    status::TIMEOUT,
                    &format!("wait: no frame matching {matcher} within {within}"),
                )
            }
            Some(Pending::Sleep { .. }) => {
                self.status = status::OK;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Ctrl-C or a shutdown while a wait or sleep runs: it ends with status 130. Returns whether
    /// anything was running.
    pub(crate) fn interrupt(&mut self, console: &mut dyn Console) -> io::Result<bool> {
        let Some(pending) = self.pending.take() else { return Ok(false) };
        let what = match pending {
            Pending::Wait { .. } => {
                self.backlog.clear();
                "wait"
            }
            Pending::Sleep { .. } => "sleep",
        };
        self.fail(console, status::INTERRUPTED, &format!("{what}: interrupted"))?;
        Ok(true)
    }

    fn stats(&self) -> String {
        let c = &self.counters;
        let secs = c.started.elapsed().as_secs_f64();
        let rate = if secs > 0.0 { c.frames as f64 / secs } else { 0.0 };
        let mut text = format!(
            "since the start ({secs:.1} s): {} frames received ({rate:.1}/s), {} error frames, {} sent by this repl\n",
            c.frames, c.error_frames, c.sent
        );
        let mut ids: Vec<(&u32, &u64)> = c.by_id.iter().collect();
        ids.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        if !ids.is_empty() {
            text.push_str(&format!("busiest ids ({} ids seen):\n", ids.len()));
        }
        for (key, count) in ids.into_iter().take(TOP_IDS) {
            let id = if key & CAN_EFF_FLAG != 0 {
                format!("{:08X}", key & !CAN_EFF_FLAG)
            } else {
                format!("{key:03X}")
            };
            text.push_str(&format!("  {id:>8}  {count}\n"));
        }
        text.push_str(&self.bus_counters());
        text
    }

    fn bus_counters(&self) -> String {
        let s = self.hub.stats();
        format!(
            "bus counters: {} received, {} sent, {} dropped by the receive buffer, {} invalid datagrams\n",
            s.received, s.sent, s.dropped, s.invalid
        )
    }

    fn bus(&self) -> String {
        let format = match self.printer.format() {
            Format::Human => "human",
            Format::Log => "log",
            Format::Json => "json",
        };
        format!(
            "bus: {}\nstate: {}\n{}subscribers: {} (this repl among them)\nwatch: {}, filter: {}, {} matches, format {format}\n",
            self.hub.describe(),
            self.hub.state(),
            self.bus_counters(),
            self.hub.subscribers(),
            if self.watch { "on" } else { "off" },
            self.filter_text(),
            self.matches.len(),
        )
    }
}

/// "1 frame", "2 frames".
fn frames(n: u64) -> String {
    format!("{n} frame{}", if n == 1 { "" } else { "s" })
}

/// `help` and `help COMMAND`.
fn help(topic: Option<&'static super::command::CommandHelp>) -> String {
    match topic {
        Some(c) => {
            let mut text = format!("usage: {}\n{}\n", c.usage, c.summary);
            if !c.aliases.is_empty() {
                text.push_str(&format!("also: {}\n", c.aliases.join(", ")));
            }
            if !c.details.is_empty() {
                text.push_str(c.details);
                text.push('\n');
            }
            text
        }
        None => {
            const WIDTH: usize = 36;
            let mut text = String::from("Commands (help COMMAND for details and examples):\n");
            for c in COMMANDS {
                if c.usage.len() > WIDTH {
                    text.push_str(&format!("  {}\n  {:WIDTH$}  {}\n", c.usage, "", c.summary));
                } else {
                    text.push_str(&format!("  {:<WIDTH$}  {}\n", c.usage, c.summary));
                }
            }
            text.push_str(
                "Ids and bytes are hex as in can-utils (0x optional, 0n for decimal). Lines starting\n\
                 with # are comments. At a terminal: Tab completes, Up recalls, Ctrl-C abandons the\n\
                 line or cancels a wait, Ctrl-D leaves.\n",
            );
            text
        }
    }
}
