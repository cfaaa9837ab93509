//! Reading scripts: lines to steps, `include` resolved, errors with file, line and column.

use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::pattern::Pattern;
use super::text::{is_var_name, Located, Origin, Template};
use super::verb::{AnyName, Arg, Resolver, Verb, VERBS};

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// A command APDU written in hex (variables allowed).
    Apdu(Template),
    /// A verb and its arguments.
    Verb {
        /// The verb.
        verb: Verb,
        /// Column of the verb.
        column: usize,
        /// The arguments, one word each.
        args: Vec<Template>,
    },
    /// `reset`: a warm reset; the ATR is the response an expectation checks.
    Reset,
    /// `exit`: stop this script.
    Exit,
    /// `set NAME VALUE`.
    Set {
        /// The variable.
        name: String,
        /// The value.
        value: Template,
    },
    /// `echo TEXT`.
    Echo(Template),
    /// `net OPERATION ARGS…`: a step of the network side (a [`super::Network`]); the bytes it
    /// gives are what an expectation on it checks.
    Net {
        /// Column of the operation word.
        column: usize,
        /// The operation and its arguments, one word each.
        words: Vec<Template>,
    },
}

/// An expectation (`=> PATTERN`), on the command's line or the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// Where the `=>` is.
    pub at: Origin,
    /// Column of the `=>`.
    pub column: usize,
    /// The pattern.
    pub pattern: Pattern,
}

/// One step of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Where it was written.
    pub at: Origin,
    /// The line as written, without comment and expectation.
    pub source: String,
    /// What it does.
    pub action: Action,
    /// What the response must look like.
    pub expect: Option<Expectation>,
}

/// A script with its includes expanded in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Program {
    /// The script's name (its path as given).
    pub name: Arc<str>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// Reads script files (the codec does no I/O of its own choosing; [`FsLoader`] reads the file
/// system, tests can serve text from memory).
pub trait Loader {
    /// The text of a script.
    fn read(&mut self, path: &Path) -> io::Result<String>;

    /// The identity of a path, for include-cycle detection (by default the path with `.` and
    /// `..` resolved lexically).
    fn identity(&mut self, path: &Path) -> PathBuf {
        normalize(path)
    }
}

/// Reads scripts from the file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct FsLoader;

impl Loader for FsLoader {
    fn read(&mut self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn identity(&mut self, path: &Path) -> PathBuf {
        std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
    }
}

/// `a/./b/../c` → `a/c`.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A script that cannot be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScriptError {
    /// The script file cannot be read.
    #[error("{file}: cannot read the script: {error}")]
    Read {
        /// The script.
        file: String,
        /// The OS error (part of the message, so not also a `source()`).
        error: io::Error,
    },
    /// A line that is not valid script.
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        /// The script.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// An included file cannot be read.
    #[error("{file}:{line}:{column}: cannot include `{include}` ({path}): {error}")]
    Include {
        /// The including script.
        file: String,
        /// 1-based line of the `include`.
        line: usize,
        /// 1-based column of the file name.
        column: usize,
        /// The file name as written.
        include: String,
        /// The path it resolved to.
        path: String,
        /// The OS error (part of the message, so not also a `source()`).
        error: io::Error,
    },
    /// A file includes itself, directly or through others.
    #[error("{file}:{line}:{column}: include cycle: {}", .chain.join(" -> "))]
    IncludeCycle {
        /// The including script.
        file: String,
        /// 1-based line of the `include`.
        line: usize,
        /// 1-based column of the file name.
        column: usize,
        /// The files of the cycle, the repeated one last.
        chain: Vec<String>,
    },
}

/// Nested includes beyond this depth are refused (a cycle through differently spelled paths).
const MAX_INCLUDE_DEPTH: usize = 32;

/// A loaded program (includes expanded) may hold at most this many steps: scripts that include
/// each other repeatedly cannot grow without bound.
pub const MAX_STEPS: usize = 100_000;

/// Load a script file and its includes.
pub fn load(path: &Path, loader: &mut dyn Loader) -> Result<Program, ScriptError> {
    let name = path.display().to_string();
    let text = loader.read(path).map_err(|error| ScriptError::Read {
        file: name.clone(),
        error,
    })?;
    let identity = loader.identity(path);
    parse_with(&name, identity, &text, loader)
}

