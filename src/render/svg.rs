//! Line charts as SVG text: the page's live charts and the CLI's report charts are the same
//! drawing code. Axes with titles, "nice" ticks and gridlines; solid, dashed and dotted lines;
//! a band of ± one seed spread where a point has one; markers; a legend that wraps instead of
//! clipping. The chart's numbers (frame, ticks, legend layout) are in `chart`.

pub use super::chart::{Axes, Frame, Layer, PALETTE, Series, Stroke, WIDTH, colour, nice_ticks};
use super::chart::{
    BOTTOM, FONT, LEFT, LEGEND_ROW, PLOT_HEIGHT, RIGHT, TOP, frame, legend_layout, tick_label,
};

/// A drawn chart: the inside of a `0 0 WIDTH height` SVG.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub body: String,
    pub height: f32,
    pub frame: Frame,
}

fn n(v: f32) -> String {
    format!("{v:.1}")
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn text(x: f32, y: f32, anchor: &str, s: &str) -> String {
    format!(
        r##"<text x="{}" y="{}" font-size="{FONT}" text-anchor="{anchor}" fill="currentColor">{}</text>"##,
        n(x),
        n(y),
        escape(s)
    )
}

fn finite(p: &(f32, f32)) -> bool {
    p.0.is_finite() && p.1.is_finite()
}

/// The chart: axes, gridlines, bands, lines, markers and legend.
pub fn line_chart(series: &[Series], axes: &Axes) -> Chart {
    let f = frame(series, axes);
    let mut out = String::new();
    grid_and_ticks(&mut out, &f, axes);
    axis_titles(&mut out, axes);
    bands(&mut out, &f, series);
    lines_and_markers(&mut out, &f, series, axes.markers);
    let rows = legend(&mut out, series);
    Chart {
        body: out,
        height: PLOT_HEIGHT + 6.0 + rows as f32 * LEGEND_ROW,
        frame: f,
    }
}

/// Gridlines and labels at the y ticks, the x ticks, and the axis lines.
fn grid_and_ticks(out: &mut String, f: &Frame, axes: &Axes) {
    let base = PLOT_HEIGHT - BOTTOM;
    let y_ticks = nice_ticks(f.y0, f.y1, 5);
    let y_step = y_ticks.get(1).map_or(1.0, |t| t - y_ticks[0]);
    for &t in &y_ticks {
        out.push_str(&format!(
            r##"<line x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="currentColor" stroke-opacity="0.12"/>"##,
            l = n(LEFT),
            r = n(WIDTH - RIGHT),
            y = n(f.py(t))
        ));
        out.push_str(&text(
            LEFT - 4.0,
            f.py(t) + 3.0,
            "end",
            &tick_label(t, y_step),
        ));
    }
    // x ticks: every category, or nice ticks.
    match &axes.x_labels {
        Some(labels) => {
            for (i, l) in labels.iter().enumerate() {
                out.push_str(&text(f.px(i as f32), base + 12.0, "middle", l));
            }
        }
        None => {
            let ticks = nice_ticks(f.x0, f.x1, 6);
            let step = ticks.get(1).map_or(1.0, |t| t - ticks[0]);
            for &t in &ticks {
                out.push_str(&format!(
                    r##"<line x1="{x}" y1="{b}" x2="{x}" y2="{b2}" stroke="currentColor" stroke-opacity="0.5"/>"##,
                    x = n(f.px(t)),
                    b = n(base),
                    b2 = n(base + 3.0)
                ));
                out.push_str(&text(f.px(t), base + 12.0, "middle", &tick_label(t, step)));
            }
        }
    }
    out.push_str(&format!(
        r##"<path d="M{l},{t}V{b}H{r}" fill="none" stroke="currentColor" stroke-opacity="0.55"/>"##,
        l = n(LEFT),
        t = n(TOP),
        b = n(base),
        r = n(WIDTH - RIGHT)
    ));
}

fn axis_titles(out: &mut String, axes: &Axes) {
    let base = PLOT_HEIGHT - BOTTOM;
    if !axes.x_title.is_empty() {
        out.push_str(&text(
            (LEFT + WIDTH - RIGHT) / 2.0,
            base + 26.0,
            "middle",
            &axes.x_title,
        ));
    }
    if !axes.y_title.is_empty() {
        let (x, y) = (12.0, (TOP + base) / 2.0);
        out.push_str(&format!(
            r##"<text x="{x}" y="{y}" font-size="{FONT}" text-anchor="middle" fill="currentColor" transform="rotate(-90 {x} {y})">{}</text>"##,
            escape(&axes.y_title),
            x = n(x),
            y = n(y)
        ));
    }
}

/// Bands of ± one seed spread under the lines, with an error bar at each point.
fn bands(out: &mut String, f: &Frame, series: &[Series]) {
    for s in series.iter().filter(|s| !s.spread.is_empty()) {
        let pts: Vec<(f32, f32, f32)> = s
            .points
            .iter()
            .zip(&s.spread)
            .filter(|(p, sd)| finite(p) && sd.is_finite())
            .map(|(p, sd)| (p.0, p.1, *sd))
            .collect();
        if pts.len() > 1 {
            let upper = pts
                .iter()
                .map(|p| format!("{},{}", n(f.px(p.0)), n(f.py(p.1 + p.2))));
            let lower = pts
                .iter()
                .rev()
                .map(|p| format!("{},{}", n(f.px(p.0)), n(f.py(p.1 - p.2))));
            let d: Vec<String> = upper.chain(lower).collect();
            out.push_str(&format!(
                r#"<path d="M{}Z" fill="{}" fill-opacity="0.16" stroke="none"/>"#,
                d.join("L"),
                escape(&s.colour)
            ));
        }
        if s.layer == Layer::Under {
            continue; // a reference under others' runs: its band without error bars
        }
        for p in &pts {
            out.push_str(&format!(
                r#"<path d="M{x},{a}V{b}M{l},{a}H{r}M{l},{b}H{r}" stroke="{c}" stroke-width="1"/>"#,
                x = n(f.px(p.0)),
                a = n(f.py(p.1 + p.2)),
                b = n(f.py(p.1 - p.2)),
                l = n(f.px(p.0) - 2.5),
                r = n(f.px(p.0) + 2.5),
                c = escape(&s.colour)
            ));
        }
    }
}

/// Each series' line, and its markers when `markers` (none on reference lines but the dotted).
fn lines_and_markers(out: &mut String, f: &Frame, series: &[Series], markers: bool) {
    for s in series {
        let pts: Vec<&(f32, f32)> = s.points.iter().filter(|p| finite(p)).collect();
        let d: String = pts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    "{}{},{}",
                    if i == 0 { "M" } else { "L" },
                    n(f.px(p.0)),
                    n(f.py(p.1))
                )
            })
            .collect();
        let dash = match s.stroke {
            Stroke::Solid => "",
            Stroke::Dashed => r#" stroke-dasharray="6,4""#,
            Stroke::Dotted => r#" stroke-dasharray="1.5,3""#,
        };
        let (width, opacity) = match s.layer {
            Layer::Plain => ("1.8", ""),
            Layer::Under => ("1.2", r#" stroke-opacity="0.55""#),
            Layer::Over => ("2.4", ""),
        };
        out.push_str(&format!(
            r#"<path d="{d}" fill="none" stroke="{}" stroke-width="{width}"{dash}{opacity}/>"#,
            escape(&s.colour)
        ));
        if markers {
            for p in pts {
                let (cx, cy) = (n(f.px(p.0)), n(f.py(p.1)));
                let c = escape(&s.colour);
                out.push_str(&if s.stroke == Stroke::Dotted {
                    format!(
                        r#"<circle cx="{cx}" cy="{cy}" r="2.8" fill="none" stroke="{c}" stroke-width="1.2"/>"#
                    )
                } else if s.is_reference() {
                    String::new()
                } else if s.layer == Layer::Over {
                    format!(
                        r#"<circle cx="{cx}" cy="{cy}" r="4" fill="{c}" stroke="currentColor" stroke-width="1.3"/>"#
                    )
                } else {
                    format!(r#"<circle cx="{cx}" cy="{cy}" r="2.6" fill="{c}"/>"#)
                });
            }
        }
    }
}

