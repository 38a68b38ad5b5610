//! "Bring your own data": turns uploaded files (MNIST IDX, CIFAR-10 binary batches, or folders
//! of PNG/JPEG/BMP/GIF images, any of them optionally gzipped) into a labelled [`Image`] set.
//! Everything works on bytes, never paths, so the browser's file picker and the CLI share it.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;
use std::io::{Cursor, Read};

use image::imageops::FilterType;
use image::{ImageFormat, ImageReader, Limits};

use super::image::Image;

/// Largest accepted file, checked on the upload and again while gunzipping.
pub const MAX_FILE_BYTES: usize = 256 << 20;
/// Largest accepted number of images over all files.
pub const MAX_IMAGES: usize = 100_000;
/// Image files wider or taller than this are refused before their pixels are decoded.
pub const MAX_IMAGE_SIDE: u32 = 8192;

const CIFAR_RECORD: usize = 1 + 3 * 32 * 32;
const CIFAR_CLASSES: &str = "airplane automobile bird cat deer dog frog horse ship truck";

/// A loaded, labelled image set.
#[derive(Clone, Debug)]
pub struct LoadedSet {
    pub images: Vec<Image>,
    /// One class id per image, each `< class_names.len()`.
    pub labels: Vec<usize>,
    pub class_names: Vec<String>,
    /// Where the set came from, e.g. `"MNIST IDX: train-images-idx3-ubyte.gz (60000 images)"`.
    pub source: String,
}

impl LoadedSet {
    pub fn classes(&self) -> usize {
        self.class_names.len()
    }
}

/// Why a set of files could not be loaded; every message names the offending file(s).
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    NoFiles,
    NoImages,
    /// `image_size` outside `1..=MAX_IMAGE_SIDE`.
    BadImageSize(usize),
    /// The file, or its gunzipped content, exceeds the per-file limit.
    TooLarge {
        file: String,
        limit: usize,
    },
    TooManyImages {
        count: usize,
        limit: usize,
    },
    Unrecognised {
        file: String,
    },
    /// A known format, but broken or an unsupported variant; `reason` says which.
    Malformed {
        file: String,
        reason: String,
    },
    /// IDX images without their labels file, or labels without images.
    Unpaired {
        file: String,
        reason: String,
    },
    /// An IDX images file and its labels file disagree on the count.
    CountMismatch {
        images: String,
        labels: String,
        n_images: usize,
        n_labels: usize,
    },
    /// Two files that cannot go in one set (different formats, or IDX image sizes).
    Mixed {
        first: String,
        second: String,
        reason: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoFiles => write!(f, "no files given"),
            Self::NoImages => write!(f, "the files contain no images"),
            Self::BadImageSize(s) => write!(f, "image size {s} is outside 1..={MAX_IMAGE_SIDE}"),
            Self::TooLarge { file, limit } => write!(f, "{file}: over the {limit}-byte file limit"),
            Self::TooManyImages { count, limit } => {
                write!(f, "{count} images, over the {limit} limit")
            }
            Self::Unrecognised { file } => write!(
                f,
                "{file}: unrecognised format (expected MNIST IDX, a CIFAR-10 binary batch, \
                 or a PNG/JPEG/BMP/GIF image, optionally gzipped)"
            ),
            Self::Malformed { file, reason } | Self::Unpaired { file, reason } => {
                write!(f, "{file}: {reason}")
            }
            Self::CountMismatch {
                images,
                labels,
                n_images: i,
                n_labels: l,
            } => {
                write!(f, "{images} has {i} images but {labels} has {l} labels")
            }
            Self::Mixed {
                first,
                second,
                reason,
            } => write!(f, "{first} and {second}: {reason}"),
        }
    }
}

impl std::error::Error for LoadError {}

fn malformed(file: &str, reason: impl Into<String>) -> LoadError {
    let (file, reason) = (file.to_string(), reason.into());
    LoadError::Malformed { file, reason }
}

fn unpaired(file: &str, reason: &str) -> LoadError {
    let (file, reason) = (file.to_string(), reason.to_string());
    LoadError::Unpaired { file, reason }
}

fn mixed(first: &str, second: &str, reason: String) -> LoadError {
    let (first, second) = (first.to_string(), second.to_string());
    LoadError::Mixed {
        first,
        second,
        reason,
    }
}

