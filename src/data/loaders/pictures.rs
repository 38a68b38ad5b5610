//! Image files (PNG, JPEG, BMP, GIF), their parent folder as the class.

use std::collections::BTreeSet;
use std::fmt;
use std::io::Cursor;

use image::imageops::FilterType;
use image::{ImageReader, Limits};

use super::{LoadError, LoadedSet, MAX_IMAGE_SIDE, Sniffed, check_count, malformed};
use crate::data::image::Image;

/// The class of an image file: its parent directory, or "images" when it has none.
fn class_of(name: &str) -> &str {
    let mut parts = name
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != ".");
    parts.next_back();
    parts.next_back().unwrap_or("images")
}

pub(super) fn load_pictures(files: &[Sniffed], image_size: usize) -> Result<LoadedSet, LoadError> {
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
