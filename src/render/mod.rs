//! Pictures: a grid of samples, each as its two augmented views with its labels underneath
//! (here), the local-features picture (`local`) and line charts as SVG (`svg`). Pure Rust into
//! an RGB8 buffer; PNG encoding through the `image` crate.

mod chart;
pub mod font;
pub mod local;
pub mod series;
pub mod svg;

use crate::data::Dataset;
use crate::data::augment::Augment;
// One picture type for drawing and for the worker's messages. It is defined with the protocol,
// which stands below `render`; the drawing methods are here.
pub use crate::protocol::Picture;

/// Drawing on a picture.
impl Picture {
    pub fn new(width: usize, height: usize, fill: u8) -> Self {
        Self {
            width,
            height,
            rgb: vec![fill; width * height * 3],
        }
    }

    /// Draws a `[channels, h, w]` float view (grey or RGB; extra channels ignored) at (x, y),
    /// each pixel as a `scale × scale` block.
    #[allow(clippy::too_many_arguments)] // a view's shape and a placement: all plain numbers
    pub fn blit_view(
        &mut self,
        view: &[f32],
        channels: usize,
        h: usize,
        w: usize,
        x: usize,
        y: usize,
        scale: usize,
    ) {
        let plane = h * w;
        for py in 0..h * scale {
            for px in 0..w * scale {
                let (sy, sx) = (py / scale, px / scale);
                let (ty, tx) = (y + py, x + px);
                if ty >= self.height || tx >= self.width {
                    continue;
                }
                for k in 0..3 {
                    let ch = if channels >= 3 { k } else { 0 };
                    let v = view[ch * plane + sy * w + sx];
                    self.rgb[(ty * self.width + tx) * 3 + k] =
                        (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
                }
            }
        }
    }

    pub fn fill_rect(&mut self, x: usize, y: usize, w: usize, h: usize, colour: [u8; 3]) {
        for ty in y..(y + h).min(self.height) {
            for tx in x..(x + w).min(self.width) {
                self.rgb[(ty * self.width + tx) * 3..][..3].copy_from_slice(&colour);
            }
        }
    }

    pub fn text(&mut self, x: usize, y: usize, text: &str, colour: [u8; 3]) {
        font::draw_text(
            &mut self.rgb,
            self.width,
            self.height,
            x,
            y,
            text,
            1,
            colour,
        );
    }

    /// PNG bytes of this picture.
    pub fn to_png(&self) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::from_raw(self.width as u32, self.height as u32, self.rgb.clone())
            .expect("buffer matches size")
            .write_to(&mut out, image::ImageFormat::Png)
            .expect("PNG encoding into memory cannot fail");
        out.into_inner()
    }
}

/// The first `count` training samples of `ds`, each shown as two augmented views side by side
/// (drawn exactly as training step 0 would draw them), its labels below, and RandBit's bits
/// as a row of black/white squares.
pub fn sample_grid(
    ds: &Dataset,
    augment: &Augment,
    seed: u64,
    count: usize,
    columns: usize,
) -> Picture {
    let count = count.min(ds.train.len());
    let indices: Vec<usize> = (0..count).collect();
    let (a, b) = ds.two_views(&ds.train, &indices, augment, seed, 0);
    let (h, w) = (ds.height, ds.width);
    let scale = (64 / h.max(w)).max(1);
    let (vw, vh) = (w * scale, h * scale);
    let label_lines = ds.features.len() + usize::from(ds.bits > 0);
    let gap = 4;
    let cell_w = (2 * vw + gap).max(12 * font::ADVANCE) + 2 * gap;
    let cell_h = vh + 4 + label_lines * 10 + 2 * gap;
    let columns = columns.clamp(1, count.max(1));
    let rows = count.div_ceil(columns);
    let mut img = Picture::new(columns * cell_w, rows.max(1) * cell_h, 24);
    let per = a.channels * h * w;
    for i in 0..count {
        let (x, y) = ((i % columns) * cell_w + gap, (i / columns) * cell_h + gap);
        img.blit_view(
            &a.data[i * per..(i + 1) * per],
            ds.channels,
            h,
            w,
            x,
            y,
            scale,
        );
        img.blit_view(
            &b.data[i * per..(i + 1) * per],
            ds.channels,
            h,
            w,
            x + vw + gap,
            y,
            scale,
        );
        let mut ty = y + vh + 4;
        let sample = &ds.train[i];
        for (f, feature) in ds.features.iter().enumerate() {
            let text = format!(
                "{}:{}",
                short(&feature.name),
                feature.class_names[sample.labels[f]]
            );
            img.text(x, ty, &text, [230, 230, 230]);
            ty += 10;
        }
        if ds.bits > 0 {
            let sq = (cell_w - 2 * gap) / ds.bits.max(1);
            let sq = sq.clamp(2, 8);
            for bit in 0..ds.bits {
                let on = (sample.bits >> bit) & 1 == 1;
                img.fill_rect(
                    x + bit * sq,
                    ty,
                    sq - 1,
                    7,
                    if on { [255, 255, 255] } else { [70, 70, 70] },
                );
            }
        }
    }
    img
}

/// Feature names shortened to fit under a thumbnail.
fn short(name: &str) -> &str {
    match name {
        "fixed_digit" => "fixed",
        "varying_digit" => "vary",
        "background" => "bg",
        other => other,
    }
}
