//! Sequence diagrams of a run (vusim's own format, no spec clause): the flows record each
//! message between the UICC, the ME and the network functions as it happens, and the record
//! renders as a Mermaid `sequenceDiagram` ([`Diagram::mermaid`]) or as a standalone SVG
//! ([`Diagram::svg`]).
//!
//! A diagram never carries key values. Every label is built from `&'static str` names only
//! (the message, its parameters, the key names: `AUTHENTICATE P2 '81'`, `RAND`, `K_AUSF`), plus
//! typed public values that cannot hold key bytes (a status word, a channel number): no
//! runtime string can enter a label. As a second guard, rendering refuses any label (and any
//! output) with a run of [`MAX_HEX_RUN`] or more hexadecimal digits.

mod mermaid;
pub mod script;
mod svg;

use vusim_apdu::StatusWord;

/// Rendering refuses a run of this many hex digits or more: 8 bytes, shorter than any key.
pub const MAX_HEX_RUN: usize = 16;

/// A participant: the card, the terminal, or a network function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// The UICC (USIM and the applets on it).
    Uicc,
    /// The mobile equipment (terminal).
    Me,
    /// SEAF in the AMF (TS 33.501 §6.1.2).
    Seaf,
    /// AUSF (TS 33.501 §6.1.2).
    Ausf,
    /// UDM/ARPF (TS 33.501 §6.1.2), the 5G home of K.
    Udm,
    /// HSS/AuC (TS 33.102 §6.3).
    Hss,
    /// BSF (TS 33.220 §4.2).
    Bsf,
    /// NAF (TS 33.220 §4.2).
    Naf,
    /// AAnF (TS 33.535 §4.2).
    Aanf,
    /// AKMA AF (TS 33.535 §4.2).
    Af,
    /// Key-management server (the shared-bike study case).
    Kms,
    /// MME (TS 33.401).
    Mme,
    /// SCEF (TS 23.682).
    Scef,
    /// Application server (TR 33.863).
    As,
    /// Any other participant, by a fixed name (a door lock, a bike, a roadside unit).
    Other(&'static str),
}

impl Party {
    /// The name drawn on the diagram.
    pub fn name(self) -> &'static str {
        match self {
            Party::Uicc => "UICC",
            Party::Me => "ME",
            Party::Seaf => "SEAF/AMF",
            Party::Ausf => "AUSF",
            Party::Udm => "UDM/ARPF",
            Party::Hss => "HSS/AuC",
            Party::Bsf => "BSF",
            Party::Naf => "NAF",
            Party::Aanf => "AAnF",
            Party::Af => "AF",
            Party::Kms => "KMS",
            Party::Mme => "MME",
            Party::Scef => "SCEF",
            Party::As => "AS",
            Party::Other(n) => n,
        }
    }

    /// An identifier for Mermaid (letters, digits and `_` only).
    pub(crate) fn id(self) -> String {
        self.name()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect()
    }

    /// Left-to-right order: card, terminal, then the network from the serving side home.
    fn rank(self) -> u8 {
        match self {
            Party::Uicc => 0,
            Party::Me => 1,
            Party::Other(_) => 2,
            Party::Seaf | Party::Mme => 3,
            Party::Ausf | Party::Bsf => 4,
            Party::Udm | Party::Hss => 5,
            Party::Aanf | Party::Scef => 6,
            Party::Naf | Party::Af | Party::As => 7,
            Party::Kms => 8,
        }
    }
}

/// A message label: a name and parameter names, all fixed strings, and optional typed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    name: &'static str,
    params: Vec<&'static str>,
    sw: Option<StatusWord>,
    channel: Option<u8>,
}

impl Msg {
    /// A message called `name` (e.g. `AUTHENTICATE P2 '81'`, `Nausf_UEAuthentication`).
    pub fn new(name: &'static str) -> Msg {
        Msg {
            name,
            params: Vec::new(),
            sw: None,
            channel: None,
        }
    }

    /// Add a parameter or key name (`RAND`, `AUTN`, `K_AF`).
    #[must_use]
    pub fn p(mut self, param: &'static str) -> Msg {
        self.params.push(param);
        self
    }

