//! MNIST's IDX format: an images file (`0x00000803`) and its labels file (`0x00000801`).

use super::{LoadError, LoadedSet, MAX_IDX_SIDE, Sniffed, check_count, malformed, mixed, unpaired};
use crate::data::image::Image;

enum Idx<'a> {
    /// Count, `(rows, cols)`, pixels.
    Images(usize, (usize, usize), &'a [u8]),
    Labels(&'a [u8]),
}

fn parse_idx<'a>(name: &str, b: &'a [u8]) -> Result<Idx<'a>, LoadError> {
    let [_, _, code, dims, ..] = *b else {
        return Err(malformed(name, "truncated IDX header"));
    };
    if code != 0x08 {
        let reason = format!("IDX element type 0x{code:02X} is not supported, only bytes (0x08)");
        return Err(malformed(name, reason));
    }
    if dims != 1 && dims != 3 {
        let reason = format!("IDX with {dims} dimensions is not supported (3: images, 1: labels)");
        return Err(malformed(name, reason));
    }
    let header = 4 + 4 * usize::from(dims);
    let Some(head) = b.get(4..header) else {
        return Err(malformed(
            name,
            format!("truncated: the IDX header needs {header} bytes"),
        ));
    };
    let sizes: Vec<usize> = head
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let what = match sizes[..] {
        [n, rows, cols] if rows == 0 || cols == 0 => {
            return Err(malformed(
                name,
                format!("header says {n} images of {rows}x{cols}"),
            ));
        }
        // Checked before a byte is used: sides our generators and encoders can take.
        [n, rows, cols] if rows > MAX_IDX_SIDE || cols > MAX_IDX_SIDE => {
            return Err(malformed(
                name,
                format!(
                    "header says {n} images of {rows}x{cols}; images over \
                     {MAX_IDX_SIDE}x{MAX_IDX_SIDE} are not supported (resize them)"
                ),
            ));
        }
        [n, rows, cols] => format!("{n} images of {rows}x{cols}"),
        _ => format!("{} labels", sizes[0]),
    };
    // Checked: the sizes are untrusted. Reversed so rows * cols (used later) is checked even
    // when the count is 0.
    let body = sizes
        .iter()
        .rev()
        .try_fold(1usize, |acc, &s| acc.checked_mul(s));
    let expected = body.and_then(|x| x.checked_add(header));
    if expected != Some(b.len()) {
        let e = expected.map_or_else(|| "too many".to_string(), |e| e.to_string());
        let problem = match expected {
            Some(e) if e < b.len() => "extra data",
            _ => "truncated",
        };
        let reason = format!(
            "{problem}: header says {what} ({e} bytes) but the file has {} bytes",
            b.len()
        );
        return Err(malformed(name, reason));
    }
    Ok(match sizes[..] {
        [n, rows, cols] => Idx::Images(n, (rows, cols), &b[header..]),
        _ => Idx::Labels(&b[header..]),
    })
}

/// Which images file a labels file belongs to: "train-images-idx3-ubyte" and
/// "train-labels-idx1-ubyte" share the key "train-#-idx#-ubyte".
fn pair_key(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let stem = lower.strip_suffix(".gz").unwrap_or(&lower);
    let key = stem.replace("images", "#").replace("labels", "#");
    key.replace("idx3", "idx#").replace("idx1", "idx#")
}

pub(super) fn load_idx(files: &[Sniffed]) -> Result<LoadedSet, LoadError> {
    let (mut images, mut labels) = (Vec::new(), Vec::new());
    for f in files {
        match parse_idx(f.name, &f.bytes)? {
            Idx::Images(n, size, pixels) => images.push((f.name, n, size, pixels)),
            Idx::Labels(l) => labels.push((f.name, l)),
        }
    }
    let count = images.iter().fold(0usize, |acc, i| acc.saturating_add(i.1));
    check_count(count)?;
    // Pair by name first; a single leftover images file and labels file pair regardless of names.
    let mut partner: Vec<Option<usize>> = vec![None; images.len()];
    let mut taken = vec![false; labels.len()];
    for (i, img) in images.iter().enumerate() {
        let key = pair_key(img.0);
        if let Some(j) = (0..labels.len()).find(|&j| !taken[j] && pair_key(labels[j].0) == key) {
            (partner[i], taken[j]) = (Some(j), true);
        }
    }
    let lone_images: Vec<usize> = (0..images.len())
        .filter(|&i| partner[i].is_none())
        .collect();
    let lone_labels: Vec<usize> = (0..labels.len()).filter(|&j| !taken[j]).collect();
    if let ([i], [j]) = (&lone_images[..], &lone_labels[..]) {
        (partner[*i], taken[*j]) = (Some(*j), true);
    }
    if let Some(&i) = lone_images.iter().find(|&&i| partner[i].is_none()) {
        let reason = "IDX images need their labels: add the matching labels file \
                      (e.g. train-labels-idx1-ubyte next to train-images-idx3-ubyte)";
        return Err(unpaired(images[i].0, reason));
    }
    if let Some(j) = taken.iter().position(|t| !t) {
        let reason = "IDX labels without an images file: add the matching images file";
        return Err(unpaired(labels[j].0, reason));
    }
    let (mut out_images, mut out_labels) = (Vec::with_capacity(count), Vec::with_capacity(count));
    for (&(name, n, (rows, cols), pixels), j) in images.iter().zip(partner) {
        let (first, first_size) = (images[0].0, images[0].2);
        if (rows, cols) != first_size {
            let (r, c) = first_size;
            let reason = format!("IDX images of {r}x{c} and {rows}x{cols} cannot be mixed");
            return Err(mixed(first, name, reason));
        }
        let (labels_name, l) = labels[j.unwrap_or_default()];
        if l.len() != n {
            let (images, labels) = (name.to_string(), labels_name.to_string());
            return Err(LoadError::CountMismatch {
                images,
                labels,
                n_images: n,
                n_labels: l.len(),
            });
        }
        let plane = pixels.chunks_exact(rows * cols);
        out_images.extend(plane.map(|p| Image::from_pixels(1, rows, cols, p.to_vec())));
        out_labels.extend(l.iter().map(|&x| usize::from(x)));
    }
    // Labels are free-form bytes: as many classes as the largest label needs.
    let classes = out_labels.iter().max().map_or(0, |m| m + 1);
    let names: Vec<&str> = images.iter().map(|i| i.0).collect();
    Ok(LoadedSet {
        images: out_images,
        labels: out_labels,
        class_names: (0..classes).map(|c| c.to_string()).collect(),
        source: format!("MNIST IDX: {} ({count} images)", names.join(", ")),
    })
}
