//! The interactive console any tool can open on a bus it shares through a [`Hub`]: `canlogger
//! repl` on the bus the options select, and any other tool on its own (`caneth repl` on a
//! gateway). Commands send frames, print the frames that match (`on`), print everything
//! (`watch`, through candump `filter`s), wait for a frame, and tell what is open (`bus`,
//! `stats`); `help` lists them ([`command::COMMANDS`]).
//!
//! At a terminal ([`ReplOptions::interactive`]) lines are edited with rustyline, on a thread of
//! its own since it blocks: history in the user's state directory ([`default_history_path`]),
//! Tab completion of commands, and live frames printed above the prompt by rustyline's external
//! printer without breaking the line being typed. Otherwise commands are read line by line
//! (standard input, or any reader with [`run_script`]) without a prompt, so a script can send,
//! wait and print, and the repl exits with the last command's status.
//!
//! One task runs the repl: it owns one subscription to the hub (hearing what the hub's other
//! users send), takes lines, events and timers in turn, and runs each command to its end before
//! it reads the next — a `wait` holds the next line back until a frame or the timeout ends it,
//! and the events that arrive meanwhile are printed as they come. Parsing ([`command`]) is apart
//! from running (the session) so that every form is unit-tested without a bus.
//!
//! Ctrl-C belongs to the repl at a terminal: it abandons the line being typed, or cancels a
//! running wait; on an empty line a second Ctrl-C leaves, as Ctrl-D and `quit` do. So a tool
//! that opens the repl at a terminal lets only SIGTERM trigger the [`Shutdown`] it passes;
//! the repl then listens to SIGINT itself (for the rest of the process's life, as tokio does).
//!
//! ```
//! use cankit::bus::hub::Hub;
//! use cankit::repl::{run_script, ReplOptions};
//! use cankit::shutdown::Shutdown;
//! use cankit::{Bus, BusConfig};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let hub = Hub::new(Bus::open(&BusConfig::new("virtual", Some("doc-repl"))).await?);
//! let script = "send 123#11\nwait 7E8 100ms\n";
//! let (mut out, mut err) = (Vec::new(), Vec::new());
//! let status = run_script(&hub, ReplOptions::script("demo"), script.as_bytes(), &mut out, &mut err, Shutdown::new()).await?;
//! assert_eq!(status, 1, "nobody answered: the last command, the wait, timed out");
//! assert!(String::from_utf8(err)?.starts_with("demo: line 2: wait: no frame matching 7E8 within 100ms"));
//! # Ok(())
//! # }
//! ```

pub mod command;
mod session;
#[cfg(feature = "repl")]
mod terminal;

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;

use crate::bus::hub::{Hub, Overflow, SubscribeOptions, Subscription};
use crate::bus::BusError;
use crate::print::Printer;
use crate::shutdown::Shutdown;
use session::{Flow, Session};

/// The statuses of commands, and so the repl's exit status: the same numbers as every cankit
/// tool's exit codes.
pub mod status {
    /// The command did what it was asked.
    pub const OK: u8 = 0;
    /// `wait`: no matching frame before the timeout.
    pub const TIMEOUT: u8 = 1;
    /// A line that is not a valid command (unknown, bad arguments, malformed frame).
    pub const USAGE: u8 = 2;
    /// The bus refused or failed (`send`).
    pub const FAILURE: u8 = 3;
    /// A wait or sleep cut short by Ctrl-C or a shutdown (128 + SIGINT, as shells report it).
    pub const INTERRUPTED: u8 = 130;
}

/// Events the repl's subscription queues for it: a live view keeps the latest.
const QUEUE: usize = 4096;

/// Events handled in one go before the loop looks at input and timers again.
const BATCH: usize = 256;

/// How a repl looks and where it reads.
#[derive(Clone, Debug)]
pub struct ReplOptions {
    /// The tool, in the messages of scripts (`canlogger: line 3: ...`) and the banner.
    pub name: String,
    /// What the terminal shows before each line (`canlogger> `; a bus name suits too).
    pub prompt: String,
    /// How frames are printed: human, candump log or JSON lines, as `canlogger watch`.
    pub printer: Printer,
    /// Where the terminal's history is loaded from and saved to, after every line; `None` keeps
    /// none. Scripts keep no history.
    pub history: Option<PathBuf>,
    /// Read a terminal with line editing (true) or lines from standard input (false).
    pub interactive: bool,
    /// Start with watch on.
    pub watch: bool,
}

