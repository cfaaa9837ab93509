//! Card sessions as data: `.script` files (docs/script.md) run in process on a [`Card`].
//!
//! Every file under `tests/scripts/` runs on a fresh embedded default card
//! (`tests/tests/scripts.rs`); a failure is reported as `file:line: expected …, got …`. A script
//! whose expected values are computed independently in Rust (published vectors, an independent
//! HMAC) declares them in a header line `# vars: NAME …`; the Rust test computes the values and
//! runs the script with [`Session::var`], and the all-scripts test leaves it to that test.
//!
//! Header lines the harness reads (comments to `vusim run`, so the files stay runnable there):
//!
//! | line | meaning |
//! |---|---|
//! | `# harness: t0` | the card answers as on T=0 (`vusim run --t0`) |
//! | `# vars: NAME …` | variables the caller must set; not run by the all-scripts test |
//! | `# harness: prepared` | runs on a card a Rust test has prepared (keys derived, a clock set); not run by the all-scripts test |

use std::path::{Path, PathBuf};

use vusim_apdu::script::{self, Event, FsLoader, NoNames, Runner, Summary, Vars};
use vusim_applet::card::{self, Card};

/// The directory of the card sessions, relative to the `vusim-integration` package (the working
/// directory of its tests), so reports name `scripts/area/file.script:LINE`.
pub const SCRIPTS: &str = "scripts";

/// Every `.script` file under `dir`, sorted, subdirectories included except `lib/` (pieces that
/// other scripts include, which are not sessions of their own).
pub fn scripts_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "lib") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|x| x == "script") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// What a script's header asks of the harness.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Header {
    /// `# harness: t0`.
    pub t0: bool,
    /// `# harness: prepared`: the card is prepared by the Rust test that runs the script.
    pub prepared: bool,
    /// `# vars: NAME …`: variables the caller sets.
    pub vars: Vec<String>,
}

impl Header {
    /// Read the header lines of a script's text.
    pub fn of(text: &str) -> Header {
        let mut h = Header::default();
        for line in text.lines().map(str::trim) {
            if let Some(rest) = line.strip_prefix("# harness:") {
                for word in rest.split_whitespace() {
                    match word {
                        "t0" => h.t0 = true,
                        "prepared" => h.prepared = true,
                        other => panic!("unknown harness option `{other}`"),
                    }
                }
            } else if let Some(rest) = line.strip_prefix("# vars:") {
                h.vars.extend(rest.split_whitespace().map(String::from));
            }
        }
        h
    }
}

/// The result of a run: the counts, the failures (`file:line: …`) and the variables afterwards
/// (captures included).
#[derive(Debug)]
pub struct Outcome {
    /// APDUs, resets, expectations and failed expectations.
    pub summary: Summary,
    /// Failed expectations and errors, one line each, `file:line: …`.
    pub errors: Vec<String>,
    /// The variables at the end.
    pub vars: Vars,
    /// The command APDUs sent, in order.
    pub commands: Vec<Vec<u8>>,
}

impl Outcome {
    /// Panic with every failure unless all expectations held.
    pub fn assert_passed(&self) -> &Outcome {
        assert!(
            self.errors.is_empty(),
            "{} failure(s):\n  {}",
            self.errors.len(),
            self.errors.join("\n  ")
        );
        self
    }

    /// A variable set by the script (a capture), or panic.
    pub fn var(&self, name: &str) -> &str {
        self.vars
            .get(name)
            .unwrap_or_else(|| panic!("the script did not set `{name}`"))
    }
}

/// A script run on a card, with variables given by the caller.
#[derive(Debug, Default)]
pub struct Session {
    vars: Vec<(String, String)>,
}

impl Session {
    /// A session without variables.
    pub fn new() -> Session {
        Session::default()
    }

    /// Set variable `name` (hex for expectations, or text for verbs).
    pub fn var(mut self, name: &str, value: impl Into<String>) -> Session {
        self.vars.push((name.to_string(), value.into()));
        self
    }

    /// Set variable `name` to the upper-case hex of `bytes`.
    pub fn hex(self, name: &str, bytes: &[u8]) -> Session {
        self.var(name, hex::encode_upper(bytes))
    }

    /// Run a script file (a path relative to the `vusim-integration` package, e.g.
    /// `scripts/gba/bootstrap.script`) on `card`, checking every declared variable is given.
    pub fn run_file(&self, path: impl AsRef<Path>, card: &mut Card) -> Outcome {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("{}: cannot read: {e}", path.display()));
        let header = Header::of(&text);
        for name in &header.vars {
            assert!(
                self.vars.iter().any(|(n, _)| n == name),
                "{}: variable `{name}` is declared in `# vars:` but not given",
                path.display()
            );
        }
        if header.t0 {
            card.set_transport(card::Transport::T0);
        }
        self.run(script::load(path, &mut FsLoader), card)
    }

    /// Run script text named `name` on `card` (includes relative to `name`).
    pub fn run_text(&self, name: &str, text: &str, card: &mut Card) -> Outcome {
        self.run(script::parse(name, text, &mut FsLoader), card)
    }

    fn run(
        &self,
        program: Result<script::Program, script::ScriptError>,
        card: &mut Card,
    ) -> Outcome {
        let mut runner = Runner::new(&NoNames).keep_going(true);
        for (n, v) in &self.vars {
            runner.set_var(n.clone(), v.clone());
        }
        let mut errors = Vec::new();
        let mut commands = Vec::new();
        let mut record = |e: &Event<'_>| {
            if let Event::Apdu { command, .. } = e {
                commands.push(command.to_vec());
            }
        };
        match program.and_then(|p| p.check(&NoNames).map(|()| p)) {
            Err(e) => errors.push(e.to_string()),
            Ok(p) => {
                if let Err(e) = runner.run(&p, card, &mut record) {
                    errors.push(e.to_string());
                }
            }
        }
        let summary = runner.summary().clone();
        errors.splice(0..0, summary.failures.iter().map(ToString::to_string));
        Outcome {
            vars: runner.vars().clone(),
            commands,
            errors,
            summary,
        }
    }
}
