//! `vusim bench` rows for loadable applets (docs/applets.md; vusim's own measurements): an APDU
//! to the WAT counter and a key-service MAC by the WAT probe, each against the same applet
//! written natively, loading (compile + ABI check) and instantiating a 64 KiB module, and memory
//! per idle card with two loadable applets.

use std::hint::black_box;
use std::ops::Not;
use std::time::Instant;

use base64::Engine as _;
use vusim_apdu::{Command, Response, StatusWord};
use vusim_applet::card::applet::{Applet, Context};
use vusim_applet::card::Card;
use vusim_applet::profile::sections::LoadableEntry;
use vusim_applet::profile::Profile;

use super::{failed, hexb, median_ns, rss_bytes};
use crate::Result;

/// The WAT example applet (examples/applets/counter.wat), as committed.
const COUNTER: &[u8] = include_bytes!("../../../examples/applets/counter.wasm");
const COUNTER_AID: &str = "F0565553494D2D434F554E540001";

/// The counter's GET and ADD written as a native applet: the "same applet native".
struct NativeCounter {
    value: u32,
}

impl Applet for NativeCounter {
    fn label(&self) -> &str {
        "NATIVE-COUNTER"
    }
    fn aid(&self) -> &[u8] {
        &[0xF0, 0x4E, 0x41, 0x54, 0x49, 0x56, 0x45]
    }
    fn process(&mut self, ctx: &mut Context<'_>, cmd: &Command) -> Result<Response, StatusWord> {
        if cmd.cla().0 & 0xFC != 0x80 {
            return Err(StatusWord::CLA_NOT_SUPPORTED);
        }
        match cmd.ins() {
            0x02 => Ok(Response::ok(self.value.to_be_bytes().to_vec())),
            0x04 => {
                self.value = self.value.wrapping_add(u32::from(cmd.p1()));
                *ctx.dirty = true;
                Ok(Response::ok(self.value.to_be_bytes().to_vec()))
            }
            _ => Err(StatusWord::INS_NOT_SUPPORTED),
        }
    }
}

/// The key-service probe (examples/applets/gba-probe.wat), as committed.
const PROBE: &[u8] = include_bytes!("../../../examples/applets/gba-probe.wasm");
const PROBE_AID: &str = "F05741534D505201";
const NATIVE_PROBE_AID: [u8; 7] = [0xF0, 0x4E, 0x50, 0x52, 0x4F, 0x42, 0x45];
const NAF: &str = "lock.example.org";

/// The probe's selector 00 written natively: MAC "hello" for purpose "probe" with the GBA_U key
/// service, then the key's B-TID.
struct NativeProbe;

impl Applet for NativeProbe {
    fn label(&self) -> &str {
        "NATIVE-PROBE"
    }
    fn aid(&self) -> &[u8] {
        &NATIVE_PROBE_AID
    }
    fn process(&mut self, ctx: &mut Context<'_>, cmd: &Command) -> Result<Response, StatusWord> {
        use vusim_applet::api::card_applet::service_sw;
        use vusim_applet::api::gba_u_service::GbaUService;
        let naf = cmd.data().get(1..).ok_or(StatusWord::WRONG_LENGTH)?;
        let mut s = GbaUService::for_caller(ctx);
        let mut out = s
            .mac(naf, 0x01, b"probe", b"hello", 32)
            .map_err(service_sw)?;
        out.extend(s.key_info(naf).map_err(service_sw)?.reference);
        Ok(Response::ok(out))
    }
}

