//! `vusim shell`: an interactive session in the script language (docs/script.md) with line editing, history, completion of verbs and file names, and every response decoded (FCPs, EF contents, status words).

use std::borrow::Cow;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use vusim_apdu::script::{self, Event, Observer, Runner, VERBS};

use super::run::Printer;
use crate::out::Out;
use crate::outln;
use vusim_applet::fs::resolve::TableResolver;

/// Arguments of `vusim shell`.
#[derive(Debug, Args)]
pub struct ShellArgs {
    /// The card: file, hold, transport.
    #[command(flatten)]
    pub session: super::send::CardSession,
}

const KEYWORDS: &[&str] = &[
    "reset", "set", "echo", "include", "exit", "help", "quit", "net",
];

/// Completion of verbs, keywords and file names.
struct ShellHelper {
    words: Vec<String>,
    names: Vec<String>,
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let head = line.get(..pos).unwrap_or(line);
        let start = head.rfind(char::is_whitespace).map_or(0, |i| i + 1);
        let word = head.get(start..).unwrap_or_default();
        let first = head.get(..start).is_none_or(|h| h.trim().is_empty());
        let pool = if first { &self.words } else { &self.names };
        let lower = word.to_ascii_lowercase();
        let pairs = pool
            .iter()
            .filter(|c| c.to_ascii_lowercase().starts_with(&lower))
            .map(|c| Pair {
                display: c.clone(),
                replacement: c.clone(),
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}
impl Highlighter for ShellHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}
impl Validator for ShellHelper {}
impl Helper for ShellHelper {}

/// Prints like `vusim run` and remembers the last exchange, to decode EF contents after it.
struct ShellObserver {
    printer: Printer,
    last: Option<(Vec<u8>, Vec<u8>)>,
}

impl Observer for ShellObserver {
    fn event(&mut self, event: &Event<'_>) {
        if let Event::Apdu {
            command, response, ..
        } = *event
        {
            self.last = Some((command.to_vec(), response.to_vec()));
        }
        self.printer.event(event);
    }
}

fn help(out: &mut Out) {
    outln!(out, "Type APDUs in hex (`00A40004023F00`), or verbs:");
    for (_, _, usage) in VERBS {
        outln!(out, "  {usage}");
    }
    outln!(
        out,
        "  reset | set NAME VALUE | echo TEXT | include FILE | help | quit"
    );
    outln!(
        out,
        "The network side (`net OPERATION …`, vusim's script extension):"
    );
    for (usage, what) in vusim_network::script_net::OPERATIONS {
        outln!(out, "  net {usage}: {what}");
    }
    outln!(
        out,
        "Add `=> PATTERN` to check a response (e.g. `=> 9000`, `=> DB 08 ${{res:8}} *`)."
    );
    outln!(
        out,
        "Responses are decoded: status words, FCPs, and the contents of the selected EF."
    );
}

/// Run `vusim shell`.
pub fn run(args: &ShellArgs) -> anyhow::Result<ExitCode> {
    let (mut card, atr) = args.session.open()?;
    let resolver = TableResolver::new();
    let mut words: Vec<String> = VERBS.iter().map(|(_, w, _)| (*w).to_string()).collect();
    words.extend(KEYWORDS.iter().map(|k| (*k).to_string()));
    words.extend(
        [
            "authenticate 3g",
            "authenticate gsm",
            "gba bootstrap",
            "gba naf",
        ]
        .map(String::from),
    );
    let helper = ShellHelper {
        words,
        names: resolver.names(),
    };
    let mut editor: Editor<ShellHelper, rustyline::history::DefaultHistory> = Editor::new()?;
    editor.set_helper(Some(helper));
    let history = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".vusim_history"));
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    // One printer for the session; flushed before every prompt.
    let mut obs = ShellObserver {
        printer: Printer::named(false, super::run::card_names(&card)),
        last: None,
    };
    outln!(
        obs.printer.out,
        "vusim shell — ATR {} — `help` lists verbs, Tab completes, Ctrl-D quits",
        hex::encode_upper(&atr)
    );
    let mut network = super::run::script_network(&card, args.session.card.clone())?;
    let mut runner = Runner::new(&resolver)
        .keep_going(true)
        .network(&mut network);
    let mut failures = 0usize;
    let mut n = 0usize;
    loop {
        let prompt = prompt(&card);
        obs.printer.out.flush_now();
        let line = match editor.readline(&prompt) {
            Ok(l) => l,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        };
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let _ = editor.add_history_entry(trimmed);
        match trimmed {
            "quit" | "exit" => break,
            "help" | "?" => {
                help(&mut obs.printer.out);
                continue;
            }
            _ => {}
        }
        n += 1;
        let program = match script::parse(&format!("<shell:{n}>"), trimmed, &mut script::FsLoader) {
            Ok(p) => p,
            Err(e) => {
                outln!(obs.printer.out, "  {e}");
                continue;
            }
        };
        if let Err(e) = program.check(&resolver) {
            outln!(obs.printer.out, "  {e}");
            continue;
        }
        obs.last = None;
        let before = runner.summary().failures.len();
        if let Err(e) = runner.run(&program, &mut card, &mut obs) {
            outln!(obs.printer.out, "  {e}");
            continue;
        }
        failures += runner.summary().failures.len() - before;
        // After a successful READ BINARY / READ RECORD, the contents of the EF it read.
        let decoded = obs.last.and_then(|(c, r)| card.card().decode_read(&c, &r));
        for (name, line) in decoded
            .iter()
            .flat_map(|(n, ls)| ls.iter().map(move |l| (n, l)))
        {
            outln!(obs.printer.out, "  {name} {line}");
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    obs.printer
        .out
        .finish()
        .map_err(|e| anyhow::anyhow!("writing to standard output: {e}"))?;
    Ok(if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The prompt names the channel-0 selection: `vusim USIM:EF.IMSI> `.
fn prompt(card: &vusim_applet::store::DurableCard) -> String {
    match card.card().selection_label(0) {
        Some(at) => format!("vusim {at}> "),
        None => "vusim> ".to_string(),
    }
}
