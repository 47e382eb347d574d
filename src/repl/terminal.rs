//! The repl at a terminal: rustyline reads lines on a thread of its own (it blocks), one line
//! each time the loop asks, so the prompt shows only when the repl is ready for a command; a
//! second thread hands everything the repl prints to rustyline's external printer, which draws
//! it above the prompt and redraws the line being typed. Printing never waits for the terminal:
//! text queues (up to [`MAX_QUEUED`] bytes, beyond which lines are counted and dropped) and the
//! printing thread writes what has gathered in one go.
//!
//! History: loaded at the start, appended to the file after every line (so a repl killed by
//! SIGTERM or a second repl lose nothing), duplicates of the previous line and lines starting
//! with a space left out, as shells do. A history that cannot be read or written is said once and
//! never stops the repl.
//!
//! When the repl ends while a line is being typed (SIGTERM), rustyline cannot be told to stop
//! reading: the terminal settings saved at the start are put back, and the thread is left to
//! end with the process.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{
    Behavior, Cmd, CompletionType, ConditionalEventHandler, Config, Event, EventContext, EventHandler,
    KeyEvent, RepeatCount,
};

use super::{command, line, Console, InputEvent, ReplError, ReplOptions, StreamConsole};

/// Text waiting for the terminal beyond which further lines are dropped (and counted): a flood
/// of frames must not grow memory without bound when the terminal cannot keep up.
const MAX_QUEUED: usize = 1 << 20;

/// Lines of history kept.
const HISTORY_LINES: usize = 1000;

/// How long the end of the repl waits for queued text to reach the terminal.
const FINAL_PRINT: Duration = Duration::from_secs(2);

/// The line editor's thread, seen from the loop.
pub(crate) struct Editor {
    /// Asks the thread for one more line with this prompt; dropped to end it.
    asks: Option<mpsc::Sender<String>>,
    events: tokio::sync::mpsc::UnboundedReceiver<InputEvent>,
    prompt: String,
    /// A line was asked for and has not come: the thread is (or is about to be) in readline,
    /// with the terminal in raw mode.
    outstanding: bool,
    /// The terminal's settings before rustyline touched them.
    saved: Option<libc::termios>,
    thread: Option<JoinHandle<()>>,
}

impl Editor {
    pub(crate) fn ask(&mut self) {
        if let Some(asks) = &self.asks {
            // A thread that has ended says so through `events`.
            let _ = asks.send(self.prompt.clone());
            self.outstanding = true;
        }
    }

    pub(crate) async fn next(&mut self) -> InputEvent {
        let event = self.events.recv().await.unwrap_or(InputEvent::Eof);
        if !matches!(event, InputEvent::Notice(_)) {
            self.outstanding = false;
        }
        event
    }
}

impl Drop for Editor {
    fn drop(&mut self) {
        self.asks = None;
        if self.outstanding {
            if let Some(saved) = &self.saved {
                restore_terminal(saved);
            }
            // The prompt and half a line are on the screen: the shell's prompt goes below them.
            if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
                let _ = tty.write_all(b"\n");
            }
        } else if let Some(thread) = self.thread.take() {
            // It is waiting for an ask that will not come, and ends at once.
            let _ = thread.join();
        }
    }
}

/// Open the terminal: the editor thread and the console that prints above its prompt.
pub(crate) fn start(options: &ReplOptions) -> Result<(Editor, TerminalConsole), ReplError> {
    let failed = |e: ReadlineError| ReplError::Terminal(e.to_string());
    let saved = save_terminal();
    let config = Config::builder()
        // The prompt goes to the terminal even when standard output is redirected to a file.
        .behavior(Behavior::PreferTerm)
        .completion_type(CompletionType::List)
        .completion_show_all_if_ambiguous(true)
        .auto_add_history(false)
        .history_ignore_space(true)
        .history_ignore_dups(true)
        .and_then(|c| c.max_history_size(HISTORY_LINES))
        .map_err(failed)?
        .build();
    let mut editor: rustyline::Editor<Helper, FileHistory> =
        rustyline::Editor::with_config(config).map_err(failed)?;
    editor.set_helper(Some(Helper));
    let empty = Arc::new(AtomicBool::new(false));
    editor.bind_sequence(
        KeyEvent::ctrl('C'),
        EventHandler::Conditional(Box::new(CtrlC { empty: Arc::clone(&empty) })),
    );
    let (sender, events) = tokio::sync::mpsc::unbounded_channel();
    if let Some(path) = &options.history {
        if let Err(e) = load_history(&mut editor, path) {
            let _ = sender.send(InputEvent::Notice(e));
        }
    }
    // Without a terminal on standard output (`canlogger repl > frames.log`) frames go there
    // directly; rustyline's prompt still goes to the terminal.
    let printer = if io::stdout().is_terminal() { editor.create_external_printer().ok() } else { None };
    let console = match printer {
        Some(printer) => TerminalConsole::above_prompt(printer)?,
        None => TerminalConsole::Streams(StreamConsole { out: io::stdout(), err: io::stderr(), notes: true }),
    };
    let (asks, asked) = mpsc::channel();
    let history = options.history.clone();
    let thread = std::thread::Builder::new()
        .name("repl-editor".into())
        .spawn(move || read_lines(editor, asked, sender, history, empty))
        .map_err(|e| ReplError::Terminal(format!("cannot start the line editor's thread: {e}")))?;
    let editor = Editor {
        asks: Some(asks),
        events,
        prompt: options.prompt.clone(),
        outstanding: false,
        saved,
        thread: Some(thread),
    };
    Ok((editor, console))
}