/// A card with a Ks_int_NAF for [`NAF`] in its key store, granted to both probes.
fn probe_card() -> Result<Card> {
    use vusim_applet::card::image::CardImage;
    use vusim_applet::card::keystore::{KeyKind, SavedKey};
    use vusim_applet::profile::sections::GbauapiEntry;
    let mut p = profile_for_loadable();
    let naf_id = [NAF.as_bytes(), &[1, 0, 0, 0, 2]].concat();
    p.gbauapi = [PROBE_AID.to_string(), hex::encode_upper(NATIVE_PROBE_AID)]
        .into_iter()
        .map(|applet| GbauapiEntry {
            applet,
            naf: NAF.into(),
            ua: None,
            application: None,
        })
        .collect();
    p.loadable = vec![entry(PROBE, PROBE_AID, "WASM-PROBE")];
    p.state = Some(CardImage {
        keys: vec![SavedKey {
            kind: KeyKind::KsIntNaf,
            id: hex::encode_upper(&naf_id),
            reference: hex::encode_upper(b"bench-btid@bsf.example.org"),
            key: hex::encode_upper([0x5A; 32]),
            expires: Some(u64::MAX / 2),
            slot: 1,
            last_used: 1,
        }],
        ..CardImage::default()
    });
    Ok(p.build_card_with("bench", vec![Box::new(NativeProbe)])?)
}

fn entry(bytes: &[u8], aid: &str, label: &str) -> LoadableEntry {
    LoadableEntry {
        module: base64::engine::general_purpose::STANDARD.encode(bytes),
        aid: Some(aid.into()),
        label: Some(label.into()),
        ..LoadableEntry::default()
    }
}

/// The default profile without the two native card applets (EF.DIR has room for two loadable
/// ones).
fn profile_for_loadable() -> Profile {
    let mut p = Profile::embedded_default();
    p.applets = None;
    p
}

