//! T=0 transport adaptation: `61xx` + GET RESPONSE and `6Cxx` (ISO/IEC 7816-3 §10.3, ETSI TS 102 221 §7.3.1.1).
//!
//! Under T=0 a card cannot send response data in the exchange that carried command data (case 4),
//! nor more or fewer bytes than P3 asks for (case 2). [`T0Adapter`] sits between a transport and
//! the card: it turns a response with data into `61xx`, serves GET RESPONSE in chunks (also past
//! 256 bytes) and answers `6Cxx` when Le is wrong. A case-4 command that ends in a warning
//! (`62xx`/`63xx`) or an application status (`9xxx` but `9000`) gets that status word as its
//! own answer and its data through GET RESPONSE (TS 102 221 Annex C.1.7); the GSM class `A0`
//! announces data with `9Fxx` (TS 51.011 §9.4.1). Every transport that wants T=0 uses this one
//! implementation; in process and under T=1 the card's response is returned unchanged.

use crate::command::{Command, SHORT_MAX_NE};
use crate::response::Response;
use crate::status::StatusWord;

/// INS of GET RESPONSE.
pub const INS_GET_RESPONSE: u8 = crate::ins::Ins::GetResponse.byte();

#[derive(Debug)]
struct Pending {
    data: Vec<u8>,
    offset: usize,
    sw: StatusWord,
    channel: Option<u8>,
    gsm: bool,
}

/// T=0 response-data state of one card: what is waiting for GET RESPONSE.
#[derive(Debug, Default)]
pub struct T0Adapter {
    pending: Option<Pending>,
}

impl T0Adapter {
    /// An adapter with nothing pending.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget pending response data (card reset or power-down).
    pub fn reset(&mut self) {
        self.pending = None;
    }

    /// Bytes waiting for GET RESPONSE.
    pub fn pending_len(&self) -> usize {
        self.pending.as_ref().map_or(0, |p| p.data.len() - p.offset)
    }

    /// Exchange one command under T=0 semantics. `exec` runs the command on the card and is not
    /// called for a GET RESPONSE that the adapter serves itself.
    pub fn transmit(&mut self, cmd: &Command, exec: impl FnOnce(&Command) -> Response) -> Response {
        if cmd.ins() == INS_GET_RESPONSE && cmd.cla().is_valid() {
            return self.get_response(cmd);
        }
        self.pending = None;
        let resp = exec(cmd);
        if resp.data.is_empty() {
            return resp;
        }
        let na = resp.data.len();
        let gsm = cmd.cla().0 == 0xA0;
        let direct_ok = cmd.data().is_empty();
        match cmd.le() {
            // Case 2 (short): P3 must equal Na.
            Some(ne) if direct_ok && !cmd.is_extended() => {
                if ne == na {
                    resp
                } else if na > SHORT_MAX_NE && ne == SHORT_MAX_NE {
                    self.serve_first(resp, ne, cmd.channel(), gsm)
                } else {
                    Response::status(StatusWord::wrong_le(na))
                }
            }
            // Extended Le: no T=0 TPDU carries it; answer directly up to Ne, the rest via 61xx.
            Some(ne) if direct_ok => {
                if ne >= na {
                    resp
                } else {
                    self.serve_first(resp, ne, cmd.channel(), gsm)
                }
            }
            // Case 4 ending in a warning or an application status (TS 102 221 §7.3.1.1.4 and
            // Annex C.1.7): the status goes on the command's own answer, without data; the
            // terminal then fetches the data with GET RESPONSE, whose own status is 9000.
            _ if !gsm && !cmd.data().is_empty() && continues_case4(resp.sw) => {
                let sw = resp.sw;
                self.pending = Some(Pending {
                    data: resp.data,
                    offset: 0,
                    sw: StatusWord::SUCCESS,
                    channel: cmd.channel(),
                    gsm,
                });
                Response::status(sw)
            }
            // Case 3/4 (data sent) or no Le at all: response data waits for GET RESPONSE.
            _ => {
                self.pending = Some(Pending {
                    data: resp.data,
                    offset: 0,
                    sw: resp.sw,
                    channel: cmd.channel(),
                    gsm,
                });
                announce(na, gsm)
            }
        }
    }

    fn serve_first(
        &mut self,
        resp: Response,
        n: usize,
        channel: Option<u8>,
        gsm: bool,
    ) -> Response {
        self.pending = Some(Pending {
            data: resp.data,
            offset: 0,
            sw: resp.sw,
            channel,
            gsm,
        });
        self.take(n)
    }

