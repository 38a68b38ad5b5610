//! Scenes: two to four objects on one canvas, each in two shaded halves, labelled by the
//! object that shows the most. In colour (shapes and digits in colours of their own) or in
//! texture (large shapes striped in the background's own two colours, told apart only by the
//! stripes' direction).

use super::Sample;
use super::colour::{hsv_to_rgb, luma};
use super::digits::draw_digit;
use super::image::Image;
use super::objects::{Palette, blend, paint_background, shape_coverage};
use crate::params::{ExperimentConfig, PartKind, SceneFill};
use crate::rng::SeededRng;

/// 2–4 shapes and digits on a textured background, with each object's mask id (1..=4). Each
/// object has two parts, split by a line through its centre at a random angle: one half in its
/// colour, the other in a clearly darker (or, for a dark colour, lighter) shade of it, so
/// grouping by part is finer than grouping by object (`parts`: object `k` is parts `2k - 1`
/// and `2k`).
pub(super) fn scene(c: &ExperimentConfig, rng: &mut SeededRng) -> Sample {
    match c.fill {
        SceneFill::Colour => colour_scene(c, rng),
        SceneFill::Texture => texture_scene(c, rng),
    }
}

fn colour_scene(c: &ExperimentConfig, rng: &mut SeededRng) -> Sample {
    let side = c.canvas;
    let s = side as f32;
    let count = 2 + rng.below(3);
    let mut image = Image::new(3, side, side);
    paint_background(&mut image, Palette::random(rng), rng);
    let mut mask = vec![0u8; side * side];
    let mut parts = vec![0u8; side * side];
    let mut classes = Vec::with_capacity(count);
    for id in 1..=count {
        let class = rng.below(20);
        let r = rng.range(0.12, 0.22) * s;
        let (cx, cy) = (rng.range(r, s - r), rng.range(r, s - r));
        let coverage = if class < 10 {
            shape_coverage(class, side, cx, cy, r, rng.range(-15.0, 15.0).to_radians())
        } else {
            let d = (2.0 * r) as usize;
            let digit = draw_digit(class - 10, d, rng);
            let (x0, y0) = ((cx - r) as usize, (cy - r) as usize);
            let mut cov = vec![0.0; side * side];
            for y in 0..d.min(side - y0) {
                for x in 0..d.min(side - x0) {
                    cov[(y0 + y) * side + x0 + x] = digit.get(0, y, x) as f32 / 255.0;
                }
            }
            cov
        };
        classes.push(class);
        let light = Palette::random(rng).object;
        // The other half: the same hue darker, or lighter where the colour is already dark.
        let dark = match luma(light) > 0.4 {
            true => light.map(|v| v * 0.45),
            false => light.map(|v| v * 0.45 + 0.55),
        };
        let split = rng.range(0.0, std::f32::consts::TAU);
        let normal = (libm::cosf(split), libm::sinf(split));
        for y in 0..side {
            for x in 0..side {
                let a = coverage[y * side + x];
                let far = (x as f32 + 0.5 - cx) * normal.0 + (y as f32 + 0.5 - cy) * normal.1 > 0.0;
                if a > 0.0 {
                    blend(&mut image, x, y, if far { dark } else { light }, a);
                }
                if a >= 0.5 {
                    mask[y * side + x] = id as u8;
                    parts[y * side + x] = (2 * id - usize::from(!far)) as u8;
                }
            }
        }
    }
    labelled(image, mask, parts, &classes)
}

/// A scene's sample: labelled by the object with the most visible pixels after occlusion
/// (first on ties) and by the object count.
fn labelled(image: Image, mask: Vec<u8>, parts: Vec<u8>, classes: &[usize]) -> Sample {
    let count = classes.len();
    let visible = |id: usize| mask.iter().filter(|&&m| m as usize == id).count();
    let largest = classes[(1..=count)
        .max_by_key(|&id| (visible(id), std::cmp::Reverse(id)))
        .unwrap()
        - 1];
    Sample {
        image,
        labels: vec![largest, count - 2],
        mask: Some(mask),
        parts: Some(parts),
        bits: 0,
    }
}

/// Stripe directions: six slots 30° apart, so the background and up to four objects each get
/// one, at least 30° from every other.
const DIRECTIONS: usize = 6;

/// Stripes of period `period` px at angle `angle`: 0 on colour `a`, 1 on `b`, with soft edges
/// and half of each period on either colour, so any whole period averages to the middle.
struct Stripes {
    normal: (f32, f32),
    period: f32,
    phase: f32,
}