fn check_count(count: usize) -> Result<(), LoadError> {
    match count {
        0..=MAX_IMAGES => Ok(()),
        _ => Err(LoadError::TooManyImages {
            count,
            limit: MAX_IMAGES,
        }),
    }
}

/// Loads a data set from `(name, bytes)` pairs; `name` may be a relative path ("cats/001.png")
/// whose parent directory is the class of an image file. Image files are centre-cropped to a
/// square and resized to `image_size`; IDX and CIFAR keep their native size.
pub fn load_files(files: &[(String, Vec<u8>)], image_size: usize) -> Result<LoadedSet, LoadError> {
    load_files_with_limit(files, image_size, MAX_FILE_BYTES)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Idx,
    Cifar,
    Picture,
}

impl Format {
    fn label(self) -> &'static str {
        match self {
            Format::Idx => "MNIST IDX",
            Format::Cifar => "CIFAR-10",
            Format::Picture => "image",
        }
    }
}

struct Sniffed<'a> {
    name: &'a str,
    bytes: Cow<'a, [u8]>,
    format: Format,
}

/// [`load_files`] with the per-file byte limit as a parameter, so tests can hit it cheaply.
fn load_files_with_limit(
    files: &[(String, Vec<u8>)],
    image_size: usize,
    limit: usize,
) -> Result<LoadedSet, LoadError> {
    // Browsers hand files over in no particular order; sorting makes results reproducible.
    let mut order: Vec<&(String, Vec<u8>)> = files.iter().collect();
    order.sort_by(|a, b| a.0.cmp(&b.0));
    let sniffed: Vec<Sniffed> = order
        .into_iter()
        .map(|(name, bytes)| sniff(name, bytes, limit))
        .collect::<Result<_, _>>()?;
    let first = sniffed.first().ok_or(LoadError::NoFiles)?;
    if let Some(other) = sniffed.iter().find(|s| s.format != first.format) {
        let (a, b) = (first.format.label(), other.format.label());
        let reason = format!("{a} and {b} files cannot be mixed; load one format at a time");
        return Err(mixed(first.name, other.name, reason));
    }
    let set = match first.format {
        Format::Idx => load_idx(&sniffed)?,
        Format::Cifar => load_cifar(&sniffed)?,
        Format::Picture => load_pictures(&sniffed, image_size)?,
    };
    if set.images.is_empty() {
        return Err(LoadError::NoImages);
    }
    Ok(set)
}