    /// Add several parameter names.
    #[must_use]
    pub fn ps(mut self, params: &[&'static str]) -> Msg {
        self.params.extend_from_slice(params);
        self
    }

    /// The status word of a card answer.
    #[must_use]
    pub fn sw(mut self, sw: StatusWord) -> Msg {
        self.sw = Some(sw);
        self
    }

    /// The logical channel of a card command.
    #[must_use]
    pub fn channel(mut self, ch: u8) -> Msg {
        self.channel = Some(ch);
        self
    }

    /// The message name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The parameter names.
    pub fn params(&self) -> &[&'static str] {
        &self.params
    }

    /// The label text: `name (p1, p2) on channel N · SW XXXX`, leaving out what is absent.
    pub fn label(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut head = self.name.to_string();
        if !self.params.is_empty() {
            let list = format!("({})", self.params.join(", "));
            head = if head.is_empty() {
                list
            } else {
                format!("{head} {list}")
            };
        }
        if let Some(ch) = self.channel {
            head = format!("{head} on channel {ch}").trim_start().to_string();
        }
        if !head.is_empty() {
            parts.push(head);
        }
        if let Some(sw) = self.sw {
            let [a, b] = sw.to_bytes();
            parts.push(format!("SW {a:02X}{b:02X}"));
        }
        parts.join(" · ")
    }
}

/// How an arrow is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrow {
    /// A request (solid line).
    Request,
    /// An answer (dashed line).
    Reply,
    /// A refusal or failure answer (dashed line ending in a cross).
    Failure,
}

/// One recorded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A message from one participant to another.
    Message {
        /// Sender.
        from: Party,
        /// Receiver.
        to: Party,
        /// Arrow kind.
        arrow: Arrow,
        /// The label.
        msg: Msg,
    },
    /// A note over a participant (a computation, a check).
    Note {
        /// Over whom.
        over: Party,
        /// The text.
        msg: Msg,
    },
}

/// Why a diagram could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiagramError {
    /// A label (or the output) holds a hex run that could be key bytes.
    #[error("diagram label {0:?} holds {MAX_HEX_RUN} or more hex digits in a row (key bytes are never drawn)")]
    HexRun(String),
}

/// The recorded run: participants appear in [`Party`] order, events in the order they happened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagram {
    title: &'static str,
    events: Vec<Event>,
}

impl Diagram {
    /// An empty diagram with a title.
    pub fn new(title: &'static str) -> Diagram {
        Diagram {
            title,
            events: Vec::new(),
        }
    }

    /// Set the title.
    pub fn set_title(&mut self, title: &'static str) {
        self.title = title;
    }

    /// The title.
    pub fn title(&self) -> &'static str {
        self.title
    }

    /// Record a request.
    pub fn send(&mut self, from: Party, to: Party, msg: Msg) {
        self.push(from, to, Arrow::Request, msg);
    }

    /// Record an answer.
    pub fn reply(&mut self, from: Party, to: Party, msg: Msg) {
        self.push(from, to, Arrow::Reply, msg);
    }

    /// Record a failure answer (refusal, MAC failure, synchronisation failure).
    pub fn fail(&mut self, from: Party, to: Party, msg: Msg) {
        self.push(from, to, Arrow::Failure, msg);
    }

    /// Record a card answer: a failure arrow unless the status word is `9000` (or `91xx`).
    pub fn card_answer(&mut self, to: Party, msg: Msg, sw: StatusWord) {
        let ok = sw == StatusWord::SUCCESS || sw.sw1() == 0x91;
        let msg = msg.sw(sw);
        if ok {
            self.reply(Party::Uicc, to, msg);
        } else {
            self.fail(Party::Uicc, to, msg);
        }
    }

    /// Record a note (a computation or check) over a participant.
    pub fn note(&mut self, over: Party, msg: Msg) {
        self.events.push(Event::Note { over, msg });
    }

    fn push(&mut self, from: Party, to: Party, arrow: Arrow, msg: Msg) {
        self.events.push(Event::Message {
            from,
            to,
            arrow,
            msg,
        });
    }

    /// The events, in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Nothing recorded?
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The participants, left to right.
    pub fn participants(&self) -> Vec<Party> {
        let mut ps: Vec<Party> = Vec::new();
        for e in &self.events {
            let (a, b) = match e {
                Event::Message { from, to, .. } => (*from, *to),
                Event::Note { over, .. } => (*over, *over),
            };
            for p in [a, b] {
                if !ps.contains(&p) {
                    ps.push(p);
                }
            }
        }
        // Stable: two `Other` parties keep their order of appearance.
        ps.sort_by_key(|p| p.rank());
        ps
    }

    /// The parameter names of the messages from `from` to `to`, each once, in order of
    /// appearance (e.g. which key names crossed the UICC–ME interface towards the ME).
    pub fn names_sent(&self, from: Party, to: Party) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for e in &self.events {
            if let Event::Message {
                from: f,
                to: t,
                msg,
                ..
            } = e
            {
                if *f == from && *t == to {
                    for p in msg.params() {
                        if !out.contains(p) {
                            out.push(p);
                        }
                    }
                }
            }
        }
        out
    }

    /// Every label, for the checks.
    pub fn labels(&self) -> Vec<String> {
        let mut out = vec![self.title.to_string()];
        out.extend(self.participants().iter().map(|p| p.name().to_string()));
        out.extend(self.events.iter().map(|e| match e {
            Event::Message { msg, .. } | Event::Note { msg, .. } => msg.label(),
        }));
        out
    }

    /// Refuse a diagram any of whose labels holds [`MAX_HEX_RUN`] hex digits in a row.
    pub fn check(&self) -> Result<(), DiagramError> {
        for l in self.labels() {
            check_text(&l)?;
        }
        Ok(())
    }

    /// The diagram in `format`.
    pub fn render(&self, format: Format) -> Result<String, DiagramError> {
        match format {
            Format::Mermaid => self.mermaid(),
            Format::Svg => self.svg(),
        }
    }

    /// A Mermaid `sequenceDiagram`.
    pub fn mermaid(&self) -> Result<String, DiagramError> {
        self.check()?;
        let out = mermaid::render(self);
        check_text(&out)?;
        Ok(out)
    }

    /// The same drawn as a standalone SVG document.
    pub fn svg(&self) -> Result<String, DiagramError> {
        self.check()?;
        let out = svg::render(self);
        check_text(&out)?;
        Ok(out)
    }
}