impl Stripes {
    fn at(&self, x: usize, y: usize) -> f32 {
        let u = (x as f32 + 0.5) * self.normal.0 + (y as f32 + 0.5) * self.normal.1;
        let wave = libm::sinf(u * std::f32::consts::TAU / self.period + self.phase);
        0.5 + 0.5 * (2.5 * wave).clamp(-1.0, 1.0)
    }
}

/// 2–4 large shapes on a striped canvas. Everything is striped in the same two colours, half
/// of each period on either, so the background and every object have the same colour
/// statistics and K-means on pooled colour cannot segment them; what tells them apart is the
/// stripes' direction (one of six, 30° apart, each used once). Each object's two halves (split
/// through its centre) are a little lighter and a little darker than the stripes, by
/// `part_shade`, the same on both sides so the object's mean stays the background's. The parts
/// are those halves (object `k` is parts `2k - 1` and `2k`), or with `parts=stripes` the
/// texture's own elements: every object pixel on one stripe colour is part 1, on the other
/// part 2, whichever object it is in (the finest, texture-like grouping; background 0).
fn texture_scene(c: &ExperimentConfig, rng: &mut SeededRng) -> Sample {
    let side = c.canvas;
    let s = side as f32;
    let count = 2 + rng.below(3);
    let shade = c.part_shade;
    let (a, b) = stripe_colours(shade, rng);
    let period = rng.range(3.5, 5.0);
    let turn = rng.range(0.0, std::f32::consts::PI / DIRECTIONS as f32);
    let mut slots: Vec<usize> = (0..DIRECTIONS).collect();
    rng.shuffle(&mut slots);
    let stripes = |slot: usize, rng: &mut SeededRng| {
        let angle = turn + slot as f32 * std::f32::consts::PI / DIRECTIONS as f32;
        Stripes {
            normal: (libm::cosf(angle), libm::sinf(angle)),
            period,
            phase: rng.range(0.0, std::f32::consts::TAU),
        }
    };
    let mix = |t: f32, shade: f32| -> [f32; 3] {
        std::array::from_fn(|ch| a[ch] + (b[ch] - a[ch]) * t + shade)
    };
    let mut image = Image::new(3, side, side);
    let background = stripes(slots[0], rng);
    for y in 0..side {
        for x in 0..side {
            blend(&mut image, x, y, mix(background.at(x, y), 0.0), 1.0);
        }
    }
    let mut mask = vec![0u8; side * side];
    let mut parts = vec![0u8; side * side];
    let mut classes = Vec::with_capacity(count);
    for (id, &slot) in slots.iter().enumerate().take(count + 1).skip(1) {
        let class = rng.below(10);
        let r = rng.range(0.15, 0.3) * s;
        let (cx, cy) = (rng.range(r, s - r), rng.range(r, s - r));
        let coverage = shape_coverage(class, side, cx, cy, r, rng.range(-15.0, 15.0).to_radians());
        classes.push(class);
        let texture = stripes(slot, rng);
        let split = rng.range(0.0, std::f32::consts::TAU);
        let normal = (libm::cosf(split), libm::sinf(split));
        for y in 0..side {
            for x in 0..side {
                let alpha = coverage[y * side + x];
                if alpha <= 0.0 {
                    continue;
                }
                let far = (x as f32 + 0.5 - cx) * normal.0 + (y as f32 + 0.5 - cy) * normal.1 > 0.0;
                let shade = if far { -shade } else { shade };
                blend(&mut image, x, y, mix(texture.at(x, y), shade), alpha);
                if alpha >= 0.5 {
                    mask[y * side + x] = id as u8;
                    parts[y * side + x] = match c.parts {
                        PartKind::Halves => (2 * id - usize::from(!far)) as u8,
                        PartKind::Stripes => 1 + u8::from(texture.at(x, y) >= 0.5),
                    };
                }
            }
        }
    }
    labelled(image, mask, parts, &classes)
}

/// The two colours every stripe of a textured scene is drawn in: clearly apart in brightness,
/// and far enough from 0 and 1 that the parts' shade never clips.
fn stripe_colours(shade: f32, rng: &mut SeededRng) -> ([f32; 3], [f32; 3]) {
    let margin = shade + 0.02;
    let fit = |c: [f32; 3]| c.map(|v| v.clamp(margin, 1.0 - margin));
    let light = fit(hsv_to_rgb(
        rng.uniform(),
        rng.range(0.2, 0.7),
        rng.range(0.7, 0.9),
    ));
    let dark = fit(hsv_to_rgb(
        rng.uniform(),
        rng.range(0.2, 0.7),
        rng.range(0.2, 0.4),
    ));
    if rng.bernoulli(0.5) {
        (light, dark)
    } else {
        (dark, light)
    }
}