fn sniff<'a>(name: &'a str, raw: &'a [u8], limit: usize) -> Result<Sniffed<'a>, LoadError> {
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

fn load_idx(files: &[Sniffed]) -> Result<LoadedSet, LoadError> {
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

fn load_cifar(files: &[Sniffed]) -> Result<LoadedSet, LoadError> {
    let count = files.iter().map(|f| f.bytes.len() / CIFAR_RECORD).sum();
    check_count(count)?;
    let (mut images, mut labels) = (Vec::with_capacity(count), Vec::with_capacity(count));
    for f in files {
        for (i, record) in f.bytes.chunks_exact(CIFAR_RECORD).enumerate() {
            // Records are one label byte then 3x32x32 channel-major pixels: exactly our layout.
            let (&label, pixels) = record
                .split_first()
                .ok_or_else(|| malformed(f.name, "empty"))?;
            if label >= 10 {
                let reason = format!("record {i} has label {label}; CIFAR-10 labels are 0-9");
                return Err(malformed(f.name, reason));
            }
            images.push(Image::from_pixels(3, 32, 32, pixels.to_vec()));
            labels.push(usize::from(label));
        }
    }
    let names: Vec<&str> = files.iter().map(|f| f.name).collect();
    Ok(LoadedSet {
        images,
        labels,
        class_names: CIFAR_CLASSES.split(' ').map(String::from).collect(),
        source: format!("CIFAR-10: {} ({count} images)", names.join(", ")),
    })
}

/// The class of an image file: its parent directory, or "images" when it has none.
fn class_of(name: &str) -> &str {
    let mut parts = name
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".");
    parts.next_back();
    parts.next_back().unwrap_or("images")
}

fn load_pictures(files: &[Sniffed], image_size: usize) -> Result<LoadedSet, LoadError> {
    if image_size == 0 || image_size > MAX_IMAGE_SIDE as usize {
        return Err(LoadError::BadImageSize(image_size));
    }
    let count = files.len();
    check_count(count)?;
    let classes: BTreeSet<&str> = files.iter().map(|f| class_of(f.name)).collect();
    let classes: Vec<&str> = classes.into_iter().collect();
    let (mut images, mut labels) = (Vec::with_capacity(count), Vec::with_capacity(count));
    for f in files {
        images.push(decode_picture(f.name, &f.bytes, image_size as u32)?);
        labels.push(classes.binary_search(&class_of(f.name)).unwrap_or_default());
    }
    // One colour image makes the whole set RGB; a grey-only set stays single-channel.
    if images.iter().any(|i| i.channels == 3) {
        for img in images.iter_mut().filter(|i| i.channels == 1) {
            *img = img.with_channels(3);
        }
    }
    let k = classes.len();
    Ok(LoadedSet {
        images,
        labels,
        class_names: classes.into_iter().map(String::from).collect(),
        source: format!(
            "image files: {count} in {k} classes, resized to {image_size}x{image_size}"
        ),
    })
}

fn decode_picture(name: &str, bytes: &[u8], size: u32) -> Result<Image, LoadError> {
    let bad = |e: &dyn fmt::Display| malformed(name, format!("cannot decode image: {e}"));
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| bad(&e))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => {
            let max = MAX_IMAGE_SIDE;
            malformed(
                name,
                format!("image over {max}x{max} pixels or too big to decode"),
            )
        }
        e => bad(&e),
    })?;
    let side = img.width().min(img.height());
    if side == 0 {
        return Err(malformed(name, "image has no pixels"));
    }
    let (x, y) = ((img.width() - side) / 2, (img.height() - side) / 2);
    // Crop and shrink first so only the small result is converted to 8-bit.
    let small = img
        .crop_imm(x, y, side, side)
        .resize_exact(size, size, FilterType::Triangle);
    let s = size as usize;
    if !img.color().has_color() {
        return Ok(Image::from_pixels(1, s, s, small.to_luma8().into_raw()));
    }
    let mut out = Image::new(3, s, s);
    for (i, p) in small.to_rgb8().pixels().enumerate() {
        for (c, &v) in p.0.iter().enumerate() {
            out.pixels[c * s * s + i] = v;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    type Files = [(String, Vec<u8>)];

    fn idx(magic: u8, dims: &[u32], body: &[u8]) -> Vec<u8> {
        let mut v = vec![0, 0, 8, magic];
        dims.iter().for_each(|d| v.extend(d.to_be_bytes()));
        [v, body.to_vec()].concat()
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn png(img: impl Into<image::DynamicImage>) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.into().write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn file(name: &str, bytes: Vec<u8>) -> (String, Vec<u8>) {
        (name.to_string(), bytes)
    }

    fn err(files: &Files) -> LoadError {
        load_files(files, 8).unwrap_err()
    }

    fn msg(files: &Files) -> String {
        err(files).to_string()
    }

    const PIXELS: [u8; 12] = [0, 1, 2, 3, 10, 11, 12, 13, 250, 251, 252, 255];
    const IMAGES: &str = "train-images-idx3-ubyte";
    const LABELS: &str = "train-labels-idx1-ubyte";

    #[test]
    fn idx_round_trips_raw_and_gzipped() {
        let raw = [
            file(IMAGES, idx(3, &[3, 2, 2], &PIXELS)),
            file(LABELS, idx(1, &[3], &[7, 0, 3])),
        ];
        let zipped: Vec<_> = raw
            .iter()
            .map(|(n, b)| (format!("{n}.gz"), gz(b)))
            .collect();
        for files in [&raw[..], &zipped[..]] {
            let set = load_files(files, 99).unwrap();
            assert_eq!((set.classes(), set.labels), (8, vec![7, 0, 3]));
            assert_eq!(set.class_names[7], "7");
            assert_eq!(
                set.images[2],
                Image::from_pixels(1, 2, 2, PIXELS[8..].to_vec())
            );
            assert!(set.source.starts_with("MNIST IDX: train-images-idx3-ubyte"));
            assert!(set.source.ends_with("(3 images)"), "{}", set.source);
        }
    }

    #[test]
    fn idx_pairs_concatenate_in_name_order() {
        let files = [
            file(IMAGES, idx(3, &[2, 2, 2], &PIXELS[..8])),
            file("t10k-labels-idx1-ubyte", idx(1, &[1], &[1])),
            file(LABELS, idx(1, &[2], &[2, 3])),
            file("t10k-images-idx3-ubyte", idx(3, &[1, 2, 2], &PIXELS[8..])),
        ];
        let set = load_files(&files, 8).unwrap();
        assert_eq!(set.labels, [1, 2, 3]);
        assert_eq!(set.images[0].pixels, PIXELS[8..]);
    }

    #[test]
    fn idx_errors_name_the_problem() {
        let labels = file(LABELS, idx(1, &[3], &[1, 2, 3]));
        let short = file(IMAGES, idx(3, &[3, 2, 2], &PIXELS[..4]));
        assert_eq!(
            msg(&[short, labels.clone()]),
            "train-images-idx3-ubyte: truncated: header says 3 images of 2x2 (28 bytes) \
             but the file has 20 bytes"
        );
        let mut float = idx(3, &[3, 2, 2], &PIXELS);
        float[2] = 0x0D;
        assert!(msg(&[file("x", float)]).contains("type 0x0D is not supported"));
        let garbage = file(IMAGES, vec![0x12, 0x34, 0x56, 0x78, 9]);
        assert!(msg(&[garbage]).contains("bad IDX magic 0x12345678"));
        let text = err(&[file("notes.txt", b"hello".to_vec())]);
        assert!(matches!(text, LoadError::Unrecognised { .. }));
        let two = file(IMAGES, idx(3, &[2, 2, 2], &PIXELS[..8]));
        let (images, labels_name) = (IMAGES.to_string(), LABELS.to_string());
        let mismatch = LoadError::CountMismatch {
            images,
            labels: labels_name,
            n_images: 2,
            n_labels: 3,
        };
        assert_eq!(err(&[two.clone(), labels.clone()]), mismatch);
        assert!(msg(&[two]).contains("add the matching labels file"));
        assert!(msg(&[labels]).contains("labels without an images file"));
        let sizes = [
            file("a-images-idx3-ubyte", idx(3, &[1, 1, 2], &[1, 2])),
            file("a-labels-idx1-ubyte", idx(1, &[1], &[0])),
            file("b-images-idx3-ubyte", idx(3, &[1, 2, 1], &[1, 2])),
            file("b-labels-idx1-ubyte", idx(1, &[1], &[0])),
        ];
        assert!(msg(&sizes).contains("IDX images of 1x2 and 2x1 cannot be mixed"));
        let huge = file(IMAGES, idx(3, &[u32::MAX; 3], &[]));
        assert!(msg(&[huge]).contains("truncated: header says"));
        let empty = [
            file(IMAGES, idx(3, &[0, u32::MAX, u32::MAX], &[])),
            file(LABELS, idx(1, &[0], &[])),
        ];
        assert_eq!(err(&empty), LoadError::NoImages);
        let many = vec![0; MAX_IMAGES + 1];
        let n = many.len() as u32;
        let too_many = [
            file(IMAGES, idx(3, &[n, 1, 1], &many)),
            file(LABELS, idx(1, &[n], &many)),
        ];
        assert!(matches!(err(&too_many), LoadError::TooManyImages { .. }));
    }

    fn cifar_record(label: u8, fill: u8) -> Vec<u8> {
        let mut r = vec![fill; CIFAR_RECORD];
        (r[0], r[1]) = (label, 200); // r[1] is the first red pixel: checks the layout is kept
        r
    }

    #[test]
    fn cifar_batches_load_and_fail_cleanly() {
        let batch = [cifar_record(3, 7), cifar_record(9, 8)].concat();
        let set = load_files(&[file("data_batch_1.bin", batch.clone())], 8).unwrap();
        assert_eq!((set.labels, &set.class_names[3][..]), (vec![3, 9], "cat"));
        let img = &set.images[1];
        assert_eq!((img.channels, img.height, img.width), (3, 32, 32));
        assert_eq!((img.get(0, 0, 0), img.get(2, 31, 31)), (200, 8));
        assert_eq!(set.source, "CIFAR-10: data_batch_1.bin (2 images)");
        let short = file("data_batch_1.bin", batch[5..].to_vec());
        assert!(msg(&[short]).contains("truncated CIFAR-10 batch"));
        let bad = file("b.bin", [cifar_record(3, 7), cifar_record(10, 8)].concat());
        assert_eq!(
            msg(&[bad]),
            "b.bin: record 1 has label 10; CIFAR-10 labels are 0-9"
        );
        let idx = file(IMAGES, idx(3, &[1, 1, 1], &[1]));
        assert!(msg(&[file("b.bin", batch), idx]).contains("cannot be mixed"));
    }

    #[test]
    fn image_folders_become_classes() {
        let colour = image::RgbImage::from_fn(8, 4, |x, _| image::Rgb([x as u8 * 30, 255, 0]));
        let grey = image::GrayImage::from_pixel(4, 4, image::Luma([100]));
        let files = [
            file("pets/dogs/b.png", png(colour)),
            file("pets/cats/z.png", png(grey.clone())),
            file("pets/cats/a.png", png(grey.clone())),
        ];
        let set = load_files(&files, 2).unwrap();
        assert_eq!(
            (set.class_names, set.labels),
            (vec!["cats".into(), "dogs".into()], vec![0, 0, 1])
        );
        assert!(
            set.images
                .iter()
                .all(|i| (i.channels, i.height, i.width) == (3, 2, 2))
        );
        assert_eq!(set.images[0].pixels, [100; 12]);
        // The centre 4x4 of the 8x4 picture spans red 60..=150; both edges (0, 210) are cropped.
        let red = &set.images[2].pixels[..4];
        assert!(red.iter().all(|&r| (60..=150).contains(&r)), "{red:?}");
        assert_eq!(set.images[2].pixels[4..8], [255; 4]);
        let grey_only = load_files(&[file("one.png", png(grey))], 3).unwrap();
        assert_eq!(grey_only.class_names, ["images"]);
        assert_eq!(
            grey_only.images[0],
            Image::from_pixels(1, 3, 3, vec![100; 9])
        );
    }

    #[test]
    fn bad_image_files_are_refused() {
        let mut corrupt = png(image::GrayImage::new(4, 4));
        corrupt.truncate(30);
        assert!(msg(&[file("cats/bad.png", corrupt)]).starts_with("cats/bad.png: cannot decode"));
        let wide = png(image::GrayImage::new(MAX_IMAGE_SIDE + 1, 1));
        assert!(msg(&[file("wide.png", wide)]).contains("image over 8192x8192 pixels"));
        let ok = [file("a.png", png(image::GrayImage::new(2, 2)))];
        assert_eq!(load_files(&ok, 0).unwrap_err(), LoadError::BadImageSize(0));
    }

    #[test]
    fn size_limits_hold_through_gzip() {
        let bomb = gz(&vec![0; 10_000]);
        assert!(bomb.len() < 1000);
        let limited =
            |bytes| load_files_with_limit(&[file("bomb.gz", bytes)], 8, 1000).unwrap_err();
        let too_large = LoadError::TooLarge {
            file: "bomb.gz".into(),
            limit: 1000,
        };
        assert_eq!(limited(bomb), too_large);
        assert_eq!(limited(vec![1; 1001]), too_large);
        assert!(msg(&[file("x.gz", vec![0x1f, 0x8b, 8, 0, 1, 2])]).contains("corrupt gzip data"));
        assert_eq!(err(&[]), LoadError::NoFiles);
        assert!(msg(&[file("empty", vec![])]).contains("empty"));
    }

    #[test]
    fn truncated_inputs_never_panic() {
        let inputs = [
            idx(3, &[3, 2, 2], &PIXELS),
            idx(1, &[3], &[1, 2, 3]),
            cifar_record(1, 1),
            png(image::RgbImage::new(5, 3)),
            gz(&idx(1, &[1], &[1])),
        ];
        for bytes in inputs {
            for cut in 0..bytes.len() {
                for name in ["d/x.png", "x-idx3-ubyte", "x.bin"] {
                    let _ = load_files(&[file(name, bytes[..cut].to_vec())], 4);
                }
            }
        }
    }
}
