//! Anti-aliased drawing into coverage masks: thick polylines (digits) and signed-distance
//! shapes (objects). Coverage is `f32` in [0, 1], one value per pixel, row-major.
//! Only `+ - * /`, `sqrt` and `libm` are used, so every platform draws the same bits.

/// A point in pixel coordinates (x right, y down; pixel centres at +0.5).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct P {
    pub x: f32,
    pub y: f32,
}

pub const fn p(x: f32, y: f32) -> P {
    P { x, y }
}

/// Distance from `q` to segment `a`–`b`.
fn segment_distance(q: P, a: P, b: P) -> f32 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((q.x - a.x) * dx + (q.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (q.x - (a.x + t * dx), q.y - (a.y + t * dy));
    (ex * ex + ey * ey).sqrt()
}

/// Strokes a polyline of width `thickness` into `coverage` (`w*h`), keeping the max.
/// Only the pixels in each segment's bounding box are visited.
pub fn stroke(coverage: &mut [f32], w: usize, h: usize, points: &[P], thickness: f32) {
    let r = thickness / 2.0;
    for seg in points.windows(2) {
        let (a, b) = (seg[0], seg[1]);
        let x0 = (a.x.min(b.x) - r - 1.0).floor().max(0.0) as usize;
        let y0 = (a.y.min(b.y) - r - 1.0).floor().max(0.0) as usize;
        let x1 = ((a.x.max(b.x) + r + 1.0).ceil().max(0.0) as usize).min(w);
        let y1 = ((a.y.max(b.y) + r + 1.0).ceil().max(0.0) as usize).min(h);
        for y in y0..y1 {
            for x in x0..x1 {
                let d = segment_distance(p(x as f32 + 0.5, y as f32 + 0.5), a, b);
                let c = (r + 0.5 - d).clamp(0.0, 1.0);
                let cell = &mut coverage[y * w + x];
                if c > *cell {
                    *cell = c;
                }
            }
        }
    }
}

/// Fills the region where `sdf(x, y) < 0` (pixel units) with a one-pixel anti-aliased edge.
/// Only pixels within `radius` (+ 2) of `centre` are visited: the shape must lie inside.
pub fn fill_sdf(
    coverage: &mut [f32],
    w: usize,
    h: usize,
    centre: P,
    radius: f32,
    sdf: impl Fn(f32, f32) -> f32,
) {
    let lo = |c: f32| (c - radius - 2.0).floor().max(0.0) as usize;
    let hi = |c: f32, n: usize| ((c + radius + 2.0).ceil().max(0.0) as usize).min(n);
    for y in lo(centre.y)..hi(centre.y, h) {
        for x in lo(centre.x)..hi(centre.x, w) {
            let c = (0.5 - sdf(x as f32 + 0.5, y as f32 + 0.5)).clamp(0.0, 1.0);
            let cell = &mut coverage[y * w + x];
            if c > *cell {
                *cell = c;
            }
        }
    }
}

/// Points on an ellipse arc from angle `a0` to `a1` (degrees; 0 = right, 90 = down).
pub fn arc(cx: f32, cy: f32, rx: f32, ry: f32, a0: f32, a1: f32, segments: usize) -> Vec<P> {
    (0..=segments)
        .map(|i| {
            let a = (a0 + (a1 - a0) * i as f32 / segments as f32).to_radians();
            p(cx + rx * libm::cosf(a), cy + ry * libm::sinf(a))
        })
        .collect()
}

/// Signed distance to a convex polygon given counter- or clockwise (negative inside).
pub fn polygon_sdf(q: P, vertices: &[P]) -> f32 {
    let n = vertices.len();
    let mut d = f32::INFINITY;
    let mut inside = false;
    for i in 0..n {
        let (a, b) = (vertices[i], vertices[(i + 1) % n]);
        d = d.min(segment_distance(q, a, b));
        // Even-odd crossing test.
        if (a.y > q.y) != (b.y > q.y) && q.x < a.x + (q.y - a.y) * (b.x - a.x) / (b.y - a.y) {
            inside = !inside;
        }
    }
    if inside { -d } else { d }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stroke_covers_its_line_and_nothing_far_away() {
        let (w, h) = (16, 16);
        let mut c = vec![0.0; w * h];
        stroke(&mut c, w, h, &[p(2.0, 8.0), p(14.0, 8.0)], 2.0);
        assert_eq!(c[7 * w + 8], 1.0);
        assert_eq!(c[2 * w + 8], 0.0);
        assert_eq!(c[8 * w], 0.0);
    }

    #[test]
    fn polygon_sdf_sign() {
        let square = [p(0.0, 0.0), p(4.0, 0.0), p(4.0, 4.0), p(0.0, 4.0)];
        assert!((polygon_sdf(p(2.0, 2.0), &square) + 2.0).abs() < 1e-6);
        assert!((polygon_sdf(p(6.0, 2.0), &square) - 2.0).abs() < 1e-6);
    }
}
