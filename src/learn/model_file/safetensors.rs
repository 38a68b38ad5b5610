//! The safetensors format, written and read by hand (it is small): 8 bytes of little-endian
//! header length, a JSON header naming each tensor's dtype, shape and byte range (plus a
//! `__metadata__` map of strings), then the tensors' raw little-endian bytes, back to back.
//! Only `F32` tensors are written and read. Every way a file can be wrong is a message, never a
//! panic: a file is checked whole before anything is used.

use std::collections::BTreeMap;

/// The largest header this reader accepts (the format's own reader takes 100 MB; a model of
/// ours has under a hundred tensors).
const MAX_HEADER: u64 = 16 << 20;

/// One tensor: its shape and values (row-major).
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// A safetensors file in memory: named tensors and the metadata strings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Safetensors {
    pub metadata: BTreeMap<String, String>,
    pub tensors: BTreeMap<String, Tensor>,
}

/// Why bytes are not a safetensors file this reader takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    /// Not the format at all (a picture, a text file, ...).
    NotSafetensors(String),
    /// The file ends before what its header promises.
    Truncated(String),
    /// The format, but something this reader does not take (another dtype, holes).
    Unsupported(String),
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::NotSafetensors(why) => write!(f, "not a safetensors file: {why}"),
            FormatError::Truncated(why) => write!(f, "truncated: {why}"),
            FormatError::Unsupported(why) => write!(f, "{why}"),
        }
    }
}

/// One entry of the header as written.
#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    dtype: String,
    shape: Vec<usize>,
    data_offsets: [u64; 2],
}

impl Safetensors {
    /// The file's bytes: tensors in name order, the header padded with spaces to a multiple of 8
    /// bytes (as the format's own writer does, so the data is aligned).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut header = serde_json::Map::new();
        if !self.metadata.is_empty() {
            header.insert(
                "__metadata__".into(),
                serde_json::to_value(&self.metadata).expect("strings"),
            );
        }
        let mut offset = 0u64;
        for (name, t) in &self.tensors {
            let end = offset + 4 * t.values.len() as u64;
            let entry = Entry {
                dtype: "F32".into(),
                shape: t.shape.clone(),
                data_offsets: [offset, end],
            };
            header.insert(name.clone(), serde_json::to_value(entry).expect("plain"));
            offset = end;
        }
        let mut text = serde_json::to_string(&header).expect("plain").into_bytes();
        while !text.len().is_multiple_of(8) {
            text.push(b' ');
        }
        let mut out = Vec::with_capacity(8 + text.len() + offset as usize);
        out.extend((text.len() as u64).to_le_bytes());
        out.extend(text);
        for t in self.tensors.values() {
            for v in &t.values {
                out.extend(v.to_le_bytes());
            }
        }
        out
    }

    /// Reads a whole file, checking the header, every tensor's range and shape, and that the
    /// tensors fill the data exactly.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FormatError> {
        let (header, data) = split(bytes)?;
        let mut file = Safetensors::default();
        let mut ranges = Vec::new();
        for (name, value) in header {
            if name == "__metadata__" {
                file.metadata = serde_json::from_value(value).map_err(|e| {
                    FormatError::NotSafetensors(format!(
                        "its metadata is not a map of strings ({e})"
                    ))
                })?;
                continue;
            }
            let entry: Entry = serde_json::from_value(value).map_err(|e| {
                FormatError::NotSafetensors(format!("tensor {name:?} is not described ({e})"))
            })?;
            let tensor = read_tensor(&name, &entry, data)?;
            ranges.push((entry.data_offsets, name.clone()));
            file.tensors.insert(name, tensor);
        }
        check_coverage(ranges, data.len() as u64)?;
        Ok(file)
    }
}

/// The parsed header and the data after it.
fn split(bytes: &[u8]) -> Result<(serde_json::Map<String, serde_json::Value>, &[u8]), FormatError> {
    let Some(len) = bytes.get(..8) else {
        return Err(FormatError::Truncated(format!(
            "{} bytes; a safetensors file starts with an 8-byte header length",
            bytes.len()
        )));
    };
    let len = u64::from_le_bytes(len.try_into().expect("8 bytes"));
    if !(2..=MAX_HEADER).contains(&len) {
        return Err(FormatError::NotSafetensors(format!(
            "its first 8 bytes give a header of {len} bytes (expected 2 to {MAX_HEADER})"
        )));
    }
    let end = 8 + len as usize;
    let Some(text) = bytes.get(8..end) else {
        return Err(FormatError::Truncated(format!(
            "the header needs {len} bytes, the file has {} after its length",
            bytes.len() - 8
        )));
    };
    if text.first() != Some(&b'{') {
        return Err(FormatError::NotSafetensors(
            "its header is not a JSON object".into(),
        ));
    }
    let header = serde_json::from_slice(text)
        .map_err(|e| FormatError::NotSafetensors(format!("its header is not valid JSON ({e})")))?;
    Ok((header, &bytes[end..]))
}

