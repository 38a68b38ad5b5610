//! Self-contained SVG widgets: line chart, scatter plot, heatmap. Each takes a signal of its
//! data and redraws when it changes.

use leptos::prelude::*;

/// One line of a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub colour: String,
    pub points: Vec<(f32, f32)>,
    /// Dashed lines mark references (chance levels, a pinned run).
    pub dashed: bool,
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
            dashed: false,
        }
    }

    pub fn dashed(mut self) -> Self {
        self.dashed = true;
        self
    }
}

/// Ten distinguishable colours (Tableau 10).
pub const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

const W: f32 = 360.0;
const H: f32 = 190.0;
const LEFT: f32 = 42.0;
const RIGHT: f32 = 8.0;
const TOP: f32 = 8.0;
const BOTTOM: f32 = 40.0;

/// An SVG number attribute.
fn n(v: f32) -> String {
    format!("{v:.1}")
}

fn fmt_tick(v: f32) -> String {
    if v.abs() >= 1000.0 {
        format!("{:.0}", v)
    } else if v.abs() >= 10.0 {
        format!("{:.1}", v)
    } else {
        format!("{:.2}", v)
    }
}

/// A line chart. `y_range` fixes the vertical axis (accuracies: 0..1); otherwise it fits the data.
#[component]
pub fn LineChart(
    /// DOM id of the SVG (PNG export uses it).
    id: &'static str,
    title: &'static str,
    series: Signal<Vec<Series>>,
    #[prop(optional)] y_range: Option<(f32, f32)>,
) -> impl IntoView {
    let body = move || {
        let series = series.get();
        let all: Vec<(f32, f32)> = series
            .iter()
            .flat_map(|s| s.points.iter().copied())
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .collect();
        let (mut x0, mut x1) = all
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (mut y0, mut y1) = y_range.unwrap_or_else(|| {
            all.iter()
                .fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)))
        });
        if all.is_empty() {
            (x0, x1) = (0.0, 1.0);
            if y_range.is_none() {
                (y0, y1) = (0.0, 1.0);
            }
        }
        if x1 <= x0 {
            x1 = x0 + 1.0;
        }
        if y1 <= y0 {
            y1 = y0 + 1.0;
        }
        let sx = move |x: f32| LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT);
        let sy = move |y: f32| TOP + (1.0 - (y - y0) / (y1 - y0)) * (H - TOP - BOTTOM);
        let lines = series
            .iter()
            .map(|s| {
                let d: String = s
                    .points
                    .iter()
                    .filter(|p| p.0.is_finite() && p.1.is_finite())
                    .enumerate()
                    .map(|(i, p)| format!("{}{:.1},{:.1}", if i == 0 { "M" } else { "L" }, sx(p.0), sy(p.1)))
                    .collect();
                let dash = if s.dashed { "5,4" } else { "" };
                view! { <path d=d fill="none" stroke=s.colour.clone() stroke-width="1.8" stroke-dasharray=dash /> }
            })
            .collect_view();
        let legend = series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let x = LEFT + (i % 3) as f32 * 105.0;
                let y = H - 18.0 + (i / 3) as f32 * 11.0;
                view! {
                    <rect x=n(x) y=n(y - 7.0) width="10" height="3" fill=s.colour.clone() />
                    <text x=n(x + 13.0) y=n(y) font-size="9" fill="#333">{s.name.clone()}</text>
                }
            })
            .collect_view();
        view! {
            <line x1=n(LEFT) y1=n(TOP) x2=n(LEFT) y2=n(H - BOTTOM) stroke="#999" />
            <line x1=n(LEFT) y1=n(H - BOTTOM) x2=n(W - RIGHT) y2=n(H - BOTTOM) stroke="#999" />
            <text x=n(LEFT - 4.0) y=n(TOP + 8.0) font-size="9" text-anchor="end" fill="#555">{fmt_tick(y1)}</text>
            <text x=n(LEFT - 4.0) y=n(H - BOTTOM) font-size="9" text-anchor="end" fill="#555">{fmt_tick(y0)}</text>
            <text x=n(LEFT) y=n(H - BOTTOM + 11.0) font-size="9" fill="#555">{fmt_tick(x0)}</text>
            <text x=n(W - RIGHT) y=n(H - BOTTOM + 11.0) font-size="9" text-anchor="end" fill="#555">{fmt_tick(x1)}</text>
            {lines}
            {legend}
        }
    };
    let point_count = move || {
        series
            .with(|s| s.iter().map(|s| s.points.len()).sum::<usize>())
            .to_string()
    };
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg id=id xmlns="http://www.w3.org/2000/svg" viewBox=format!("0 0 {W} {H}") width=n(W) height=n(H)
                data-points=point_count>
                {body}
            </svg>
        </figure>
    }
}

/// A scatter plot of 2-D points coloured by a class label.
#[component]
pub fn Scatter(id: &'static str, points: Signal<Vec<([f32; 2], usize)>>) -> impl IntoView {
    let body = move || {
        let points = points.get();
        let (mut lo, mut hi) = ([f32::MAX; 2], [f32::MIN; 2]);
        for (p, _) in &points {
            for k in 0..2 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        let s = 220.0;
        let scale = |v: f32, k: usize| {
            if hi[k] > lo[k] {
                6.0 + (v - lo[k]) / (hi[k] - lo[k]) * (s - 12.0)
            } else {
                s / 2.0
            }
        };
        points
            .iter()
            .map(|(p, c)| view! { <circle cx=n(scale(p[0], 0)) cy=n(s - scale(p[1], 1)) r="2.2" fill=colour(*c) fill-opacity="0.8" /> })
            .collect_view()
    };
    view! { <svg id=id xmlns="http://www.w3.org/2000/svg" viewBox="0 0 220 220" width="220" height="220" class="scatter">{body}</svg> }
}

/// An `n × n` heatmap of values in [-1, 1] (blue negative, red positive).
#[component]
pub fn Heatmap(id: &'static str, values: Signal<Vec<f32>>) -> impl IntoView {
    let body = move || {
        let v = values.get();
        let side = (v.len() as f32).sqrt() as usize;
        if side == 0 {
            return ().into_any();
        }
        let cell = 220.0 / side as f32;
        (0..side * side)
            .map(|i| {
                let x = v[i].clamp(-1.0, 1.0);
                let (r, g, b) = if x >= 0.0 {
                    (255.0, 255.0 * (1.0 - x), 255.0 * (1.0 - x))
                } else {
                    (255.0 * (1.0 + x), 255.0 * (1.0 + x), 255.0)
                };
                let fill = format!("rgb({:.0},{:.0},{:.0})", r, g, b);
                view! { <rect x=n((i % side) as f32 * cell) y=n((i / side) as f32 * cell) width=n(cell + 0.3) height=n(cell + 0.3) fill=fill /> }
            })
            .collect_view()
            .into_any()
    };
    view! { <svg id=id xmlns="http://www.w3.org/2000/svg" viewBox="0 0 220 220" width="220" height="220" class="heatmap">{body}</svg> }
}
