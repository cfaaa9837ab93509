//! The Mermaid rendering of a [`Diagram`]: a `sequenceDiagram` (Mermaid's syntax, vusim's
//! choice of layout) with the title in the front matter, one `participant` line per party,
//! `->>` requests, `-->>` answers, `--x` failures and `Note over` computations.

use std::fmt::Write as _;

use super::{Arrow, Diagram, Event};

/// Mermaid text: `;` and `#` would end a statement or start an entity, `<`/`>` could be read as
/// HTML; they are written as Mermaid entity codes.
fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => s.push_str("#35;"),
            ';' => s.push_str("#59;"),
            '<' => s.push_str("#lt;"),
            '>' => s.push_str("#gt;"),
            '\n' | '\r' => s.push(' '),
            c => s.push(c),
        }
    }
    s
}

pub(super) fn render(d: &Diagram) -> String {
    let mut out = String::new();
    if !d.title().is_empty() {
        // The title is YAML front matter: a double-quoted scalar (`#` would start a comment).
        let t: String = d
            .title()
            .chars()
            .flat_map(|c| match c {
                '"' => vec!['\\', '"'],
                '\\' => vec!['\\', '\\'],
                '\n' | '\r' => vec![' '],
                c => vec![c],
            })
            .collect();
        let _ = writeln!(out, "---\ntitle: \"{t}\"\n---");
    }
    out.push_str("sequenceDiagram\n");
    for p in d.participants() {
        let _ = writeln!(out, "    participant {} as {}", p.id(), escape(p.name()));
    }
    for e in d.events() {
        match e {
            Event::Message {
                from,
                to,
                arrow,
                msg,
            } => {
                let a = match arrow {
                    Arrow::Request => "->>",
                    Arrow::Reply => "-->>",
                    Arrow::Failure => "--x",
                };
                let _ = writeln!(
                    out,
                    "    {}{a}{}: {}",
                    from.id(),
                    to.id(),
                    escape(&msg.label())
                );
            }
            Event::Note { over, msg } => {
                let _ = writeln!(out, "    Note over {}: {}", over.id(), escape(&msg.label()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Msg, Party};
    use super::*;

    #[test]
    fn mermaid_lines() {
        let mut d = Diagram::new("t");
        d.send(Party::Me, Party::Ausf, Msg::new("A;B").p("RES*"));
        d.fail(Party::Uicc, Party::Me, Msg::new("DC").p("AUTS"));
        d.note(Party::Hss, Msg::new("resynchronises").p("SQN_MS"));
        let m = render(&d);
        assert!(m.starts_with("---\ntitle: \"t\"\n---\nsequenceDiagram\n"));
        assert!(m.contains("    participant UICC as UICC\n    participant ME as ME\n"));
        assert!(m.contains("    participant HSS_AuC as HSS/AuC\n"));
        assert!(m.contains("    ME->>AUSF: A#59;B (RES*)\n"));
        assert!(m.contains("    UICC--xME: DC (AUTS)\n"));
        assert!(m.contains("    Note over HSS_AuC: resynchronises (SQN_MS)\n"));
    }
}