fn leb(mut v: usize, out: &mut Vec<u8>) {
    loop {
        let byte = u8::try_from(v & 0x7F).unwrap_or(0);
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn section(id: u8, body: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb(body.len(), out);
    out.extend_from_slice(body);
}

/// A valid ABI-v1 module of about `size` bytes, nearly all of it code: the five exports and
/// filler functions `(i32) -> i32` of additions (WebAssembly binary format 1.0 §5).
pub fn sized_module(size: usize) -> Vec<u8> {
    const I32: u8 = 0x7F;
    let body_ops = 60usize; // local.get 0; i32.const k; i32.add; local.set 0 — 7 bytes each
    let per_fn = 2 + 1 + body_ops * 7 + 3;
    let fillers = size.saturating_sub(200) / per_fn;
    let mut types = vec![3];
    types.extend([0x60, 0, 1, I32]); // 0: () -> i32
    types.extend([0x60, 1, I32, 1, I32]); // 1: (i32) -> i32
    types.extend([0x60, 1, I32, 0]); // 2: (i32) -> ()
    let mut funcs = Vec::new();
    leb(5 + fillers, &mut funcs);
    funcs.extend([0, 0, 1, 2, 1]);
    funcs.extend(std::iter::repeat_n(1u8, fillers));
    let mem = [1u8, 0, 1]; // one memory, min 1 page, no max
    let mut exports = Vec::new();
    let names: [(&str, u8, u8); 6] = [
        ("memory", 2, 0),
        ("vusim_abi_version", 0, 0),
        ("install", 0, 1),
        ("select", 0, 2),
        ("deselect", 0, 3),
        ("process", 0, 4),
    ];
    exports.push(6);
    for (n, kind, idx) in names {
        exports.push(u8::try_from(n.len()).unwrap_or(0));
        exports.extend_from_slice(n.as_bytes());
        exports.extend([kind, idx]);
    }
    let mut code = Vec::new();
    leb(5 + fillers, &mut code);
    let body = |b: &[u8], code: &mut Vec<u8>| {
        leb(b.len() + 1, code);
        code.push(0); // no locals
        code.extend_from_slice(b);
    };
    body(&[0x41, 1, 0x0B], &mut code);
    body(&[0x41, 0x80, 0xA0, 0x02, 0x0B], &mut code); // i32.const 0x9000
    body(&[0x41, 0x80, 0xA0, 0x02, 0x0B], &mut code);
    body(&[0x0B], &mut code);
    body(
        &[0x20, 0, 0x10, 5, 0x1A, 0x41, 0x80, 0xA0, 0x02, 0x0B],
        &mut code,
    ); // call f5, drop
    for f in 0..fillers {
        let mut b = Vec::new();
        for k in 0..body_ops {
            let c = u8::try_from((f + k) % 64).unwrap_or(0);
            b.extend([0x20, 0, 0x41, c, 0x6A, 0x21, 0]);
        }
        b.extend([0x20, 0, 0x0B]);
        body(&b, &mut code);
    }
    let mut out = b"\0asm\x01\0\0\0".to_vec();
    section(1, &types, &mut out);
    section(3, &funcs, &mut out);
    section(5, &mem, &mut out);
    section(7, &exports, &mut out);
    section(10, &code, &mut out);
    out
}

/// The rows, handed to `push(name, value, unit, target, note)`; `batches` and `scale` as in
/// [`super::run`] (the iteration counts below are for `scale` 4).
pub(super) fn rows(
    batches: usize,
    scale: usize,
    push: &mut impl FnMut(&str, f64, &'static str, Option<f64>, &str),
) -> Result<()> {
    let median =
        |iters: usize, f: &mut dyn FnMut()| median_ns(batches, (iters * scale / 4).max(1), f);
    let rss = rss_bytes;
    // The same GET (and ADD) to the counter, loadable and native, on one card.
    let mut p = profile_for_loadable();
    p.loadable = vec![entry(COUNTER, COUNTER_AID, "COUNTER")];
    let mut card = p.build_card_with("bench", vec![Box::new(NativeCounter { value: 0 })])?;
    let select = |card: &mut Card, aid: &str| {
        let apdu = hexb(&format!("00A4040C{:02X}{aid}", aid.len() / 2));
        card.transmit_bytes(&apdu)
    };
    let get = hexb("8002000000");
    let add = hexb("8004010000");
    select(&mut card, "F04E4154495645");
    let native_get = median(20_000, &mut || {
        black_box(card.transmit_bytes(&get));
    });
    let native_add = median(20_000, &mut || {
        black_box(card.transmit_bytes(&add));
    });
    select(&mut card, COUNTER_AID);
    let wasm_get = median(20_000, &mut || {
        black_box(card.transmit_bytes(&get));
    });
    let wasm_add = median(20_000, &mut || {
        black_box(card.transmit_bytes(&add));
    });
    push(
        "loadable applet GET (in memory)",
        wasm_get,
        "ns",
        Some(2.0 * native_get),
        &format!(
            "WAT counter; native {native_get:.0} ns: {:.2}× (target ≤ 2×)",
            wasm_get / native_get
        ),
    );
    push(
        "loadable applet ADD, store write (in memory)",
        wasm_add,
        "ns",
        Some(2.0 * native_add),
        &format!(
            "native {native_add:.0} ns: {:.2}× (target ≤ 2×)",
            wasm_add / native_add
        ),
    );

    // A realistic command: a MAC with the GBA_U key service, loadable and native.
    let mut card = probe_card()?;
    let naf_id = [NAF.as_bytes(), &[1, 0, 0, 0, 2]].concat();
    let probe = hexb(&format!(
        "80100000{:02X}00{}",
        naf_id.len() + 1,
        hex::encode_upper(&naf_id)
    ));
    // Alternate the two so neither gets the warmer caches: the medians of three rounds each.
    let (mut native_runs, mut wasm_runs) = (Vec::new(), Vec::new());
    let (mut native_answer, mut wasm_answer) = (Vec::new(), Vec::new());
    for _ in 0..3 {
        select(&mut card, &hex::encode_upper(NATIVE_PROBE_AID));
        native_answer = card.transmit_bytes(&probe);
        native_runs.push(median(5_000, &mut || {
            black_box(card.transmit_bytes(&probe));
        }));
        select(&mut card, PROBE_AID);
        wasm_answer = card.transmit_bytes(&probe);
        wasm_runs.push(median(5_000, &mut || {
            black_box(card.transmit_bytes(&probe));
        }));
    }
    native_runs.sort_by(f64::total_cmp);
    wasm_runs.sort_by(f64::total_cmp);
    let native_mac = native_runs.get(1).copied().unwrap_or(0.0);
    let wasm_mac = wasm_runs.get(1).copied().unwrap_or(0.0);
    if wasm_answer != native_answer || wasm_answer.ends_with(&[0x90, 0x00]).not() {
        return Err(failed("the loadable and native probes answer differently"));
    }
    push(
        "loadable applet MAC via the GBA_U key service",
        wasm_mac,
        "ns",
        Some(2.0 * native_mac),
        &format!(
            "gba-probe.wat; native {native_mac:.0} ns: {:.2}× (target ≤ 2×)",
            wasm_mac / native_mac
        ),
    );

    // Power-up with a 64 KiB module: load (compile, validate, ABI check) and the first SELECT
    // (instantiation), each on a fresh card's module.
    let big = sized_module(64 * 1024);
    let load = median(20, &mut || {
        black_box(vusim_applet::wasm::check("bench.wasm", &big).ok());
    });
    push(
        "64 KiB module: load and ABI check",
        load / 1000.0,
        "µs",
        Some(1000.0),
        &format!(
            "{} bytes; compile (lazy translation) + checks, at every card open",
            big.len()
        ),
    );
    let mut p = profile_for_loadable();
    p.loadable = vec![entry(&big, "F0424947000001", "BIG")];
    let cards: Vec<Card> = (0..40)
        .map(|_| p.build_card("bench"))
        .collect::<Result<_, _>>()?;
    let mut it = cards.into_iter();
    let sel = hexb("00A4040C07F0424947000001");
    let t = Instant::now();
    let mut n = 0u32;
    for mut c in it.by_ref() {
        black_box(c.transmit_bytes(&sel));
        n += 1;
    }
    push(
        "64 KiB module: instantiate at first SELECT",
        t.elapsed().as_nanos() as f64 / f64::from(n.max(1)) / 1000.0,
        "µs",
        Some(1000.0),
        "new store, linear memory, data segments, select()",
    );

    // Memory per idle card with two loadable applets (no instance: idle applets hold only
    // their compiled module and store).
    let mut p = profile_for_loadable();
    p.loadable = vec![
        entry(COUNTER, COUNTER_AID, "COUNTER"),
        entry(COUNTER, "F0565553494D2D434F554E540002", "COUNTER-2"),
    ];
    let before = rss();
    let cards: Vec<Card> = (0..200)
        .map(|_| p.build_card("m"))
        .collect::<Result<_, _>>()?;
    let after = rss();
    if let (Some(b), Some(a)) = (before, after) {
        push(
            "memory per idle card, two loadable applets",
            a.saturating_sub(b) as f64 / 200.0 / 1024.0,
            "KiB",
            Some(256.0),
            "RSS growth over 200 cards / 200 (5 native applets + 2 loadable)",
        );
    }
    drop(cards);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probes_answer_alike_with_a_mac() {
        let mut card = probe_card().expect("card");
        let naf_id = [NAF.as_bytes(), &[1, 0, 0, 0, 2]].concat();
        let probe = hexb(&format!(
            "80100000{:02X}00{}",
            naf_id.len() + 1,
            hex::encode_upper(&naf_id)
        ));
        let sel = |aid: &str| hexb(&format!("00A4040C{:02X}{aid}", aid.len() / 2));
        assert_eq!(
            card.transmit_bytes(&sel(&hex::encode_upper(NATIVE_PROBE_AID))),
            [0x90, 0]
        );
        let native = card.transmit_bytes(&probe);
        assert_eq!(card.transmit_bytes(&sel(PROBE_AID)), [0x90, 0]);
        let wasm = card.transmit_bytes(&probe);
        assert_eq!(native, wasm);
        // MAC (32) ‖ B-TID, 9000.
        assert_eq!(wasm.len(), 32 + b"bench-btid@bsf.example.org".len() + 2);
        assert!(wasm.ends_with(&[0x90, 0x00]));
    }

    #[test]
    fn the_sized_module_is_a_valid_applet_of_that_size() {
        let m = sized_module(64 * 1024);
        assert!((60 * 1024..=64 * 1024).contains(&m.len()), "{}", m.len());
        vusim_applet::wasm::check("sized.wasm", &m).expect("a valid ABI-v1 module");
    }
}