fn read_tensor(name: &str, entry: &Entry, data: &[u8]) -> Result<Tensor, FormatError> {
    if entry.dtype != "F32" {
        return Err(FormatError::Unsupported(format!(
            "tensor {name:?} is {}; this model file holds F32 tensors only",
            entry.dtype
        )));
    }
    let [begin, end] = entry.data_offsets;
    let count = entry
        .shape
        .iter()
        .try_fold(1u64, |n, &d| n.checked_mul(d as u64));
    let bytes = count.and_then(|n| n.checked_mul(4));
    if end < begin || bytes != Some(end - begin) {
        return Err(FormatError::NotSafetensors(format!(
            "tensor {name:?}: shape {:?} does not fit its byte range {begin}..{end}",
            entry.shape
        )));
    }
    if end > data.len() as u64 {
        return Err(FormatError::Truncated(format!(
            "tensor {name:?} needs bytes up to {end}, the file has {} after its header",
            data.len()
        )));
    }
    let values = data[begin as usize..end as usize]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
        .collect();
    Ok(Tensor {
        shape: entry.shape.clone(),
        values,
    })
}

/// The tensors must follow each other without gaps or overlaps and end where the file ends.
fn check_coverage(mut ranges: Vec<([u64; 2], String)>, len: u64) -> Result<(), FormatError> {
    ranges.sort();
    let mut at = 0;
    for ([begin, end], name) in &ranges {
        if *begin != at {
            return Err(FormatError::Unsupported(format!(
                "tensor {name:?} starts at byte {begin}, expected {at} (a gap or an overlap)"
            )));
        }
        at = *end;
    }
    if at != len {
        return Err(FormatError::Unsupported(format!(
            "{} bytes after the last tensor",
            len - at
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Safetensors {
        let mut f = Safetensors::default();
        f.metadata.insert("link".into(), "v=2&bits=3".into());
        f.tensors.insert(
            "a.weight".into(),
            Tensor {
                shape: vec![2, 3],
                values: vec![1.0, -2.0, 3.5, 0.0, 1e-7, 6.0],
            },
        );
        f.tensors.insert(
            "b".into(),
            Tensor {
                shape: vec![1],
                values: vec![f32::MAX],
            },
        );
        f
    }

    #[test]
    fn a_file_reads_back_as_written_and_is_aligned() {
        let f = sample();
        let bytes = f.to_bytes();
        let header = u64::from_le_bytes(bytes[..8].try_into().unwrap());
        assert_eq!(header % 8, 0);
        assert_eq!(Safetensors::from_bytes(&bytes).unwrap(), f);
        // The layout the format's own writer uses: offsets per tensor, in name order.
        let text = std::str::from_utf8(&bytes[8..8 + header as usize]).unwrap();
        assert!(
            text.contains(r#""a.weight":{"data_offsets":[0,24],"dtype":"F32","shape":[2,3]}"#),
            "{text}"
        );
        assert!(text.contains(r#""__metadata__":{"link":"v=2&bits=3"}"#));
    }

    /// The file with `from` replaced by `to` (the same length) in its header.
    fn edit_header(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
        let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
        let header = std::str::from_utf8(&bytes[8..8 + len])
            .unwrap()
            .replace(from, to);
        assert_eq!(header.len(), len);
        [&bytes[..8], header.as_bytes(), &bytes[8 + len..]].concat()
    }

    #[test]
    fn every_damaged_file_is_refused_with_its_reason() {
        let bytes = sample().to_bytes();
        for cut in [0, 5, 8, 20, bytes.len() - 1] {
            let e = Safetensors::from_bytes(&bytes[..cut]).unwrap_err();
            assert!(matches!(e, FormatError::Truncated(_)), "cut at {cut}: {e}");
        }
        let png = [0x89, b'P', b'N', b'G', 13, 10, 26, 10, 0, 0, 0, 13];
        let e = Safetensors::from_bytes(&png).unwrap_err().to_string();
        assert!(e.starts_with("not a safetensors file"), "{e}");
        let mut longer = bytes.clone();
        longer.extend([0, 0, 0, 0]);
        let e = Safetensors::from_bytes(&longer).unwrap_err().to_string();
        assert!(e.contains("4 bytes after the last tensor"), "{e}");
        let e = Safetensors::from_bytes(&edit_header(&bytes, "F32", "F16"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("F16") && e.contains("F32 tensors only"), "{e}");
        let e = Safetensors::from_bytes(&edit_header(&bytes, "[2,3]", "[3,3]"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not fit"), "{e}");
    }
}