impl ReplOptions {
    /// The usual options of a tool called `name`: human format, the history in
    /// [`default_history_path`], interactive when standard input is a terminal.
    pub fn new(name: impl Into<String>) -> ReplOptions {
        let name = name.into();
        ReplOptions {
            prompt: format!("{name}> "),
            name,
            printer: Printer::new(crate::print::Format::Human),
            history: default_history_path(),
            interactive: io::stdin().is_terminal(),
            watch: false,
        }
    }

    /// Options for reading a script: not interactive, no history.
    pub fn script(name: impl Into<String>) -> ReplOptions {
        ReplOptions { history: None, interactive: false, ..ReplOptions::new(name) }
    }
}

/// `$XDG_STATE_HOME/cankit/repl_history`, else `~/.local/state/cankit/repl_history` (the XDG
/// base directory rules: a relative `XDG_STATE_HOME` is ignored); `None` without a home.
pub fn default_history_path() -> Option<PathBuf> {
    let from_env = |name: &str| std::env::var_os(name).map(PathBuf::from).filter(|p| p.is_absolute());
    let state =
        from_env("XDG_STATE_HOME").or_else(|| from_env("HOME").map(|home| home.join(".local/state")))?;
    Some(state.join("cankit").join("repl_history"))
}

/// Why the repl stopped short of its end.
#[derive(Debug, thiserror::Error)]
pub enum ReplError {
    /// The bus failed (the hub's reading stopped): nothing more can be sent or seen.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The terminal could not be set up or read.
    #[error("terminal: {0}")]
    Terminal(String),
    /// Printing failed for another reason than a closed pipe.
    #[error("writing {what}: {source}")]
    Output {
        what: &'static str,
        #[source]
        source: io::Error,
    },
}

/// Where the repl prints. At a terminal everything goes above the prompt; in a script frames and
/// answers go to standard output and problems to standard error.
pub(crate) trait Console: Send {
    /// Frames, formatted by the printer (whole lines).
    fn frames(&mut self, text: &[u8]) -> io::Result<()>;
    /// The answer to a question: `help`, `stats`, `bus`, the list of matches.
    fn show(&mut self, text: &str) -> io::Result<()>;
    /// A confirmation a person wants and a script does not (`watch on`).
    fn note(&mut self, text: &str);
    /// What went wrong, or happened to the bus.
    fn error(&mut self, text: &str);
}

/// Text with exactly one line end.
pub(crate) fn line(text: &str) -> String {
    let mut line = text.trim_end_matches('\n').to_string();
    line.push('\n');
    line
}

/// A console on two streams: frames and answers to `out`, problems (and, when `notes` is set,
/// confirmations) to `err`.
pub(crate) struct StreamConsole<W, E> {
    pub(crate) out: W,
    pub(crate) err: E,
    pub(crate) notes: bool,
}

impl<W: Write + Send, E: Write + Send> Console for StreamConsole<W, E> {
    fn frames(&mut self, text: &[u8]) -> io::Result<()> {
        self.out.write_all(text)?;
        self.out.flush()
    }

    fn show(&mut self, text: &str) -> io::Result<()> {
        self.out.write_all(line(text).as_bytes())?;
        self.out.flush()
    }

    fn note(&mut self, text: &str) {
        if self.notes {
            let _ = self.err.write_all(line(text).as_bytes());
        }
    }

    fn error(&mut self, text: &str) {
        // Where standard error is gone there is nobody left to tell.
        let _ = self.err.write_all(line(text).as_bytes());
        let _ = self.err.flush();
    }
}

/// What the loop is told by its input.
#[derive(Debug)]
#[cfg_attr(
    not(feature = "repl"),
    allow(dead_code, reason = "only the terminal is interrupted or has notices")
)]
pub(crate) enum InputEvent {
    Line(String),
    /// Ctrl-C at the prompt, with or without text on the line.
    Interrupted {
        empty: bool,
    },
    /// Ctrl-D, or the end of the script.
    Eof,
    /// Something worth saying that does not stop the repl (history could not be saved).
    Notice(String),
    /// The input cannot be read any more.
    Failed(String),
}

/// Lines of a script, read on a thread of its own (a blocking read of standard input must not
/// hold up the runtime, nor its shutdown: the thread is left behind when the repl ends first).
struct ScriptInput {
    events: tokio::sync::mpsc::Receiver<InputEvent>,
}

