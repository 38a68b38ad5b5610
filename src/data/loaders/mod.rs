//! "Bring your own data": turns uploaded files (MNIST IDX, CIFAR-10 binary batches, or folders
//! of PNG/JPEG/BMP/GIF images, any of them optionally gzipped) into a labelled [`Image`] set.
//! Everything works on bytes, never paths, so the browser's file picker and the CLI share it.
//! One file per format: `idx`, `cifar`, `pictures`; `sniff` tells them apart.

mod cifar;
mod idx;
mod pictures;
mod sniff;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::fmt;

use super::image::Image;

/// Largest accepted file, checked on the upload and again while gunzipping.
pub const MAX_FILE_BYTES: usize = 256 << 20;
/// Largest accepted number of images over all files.
pub const MAX_IMAGES: usize = 100_000;
/// Image files wider or taller than this are refused before their pixels are decoded.
pub const MAX_IMAGE_SIDE: u32 = 8192;
/// IDX images keep their size: wider or taller than this is refused from the header.
pub const MAX_IDX_SIDE: usize = 128;
/// Largest accepted number of files, and of bytes over all of them.
pub const MAX_FILES: usize = MAX_IMAGES;
pub const MAX_TOTAL_BYTES: usize = 1 << 30;

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

pub(super) fn malformed(file: &str, reason: impl Into<String>) -> LoadError {
    let (file, reason) = (file.to_string(), reason.into());
    LoadError::Malformed { file, reason }
}

pub(super) fn unpaired(file: &str, reason: &str) -> LoadError {
    let (file, reason) = (file.to_string(), reason.to_string());
    LoadError::Unpaired { file, reason }
}

pub(super) fn mixed(first: &str, second: &str, reason: String) -> LoadError {
    let (first, second) = (first.to_string(), second.to_string());
    LoadError::Mixed {
        first,
        second,
        reason,
    }
}

pub(super) fn check_count(count: usize) -> Result<(), LoadError> {
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
pub(super) enum Format {
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

pub(super) struct Sniffed<'a> {
    pub name: &'a str,
    pub bytes: Cow<'a, [u8]>,
    pub format: Format,
}

/// [`load_files`] with the per-file byte limit as a parameter, so tests can hit it cheaply.
pub(super) fn load_files_with_limit(
    files: &[(String, Vec<u8>)],
    image_size: usize,
    limit: usize,
) -> Result<LoadedSet, LoadError> {
    // Browsers hand files over in no particular order; sorting makes results reproducible.
    let mut order: Vec<&(String, Vec<u8>)> = files.iter().collect();
    order.sort_by(|a, b| a.0.cmp(&b.0));
    let sniffed: Vec<Sniffed> = order
        .into_iter()
        .map(|(name, bytes)| sniff::sniff(name, bytes, limit))
        .collect::<Result<_, _>>()?;
    let first = sniffed.first().ok_or(LoadError::NoFiles)?;
    if let Some(other) = sniffed.iter().find(|s| s.format != first.format) {
        let (a, b) = (first.format.label(), other.format.label());
        let reason = format!("{a} and {b} files cannot be mixed; load one format at a time");
        return Err(mixed(first.name, other.name, reason));
    }
    let set = match first.format {
        Format::Idx => idx::load_idx(&sniffed)?,
        Format::Cifar => cifar::load_cifar(&sniffed)?,
        Format::Picture => pictures::load_pictures(&sniffed, image_size)?,
    };
    if set.images.is_empty() {
        return Err(LoadError::NoImages);
    }
    Ok(set)
}