/// Parse script text named `name`; includes are read through `loader`, relative to `name`'s
/// directory.
pub fn parse(name: &str, text: &str, loader: &mut dyn Loader) -> Result<Program, ScriptError> {
    let identity = loader.identity(Path::new(name));
    parse_with(name, identity, text, loader)
}

fn parse_with(
    name: &str,
    identity: PathBuf,
    text: &str,
    loader: &mut dyn Loader,
) -> Result<Program, ScriptError> {
    let mut ctx = Ctx {
        loader,
        stack: vec![(identity, name.to_string())],
        steps: Vec::new(),
    };
    ctx.parse_text(name, text)?;
    Ok(Program {
        name: Arc::from(name),
        steps: ctx.steps,
    })
}

impl Program {
    /// Check what can be checked before running: every `select` name without variables
    /// resolves, every verb without variables builds.
    pub fn check(&self, resolver: &dyn Resolver) -> Result<(), ScriptError> {
        for step in &self.steps {
            if let Action::Verb { verb, column, args } = &step.action {
                let Some(args) = literal_args(args) else {
                    continue;
                };
                verb.build(*column, &args, resolver)
                    .map_err(|e| syntax(&step.at, e))?;
            }
        }
        Ok(())
    }
}

fn literal_args(args: &[Template]) -> Option<Vec<Arg>> {
    args.iter()
        .map(|t| {
            t.literal().map(|text| Arg {
                text,
                column: t.column(),
            })
        })
        .collect()
}

fn syntax(at: &Origin, e: Located) -> ScriptError {
    ScriptError::Syntax {
        file: at.file.to_string(),
        line: at.line,
        column: e.column,
        message: e.message,
    }
}

struct Ctx<'l> {
    loader: &'l mut dyn Loader,
    stack: Vec<(PathBuf, String)>,
    steps: Vec<Step>,
}

enum Line {
    Blank,
    Expect { column: usize, pattern: Pattern },
    Step(Action, Option<(usize, Pattern)>, String),
    Include { column: usize, path: String },
}

impl Ctx<'_> {
    fn parse_text(&mut self, name: &str, text: &str) -> Result<(), ScriptError> {
        let file: Arc<str> = Arc::from(name);
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // Index of the last step that may still take an expectation on the next line.
        let mut open: Option<usize> = None;
        for (n, raw) in text.lines().enumerate() {
            let at = Origin {
                file: file.clone(),
                line: n + 1,
            };
            let chars: Vec<char> = raw.chars().collect();
            match parse_line(&chars).map_err(|e| syntax(&at, e))? {
                Line::Blank => {}
                Line::Expect { column, pattern } => {
                    let step = open.take().and_then(|i| self.steps.get_mut(i));
                    let Some(step) = step else {
                        return Err(syntax(
                            &at,
                            Located::new(
                                column,
                                "an expectation `=>` must follow an APDU, a verb, `net` or `reset`, on its line or on the next line",
                            ),
                        ));
                    };
                    step.expect = Some(Expectation {
                        at,
                        column,
                        pattern,
                    });
                }
                Line::Step(action, expect, source) => {
                    let takes_expectation = matches!(
                        action,
                        Action::Apdu(_) | Action::Verb { .. } | Action::Reset | Action::Net { .. }
                    );
                    if let Some((column, _)) = &expect {
                        if !takes_expectation {
                            return Err(syntax(
                                &at,
                                Located::new(
                                    *column,
                                    "only APDUs, verbs, `net` and `reset` take an expectation `=>`",
                                ),
                            ));
                        }
                    }
                    open = (takes_expectation && expect.is_none()).then_some(self.steps.len());
                    if self.steps.len() >= MAX_STEPS {
                        return Err(syntax(
                            &at,
                            Located::new(
                                1,
                                format!("more than {MAX_STEPS} steps once includes are expanded"),
                            ),
                        ));
                    }
                    self.steps.push(Step {
                        at: at.clone(),
                        source,
                        action,
                        expect: expect.map(|(column, pattern)| Expectation {
                            at,
                            column,
                            pattern,
                        }),
                    });
                }
                Line::Include { column, path } => {
                    open = None;
                    self.include(name, &at, column, &path)?;
                }
            }
        }
        Ok(())
    }

    fn include(
        &mut self,
        includer: &str,
        at: &Origin,
        column: usize,
        written: &str,
    ) -> Result<(), ScriptError> {
        let rel = Path::new(written);
        let path = if rel.is_absolute() {
            rel.to_path_buf()
        } else {
            Path::new(includer)
                .parent()
                .map_or_else(|| rel.to_path_buf(), |d| d.join(rel))
        };
        let shown = path.display().to_string();
        let identity = self.loader.identity(&path);
        if let Some(pos) = self.stack.iter().position(|(id, _)| *id == identity) {
            let mut chain: Vec<String> = self
                .stack
                .iter()
                .skip(pos)
                .map(|(_, n)| n.clone())
                .collect();
            chain.push(shown);
            return Err(ScriptError::IncludeCycle {
                file: at.file.to_string(),
                line: at.line,
                column,
                chain,
            });
        }
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            return Err(syntax(
                at,
                Located::new(
                    column,
                    format!("includes nested deeper than {MAX_INCLUDE_DEPTH} files"),
                ),
            ));
        }
        let text = self
            .loader
            .read(&path)
            .map_err(|error| ScriptError::Include {
                file: at.file.to_string(),
                line: at.line,
                column,
                include: written.to_string(),
                path: shown.clone(),
                error,
            })?;
        self.stack.push((identity, shown.clone()));
        let r = self.parse_text(&shown, &text);
        self.stack.pop();
        r
    }
}

