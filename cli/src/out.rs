//! Buffered standard output for the commands that print per APDU (`send`, `run`, `shell`,
//! `pcsc send/run`): one write system call per 8 KiB buffer instead of one per line. On a
//! terminal each exchange is flushed as it completes, so an interactive user sees it at once.

use std::fmt;
use std::io::{self, BufWriter, IsTerminal, Stdout, Write};

/// Standard output, buffered; flushed when dropped.
pub struct Out {
    w: BufWriter<Stdout>,
    interactive: bool,
    /// Reused for the text of one exchange.
    scratch: String,
    /// The first write error (a closed pipe, a full disk), reported by [`Out::finish`].
    error: Option<io::Error>,
}

impl Out {
    /// Buffered standard output.
    pub fn new() -> Out {
        let stdout = io::stdout();
        Out {
            interactive: stdout.is_terminal(),
            w: BufWriter::new(stdout),
            scratch: String::new(),
            error: None,
        }
    }

    /// Write one line. A write error is kept for [`Out::finish`]; later lines are dropped.
    pub fn line(&mut self, args: fmt::Arguments<'_>) {
        if self.error.is_none() {
            if let Err(e) = writeln!(self.w, "{args}") {
                self.error = Some(e);
            }
        }
    }

    /// Write text that `fill` appends to a reused buffer (whole lines, each ending in `\n`).
    pub fn text(&mut self, fill: impl FnOnce(&mut String)) {
        self.scratch.clear();
        fill(&mut self.scratch);
        if self.error.is_none() {
            if let Err(e) = self.w.write_all(self.scratch.as_bytes()) {
                self.error = Some(e);
            }
        }
    }

    /// The end of one exchange or event: flushed at once on a terminal, buffered otherwise.
    pub fn end_of_exchange(&mut self) {
        if self.interactive {
            self.flush_now();
        }
    }

    /// Flush now (before reading input, or before writing to standard error).
    pub fn flush_now(&mut self) {
        if self.error.is_none() {
            if let Err(e) = self.w.flush() {
                self.error = Some(e);
            }
        }
    }

    /// Flush and report the first write error, if any.
    pub fn finish(mut self) -> io::Result<()> {
        self.flush_now();
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl Default for Out {
    fn default() -> Self {
        Out::new()
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        self.flush_now();
    }
}

/// `outln!(out, "…", args)`: one line to an [`Out`].
#[macro_export]
macro_rules! outln {
    ($out:expr, $($arg:tt)*) => {
        $out.line(format_args!($($arg)*))
    };
}
