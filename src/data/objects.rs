//! Procedural objects: our stand-in for ImageNet. Ten shape classes with random colour, size,
//! position, rotation and optional stripes, on a textured random background.

use super::colour::{hsv_to_rgb, luma};
use super::image::Image;
use super::raster::{P, fill_sdf, p, polygon_sdf};
use crate::params::BackgroundKind;
use crate::rng::SeededRng;

/// The object classes, in label order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Circle,
    Square,
    Triangle,
    Diamond,
    Star,
    Plus,
    Ring,
    Hexagon,
    Crescent,
    Arrow,
}

/// The class names, in label order: `OBJECT_CLASSES[s as usize]` names shape `s`.
pub const OBJECT_CLASSES: [&str; 10] = {
    let mut names = [""; 10];
    let mut i = 0;
    while i < names.len() {
        names[i] = Shape::ALL[i].name();
        i += 1;
    }
    names
};

/// Unit-shape vertices of the polygons that are not regular.
const SQUARE: [(f32, f32); 4] = [(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8)];
const DIAMOND: [(f32, f32); 4] = [(0.0, -1.0), (0.75, 0.0), (0.0, 1.0), (-0.75, 0.0)];
const PLUS: [(f32, f32); 12] = [
    (-0.3, -0.95),
    (0.3, -0.95),
    (0.3, -0.3),
    (0.95, -0.3),
    (0.95, 0.3),
    (0.3, 0.3),
    (0.3, 0.95),
    (-0.3, 0.95),
    (-0.3, 0.3),
    (-0.95, 0.3),
    (-0.95, -0.3),
    (-0.3, -0.3),
];
const ARROW: [(f32, f32); 7] = [
    (-0.95, -0.25),
    (0.15, -0.25),
    (0.15, -0.7),
    (0.95, 0.0),
    (0.15, 0.7),
    (0.15, 0.25),
    (-0.95, 0.25),
];

impl Shape {
    pub const ALL: [Shape; 10] = [
        Shape::Circle,
        Shape::Square,
        Shape::Triangle,
        Shape::Diamond,
        Shape::Star,
        Shape::Plus,
        Shape::Ring,
        Shape::Hexagon,
        Shape::Crescent,
        Shape::Arrow,
    ];

    /// The shape of class label `class`. Panics on a label out of range.
    pub fn of_class(class: usize) -> Shape {
        *Self::ALL
            .get(class)
            .unwrap_or_else(|| panic!("object class {class} out of range"))
    }

    pub const fn name(self) -> &'static str {
        match self {
            Shape::Circle => "circle",
            Shape::Square => "square",
            Shape::Triangle => "triangle",
            Shape::Diamond => "diamond",
            Shape::Star => "star",
            Shape::Plus => "plus",
            Shape::Ring => "ring",
            Shape::Hexagon => "hexagon",
            Shape::Crescent => "crescent",
            Shape::Arrow => "arrow",
        }
    }

    /// The unit-shape vertices (radius 1, before rotation) of a polygon shape. The round
    /// shapes have distance functions of their own in [`shape_coverage`].
    fn unit_polygon(self) -> Vec<(f32, f32)> {
        use std::f32::consts::{FRAC_PI_2, PI};
        match self {
            Shape::Square => SQUARE.to_vec(),
            Shape::Triangle => regular(3, -FRAC_PI_2),
            Shape::Diamond => DIAMOND.to_vec(),
            Shape::Star => {
                let outer = regular(5, -FRAC_PI_2);
                let inner = regular(5, -FRAC_PI_2 + PI / 5.0);
                (0..5)
                    .flat_map(|i| [outer[i], (inner[i].0 * 0.42, inner[i].1 * 0.42)])
                    .collect()
            }
            Shape::Plus => PLUS.to_vec(),
            Shape::Hexagon => regular(6, 0.0),
            Shape::Arrow => ARROW.to_vec(),
            Shape::Circle | Shape::Ring | Shape::Crescent => {
                unreachable!("{self:?} is round, not a polygon")
            }
        }
    }
}

/// The vertices of a regular `n`-gon on the unit circle, the first at angle `phase`.
fn regular(n: usize, phase: f32) -> Vec<(f32, f32)> {
    (0..n)
        .map(|i| {
            let a = phase + 2.0 * std::f32::consts::PI * i as f32 / n as f32;
            (libm::cosf(a), libm::sinf(a))
        })
        .collect()
}

