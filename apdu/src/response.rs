//! Response APDUs: data ‖ SW1 SW2 (ISO/IEC 7816-4 §5.1).

use std::fmt;

use crate::status::StatusWord;

/// A response APDU: response data and the status word.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// Response data (possibly empty).
    pub data: Vec<u8>,
    /// Status word.
    pub sw: StatusWord,
}

/// The bytes are too short to hold a status word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("response APDU of {0} bytes has no SW1 SW2")]
pub struct ResponseTooShort(pub usize);

impl Response {
    /// `data ‖ 9000`.
    pub fn ok(data: impl Into<Vec<u8>>) -> Response {
        Response {
            data: data.into(),
            sw: StatusWord::SUCCESS,
        }
    }

    /// A response with a status word and no data.
    pub fn status(sw: StatusWord) -> Response {
        Response {
            data: Vec::new(),
            sw,
        }
    }

    /// A response with data and a status word.
    pub fn new(data: impl Into<Vec<u8>>, sw: StatusWord) -> Response {
        Response {
            data: data.into(),
            sw,
        }
    }

    /// Split `data ‖ SW1 SW2`.
    pub fn parse(bytes: &[u8]) -> Result<Response, ResponseTooShort> {
        match bytes {
            [data @ .., sw1, sw2] => Ok(Response::new(
                data.to_vec(),
                StatusWord::from_bytes(*sw1, *sw2),
            )),
            _ => Err(ResponseTooShort(bytes.len())),
        }
    }

    /// `data ‖ SW1 SW2`.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.data.len() + 2);
        v.extend_from_slice(&self.data);
        v.extend_from_slice(&self.sw.to_bytes());
        v
    }
}

impl From<StatusWord> for Response {
    fn from(sw: StatusWord) -> Self {
        Response::status(sw)
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Response({} bytes, {:?})", self.data.len(), self.sw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let r = Response::parse(&[1, 2, 0x90, 0]).unwrap();
        assert_eq!(r, Response::ok(vec![1, 2]));
        assert_eq!(r.encode(), vec![1, 2, 0x90, 0]);
        assert_eq!(
            Response::parse(&[0x6A, 0x82]).unwrap().sw,
            StatusWord::FILE_NOT_FOUND
        );
        assert_eq!(Response::parse(&[0x90]), Err(ResponseTooShort(1)));
    }
}
