//! SimCLR-style augmentation producing two views, and batch assembly.
//!
//! Augmentations touch the image channels only. RandBit's bit planes are appended *after*
//! augmentation, so both views of an image always carry exactly the same bits.

use super::colour::{hsv_to_rgb, luma, rgb_to_hsv};
use super::image::Image;
use super::{Dataset, Sample};
use crate::par;
use crate::params::ExperimentConfig;
use crate::rng::{SeededRng, stream};

/// The augmentation knobs, taken from the config.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Augment {
    pub crop_min: f32,
    pub flip: bool,
    pub colour_jitter: f32,
    pub greyscale: f32,
}

impl Augment {
    pub fn from_config(c: &ExperimentConfig) -> Self {
        Self {
            crop_min: c.crop_min,
            flip: c.flip,
            colour_jitter: c.colour_jitter,
            greyscale: c.greyscale,
        }
    }

    /// No change at all: what the probes and the evaluation see.
    pub const NONE: Augment = Augment {
        crop_min: 1.0,
        flip: false,
        colour_jitter: 0.0,
        greyscale: 0.0,
    };

    /// One augmented view of `image` as `[channels, height, width]` floats in [0, 1].
    pub fn view(&self, image: &Image, rng: &mut SeededRng) -> Vec<f32> {
        let (c, h, w) = (image.channels, image.height, image.width);
        let (y0, x0, ch, cw) = self.crop_box(h, w, rng);
        let flip = self.flip && rng.bernoulli(0.5);
        let mut out = vec![0.0f32; c * h * w];
        // Bilinear resample of the crop box back to the full size.
        let (sy, sx) = (ch / h as f32, cw / w as f32);
        for y in 0..h {
            let fy = (y0 + (y as f32 + 0.5) * sy - 0.5).clamp(0.0, (image.height - 1) as f32);
            // Clamped as integers too: f32 cannot hold every index of a very wide image.
            let iy = (fy as usize).min(image.height - 1);
            let (wy, iy1) = (fy - iy as f32, (iy + 1).min(image.height - 1));
            for x in 0..w {
                let fx = (x0 + (x as f32 + 0.5) * sx - 0.5).clamp(0.0, (image.width - 1) as f32);
                let ix = (fx as usize).min(image.width - 1);
                let (wx, ix1) = (fx - ix as f32, (ix + 1).min(image.width - 1));
                let ox = if flip { w - 1 - x } else { x };
                for k in 0..c {
                    let g = |yy, xx| image.get(k, yy, xx) as f32;
                    let top = g(iy, ix) * (1.0 - wx) + g(iy, ix1) * wx;
                    let bot = g(iy1, ix) * (1.0 - wx) + g(iy1, ix1) * wx;
                    out[(k * h + y) * w + ox] = (top * (1.0 - wy) + bot * wy) / 255.0;
                }
            }
        }
        if self.colour_jitter > 0.0 && rng.bernoulli(0.8) {
            jitter(&mut out, c, h * w, self.colour_jitter, rng);
        }
        if c == 3 && rng.bernoulli(self.greyscale) {
            let plane = h * w;
            for i in 0..plane {
                let l = luma([out[i], out[plane + i], out[2 * plane + i]]);
                for k in 0..3 {
                    out[k * plane + i] = l;
                }
            }
        }
        out
    }

    /// Random resized crop (torchvision's rule): area fraction in [crop_min, 1], aspect ratio in
    /// [3/4, 4/3] log-uniform; after 10 misses, the whole image. Returns (y, x, height, width).
    fn crop_box(&self, h: usize, w: usize, rng: &mut SeededRng) -> (f32, f32, f32, f32) {
        let (hf, wf) = (h as f32, w as f32);
        if self.crop_min >= 1.0 {
            return (0.0, 0.0, hf, wf);
        }
        let (lo, hi) = (libm::logf(3.0 / 4.0), libm::logf(4.0 / 3.0));
        for _ in 0..10 {
            let area = hf * wf * rng.range(self.crop_min, 1.0);
            let ratio = libm::expf(rng.range(lo, hi));
            let cw = (area * ratio).sqrt();
            let ch = (area / ratio).sqrt();
            if cw <= wf && ch <= hf {
                return (rng.uniform() * (hf - ch), rng.uniform() * (wf - cw), ch, cw);
            }
        }
        (0.0, 0.0, hf, wf)
    }
}