fn collect(chars: &[char]) -> String {
    chars.iter().collect()
}

fn trim_end(chars: &[char]) -> &[char] {
    let end = chars
        .iter()
        .rposition(|c| !c.is_whitespace())
        .map_or(0, |p| p + 1);
    chars.get(..end).unwrap_or_default()
}

fn skip_ws(chars: &[char], from: usize) -> usize {
    chars
        .iter()
        .skip(from)
        .position(|c| !c.is_whitespace())
        .map_or(chars.len(), |p| p + from)
}

fn word_end(chars: &[char], from: usize) -> usize {
    chars
        .iter()
        .skip(from)
        .position(|c| c.is_whitespace())
        .map_or(chars.len(), |p| p + from)
}

/// Whitespace-separated words of `chars[from..]` with their indices.
fn words(chars: &[char], from: usize) -> Vec<(usize, &[char])> {
    let mut out = Vec::new();
    let mut i = skip_ws(chars, from);
    while i < chars.len() {
        let e = word_end(chars, i);
        out.push((i, chars.get(i..e).unwrap_or_default()));
        i = skip_ws(chars, e);
    }
    out
}

fn parse_line(chars: &[char]) -> Result<Line, Located> {
    let first = skip_ws(chars, 0);
    match chars.get(first) {
        None => return Ok(Line::Blank),
        Some('#') => return Ok(Line::Blank),
        Some(_) => {}
    }
    let first_word = collect(chars.get(first..word_end(chars, first)).unwrap_or_default());
    if first_word.eq_ignore_ascii_case("echo") {
        let start = skip_ws(chars, word_end(chars, first));
        let rest = trim_end(chars.get(start..).unwrap_or_default());
        let text = Template::parse(rest, start + 1)?;
        return Ok(Line::Step(
            Action::Echo(text),
            None,
            collect(trim_end(chars.get(first..).unwrap_or_default())),
        ));
    }
    // A comment starts at a `#` after a blank.
    let end = (first..chars.len())
        .find(|&i| {
            chars.get(i) == Some(&'#')
                && i.checked_sub(1)
                    .and_then(|p| chars.get(p))
                    .is_some_and(|c| c.is_whitespace())
        })
        .unwrap_or(chars.len());
    let body = chars.get(..end).unwrap_or_default();
    let arrow = (first..end).find(|&i| body.get(i) == Some(&'=') && body.get(i + 1) == Some(&'>'));
    let (cmd_end, expect) = match arrow {
        Some(a) => {
            let pattern = Pattern::parse_chars(body.get(a + 2..).unwrap_or_default(), a + 3)?;
            (a, Some((a + 1, pattern)))
        }
        None => (end, None),
    };
    let cmd = trim_end(body.get(..cmd_end).unwrap_or_default());
    if cmd.len() <= first {
        return Ok(match expect {
            Some((column, pattern)) => Line::Expect { column, pattern },
            None => Line::Blank,
        });
    }
    let source = collect(cmd.get(first..).unwrap_or_default());
    let w_end = word_end(cmd, first);
    let word = collect(cmd.get(first..w_end).unwrap_or_default());
    let lower = word.to_ascii_lowercase();
    let args = words(cmd, w_end);
    let no_args = |what: &str| -> Result<(), Located> {
        match args.first() {
            Some((i, w)) => Err(Located::new(
                i + 1,
                format!("`{what}` takes no argument, got `{}`", collect(w)),
            )),
            None => Ok(()),
        }
    };
    let action = match lower.as_str() {
        "reset" => {
            no_args("reset")?;
            Action::Reset
        }
        "exit" | "quit" => {
            no_args(&lower)?;
            Action::Exit
        }
        "set" => {
            let Some((i, name)) = args.first() else {
                return Err(Located::new(first + 1, "usage: set NAME VALUE"));
            };
            let name = collect(name);
            if !is_var_name(&name) {
                return Err(Located::new(
                    i + 1,
                    format!("`{name}` is not a variable name (letters, digits and `_`, not starting with a digit)"),
                ));
            }
            let start = skip_ws(cmd, word_end(cmd, *i));
            let value = Template::parse(cmd.get(start..).unwrap_or_default(), start + 1)?;
            Action::Set { name, value }
        }
        "net" => {
            let Some((i, _)) = args.first() else {
                return Err(Located::new(
                    first + 1,
                    "usage: net OPERATION ARGS… (docs/script.md#the-network-side-net)",
                ));
            };
            let words = args
                .iter()
                .map(|(i, w)| Template::parse(w, i + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Action::Net {
                column: i + 1,
                words,
            }
        }
        "include" => {
            let start = skip_ws(cmd, w_end);
            let mut path = collect(cmd.get(start..).unwrap_or_default());
            if path.is_empty() {
                return Err(Located::new(first + 1, "usage: include FILE"));
            }
            for q in ['"', '\''] {
                if path.len() >= 2 && path.starts_with(q) && path.ends_with(q) {
                    path = path
                        .chars()
                        .skip(1)
                        .take(path.chars().count() - 2)
                        .collect();
                }
            }
            if path.contains("${") {
                return Err(Located::new(
                    start + 1,
                    "include takes a fixed file name (no variables)",
                ));
            }
            if let Some((column, _)) = expect {
                return Err(Located::new(column, "`include` takes no expectation"));
            }
            return Ok(Line::Include {
                column: start + 1,
                path,
            });
        }
        _ => match Verb::from_word(&lower) {
            Some(verb) => {
                let args = args
                    .iter()
                    .map(|(i, w)| Template::parse(w, i + 1))
                    .collect::<Result<Vec<_>, _>>()?;
                if let Some(lit) = literal_args(&args) {
                    verb.build(first + 1, &lit, &AnyName)?;
                }
                Action::Verb {
                    verb,
                    column: first + 1,
                    args,
                }
            }
            None if looks_like_hex(&word) => Action::Apdu(apdu(cmd, first)?),
            None => {
                let verbs: Vec<&str> = VERBS.iter().map(|(_, w, _)| *w).collect();
                return Err(Located::new(
                    first + 1,
                    format!(
                        "unknown command `{word}`: a line is an APDU in hex, an expectation `=> …`, reset, exit, set, echo, include, net or one of {}",
                        verbs.join(", ")
                    ),
                ));
            }
        },
    };
    Ok(Line::Step(action, expect, source))
}

fn looks_like_hex(word: &str) -> bool {
    word.contains("${")
        || word
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '-')
}

/// An APDU line: hex digits and separators, and `${name}`.
fn apdu(cmd: &[char], first: usize) -> Result<Template, Located> {
    let t = Template::parse(cmd.get(first..).unwrap_or_default(), first + 1)?;
    for (text, col) in t.literal_pieces() {
        for (k, c) in text.chars().enumerate() {
            if !(c.is_ascii_hexdigit() || c.is_whitespace() || c == ':' || c == '-') {
                return Err(Located::new(
                    col + k,
                    format!("unexpected {c:?} in an APDU (hex digits, blanks and `${{name}}`)"),
                ));
            }
        }
    }
    if let Some(text) = t.literal() {
        check_apdu_bytes(&text, first + 1)?;
    }
    Ok(t)
}

/// Decode an APDU's hex and require a header.
pub(crate) fn check_apdu_bytes(text: &str, column: usize) -> Result<Vec<u8>, Located> {
    let bytes = crate::hexstr::parse_hex(text)
        .map_err(|e| Located::new(column, format!("APDU is not hex: {e}")))?;
    if bytes.len() < 4 {
        return Err(Located::new(
            column,
            format!(
                "an APDU needs at least CLA INS P1 P2 (4 bytes), got {}; write an expected response as `=> …`",
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(Default)]
    struct Mem(HashMap<PathBuf, String>);

    impl Loader for Mem {
        fn read(&mut self, path: &Path) -> io::Result<String> {
            self.0
                .get(&normalize(path))
                .cloned()
                .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not found"))
        }
    }

    fn p(text: &str) -> Result<Program, ScriptError> {
        parse("t.script", text, &mut Mem::default())
    }

    fn err(text: &str) -> String {
        p(text).expect_err("an error").to_string()
    }

    #[test]
    fn scriptor_scripts_parse() {
        let prog = p("# comment\nreset\n\n00 A4 00 04 02 3F00 00\n00A40004023F0000\nexit\n")
            .expect("script");
        assert_eq!(prog.steps.len(), 4);
        assert_eq!(prog.steps.first().map(|s| s.at.line), Some(2));
        assert!(matches!(
            prog.steps.get(3).map(|s| &s.action),
            Some(Action::Exit)
        ));
    }

    #[test]
    fn expectations_on_the_line_or_the_next() {
        let prog =
            p("00A40004023F0000 => 62 * 9000\nverify pin1 1234\n# c\n=> 9000 # ok\nreset => 3B *")
                .expect("script");
        let e: Vec<_> = prog
            .steps
            .iter()
            .map(|s| s.expect.as_ref().map(|e| (e.at.line, e.column)))
            .collect();
        assert_eq!(e, vec![Some((1, 18)), Some((4, 1)), Some((5, 7))]);
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        assert_eq!(err("reset\n  => 9000\n=> 6A82"), "t.script:3:1: an expectation `=>` must follow an APDU, a verb, `net` or `reset`, on its line or on the next line");
        assert!(err("00A4 0004 02 3F0G").starts_with("t.script:1:17: unexpected 'G'"));
        assert!(err("\n\nselct MF").starts_with("t.script:3:1: unknown command `selct`"));
        assert!(err("00 A4").starts_with("t.script:1:1: an APDU needs at least"));
        assert!(err("00A4000C => 90 0").starts_with("t.script:1:16: odd number"));
        assert!(err("echo hi\n=> 9000").starts_with("t.script:2:1:"));
        assert!(err("set 1x 00").starts_with("t.script:1:5:"));
        assert!(err("verify pin1 123456789").starts_with("t.script:1:13:"));
        assert!(err("reset now").starts_with("t.script:1:7:"));
        assert!(err("set x 1 => 9000").starts_with("t.script:1:9: only APDUs"));
        assert!(err("00B0 ${x:4}").starts_with("t.script:1:6:"));
    }

    #[test]
    fn includes_resolve_relative_and_detect_cycles() {
        let mut mem = Mem::default();
        mem.0.insert(
            "dir/a.script".into(),
            "echo a\ninclude sub/b.script\n".into(),
        );
        mem.0.insert(
            "dir/sub/b.script".into(),
            "echo b\ninclude ../a.script\n".into(),
        );
        mem.0
            .insert("dir/c.script".into(), "include 'missing.script'".into());
        let e = load(Path::new("dir/a.script"), &mut mem).expect_err("cycle");
        assert_eq!(
            e.to_string(),
            "dir/sub/b.script:2:9: include cycle: dir/a.script -> dir/sub/b.script -> dir/sub/../a.script"
        );
        let e = load(Path::new("dir/c.script"), &mut mem).expect_err("missing");
        assert!(e.to_string().starts_with(
            "dir/c.script:1:9: cannot include `missing.script` (dir/missing.script):"
        ));
        mem.0.insert(
            "dir/sub/b.script".into(),
            "echo b\n00B0000000 => * 9000".into(),
        );
        let prog = load(Path::new("dir/a.script"), &mut mem).expect("loads");
        let origins: Vec<String> = prog.steps.iter().map(|s| s.at.to_string()).collect();
        assert_eq!(
            origins,
            ["dir/a.script:1", "dir/sub/b.script:1", "dir/sub/b.script:2"]
        );
    }
}
