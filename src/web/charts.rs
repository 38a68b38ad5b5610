//! Self-contained SVG widgets: line chart (with a read-out of the values under the cursor or
//! the keyboard), scatter plot with axes and legend, heatmap with its colour scale. Each takes
//! a signal of its data, redraws when it changes, has `role="img"` with a text summary, a
//! one-line "how to read this" caption, and SVG / PNG export.

use leptos::prelude::*;

use super::dom;
pub use crate::render::svg::{Axes, Series, colour};
use crate::render::svg::{WIDTH, escape, line_chart};

fn n(v: f32) -> String {
    format!("{v:.1}")
}

/// A text summary of a chart's lines for screen readers: each line's last value.
fn summary(title: &str, series: &[Series]) -> String {
    let last: Vec<String> = series
        .iter()
        .filter(|s| !s.is_reference())
        .filter_map(|s| s.points.last().map(|p| format!("{} {:.3}", s.name, p.1)))
        .collect();
    if last.is_empty() {
        format!("{title}: no data yet")
    } else {
        format!("{title}; latest values: {}", last.join(", "))
    }
}

/// The values of every line at the point nearest to data-x `x`.
fn read_out(series: &[Series], x: f32, x_labels: Option<&[String]>) -> String {
    let mut parts = Vec::new();
    let mut at = None;
    for s in series {
        let nearest = s
            .points
            .iter()
            .filter(|p| p.1.is_finite())
            .min_by(|a, b| (a.0 - x).abs().total_cmp(&(b.0 - x).abs()));
        if let Some(p) = nearest {
            at.get_or_insert(p.0);
            let spread = s
                .points
                .iter()
                .position(|q| q == p)
                .and_then(|i| s.spread.get(i))
                .filter(|sd| **sd > 0.0)
                .map_or(String::new(), |sd| format!(" ± {sd:.3}"));
            parts.push(format!("{} {:.3}{spread}", s.name, p.1));
        }
    }
    let Some(x) = at else {
        return String::new();
    };
    let x = match x_labels {
        Some(labels) => labels.get(x.round() as usize).cloned().unwrap_or_default(),
        None => format!("{x}"),
    };
    format!("at {x}: {}", parts.join(" · "))
}

/// Export buttons for the SVG with `id`.
#[component]
fn Export(id: &'static str) -> impl IntoView {
    view! {
        <span class="export">
            <button type="button" class="small" aria-label=format!("Download {id} as SVG")
                on:click=move |_| dom::download_svg(id, &format!("{id}.svg"))>"SVG"</button>
            <button type="button" class="small" aria-label=format!("Download {id} as PNG")
                on:click=move |_| dom::svg_to_png(id, &format!("{id}.png"))>"PNG"</button>
        </span>
    }
}

/// A line chart. `y_range` fixes the vertical axis (accuracies: 0..1); otherwise it fits the
/// data. `axes` adds category labels, titles and markers.
#[component]
pub fn LineChart(
    /// DOM id of the SVG (exports use it).
    id: &'static str,
    title: &'static str,
    /// One line: how to read this chart.
    caption: &'static str,
    series: Signal<Vec<Series>>,
    #[prop(optional)] y_range: Option<(f32, f32)>,
    #[prop(optional)] x_title: Option<&'static str>,
    #[prop(optional)] y_title: Option<&'static str>,
    #[prop(optional, into)] axes: Option<Signal<Axes>>,
) -> impl IntoView {
    let layout = move || {
        let mut a = axes.map(|a| a.get()).unwrap_or_default();
        a.y_range = a.y_range.or(y_range);
        if let Some(t) = x_title {
            a.x_title = t.into();
        }
        if let Some(t) = y_title {
            a.y_title = t.into();
        }
        a
    };
    let chart = Memo::new(move |_| series.with(|s| line_chart(s, &layout())));
    let hover = RwSignal::new(None::<String>);
    // The keyboard moves the read-out point by point.
    let cursor = RwSignal::new(None::<f32>);
    let point_count = move || {
        series
            .with(|s| {
                s.iter()
                    .filter(|s| !s.is_reference())
                    .map(|s| s.points.len())
                    .sum::<usize>()
            })
            .to_string()
    };
    let on_move = move |ev: web_sys::MouseEvent| {
        let Some(px) = dom::svg_x(&ev, id, WIDTH) else {
            return;
        };
        let x = chart.with(|c| c.frame.x_at(px));
        let labels = layout().x_labels;
        hover.set(Some(series.with(|s| read_out(s, x, labels.as_deref()))));
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let xs: Vec<f32> = series.with(|s| {
            let mut xs: Vec<f32> = s
                .iter()
                .flat_map(|s| s.points.iter().map(|p| p.0))
                .collect();
            xs.sort_by(f32::total_cmp);
            xs.dedup();
            xs
        });
        if xs.is_empty() {
            return;
        }
        let i = cursor
            .get_untracked()
            .and_then(|c| xs.iter().position(|&x| x == c));
        let next = match (ev.key().as_str(), i) {
            ("ArrowRight", Some(i)) => xs[(i + 1).min(xs.len() - 1)],
            ("ArrowLeft", Some(i)) => xs[i.saturating_sub(1)],
            ("ArrowRight" | "ArrowLeft", None) => xs[xs.len() - 1],
            _ => return,
        };
        ev.prevent_default();
        cursor.set(Some(next));
        let labels = layout().x_labels;
        hover.set(Some(series.with(|s| read_out(s, next, labels.as_deref()))));
    };
    view! {
        <figure class="chart">
            <figcaption>
                <span class="chart-title">{title}</span>
                <Export id=id />
                <span class="caption">{caption}</span>
            </figcaption>
            <svg id=id xmlns="http://www.w3.org/2000/svg" role="img" tabindex="0"
                aria-label=move || series.with(|s| summary(title, s))
                viewBox=move || format!("0 0 {WIDTH} {}", n(chart.with(|c| c.height)))
                data-points=point_count inner_html=move || chart.with(|c| c.body.clone())
                on:mousemove=on_move on:mouseleave=move |_| hover.set(None)
                on:keydown=on_key on:blur=move |_| hover.set(None)>
            </svg>
            <p class="readout" aria-live="polite">{move || hover.get().unwrap_or_default()}</p>
        </figure>
    }
}

