//! MultiDigits: two digits on one canvas, a fixed-size one in a strip along an edge and a
//! varying one beside it, so a sweep over the varying digit's size changes nothing else.

use super::Sample;
use super::digits::draw_digit;
use super::image::Image;
use crate::params::ExperimentConfig;
use crate::rng::SeededRng;

/// Where MultiDigits puts its two digits, in pixels: the fixed digit in a strip along the left
/// or right edge, the varying digit centred in the rest, each wandering by up to `jitter`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MultiDigitsLayout {
    pub canvas: usize,
    /// Side of the fixed digit.
    pub fixed: usize,
    /// Side of the varying digit (capped so it fits beside the strip).
    pub varying: usize,
    /// Width of the strip that holds the fixed digit.
    pub strip: usize,
    /// How far (pixels) each digit wanders from its place.
    pub jitter: usize,
}

impl MultiDigitsLayout {
    pub fn new(c: &ExperimentConfig) -> Self {
        let canvas = c.canvas;
        let size = |f: f32| (canvas as f32 * f + 0.5) as usize;
        let fixed = size(c.small_digit).clamp(6, canvas / 3);
        let jitter = size(c.jitter).min(canvas / 4);
        let strip = (fixed + jitter).min(canvas / 2);
        let varying = size(c.digit_size).clamp(6, canvas - strip);
        Self {
            canvas,
            fixed,
            varying,
            strip,
            jitter,
        }
    }
}

/// Top-left corner along one axis: centred in `[lo, lo + room)` for a digit of `side`, moved
/// by up to `jitter` either way and kept inside.
fn wander(lo: usize, room: usize, side: usize, jitter: usize, rng: &mut SeededRng) -> usize {
    let free = room.saturating_sub(side);
    let centre = free / 2;
    let (min, max) = (centre.saturating_sub(jitter), (centre + jitter).min(free));
    lo + min + rng.below(max - min + 1)
}

/// Two digits on one canvas: the fixed one in a strip along the left or right edge that the
/// varying one never enters. The fixed digit (label, style, place) is drawn first from the
/// sample's stream, so it is the same image whatever the varying digit's size: along a
/// MultiDigits sweep only the other digit changes, and the two never overlap.
pub(super) fn multidigits(c: &ExperimentConfig, rng: &mut SeededRng) -> Sample {
    let MultiDigitsLayout {
        canvas,
        fixed: fs,
        varying: vs,
        strip,
        jitter,
    } = MultiDigitsLayout::new(c);
    let fixed_label = rng.below(10);
    let fixed = draw_digit(fixed_label, fs, rng);
    let on_left = rng.bernoulli(0.5);
    let fy = wander(0, canvas, fs, jitter, rng);
    let fx = wander(
        if on_left { 0 } else { canvas - strip },
        strip,
        fs,
        jitter,
        rng,
    );
    let varying_label = rng.below(10);
    let varying = draw_digit(varying_label, vs, rng);
    let vy = wander(0, canvas, vs, jitter, rng);
    let vx = wander(
        if on_left { strip } else { 0 },
        canvas - strip,
        vs,
        jitter,
        rng,
    );
    let mut image = Image::new(1, canvas, canvas);
    let mut mask = vec![0u8; canvas * canvas];
    for (digit, (oy, ox), id) in [(&fixed, (fy, fx), 1u8), (&varying, (vy, vx), 2u8)] {
        for y in 0..digit.height {
            for x in 0..digit.width {
                let v = digit.get(0, y, x);
                let (cy, cx) = (oy + y, ox + x);
                image.set(0, cy, cx, v);
                if v >= 128 {
                    mask[cy * canvas + cx] = id;
                }
            }
        }
    }
    Sample {
        image,
        labels: vec![fixed_label, varying_label],
        mask: Some(mask),
        parts: None,
        bits: 0,
    }
}
