//! Subcommands, one module each; `run` maps them to an exit code in one place.

use std::process::ExitCode;
use std::time::Duration;

use clap::Subcommand;

pub mod aka;
pub mod akma;
pub mod bench;
pub mod calc;
pub mod card;
pub mod card_applets;
pub mod decode;
pub mod gba;
pub mod inputs;
pub mod iot;
pub mod naf;
pub mod pcsc;
pub mod run;
pub mod send;
pub mod serve;
pub mod shell;

/// The subcommands, in the order `--help` shows them.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Annotate command APDUs, responses and status words (e.g. `vusim decode 00A40004023F0000 6A82`).
    Decode(decode::DecodeArgs),
    /// Power the card and exchange APDUs, printing each response with its meaning.
    Send(send::SendArgs),
    /// Run APDU scripts: expectations, captures, variables, verbs (see docs/script.md).
    Run(run::RunArgs),
    /// Interactive session in the script language: line editing, history, completion, decoding.
    Shell(shell::ShellArgs),
    /// Serve the card to PC/SC applications through pcscd's vpcd driver, until interrupted.
    Serve(serve::ServeArgs),
    /// PC/SC client: list readers, send APDUs and run scripts on a card in a reader.
    Pcsc(pcsc::PcscArgs),
    /// Card files: `card new` writes a fresh profile, `card show` prints one (secrets redacted).
    Card(card::CardArgs),
    /// Benchmarks: APDU latency, crypto against the hardware floor, memory, throughput, start-up.
    Bench(bench::BenchArgs),
    /// Network-side calculator: MILENAGE/TUAK/XOR vectors, GBA, 5G, AKMA, SUCI and KDF keys.
    Calc(Box<calc::CalcArgs>),
    /// GBA_U end to end: bootstrap on the card, B-TID/lifetime in EF_GBABP, NAF derivation on both sides.
    Gba(gba::GbaArgs),
    /// NAF side of the experimental GBA_U API: MACs, encryption, proofs, wrapped keys, e2e_key.
    Naf(Box<naf::NafArgs>),
    /// AKA end to end: AuC vector, AUTHENTICATE on the card, RES against XRES, AUTS resynchronisation.
    Aka(aka::AkaArgs),
    /// AKMA: AUSF, AAnF, AF, key-management server; end to end in the ME (TS 33.535) or on the UICC (experimental).
    Akma(Box<akma::AkmaArgs>),
    /// IoT end-to-end keys, network side (experimental, TR 33.863 #11): HSS/AS, tag t, K_app.
    Iot(Box<iot::IotArgs>),
}

/// `--wait SECS`, on every command that holds a card file (issue: one card, one holder).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct WaitArg {
    /// Seconds to wait for the card file while another process holds it, then exit 2 naming
    /// the holder (0: fail at once). A card file is held by one process at a time.
    #[arg(long = "wait", value_name = "SECS", default_value = "5", value_parser = parse_wait)]
    pub secs: Duration,
}

/// `--diagram FILE`, on every scenario command: the run as a sequence diagram, the format
/// picked by the extension (`.mmd` Mermaid `sequenceDiagram`, `.svg` standalone SVG); give it
/// twice for both. Written also when the run fails part-way (up to the failure).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct DiagramArg {
    /// Write the run's sequence diagram to FILE: FILE.mmd gets Mermaid, FILE.svg gets SVG
    /// (repeat the option for both). Message and key names only, never key values.
    #[arg(long = "diagram", value_name = "FILE", value_parser = parse_diagram_path)]
    pub files: Vec<std::path::PathBuf>,
}

/// A `--diagram` file must end in `.mmd` or `.svg`.
pub fn parse_diagram_path(text: &str) -> Result<std::path::PathBuf, String> {
    let p = std::path::PathBuf::from(text);
    match vusim_network::diagram::Format::of(&p) {
        Some(_) => Ok(p),
        None => Err(format!(
            "`{text}`: the extension picks the format, expected FILE.mmd (Mermaid) or FILE.svg"
        )),
    }
}

/// Parse `--wait SECS` (fractions allowed, at most a day).
pub fn parse_wait(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(0.0..=86_400.0).contains(&secs) {
        return Err(format!("`{text}`: expected 0 to 86400 seconds"));
    }
    Duration::try_from_secs_f64(secs).map_err(|e| format!("`{text}`: {e}"))
}

/// Hold and open the card file `path`, or the embedded default card: every command that takes
/// `--card` opens it here, waiting up to `--wait` for another holder.
pub fn open_card_file(
    path: Option<&std::path::Path>,
    wait: WaitArg,
) -> Result<vusim_applet::store::DurableCard, vusim_applet::store::StoreError> {
    vusim_applet::store::DurableCard::open_or_default(path, wait.secs)
}

/// Run a subcommand.
pub fn run(cmd: Command) -> anyhow::Result<ExitCode> {
    run_command(cmd).map_err(crate::report::name_the_flag)
}

fn run_command(cmd: Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Decode(args) => decode::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Calc(args) => calc::run(&args),
        Command::Send(args) => send::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Shell(args) => shell::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Pcsc(args) => pcsc::run(&args),
        Command::Card(args) => card::run(&args),
        Command::Gba(args) => gba::run(&args),
        Command::Naf(args) => naf::run(&args),
        Command::Aka(args) => aka::run(&args),
        Command::Akma(args) => akma::run(&args),
        Command::Iot(args) => iot::run(&args),
    }
}