impl ScriptInput {
    fn start(mut script: impl BufRead + Send + 'static) -> ScriptInput {
        let (sender, events) = tokio::sync::mpsc::channel(64);
        let failed = sender.clone();
        let reading = std::thread::Builder::new().name("repl-script".into()).spawn(move || {
            let mut bytes = Vec::new();
            loop {
                bytes.clear();
                let event = match script.read_until(b'\n', &mut bytes) {
                    Ok(0) => InputEvent::Eof,
                    Ok(_) => InputEvent::Line(String::from_utf8_lossy(&bytes).into_owned()),
                    Err(e) => InputEvent::Failed(format!("reading commands: {e}")),
                };
                let last = !matches!(event, InputEvent::Line(_));
                if sender.blocking_send(event).is_err() || last {
                    return;
                }
            }
        });
        if let Err(e) = reading {
            // The channel is empty: this fits.
            let _ =
                failed.try_send(InputEvent::Failed(format!("cannot start the thread reading commands: {e}")));
        }
        ScriptInput { events }
    }
}

/// Where the loop reads: a script, or the terminal's editor thread.
enum Input {
    Script(ScriptInput),
    #[cfg(feature = "repl")]
    Terminal(terminal::Editor),
}

impl Input {
    /// Ready for the next line: the terminal shows its prompt only now.
    fn ask(&mut self) {
        match self {
            Input::Script(_) => {}
            #[cfg(feature = "repl")]
            Input::Terminal(editor) => editor.ask(),
        }
    }

    async fn next(&mut self) -> InputEvent {
        match self {
            Input::Script(script) => script.events.recv().await.unwrap_or(InputEvent::Eof),
            #[cfg(feature = "repl")]
            Input::Terminal(editor) => editor.next().await,
        }
    }
}

/// Run the repl on `hub` until `quit`, Ctrl-D, the end of the script, the shutdown or a failed
/// bus; returns the exit status: the last command's ([`status`]). At a terminal (`options.
/// interactive`) let only SIGTERM trigger `shutdown`: Ctrl-C is the repl's (see the module
/// documentation).
pub async fn run(hub: &Hub, options: ReplOptions, shutdown: Shutdown) -> Result<u8, ReplError> {
    if !options.interactive {
        let script = io::BufReader::new(io::stdin());
        return run_script(hub, options, script, io::stdout(), io::stderr(), shutdown).await;
    }
    #[cfg(feature = "repl")]
    {
        let interrupts = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
            .map_err(|e| ReplError::Terminal(format!("listening for Ctrl-C: {e}")))?;
        let (editor, mut console) = terminal::start(&options)?;
        let mut input = Input::Terminal(editor);
        let result = drive(hub, &options, &mut input, &mut console, shutdown, Some(interrupts)).await;
        // The printer writes to the editor's terminal: it finishes before the editor closes it.
        console.close();
        drop(input);
        result
    }
    #[cfg(not(feature = "repl"))]
    Err(ReplError::Terminal(
        "this build has no line editor (the repl feature is off); pipe commands in instead".into(),
    ))
}

/// Run the commands of `script`, one a line, printing frames and answers to `out` and problems
/// to `err` (`name: line N: ...`); returns the last command's status. Every command ends before
/// the next is read, and at the end of the script the events already received are printed.
pub async fn run_script<R, W, E>(
    hub: &Hub,
    options: ReplOptions,
    script: R,
    out: W,
    err: E,
    shutdown: Shutdown,
) -> Result<u8, ReplError>
where
    R: BufRead + Send + 'static,
    W: Write + Send,
    E: Write + Send,
{
    let mut console = StreamConsole { out, err, notes: false };
    let mut input = Input::Script(ScriptInput::start(script));
    let options = ReplOptions { interactive: false, ..options };
    drive(hub, &options, &mut input, &mut console, shutdown, None).await
}

/// What woke the loop.
enum Step {
    Stop,
    Interrupt,
    Input(InputEvent),
    Deadline,
    Event(Result<crate::bus::BusEvent, BusError>),
}

