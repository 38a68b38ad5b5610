//! The canonical text of one config: `v=3` and only the knobs that differ from their defaults,
//! in table order, values percent-encoded. Runs and grid points are recorded with it, and a
//! link starts with it.

use super::{ExperimentConfig, PARAMS};

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 3;

/// `v=3&...` with only non-default knobs, values percent-encoded.
pub fn encode(config: &ExperimentConfig) -> String {
    let defaults = ExperimentConfig::default();
    let mut out = format!("v={FORMAT_VERSION}");
    for p in PARAMS {
        let value = config.get(p.key).expect("table key");
        if defaults.get(p.key).as_deref() != Some(value.as_str()) {
            out.push('&');
            out.push_str(p.key);
            out.push('=');
            out.push_str(&percent_encode(&value));
        }
    }
    out
}

/// Escapes every byte but letters, digits and `-_.~,:;`, which keeps sweeps and lists legible.
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',' | b':' | b';')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Undoes `%XX` escapes and `+` for a space; a malformed escape is kept as written.
pub fn percent_decode(text: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes[i] {
            b'%' if i + 2 < bytes.len() => hex(bytes[i + 1]).zip(hex(bytes[i + 2])),
            _ => None,
        };
        match (bytes[i], escaped) {
            (_, Some((hi, lo))) => {
                out.push(hi * 16 + lo);
                i += 3;
            }
            (b'+', None) => {
                out.push(b' ');
                i += 1;
            }
            (b, None) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
