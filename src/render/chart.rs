//! What a line chart is made of before it becomes SVG text: its series and axes, the plot's
//! size and margins, the frame that maps data to pixels, "nice" ticks, and the legend's
//! wrapping. Plain numbers; `svg` writes the text and re-exports the public items.

/// Ten distinguishable colours (Tableau 10).
pub const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// How a line is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stroke {
    /// Measured values.
    #[default]
    Solid,
    /// Chance levels and pinned runs.
    Dashed,
    /// Values at initialisation and published reference numbers.
    Dotted,
}

/// Where a line sits when a figure holds two sets of runs: a reference and a visitor's own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layer {
    /// The only runs on the chart.
    #[default]
    Plain,
    /// A reference with others' runs over it: paler, without markers.
    Under,
    /// Runs drawn over a reference: a heavier line, markers ringed.
    Over,
}

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub colour: String,
    pub points: Vec<(f32, f32)>,
    pub stroke: Stroke,
    /// ± this much around each point (one per point), drawn as a band and error bars; empty
    /// for none.
    pub spread: Vec<f32>,
    pub layer: Layer,
}

impl Series {
    pub fn new(
        name: impl Into<String>,
        colour: impl Into<String>,
        points: Vec<(f32, f32)>,
    ) -> Self {
        Self {
            name: name.into(),
            colour: colour.into(),
            points,
            stroke: Stroke::Solid,
            spread: Vec::new(),
            layer: Layer::Plain,
        }
    }

    /// The line as a reference under others' runs.
    pub fn under(self) -> Self {
        Self {
            layer: Layer::Under,
            ..self
        }
    }

    /// The line as runs over a reference.
    pub fn over(self) -> Self {
        Self {
            layer: Layer::Over,
            ..self
        }
    }

    pub fn dashed(self) -> Self {
        Self {
            stroke: Stroke::Dashed,
            ..self
        }
    }

    pub fn dotted(self) -> Self {
        Self {
            stroke: Stroke::Dotted,
            ..self
        }
    }

    pub fn with_spread(self, spread: Vec<f32>) -> Self {
        Self { spread, ..self }
    }

    /// Reference lines (chance, init, pinned, published, a reference under others' runs) get
    /// no markers of their own.
    pub fn is_reference(&self) -> bool {
        self.stroke != Stroke::Solid || self.layer == Layer::Under
    }
}

/// How a chart is laid out beyond its lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Axes {
    /// Fixed vertical range (accuracies: 0..1); otherwise fitted to the data.
    pub y_range: Option<(f32, f32)>,
    /// Names of x = 0, 1, 2, ... for a categorical axis.
    pub x_labels: Option<Vec<String>>,
    pub x_title: String,
    pub y_title: String,
    /// Dots at every point (few points, as in a sweep).
    pub markers: bool,
}

pub const WIDTH: f32 = 380.0;
/// Height of the plot area's frame (axes, ticks and titles, without the legend).
pub(super) const PLOT_HEIGHT: f32 = 170.0;
pub(super) const LEFT: f32 = 50.0;
pub(super) const RIGHT: f32 = 12.0;
pub(super) const TOP: f32 = 8.0;
/// Tick labels and the x title below the plot.
pub(super) const BOTTOM: f32 = 34.0;
pub(super) const LEGEND_ROW: f32 = 13.0;
pub(super) const FONT: f32 = 10.0;
/// Average advance of a character at `FONT`, to lay the legend out without measuring text.
const CHAR: f32 = 5.6;

/// The data-to-pixel mapping of a drawn chart, for read-outs under the cursor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    pub x0: f32,
    pub x1: f32,
    pub y0: f32,
    pub y1: f32,
}

impl Frame {
    pub fn px(&self, x: f32) -> f32 {
        LEFT + (x - self.x0) / (self.x1 - self.x0) * (WIDTH - LEFT - RIGHT)
    }

    pub fn py(&self, y: f32) -> f32 {
        TOP + (1.0 - (y - self.y0) / (self.y1 - self.y0)) * (PLOT_HEIGHT - TOP - BOTTOM)
    }

