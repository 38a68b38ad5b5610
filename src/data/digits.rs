//! Synthetic handwritten digits: MNIST-like 28×28 grey images drawn as strokes with random
//! thickness, slant, scale, rotation, position and wobble.

use super::image::Image;
use super::raster::{P, arc, p, stroke};
use crate::rng::SeededRng;

/// MNIST's side.
pub const DIGIT_SIDE: usize = 28;

/// The strokes of each digit in a unit box (x right, y down), before any jitter.
fn skeleton(digit: usize) -> Vec<Vec<P>> {
    match digit {
        0 => vec![arc(0.5, 0.5, 0.27, 0.42, 0.0, 360.0, 24)],
        1 => vec![vec![p(0.36, 0.22), p(0.54, 0.08), p(0.54, 0.92)]],
        2 => {
            let mut s = arc(0.5, 0.31, 0.25, 0.23, 170.0, 380.0, 14);
            s.extend([p(0.22, 0.92), p(0.8, 0.92)]);
            vec![s]
        }
        3 => {
            let mut s = arc(0.5, 0.3, 0.22, 0.2, 195.0, 450.0, 14);
            s.extend(arc(0.5, 0.7, 0.26, 0.22, 270.0, 520.0, 14));
            vec![s]
        }
        4 => vec![vec![
            p(0.64, 0.92),
            p(0.64, 0.08),
            p(0.2, 0.66),
            p(0.84, 0.66),
        ]],
        5 => {
            let mut s = vec![p(0.76, 0.09), p(0.34, 0.09), p(0.3, 0.46)];
            s.extend(arc(0.5, 0.66, 0.27, 0.25, 225.0, 490.0, 14));
            vec![s]
        }
        6 => vec![
            vec![p(0.72, 0.1), p(0.52, 0.2), p(0.36, 0.4), p(0.28, 0.68)],
            arc(0.5, 0.68, 0.22, 0.23, 0.0, 360.0, 20),
        ],
        7 => vec![vec![p(0.2, 0.1), p(0.8, 0.1), p(0.42, 0.92)]],
        8 => vec![
            arc(0.5, 0.29, 0.19, 0.19, 0.0, 360.0, 18),
            arc(0.5, 0.7, 0.24, 0.22, 0.0, 360.0, 20),
        ],
        9 => vec![
            arc(0.5, 0.32, 0.22, 0.23, 0.0, 360.0, 20),
            vec![p(0.72, 0.32), p(0.7, 0.6), p(0.6, 0.92)],
        ],
        _ => panic!("digit {digit} is not 0-9"),
    }
}

/// Draws `digit` with fresh random style onto a `side × side` grey image.
pub fn draw_digit(digit: usize, side: usize, rng: &mut SeededRng) -> Image {
    let s = side as f32 / DIGIT_SIDE as f32;
    let height = rng.range(17.0, 22.0) * s; // MNIST digits are ~20 px tall in a 28 px box
    let width = height * rng.range(0.62, 0.82);
    let slant = rng.range(-0.3, 0.3);
    let angle = rng.range(-12.0, 12.0).to_radians();
    let (sin, cos) = (libm::sinf(angle), libm::cosf(angle));
    let cx = side as f32 / 2.0 + rng.range(-2.0, 2.0) * s;
    let cy = side as f32 / 2.0 + rng.range(-1.5, 1.5) * s;
    // At least 1.4 px, so small digits stay legible instead of fading into sub-pixel strokes.
    let thickness = (rng.range(1.5, 3.2) * s).max(1.4);
    let wobble = 0.03;

    let mut coverage = vec![0.0f32; side * side];
    for line in skeleton(digit) {
        let points: Vec<P> = line
            .iter()
            .map(|q| {
                let u = q.x - 0.5 + wobble * rng.normal();
                let v = q.y - 0.5 + wobble * rng.normal();
                let (x, y) = ((u - slant * v) * width, v * height);
                p(cx + cos * x - sin * y, cy + sin * x + cos * y)
            })
            .collect();
        stroke(&mut coverage, side, side, &points, thickness);
    }
    let pixels = coverage.iter().map(|c| (c * 255.0 + 0.5) as u8).collect();
    Image::from_pixels(1, side, side, pixels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    #[test]
    fn every_digit_draws_ink_inside_the_box() {
        for d in 0..10 {
            let img = draw_digit(d, DIGIT_SIDE, &mut stream(0, "test", d as u64));
            let ink: u32 = img.pixels.iter().map(|&v| v as u32).sum();
            assert!(ink > 255 * 25, "digit {d} has too little ink");
            // The border rows stay (nearly) empty: the digit is centred like MNIST's.
            let top: u32 = (0..DIGIT_SIDE).map(|x| img.get(0, 0, x) as u32).sum();
            assert!(top < 255, "digit {d} touches the top edge");
        }
    }
}