/// A scatter plot of 2-D points coloured by a class label, with axes and a legend of classes.
#[component]
pub fn Scatter(
    id: &'static str,
    caption: &'static str,
    points: Signal<Vec<([f32; 2], usize)>>,
    /// Class names for the legend.
    classes: Signal<Vec<String>>,
) -> impl IntoView {
    let (w, h, pad) = (260.0f32, 240.0f32, 22.0f32);
    let body = move || {
        let points = points.get();
        let (mut lo, mut hi) = ([f32::MAX; 2], [f32::MIN; 2]);
        for (p, _) in &points {
            for k in 0..2 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        let scale = |v: f32, k: usize, len: f32| {
            if hi[k] > lo[k] {
                pad + (v - lo[k]) / (hi[k] - lo[k]) * (len - 2.0 * pad)
            } else {
                len / 2.0
            }
        };
        let mut out = format!(
            r##"<path d="M{p},{t}V{b}H{r}" fill="none" stroke="currentColor" stroke-opacity="0.5"/><text x="{cx}" y="{ty}" font-size="10" text-anchor="middle" fill="currentColor">principal component 1</text><text x="9" y="{cy}" font-size="10" text-anchor="middle" fill="currentColor" transform="rotate(-90 9 {cy})">component 2</text>"##,
            p = n(pad),
            t = n(4.0),
            b = n(h - pad),
            r = n(w - 4.0),
            cx = n(w / 2.0),
            ty = n(h - 6.0),
            cy = n(h / 2.0)
        );
        for (p, c) in &points {
            out.push_str(&format!(
                r#"<circle cx="{}" cy="{}" r="2.2" fill="{}" fill-opacity="0.8"/>"#,
                n(scale(p[0], 0, w)),
                n(h - scale(p[1], 1, h)),
                colour(*c)
            ));
        }
        out
    };
    let legend = move || {
        let names = classes.get();
        names
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                view! { <span class="key"><span class="swatch" style=format!("background:{}", colour(i))></span>{name}</span> }
            })
            .collect_view()
    };
    view! {
        <figure class="chart">
            <figcaption><span class="chart-title">"Embedding"</span><Export id=id /><span class="caption">{caption}</span></figcaption>
            <svg id=id xmlns="http://www.w3.org/2000/svg" role="img" class="scatter"
                aria-label=move || format!("2-D PCA of {} test representations", points.with(Vec::len))
                viewBox=format!("0 0 {w} {h}") inner_html=body></svg>
            <div class="legend">{legend}</div>
        </figure>
    }
}

/// An `n × n` heatmap of values in [-1, 1] (blue negative, white 0, red positive), with its
/// colour scale.
#[component]
pub fn Heatmap(id: &'static str, caption: &'static str, values: Signal<Vec<f32>>) -> impl IntoView {
    let colour_of = |x: f32| {
        let x = x.clamp(-1.0, 1.0);
        let (r, g, b) = if x >= 0.0 {
            (255.0, 255.0 * (1.0 - x), 255.0 * (1.0 - x))
        } else {
            (255.0 * (1.0 + x), 255.0 * (1.0 + x), 255.0)
        };
        format!("rgb({r:.0},{g:.0},{b:.0})")
    };
    let body = move || {
        let v = values.get();
        let side = (v.len() as f32).sqrt() as usize;
        let mut out = String::new();
        if side > 0 {
            let cell = 220.0 / side as f32;
            for (i, x) in v.iter().enumerate().take(side * side) {
                out.push_str(&format!(
                    r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
                    n((i % side) as f32 * cell),
                    n((i / side) as f32 * cell),
                    n(cell + 0.3),
                    n(cell + 0.3),
                    colour_of(*x)
                ));
            }
        }
        // The colour scale on the right, -1 to 1.
        for k in 0..40 {
            let x = 1.0 - k as f32 / 19.5;
            out.push_str(&format!(
                r#"<rect x="232" y="{}" width="12" height="5.6" fill="{}"/>"#,
                n(k as f32 * 5.5),
                colour_of(x)
            ));
        }
        for (y, label) in [(8.0, "1"), (113.0, "0"), (220.0, "−1")] {
            out.push_str(&format!(
                r#"<text x="248" y="{}" font-size="10" fill="currentColor">{}</text>"#,
                n(y),
                escape(label)
            ));
        }
        out
    };
    view! {
        <figure class="chart">
            <figcaption><span class="chart-title">"Similarity of two views"</span><Export id=id /><span class="caption">{caption}</span></figcaption>
            <svg id=id xmlns="http://www.w3.org/2000/svg" role="img" class="heatmap"
                aria-label="cosine similarity matrix of two augmented views of 16 test images"
                viewBox="0 0 264 222" inner_html=body></svg>
        </figure>
    }
}
