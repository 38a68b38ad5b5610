//! Tiny built-in 5×7 bitmap font for drawing short labels into RGB8 buffers.

/// Glyph width in pixels (before scaling).
pub const GLYPH_W: usize = 5;
/// Glyph height in pixels (before scaling).
pub const GLYPH_H: usize = 7;
/// Horizontal advance per character in pixels (glyph plus 1 px spacing).
pub const ADVANCE: usize = 6;

/// Glyph drawn for characters the font does not cover.
const UNKNOWN: [u8; 7] = [0x00, 0x0E, 0x0E, 0x0E, 0x0E, 0x0E, 0x00];

/// Rows of a supported glyph (low 5 bits, bit 4 = leftmost), or `None`.
/// Lowercase letters map to uppercase glyphs.
fn lookup(c: char) -> Option<[u8; 7]> {
    Some(match c.to_ascii_uppercase() {
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        'A' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'Q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'X' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        ' ' => [0x00; 7],
        ':' => [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00],
        '=' => [0x00, 0x00, 0x1F, 0x00, 0x1F, 0x00, 0x00],
        '-' => [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        '.' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        '_' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F],
        '/' => [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00],
        ',' => [0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08],
        '(' => [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
        ')' => [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        '%' => [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
        '+' => [0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00],
        '#' => [0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A],
        '?' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04],
        '\'' => [0x0C, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00],
        '<' => [0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02],
        '>' => [0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08],
        _ => return None,
    })
}

/// Rows of the glyph for `c` (unknown characters give a small filled box).
pub fn glyph(c: char) -> [u8; 7] {
    lookup(c).unwrap_or(UNKNOWN)
}

/// Pixel width of `text` at integer `scale`, without trailing spacing.
pub fn text_width(text: &str, scale: usize) -> usize {
    match text.chars().count() {
        0 => 0,
        n => (n * ADVANCE - 1).saturating_mul(scale),
    }
}

/// Draws `text` with its top-left corner at (`x`, `y`) into an interleaved
/// RGB8 buffer of `img_w`×`img_h`, scaling each font pixel to `scale`×`scale`.
/// Anything outside the image (or the buffer) is clipped silently.
#[allow(clippy::too_many_arguments)]
pub fn draw_text(
    rgb: &mut [u8],
    img_w: usize,
    img_h: usize,
    x: usize,
    y: usize,
    text: &str,
    scale: usize,
    color: [u8; 3],
) {
    if scale == 0 {
        return;
    }
    for (i, c) in text.chars().enumerate() {
        let gx = x.saturating_add(i.saturating_mul(ADVANCE.saturating_mul(scale)));
        if gx >= img_w {
            break;
        }
        for (row, bits) in glyph(c).iter().enumerate() {
            let y0 = y.saturating_add(row.saturating_mul(scale));
            let y1 = y0.saturating_add(scale).min(img_h);
            for col in 0..GLYPH_W {
                if bits & (0x10 >> col) == 0 {
                    continue;
                }
                let x0 = gx.saturating_add(col.saturating_mul(scale));
                let x1 = x0.saturating_add(scale).min(img_w);
                for py in y0..y1 {
                    for px in x0..x1 {
                        let idx = py
                            .checked_mul(img_w)
                            .and_then(|v| v.checked_add(px))
                            .and_then(|v| v.checked_mul(3));
                        if let Some(p) = idx.and_then(|i| rgb.get_mut(i..i.checked_add(3)?)) {
                            p.copy_from_slice(&color);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUPPORTED: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ :=-._/,()%+#?'<>";

    fn render(text: &str, scale: usize, w: usize, h: usize) -> Vec<u8> {
        let mut buf = vec![0u8; w * h * 3];
        draw_text(&mut buf, w, h, 2, 3, text, scale, [255, 255, 255]);
        buf
    }

    #[test]
    fn width_arithmetic() {
        assert_eq!(text_width("", 3), 0);
        assert_eq!(text_width("A", 1), GLYPH_W);
        assert_eq!(text_width("AB", 1), ADVANCE + GLYPH_W);
        assert_eq!(text_width("abc", 2), (3 * ADVANCE - 1) * 2);
        assert_eq!(text_width("abc", 0), 0);
    }

    #[test]
    fn zero_draws_inside_glyph_box_only() {
        let (w, h, s) = (20, 20, 2);
        let buf = render("0", s, w, h);
        let mut lit = 0;
        for py in 0..h {
            for px in 0..w {
                if buf[(py * w + px) * 3] != 0 {
                    lit += 1;
                    assert!((2..2 + GLYPH_W * s).contains(&px), "x {px}");
                    assert!((3..3 + GLYPH_H * s).contains(&py), "y {py}");
                }
            }
        }
        assert!(lit > 0);
    }

    #[test]
    fn clipping_never_panics() {
        let mut buf = vec![0u8; 8 * 6 * 3];
        for &(x, y) in &[
            (0, 0),
            (5, 4),
            (7, 5),
            (8, 6),
            (100, 0),
            (usize::MAX, usize::MAX),
        ] {
            draw_text(&mut buf, 8, 6, x, y, "Hello #?", 3, [1, 2, 3]);
        }
        draw_text(&mut buf, 8, 6, 0, 0, "X", usize::MAX, [1, 2, 3]);
        draw_text(&mut [0u8; 5], 8, 6, 0, 0, "WIDE", 1, [1, 2, 3]);
        draw_text(&mut [], 0, 0, 0, 0, "A", 1, [1, 2, 3]);
        assert!(buf.iter().any(|&v| v != 0));
    }

    #[test]
    fn supported_glyphs_non_empty() {
        for c in SUPPORTED.chars() {
            assert!(lookup(c).is_some(), "{c:?} unsupported");
            let g = glyph(c);
            assert!(g.iter().all(|r| r & !0x1F == 0), "{c:?} too wide");
            assert_eq!(c == ' ', g.iter().all(|&r| r == 0), "{c:?}");
        }
        assert_eq!(glyph('~'), UNKNOWN);
        assert_eq!(glyph('é'), UNKNOWN);
    }

    #[test]
    fn case_insensitive() {
        let upper = render("STEP 12 CFG=7.5", 2, 200, 20);
        let lower = render("step 12 cfg=7.5", 2, 200, 20);
        assert_eq!(upper, lower);
    }
}