    /// Hand out `n` pending bytes (`n` ≤ available), with `61xx` or the final status word.
    fn take(&mut self, n: usize) -> Response {
        let Some(p) = self.pending.as_mut() else {
            return Response::status(StatusWord::CONDITIONS_NOT_SATISFIED);
        };
        let end = (p.offset + n).min(p.data.len());
        let chunk = p.data.get(p.offset..end).unwrap_or_default().to_vec();
        p.offset = end;
        let left = p.data.len() - p.offset;
        if left == 0 {
            let sw = p.sw;
            self.pending = None;
            Response::new(chunk, sw)
        } else {
            Response::new(chunk, announce(left, p.gsm).sw)
        }
    }

    fn get_response(&mut self, cmd: &Command) -> Response {
        if cmd.p1() != 0 || cmd.p2() != 0 {
            return Response::status(StatusWord::WRONG_P1P2);
        }
        if !cmd.data().is_empty() {
            return Response::status(StatusWord::WRONG_LENGTH);
        }
        let available = match &self.pending {
            Some(p) if p.channel == cmd.channel() => p.data.len() - p.offset,
            // Nothing to get (TS 102 221 leaves the word to the card; this card says 6985, and
            // 6F00 in the GSM class, whose TS 51.011 §9.4 has no 6985).
            _ if cmd.cla().0 == crate::ins::CLA_GSM => {
                return Response::status(StatusWord::TECHNICAL_PROBLEM)
            }
            _ => return Response::status(StatusWord::CONDITIONS_NOT_SATISFIED),
        };
        // P3 absent behaves as P3 = 00 (256).
        let ne = cmd.le().unwrap_or(SHORT_MAX_NE);
        if ne > available {
            return Response::status(StatusWord::wrong_le(available));
        }
        self.take(ne)
    }
}

/// Status words after which a T=0 terminal continues a case-4 command with GET RESPONSE
/// (TS 102 221 §7.3.1.1): warnings `62xx`/`63xx` and application statuses `9xxx` other than
/// `9000` (`9Fxx`, the GSM "bytes available", is a procedure of its own).
pub fn continues_case4(sw: StatusWord) -> bool {
    sw.is_warning() || (sw.sw1() & 0xF0 == 0x90 && sw != StatusWord::SUCCESS && sw.sw1() != 0x9F)
}

/// `61xx` (or `9Fxx` for the GSM class) announcing `n` bytes.
fn announce(n: usize, gsm: bool) -> Response {
    let sw = StatusWord::bytes_available(n);
    if gsm {
        Response::status(StatusWord::from_bytes(0x9F, sw.sw2()))
    } else {
        Response::status(sw)
    }
}

/// What a T=0 *reader* does with a card's answer: follow `61xx` with GET RESPONSE and resend
/// after `6Cxx`, until the complete response is collected. `send` performs one raw exchange.
/// Used by PC/SC clients talking to T=0 cards and by tests of the card side.
///
/// A command that carried data and got a warning or application status without data
/// ([`continues_case4`]) is continued with GET RESPONSE, P3 = `00` (TS 102 221 §7.3.1.1, Annex
/// C.1.7): the card's `6Cxx` gives the length, the data it then returns carries the warning in
/// the R-APDU. A case-3 and a case-4 command are the same TPDU, so the reader asks whenever data
/// was sent; a card with nothing to return answers the GET RESPONSE with an error and the
/// warning stands alone.
pub fn collect_response<E>(
    cmd: &Command,
    mut send: impl FnMut(&Command) -> Result<Response, E>,
) -> Result<Response, E> {
    let mut resp = send(cmd)?;
    if let Some(le) = resp.sw.correct_le() {
        if let Ok(again) = cmd.with_le(Some(le)) {
            resp = send(&again)?;
        }
    }
    if !cmd.data().is_empty() && resp.data.is_empty() && continues_case4(resp.sw) {
        let warning = resp.sw;
        let mut more = send(&get_response(cmd, SHORT_MAX_NE))?;
        if let Some(le) = more.sw.correct_le() {
            more = send(&get_response(cmd, le))?;
        }
        let rest = follow_61xx(cmd, more, &mut send)?;
        return Ok(if rest.sw == StatusWord::SUCCESS && !rest.data.is_empty() {
            Response::new(rest.data, warning)
        } else {
            Response::status(warning)
        });
    }
    follow_61xx(cmd, resp, &mut send)
}

