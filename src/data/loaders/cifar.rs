//! CIFAR-10 binary batches: records of one label byte and 3×32×32 channel-major pixels.

use super::{LoadError, LoadedSet, Sniffed, check_count, malformed};
use crate::data::image::Image;

pub(super) const CIFAR_RECORD: usize = 1 + 3 * 32 * 32;
const CIFAR_CLASSES: &str = "airplane automobile bird cat deer dog frog horse ship truck";

pub(super) fn load_cifar(files: &[Sniffed]) -> Result<LoadedSet, LoadError> {
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
