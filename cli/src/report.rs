//! Printing a procedure's [`Report`] (`name: value` lines, or one JSON object with the keys in
//! output order) and the annotated APDU trace of `--trace`; the one place the end-to-end and
//! network-side commands print.

use std::process::ExitCode;

use serde_json::Value as Json;
use vusim_apdu::annotate::{describe_command, describe_response};
use vusim_apdu::script::Transport;
use vusim_apdu::{Command, Response};
use vusim_network::report::Value;
use vusim_network::{Me, Report};

fn json(v: &Value) -> Json {
    match v {
        Value::Text(s) => Json::String(s.clone()),
        Value::Num(n) => Json::from(*n),
        Value::Bool(b) => Json::Bool(*b),
    }
}

/// The report as text lines or one JSON object.
pub(crate) fn render(r: &Report, as_json: bool) -> String {
    if as_json {
        let map: serde_json::Map<String, Json> = r
            .fields()
            .iter()
            .map(|(k, v)| ((*k).to_string(), json(v)))
            .collect();
        Json::Object(map).to_string()
    } else {
        r.fields()
            .iter()
            .map(|(k, v)| match v {
                Value::Text(s) => format!("{k}: {s}"),
                other => format!("{k}: {}", json(other)),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Print the report; exit 1 when a check failed.
pub(crate) fn finish(r: &Report, as_json: bool) -> ExitCode {
    println!("{}", render(r, as_json));
    if r.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Print one exchange annotated to stderr (`--trace`).
fn trace(apdu: &[u8], resp: &Response) {
    let cmd = Command::parse(apdu).ok();
    let what = cmd
        .as_ref()
        .map_or_else(|| "malformed".to_string(), describe_command);
    eprintln!("> {}  {what}", hex::encode_upper(apdu));
    for (i, l) in describe_response(resp, cmd.as_ref().map(Command::ins))
        .into_iter()
        .enumerate()
    {
        if i == 0 {
            eprintln!("< {l}");
        } else {
            eprintln!("  {l}");
        }
    }
}

/// An ME on `link`, tracing to stderr when asked.
pub(crate) fn me<T: Transport>(link: T, with_trace: bool) -> Me<T> {
    let me = Me::new(link);
    if with_trace {
        me.with_observer(Box::new(trace))
    } else {
        me
    }
}