/// The legend below the plot; returns how many rows it took.
fn legend(out: &mut String, series: &[Series]) -> usize {
    let layout = legend_layout(series);
    for &(i, x, row) in &layout {
        let s = &series[i];
        let y = PLOT_HEIGHT + 4.0 + row as f32 * LEGEND_ROW;
        let dash = match s.stroke {
            Stroke::Solid => "",
            Stroke::Dashed => r#" stroke-dasharray="4,2""#,
            Stroke::Dotted => r#" stroke-dasharray="1.5,2""#,
        };
        out.push_str(&format!(
            r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.2"{dash}/>"#,
            n(x),
            n(y - 3.0),
            n(x + 14.0),
            n(y - 3.0),
            escape(&s.colour)
        ));
        out.push_str(&text(x + 18.0, y, "start", &s.name));
    }
    layout.last().map_or(0, |l| l.2 + 1)
}

/// A standalone SVG file: a title above the chart, white background.
pub fn line_chart_file(title: &str, series: &[Series], axes: &Axes) -> String {
    let chart = line_chart(series, axes);
    let height = chart.height + 16.0;
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 -16 {w} {h}" width="{w2}" height="{h2}" font-family="sans-serif" color="#222"><rect x="0" y="-16" width="{w}" height="{h}" fill="#fff"/><text x="4" y="-4" font-size="11" fill="#222">{t}</text>{body}</svg>"##,
        w = WIDTH,
        h = n(height),
        w2 = WIDTH * 2.0,
        h2 = n(height * 2.0),
        t = escape(title),
        body = chart.body
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_step_by_one_two_or_five() {
        assert_eq!(nice_ticks(0.0, 1.0, 5), [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        let t = nice_ticks(0.0, 300.0, 6);
        assert_eq!(t, [0.0, 50.0, 100.0, 150.0, 200.0, 250.0, 300.0]);
        let t = nice_ticks(2.13, 3.47, 5);
        assert!(
            t.iter().all(|v| (2.13..=3.47).contains(v)) && t.len() >= 4,
            "{t:?}"
        );
        assert_eq!(tick_label(0.2, 0.2), "0.2");
        assert_eq!(tick_label(150.0, 50.0), "150");
    }

    #[test]
    fn a_flat_series_at_any_value_draws() {
        for y in [2.3, 8.53, -8.53, 0.0, 1e-9, 123456.7] {
            let s = vec![Series::new("flat", colour(0), vec![(0.0, y), (1.0, y)])];
            let svg = line_chart(&s, &Axes::default()).body;
            assert!(
                svg.contains(r#"stroke-width="1.8""#),
                "{y}: no line in {svg}"
            );
            assert!(!svg.contains("NaN") && !svg.contains("inf"), "{y}: {svg}");
        }
        assert_eq!(tick_label(1.0, 0.0), "1");
        assert_eq!(tick_label(2.3, 1e-30), "2.299999952");
    }

    #[test]
    fn points_land_inside_the_plot_and_text_is_escaped() {
        let s = vec![
            Series::new(
                "a<b",
                colour(0),
                vec![(0.0, 0.0), (10.0, 1.0), (5.0, f32::NAN)],
            ),
            Series::new("chance", "#888", vec![(0.0, 0.1), (10.0, 0.1)]).dashed(),
        ];
        let axes = Axes {
            y_range: Some((0.0, 1.0)),
            markers: true,
            x_title: "bits".into(),
            y_title: "accuracy".into(),
            ..Axes::default()
        };
        let chart = line_chart(&s, &axes);
        let f = chart.frame;
        // (0, 0) is the bottom-left corner, (10, 1) the top-right; NaN is left out.
        let d = format!(
            "d=\"M{},{}L{},{}\"",
            n(f.px(0.0)),
            n(f.py(0.0)),
            n(f.px(10.0)),
            n(f.py(1.0))
        );
        assert!(chart.body.contains(&d), "{}", chart.body);
        assert_eq!(f.px(0.0), LEFT);
        assert!((f.x_at(f.px(7.0)) - 7.0).abs() < 1e-4);
        assert!(chart.body.contains("a&lt;b"));
        assert_eq!(
            chart.body.matches("<circle").count(),
            2,
            "no markers on dashed lines"
        );
        assert!(chart.body.contains(">bits</text>") && chart.body.contains("rotate(-90"));
        // Gridlines at the nice ticks, labelled.
        assert!(chart.body.contains(">0.6</text>"));
        let file = line_chart_file("t", &s, &Axes::default());
        assert!(file.starts_with("<svg") && file.ends_with("</svg>"));
    }

    #[test]
    fn spreads_draw_bands_and_error_bars_and_the_legend_wraps() {
        let s: Vec<Series> = (0..8)
            .map(|i| {
                Series::new(
                    format!("feature number {i}"),
                    colour(i),
                    vec![(0.0, 0.5), (1.0, 0.6)],
                )
                .with_spread(vec![0.05, 0.1])
            })
            .collect();
        let chart = line_chart(&s, &Axes::default());
        assert_eq!(chart.body.matches(r#"fill-opacity="0.16""#).count(), 8);
        // The legend takes several rows and the chart grows to hold them.
        let rows = legend_layout(&s).last().unwrap().2 + 1;
        assert!(rows >= 3);
        assert!(chart.height >= PLOT_HEIGHT + rows as f32 * LEGEND_ROW);
        for (_, x, _) in legend_layout(&s) {
            assert!(x < WIDTH);
        }
    }

    #[test]
    fn runs_over_a_reference_are_ringed_and_the_reference_is_paler() {
        let under = Series::new("digit (reference)", colour(0), vec![(0.0, 0.5), (1.0, 0.6)])
            .with_spread(vec![0.05, 0.05])
            .under();
        let over = Series::new("digit (yours)", colour(0), vec![(0.0, 0.52)]).over();
        let axes = Axes {
            markers: true,
            ..Axes::default()
        };
        let body = line_chart(&[under, over], &axes).body;
        assert_eq!(
            body.matches(r#"fill-opacity="0.16""#).count(),
            1,
            "the band"
        );
        assert!(body.contains(r#"stroke-opacity="0.55""#));
        assert_eq!(
            body.matches("<circle").count(),
            1,
            "markers on the visitor's run only"
        );
        assert!(body.contains(r#"r="4""#));
    }

    #[test]
    fn categorical_axes_name_each_position() {
        let chart = line_chart(
            &[Series::new("x", colour(1), vec![(0.0, 0.5), (2.0, 0.7)])],
            &Axes {
                x_labels: Some(vec!["ntxent".into(), "swd".into(), "au".into()]),
                ..Axes::default()
            },
        );
        for l in ["ntxent", "swd", "au"] {
            assert!(chart.body.contains(&format!(">{l}</text>")));
        }
    }
}