/// A diagram file's format, named by the file's extension (vusim's convention for
/// `--diagram`): `.mmd` Mermaid, `.svg` SVG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Mermaid `sequenceDiagram` text (`.mmd`).
    Mermaid,
    /// A standalone SVG document (`.svg`).
    Svg,
}

impl Format {
    /// The format `path`'s extension names, if it names one.
    pub fn of(path: &std::path::Path) -> Option<Format> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("mmd") => Some(Format::Mermaid),
            Some("svg") => Some(Format::Svg),
            _ => None,
        }
    }
}

/// The longest run of hexadecimal digits in `text`.
pub fn longest_hex_run(text: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_hexdigit() {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

fn check_text(text: &str) -> Result<(), DiagramError> {
    if longest_hex_run(text) >= MAX_HEX_RUN {
        let shown: String = text.chars().take(80).collect();
        return Err(DiagramError::HexRun(shown));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_picks_the_format() {
        let of = |p: &str| Format::of(std::path::Path::new(p));
        assert_eq!(of("run.mmd"), Some(Format::Mermaid));
        assert_eq!(of("dir.x/run.svg"), Some(Format::Svg));
        assert_eq!(of("run.SVG"), None);
        assert_eq!(of("run"), None);
        let d = sample();
        assert_eq!(d.render(Format::Svg).ok(), d.svg().ok());
        assert_eq!(d.render(Format::Mermaid).ok(), d.mermaid().ok());
    }

    fn sample() -> Diagram {
        let mut d = Diagram::new("5G AKA");
        d.send(
            Party::Me,
            Party::Uicc,
            Msg::new("AUTHENTICATE P2 '81'").ps(&["RAND", "AUTN"]),
        );
        d.card_answer(
            Party::Me,
            Msg::new("DB").ps(&["RES", "CK", "IK"]),
            StatusWord::SUCCESS,
        );
        d.note(Party::Me, Msg::new("derives").ps(&["RES*", "K_AUSF"]));
        d.send(Party::Me, Party::Ausf, Msg::new("RES*"));
        d
    }

    #[test]
    fn participants_in_order_and_labels() {
        let d = sample();
        assert_eq!(d.participants(), vec![Party::Uicc, Party::Me, Party::Ausf]);
        let l = d.labels();
        assert!(l.contains(&"AUTHENTICATE P2 '81' (RAND, AUTN)".to_string()));
        assert!(l.contains(&"DB (RES, CK, IK) · SW 9000".to_string()));
    }

    #[test]
    fn hex_runs_are_refused() {
        assert_eq!(longest_hex_run("ab 0123456789abcdef0 x"), 17);
        let mut d = sample();
        assert!(d.mermaid().is_ok());
        d.note(Party::Me, Msg::new("00112233445566778899"));
        assert!(matches!(d.mermaid(), Err(DiagramError::HexRun(_))));
        assert!(d.svg().is_err());
    }
}
