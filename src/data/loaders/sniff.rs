//! Tells the formats apart by their first bytes (gunzipping first, within the size limit).

use std::borrow::Cow;
use std::io::Read;

use image::ImageFormat;

use super::cifar::CIFAR_RECORD;
use super::{Format, LoadError, Sniffed, malformed};

pub(super) fn sniff<'a>(
    name: &'a str,
    raw: &'a [u8],
    limit: usize,
) -> Result<Sniffed<'a>, LoadError> {
    let too_large = || LoadError::TooLarge {
        file: name.to_string(),
        limit,
    };
    if raw.len() > limit {
        return Err(too_large());
    }
    let bytes = if raw.starts_with(&[0x1f, 0x8b]) {
        // Reading at most one byte past the limit stops a gzip bomb without ever holding it.
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(raw)
            .take((limit as u64).saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| malformed(name, format!("corrupt gzip data: {e}")))?;
        if out.len() > limit {
            return Err(too_large());
        }
        Cow::Owned(out)
    } else {
        Cow::Borrowed(raw)
    };
    let format = detect(name, &bytes)?;
    Ok(Sniffed {
        name,
        bytes,
        format,
    })
}

fn detect(name: &str, b: &[u8]) -> Result<Format, LoadError> {
    use ImageFormat::{Bmp, Gif, Jpeg, Png};
    if b.is_empty() {
        return Err(malformed(name, "the file is empty"));
    }
    // Image magics are checked first: none of them can start a CIFAR record (label byte < 10).
    let guessed = image::guess_format(b).ok();
    if let Some(Png | Jpeg | Bmp | Gif) = guessed {
        return Ok(Format::Picture);
    }
    // IDX starts with two zero bytes, then an element type code and a dimension count.
    if let [0, 0, 0x08 | 0x09 | 0x0B..=0x0E, _, ..] = b {
        return Ok(Format::Idx);
    }
    if b.len().is_multiple_of(CIFAR_RECORD) {
        return Ok(Format::Cifar);
    }
    let lower = name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
    let reason = if stem.ends_with(".bin") {
        let (n, rest) = (b.len() / CIFAR_RECORD, b.len() % CIFAR_RECORD);
        let len = b.len();
        format!("truncated CIFAR-10 batch: {len} bytes = {n} {CIFAR_RECORD}-byte records + {rest}")
    } else if stem.contains("idx") || stem.contains("ubyte") {
        let magic = b.iter().take(4).fold(0u32, |m, &x| (m << 8) | u32::from(x));
        format!("bad IDX magic 0x{magic:08X} (want 0x00000803 images or 0x00000801 labels)")
    } else if let Some(f) = guessed {
        format!("{f:?} images are not supported (use PNG, JPEG, BMP or GIF)")
    } else {
        return Err(LoadError::Unrecognised {
            file: name.to_string(),
        });
    };
    Err(malformed(name, reason))
}
