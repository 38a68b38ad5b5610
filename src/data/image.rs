//! The one image type every generator, loader and augmentation shares.

use serde::{Deserialize, Serialize};

/// An 8-bit image stored channel-major (`[channels, height, width]`), 1 (grey) or 3 (RGB)
/// channels. Bytes rather than floats: datasets stay small and their fingerprint is exact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    /// `[channels, height, width]`, row-major within a channel.
    pub pixels: Vec<u8>,
}

impl Image {
    pub fn new(channels: usize, height: usize, width: usize) -> Self {
        Self {
            channels,
            height,
            width,
            pixels: vec![0; channels * height * width],
        }
    }

    pub fn from_pixels(channels: usize, height: usize, width: usize, pixels: Vec<u8>) -> Self {
        assert_eq!(
            pixels.len(),
            channels * height * width,
            "pixel buffer does not match shape"
        );
        Self {
            channels,
            height,
            width,
            pixels,
        }
    }

    #[inline]
    pub fn index(&self, c: usize, y: usize, x: usize) -> usize {
        (c * self.height + y) * self.width + x
    }

    #[inline]
    pub fn get(&self, c: usize, y: usize, x: usize) -> u8 {
        self.pixels[self.index(c, y, x)]
    }

    #[inline]
    pub fn set(&mut self, c: usize, y: usize, x: usize, v: u8) {
        let i = self.index(c, y, x);
        self.pixels[i] = v;
    }

    /// The same picture with `channels` channels: grey is repeated into RGB, RGB is averaged
    /// (ITU-R 601 luma) into grey.
    pub fn with_channels(&self, channels: usize) -> Image {
        if channels == self.channels {
            return self.clone();
        }
        let plane = self.height * self.width;
        let mut out = Image::new(channels, self.height, self.width);
        match (self.channels, channels) {
            (1, 3) => {
                for c in 0..3 {
                    out.pixels[c * plane..(c + 1) * plane].copy_from_slice(&self.pixels[..plane]);
                }
            }
            (3, 1) => {
                for i in 0..plane {
                    let r = self.pixels[i] as u32;
                    let g = self.pixels[plane + i] as u32;
                    let b = self.pixels[2 * plane + i] as u32;
                    out.pixels[i] = ((299 * r + 587 * g + 114 * b + 500) / 1000) as u8;
                }
            }
            (a, b) => panic!("unsupported channel conversion {a} -> {b}"),
        }
        out
    }

    /// Bilinear resize (pixel centres aligned), deterministic integer-free float maths only.
    pub fn resized(&self, height: usize, width: usize) -> Image {
        if height == self.height && width == self.width {
            return self.clone();
        }
        let mut out = Image::new(self.channels, height, width);
        let sy = self.height as f32 / height as f32;
        let sx = self.width as f32 / width as f32;
        for c in 0..self.channels {
            for y in 0..height {
                let fy = ((y as f32 + 0.5) * sy - 0.5).max(0.0);
                let y0 = (fy as usize).min(self.height - 1);
                let y1 = (y0 + 1).min(self.height - 1);
                let wy = fy - y0 as f32;
                for x in 0..width {
                    let fx = ((x as f32 + 0.5) * sx - 0.5).max(0.0);
                    let x0 = (fx as usize).min(self.width - 1);
                    let x1 = (x0 + 1).min(self.width - 1);
                    let wx = fx - x0 as f32;
                    let top =
                        self.get(c, y0, x0) as f32 * (1.0 - wx) + self.get(c, y0, x1) as f32 * wx;
                    let bot =
                        self.get(c, y1, x0) as f32 * (1.0 - wx) + self.get(c, y1, x1) as f32 * wx;
                    let v = top * (1.0 - wy) + bot * wy;
                    out.set(c, y, x, (v + 0.5).clamp(0.0, 255.0) as u8);
                }
            }
        }
        out
    }
}