fn load_history(
    editor: &mut rustyline::Editor<Helper, FileHistory>,
    path: &std::path::Path,
) -> Result<(), String> {
    let shown = path.display();
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("warning: history not kept: cannot create {}: {e}", dir.display()))?;
    }
    match editor.load_history(path) {
        Ok(()) => Ok(()),
        Err(ReadlineError::Io(e)) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("warning: cannot read the history {shown}: {e}")),
    }
}

/// The editor thread: one line per ask, each kept in the history file at once.
fn read_lines(
    mut editor: rustyline::Editor<Helper, FileHistory>,
    asks: mpsc::Receiver<String>,
    events: tokio::sync::mpsc::UnboundedSender<InputEvent>,
    history: Option<PathBuf>,
    empty: Arc<AtomicBool>,
) {
    let mut warned = false;
    while let Ok(prompt) = asks.recv() {
        let event = match editor.readline(&prompt) {
            Ok(line) => {
                if let Some(path) = &history {
                    let kept =
                        editor.add_history_entry(line.as_str()).and_then(|_| editor.append_history(path));
                    if let Err(e) = kept {
                        if !std::mem::replace(&mut warned, true) {
                            let text = format!("warning: cannot save the history in {}: {e}", path.display());
                            let _ = events.send(InputEvent::Notice(text));
                        }
                    }
                } else {
                    let _ = editor.add_history_entry(line.as_str());
                }
                InputEvent::Line(line)
            }
            Err(ReadlineError::Interrupted) => {
                InputEvent::Interrupted { empty: empty.load(Ordering::Relaxed) }
            }
            Err(ReadlineError::Eof) => InputEvent::Eof,
            Err(e) => InputEvent::Failed(format!("reading the terminal: {e}")),
        };
        let last = matches!(event, InputEvent::Eof | InputEvent::Failed(_));
        if events.send(event).is_err() || last {
            return;
        }
    }
}

/// Ctrl-C: abandons the line like a shell, noting whether there was anything on it (on an
/// empty line it counts towards leaving).
struct CtrlC {
    empty: Arc<AtomicBool>,
}

impl ConditionalEventHandler for CtrlC {
    fn handle(
        &self,
        _event: &Event,
        _count: RepeatCount,
        _positive: bool,
        context: &EventContext,
    ) -> Option<Cmd> {
        self.empty.store(context.line().is_empty(), Ordering::Relaxed);
        Some(Cmd::Interrupt)
    }
}

/// Tab completion of command names and their keywords ([`command::complete`]).
struct Helper;

impl Completer for Helper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, words) = command::complete(line, pos);
        let pairs =
            words.into_iter().map(|w| Pair { display: w.trim_end().to_string(), replacement: w }).collect();
        Ok((start, pairs))
    }
}

impl Hinter for Helper {
    type Hint = String;
}

impl Highlighter for Helper {}

impl Validator for Helper {}

impl rustyline::Helper for Helper {}

/// Where the repl prints at a terminal.
pub(crate) enum TerminalConsole {
    /// Above the prompt, through the printing thread.
    AbovePrompt(PrintingThread),
    /// Standard output is not the terminal: frames and answers go there, the rest to stderr.
    Streams(StreamConsole<io::Stdout, io::Stderr>),
}

impl TerminalConsole {
    fn above_prompt(
        printer: impl rustyline::ExternalPrinter + Send + 'static,
    ) -> Result<TerminalConsole, ReplError> {
        PrintingThread::start(printer).map(TerminalConsole::AbovePrompt)
    }

    /// Print what is queued (waiting a little for the terminal) and stop printing.
    pub(crate) fn close(&mut self) {
        if let TerminalConsole::AbovePrompt(thread) = self {
            thread.close();
        }
    }