/// SimCLR colour distortion of strength `s`: brightness, contrast, saturation, hue.
fn jitter(px: &mut [f32], channels: usize, plane: usize, s: f32, rng: &mut SeededRng) {
    let brightness = rng.range(1.0 - 0.8 * s, 1.0 + 0.8 * s).max(0.0);
    let contrast = rng.range(1.0 - 0.8 * s, 1.0 + 0.8 * s).max(0.0);
    let saturation = rng.range(1.0 - 0.8 * s, 1.0 + 0.8 * s).max(0.0);
    let hue = rng.range(-0.2 * s, 0.2 * s);
    for v in px.iter_mut() {
        *v = (*v * brightness).clamp(0.0, 1.0);
    }
    let mean_luma = if channels == 3 {
        (0..plane)
            .map(|i| luma([px[i], px[plane + i], px[2 * plane + i]]))
            .sum::<f32>()
            / plane as f32
    } else {
        px.iter().sum::<f32>() / px.len() as f32
    };
    for v in px.iter_mut() {
        *v = ((*v - mean_luma) * contrast + mean_luma).clamp(0.0, 1.0);
    }
    if channels != 3 {
        return;
    }
    for i in 0..plane {
        let rgb = [px[i], px[plane + i], px[2 * plane + i]];
        let l = luma(rgb);
        let sat = rgb.map(|c| ((c - l) * saturation + l).clamp(0.0, 1.0));
        let [h, s, v] = rgb_to_hsv(sat);
        let out = hsv_to_rgb(h + hue, s, v);
        for k in 0..3 {
            px[k * plane + i] = out[k];
        }
    }
}

/// Writes the `bits` low bits of `value` as constant 0/1 planes of `plane` floats each.
fn push_bit_planes(out: &mut Vec<f32>, value: u32, bits: usize, plane: usize) {
    for b in 0..bits {
        let v = ((value >> b) & 1) as f32;
        out.extend(std::iter::repeat_n(v, plane));
    }
}

/// A batch of `[n, channels + bits, height, width]` floats.
#[derive(Clone, Debug, PartialEq)]
pub struct Batch {
    pub data: Vec<f32>,
    pub n: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl Dataset {
    /// Two independently augmented views of `samples[indices]`; the draws come from the
    /// stream `(seed, "augment/<step>", index)`, so a step's views are reproducible.
    pub fn two_views(
        &self,
        samples: &[Sample],
        indices: &[usize],
        augment: &Augment,
        seed: u64,
        step: u64,
    ) -> (Batch, Batch) {
        let pairs = self.view_pairs(samples, indices, augment, seed, step);
        let per_view = self.input_channels() * self.height * self.width;
        let mut views = [0, 1].map(|_| Vec::with_capacity(indices.len() * per_view));
        for [a, b] in pairs {
            views[0].extend(a);
            views[1].extend(b);
        }
        let [a, b] = views;
        (
            self.batch_of(a, indices.len()),
            self.batch_of(b, indices.len()),
        )
    }

    /// [`Dataset::two_views`] per sample: for each index, its two views as
    /// `[channels, height, width]` floats (bit planes included).
    pub fn view_pairs(
        &self,
        samples: &[Sample],
        indices: &[usize],
        augment: &Augment,
        seed: u64,
        step: u64,
    ) -> Vec<[Vec<f32>; 2]> {
        let tag = format!("augment/{step}");
        // Each sample has its own stream, so samples are augmented in parallel (natively) and
        // the batch is the same whatever the thread count.
        par::map(indices.len(), |j| {
            let i = indices[j];
            let mut rng = stream(seed, &tag, j as u64);
            let mut pair = [Vec::new(), Vec::new()];
            for view in &mut pair {
                view.extend(augment.view(&samples[i].image, &mut rng));
                push_bit_planes(view, samples[i].bits, self.bits, self.height * self.width);
            }
            pair
        })
    }

    /// `samples[indices]` un-augmented, with their bit planes: what probes and evaluation see.
    pub fn plain(&self, samples: &[Sample], indices: &[usize]) -> Batch {
        let mut data =
            Vec::with_capacity(indices.len() * self.input_channels() * self.height * self.width);
        for &i in indices {
            data.extend(samples[i].image.pixels.iter().map(|&v| v as f32 / 255.0));
            push_bit_planes(
                &mut data,
                samples[i].bits,
                self.bits,
                self.height * self.width,
            );
        }
        self.batch_of(data, indices.len())
    }

    fn batch_of(&self, data: Vec<f32>, n: usize) -> Batch {
        Batch {
            data,
            n,
            channels: self.input_channels(),
            height: self.height,
            width: self.width,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient_image() -> Image {
        let mut img = Image::new(3, 8, 8);
        for (i, v) in img.pixels.iter_mut().enumerate() {
            *v = (i * 7 % 256) as u8;
        }
        img
    }

    #[test]
    fn no_augmentation_is_the_identity() {
        let img = gradient_image();
        let v = Augment::NONE.view(&img, &mut stream(0, "t", 0));
        for (a, b) in v.iter().zip(&img.pixels) {
            assert!((a - *b as f32 / 255.0).abs() < 1e-6);
        }
    }

    #[test]
    fn flip_only_mirrors_rows() {
        let img = gradient_image();
        let aug = Augment {
            flip: true,
            ..Augment::NONE
        };
        let flipped = (0..64)
            .map(|s| aug.view(&img, &mut stream(1, "t", s)))
            .find(|v| (v[0] - img.pixels[0] as f32 / 255.0).abs() > 1e-6)
            .expect("some view is flipped");
        assert!((flipped[0] - img.get(0, 0, 7) as f32 / 255.0).abs() < 1e-6);
    }
}
