//! Scenes: two to four shapes and digits on one canvas, each in two shaded halves, labelled by
//! the object that shows the most.

use super::Sample;
use super::colour::luma;
use super::digits::draw_digit;
use super::image::Image;
use super::objects::{Palette, blend, paint_background, shape_coverage};
use crate::params::ExperimentConfig;
use crate::rng::SeededRng;

/// 2–4 shapes and digits on a textured background, with each object's mask id (1..=4). Each
/// object has two parts, split by a line through its centre at a random angle: one half in its
/// colour, the other in a clearly darker (or, for a dark colour, lighter) shade of it, so
/// grouping by part is finer than grouping by object (`parts`: object `k` is parts `2k - 1`
/// and `2k`).
pub(super) fn scene(c: &ExperimentConfig, rng: &mut SeededRng) -> Sample {
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
    // The label is the object with the most visible pixels after occlusion (first on ties).
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
