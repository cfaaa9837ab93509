//! The SVG rendering of a [`Diagram`] (vusim's own drawing, SVG 1.1 text written by hand): one
//! box and a dashed lifeline per participant, one row per event, solid arrows for requests,
//! dashed ones for answers, a cross at the end of a failure, and notes as boxes over a
//! lifeline. Widths are estimated from the label lengths (6 px per character at 12 px).

use std::fmt::Write as _;

use super::{Arrow, Diagram, Event, Party};

const CHAR_W: usize = 6;
const ROW_H: usize = 38;
const HEAD_Y: usize = 44;
const BOX_H: usize = 30;
const MIN_COL: usize = 150;

fn escape(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            c => s.push(c),
        }
    }
    s
}

fn text_w(text: &str) -> usize {
    text.chars().count() * CHAR_W
}

fn index(ps: &[Party], p: Party) -> usize {
    ps.iter().position(|q| *q == p).unwrap_or(0)
}

pub(super) fn render(d: &Diagram) -> String {
    let ps = d.participants();
    let n = ps.len().max(1);
    // Column width: every message fits between its two lifelines, every name in its box.
    let mut col = MIN_COL;
    let mut note_w = 0;
    for p in &ps {
        col = col.max(text_w(p.name()) + 30);
    }
    for e in d.events() {
        match e {
            Event::Message { from, to, msg, .. } => {
                let span = index(&ps, *from).abs_diff(index(&ps, *to)).max(1);
                col = col.max((text_w(&msg.label()) + 24).div_ceil(span));
            }
            Event::Note { msg, .. } => note_w = note_w.max(text_w(&msg.label()) + 16),
        }
    }
    col = col.max(note_w.saturating_sub(40));
    let margin = 20 + note_w.saturating_sub(col) / 2;
    let width = 2 * margin + n * col;
    let x = |p: Party| margin + col / 2 + index(&ps, p) * col;
    let top = HEAD_Y + BOX_H;
    let height = top + 20 + d.events().len() * ROW_H + 20;

    let mut o = String::new();
    let _ = writeln!(
        o,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(o, "<title>{}</title>", escape(d.title()));
    o.push_str(concat!(
        "<defs>\n",
        "<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#333\"/></marker>\n",
        "<marker id=\"cross\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"10\" markerHeight=\"10\" orient=\"auto\"><path d=\"M2,1 L10,9 M2,9 L10,1\" stroke=\"#b00\" stroke-width=\"2\"/></marker>\n",
        "</defs>\n",
    ));
    let _ = writeln!(
        o,
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>"
    );
    let _ = writeln!(
        o,
        "<text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{}</text>",
        width / 2,
        escape(d.title())
    );
    let bottom = height - 16;
    for p in &ps {
        let cx = x(*p);
        let bw = col - 20;
        let _ = writeln!(
            o,
            "<line x1=\"{cx}\" y1=\"{top}\" x2=\"{cx}\" y2=\"{bottom}\" stroke=\"#999\" stroke-dasharray=\"4,4\"/>"
        );
        let _ = writeln!(
            o,
            "<rect x=\"{}\" y=\"{HEAD_Y}\" width=\"{bw}\" height=\"{BOX_H}\" rx=\"4\" fill=\"#eaeaff\" stroke=\"#557\"/>",
            cx - bw / 2
        );
        let _ = writeln!(
            o,
            "<text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>",
            HEAD_Y + 20,
            escape(p.name())
        );
    }
    for (i, e) in d.events().iter().enumerate() {
        let y = top + 20 + i * ROW_H + 22;
        match e {
            Event::Message {
                from,
                to,
                arrow,
                msg,
            } => {
                let (x1, x2) = (x(*from), x(*to));
                let label = escape(&msg.label());
                let (dash, color, marker) = match arrow {
                    Arrow::Request => ("", "#333", "arrow"),
                    Arrow::Reply => (" stroke-dasharray=\"6,3\"", "#333", "arrow"),
                    Arrow::Failure => (" stroke-dasharray=\"6,3\"", "#b00", "cross"),
                };
                if x1 == x2 {
                    // A message to oneself: a small loop to the right.
                    let _ = writeln!(
                        o,
                        "<path d=\"M{x1},{} h30 v12 h-30\" fill=\"none\" stroke=\"{color}\"{dash} marker-end=\"url(#{marker})\"/>",
                        y - 6
                    );
                    let _ = writeln!(
                        o,
                        "<text x=\"{}\" y=\"{}\" fill=\"{color}\">{label}</text>",
                        x1 + 36,
                        y + 2
                    );
                } else {
                    let _ = writeln!(
                        o,
                        "<line x1=\"{x1}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"{color}\" stroke-width=\"1.4\"{dash} marker-end=\"url(#{marker})\"/>"
                    );
                    let _ = writeln!(
                        o,
                        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{color}\">{label}</text>",
                        (x1 + x2) / 2,
                        y - 6
                    );
                }
            }
            Event::Note { over, msg } => {
                let label = msg.label();
                let w = text_w(&label) + 16;
                let cx = x(*over);
                let _ = writeln!(
                    o,
                    "<rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"24\" fill=\"#fff8c4\" stroke=\"#aa3\"/>",
                    cx.saturating_sub(w / 2),
                    y - 16
                );
                let _ = writeln!(
                    o,
                    "<text x=\"{cx}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                    y,
                    escape(&label)
                );
            }
        }
    }
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::super::Msg;
    use super::*;

    #[test]
    fn svg_has_boxes_arrows_and_escaped_labels() {
        let mut d = Diagram::new("a<b");
        d.send(Party::Me, Party::Uicc, Msg::new("SELECT").p("AID"));
        d.fail(Party::Uicc, Party::Me, Msg::new("DC").p("AUTS"));
        d.note(Party::Me, Msg::new("derives").p("K_AUSF"));
        let s = render(&d);
        assert!(s.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(s.trim_end().ends_with("</svg>"));
        assert!(s.contains("<title>a&lt;b</title>"));
        assert!(s.contains(">UICC</text>") && s.contains(">ME</text>"));
        assert!(s.contains(">SELECT (AID)</text>"));
        assert!(s.contains("marker-end=\"url(#cross)\""));
        assert!(s.contains(">derives (K_AUSF)</text>"));
        assert_eq!(s.matches("<line ").count(), 2 + 2);
    }
}