    /// The data x under pixel column `px`.
    pub fn x_at(&self, px: f32) -> f32 {
        self.x0 + (px - LEFT) / (WIDTH - LEFT - RIGHT) * (self.x1 - self.x0)
    }
}

/// "Nice" tick positions covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about `count` of them.
pub fn nice_ticks(lo: f32, hi: f32, count: usize) -> Vec<f32> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / count.max(1) as f32;
    let magnitude = 10f32.powf(raw.log10().floor());
    // The 1-2-5 step whose tick count comes closest to `count`.
    let ticks_for = |step: f32| (hi - lo) / step;
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .min_by(|a, b| {
            (ticks_for(*a) - count as f32)
                .abs()
                .total_cmp(&(ticks_for(*b) - count as f32).abs())
        })
        .unwrap_or(magnitude);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-4).floor() as i64;
    (first..=last).map(|k| k as f32 * step).collect()
}

/// A tick label with as many decimals as the tick step needs, at most nine (an f32 holds
/// about seven significant digits; a flat series can give a vanishing step).
pub(super) fn tick_label(v: f32, step: f32) -> String {
    let decimals = if step >= 1.0 || step.is_nan() || step <= 0.0 {
        0
    } else {
        ((-step.log10().floor()) as usize).min(9)
    };
    let text = format!("{v:.decimals$}");
    if text.starts_with("-0") && text.trim_start_matches(['-', '0', '.']).is_empty() {
        text[1..].to_string()
    } else {
        text
    }
}

/// The ranges the data needs (with the fixed y range, categorical x, and a little headroom).
pub(super) fn frame(series: &[Series], axes: &Axes) -> Frame {
    let finite = |p: &&(f32, f32)| p.0.is_finite() && p.1.is_finite();
    let mut xs = (f32::MAX, f32::MIN);
    let mut ys = (f32::MAX, f32::MIN);
    for s in series {
        for (i, p) in s.points.iter().enumerate().filter(|(_, p)| finite(p)) {
            let sd = s
                .spread
                .get(i)
                .copied()
                .filter(|v| v.is_finite())
                .unwrap_or(0.0);
            xs = (xs.0.min(p.0), xs.1.max(p.0));
            ys = (ys.0.min(p.1 - sd), ys.1.max(p.1 + sd));
        }
    }
    let (mut x0, mut x1) = if xs.0 > xs.1 { (0.0, 1.0) } else { xs };
    if let Some(labels) = &axes.x_labels {
        (x0, x1) = (0.0, labels.len().saturating_sub(1) as f32);
    }
    if x1 <= x0 {
        (x0, x1) = (x0 - 0.5, x0 + 0.5);
    }
    let (mut y0, mut y1) = match axes.y_range {
        Some(r) => r,
        None if ys.0 > ys.1 => (0.0, 1.0),
        None => {
            let pad = ((ys.1 - ys.0) * 0.05).max(1e-6);
            let ticks = nice_ticks(ys.0 - pad, ys.1 + pad, 5);
            let step = ticks.get(1).map_or(1.0, |t| t - ticks[0]);
            (
                (ys.0 / step).floor() * step,
                ((ys.1 / step).ceil() * step).max(ys.0 + step),
            )
        }
    };
    if y1 <= y0 {
        (y0, y1) = (y0 - 0.5, y0 + 0.5);
    }
    Frame { x0, x1, y0, y1 }
}

/// Legend entries laid out left to right, wrapping: (series index, x, row).
pub(super) fn legend_layout(series: &[Series]) -> Vec<(usize, f32, usize)> {
    let mut out = Vec::new();
    let (mut x, mut row) = (LEFT, 0);
    for (i, s) in series.iter().enumerate() {
        let w = 18.0 + s.name.chars().count() as f32 * CHAR + 10.0;
        if x > LEFT && x + w > WIDTH - 4.0 {
            (x, row) = (LEFT, row + 1);
        }
        out.push((i, x, row));
        x += w;
    }
    out
}