    fn push(&mut self, text: &str) {
        match self {
            TerminalConsole::AbovePrompt(thread) => thread.push(text),
            TerminalConsole::Streams(streams) => streams.error(text),
        }
    }
}

impl Console for TerminalConsole {
    fn frames(&mut self, text: &[u8]) -> io::Result<()> {
        match self {
            TerminalConsole::AbovePrompt(thread) => {
                thread.push(&String::from_utf8_lossy(text));
                Ok(())
            }
            TerminalConsole::Streams(streams) => streams.frames(text),
        }
    }

    fn show(&mut self, text: &str) -> io::Result<()> {
        match self {
            TerminalConsole::AbovePrompt(thread) => {
                thread.push(&line(text));
                Ok(())
            }
            TerminalConsole::Streams(streams) => streams.show(text),
        }
    }

    fn note(&mut self, text: &str) {
        self.push(&line(text));
    }

    fn error(&mut self, text: &str) {
        self.push(&line(text));
    }
}

/// Text on its way to the terminal.
#[derive(Default)]
struct Queued {
    text: String,
    /// Lines dropped because too much was queued, not yet reported.
    lost: u64,
    closed: bool,
}

/// The thread that hands queued text to rustyline's external printer (which may block until the
/// editor has drawn the previous text).
pub(crate) struct PrintingThread {
    queue: Arc<(Mutex<Queued>, Condvar)>,
    /// Told when everything queued has been printed and the thread ends.
    finished: mpsc::Receiver<()>,
    closed: bool,
}

impl PrintingThread {
    fn start(
        mut printer: impl rustyline::ExternalPrinter + Send + 'static,
    ) -> Result<PrintingThread, ReplError> {
        let queue = Arc::new((Mutex::new(Queued::default()), Condvar::new()));
        let (done, finished) = mpsc::channel();
        let shared = Arc::clone(&queue);
        std::thread::Builder::new()
            .name("repl-printer".into())
            .spawn(move || {
                while let Some(text) = next_text(&shared) {
                    if printer.print(text.clone()).is_err() {
                        // The editor is gone: the terminal is ours.
                        let _ = io::stdout().write_all(text.as_bytes());
                    }
                }
                let _ = done.send(());
            })
            .map_err(|e| ReplError::Terminal(format!("cannot start the printing thread: {e}")))?;
        Ok(PrintingThread { queue, finished, closed: false })
    }

    fn push(&mut self, text: &str) {
        let (lock, ready) = &*self.queue;
        let mut queued = lock.lock().unwrap_or_else(|e| e.into_inner());
        if queued.text.len() + text.len() > MAX_QUEUED {
            queued.lost += text.lines().count() as u64;
        } else {
            queued.text.push_str(text);
        }
        drop(queued);
        ready.notify_one();
    }

    fn close(&mut self) {
        if std::mem::replace(&mut self.closed, true) {
            return;
        }
        let (lock, ready) = &*self.queue;
        lock.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
        ready.notify_one();
        // A terminal that does not take the text in time loses it rather than hang the exit.
        let _ = self.finished.recv_timeout(FINAL_PRINT);
    }
}

impl Drop for PrintingThread {
    fn drop(&mut self) {
        self.close();
    }
}

/// Everything queued, once there is something (or `None` once closed and empty).
fn next_text(queue: &(Mutex<Queued>, Condvar)) -> Option<String> {
    let (lock, ready) = queue;
    let mut queued = lock.lock().unwrap_or_else(|e| e.into_inner());
    while queued.text.is_empty() && queued.lost == 0 {
        if queued.closed {
            return None;
        }
        queued = ready.wait(queued).unwrap_or_else(|e| e.into_inner());
    }
    let mut text = std::mem::take(&mut queued.text);
    let lost = std::mem::take(&mut queued.lost);
    if lost > 0 {
        text.push_str(&format!("({lost} lines not shown: the terminal could not keep up)\n"));
    }
    Some(text)
}

/// The terminal's settings now, to put back if the repl ends in the middle of a line.
fn save_terminal() -> Option<libc::termios> {
    // SAFETY: tcgetattr writes a termios into the zeroed value we own; fd 0 stays open.
    unsafe {
        let mut settings: libc::termios = std::mem::zeroed();
        (libc::tcgetattr(libc::STDIN_FILENO, &mut settings) == 0).then_some(settings)
    }
}

fn restore_terminal(settings: &libc::termios) {
    // SAFETY: tcsetattr reads the termios we saved from this same terminal.
    unsafe {
        libc::tcsetattr(libc::STDIN_FILENO, libc::TCSADRAIN, settings);
    }
}