/// The repl's one loop: input, events and timers in turn, each command run to its end before the
/// next line is taken.
async fn drive(
    hub: &Hub,
    options: &ReplOptions,
    input: &mut Input,
    console: &mut dyn Console,
    shutdown: Shutdown,
    mut interrupts: Option<tokio::signal::unix::Signal>,
) -> Result<u8, ReplError> {
    let mut subscription = hub.subscribe(SubscribeOptions {
        capacity: QUEUE,
        hear_sent: true,
        overflow: Overflow::DropOldest,
        ..SubscribeOptions::default()
    });
    let mut session =
        Session::new(hub, &options.name, options.interactive, options.printer.clone(), options.watch);
    if options.interactive {
        console.note(&format!(
            "{} repl on {}; help lists the commands, Ctrl-D leaves",
            options.name,
            hub.describe()
        ));
    }
    // A line was asked for and has not come yet (the terminal shows one prompt per line).
    let mut asked = false;
    // The last thing typed was Ctrl-C on an empty line: a second one leaves.
    let mut interrupted_empty = false;
    loop {
        if !session.busy() && !asked {
            input.ask();
            asked = true;
        }
        let deadline = session.deadline();
        let busy = session.busy();
        // Input comes before events: a script's `send` and the `wait` after it are both in place
        // before the answer is looked at. Timers come before events too, which a flood would
        // otherwise starve; the events queued by then are still looked at first (below).
        let step = tokio::select! {
            biased;
            _ = shutdown.triggered() => Step::Stop,
            () = next_interrupt(&mut interrupts) => Step::Interrupt,
            event = input.next(), if !busy => Step::Input(event),
            () = sleep_until(deadline), if deadline.is_some() => Step::Deadline,
            event = subscription.recv() => Step::Event(event),
        };
        let flow = match step {
            Step::Stop => {
                session.interrupt(console).map_err(output)?;
                Flow::Quit
            }
            Step::Interrupt => {
                if session.busy() {
                    // The terminal echoed ^C: the message goes on a line of its own.
                    console.error("");
                }
                session.interrupt(console).map_err(output)?;
                Flow::Continue
            }
            Step::Deadline => {
                drain(&mut session, &mut subscription, console, QUEUE)?;
                if session.busy() {
                    session.deadline_passed(console).map_err(output)?;
                }
                Flow::Continue
            }
            Step::Event(event) => match event {
                Ok(event) => {
                    if !session.on_event(event, console).map_err(output)? {
                        drain(&mut session, &mut subscription, console, BATCH)?;
                    }
                    Flow::Continue
                }
                Err(e) => {
                    let _ = session.flush(console);
                    return Err(e.into());
                }
            },
            Step::Input(event) => {
                if !matches!(event, InputEvent::Notice(_)) {
                    asked = false;
                }
                let was_interrupted_empty = std::mem::take(&mut interrupted_empty);
                match event {
                    InputEvent::Line(text) => {
                        session.next_line();
                        match command::parse(&text) {
                            Ok(None) => Flow::Continue,
                            Ok(Some(command)) => {
                                session.execute(command, &subscription, console).await.map_err(output)?
                            }
                            Err(e) => {
                                session.usage_error(&e, console).map_err(output)?;
                                Flow::Continue
                            }
                        }
                    }
                    InputEvent::Interrupted { empty: false } => Flow::Continue,
                    InputEvent::Interrupted { empty: true } if was_interrupted_empty => Flow::Quit,
                    InputEvent::Interrupted { empty: true } => {
                        interrupted_empty = true;
                        console.note("(to leave, press Ctrl-C again or Ctrl-D, or type quit)");
                        Flow::Continue
                    }
                    InputEvent::Eof => {
                        // The end of a script: print what had arrived by now.
                        drain(&mut session, &mut subscription, console, QUEUE)?;
                        Flow::Quit
                    }
                    InputEvent::Notice(text) => {
                        interrupted_empty = was_interrupted_empty;
                        session.flush(console).map_err(output)?;
                        console.error(&text);
                        Flow::Continue
                    }
                    InputEvent::Failed(text) => {
                        let _ = session.flush(console);
                        return Err(ReplError::Terminal(text));
                    }
                }
            }
        };
        match session.flush(console) {
            Ok(()) => {}
            // Whoever read the output has gone (`| head`): the repl ends as `watch` does.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => break,
            Err(e) => return Err(output(e)),
        }
        if flow == Flow::Quit {
            break;
        }
    }
    Ok(session.status())
}