/// Coverage of shape `class` centred at (`cx`, `cy`) with radius `r` (pixels), rotated by
/// `angle` radians, on a `side × side` grid.
pub fn shape_coverage(class: usize, side: usize, cx: f32, cy: f32, r: f32, angle: f32) -> Vec<f32> {
    let shape = Shape::of_class(class);
    let (sin, cos) = (libm::sinf(angle), libm::cosf(angle));
    let mut cov = vec![0.0f32; side * side];
    let mut fill =
        |sdf: &dyn Fn(f32, f32) -> f32| fill_sdf(&mut cov, side, side, p(cx, cy), r, sdf);
    let from = |x: f32, y: f32, (ox, oy): (f32, f32)| ((x - ox).powi(2) + (y - oy).powi(2)).sqrt();
    match shape {
        Shape::Circle => fill(&|x, y| from(x, y, (cx, cy)) - r),
        Shape::Ring => fill(&|x, y| (from(x, y, (cx, cy)) - 0.7 * r).abs() - 0.28 * r),
        Shape::Crescent => {
            // A disc minus a shifted disc; the shift direction follows the rotation.
            let shifted = (cx + 0.45 * r * cos, cy + 0.45 * r * sin);
            fill(&|x, y| (from(x, y, (cx, cy)) - r).max(-(from(x, y, shifted) - 0.8 * r)))
        }
        polygon => {
            // Unit-shape vertices, rotated, scaled and moved into place.
            let v: Vec<P> = polygon
                .unit_polygon()
                .iter()
                .map(|&(u, v)| p(cx + r * (cos * u - sin * v), cy + r * (sin * u + cos * v)))
                .collect();
            fill(&|x, y| polygon_sdf(p(x, y), &v))
        }
    }
    cov
}

/// How an object is coloured; the generators choose it (random, or from a per-image hue).
#[derive(Clone, Copy, Debug)]
pub struct Palette {
    pub object: [f32; 3],
    pub background: [f32; 3],
    /// Second background colour of the texture.
    pub texture: [f32; 3],
}

impl Palette {
    /// Independent random colours with enough brightness contrast to see the shape.
    pub fn random(rng: &mut SeededRng) -> Self {
        let background = hsv_to_rgb(rng.uniform(), rng.range(0.1, 0.8), rng.range(0.15, 0.95));
        let mut object = hsv_to_rgb(rng.uniform(), rng.range(0.3, 1.0), rng.range(0.2, 1.0));
        if (luma(object) - luma(background)).abs() < 0.25 {
            // Push the object away from the background's brightness.
            let shift = if luma(background) > 0.5 { -0.45 } else { 0.45 };
            object = object.map(|c| (c + shift).clamp(0.0, 1.0));
        }
        let texture = hsv_to_rgb(rng.uniform(), rng.range(0.0, 0.6), rng.range(0.15, 0.95));
        Self {
            object,
            background,
            texture,
        }
    }

    /// Greys only, with the same brightness rule: no colour for the two views to share.
    pub fn grey(rng: &mut SeededRng) -> Self {
        let grey = |v: f32| [v, v, v];
        let background = rng.range(0.15, 0.95);
        let mut object = rng.range(0.2, 1.0);
        if (object - background).abs() < 0.25 {
            object = if background > 0.5 {
                (object - 0.45).max(0.0)
            } else {
                (object + 0.45).min(1.0)
            };
        }
        Self {
            object: grey(object),
            background: grey(background),
            texture: grey(rng.range(0.15, 0.95)),
        }
    }
}

/// Draws one object of `class` on a `side × side` RGB image; returns it with its mask
/// (1 where the object covers at least half a pixel).
pub fn draw_object(
    class: usize,
    side: usize,
    palette: Palette,
    background: BackgroundKind,
    rng: &mut SeededRng,
) -> (Image, Vec<u8>) {
    let s = side as f32;
    let r = rng.range(0.24, 0.4) * s;
    let cx = rng.range(r + 1.0, s - r - 1.0);
    let cy = rng.range(r + 1.0, s - r - 1.0);
    let angle = rng.range(-15.0, 15.0).to_radians();
    let cov = shape_coverage(class, side, cx, cy, r, angle);
    let mut img = Image::new(3, side, side);
    match background {
        BackgroundKind::Textured => paint_background(&mut img, palette, rng),
        // Nothing drawn: a flat background gives the two views no texture to share.
        BackgroundKind::Flat => paint_flat(&mut img, palette.background),
    }
    let stripes = rng
        .bernoulli(0.3)
        .then(|| (rng.range(2.0, 5.0), rng.uniform() * 6.3));
    let stripe_colour = palette.object.map(|c| c * 0.6);
    for y in 0..side {
        for x in 0..side {
            let a = cov[y * side + x];
            if a <= 0.0 {
                continue;
            }
            let colour = match stripes {
                Some((period, phase)) if libm::sinf(x as f32 * 2.0 / period + phase) > 0.3 => {
                    stripe_colour
                }
                _ => palette.object,
            };
            blend(&mut img, x, y, colour, a);
        }
    }
    let mask = cov.iter().map(|&a| u8::from(a >= 0.5)).collect();
    (img, mask)
}