/// GET RESPONSE on the command's channel for `n` bytes.
fn get_response(cmd: &Command, n: usize) -> Command {
    Command::build(
        cmd.cla().without_chaining(),
        INS_GET_RESPONSE,
        0,
        0,
        &[],
        Some(n),
    )
    .unwrap_or_else(|_| Command::new(cmd.cla(), INS_GET_RESPONSE, 0, 0))
}

/// Fetch what `61xx`/`9Fxx` announce until a final status word; the data concatenated.
fn follow_61xx<E>(
    cmd: &Command,
    mut resp: Response,
    send: &mut impl FnMut(&Command) -> Result<Response, E>,
) -> Result<Response, E> {
    let mut data = std::mem::take(&mut resp.data);
    let mut guard = 0usize;
    while let Some(n) = resp.sw.available_bytes() {
        guard += 1;
        if guard > 1024 {
            break;
        }
        resp = send(&get_response(cmd, n))?;
        data.append(&mut resp.data);
    }
    Ok(Response::new(data, resp.sw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    fn cmd(h: &str) -> Command {
        Command::parse(&hex::decode(h).unwrap()).unwrap()
    }

    fn fcp() -> Vec<u8> {
        hex::decode("622c8202782183023f00a50c80017183040003a7388701018a01058b032f0601c60c90016083010183010a83010b").unwrap()
    }

    #[test]
    fn case4_without_le_gives_61xx_then_get_response() {
        let mut t0 = T0Adapter::new();
        let r = t0.transmit(&cmd("00A40004023F00"), |_| Response::ok(fcp()));
        assert_eq!(r, Response::status(StatusWord(0x612E)));
        // Wrong Le on GET RESPONSE → 6Cxx, data stays.
        let r = t0.transmit(&cmd("00C0000030"), |_| unreachable!());
        assert_eq!(r.sw, StatusWord(0x6C2E));
        let r = t0.transmit(&cmd("00C000002E"), |_| unreachable!());
        assert_eq!(r, Response::ok(fcp()));
        // Nothing pending any more.
        assert_eq!(
            t0.transmit(&cmd("00C000002E"), |_| unreachable!()).sw,
            StatusWord(0x6985)
        );
    }

    #[test]
    fn case2_wrong_le_gives_6cxx() {
        let mut t0 = T0Adapter::new();
        let r = t0.transmit(&cmd("00B0000000"), |_| Response::ok(vec![1; 9]));
        assert_eq!(r, Response::status(StatusWord(0x6C09)));
        let r = t0.transmit(&cmd("00B0000009"), |_| Response::ok(vec![1; 9]));
        assert_eq!(r, Response::ok(vec![1; 9]));
    }

    #[test]
    fn chunks_past_256_bytes() {
        let big: Vec<u8> = (0..600u32).map(|i| i as u8).collect();
        let mut t0 = T0Adapter::new();
        let r = t0.transmit(&cmd("00CB000002AABB"), |_| Response::ok(big.clone()));
        assert_eq!(r.sw, StatusWord(0x6100));
        let r1 = t0.transmit(&cmd("00C0000000"), |_| unreachable!());
        assert_eq!((r1.data.len(), r1.sw), (256, StatusWord(0x6100)));
        let r2 = t0.transmit(&cmd("00C0000000"), |_| unreachable!());
        assert_eq!((r2.data.len(), r2.sw), (256, StatusWord(0x6158)));
        let r3 = t0.transmit(&cmd("00C0000058"), |_| unreachable!());
        assert_eq!((r3.data.len(), r3.sw), (88, StatusWord::SUCCESS));
        assert_eq!([r1.data, r2.data, r3.data].concat(), big);
    }

    #[test]
    fn warning_sw_arrives_with_last_chunk_and_gsm_class() {
        let mut t0 = T0Adapter::new();
        let r = t0.transmit(&cmd("A0A40000027F20"), |_| {
            Response::new(vec![7; 4], StatusWord(0x6282))
        });
        assert_eq!(r.sw, StatusWord(0x9F04));
        let r = t0.transmit(&cmd("A0C0000004"), |_| unreachable!());
        assert_eq!(r, Response::new(vec![7; 4], StatusWord(0x6282)));
    }

    #[test]
    fn case4_warning_is_the_commands_own_answer() {
        // TS 102 221 Annex C.1.7: [62 83], GET RESPONSE P3 = 00 → 6C04, P3 = 04 → data 9000.
        let mut t0 = T0Adapter::new();
        let r = t0.transmit(&cmd("00A40004026F07"), |_| {
            Response::new(vec![7; 4], StatusWord(0x6283))
        });
        assert_eq!(r, Response::status(StatusWord(0x6283)));
        assert_eq!(t0.pending_len(), 4);
        let r = t0.transmit(&cmd("00C0000000"), |_| unreachable!());
        assert_eq!(r, Response::status(StatusWord(0x6C04)));
        let r = t0.transmit(&cmd("00C0000004"), |_| unreachable!());
        assert_eq!(r, Response::ok(vec![7; 4]));
        // Application statuses (9xxx but 9000) go the same way; a warning without data is
        // simply the answer.
        let r = t0.transmit(&cmd("00880081021122"), |_| {
            Response::new(vec![1, 2], StatusWord(0x9862))
        });
        assert_eq!(r, Response::status(StatusWord(0x9862)));
        let r = t0.transmit(&cmd("0020000108AAAAAAAAAAAAAAAA"), |_| {
            Response::status(StatusWord(0x63C2))
        });
        assert_eq!(r, Response::status(StatusWord(0x63C2)));
        assert_eq!(t0.pending_len(), 0);
        // Case 2 with a warning: data and warning together when P3 is right.
        let r = t0.transmit(&cmd("00B0000004"), |_| {
            Response::new(vec![9; 4], StatusWord(0x6282))
        });
        assert_eq!(r, Response::new(vec![9; 4], StatusWord(0x6282)));
    }

    #[test]
    fn reader_side_puts_data_and_warning_together() {
        let mut t0 = T0Adapter::new();
        let mut sent = Vec::new();
        let r = collect_response::<Infallible>(&cmd("00A40004026F07"), |c| {
            sent.push(hex::encode_upper(c.encode()));
            Ok(t0.transmit(c, |_| Response::new(vec![7; 4], StatusWord(0x6283))))
        })
        .unwrap();
        assert_eq!(r, Response::new(vec![7; 4], StatusWord(0x6283)));
        assert_eq!(sent, ["00A40004026F07", "00C0000000", "00C0000004"]);
        // Nothing behind the warning: the card refuses the GET RESPONSE, the warning stands.
        let r = collect_response::<Infallible>(&cmd("0020000108AAAAAAAAAAAAAAAA"), |c| {
            Ok(t0.transmit(c, |_| Response::status(StatusWord(0x63C2))))
        })
        .unwrap();
        assert_eq!(r, Response::status(StatusWord(0x63C2)));
        // A case-2 command with a warning never asks for more.
        let mut calls = 0;
        let r = collect_response::<Infallible>(&cmd("00B0000000"), |c| {
            calls += 1;
            Ok(t0.transmit(c, |_| Response::status(StatusWord(0x6282))))
        })
        .unwrap();
        assert_eq!((r.sw, calls), (StatusWord(0x6282), 1));
    }

    #[test]
    fn pending_data_is_lost_on_other_command_and_other_channel() {
        let mut t0 = T0Adapter::new();
        t0.transmit(&cmd("01A40004023F00"), |_| Response::ok(vec![1, 2]));
        assert_eq!(
            t0.transmit(&cmd("00C0000002"), |_| unreachable!()).sw,
            StatusWord(0x6985)
        );
        assert_eq!(
            t0.transmit(&cmd("01C0000002"), |_| unreachable!()),
            Response::ok(vec![1, 2])
        );
        t0.transmit(&cmd("00A40004023F00"), |_| Response::ok(vec![1, 2]));
        t0.transmit(&cmd("00A40004023F00"), |_| {
            Response::status(StatusWord::FILE_NOT_FOUND)
        });
        assert_eq!(t0.pending_len(), 0);
    }

    #[test]
    fn reader_side_collects() {
        let mut t0 = T0Adapter::new();
        let big: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
        let r = collect_response::<Infallible>(&cmd("00A40004023F00"), |c| {
            Ok(t0.transmit(c, |_| Response::ok(big.clone())))
        })
        .unwrap();
        assert_eq!(r, Response::ok(big.clone()));
        let r = collect_response::<Infallible>(&cmd("00B0000000"), |c| {
            Ok(t0.transmit(c, |_| Response::ok(vec![5; 12])))
        })
        .unwrap();
        assert_eq!(r, Response::ok(vec![5; 12]));
    }
}