/// Handle the events queued now, up to `limit`. Stops after an event that ends a wait, so that
/// the next command sees the events after it.
fn drain(
    session: &mut Session<'_>,
    subscription: &mut Subscription,
    console: &mut dyn Console,
    limit: usize,
) -> Result<(), ReplError> {
    let mut handled = 0;
    while handled < limit {
        let Some(event) = subscription.try_recv()? else { break };
        handled += 1;
        if session.on_event(event, console).map_err(output)? {
            break;
        }
    }
    Ok(())
}

fn output(source: io::Error) -> ReplError {
    ReplError::Output { what: "the repl's output", source }
}

async fn next_interrupt(signal: &mut Option<tokio::signal::unix::Signal>) {
    if let Some(s) = signal {
        if s.recv().await.is_some() {
            return;
        }
    }
    std::future::pending().await
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::{Bus, BusConfig};
    use crate::frame::Frame;
    use crate::print::Format;
    use std::time::Duration;

    /// A hub on a virtual bus of its own, and another program on the same bus.
    async fn bus(name: &str) -> (Hub, Bus) {
        let config = BusConfig::new("virtual", Some(name));
        (Hub::new(Bus::open(&config).await.unwrap()), Bus::open(&config).await.unwrap())
    }

    fn options() -> ReplOptions {
        ReplOptions { printer: Printer::new(Format::Log), ..ReplOptions::script("t") }
    }

    /// Run `script`; `peer` runs meanwhile. Returns the status, the frames printed (as
    /// cansend text) and stderr.
    async fn script(
        hub: &Hub,
        script: &'static str,
        peer: impl std::future::Future<Output = ()>,
    ) -> (u8, Vec<String>, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let (status, ()) = tokio::join!(
            run_script(hub, options(), script.as_bytes(), &mut out, &mut err, Shutdown::new()),
            peer
        );
        let out = String::from_utf8(out).unwrap();
        let frames = out.lines().filter_map(|l| l.split(' ').nth(2)).map(str::to_string).collect();
        (status.unwrap(), frames, String::from_utf8(err).unwrap())
    }

    async fn send(bus: &Bus, frames: &[&str]) {
        // Let the repl subscribe and read its script first.
        tokio::time::sleep(Duration::from_millis(50)).await;
        for f in frames {
            bus.send(&crate::text::parse_frame(f).unwrap()).await.unwrap();
        }
    }

    #[tokio::test]
    async fn matches_watch_and_its_filter_print_each_frame_once_and_a_wait_holds_the_next_command() {
        let (hub, peer) = bus("repl-print").await;
        let commands = "on 123\nwatch on\nfilter 100:700\nwait 7FF 5s\nwatch off\nwait 7FE 5s\n";
        let frames = ["123#01", "234#02", "150#03", "7FF#", "155#04", "123#05", "7FE#"];
        let (status, printed, err) = script(&hub, commands, send(&peer, &frames)).await;
        assert_eq!(err, "");
        // 123 (match and watch: once), 150 (watch), 7FF (the wait), then watch is off: 123 (match)
        // and 7FE (the second wait); 234 fails the filter and 155 comes after watch off.
        assert_eq!(printed, ["123#01", "150#03", "7FF#", "123#05", "7FE#"]);
        assert_eq!(status, status::OK);
    }

    #[tokio::test]
    async fn the_status_is_the_last_commands_and_problems_name_the_line() {
        let (hub, _peer) = bus("repl-status").await;
        let (status, _, err) = script(&hub, "frob\nhelp\n", async {}).await;
        assert_eq!(
            (status, err.as_str()),
            (0, "t: line 1: unknown command 'frob' (type help for the commands)\n")
        );
        let (status, _, err) = script(&hub, "help\n\n# fine so far\nsend 12G 11\n", async {}).await;
        assert_eq!(status, status::USAGE);
        assert!(err.starts_with("t: line 4: send: '12G' is not an identifier"), "{err}");
        assert!(err.ends_with("\nt: usage: send FRAME... | send ID [BYTES...] [ext|std] [rtr]\n"), "{err}");
        let (status, _, err) = script(&hub, "wait 7E8 50ms\n# a comment is no command\n", async {}).await;
        assert_eq!(
            (status, err.as_str()),
            (status::TIMEOUT, "t: line 1: wait: no frame matching 7E8 within 50ms\n")
        );
        let (status, _, _) = script(&hub, "wait 7E8 50ms\nquit\nhelp\n", async {}).await;
        assert_eq!(status, status::TIMEOUT, "quit keeps the status; nothing after it runs");
        let (status, _, _) = script(&hub, "", async {}).await;
        assert_eq!(status, status::OK);
    }

    #[tokio::test]
    async fn sent_frames_reach_the_bus_and_the_hubs_other_users() {
        let (hub, peer) = bus("repl-send").await;
        let mut neighbour = hub.subscribe(SubscribeOptions { hear_sent: true, ..Default::default() });
        // Nothing of a line is sent when any of its frames is malformed.
        let (status, _, err) = script(&hub, "send 123#11 0x7DF 02 01 0C\n", async {}).await;
        assert_eq!(status, status::USAGE, "{err}");
        let (status, _, err) = script(&hub, "send 123#11 1F334455#R\nsend 0x7DF 02 01 0C\n", async {}).await;
        assert_eq!((status, err.as_str()), (status::OK, ""));
        for want in ["123#11", "1F334455#R", "7DF#02010C"] {
            let crate::BusEvent::Frame(f) = peer.recv().await.unwrap() else { panic!("frames only") };
            let crate::BusEvent::Frame(g) = neighbour.recv().await.unwrap() else { panic!("frames only") };
            let text = |f: &Frame| {
                let mut text = String::new();
                crate::text::write_frame(&mut text, f).unwrap();
                text
            };
            assert_eq!(
                (text(&f).as_str(), text(&g).as_str(), g.direction),
                (want, want, crate::Direction::Tx)
            );
        }
    }

    /// A script whose lines come one at a time, `delay` apart, as from a slow pipe.
    struct Trickle {
        lines: std::collections::VecDeque<&'static str>,
        delay: Duration,
    }

    impl io::Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some(line) = self.lines.pop_front() else { return Ok(0) };
            std::thread::sleep(self.delay);
            buf[..line.len()].copy_from_slice(line.as_bytes());
            Ok(line.len())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_scripts_wait_takes_an_answer_that_came_before_its_line_but_not_one_taken_before() {
        let (hub, ecu) = bus("repl-backlog").await;
        // An ECU that answers 7DF at once, twice.
        tokio::spawn(async move {
            while let Ok(event) = ecu.recv().await {
                if matches!(event, crate::BusEvent::Frame(f) if f.id() == 0x7DF) {
                    for answer in ["7E8#0441", "7E9#0441"] {
                        ecu.send(&crate::text::parse_frame(answer).unwrap()).await.unwrap();
                    }
                }
            }
        });
        let lines = ["send 7DF#0201\n", "wait 7E8 100ms\n", "wait 7E9 100ms\n", "wait 7E8 100ms\n"];
        let script = io::BufReader::new(Trickle { lines: lines.into(), delay: Duration::from_millis(100) });
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = run_script(&hub, options(), script, &mut out, &mut err, Shutdown::new()).await.unwrap();
        let out = String::from_utf8(out).unwrap();
        let printed: Vec<&str> = out.lines().filter_map(|l| l.split(' ').nth(2)).collect();
        // Both answers came while the waits' lines were still on their way; the third wait finds
        // no new 7E8.
        assert_eq!(printed, ["7E8#0441", "7E9#0441"]);
        assert_eq!(String::from_utf8(err).unwrap(), "t: line 4: wait: no frame matching 7E8 within 100ms\n");
        assert_eq!(status, status::TIMEOUT);
    }

    #[tokio::test]
    async fn a_shutdown_cuts_a_wait_short_with_130() {
        let (hub, _peer) = bus("repl-shutdown").await;
        let shutdown = Shutdown::new();
        let trigger = shutdown.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            trigger.trigger();
        });
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status =
            run_script(&hub, options(), &b"wait 7E8 0s\nhelp\n"[..], &mut out, &mut err, shutdown).await;
        assert_eq!(status.unwrap(), status::INTERRUPTED);
        assert_eq!(String::from_utf8(err).unwrap(), "t: line 1: wait: interrupted\n");
        assert!(out.is_empty(), "help never ran");
    }

    #[test]
    fn the_repl_can_run_on_any_tokio_task() {
        fn send<T: Send>(_: &T) {}
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let (hub, _peer) = bus("repl-send-bound").await;
            let future = run(&hub, ReplOptions::script("t"), Shutdown::new());
            send(&future);
        });
    }
}