/// A two-colour background: a linear gradient or soft blobs, plus pixel noise.
pub fn paint_background(img: &mut Image, palette: Palette, rng: &mut SeededRng) {
    let (w, h) = (img.width, img.height);
    let (fx, fy) = (
        rng.range(0.5, 3.0) / w as f32,
        rng.range(0.5, 3.0) / h as f32,
    );
    let (px, py) = (rng.uniform() * 6.3, rng.uniform() * 6.3);
    let gradient = rng.bernoulli(0.5);
    let noise = rng.range(0.0, 0.08);
    // Separable blobs: sin(x) * sin(y), each factor computed once per column / row.
    let wave = |n: usize, f: f32, phase: f32| -> Vec<f32> {
        (0..n)
            .map(|i| libm::sinf(i as f32 * f * 6.3 + phase))
            .collect()
    };
    let (sx, sy) = (wave(w, fx, px), wave(h, fy, py));
    let plane = w * h;
    for (y, wave_y) in sy.iter().enumerate() {
        for (x, wave_x) in sx.iter().enumerate() {
            let t = if gradient {
                (x as f32 * fx + y as f32 * fy) * 0.5
            } else {
                0.5 + 0.5 * wave_x * wave_y
            };
            let t = t.clamp(0.0, 1.0);
            let n = noise * (rng.uniform() - 0.5) * 2.0;
            for c in 0..3 {
                let v = palette.background[c] * (1.0 - t) + palette.texture[c] * t + n;
                img.pixels[c * plane + y * w + x] = to_byte(v);
            }
        }
    }
}

/// One colour everywhere.
pub fn paint_flat(img: &mut Image, colour: [f32; 3]) {
    let plane = img.width * img.height;
    for (c, v) in colour.iter().enumerate() {
        img.pixels[c * plane..(c + 1) * plane].fill(to_byte(*v));
    }
}

/// Alpha-blends `colour` over pixel (x, y).
pub fn blend(img: &mut Image, x: usize, y: usize, colour: [f32; 3], alpha: f32) {
    for (c, v) in colour.iter().enumerate() {
        let old = img.get(c, y, x) as f32 / 255.0;
        img.set(c, y, x, to_byte(old * (1.0 - alpha) + v * alpha));
    }
}

pub fn to_byte(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    #[test]
    fn a_flat_background_is_the_background_colour_wherever_the_object_is_not() {
        for class in 0..OBJECT_CLASSES.len() {
            for i in 0..20 {
                let mut rng = stream(5, "flat", (class * 20 + i) as u64);
                let palette = Palette::grey(&mut rng);
                // The object's geometry, drawn as `draw_object` draws it.
                let mut geometry = rng.clone();
                let s = 32.0;
                let r = geometry.range(0.24, 0.4) * s;
                let cx = geometry.range(r + 1.0, s - r - 1.0);
                let cy = geometry.range(r + 1.0, s - r - 1.0);
                let angle = geometry.range(-15.0, 15.0).to_radians();
                let cov = shape_coverage(class, 32, cx, cy, r, angle);
                let (flat, _) = draw_object(class, 32, palette, BackgroundKind::Flat, &mut rng);
                let bg = to_byte(palette.background[0]);
                for (p, &c) in cov.iter().enumerate() {
                    if c == 0.0 {
                        assert_eq!(flat.get(0, p / 32, p % 32), bg, "class {class} pixel {p}");
                    }
                }
                // The textured background is not one colour there.
                let mut rng = stream(5, "flat", (class * 20 + i) as u64);
                let palette = Palette::grey(&mut rng);
                let (tex, _) = draw_object(class, 32, palette, BackgroundKind::Textured, &mut rng);
                let varies = (0..32 * 32)
                    .filter(|&p| cov[p] == 0.0)
                    .any(|p| tex.get(0, p / 32, p % 32) != tex.get(0, 0, 0));
                assert!(varies || palette.background == palette.texture);
            }
        }
    }

    #[test]
    fn every_class_covers_a_sensible_area_and_the_mask_matches() {
        for (class, name) in OBJECT_CLASSES.iter().enumerate() {
            let mut rng = stream(3, "t", class as u64);
            let palette = Palette::random(&mut rng);
            let (img, mask) = draw_object(class, 32, palette, BackgroundKind::Textured, &mut rng);
            let area = mask.iter().filter(|&&m| m == 1).count();
            assert!((40..700).contains(&area), "{name} area {area}");
            assert_eq!(img.pixels.len(), 3 * 32 * 32);
        }
    }
}
