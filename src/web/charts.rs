//! Self-contained SVG widgets: line chart, scatter plot, heatmap. Each takes a signal of its
//! data and redraws when it changes.

use leptos::prelude::*;

pub use crate::render::svg::{Axes, Series, colour};
use crate::render::svg::{HEIGHT, WIDTH, line_chart_body};

fn n(v: f32) -> String {
    format!("{v:.1}")
}

/// A line chart. `y_range` fixes the vertical axis (accuracies: 0..1); otherwise it fits the
/// data. `axes` adds category labels and markers (the sweep's effect chart).
#[component]
pub fn LineChart(
    /// DOM id of the SVG (PNG export uses it).
    id: &'static str,
    title: &'static str,
    series: Signal<Vec<Series>>,
    #[prop(optional)] y_range: Option<(f32, f32)>,
    #[prop(optional, into)] axes: Option<Signal<Axes>>,
) -> impl IntoView {
    let body = move || {
        let mut a = axes.map(|a| a.get()).unwrap_or_default();
        a.y_range = a.y_range.or(y_range);
        series.with(|s| line_chart_body(s, &a))
    };
    let point_count = move || {
        series
            .with(|s| {
                s.iter()
                    .filter(|s| !s.dashed)
                    .map(|s| s.points.len())
                    .sum::<usize>()
            })
            .to_string()
    };
    view! {
        <figure class="chart">
            <figcaption>{title}</figcaption>
            <svg id=id xmlns="http://www.w3.org/2000/svg" viewBox=format!("0 0 {WIDTH} {HEIGHT}") width=n(WIDTH) height=n(HEIGHT)
                data-points=point_count inner_html=body>
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
